"""Writing spreadsheets that are safe to open.

Names come from users. A name such as ``=HYPERLINK("http://x","y")`` must
reach a reader's Excel as the text it is, never as a live formula:

- in XLSX every text cell is written with the string type (openpyxl would
  otherwise store a text starting with "=" as a formula);
- in CSV files meant to be opened in a spreadsheet, a text starting with one
  of ``= + - @``, a tab or a carriage return is prefixed with an apostrophe,
  as OWASP's "CSV injection" guide recommends. The exchange format's CSV
  (export_data) is not neutralised: it must round-trip byte for byte, and it
  is read by the importer, not by a person.

Every XLSX and CSV the application offers for download is written here.
"""

import csv
import datetime
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"


def csv_safe(value):
    """A cell value for a CSV a person will open: text that a spreadsheet
    would evaluate gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(header, rows, *, neutralise=True):
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        cells = ["" if value is None else value for value in row]
        writer.writerow([csv_safe(value) for value in cells] if neutralise else cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def cell(worksheet, value, *, number_format=None, font=None):
    """A write-only cell; text is always stored as text, never as a formula."""
    result = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        result.data_type = "s"
    elif isinstance(value, datetime.date) and number_format is None:
        number_format = "DD/MM/YYYY"
    if number_format:
        result.number_format = number_format
    if font is not None:
        result.font = font
    return result


def text_safe(worksheet):
    """Mark every text cell of a (normal-mode) worksheet as text: for sheets
    built with ws.append() and styled afterwards."""
    for row in worksheet.iter_rows():
        for item in row:
            if isinstance(item.value, str):
                item.data_type = "s"


def add_sheet(workbook, title, header, rows, *, title_lines=(), percent_columns=()):
    """A write-only worksheet: optional title lines, a bold frozen header,
    then rows; columns in `percent_columns` (0-based) hold ratios shown as
    percentages (a ratio of 0.565 shows 56,5% in a Vietnamese Excel)."""
    worksheet = workbook.create_sheet(_sheet_title(title))
    bold = Font(bold=True)
    header_row = len(title_lines) + 1
    for index, width in enumerate(_widths(header, rows), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    if header is not None:
        worksheet.freeze_panes = f"A{header_row + 1}"
    for number, line in enumerate(title_lines):
        worksheet.append([cell(worksheet, line, font=Font(bold=True, size=13 if number == 0 else 11))])
    if header is not None:
        worksheet.append([cell(worksheet, label, font=bold) for label in header])
    for row in rows:
        worksheet.append(
            [
                cell(worksheet, value, number_format="0.0%" if index in percent_columns else None)
                for index, value in enumerate(row)
            ]
        )
    return worksheet


def new_workbook():
    """A write-only workbook with a fixed timestamp (two exports of the same data are identical)."""
    workbook = Workbook(write_only=True)
    fixed = datetime.datetime(2000, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    return workbook


def workbook_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(title, header, rows, **options):
    workbook = new_workbook()
    add_sheet(workbook, title, header, rows, **options)
    return workbook_bytes(workbook)


def _sheet_title(title):
    for character in "\\*?:/[]":
        title = title.replace(character, "-")
    return title[:31] or "Sheet1"


def sheet_title(name, used):
    """A valid worksheet title for `name`, unique among `used` (which it extends)."""
    title, number = _sheet_title(name), 2
    while title.lower() in used:
        suffix = f" ({number})"
        title, number = _sheet_title(name)[: 31 - len(suffix)] + suffix, number + 1
    used.add(title.lower())
    return title


def _widths(header, rows, sample=200):
    """Column widths from the header and the first rows, between 6 and 50 characters."""
    lengths = [len(str(label)) for label in header or []]
    for row in rows[:sample] if isinstance(rows, list) else []:
        for index, value in enumerate(row):
            text = f"{value:%d/%m/%Y}" if isinstance(value, datetime.date) else str("" if value is None else value)
            if index >= len(lengths):
                lengths.append(0)
            lengths[index] = max(lengths[index], len(text))
    return [min(max(length + 2, 6), 50) for length in lengths]


def table_rows(table, progress=None):
    """Header and rows of a django-tables2 table, as its exports see them.
    progress(stage, done, total), if given, hears every thousand rows."""
    if progress is None:
        values = list(table.as_values())
        return (values[0], values[1:]) if values else ([], [])
    from django.utils.translation import gettext as _

    total, values = len(table.data), []
    for values_done, row in enumerate(table.as_values()):
        values.append(row)
        if values_done % 1000 == 0:
            progress(_("Đọc danh sách"), values_done, total)
    return (values[0], values[1:]) if values else ([], [])


EXPORT_FORMATS = ("csv", "xlsx")


def table_response(table, export_format, filename, *, title, title_lines=(), progress=None):
    """A django-tables2 table as a CSV or XLSX download, in Vietnamese whatever
    the interface language (domain.md: exports are official documents). The
    views offer only these two formats and answer 400 to any other."""
    from django.http import HttpResponse
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("vi"):
        header, rows = table_rows(table, progress)
        # Lines may be given as a function, to be written in Vietnamese here.
        title_lines = title_lines() if callable(title_lines) else title_lines
        title, title_lines = str(title), [str(line) for line in title_lines]
    if export_format == "csv":
        data, mime = csv_bytes(header, rows), CSV_MIME
    elif export_format == "xlsx":
        data, mime = xlsx_bytes(title, header, rows, title_lines=title_lines), XLSX_MIME
    else:
        raise ValueError(export_format)
    if progress is not None:
        progress(gettext("Đã ghi tệp"), len(rows), len(rows))
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.filename, response.row_count = filename, len(rows)
    return response


def bad_export_format(export_format):
    """A 400 answer naming the formats offered."""
    from django.http import HttpResponseBadRequest
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    return HttpResponseBadRequest(
        _("Không xuất được định dạng “%(format)s”: chỉ có %(formats)s.")
        % {"format": escape(export_format), "formats": ", ".join(EXPORT_FORMATS)},
        content_type="text/plain; charset=utf-8",
    )
