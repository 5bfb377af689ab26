"""Containers of exchange-format.md: a folder of CSV files, or an XLSX workbook.

Reading is bounded before anything is parsed: an .xlsx is a zip file, and
1 MB of it can expand to a 500 MB sheet that would take a server process
down. The uncompressed size, the number of data rows and of columns are
checked against `Limits` (stricter for a browser upload than for the
administrators' import_data, which can raise them).
"""

import csv
import io
import zipfile
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
    """The container itself cannot be read (not CSV/XLSX, bad encoding, too large...)."""


@dataclass(frozen=True)
class Limits:
    uncompressed_bytes: int
    rows: int  # data rows of all sheets together
    columns: int
    # What to tell someone whose file is over the limits.
    advice: str = ""


MB = 1024 * 1024
# import_data (administrators; a whole province is about 550,000 rows).
IMPORT_LIMITS = Limits(uncompressed_bytes=1024 * MB, rows=2_000_000, columns=60)


class _Counter:
    """Counts data rows across the sheets of one file, against the limits."""

    def __init__(self, limits):
        self.limits = limits
        self.rows = 0

    def row(self, cells):
        self.rows += 1
        if self.rows > self.limits.rows:
            raise UnreadableFile(
                _("Tệp có hơn %(rows)s dòng dữ liệu, quá giới hạn. %(advice)s")
                % {"rows": f"{self.limits.rows:,}".replace(",", "."), "advice": self.limits.advice}
            )
        return self.columns(cells)

    def columns(self, cells):
        if len(cells) > self.limits.columns:
            # Trailing blank cells are formatting; only real columns count.
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells = cells[:-1]
            if len(cells) > self.limits.columns:
                raise UnreadableFile(
                    _("Một dòng có hơn %(columns)d cột, quá giới hạn: tệp không theo mẫu.")
                    % {"columns": self.limits.columns}
                )
        return cells


def read_path(path, limits=IMPORT_LIMITS, stream=False):
    """Read a folder of CSV files or an .xlsx workbook into RawSheets.
    stream: a folder's rows are read from the files as the import uses them
    (iterable once), not held in memory all at once."""
    path = Path(path)
    if path.is_dir():
        return read_folder(path, limits, stream=stream)
    if path.suffix.lower() == ".xlsx":
        with open(path, "rb") as handle:
            return read_workbook(handle, limits)
    if path.suffix.lower() == ".csv":
        with open(path, "rb") as handle:
            return [read_csv(path.stem, handle.read(), limits)]
    raise UnreadableFile(_("“%(path)s” không phải thư mục CSV hay tệp .xlsx.") % {"path": path})


def read_folder(path, limits=IMPORT_LIMITS, stream=False):
    counter = _Counter(limits)
    paths = sorted(Path(path).glob("*.csv"))
    if stream:
        return [_streamed_csv(csv_path, counter) for csv_path in paths]
    return [read_csv(csv_path.stem, csv_path.read_bytes(), counter) for csv_path in paths]


def _not_utf8(name):
    return _("Tệp %(name)s.csv không phải UTF-8 (hãy lưu lại dưới dạng “CSV UTF-8”).") % {"name": name}


def _streamed_csv(path, counter):
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header_row = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(_not_utf8(path.stem)) from exc
    if header_row is None:
        return RawSheet(path.stem, [], [])
    header = [cell.strip() for cell in counter.columns(header_row)]
    return RawSheet(path.stem, header, StreamedRows(path, counter))


class StreamedRows:
    """A CSV file's data rows, read as they are used: a whole province's
    members are 200,000 rows, which held at once as lists of cells took
    300 MB. Iterable once; `expected` is the file's line count, for progress
    bars. A broken file raises UnreadableFile while it is read."""

    def __init__(self, path, counter):
        self.path, self.counter = path, counter
        with open(path, "rb") as handle:
            self.expected = max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1)

    def __iter__(self):
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                next(reader, None)  # the header, read already
                for number, row in enumerate(reader, start=2):
                    yield number, self.counter.row(row)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(_not_utf8(self.path.stem)) from exc


def read_csv(name, data, limits=IMPORT_LIMITS):
    counter = limits if isinstance(limits, _Counter) else _Counter(limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(_not_utf8(name)) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header_row = next(reader, None)
    if header_row is None:
        return RawSheet(name, [], [])
    header = [cell.strip() for cell in counter.columns(header_row)]
    body = [(number, counter.row(row)) for number, row in enumerate(reader, start=2)]
    return RawSheet(name, header, body)


def check_zip(handle, limits):
    """Refuse an .xlsx whose contents would expand beyond the limit, before
    opening any of it (the sizes are in the zip's directory)."""
    try:
        with zipfile.ZipFile(handle) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(_("Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không phải .xlsx.")) from exc
    finally:
        handle.seek(0)
    if total > limits.uncompressed_bytes:
        raise UnreadableFile(
            _("Tệp Excel khi giải nén lớn %(size)d MB, quá giới hạn %(limit)d MB. %(advice)s")
            % {"size": total // MB, "limit": limits.uncompressed_bytes // MB, "advice": limits.advice}
        )


def estimate_rows(data, filename):
    """About how many rows with a value a file holds, without parsing it: a
    CSV's lines, or an .xlsx's rows whose XML holds a value (the template's
    spare formatted rows do not count). To choose between checking a file at
    once and in the background (hamlets/upload.py)."""
    if filename.lower().endswith(".csv"):
        return data.count(b"\n")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(
                sum(1 for row in archive.read(name).split(b"</row>") if b"<v>" in row or b"<is>" in row)
                for name in archive.namelist()
                if name.startswith("xl/worksheets/") and name.endswith(".xml")
            )
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return 0  # a broken file: the check itself reports it, at once


def read_workbook(handle, limits=IMPORT_LIMITS):
    check_zip(handle, limits)
    counter = _Counter(limits)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(_("Không đọc được tệp Excel (.xlsx): %(error)s") % {"error": exc}) from exc
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            rows = worksheet.iter_rows(values_only=True)
            first = next(rows, None)
            if first is None:
                sheets.append(RawSheet(worksheet.title, [], []))
                continue
            header = [("" if cell is None else str(cell)).strip() for cell in counter.columns(list(first))]
            # Trailing empty header cells are formatting, not columns.
            while header and header[-1] == "":
                header.pop()
            body = [(number, counter.row(list(row))) for number, row in enumerate(rows, start=2)]
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
