"""One failing case per rule of domain.md, through the import (the same
rules module serves forms and the admin through Model.clean())."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from hamlets.exchange import import_sheets
from hamlets.models import BranchSecretary, Membership, VillageHead

from .sheets import base, raw, set_cell

pytestmark = pytest.mark.django_db

FUTURE = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()


def add_row(tables, sheet, values):
    header = tables[sheet][0]
    tables[sheet].append([values.get(column, "") for column in header])
    return tables


CASES = {
    # rule 1: codes unique, references resolve
    "duplicate code": (
        lambda t: add_row(t, "hamlets", {"code": "H1", "name": "X", "commune_code": "C1"}),
        ("hamlets", 5, "code"),
        "trùng khóa",
    ),
    "unknown reference": (
        lambda t: set_cell(t, "members", 2, "residence_hamlet_code", "H9"),
        ("members", 2, "residence_hamlet_code"),
        "H9",
    ),
    # rule 2: end after start; no future for things that happened
    "commune dissolved before established": (
        lambda t: set_cell(
            set_cell(t, "communes", 2, "established_on", "2000-01-01"), "communes", 2, "dissolved_on", "2000-01-01"
        ),
        ("communes", 2, "dissolved_on"),
        "phải sau",
    ),
    "district dissolved before established": (
        lambda t: set_cell(
            set_cell(t, "districts", 2, "established_on", "2000-01-01"), "districts", 2, "dissolved_on", "1999-01-01"
        ),
        ("districts", 2, "dissolved_on"),
        "phải sau",
    ),
    "hamlet dissolved before established": (
        lambda t: set_cell(
            set_cell(t, "hamlets", 2, "established_on", "2000-01-01"), "hamlets", 2, "dissolved_on", "1999-01-01"
        ),
        ("hamlets", 2, "dissolved_on"),
        "phải sau",
    ),
    "branch dissolved on founding day": (
        lambda t: set_cell(t, "branches", 4, "dissolved_on", "2000-01-01"),
        ("branches", 4, "dissolved_on"),
        "phải sau",
    ),
    "membership ends before it starts": (
        lambda t: set_cell(t, "memberships", 2, "left_on", "1989-01-01")
        and set_cell(t, "memberships", 2, "left_reason", "other"),
        ("memberships", 2, "left_on"),
        "phải sau",
    ),
    "secretary term ends before it starts": (
        lambda t: set_cell(t, "branch_secretaries", 2, "end_on", "2010-05-01"),
        ("branch_secretaries", 2, "end_on"),
        "phải sau",
    ),
    "head term ends before it starts": (
        lambda t: set_cell(t, "village_heads", 4, "term_end", "2014-06-01"),
        ("village_heads", 4, "term_end"),
        "phải sau",
    ),
    "birth in the future": (
        lambda t: set_cell(t, "members", 4, "birth_date", FUTURE),
        ("members", 4, "birth_date"),
        "tương lai",
    ),
    "branch founded in the future": (
        lambda t: set_cell(t, "branches", 4, "established_on", FUTURE),
        ("branches", 4, "established_on"),
        "tương lai",
    ),
    "training in the future": (
        lambda t: set_cell(t, "members", 2, "trained_on", FUTURE),
        ("members", 2, "trained_on"),
        "tương lai",
    ),
    "term starting in the future": (
        lambda t: set_cell(t, "village_heads", 4, "term_start", FUTURE),
        ("village_heads", 4, "term_start"),
        "tương lai",
    ),
    # rule 3
    "branch serving a hamlet of another commune": (
        lambda t: set_cell(t, "branches", 2, "hamlet_codes", "H1;H3"),
        ("branches", 2, "hamlet_codes"),
        "không thuộc xã",
    ),
    # rule 4
    "admitted before 18": (
        lambda t: set_cell(t, "members", 4, "admitted_on", "2003-11-30")
        and set_cell(t, "memberships", 5, "joined_on", "2010-09-02"),
        ("members", 4, "admitted_on"),
        "18 tuổi",
    ),
    "full member before admission": (
        lambda t: set_cell(t, "members", 3, "official_on", "2005-02-02"),
        ("members", 3, "official_on"),
        "ngày kết nạp",
    ),
    # rule 5
    "overlapping memberships": (
        lambda t: set_cell(t, "memberships", 3, "left_on", "2010-01-02"),
        ("memberships", 3, "joined_on"),
        "trùng",
    ),
    "membership before admission": (
        lambda t: set_cell(t, "memberships", 5, "joined_on", "2010-09-01"),
        ("memberships", 5, "joined_on"),
        "trước ngày kết nạp",
    ),
    "membership before the branch was founded": (
        lambda t: set_cell(t, "branches", 2, "established_on", "1991-01-01"),
        ("memberships", 2, "joined_on"),
        "thời gian tồn tại",
    ),
    "membership after the branch was dissolved": (
        lambda t: set_cell(t, "branches", 3, "dissolved_on", "2020-01-01"),
        ("memberships", 4, "left_on"),
        "thời gian tồn tại",
    ),
    "left_on without reason": (
        lambda t: set_cell(t, "memberships", 3, "left_reason", ""),
        ("memberships", 3, "left_reason"),
        "lý do",
    ),
    # rule 6
    "secretary who is not a member of the branch": (
        lambda t: set_cell(t, "branch_secretaries", 4, "member_code", "M1"),
        ("branch_secretaries", 4, "member_code"),
        "suốt nhiệm kỳ",
    ),
    "secretary whose membership ends during the term": (
        lambda t: set_cell(t, "branch_secretaries", 4, "start_on", "2009-01-01"),
        ("branch_secretaries", 4, "member_code"),
        "suốt nhiệm kỳ",
    ),
    "overlapping secretary terms": (
        lambda t: set_cell(t, "branch_secretaries", 3, "start_on", "2015-05-31"),
        ("branch_secretaries", 3, "start_on"),
        "trùng",
    ),
    # rule 7
    "overlapping head terms": (
        lambda t: set_cell(t, "village_heads", 2, "term_end", "2014-06-02"),
        ("village_heads", 3, "term_start"),
        "trùng",
    ),
    "head younger than 21": (
        lambda t: set_cell(t, "village_heads", 4, "birth_date", "1993-06-02"),
        ("village_heads", 4, "birth_date"),
        "21 tuổi",
    ),
    # candidates: member exactly when admitted
    "admitted candidate without member": (
        lambda t: set_cell(t, "candidates", 3, "member_code", ""),
        ("candidates", 3, "member_code"),
        "đã kết nạp",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_rule_has_its_message_and_nothing_is_saved(case):
    change, where, words = CASES[case]
    tables = base()
    change(tables)
    result = import_sheets(raw(tables))
    located = {}
    for p in result.errors:
        located[(p.sheet, p.row, p.column)] = located.get((p.sheet, p.row, p.column), "") + p.message
    assert where in located, [str(p) for p in result.errors]
    assert words in located[where]
    assert not result.applied
    assert Membership.objects.count() == 0


def test_an_end_date_may_be_in_the_future():
    tables = set_cell(base(), "village_heads", 4, "term_end", FUTURE)
    assert import_sheets(raw(tables)).ok


def test_periods_are_half_open_so_the_next_may_start_on_the_end_day():
    # Base data: M2 leaves B1 on 2010-01-01 and joins B2 the same day; VH1 ends
    # and VH2 starts on 2014-06-01; B1's secretaries change on 2015-06-01.
    assert import_sheets(raw(base())).ok


def test_an_admission_at_60_or_more_is_allowed_but_flagged():
    tables = set_cell(base(), "members", 2, "admitted_on", "2010-03-01")
    set_cell(tables, "members", 2, "official_on", "2011-03-01")
    set_cell(tables, "memberships", 2, "joined_on", "2010-03-01")
    set_cell(tables, "branch_secretaries", 2, "start_on", "2010-06-01")
    result = import_sheets(raw(tables))
    assert result.ok, result.errors
    assert [(w.sheet, w.row, w.column) for w in result.warnings] == [("members", 2, "admitted_on")]


def test_rules_apply_to_the_data_as_it_will_be_after_the_import():
    assert import_sheets(raw(base())).ok
    # A later import of one row that overlaps a stored membership is refused.
    tables = {"memberships": [base()["memberships"][0], ["M1", "B2", "2000-01-01", "", "", "false"]]}
    result = import_sheets(raw(tables))
    assert ("memberships", 2, "joined_on") in {(p.sheet, p.row, p.column) for p in result.errors}


def test_forms_and_admin_get_the_same_rules_through_clean():
    assert import_sheets(raw(base())).ok
    stored = Membership.objects.get(member__code="M3")
    overlapping = Membership(member=stored.member, branch=stored.branch, joined_on=datetime.date(2012, 1, 1))
    with pytest.raises(ValidationError) as caught:
        overlapping.full_clean()
    assert "trùng" in " ".join(caught.value.message_dict["joined_on"])
    term = BranchSecretary(branch=stored.branch, member=stored.member, start_on=datetime.date(2015, 7, 1))
    with pytest.raises(ValidationError) as caught:
        term.full_clean()
    assert "trùng" in " ".join(caught.value.message_dict["start_on"])
    head = VillageHead.objects.get(code="VH3")
    head.birth_date = datetime.date(2000, 1, 1)
    with pytest.raises(ValidationError) as caught:
        head.full_clean()
    assert "Trưởng thôn, xóm VH3 (Phan Thị Lan)" in caught.value.message_dict["birth_date"][0]


def test_messages_are_in_english_for_english_users():
    from django.utils import translation

    tables = set_cell(base(), "members", 4, "admitted_on", "2003-11-30")
    set_cell(tables, "memberships", 5, "joined_on", "2010-09-02")
    with translation.override("en"):
        result = import_sheets(raw(tables))
        message = next(p for p in result.errors if p.column == "admitted_on")
        assert message.message == "Party member M3 (Lê Hữu Nam): was not yet 18 on the admission date 30/11/2003."
        assert str(message).startswith("sheet members, row 4, column admitted_on:")
