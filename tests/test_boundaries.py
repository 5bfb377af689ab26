"""The exact edges of the rules, the indicators, the scope and the workflow:
each test here fails if its one comparison, filter or guard is changed
(`make mutation` measures how many such changes the suite catches)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError

from hamlets import actions
from hamlets.models import Branch, BranchSecretary, Commune, Hamlet, Member, Membership, VillageHead
from hamlets.permissions import can_see_unit, visible_communes
from reports import summaries
from reports.indicators import Unit, compute, get_unit, numerator_rows
from reports.models import MonthlySummary

from . import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
PROVINCE = Unit("province", "all", "Toàn tỉnh")


def figure(key, day):
    value = compute(PROVINCE, day)["indicators"][key]
    assert numerator_rows(key, PROVINCE, day).count() == value["numerator"]
    return value["numerator"], value["denominator"]


@pytest.fixture
def commune():
    return f.commune(f.district())


# --- indicators ----------------------------------------------------------------------------


def test_a_member_recognised_on_d_is_full_on_d_and_three_full_members_are_enough(commune):
    """branches_below_minimum is "fewer than 3 full members"; full means official_on <= D."""
    branch = f.branch(commune, [f.hamlet(commune)], established_on=D(1980, 1, 1))
    f.members_in(branch, 2, admitted_on=D(1995, 1, 1))
    f.members_in(branch, 1, admitted_on=D(2015, 5, 10), official_on=D(2016, 5, 10))
    assert figure("branches_below_minimum", D(2016, 5, 9)) == (1, 1)
    assert figure("branches_below_minimum", D(2016, 5, 10)) == (0, 1)
    assert figure("members_probationary", D(2016, 5, 10)) == (0, 3)
    assert figure("members_probationary", D(2016, 5, 9)) == (1, 3)


def test_a_member_not_yet_recognised_is_probationary(commune):
    """No official date at all (official_on empty) is probationary, not uncounted:
    the count is the branch's members less its full members."""
    branch = f.branch(commune, [f.hamlet(commune)], established_on=D(1980, 1, 1))
    f.members_in(branch, 2, admitted_on=D(1995, 1, 1))
    (waiting,) = f.members_in(branch, 1, admitted_on=D(2016, 3, 1))
    Member.objects.filter(pk=waiting.pk).update(official_on=None)
    assert figure("members_probationary", D(2016, 5, 9)) == (1, 3)
    assert figure("branches_below_minimum", D(2016, 5, 9)) == (1, 1)


def test_exactly_three_full_members_is_not_at_risk_for_that_reason(commune):
    from reports.indicators import Snapshot, unit_communes

    branch = f.branch(commune, [f.hamlet(commune)], established_on=D(1980, 1, 1))
    f.members_in(branch, 2, admitted_on=D(1995, 1, 1))
    f.members_in(branch, 1, birth_date=D(1985, 1, 1), admitted_on=D(2013, 1, 1))
    day = D(2016, 11, 10)
    (row,) = Snapshot(unit_communes(PROVINCE, day), day).branches.values()
    assert row["full_count"] == 3
    assert "below_minimum" not in row["risk_conditions"]


def test_the_secretary_is_head_denominator_needs_a_head_and_a_branch_with_a_secretary(commune):
    with_both, head_only, secretary_only = f.hamlet(commune), f.hamlet(commune), f.hamlet(commune)
    for hamlet in (with_both, head_only, secretary_only):
        branch = f.branch(commune, [hamlet])
        people = f.members_in(branch, 3, residence=hamlet)
        if hamlet is not head_only:
            f.secretary(branch, people[0])
        if hamlet is not secretary_only:
            f.head(hamlet, member=people[0] if hamlet is with_both else None)
    assert figure("secretary_is_village_head", D(2016, 1, 1)) == (1, 1)


def test_admissions_of_the_year_start_on_1_january(commune):
    branch = f.branch(commune, [f.hamlet(commune)], established_on=D(1980, 1, 1))
    f.members_in(branch, 1, admitted_on=D(2015, 12, 31), official=False)
    f.members_in(branch, 1, admitted_on=D(2016, 1, 1), official=False)
    from hamlets.models import AdmissionTarget

    AdmissionTarget.objects.create(commune=commune, year=2016, target=4)
    assert figure("admissions_vs_target", D(2016, 6, 1)) == (1, 4)
    assert figure("admissions_vs_target", D(2016, 1, 1)) == (1, 4)
    assert figure("admissions_vs_target", D(2015, 12, 31))[0] == 1  # counted in its own year


def test_a_hamlet_with_its_own_branch_and_a_joint_one_is_not_joint_only(commune):
    own, neighbour, alone = f.hamlet(commune), f.hamlet(commune), f.hamlet(commune)
    f.branch(commune, [own])
    f.branch(commune, [own, neighbour])  # joint: serves two hamlets
    f.branch(commune, [alone, f.hamlet(commune)])
    numerator, denominator = figure("hamlets_in_joint_branch", D(2016, 1, 1))
    assert numerator == 3 and denominator == 4
    rows = set(numerator_rows("hamlets_in_joint_branch", PROVINCE, D(2016, 1, 1)))
    assert own not in rows and neighbour in rows


# --- rules ---------------------------------------------------------------------------------


def test_admission_on_the_18th_birthday_is_accepted_and_the_day_before_refused():
    from hamlets import rules

    day_before = Member(code="X", full_name="A", gender="male", birth_date=D(1998, 5, 10), admitted_on=D(2016, 5, 9))
    on_birthday = Member(code="X", full_name="A", gender="male", birth_date=D(1998, 5, 10), admitted_on=D(2016, 5, 10))
    assert [field for field, _m in rules.member_errors(day_before)] == ["admitted_on"]
    assert rules.member_errors(on_birthday) == []


def test_a_head_term_starting_on_the_21st_birthday_is_accepted_and_the_day_before_refused(commune):
    from hamlets import rules

    hamlet = f.hamlet(commune)

    def head(start):
        return VillageHead(code="V", hamlet=hamlet, full_name="A", birth_date=D(1995, 5, 10), term_start=start)

    assert [e[0] for e in rules.village_head_errors(head(D(2016, 5, 9)), hamlet_terms=[])] == ["birth_date"]
    assert rules.village_head_errors(head(D(2016, 5, 10)), hamlet_terms=[]) == []


def test_overlapping_memberships_are_refused(commune):
    from hamlets import rules

    b1, b2 = f.branch(commune, [f.hamlet(commune)]), f.branch(commune, [f.hamlet(commune)])
    person = f.member()
    first = Membership(member=person, branch=b1, joined_on=D(2000, 1, 1), left_on=D(2010, 1, 1), left_reason="x")
    touching = Membership(member=person, branch=b2, joined_on=D(2010, 1, 1))
    overlapping = Membership(member=person, branch=b2, joined_on=D(2009, 12, 31))
    assert rules.membership_errors(touching, member=person, branch=b2, siblings=[first]) == []
    errors = rules.membership_errors(overlapping, member=person, branch=b2, siblings=[first])
    assert [field for field, _m in errors] == ["joined_on"] and "trùng" in errors[0][1]


def test_a_membership_past_the_branch_s_dissolution_is_refused(commune):
    from hamlets import rules

    branch = f.branch(commune, [f.hamlet(commune)], dissolved_on=D(2010, 1, 1))
    person = f.member()
    ends_on_dissolution = Membership(
        member=person, branch=branch, joined_on=D(2000, 1, 1), left_on=D(2010, 1, 1), left_reason="transferred"
    )
    ends_after = Membership(
        member=person, branch=branch, joined_on=D(2000, 1, 1), left_on=D(2010, 1, 2), left_reason="transferred"
    )
    never_ends = Membership(member=person, branch=branch, joined_on=D(2000, 1, 1))
    assert rules.membership_errors(ends_on_dissolution, member=person, branch=branch, siblings=[]) == []
    for membership in (ends_after, never_ends):
        errors = rules.membership_errors(membership, member=person, branch=branch, siblings=[])
        assert [field for field, _m in errors] == ["left_on"]


def test_a_secretary_must_be_a_member_of_the_branch_throughout_the_term(commune):
    from hamlets import rules

    branch = f.branch(commune, [f.hamlet(commune)])
    person = f.member()
    membership = Membership(
        member=person, branch=branch, joined_on=D(2005, 1, 1), left_on=D(2012, 1, 1), left_reason="x"
    )
    inside = BranchSecretary(branch=branch, member=person, start_on=D(2006, 1, 1), end_on=D(2012, 1, 1))
    before = BranchSecretary(branch=branch, member=person, start_on=D(2004, 12, 31), end_on=D(2010, 1, 1))
    after = BranchSecretary(branch=branch, member=person, start_on=D(2006, 1, 1), end_on=D(2012, 1, 2))
    open_ended = BranchSecretary(branch=branch, member=person, start_on=D(2006, 1, 1))
    assert rules.secretary_errors(inside, branch_terms=[], member_memberships=[membership]) == []
    for term in (before, after, open_ended):
        errors = rules.secretary_errors(term, branch_terms=[], member_memberships=[membership])
        assert [field for field, _m in errors] == ["member"]


# --- actions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left_on", "refused"),
    [(None, True), (D(2016, 6, 2), True), (D(2016, 6, 1), False), (D(2016, 5, 1), False)],
)
def test_a_branch_is_dissolved_only_when_no_membership_outlives_the_day(commune, left_on, refused):
    branch = f.branch(commune, [f.hamlet(commune)])
    person = f.member()
    f.join(person, branch, D(2000, 1, 1), left_on=left_on, left_reason="transferred" if left_on else "")
    if refused:
        with pytest.raises(ValidationError, match="còn 1 đảng viên"):
            actions.branch_dissolve(branch=branch, on=D(2016, 6, 1))
        assert Branch.objects.get(pk=branch.pk).dissolved_on is None
    else:
        actions.branch_dissolve(branch=branch, on=D(2016, 6, 1))
        assert Branch.objects.get(pk=branch.pk).dissolved_on == D(2016, 6, 1)


# --- scope ------------------------------------------------------------------------------------


def test_a_commune_account_sees_its_commune_only_even_if_its_district_is_named(cast):
    from hamlets.models import Profile

    user = cast["commune_staff"]
    assert list(visible_communes(user).values_list("code", flat=True)) == ["C2"]
    Profile.objects.filter(user=user).update(district=Commune.objects.get(code="C2").district)
    user.refresh_from_db()
    assert list(visible_communes(user).values_list("code", flat=True)) == ["C2"]
    assert not can_see_unit(user, get_unit("district", "D1"))
    assert can_see_unit(user, get_unit("commune", "C2"))
    assert not can_see_unit(user, get_unit("commune", "C1"))


def test_editable_by_is_empty_for_read_only_roles_whatever_they_see(cast):
    for role in ("viewer", "approver"):
        user = cast[role]
        assert Hamlet.objects.visible_to(user).count() == Hamlet.objects.count() > 0
        assert Hamlet.objects.editable_by(user).count() == 0
        assert Member.objects.editable_by(user).count() == 0
    assert (
        Hamlet.objects.editable_by(cast["staff"]).count() == Hamlet.objects.filter(commune__district__code="D1").count()
    )


# --- importer ---------------------------------------------------------------------------------


def test_a_database_error_while_writing_leaves_nothing_written(cast, monkeypatch):
    """The write phase is one transaction: a failure on a later sheet undoes the earlier ones."""
    from hamlets.exchange import bulk, export_tables, import_sheets

    from .sheets import raw

    before = export_tables()
    tables = {
        "hamlets": [["code", "name", "commune_code"], ["H50", "Xóm Năm Mươi", "C1"]],
        "members": [
            ["code", "full_name", "gender", "birth_date", "admitted_on"],
            ["M50", "Người Mới", "male", "1980-01-01", "2010-01-01"],
        ],
        "memberships": [["member_code", "branch_code", "joined_on"], ["M50", "B1", "2010-01-01"]],
    }
    original = bulk.create
    calls = []

    def failing_on_the_third_sheet(model, objs, **kwargs):
        calls.append(model.__name__)
        if model is Membership:
            raise DatabaseError("disk full")
        return original(model, objs, **kwargs)

    monkeypatch.setattr(bulk, "create", failing_on_the_third_sheet)
    with pytest.raises(DatabaseError):
        import_sheets(raw(tables))
    assert calls == ["Hamlet", "Member", "Membership"]
    assert export_tables() == before


# --- summaries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "returned", "approved"])
def test_only_a_submitted_summary_can_be_approved_or_returned(cast, state):
    unit, month = get_unit("district", "D1"), D(2016, 3, 1)
    summary = MonthlySummary.objects.create(unit_kind="district", unit_code="D1", unit_name=unit.name, month=month)
    MonthlySummary.objects.filter(pk=summary.pk).update(status=state)
    summary.refresh_from_db()
    for step, extra in ((summaries.summary_approve, {}), (summaries.summary_return, {"reason": "x"})):
        with pytest.raises(ValidationError, match="Không thực hiện được"):
            step(summary=summary, user=cast["approver"], **extra)
    summary.refresh_from_db()
    assert summary.status == state and not summary.events.exists() and summary.frozen is None


def test_a_never_saved_summary_cannot_be_approved(cast):
    summary = summaries.get_or_make(get_unit("district", "D1"), D(2016, 3, 1))
    with pytest.raises(ValidationError, match="chưa được nộp"):
        summaries.summary_approve(summary=summary, user=cast["approver"])
    assert not MonthlySummary.objects.exists()


def test_only_approvers_approve(cast):
    summary = summaries.summary_submit(
        unit=get_unit("district", "D1"), month=D(2016, 3, 1), user=cast["staff"], findings_confirmed=True
    )
    for role in ("staff", "viewer"):
        with pytest.raises(PermissionDenied):
            summaries.summary_approve(summary=summary, user=cast[role])
    assert summaries.summary_approve(summary=summary, user=cast["approver"]).status == "approved"


def test_a_head_appointed_ends_the_open_term_the_day_before_never_after(commune):
    hamlet = f.hamlet(commune)
    old = f.head(hamlet, term_start=D(2014, 6, 1))
    actions.hamlet_appoint_head(hamlet=hamlet, code="NEW", full_name="B", term_start=D(2016, 6, 1))
    old.refresh_from_db()
    assert old.term_end == D(2016, 6, 1)
    # A head appointed on the very day the open term began is refused, not stacked.
    with pytest.raises(ValidationError):
        actions.hamlet_appoint_head(hamlet=hamlet, code="NEW2", full_name="C", term_start=D(2016, 6, 1))
    assert VillageHead.objects.filter(hamlet=hamlet).count() == 2


def test_risk_conditions_say_under_five_members_once():
    from reports.indicators import risk_text

    assert risk_text(["small_and_elderly", "small_and_no_admission"]) == (
        "dưới 5 đảng viên: quá nửa từ 60 tuổi, 5 năm không kết nạp"
    )
    assert risk_text(["below_minimum", "small_and_no_admission"]) == (
        "dưới 3 đảng viên chính thức; dưới 5 đảng viên: 5 năm không kết nạp"
    )
    assert risk_text([]) == ""
