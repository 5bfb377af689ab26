"""Goals (21-NQ/TW and the province's own): value now, a year ago, pace, the
year a goal is reached at that pace; on the dashboard and the goals page."""

import datetime
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports.goals import progress, project_share, project_year
from reports.indicators import get_unit
from reports.models import Goal

from .conftest import make_user

pytestmark = pytest.mark.django_db
NOV = datetime.date(2016, 11, 10)


def share_goal(direction="at_most", level="0", deadline=datetime.date(2030, 12, 31)):
    return Goal(measure="hamlets_without_branch", direction=direction, level=Decimal(level), deadline=deadline)


# --- the projection, on constructed series ---------------------------------------------------


def test_a_falling_share_reaches_zero_in_the_year_its_pace_says():
    # 10 % now, 20 % a year ago: 10 points a year, so 0 % one year from now.
    status, year, pace = project_share(share_goal(), Fraction(1, 10), Fraction(2, 10), datetime.date(2026, 6, 30))
    assert (status, year, pace) == ("on_track", 2027, Fraction(-1, 10))
    # 30 % now at the same pace: three years, 2029, still before 31/12/2030.
    assert project_share(share_goal(), Fraction(3, 10), Fraction(4, 10), datetime.date(2026, 6, 30))[:2] == (
        "on_track",
        2029,
    )


def test_a_pace_that_arrives_after_the_deadline_is_late():
    # 30 % now, 5 points a year: six years, 2032, after 31/12/2030.
    status, year, _pace = project_share(share_goal(), Fraction(30, 100), Fraction(35, 100), datetime.date(2026, 6, 30))
    assert (status, year) == ("late", 2032)


@pytest.mark.parametrize("year_ago", [Fraction(1, 10), Fraction(1, 20)], ids=["no change", "getting worse"])
def test_no_progress_or_going_backwards_never_reaches(year_ago):
    assert project_share(share_goal(), Fraction(1, 10), year_ago, datetime.date(2026, 6, 30))[:2] == ("never", None)


def test_a_share_to_reach_counts_upwards():
    goal = share_goal("at_least", "100")
    # 80 % now, 70 % a year ago: two more years.
    assert project_share(goal, Fraction(8, 10), Fraction(7, 10), datetime.date(2026, 1, 1))[:2] == ("on_track", 2028)
    assert project_share(goal, Fraction(1), Fraction(9, 10), datetime.date(2026, 1, 1))[0] == "reached"


def test_the_level_is_compared_exactly_not_as_a_rounded_percentage():
    goal = share_goal("at_most", "3")
    # 3.0003 % rounds to "3,0%" but is above 3 %.
    assert project_share(goal, Fraction(30003, 1000000), None, NOV)[0] == "no_data"
    assert project_share(goal, Fraction(3, 100), None, NOV)[0] == "reached"


def test_a_yearly_rate_is_projected_over_the_whole_year():
    goal = Goal(measure="admissions_per_year", direction="at_least", level=Decimal(3), deadline=NOV)
    mid_year = datetime.date(2026, 7, 2)  # day 183 of 365
    status, year, projected = project_year(goal, Fraction(2, 100), mid_year)
    assert projected == Fraction(2, 100) * 365 / 183
    assert (status, year) == ("on_track", 2026)
    assert project_year(goal, Fraction(1, 100), mid_year)[:2] == ("never", None)
    assert project_year(goal, Fraction(35, 1000), mid_year)[:2] == ("reached", 2026)


# --- on the demo data -------------------------------------------------------------------------


@pytest.fixture
def viewer(demo_data):
    return make_user("goal_viewer", "provincial_viewer")


def by_title(items):
    return {p.goal.title: p for p in items}


def test_the_three_goals_of_resolution_21_are_filled_in(demo_data):
    goals = {g.title: (g.measure, g.direction, g.level, g.deadline) for g in Goal.objects.all()}
    assert goals == {
        "100% thôn, bản có đảng viên": ("hamlets_without_resident_members", "at_most", 0, datetime.date(2025, 12, 31)),
        "100% thôn, tổ dân phố có chi bộ": ("hamlets_without_branch", "at_most", 0, datetime.date(2030, 12, 31)),
        "Kết nạp đảng viên mới hằng năm đạt 3–4% tổng số đảng viên": (
            "admissions_per_year",
            "at_least",
            3,
            datetime.date(2030, 12, 31),
        ),
    }


def test_quynh_luu_progress_reads_the_indicator_figures_at_both_dates(demo_data):
    found = by_title(progress(get_unit("district", "QL"), NOV, children=True))
    branch = found["100% thôn, tổ dân phố có chi bộ"]
    # hamlets_without_branch of the whole district: 19/303 now, 23/303 on 10/11/2015.
    assert (branch.now.numerator, branch.now.denominator) == (19, 303)
    assert (branch.year_ago.numerator, branch.year_ago.denominator) == (23, 303)
    assert branch.pace == Fraction(-4, 303)
    assert (branch.status, branch.year) == ("on_track", 2021)
    members = found["100% thôn, bản có đảng viên"]
    assert (members.now.numerator, members.now.denominator, members.status) == (28, 303, "never")
    admissions = found["Kết nạp đảng viên mới hằng năm đạt 3–4% tổng số đảng viên"]
    # 87 admitted from 1/1/2016 to 10/11/2016, over 3,839 members on 31/12/2015.
    assert (admissions.now.numerator, admissions.now.denominator) == (87, 3839)
    assert (admissions.year_ago.numerator, admissions.year_ago.denominator) == (56, 3763)
    assert admissions.status == "never"
    # Communes furthest from "every hamlet has members" first: Quỳnh Thanh, 5 of 15 without.
    first = members.children[0]
    assert (first.unit["name"], first.now.numerator, first.now.denominator) == ("Quỳnh Thanh", 5, 15)
    gaps = [child.gap for child in members.children]
    assert gaps == sorted(gaps, reverse=True)
    assert len(members.children) == 33


def test_the_dashboard_shows_each_goal_with_its_pace(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("reports:dashboard", args=["district", "QL"]) + "?as_of=10/11/2016").content.decode()
    band = html[html.index('id="goals"') : html.index('id="cards"')]
    assert "100% thôn, tổ dân phố có chi bộ" in band
    assert "6,3%" in band and "−1,3 điểm %/năm" in band and "Dự kiến đạt năm 2021, trong thời hạn" in band
    assert "9,2%" in band and "Không đạt với tốc độ hiện nay" in band
    assert "2,3%" in band and "ước cả năm 2,6%" in band
    assert "Quỳnh Thanh: 33,3%" in band


def test_a_communes_dashboard_shows_its_own_progress(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("reports:dashboard", args=["commune", "QTH"]) + "?as_of=10/11/2016").content.decode()
    band = html[html.index('id="goals"') : html.index('id="cards"')]
    # Quỳnh Thanh: 5 of its 15 hamlets have no resident member.
    assert "33,3%" in band


def test_the_goals_page_lists_units_furthest_behind_first_and_links_to_the_hamlets(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("reports:goals", args=["district", "QL"]) + "?as_of=10/11/2016").content.decode()
    section = html[html.index("100% thôn, bản có đảng viên") :]
    section = section[: section.index("</section>")]
    names = re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]+)', section)
    assert names[:3] == ["Quỳnh Lưu", "Quỳnh Thanh", "Quỳnh Yên"]
    drill = reverse("reports:drill_down", args=["commune", "QTH", "hamlets_without_resident_members"])
    assert drill + "?as_of=10%2F11%2F2016" in section


def test_a_reached_goal_shows_as_reached(client, viewer):
    Goal.objects.create(
        title="Thôn chưa có chi bộ dưới 10%",
        measure="hamlets_without_branch",
        direction="at_most",
        level=Decimal(10),
        deadline=datetime.date(2020, 12, 31),
        unit_kind="district",
        unit_code="QL",
    )
    found = by_title(progress(get_unit("district", "QL"), NOV))
    assert found["Thôn chưa có chi bộ dưới 10%"].status == "reached"
    client.force_login(viewer)
    html = client.get(reverse("reports:goals", args=["district", "QL"]) + "?as_of=10/11/2016").content.decode()
    section = html[html.index("Thôn chưa có chi bộ dưới 10%") :]
    assert "Đã đạt" in section[: section.index("</tr>", section.index("Quỳnh Lưu"))]


def test_a_goal_of_one_district_applies_to_it_and_its_communes_only(demo_data):
    Goal.objects.create(
        title="Mục tiêu riêng của Hoàng Mai",
        measure="branches_at_risk",
        direction="at_most",
        level=Decimal(5),
        deadline=datetime.date(2020, 12, 31),
        unit_kind="district",
        unit_code="HM",
    )
    assert "Mục tiêu riêng của Hoàng Mai" not in by_title(progress(get_unit("district", "QL"), NOV))
    assert "Mục tiêu riêng của Hoàng Mai" not in by_title(progress(get_unit("province", "all"), NOV))
    assert "Mục tiêu riêng của Hoàng Mai" in by_title(progress(get_unit("district", "HM"), NOV))


def test_a_goal_names_a_unit_and_an_area_that_exist(demo_data):
    goal = share_goal()
    goal.title = "x"
    goal.unit_kind, goal.unit_code, goal.area = "district", "NOPE", "nowhere"
    with pytest.raises(ValidationError) as error:
        goal.full_clean()
    assert set(error.value.message_dict) == {"unit_code", "area"}
    goal.unit_kind = ""
    with pytest.raises(ValidationError) as error:
        goal.full_clean()
    assert "unit_code" in error.value.message_dict


def test_editing_a_goal_shows_on_the_next_dashboard_view(client, viewer):
    """The dashboard's body is cached under its communes' data versions; a
    goal edited in the admin changes no commune, and still shows at once."""
    client.force_login(viewer)
    url = reverse("reports:dashboard", args=["district", "QL"]) + "?as_of=10/11/2016"
    assert "100% thôn, tổ dân phố có chi bộ" in client.get(url).content.decode()
    goal = Goal.objects.get(measure="hamlets_without_branch")
    goal.title = "Mọi thôn, tổ dân phố có chi bộ"
    goal.save()
    html = client.get(url).content.decode()
    assert "Mọi thôn, tổ dân phố có chi bộ" in html and "100% thôn, tổ dân phố có chi bộ" not in html
    goal.active = False
    goal.save()
    assert "Mọi thôn, tổ dân phố có chi bộ" not in client.get(url).content.decode()


def test_admissions_are_counted_per_unit_and_year(client, viewer):
    from reports.goals import admissions_by_year
    from reports.indicators import compute

    ql = get_unit("district", "QL")
    rows = dict(admissions_by_year(ql, NOV))
    assert sorted(rows) == [2012, 2013, 2014, 2015, 2016]
    # 2016 so far: the admissions from 1 January to 10 November over the members on 31/12/2015.
    assert (rows[2016].numerator, rows[2016].denominator) == (87, 3839)
    whole_2015 = compute(ql, datetime.date(2015, 12, 31))["indicators"]["admissions_vs_target"]["numerator"]
    members_2014 = compute(ql, datetime.date(2014, 12, 31))["indicators"]["members_elderly"]["denominator"]
    assert (rows[2015].numerator, rows[2015].denominator) == (whole_2015, members_2014) == (56, 3763)
    client.force_login(viewer)
    html = client.get(reverse("reports:goals", args=["district", "QL"]) + "?as_of=10/11/2016").content.decode()
    table = html[html.index('class="by-year"') :]
    assert "<td>87</td><td>3.839</td><td>2,3%</td>" in table
