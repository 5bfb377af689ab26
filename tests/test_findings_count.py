"""The dashboard's count of today's open data-check findings: counted with
the page when only a few communes' counts are not kept, else fetched by the
page once its figures are shown (a province after the cache was emptied)."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from coverage_site.lib.dates import today
from reports import quality, views
from reports.indicators import get_unit

from . import factories as f
from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_pending_versions():
    """Communes an earlier test's rolled-back writes left to bump."""
    from reports import versions

    versions._pending.__dict__.clear()


@pytest.fixture
def commune_with_findings():
    commune = f.commune(code="BZ", name="Xã Bên Ba")
    hamlet = f.hamlet(commune, code="BZ-H1")
    branch = f.branch(commune, [hamlet], code="BZ-B1")
    for name in ("Dự Bị Một", "Dự Bị Hai"):  # two overdue probationers
        member = f.member(hamlet, full_name=name, admitted_on=today() - datetime.timedelta(days=500), official=False)
        f.join(member, branch)
    return commune


def paragraph(html):
    start = html.index('id="findings-open"')
    return html[html.rindex("<p", 0, start) : html.index("</p>", start)]


def test_a_cold_dashboard_shows_its_figures_and_fetches_the_count_after(client, commune_with_findings, monkeypatch):
    monkeypatch.setattr(views, "FINDINGS_COUNTED_INLINE", 0)
    cache.clear()
    client.force_login(make_user("bz_viewer", "admin"))
    html = client.get(reverse("reports:dashboard", args=["commune", "BZ"])).content.decode()
    waiting = paragraph(html)
    assert 'data-fragment="/dashboard/commune/BZ/findings/"' in waiting
    assert "Đang đếm các điểm cần kiểm tra…" in waiting and 'href="/quality/commune/BZ/"' in waiting
    assert "Bảng số liệu: Xã Bên Ba" in html
    # The fragment: the two probationers, the branch without a secretary and the hamlet without a head.
    in_line = sum(len(list(check.find(None, today()))) for check in quality.CHECKS)
    fragment = client.get("/dashboard/commune/BZ/findings/").content.decode()
    assert in_line == 4 and "4 điểm cần kiểm tra" in fragment and "data-fragment" not in fragment
    # Counted and kept: the next view shows it in the page.
    html = client.get(reverse("reports:dashboard", args=["commune", "BZ"])).content.decode()
    assert "4 điểm cần kiểm tra" in paragraph(html) and "data-fragment" not in paragraph(html)


def test_a_few_communes_to_count_are_counted_with_the_page(client, commune_with_findings):
    cache.clear()
    client.force_login(make_user("bz_viewer", "admin"))
    html = client.get(reverse("reports:dashboard", args=["commune", "BZ"])).content.decode()
    assert "4 điểm cần kiểm tra" in paragraph(html) and "data-fragment" not in paragraph(html)


def test_the_count_is_not_counted_when_more_communes_are_missing_than_allowed(commune_with_findings):
    cache.clear()
    unit = get_unit("commune", "BZ")
    assert quality.open_count(unit, at_most=0) is None
    assert quality.open_count(unit, at_most=1) == 4
    assert quality.open_count(unit, at_most=0) == 4  # kept now


def test_someone_else_s_unit_s_count_is_not_found(client, commune_with_findings):
    f.commune(code="OT", name="Xã Khác")
    client.force_login(make_user("ot_clerk", "district_staff", commune="OT"))
    assert client.get("/dashboard/commune/BZ/findings/").status_code == 404
    assert client.get("/dashboard/commune/OT/findings/").status_code == 200
