"""No lost updates: a form saved after someone else changed the record is refused."""

import pytest
from django.test import Client
from django.urls import reverse

from hamlets.models import Member

pytestmark = pytest.mark.django_db


def open_form(client, code):
    response = client.get(reverse("hamlets:member_edit", kwargs={"code": code}))
    return response.context["form"].initial["version"]


def test_the_second_of_two_edits_from_the_same_version_is_refused(cast):
    first, second = Client(), Client()
    first.force_login(cast["staff"])
    second.force_login(cast["admin"])
    version = open_form(first, "M2")
    assert open_form(second, "M2") == version
    data = {"gender": "female", "birth_date": "15/07/1980", "ethnicity": "Kinh", "version": version}

    response = first.post(
        reverse("hamlets:member_edit", kwargs={"code": "M2"}), {**data, "full_name": "Trần Thị Hoa A"}
    )
    assert response.status_code == 302

    response = second.post(
        reverse("hamlets:member_edit", kwargs={"code": "M2"}), {**data, "full_name": "Trần Thị Hoa B"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "vừa được người khác sửa" in page
    # The other change is shown: who made it and what it changed.
    assert "staff_d1" in page and "Trần Thị Hoa A" in page
    # ... against the version the form was opened on (read by the record's own history rows).
    assert "<strong>họ và tên</strong>: Trần Thị Hoa → Trần Thị Hoa A" in page
    assert Member.objects.get(code="M2").full_name == "Trần Thị Hoa A"


def test_saving_from_the_current_version_works(cast, client):
    client.force_login(cast["staff"])
    version = open_form(client, "M2")
    response = client.post(
        reverse("hamlets:member_edit", kwargs={"code": "M2"}),
        {
            "full_name": "Trần Thị Hoa",
            "gender": "female",
            "birth_date": "15/07/1980",
            "religion": "Công giáo",
            "ethnicity": "Kinh",
            "version": version,
        },
    )
    assert response.status_code == 302
    assert open_form(client, "M2") != version
