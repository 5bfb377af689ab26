"""Imports cost what the file touches (hamlets/exchange/neighbours.py): a
small file reads its records and their rules' neighbours, not the province,
and every rule is still enforced against stored neighbours the file does
not mention."""

import pytest

from hamlets.exchange import import_sheets

from . import factories as f
from .sheets import raw

pytestmark = pytest.mark.django_db

MEMBER_HEADER = [
    "code",
    "full_name",
    "gender",
    "birth_date",
    "ethnicity",
    "religion",
    "residence_hamlet_code",
    "admitted_on",
    "official_on",
    "trained_on",
    "exempt_since",
]


def ten_rows():
    """A clerk's upload: ten new members of xóm Một (C1) with their memberships in B1."""
    members = [MEMBER_HEADER] + [
        [f"N{i}", f"Nguyễn Văn {i}", "male", "1990-01-01", "Kinh", "", "H1", "2015-01-01", "", "", ""] for i in range(5)
    ]
    memberships = [["member_code", "branch_code", "joined_on", "left_on", "left_reason", "reinforcing"]] + [
        [f"N{i}", "B1", "2015-01-01", "", "", "false"] for i in range(5)
    ]
    return {"members": members, "memberships": memberships}


def grow(commune_code, branches):
    """Records the file does not touch: branches with members in another commune."""
    from hamlets.models import Commune

    commune = Commune.objects.get(code=commune_code)
    for _ in range(branches):
        hamlet = f.hamlet(commune)
        branch = f.branch(commune, [hamlet])
        people = f.members_in(branch, 5, residence=hamlet)
        f.secretary(branch, people[0])
        f.head(hamlet)


def test_a_ten_row_import_reads_as_much_into_a_large_province_as_into_a_small_one(registry):
    small = import_sheets(raw(ten_rows()), dry_run=True)
    assert small.ok, small.errors
    grow("C3", 40)  # 40 branches, 200 members, 40 heads elsewhere
    large = import_sheets(raw(ten_rows()), dry_run=True)
    assert large.ok, large.errors
    assert large.rows_read == small.rows_read
    assert large.rows_read < 60


def test_a_large_file_naming_as_many_members_as_stored_still_reads_everything(registry, monkeypatch):
    """A province's export, a first import: cheaper read whole. A large file
    of new members among more stored ones (a province of a national data
    set, imported after others) reads its neighbourhood only."""
    from hamlets.exchange import neighbours
    from hamlets.models import Member, Membership

    monkeypatch.setattr(neighbours, "PARTIAL_LIMIT", 5)
    assert Member.objects.count() <= 5  # the registry's own members, fewer than the file's
    result = import_sheets(raw(ten_rows()), dry_run=True)
    assert result.ok and result.rows_read > Membership.objects.count()
    grow("C3", 3)  # 15 more members stored than the file names
    result = import_sheets(raw(ten_rows()), dry_run=True)
    assert result.ok and result.rows_read < 60


def errors(tables):
    result = import_sheets(raw(tables), dry_run=True)
    assert not result.ok
    return " ".join(str(error) for error in result.errors)


def test_rule_3_a_moved_hamlet_leaves_its_stored_branch_behind(registry):
    hamlets = [["code", "name", "commune_code", "kind", "area_types", "established_on", "dissolved_on"]]
    hamlets.append(["H1", "Xóm Một", "C2", "xom", "religious", "", ""])
    assert "B1" in errors({"hamlets": hamlets}) and "không thuộc xã" in errors({"hamlets": hamlets})


def test_rule_5_overlap_with_a_stored_membership(registry):
    memberships = [["member_code", "branch_code", "joined_on", "left_on", "left_reason", "reinforcing"]]
    memberships.append(["M1", "B2", "2000-01-01", "", "", "false"])
    assert "M1" in errors({"memberships": memberships})


def test_rule_5_admission_after_a_stored_membership_began(registry):
    members = [MEMBER_HEADER, ["M3", "Lê Hữu Nam", "male", "1985-12-01", "Kinh", "", "H1", "2012-01-01", "", "", ""]]
    assert "trước ngày kết nạp" in errors({"members": members})


def test_rule_5_a_branch_founded_after_its_stored_memberships(registry):
    branches = [["code", "name", "commune_code", "hamlet_codes", "established_on", "dissolved_on"]]
    branches.append(["B1", "Chi bộ xóm Một", "C1", "H1", "2011-01-01", ""])
    assert errors({"branches": branches})


def test_rule_6_overlap_with_a_stored_secretary_term(registry):
    terms = [["branch_code", "member_code", "start_on", "end_on"], ["B1", "M1", "2016-01-01", ""]]
    assert errors({"branch_secretaries": terms})


def test_rule_6_a_stored_secretary_who_stops_attending(registry):
    # M2 is B2's secretary since 2012; the file ends M2's membership in B2 in 2013.
    memberships = [["member_code", "branch_code", "joined_on", "left_on", "left_reason", "reinforcing"]]
    memberships.append(["M2", "B2", "2010-01-01", "2013-01-01", "transferred", "false"])
    assert "B2" in errors({"memberships": memberships})


def test_rule_7_overlap_with_a_stored_head_term(registry):
    heads = [
        ["code", "hamlet_code", "full_name", "gender", "birth_date", "member_code", "trained_on", "term_start"],
        ["VHX", "H1", "Lê Văn Mới", "male", "1980-01-01", "", "", "2016-01-01"],
    ]
    assert errors({"village_heads": heads})
