"""The demo data reproduce the article (indicators.md, "Demo data")."""

import datetime

import pytest

from reports.indicators import compute, get_unit, numerator_rows

pytestmark = pytest.mark.django_db

NOV = datetime.date(2016, 11, 10)
JAN = datetime.date(2016, 1, 1)

TABLE = [
    (NOV, "hamlets_without_branch", 10, 141),
    (NOV, "hamlets_without_resident_members", 19, 141),
    (NOV, "hamlets_without_branch_or_members", 10, 141),
    (NOV, "village_heads_trained", 23, 141),
    (NOV, "village_heads_party_members", 48, 141),
    (NOV, "secretaries_trained", 74, 131),
    (NOV, "reinforced_branches", 20, None),
    (NOV, "members_reinforcing", 97, None),
    (NOV, "branches_at_risk", 6, None),
    (JAN, "hamlets_without_branch", 14, 141),
    (JAN, "hamlets_without_branch_or_members", 11, 141),
]


@pytest.fixture(scope="module")
def quynh_luu(demo_data):
    return get_unit("district", "QL")


@pytest.mark.parametrize(("day", "key", "numerator", "denominator"), TABLE)
def test_special_area_figures_of_the_article(quynh_luu, day, key, numerator, denominator):
    figure = compute(quynh_luu, day, "special")["indicators"][key]
    assert figure["numerator"] == numerator
    if denominator is not None:
        assert figure["denominator"] == denominator
    assert numerator_rows(key, quynh_luu, day, "special").count() == numerator


def test_reinforced_and_at_risk_share_the_scope_denominators(quynh_luu):
    figures = compute(quynh_luu, NOV, "special")["indicators"]
    assert figures["reinforced_branches"]["denominator"] == figures["branches_at_risk"]["denominator"] == 131
    assert figures["members_reinforcing"]["denominator"] == figures["members_elderly"]["denominator"]


def test_elderly_members_are_65_percent(quynh_luu):
    ratio = compute(quynh_luu, NOV, "special")["indicators"]["members_elderly"]["ratio"]
    assert 0.645 <= ratio <= 0.655


@pytest.mark.parametrize(("area", "numerator", "denominator"), [("ethnic_minority", 0, 5), ("religious", 10, 52)])
def test_area_types_of_the_article(quynh_luu, area, numerator, denominator):
    figure = compute(quynh_luu, NOV, area)["indicators"]["hamlets_without_branch"]
    assert (figure["numerator"], figure["denominator"]) == (numerator, denominator)


def test_unfiltered_district_figures_differ_from_the_special_areas(quynh_luu):
    special = compute(quynh_luu, NOV, "special")["indicators"]
    everything = compute(quynh_luu, NOV)["indicators"]
    assert everything["hamlets_without_branch"]["denominator"] > special["hamlets_without_branch"]["denominator"]
    assert everything["members_elderly"]["denominator"] > special["members_elderly"]["denominator"]


def test_the_year_cut_four_hamlets_without_a_branch(quynh_luu):
    jan = compute(quynh_luu, JAN, "special")["indicators"]["hamlets_without_branch"]["numerator"]
    nov = compute(quynh_luu, NOV, "special")["indicators"]["hamlets_without_branch"]["numerator"]
    assert jan - nov == 4


def test_many_dates_read_together_equal_one_at_a_time(quynh_luu):
    from reports.dashboards import recent_month_ends
    from reports.indicators import compute_many

    days = recent_month_ends(datetime.date(2016, 12, 31), 12)
    together = compute_many(quynh_luu, days, "special")
    for day in days:
        assert together[day] == compute(quynh_luu, day, "special"), day


@pytest.mark.parametrize(
    "key",
    [
        i
        for i in (
            "hamlets_without_branch",
            "village_heads_party_members",
            "secretaries_trained",
            "branches_at_risk",
            "members_elderly",
        )
    ],
)
def test_denominator_rows_are_the_denominator(quynh_luu, key):
    from reports.indicators import denominator_rows

    figure = compute(quynh_luu, NOV, "special")["indicators"][key]
    assert denominator_rows(key, quynh_luu, NOV, "special").count() == figure["denominator"]
