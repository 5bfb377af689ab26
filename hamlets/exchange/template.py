"""The spreadsheet a clerk downloads, fills in Excel and uploads back.

Written for someone who lives in Excel, not for a machine: Vietnamese sheet
names and headers (the importer accepts them as well as the exchange keys),
a row under each header saying what goes in the column, a frozen header,
column widths, date cells shown dd/mm/yyyy, drop-down lists for coded values
(in Vietnamese) and for the codes of the clerk's own hamlets, branches and
members, a "Hướng dẫn" sheet, and the clerk's communes, hamlets, branches and
members already filled in, so that an update is "change a cell, upload".
"""

import datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from coverage_site.lib import spreadsheets
from coverage_site.lib.dates import EARLIEST_DATE, latest_date

from .exporter import export_tables
from .schema import HELP_SHEET, LISTS_SHEET, SHEETS, choice_label, describe

# Sheets a clerk fills in; units above the hamlet are the administrators'.
# The clerk's template: no province-level sheets (area types, districts, reorganisations).
TEMPLATE_SHEETS = [
    s
    for s in SHEETS
    if s.name not in ("area_types", "provinces", "districts", "reorganisations", "lineage_links", "parent_changes")
]
# Sheets filled with the clerk's own records (key column "code").
PREFILLED = ("communes", "hamlets", "branches", "members")
# Empty rows below the pre-filled ones that carry the drop-downs.
SPARE_ROWS = 500
# Reference columns with a drop-down of the clerk's codes: sheet of the codes.
CODE_LISTS = ("communes", "hamlets", "branches", "members")

COLUMN_WIDTHS = {"date": 14, "choice": 16, "bool": 10, "int": 10, "code": 16}
HEADER_FILL = PatternFill("solid", fgColor="EEF0F3")
NOTE_FONT = Font(italic=True, color="57606A", size=9)


def template_workbook(communes):
    """An openpyxl Workbook for a clerk whose communes are `communes` (a QuerySet)."""
    from ..models import Branch, Hamlet, Member

    codes = {
        "communes": set(communes.values_list("code", flat=True)),
        "hamlets": set(Hamlet.objects.filter(commune__in=communes).values_list("code", flat=True)),
        "branches": set(Branch.objects.filter(commune__in=communes).values_list("code", flat=True)),
        "members": set(Member.objects.filter(memberships__branch__commune__in=communes).values_list("code", flat=True)),
    }
    stored = export_tables([s for s in TEMPLATE_SHEETS if s.name in PREFILLED])
    workbook = Workbook()
    _help_sheet(workbook.active)
    lists = _lists_sheet(workbook, codes)
    for sheet in TEMPLATE_SHEETS:
        rows = []
        if sheet.name in PREFILLED:
            rows = [row for row in stored[sheet.name][1] if row[0] in codes[sheet.name]]
        _data_sheet(workbook, sheet, rows, lists)
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames))
    for worksheet in workbook.worksheets:
        spreadsheets.text_safe(worksheet)
    return workbook


def _help_sheet(worksheet):
    worksheet.title = HELP_SHEET
    lines = [
        (_("Mẫu nhập liệu – Độ phủ chi bộ"), Font(bold=True, size=14)),
        (_("Mỗi trang là một loại hồ sơ; dòng 1 là tên cột, dòng 2 giải thích cột đó."), None),
        (_("Các thôn, xóm, chi bộ và đảng viên của đơn vị bạn đã có sẵn: sửa ô cần sửa, thêm dòng mới ở dưới."), None),
        (_("Ô có mũi tên là danh sách chọn (giới tính, loại thôn, mã chi bộ, mã đảng viên…)."), None),
        (_("Ngày viết ngày/tháng/năm, ví dụ 10/11/2016."), None),
        (_("Không xóa dòng 1, không đổi tên trang. Dòng để trống được bỏ qua."), None),
        (_("Tải tệp lên ở trang “Nhập bảng tính”: máy kiểm tra và cho xem trước,"), None),
        (_("chưa ghi gì cho đến khi bạn bấm xác nhận."), None),
        ("", None),
        (_("Các trang"), Font(bold=True)),
    ]
    lines += [(f"{sheet.label}", None) for sheet in TEMPLATE_SHEETS]
    for text, font in lines:
        worksheet.append([text])
        if font:
            worksheet.cell(worksheet.max_row, 1).font = font
    worksheet.column_dimensions["A"].width = 110


def _lists_sheet(workbook, codes):
    """A hidden sheet of the clerk's codes, one column per kind; the drop-downs refer to it."""
    worksheet = workbook.create_sheet(LISTS_SHEET)
    worksheet.sheet_state = "hidden"
    ranges = {}
    for index, name in enumerate(CODE_LISTS, start=1):
        letter = get_column_letter(index)
        values = sorted(codes[name])
        worksheet.cell(1, index, name)
        for row, code in enumerate(values, start=2):
            worksheet.cell(row, index, code)
        if values:
            ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _data_sheet(workbook, sheet, rows, lists):
    worksheet = workbook.create_sheet(sheet.label)
    columns = list(sheet.columns)
    worksheet.append([sheet.column_label(c) for c in columns])
    worksheet.append([describe(sheet, c) for c in columns])
    for cell in worksheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for cell in worksheet[2]:
        cell.font, cell.alignment = NOTE_FONT, Alignment(wrap_text=True, vertical="top")
    for row in rows:
        worksheet.append([_cell_value(sheet, column, value) for column, value in zip(columns, row, strict=True)])
    worksheet.freeze_panes = "B3"
    last = max(worksheet.max_row, 2) + SPARE_ROWS
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = (
            14 if column.type == "date" else 12 if column.type == "choice" else 24
        )
        area = f"{letter}3:{letter}{last}"
        if column.type == "date":
            for (cell,) in worksheet.iter_rows(min_row=3, max_row=last, min_col=index, max_col=index):
                cell.number_format = "DD/MM/YYYY"
            _validate(worksheet, area, _date_validation())
        elif column.type == "choice":
            labels = [choice_label(sheet, column, value) for value in column.choices]
            _validate(worksheet, area, _list_validation('"' + ",".join(labels) + '"'))
        elif column.type == "bool":
            _validate(worksheet, area, _list_validation(f'"{_("có")},{_("không")}"'))
        elif column.type == "code" and column.ref in lists:
            _validate(worksheet, area, _list_validation(lists[column.ref]))


def _cell_value(sheet, column, text):
    """A stored value (in its exchange form) as the clerk should see it."""
    if text in ("", None):
        return None
    if column.type == "date":
        return datetime.date.fromisoformat(text)
    if column.type == "choice":
        return choice_label(sheet, column, text)
    if column.type == "bool":
        return _("có") if text == "true" else _("không")
    return text


def _list_validation(formula):
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = _("Hãy chọn một giá trị trong danh sách.")
    validation.errorTitle = _("Giá trị không có trong danh sách")
    return validation


def _date_validation():
    first, last = EARLIEST_DATE, latest_date()
    validation = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({first.year},{first.month},{first.day})",
        formula2=f"DATE({last.year},{last.month},{last.day})",
        allow_blank=True,
    )
    validation.error = _("Ngày viết ngày/tháng/năm, ví dụ 10/11/2016, từ năm 1900.")
    validation.errorTitle = _("Ngày không hợp lệ")
    return validation


def _validate(worksheet, area, validation):
    validation.showErrorMessage = True
    worksheet.add_data_validation(validation)
    validation.add(area)
