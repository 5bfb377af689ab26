"""A small valid data set in the exchange format, for import and rule tests.

Tests copy BASE, change one cell or add one row, and check the one error.
"""

import copy
import csv
import io

from hamlets.exchange.files import RawSheet

BASE = {
    "area_types": [["code", "name"], ["religious", "Vùng giáo"], ["coastal", "Vùng bãi ngang"]],
    "districts": [["code", "name", "established_on", "dissolved_on"], ["D1", "Huyện Một", "", ""]],
    "communes": [
        ["code", "name", "district_code", "established_on", "dissolved_on"],
        ["C1", "Xã Một", "D1", "", ""],
        ["C2", "Xã Hai", "D1", "", ""],
    ],
    "hamlets": [
        ["code", "name", "commune_code", "kind", "area_types", "established_on", "dissolved_on"],
        ["H1", "Xóm Một", "C1", "xom", "religious", "", ""],
        ["H2", "Thôn Hai", "C1", "thon", "religious;coastal", "", ""],
        ["H3", "Xóm Ba", "C2", "", "", "", ""],
    ],
    "branches": [
        ["code", "name", "commune_code", "hamlet_codes", "established_on", "dissolved_on"],
        ["B1", "Chi bộ xóm Một", "C1", "H1", "1990-01-01", ""],
        ["B2", "Chi bộ thôn Hai", "C1", "H2", "2000-01-01", ""],
        ["B3", "Chi bộ xóm Ba", "C2", "H3", "2000-01-01", ""],
    ],
    "members": [
        [
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
        ],
        ["M1", "Nguyễn Văn Đức", "male", "1950-03-01", "Kinh", "", "H1", "1975-05-01", "1976-05-01", "2010-01-01", ""],
        ["M2", "Trần Thị Hoa", "female", "1980-07-15", "Kinh", "Công giáo", "H2", "2005-02-03", "2006-02-03", "", ""],
        ["M3", "Lê Hữu Nam", "male", "1985-12-01", "Kinh", "", "H1", "2010-09-02", "2011-09-02", "", ""],
    ],
    "memberships": [
        ["member_code", "branch_code", "joined_on", "left_on", "left_reason", "reinforcing"],
        ["M1", "B1", "1990-01-01", "", "", "false"],
        ["M2", "B1", "2005-02-03", "2010-01-01", "transferred", "false"],
        ["M2", "B2", "2010-01-01", "", "", "no"],
        ["M3", "B1", "2010-09-02", "", "", "false"],
    ],
    "branch_secretaries": [
        ["branch_code", "member_code", "start_on", "end_on"],
        ["B1", "M1", "2010-06-01", "2015-06-01"],
        ["B1", "M3", "2015-06-01", ""],
        ["B2", "M2", "2012-01-01", ""],
    ],
    "village_heads": [
        [
            "code",
            "hamlet_code",
            "full_name",
            "gender",
            "birth_date",
            "member_code",
            "trained_on",
            "term_start",
            "term_end",
        ],
        ["VH1", "H1", "Hồ Văn Tâm", "male", "1970-01-01", "", "", "2009-06-01", "2014-06-01"],
        ["VH2", "H1", "Nguyễn Văn Đức", "male", "1950-03-01", "M1", "2014-09-01", "2014-06-01", ""],
        ["VH3", "H2", "Phan Thị Lan", "female", "1975-04-04", "", "", "2014-06-01", "2019-06-01"],
    ],
    "admission_targets": [["commune_code", "year", "target"], ["C1", "2016", "3"], ["C2", "2016", "2"]],
    "branch_ratings": [["branch_code", "year", "rating"], ["B1", "2015", "good"], ["B2", "2015", "not_completed"]],
    "candidates": [
        [
            "code",
            "full_name",
            "hamlet_code",
            "gender",
            "birth_date",
            "identified_on",
            "course_completed_on",
            "status",
            "member_code",
        ],
        ["Q1", "Đặng Văn Phúc", "H3", "male", "1995-01-01", "2015-03-01", "", "cultivating", ""],
        ["Q2", "Lê Hữu Nam", "H1", "male", "1985-12-01", "2009-01-01", "2009-06-01", "admitted", "M3"],
    ],
}


def base():
    return copy.deepcopy(BASE)


def raw(tables):
    """RawSheets as the CSV reader would produce them (row 1 = header)."""
    return [RawSheet(name, rows[0], list(enumerate(rows[1:], start=2))) for name, rows in tables.items()]


def write_csv_folder(path, tables):
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        (path / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return path


def set_cell(tables, sheet, row, column, value):
    """Change one cell; row is the spreadsheet row number (header = 1)."""
    header = tables[sheet][0]
    tables[sheet][row - 1][header.index(column)] = value
    return tables
