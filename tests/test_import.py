"""Import engine: errors with sheet/row/column, all or nothing, dry run, merge."""

import datetime

import openpyxl
import pytest

from hamlets.exchange import export_tables, import_path, import_sheets
from hamlets.models import Branch, Hamlet, Member, Membership

from .sheets import base, raw, set_cell, write_csv_folder

pytestmark = pytest.mark.django_db


def counts():
    return (Hamlet.objects.count(), Branch.objects.count(), Member.objects.count(), Membership.objects.count())


def problems(result):
    return [(p.sheet, p.row, p.column) for p in result.errors]


def test_the_base_data_set_imports_cleanly():
    result = import_sheets(raw(base()))
    assert result.ok, result.errors
    assert result.applied
    assert counts() == (3, 3, 3, 4)
    assert result.created["members"] == 3
    hamlet = Hamlet.objects.get(code="H2")
    assert sorted(hamlet.area_types.values_list("code", flat=True)) == ["coastal", "religious"]
    assert Hamlet.objects.get(code="H3").kind == "xom"  # blank kind means the default


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (lambda t: t.update(villages=[["code"], ["X"]]), ("villages", None, None), "không có trong mẫu"),
        (
            lambda t: t["members"][0].append("nickname") or [r.append("") for r in t["members"][1:]],
            ("members", 1, "nickname"),
            "không có trong mẫu",
        ),
        (lambda t: [r.pop(3) for r in t["members"]], ("members", 1, "birth_date"), "thiếu cột bắt buộc"),
        (lambda t: set_cell(t, "members", 3, "full_name", " "), ("members", 3, "full_name"), "thiếu giá trị"),
        (lambda t: set_cell(t, "members", 4, "birth_date", "1985-13-01"), ("members", 4, "birth_date"), "ngày"),
        (lambda t: set_cell(t, "members", 4, "birth_date", "12/31/1985"), ("members", 4, "birth_date"), "ngày"),
        (lambda t: set_cell(t, "memberships", 5, "branch_code", "B9"), ("memberships", 5, "branch_code"), "B9"),
        (
            lambda t: set_cell(t, "hamlets", 2, "area_types", "religious;mountain"),
            ("hamlets", 2, "area_types"),
            "mountain",
        ),
        (lambda t: set_cell(t, "memberships", 2, "reinforcing", "maybe"), ("memberships", 2, "reinforcing"), "true"),
        (lambda t: set_cell(t, "hamlets", 3, "kind", "village"), ("hamlets", 3, "kind"), "xom"),
        (lambda t: set_cell(t, "admission_targets", 2, "target", "-1"), ("admission_targets", 2, "target"), "số"),
        (lambda t: set_cell(t, "members", 2, "code", "M 1"), ("members", 2, "code"), "mã"),
        # A rule that spans sheets: the secretary (sheet branch_secretaries) is not in the branch (memberships).
        (
            lambda t: set_cell(t, "branch_secretaries", 4, "member_code", "M1"),
            ("branch_secretaries", 4, "member_code"),
            "suốt nhiệm kỳ",
        ),
    ],
)
def test_each_kind_of_error_is_located_and_nothing_is_written(change, where, words):
    tables = base()
    change(tables)
    result = import_sheets(raw(tables))
    assert not result.ok
    assert where in problems(result), [str(p) for p in result.errors]
    message = next(p.message for p in result.errors if (p.sheet, p.row, p.column) == where)
    assert words in message
    assert counts() == (0, 0, 0, 0)
    assert not result.applied


def test_a_failed_import_leaves_stored_data_unchanged():
    assert import_sheets(raw(base())).ok
    before = export_tables()
    tables = base()
    set_cell(tables, "members", 2, "full_name", "Tên Mới")  # a valid change ...
    set_cell(tables, "members", 3, "birth_date", "2016-02-30")  # ... beside a broken one
    result = import_sheets(raw(tables))
    assert problems(result) == [("members", 3, "birth_date")]
    assert export_tables() == before


def test_every_error_is_reported_not_only_the_first():
    tables = base()
    set_cell(tables, "members", 2, "birth_date", "x")
    set_cell(tables, "members", 3, "gender", "m")
    set_cell(tables, "hamlets", 4, "commune_code", "C9")
    result = import_sheets(raw(tables))
    assert {("members", 2, "birth_date"), ("members", 3, "gender"), ("hamlets", 4, "commune_code")} <= set(
        problems(result)
    )
    # Clerk-readable location, not a traceback.
    assert str(result.errors[0]).startswith("trang hamlets, dòng 4, cột commune_code:")


def test_dry_run_reports_what_would_change_and_writes_nothing():
    result = import_sheets(raw(base()), dry_run=True)
    assert result.ok and not result.applied
    assert result.created["members"] == 3
    assert counts() == (0, 0, 0, 0)


def test_a_second_import_of_the_same_files_changes_nothing():
    assert import_sheets(raw(base())).ok
    before = export_tables()
    result = import_sheets(raw(base()))
    assert result.ok
    assert result.total_created == 0 and result.total_updated == 0
    assert export_tables() == before


def test_rows_merge_by_key_and_missing_optional_columns_keep_values():
    assert import_sheets(raw(base())).ok
    update = {
        "members": [
            ["code", "full_name", "gender", "birth_date", "admitted_on"],
            ["M2", "Trần Thị Hoa Mai", "female", "1980-07-15", "2005-02-03"],
        ],
        "branches": [
            ["code", "name", "commune_code", "hamlet_codes", "established_on"],
            ["B1", "Chi bộ ghép Một – Hai", "C1", "H1; H2", "1990-01-01"],
        ],
    }
    result = import_sheets(raw(update))
    assert result.ok, result.errors
    assert result.updated == {"members": 1, "branches": 1}
    member = Member.objects.get(code="M2")
    assert member.full_name == "Trần Thị Hoa Mai"
    assert member.religion == "Công giáo"  # column absent: kept
    assert member.name_folded == "tran thi hoa mai"
    assert sorted(Branch.objects.get(code="B1").hamlets.values_list("code", flat=True)) == ["H1", "H2"]
    assert Member.objects.count() == 3


def test_duplicate_keys_in_one_import_are_refused():
    tables = base()
    tables["members"].append(list(tables["members"][1]))
    result = import_sheets(raw(tables))
    assert ("members", 5, "code") in problems(result)


def test_csv_folder_with_byte_order_mark_and_day_first_dates(tmp_path):
    tables = base()
    set_cell(tables, "members", 2, "birth_date", "01/03/1950")
    folder = write_csv_folder(tmp_path / "data", tables)
    members = folder / "members.csv"
    members.write_bytes(b"\xef\xbb\xbf" + members.read_bytes())
    result = import_path(folder)
    assert result.ok, result.errors
    assert Member.objects.get(code="M1").birth_date == datetime.date(1950, 3, 1)


def test_xlsx_workbook_with_date_and_number_cells(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in base().items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook["members"]["D2"] = datetime.datetime(1950, 3, 1)  # a real date cell
    workbook["admission_targets"]["C2"] = 3  # a number cell
    workbook["admission_targets"]["B2"] = 2016.0
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    result = import_path(path)
    assert result.ok, result.errors
    assert Member.objects.get(code="M1").birth_date == datetime.date(1950, 3, 1)


def test_a_file_that_is_not_a_workbook_gets_a_message(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    result = import_path(path)
    assert not result.ok
    assert "Excel" in result.errors[0].message
