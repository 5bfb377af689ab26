"""Hand-built cases at the edges of indicators.md's definitions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hamlets.models import AdmissionTarget, BranchRating
from reports.indicators import Unit, compute, numerator_rows

from . import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
PROVINCE = Unit("province", "all", "Toàn tỉnh")


def figure(key, day, unit=PROVINCE, area=None):
    value = compute(unit, day, area)["indicators"][key]
    assert numerator_rows(key, unit, day, area).count() == value["numerator"]
    return value["numerator"], value["denominator"]


@pytest.fixture
def commune():
    return f.commune(f.district())


def test_a_branch_founded_on_d_serves_and_one_dissolved_on_d_does_not(commune):
    h1, h2 = f.hamlet(commune), f.hamlet(commune)
    f.branch(commune, [h1], established_on=D(2016, 5, 1))
    f.branch(commune, [h2], established_on=D(2000, 1, 1), dissolved_on=D(2016, 5, 1))
    assert figure("hamlets_without_branch", D(2016, 4, 30)) == (1, 2)  # h1 not yet, h2 still
    assert figure("hamlets_without_branch", D(2016, 5, 1)) == (1, 2)  # h1 now, h2 no longer
    assert list(numerator_rows("hamlets_without_branch", PROVINCE, D(2016, 5, 1))) == [h2]


def test_a_membership_starting_on_d_counts_and_one_ending_on_d_does_not(commune):
    h = f.hamlet(commune)
    b = f.branch(commune, [h])
    joining = f.member(h)
    f.join(joining, b, D(2016, 5, 1))
    leaving = f.member()
    f.join(leaving, b, D(2000, 1, 1), left_on=D(2016, 5, 1), left_reason="transferred")
    assert figure("members_elderly", D(2016, 5, 1)) == (0, 1)
    assert figure("hamlets_without_resident_members", D(2016, 4, 30)) == (1, 1)
    assert figure("hamlets_without_resident_members", D(2016, 5, 1)) == (0, 1)


def test_sixtieth_birthday_on_d_is_elderly(commune):
    b = f.branch(commune, [f.hamlet(commune)])
    f.members_in(b, 1, birth_date=D(1956, 11, 10), admitted_on=D(1980, 1, 1))
    assert figure("members_elderly", D(2016, 11, 9)) == (0, 1)
    assert figure("members_elderly", D(2016, 11, 10)) == (1, 1)


def test_born_on_29_february(commune):
    b = f.branch(commune, [f.hamlet(commune)])
    f.members_in(b, 1, birth_date=D(1956, 2, 29), admitted_on=D(1980, 1, 1))
    assert figure("members_elderly", D(2016, 2, 28)) == (0, 1)
    assert figure("members_elderly", D(2016, 2, 29)) == (1, 1)


def test_five_year_window_from_29_february(commune):
    # (D minus 5 years, D] with D = 29/02/2016 starts after 28/02/2011.
    b = f.branch(commune, [f.hamlet(commune)], established_on=D(1990, 1, 1))
    f.members_in(b, 5, birth_date=D(1960, 1, 1), admitted_on=D(1985, 1, 1))
    newcomer = f.member(birth_date=D(1980, 1, 1), admitted_on=D(2011, 2, 28))
    f.join(newcomer, b)
    assert figure("branches_without_recent_admission", D(2016, 2, 29)) == (1, 1)
    newcomer.admitted_on = D(2011, 3, 1)
    newcomer.save()
    assert figure("branches_without_recent_admission", D(2016, 2, 29)) == (0, 1)


def test_a_joint_branch_with_a_dissolved_hamlet_is_no_longer_joint(commune):
    h1 = f.hamlet(commune)
    h2 = f.hamlet(commune, dissolved_on=D(2016, 3, 1))
    f.branch(commune, [h1, h2])
    assert figure("joint_branches", D(2016, 2, 1)) == (1, 1)
    assert figure("hamlets_in_joint_branch", D(2016, 2, 1)) == (2, 2)
    assert figure("joint_branches", D(2016, 3, 1)) == (0, 1)
    assert figure("hamlets_in_joint_branch", D(2016, 3, 1)) == (0, 1)


def test_a_transferred_member_is_admitted_once_at_the_first_branch(commune):
    first, second = f.branch(commune, [f.hamlet(commune)]), f.branch(commune, [f.hamlet(commune)])
    AdmissionTarget.objects.create(commune=commune, year=2016, target=4)
    person = f.member(birth_date=D(1990, 1, 1), admitted_on=D(2016, 2, 1), official=False)
    f.join(person, first, D(2016, 2, 1), left_on=D(2016, 6, 1), left_reason="transferred")
    f.join(person, second, D(2016, 6, 1))
    assert figure("admissions_vs_target", D(2016, 11, 10)) == (1, 4)
    assert list(numerator_rows("admissions_vs_target", PROVINCE, D(2016, 11, 10)).values_list("branch", flat=True)) == [
        first.pk
    ]
    # Branch-level: recent admission belongs to the first branch only.
    assert figure("branches_without_recent_admission", D(2016, 11, 10)) == (1, 2)


def test_a_village_head_linked_to_a_member_who_died_is_not_a_party_member(commune):
    h = f.hamlet(commune)
    b = f.branch(commune, [h])
    person = f.member(h)
    f.join(person, b, left_on=D(2016, 4, 1), left_reason="deceased")
    f.head(h, member=person)
    assert figure("village_heads_party_members", D(2016, 3, 31)) == (1, 1)
    assert figure("village_heads_party_members", D(2016, 4, 1)) == (0, 1)


def test_secretary_who_is_village_head(commune):
    h = f.hamlet(commune)
    b = f.branch(commune, [h])
    people = f.members_in(b, 3, residence=h)
    f.secretary(b, people[0])
    f.head(h, member=people[0])
    assert figure("secretary_is_village_head", D(2016, 1, 1)) == (1, 1)


@pytest.mark.parametrize(
    ("members", "elderly", "recent", "at_risk", "condition"),
    [
        (2, 0, True, True, "below_minimum"),  # fewer than 3 full members, alone
        (4, 3, True, True, "small_and_elderly"),  # small, more than half elderly, recent admission
        (4, 2, False, True, "small_and_no_admission"),  # small, half elderly (not more), no admission
        (4, 2, True, False, None),  # small but half elderly and a recent admission
        (5, 5, False, False, None),  # not small
    ],
)
def test_each_at_risk_condition_alone(commune, members, elderly, recent, at_risk, condition):
    from reports.indicators import Snapshot, unit_communes

    b = f.branch(commune, [f.hamlet(commune)], established_on=D(1980, 1, 1))
    f.members_in(b, elderly, birth_date=D(1940, 1, 1), admitted_on=D(1970, 1, 1))
    f.members_in(b, members - elderly - (1 if recent else 0), birth_date=D(1970, 1, 1), admitted_on=D(1995, 1, 1))
    if recent:
        f.members_in(b, 1, birth_date=D(1985, 1, 1), admitted_on=D(2013, 1, 1))
    day = D(2016, 11, 10)
    assert figure("branches_at_risk", day) == (1 if at_risk else 0, 1)
    (row,) = Snapshot(unit_communes(PROVINCE, day), day).branches.values()
    assert row["risk_conditions"] == ([condition] if condition else [])


def test_area_filter_narrows_hamlets_and_branches(commune):
    h_special = f.hamlet(commune, areas=["religious"])
    h_plain = f.hamlet(commune)
    f.hamlet(commune, areas=["religious", "coastal"])  # counted once under "special"
    f.branch(commune, [h_special])
    f.branch(commune, [h_plain])
    day = D(2016, 1, 1)
    assert figure("hamlets_without_branch", day, area="special") == (1, 2)
    assert figure("hamlets_without_branch", day, area="coastal") == (1, 1)
    assert figure("hamlets_without_branch", day) == (1, 3)
    assert figure("branches_without_members", day, area="religious") == (1, 1)
    assert figure("branches_without_members", day) == (2, 2)


def test_a_zero_denominator_gives_a_null_ratio(commune):
    f.hamlet(commune)
    result = compute(PROVINCE, D(2016, 1, 1))["indicators"]
    assert result["secretaries_trained"] == {"numerator": 0, "denominator": 0, "ratio": None}
    assert result["hamlets_without_branch"] == {"numerator": 1, "denominator": 1, "ratio": 1.0}


def test_ratings_of_the_previous_year(commune):
    b1, b2 = f.branch(commune, [f.hamlet(commune)]), f.branch(commune, [f.hamlet(commune)])
    BranchRating.objects.create(branch=b1, year=2015, rating="not_completed")
    BranchRating.objects.create(branch=b2, year=2016, rating="not_completed")
    assert figure("branches_rated_not_completed", D(2016, 11, 10)) == (1, 1)


def build_commune_with(size):
    c = f.commune(f.district())
    for _ in range(size):
        h = f.hamlet(c, areas=["religious"])
        b = f.branch(c, [h])
        people = f.members_in(b, 3, residence=h)
        f.secretary(b, people[0])
        f.head(h, member=people[1])
    AdmissionTarget.objects.create(commune=c, year=2016, target=3)


def test_query_count_does_not_grow_with_the_data():
    def queries(by_child):
        with CaptureQueriesContext(connection) as context:
            compute(PROVINCE, D(2016, 11, 10), "special", by_child=by_child)
        return len(context.captured_queries)

    build_commune_with(1)
    small = queries(True), queries(False)
    for _ in range(3):
        build_commune_with(6)
    assert (queries(True), queries(False)) == small


def test_a_commune_has_figures_only_on_days_it_was_active():
    """A commune founded on 1/7/2025 covers nothing on 31/12/2024 (its
    dashboard's goals band asks for that year end): nothing is read for it."""
    from reports.indicators import get_unit, unit_communes
    from reports.indicators.by_commune import unit_figures

    commune = f.commune(code="NEW", name="Xã Mới", established_on=datetime.date(2025, 7, 1))
    f.hamlet(commune, code="NEW-H1")
    unit = get_unit("commune", "NEW")
    assert list(unit_communes(unit, datetime.date(2024, 12, 31))) == []
    assert list(unit_communes(unit, datetime.date(2025, 7, 1))) == [commune]
    assert unit_figures(unit, [datetime.date(2024, 12, 31)])[datetime.date(2024, 12, 31)].entries == {}
