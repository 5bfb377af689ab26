"""Containers of exchange-format.md: a folder of CSV files, or an XLSX workbook."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from coverage_site.lib import spreadsheets


@dataclass
class RawSheet:
    name: str
    header: list
    # (row number as the spreadsheet shows it, list of cell values)
    rows: list = field(default_factory=list)


class UnreadableFile(Exception):
    """The container itself cannot be read (not CSV/XLSX, bad encoding...)."""


def read_path(path):
    """Read a folder of CSV files or an .xlsx workbook into RawSheets."""
    path = Path(path)
    if path.is_dir():
        return read_folder(path)
    if path.suffix.lower() == ".xlsx":
        with open(path, "rb") as handle:
            return read_workbook(handle)
    if path.suffix.lower() == ".csv":
        with open(path, "rb") as handle:
            return [read_csv(path.stem, handle.read())]
    raise UnreadableFile(_("“%(path)s” không phải thư mục CSV hay tệp .xlsx.") % {"path": path})


def read_folder(path):
    return [read_csv(csv_path.stem, csv_path.read_bytes()) for csv_path in sorted(Path(path).glob("*.csv"))]


def read_csv(name, data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _("Tệp %(name)s.csv không phải UTF-8 (hãy lưu lại dưới dạng “CSV UTF-8”).") % {"name": name}
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    if not rows:
        return RawSheet(name, [], [])
    header = [cell.strip() for cell in rows[0]]
    body = [(number, row) for number, row in enumerate(rows[1:], start=2)]
    return RawSheet(name, header, body)


def read_workbook(handle):
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(_("Không đọc được tệp Excel (.xlsx): %(error)s") % {"error": exc}) from exc
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            rows = list(worksheet.iter_rows(values_only=True))
            if not rows:
                sheets.append(RawSheet(worksheet.title, [], []))
                continue
            header = [("" if cell is None else str(cell)).strip() for cell in rows[0]]
            # Trailing empty header cells are formatting, not columns.
            while header and header[-1] == "":
                header.pop()
            body = [(number, list(row)) for number, row in enumerate(rows[1:], start=2)]
            sheets.append(RawSheet(worksheet.title, header, body))
    finally:
        workbook.close()
    return sheets


def write_folder(path, tables):
    """Write {sheet: (header, rows)} as <sheet>.csv files.

    UTF-8 with a byte-order mark, so that Excel shows Vietnamese correctly.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in tables.items():
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        (path / f"{name}.csv").write_bytes(buffer.getvalue().encode("utf-8-sig"))


def write_workbook(target, tables):
    """Write {sheet: (header, rows)} as one worksheet per sheet. Text cells
    are text, never formulas: a name starting with "=" comes back as written."""
    workbook = spreadsheets.new_workbook()
    for name, (header, rows) in tables.items():
        worksheet = workbook.create_sheet(name)
        worksheet.append([spreadsheets.cell(worksheet, value) for value in header])
        for row in rows:
            worksheet.append([spreadsheets.cell(worksheet, value) for value in row])
    workbook.save(target)
