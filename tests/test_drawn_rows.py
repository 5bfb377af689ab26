"""List and drill-down rows drawn in one pass (coverage_site/lib/drawn_rows.py)
are exactly the rows django-tables2 draws: same cells, links, escaping,
choices, dates, numbers and empty values."""

import re

import pytest
from django.urls import reverse

from coverage_site.lib.drawn_rows import DrawnRowsTable
from hamlets.models import Member

from .conftest import make_user

pytestmark = pytest.mark.django_db

LISTS = [
    "hamlets:commune_list",
    "hamlets:hamlet_list",
    "hamlets:branch_list",
    "hamlets:member_list",
    "hamlets:villagehead_list",
    "hamlets:candidate_list",
    "hamlets:admissiontarget_list",
    "hamlets:branchrating_list",
]
DRILL_DOWNS = ["hamlets_without_branch", "branches_at_risk", "members_elderly", "members_reinforcing"]


@pytest.fixture
def viewer(demo_data):
    return make_user("rows_viewer", "provincial_viewer")


def tbody(html):
    found = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S)
    assert found, "no table body"
    return re.sub(r">\s+<", "><", found[1].strip())


def both_ways(client, url, params, monkeypatch):
    drawn = client.get(url, params)
    assert drawn.status_code == 200
    assert drawn.context["table"].drawn_rows() is not None, "django-tables2 drew the rows"
    with monkeypatch.context() as patched:
        patched.setattr(DrawnRowsTable, "drawn_rows", lambda table: None)  # django-tables2 draws the rows
        plain = client.get(url, params)
    return tbody(drawn.content.decode()), tbody(plain.content.decode())


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("params", [{}, {"sort": "-code", "page": "2"}])
def test_every_list_draws_the_rows_django_tables2_draws(client, viewer, monkeypatch, name, params):
    client.force_login(viewer)
    drawn, plain = both_ways(client, reverse(name), params, monkeypatch)
    assert drawn == plain
    assert drawn.count("<tr") > 0 or "Không có" in drawn


@pytest.mark.parametrize("key", DRILL_DOWNS)
def test_drill_downs_draw_the_rows_django_tables2_draws(client, viewer, monkeypatch, key):
    client.force_login(viewer)
    url = reverse("reports:drill_down", kwargs={"kind": "district", "code": "QL", "key": key})
    drawn, plain = both_ways(client, url, {"as_of": "10/11/2016"}, monkeypatch)
    assert drawn == plain
    assert drawn.count("<tr") > 1


def test_a_drawn_row_shows_what_a_user_reads(client, viewer):
    """A member's row: escaped name linked to the member page, the gender's
    label, dd/mm/yyyy dates, "—" where there is no branch."""
    member = Member.objects.order_by("name_sort", "pk").first()
    member.full_name = "<b>Nguyễn & Văn</b>"
    member.save()
    client.force_login(viewer)
    html = client.get(reverse("hamlets:member_list"), {"q": "nguyen & van"}).content.decode()
    row = tbody(html)
    link = reverse("hamlets:member_detail", kwargs={"code": member.code})
    assert f'<a href="{link}">&lt;b&gt;Nguyễn &amp; Văn&lt;/b&gt;</a>' in row
    assert f">{member.get_gender_display()}</td>" in row
    assert f">{member.birth_date:%d/%m/%Y}</td>" in row
    assert "<b>" not in row


def test_empty_list_says_so(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("hamlets:member_list"), {"q": "không có ai tên này"}).content.decode()
    assert "Không có bản ghi nào khớp với bộ lọc." in tbody(html)
