"""Data-quality checks (reports/quality.py): each finds its case and not a
near miss; marks ("checked, correct") stop a finding counting; counts follow
edits; submission asks for confirmation while findings remain."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coverage_site.lib.dates import today
from hamlets.models import Branch, Candidate, Membership
from reports import quality
from reports.indicators import get_unit
from reports.models import CheckedFinding

from . import factories as f
from .conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = D(2026, 6, 30)


def found(key, day=DAY):
    return {pk for pk, _commune, _detail in quality.CHECK_BY_KEY[key].find(None, day)}


@pytest.fixture
def place():
    commune = f.commune(code="QA", name="Xã Kiểm Tra")
    hamlet = f.hamlet(commune, code="QA-H1")
    branch = f.branch(commune, [hamlet], code="QA-B1")
    return commune, hamlet, branch


def person(place, name, **kw):
    _commune, hamlet, branch = place
    member = f.member(hamlet, full_name=name, **kw)
    f.join(member, branch)
    return member


def test_implausible_age_over_100_or_admitted_before_18(place):
    too_old = person(place, "Cụ Một", birth_date=D(1925, 6, 30))  # 101 on 30/06/2026
    hundred = person(place, "Cụ Hai", birth_date=D(1925, 7, 1))  # exactly 100: not over
    too_young = person(place, "Trẻ Một", birth_date=D(2000, 1, 1), admitted_on=D(2017, 12, 31))
    eighteen = person(place, "Trẻ Hai", birth_date=D(2000, 1, 1), admitted_on=D(2018, 1, 1))
    # Over 100 counts only while a member (a record kept after death is no typing error).
    gone = f.member(place[1], full_name="Cụ Ba", birth_date=D(1920, 1, 1), admitted_on=D(1945, 1, 1))
    f.join(gone, place[2], left_on=D(2020, 1, 1), left_reason="deceased")
    assert found("implausible_age") == {too_old.pk, too_young.pk}
    assert hundred.pk not in found("implausible_age") and eighteen.pk not in found("implausible_age")


def test_probation_overdue_after_twelve_months_and_the_grace(place):
    # 30/06/2026 less 30 days of grace, less 12 months: admitted before 31/05/2025.
    late = person(place, "Dự Bị Một", admitted_on=D(2025, 5, 30), official=False)
    in_time = person(place, "Dự Bị Hai", admitted_on=D(2025, 5, 31), official=False)
    recognised = person(place, "Chính Thức", admitted_on=D(2020, 1, 1), official=True)
    assert found("overdue_probation") == {late.pk}
    assert not {in_time.pk, recognised.pk} & found("overdue_probation")


def test_branch_without_a_secretary_for_over_ninety_days(place):
    commune, hamlet, branch = place
    person(place, "Đảng Viên Một")
    f.secretary(branch, person(place, "Bí Thư Cũ"), start_on=D(2020, 1, 1), end_on=D(2026, 4, 1))
    assert found("branch_without_secretary") == {branch.pk}  # 90 days on 30/06/2026
    recent = f.branch(commune, [f.hamlet(commune)], code="QA-B2")
    member = f.member(hamlet, full_name="Đảng Viên Hai")
    f.join(member, recent)
    f.secretary(recent, member, start_on=D(2020, 1, 1), end_on=D(2026, 4, 2))  # 89 days
    empty = f.branch(commune, [f.hamlet(commune)], code="QA-B3")  # no members: nothing to lead
    assert not {recent.pk, empty.pk} & found("branch_without_secretary")


def test_secretary_who_is_no_longer_a_member_of_the_branch(place):
    commune, hamlet, branch = place
    left = f.member(hamlet, full_name="Đã Chuyển Đi")
    f.join(left, branch, left_on=D(2026, 1, 1), left_reason="transferred")
    away = f.secretary(branch, left, start_on=D(2020, 1, 1))
    other = f.branch(commune, [f.hamlet(commune)], code="QA-B2")
    stays = f.member(hamlet, full_name="Vẫn Sinh Hoạt")
    f.join(stays, other)
    fine = f.secretary(other, stays, start_on=D(2020, 1, 1))
    assert found("secretary_not_member") == {away.pk}
    assert fine.pk not in found("secretary_not_member")


def test_village_head_term_ended_with_no_successor(place):
    commune, hamlet, _branch = place
    f.head(hamlet, term_start=D(2014, 6, 1), term_end=D(2024, 6, 1))
    followed = f.hamlet(commune, code="QA-H2")
    f.head(followed, term_start=D(2014, 6, 1), term_end=D(2024, 6, 1))
    f.head(followed, term_start=D(2024, 6, 1))
    assert hamlet.pk in found("head_without_successor")
    assert followed.pk not in found("head_without_successor")


def test_hamlet_that_never_had_a_head(place):
    commune, hamlet, _branch = place
    headed = f.hamlet(commune, code="QA-H2")
    f.head(headed)
    assert hamlet.pk in found("hamlet_without_head")
    assert headed.pk not in found("hamlet_without_head")


def test_member_living_in_another_commune_than_the_branch(place):
    _commune, _hamlet, branch = place
    elsewhere = f.hamlet(f.commune(code="QB", name="Xã Bên"), code="QB-H1")
    outside = f.member(elsewhere, full_name="Ở Xã Bên")
    f.join(outside, branch)
    reinforcing = f.member(elsewhere, full_name="Tăng Cường")
    f.join(reinforcing, branch, reinforcing=True)
    at_home = person(place, "Ở Tại Chỗ")
    assert found("home_outside_branch_commune") == {outside.pk}
    assert not {reinforcing.pk, at_home.pk} & found("home_outside_branch_commune")
    # Counted in the branch's commune, whose clerk keeps the membership.
    assert quality.totals([branch.commune_id], DAY)["home_outside_branch_commune"] == 1


def test_possible_duplicates_ignore_diacritics_and_cross_communes(place):
    first = person(place, "Nguyễn Văn Bình", birth_date=D(1970, 5, 5))
    elsewhere = f.hamlet(f.commune(code="QB", name="Xã Bên"), code="QB-H1")
    twin = f.member(elsewhere, full_name="Nguyen Van Binh", birth_date=D(1970, 5, 5))
    other_day = person(place, "Nguyễn Văn Bình", birth_date=D(1970, 5, 6))
    assert found("possible_duplicate") == {first.pk, twin.pk}
    assert other_day.pk not in found("possible_duplicate")
    detail = {pk: d for pk, _c, d in quality.CHECK_BY_KEY["possible_duplicate"].find(None, DAY)}
    assert detail[first.pk]["others"] == twin.code


def test_candidate_marked_admitted_whose_member_record_has_no_membership(place):
    _commune, hamlet, _branch = place
    bare = f.member(hamlet, full_name="Mới Kết Nạp")
    orphan = Candidate.objects.create(
        code="QC1", full_name="Mới Kết Nạp", hamlet=hamlet, identified_on=D(2024, 1, 1), status="admitted", member=bare
    )
    joined = person(place, "Đã Sinh Hoạt")
    fine = Candidate.objects.create(
        code="QC2",
        full_name="Đã Sinh Hoạt",
        hamlet=hamlet,
        identified_on=D(2024, 1, 1),
        status="admitted",
        member=joined,
    )
    assert found("admitted_candidate_without_membership") == {orphan.pk}
    assert fine.pk not in found("admitted_candidate_without_membership")


def test_branch_untouched_for_a_year_in_a_commune_that_is_busy(place):
    commune, hamlet, forgotten = place
    person(place, "Người Cũ")
    busy = f.branch(commune, [f.hamlet(commune)], code="QA-B2")
    person((commune, hamlet, busy), "Người Mới")
    # Everything about the forgotten branch was written two years ago.
    two_years_ago = timezone.now() - datetime.timedelta(days=730)
    Branch.history.filter(id=forgotten.pk).update(history_date=two_years_ago)
    Membership.history.filter(branch_id=forgotten.pk).update(history_date=two_years_ago)
    for model, field in ((Branch, "id"), (Membership, "branch_id")):
        model.history.filter(**{field: busy.pk}).update(history_date=two_years_ago + datetime.timedelta(days=700))
    day = today()
    assert found("untouched_branch", day) == {forgotten.pk}
    # The same branches in a commune with no change for a month: nobody is at work there, not a forgotten branch.
    Branch.history.filter(id=busy.pk).update(history_date=two_years_ago)
    Membership.history.filter(branch_id=busy.pk).update(history_date=two_years_ago)
    assert found("untouched_branch", day) == set()


# --- counts, marks, submission -----------------------------------------------------------------


@pytest.fixture
def district_case(registry):
    """One overdue probationer in district D1 (its own commune C1)."""
    from hamlets.models import Hamlet, Member

    hamlet = Hamlet.objects.get(code="H1")
    member = f.member(
        hamlet, full_name="Dự Bị Quá Hạn", admitted_on=today() - datetime.timedelta(days=500), official=False
    )
    f.join(member, Branch.objects.get(code="B1"))
    return Member.objects.get(pk=member.pk)


def dashboard_count(client):
    html = client.get(reverse("reports:dashboard", args=["district", "D1"])).content.decode()
    start = html.index('id="findings-open"')
    return html[start : html.index("</p>", start)]


def test_marking_a_finding_checked_stops_it_counting_and_keeps_the_reason(
    client, district_case, django_capture_on_commit_callbacks
):
    from reports import versions

    versions._pending.__dict__.clear()
    unit = get_unit("district", "D1")
    before = quality.open_count(unit)
    assert before >= 1
    staff = make_user("qa_staff", "district_staff", district="D1")
    client.force_login(staff)
    assert f"{before} điểm cần kiểm tra" in dashboard_count(client)
    url = reverse("reports:quality_mark", args=["district", "D1"])
    # A reason is required: nothing saved without one.
    client.post(url, {"check": "overdue_probation", "record": district_case.pk, "reason": " "})
    assert not CheckedFinding.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"check": "overdue_probation", "record": district_case.pk, "reason": "Đã có quyết định, chờ nhập"}
        )
    assert response.status_code == 302
    mark = CheckedFinding.objects.get()
    assert (mark.rule, mark.record_pk, mark.checked_by) == ("overdue_probation", district_case.pk, staff)
    assert quality.open_count(unit) == before - 1
    assert (f"{before - 1} điểm cần kiểm tra" if before > 1 else "Không có điểm nào") in dashboard_count(client)
    page = client.get(reverse("reports:quality", args=["district", "D1"]) + "?check=overdue_probation").content.decode()
    assert "Đã có quyết định, chờ nhập" in page[page.index('id="checked"') :]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"check": "overdue_probation", "record": district_case.pk, "action": "unmark"})
    assert quality.open_count(unit) == before
    assert [h.history_type for h in CheckedFinding.history.order_by("history_id")] == ["+", "-"]


def test_fixing_the_record_clears_the_finding_on_the_next_view(
    client, district_case, django_capture_on_commit_callbacks
):
    from reports import versions

    versions._pending.__dict__.clear()
    unit = get_unit("district", "D1")
    before = quality.open_count(unit)
    district_case.official_on = today()
    with django_capture_on_commit_callbacks(execute=True):
        district_case.save()
    assert quality.open_count(unit) == before - 1


def test_nobody_marks_outside_their_scope(client, district_case):
    url = reverse("reports:quality_mark", args=["district", "D1"])
    data = {"check": "overdue_probation", "record": district_case.pk, "reason": "x"}
    client.force_login(make_user("qa_other", "district_staff", district="D2"))
    assert client.post(url, data).status_code == 404
    client.force_login(make_user("qa_viewer", "provincial_viewer"))
    assert client.post(url, data).status_code == 403
    client.force_login(make_user("qa_staff", "district_staff", district="D1"))
    assert client.post(url, {**data, "record": 999999}).status_code == 404
    assert client.post(url, {**data, "check": "nope"}).status_code == 404
    assert not CheckedFinding.objects.exists()


def test_the_quality_page_lists_the_findings_with_links_to_the_records(client, district_case):
    client.force_login(make_user("qa_viewer", "provincial_viewer"))
    html = client.get(reverse("reports:quality", args=["district", "D1"]) + "?check=overdue_probation").content.decode()
    table = html[html.index('id="findings"') :]
    assert reverse("hamlets:member_detail", args=[district_case.code]) in table
    assert "Dự Bị Quá Hạn" in table and "chưa công nhận chính thức" in table


def test_submitting_asks_for_confirmation_while_findings_remain(client, district_case):
    from reports.models import MonthlySummary

    client.force_login(make_user("qa_staff", "district_staff", district="D1"))
    url = reverse("reports:summary_detail", args=["district", "D1", "2016-11"])
    page = client.get(url).content.decode()
    assert 'id="findings-confirmed"' in page
    client.post(url, {"action": "submit"})
    assert not MonthlySummary.objects.filter(status="submitted").exists()
    client.post(url, {"action": "submit", "findings_confirmed": "1"})
    summary = MonthlySummary.objects.get(status="submitted")
    assert "điểm cần kiểm tra" in summary.events.get().text


def test_a_twin_added_in_another_commune_shows_in_the_first_communes_count(place, django_capture_on_commit_callbacks):
    """Counts are cached per commune version; a new twin elsewhere raises this
    commune's version too (reports/versions.py), so the count is not stale."""
    from reports import versions

    versions._pending.__dict__.clear()
    commune, _hamlet, _branch = place
    person(place, "Trần Thị Hoa", birth_date=D(1980, 2, 2))
    assert quality.totals([commune.pk], DAY)["possible_duplicate"] == 0
    elsewhere = f.hamlet(f.commune(code="QB", name="Xã Bên"), code="QB-H1")
    versions._pending.__dict__.clear()  # only the new member's change is flushed below
    with django_capture_on_commit_callbacks(execute=True):
        f.member(elsewhere, full_name="Tran Thi Hoa", birth_date=D(1980, 2, 2))
    assert quality.totals([commune.pk], DAY)["possible_duplicate"] == 1


def test_the_clerks_home_lists_the_records_to_check(client, district_case):
    client.force_login(make_user("qa_staff", "district_staff", district="D1"))
    html = client.get(reverse("home")).content.decode()
    listed = html[html.index('id="findings"') :]
    listed = listed[: listed.index("</ul>")]
    from hamlets.models import Commune

    count = quality.totals(Commune.objects.filter(district__code="D1").values_list("pk", flat=True), today())
    assert "Quá hạn công nhận chính thức" in listed
    assert reverse("reports:quality", args=["district", "D1"]) + "?check=overdue_probation" in listed
    assert f'<span class="badge bad">{count["overdue_probation"]}</span>' in listed


@pytest.mark.parametrize("limit", [20_000, 0], ids=["as ids", "as a subquery"])
def test_a_communes_checks_read_its_residents_and_the_members_attending_from_elsewhere(place, monkeypatch, limit):
    from hamlets.models import Commune

    monkeypatch.setattr(quality, "id_list_limit", lambda: limit)
    commune, _hamlet, branch = place
    resident = person(place, "Dự Bị Ở Xã", admitted_on=D(2025, 1, 1), official=False)
    elsewhere = f.hamlet(f.commune(code="QB", name="Xã Bên"), code="QB-H1")
    visitor = f.member(elsewhere, full_name="Dự Bị Xã Bên", admitted_on=D(2025, 1, 1), official=False)
    f.join(visitor, branch)  # lives in QB, attends QA's branch
    outsider = f.member(elsewhere, full_name="Người Xã Bên", admitted_on=D(2025, 1, 1), official=False)
    f.join(outsider, f.branch(elsewhere.commune, [elsewhere], code="QB-B1"))
    scope = Commune.objects.filter(pk=commune.pk)
    found_here = {pk for pk, _c, _d in quality.CHECK_BY_KEY["overdue_probation"].find(scope, DAY)}
    assert found_here == {resident.pk, visitor.pk}
