"""Dashboards show the engine's figures; drill-downs list exactly those records."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.dashboards import recent_month_ends
from reports.indicators import INDICATORS, compute, get_unit, numerator_rows

from . import factories as f
from .conftest import make_user

pytestmark = pytest.mark.django_db
NOV = datetime.date(2016, 11, 10)


@pytest.fixture
def viewer(demo_data):
    return make_user("dash_viewer", "provincial_viewer")


def card_figures(html):
    """{key: (numerator, denominator)} as the cards show them."""
    found = {}
    for key, numerator, denominator in re.findall(
        r'data-key="(\w+)".*?<strong class="numerator">([\d.]+)</strong> / <span class="denominator">([\d.]+)</span>',
        html,
        re.S,
    ):
        # Vietnamese thousands separator: 1.606 is one thousand six hundred and six.
        found[key] = (int(numerator.replace(".", "")), int(denominator.replace(".", "")))
    return found


@pytest.mark.parametrize(
    ("kind", "code", "area"), [("province", "all", ""), ("district", "QL", "special"), ("commune", "QTH", "")]
)
def test_every_card_shows_the_engines_figure(client, viewer, kind, code, area):
    client.force_login(viewer)
    url = reverse("reports:dashboard", kwargs={"kind": kind, "code": code})
    html = client.get(url, {"as_of": "10/11/2016", "area": area}).content.decode()
    expected = compute(get_unit(kind, code), NOV, area or None)["indicators"]
    shown = card_figures(html)
    assert set(shown) == {i.key for i in INDICATORS}
    for key, (numerator, denominator) in shown.items():
        assert (numerator, denominator) == (expected[key]["numerator"], expected[key]["denominator"]), key


def test_the_article_figures_on_the_district_dashboard(client, viewer):
    client.force_login(viewer)
    html = client.get(
        reverse("reports:dashboard", kwargs={"kind": "district", "code": "QL"}),
        {"as_of": "10/11/2016", "area": "special"},
    ).content.decode()
    shown = card_figures(html)
    assert shown["hamlets_without_branch"] == (10, 141)
    assert shown["secretaries_trained"] == (74, 131)
    assert '<span class="kpi-ratio">7,1%</span>' in html  # 10/141, rounded, Vietnamese decimal comma
    assert '<span class="kpi-ratio">56,5%</span>' in html  # 74/131: the article's 56.5%


@pytest.mark.parametrize("indicator", [i.key for i in INDICATORS])
def test_every_drill_down_has_as_many_rows_as_the_figure(client, viewer, indicator):
    client.force_login(viewer)
    unit = get_unit("district", "QL")
    figure = compute(unit, NOV, "special")["indicators"][indicator]["numerator"]
    response = client.get(
        reverse("reports:drill_down", kwargs={"kind": "district", "code": "QL", "key": indicator}),
        {"as_of": "10/11/2016", "area": "special"},
    )
    assert response.context["table"].paginator.count == figure
    assert numerator_rows(indicator, unit, NOV, "special").count() == figure


def test_the_breakdown_adds_up_and_exports(client, viewer):
    client.force_login(viewer)
    url = reverse("reports:dashboard", kwargs={"kind": "district", "code": "QL"})
    response = client.get(url, {"as_of": "10/11/2016", "area": "special", "export": "csv"})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 33  # header + the 33 communes of Quỳnh Lưu
    without_branch = sum(int(line.split(",")[2]) for line in lines[1:])
    assert without_branch == 10


def test_the_previous_month_end_is_compared(client, viewer):
    client.force_login(viewer)
    url = reverse("reports:dashboard", kwargs={"kind": "district", "code": "QL"})
    response = client.get(url, {"as_of": "31/03/2016", "area": "special"})
    card = next(c for c in response.context["cards"] if c.indicator.key == "hamlets_without_branch")
    # A joint branch founded on 15/03/2016 served two more hamlets than at the end of February.
    assert (card.previous_numerator, card.numerator) == (14, 12)
    assert card.trend == "down" and card.good_news is True


def test_trend_shows_twelve_month_ends(client, viewer):
    client.force_login(viewer)
    response = client.get(
        reverse("reports:trend", kwargs={"kind": "district", "code": "QL"}), {"as_of": "31/12/2016", "area": "special"}
    )
    assert response.context["days"] == recent_month_ends(datetime.date(2016, 12, 31))
    indicator, _chart, figures = response.context["series"][0]
    assert indicator.key == "hamlets_without_branch"
    assert [f["numerator"] for f in figures][0] == 14 and figures[-1]["numerator"] == 10
    assert "<svg" in response.content.decode()


def test_month_ends():
    assert recent_month_ends(datetime.date(2016, 3, 10), 3) == [
        datetime.date(2015, 12, 31),
        datetime.date(2016, 1, 31),
        datetime.date(2016, 2, 29),
    ]
    assert recent_month_ends(datetime.date(2016, 3, 31), 1) == [datetime.date(2016, 3, 31)]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["dashboard", "trend", "drill_down"])
def test_dashboard_query_counts_do_not_grow(client, page):
    viewer = make_user("v", "provincial_viewer")
    client.force_login(viewer)
    district = f.district(code="DX")
    kwargs = {"kind": "district", "code": "DX"}
    if page == "drill_down":
        kwargs["key"] = "hamlets_without_branch"
    url = reverse(f"reports:{page}", kwargs=kwargs)

    def grow(n):
        commune = f.commune(district)
        for _ in range(n):
            hamlet = f.hamlet(commune, areas=["religious"])
            branch = f.branch(commune, [hamlet])
            people = f.members_in(branch, 3, residence=hamlet)
            f.secretary(branch, people[0])
            f.hamlet(commune)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url, {"as_of": "10/11/2016"}).status_code == 200
        return len(context.captured_queries)

    # Warm: each commune's figures are cached once read (by_commune.py); a
    # view then costs the same whatever the number of communes and records.
    grow(1)
    count()
    few = count()
    grow(10)
    grow(10)
    count()
    assert count() == few


def test_a_bad_date_or_area_is_said_and_replaced_by_the_default(client, viewer):
    client.force_login(viewer)
    url = reverse("reports:dashboard", kwargs={"kind": "district", "code": "QL"})
    response = client.get(url, {"as_of": "31/02/2016", "area": "mountain"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ngày “31/02/2016” không hợp lệ" in page and "Không có vùng “mountain”" in page
    assert response.context["as_of"] == datetime.date.today()


def test_the_dashboard_home_keeps_the_date_asked_for(client, demo_data):
    from django.urls import reverse

    from .conftest import make_user

    client.force_login(make_user("viewer_home", "provincial_viewer"))
    response = client.get(reverse("reports:dashboard_home"), {"as_of": "10/11/2016", "area": "special"})
    assert response["Location"] == "/dashboard/province/all/?as_of=10%2F11%2F2016&area=special"


def test_a_clerk_s_home_gives_counts_first_and_folds_long_lists(client, demo_data):
    from django.urls import reverse

    from .conftest import make_user

    client.force_login(make_user("clerk_home", "district_staff", district="QL"))
    page = client.get(reverse("home"), {"as_of": "31/12/2017"}).content.decode()
    section = page.split('id="h5"')[1].split("</section>")[0]
    count = int(section.split('badge warn">')[1].split("<")[0])
    assert count > 0 and "<details><summary>" in section
    assert section.count("<li>") == min(count, 50)


def test_the_breakdown_lists_units_in_vietnamese_alphabetical_order(client, demo_data):
    from django.urls import reverse

    from .conftest import make_user

    client.force_login(make_user("viewer_order", "provincial_viewer"))
    page = client.get(reverse("reports:dashboard", args=["district", "QL"]), {"as_of": "10/11/2016"})
    names = [unit["name"] for unit, _figures in page.context["rows"]]
    assert names.index("Quỳnh Bá") < names.index("Quỳnh Bảng") < names.index("Quỳnh Đôi") < names.index("Quỳnh Yên")
    assert names.index("Quỳnh Diễn") < names.index("Quỳnh Đôi")
