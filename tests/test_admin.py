"""The administrators' tool: every list opens, search ignores diacritics, people cannot be deleted."""

import pytest
from django.contrib import admin
from django.urls import reverse

from hamlets import models

pytestmark = pytest.mark.django_db


def test_every_admin_list_opens_and_searches(client, cast):
    client.force_login(cast["admin"])
    for model in admin.site._registry:
        if model._meta.app_label not in ("hamlets", "reports"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "nguyen van"}).status_code == 200, url
    response = client.get(reverse("admin:hamlets_member_changelist"), {"q": "NGUYEN van duc"})
    assert "Nguyễn Văn Đức" in response.content.decode()


def test_people_cannot_be_deleted_in_the_admin(client, cast):
    client.force_login(cast["admin"])
    member = models.Member.objects.get(code="M1")
    assert client.get(reverse("admin:hamlets_member_delete", args=[member.pk])).status_code == 403
    assert models.Member.objects.filter(code="M1").exists()


def test_the_admin_applies_the_rules(client, cast):
    client.force_login(cast["admin"])
    membership = models.Membership.objects.get(member__code="M3")
    response = client.post(
        reverse("admin:hamlets_membership_change", args=[membership.pk]),
        {
            "member": membership.member_id,
            "branch": membership.branch_id,
            "joined_on": "2009-01-01",
            "left_on": "",
            "left_reason": "",
        },
    )
    assert response.status_code == 200
    assert "trước ngày kết nạp" in response.content.decode()
