"""Files built to hurt the server are refused quickly, before they are parsed,
with the worker's memory bounded, and with a message saying what to do."""

import io
import subprocess
import sys
import time
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hamlets.exchange.files import Limits, UnreadableFile, read_workbook
from hamlets.models import Upload

pytestmark = pytest.mark.django_db

ROW = '<row><c t="inlineStr"><is><t>' + "A" * 200 + "</t></is></c></row>"


def zip_bomb(path, megabytes):
    """A valid .xlsx whose one sheet expands to `megabytes` of XML (written in chunks)."""
    template = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.title = "members"
    workbook.save(template)
    with (
        zipfile.ZipFile(io.BytesIO(template.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w", force_zip64=True) as sheet:
                    sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                    sheet.write(b"<sheetData>")
                    chunk = (ROW * 5000).encode()
                    for _ in range(megabytes * 1024 * 1024 // len(chunk) + 1):
                        sheet.write(chunk)
                    sheet.write(b"</sheetData></worksheet>")
            else:
                target.writestr(info, source.read(info.filename))
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", 520)


def test_the_bomb_is_small_and_expands_to_520_mb(bomb):
    assert bomb.stat().st_size < 3 * 1024 * 1024
    with zipfile.ZipFile(bomb) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 520 * 1024 * 1024


def test_an_upload_of_a_zip_bomb_is_refused_at_once(client, cast, bomb):
    client.force_login(cast["staff"])
    started = time.monotonic()
    response = client.post(reverse("hamlets:upload"), {"file": SimpleUploadedFile("bomb.xlsx", bomb.read_bytes())})
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "Tệp Excel khi giải nén lớn 520 MB, quá giới hạn 100 MB." in response.content.decode()
    assert not Upload.objects.exists()
    assert elapsed < 2


def test_import_data_refuses_the_bomb_with_bounded_memory(bomb):
    """In a process of its own, so that its peak memory (RSS) can be measured."""
    script = (
        "import resource, django, time; django.setup();"
        "from hamlets.exchange.files import read_path, UnreadableFile, Limits, MB;"
        f"limits = Limits(uncompressed_bytes=100 * MB, rows=2_000_000, columns=60);"
        "started = time.monotonic()\n"
        "try:\n"
        f"    read_path({str(bomb)!r}, limits)\n"
        "    print('READ')\n"
        "except UnreadableFile as exc:\n"
        "    print('REFUSED', exc)\n"
        "print('RSS_MB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, time.monotonic() - started)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "coverage_site.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin"},
        timeout=120,
    ).stdout
    assert "REFUSED Tệp Excel khi giải nén lớn 520 MB, quá giới hạn 100 MB." in output, output
    rss_mb, seconds = output.split("RSS_MB ")[1].split()
    assert int(rss_mb) < 200 and float(seconds) < 2, output


def workbook_with_rows(count, columns=5):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("members")
    sheet.append([f"c{i}" for i in range(columns)])
    for number in range(count):
        sheet.append([f"v{number}"] * columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_sheet_with_too_many_rows_is_refused_with_what_to_do(client, cast):
    client.force_login(cast["staff"])
    response = client.post(
        reverse("hamlets:upload"), {"file": SimpleUploadedFile("big.xlsx", workbook_with_rows(20_001))}
    )
    started = time.monotonic()
    page = client.get(response["Location"]).content.decode()
    assert time.monotonic() - started < 10
    assert "Tệp có hơn 20.000 dòng dữ liệu, quá giới hạn." in page
    assert "import_data" in page


def test_too_many_columns_are_refused():
    with pytest.raises(UnreadableFile, match="hơn 60 cột"):
        read_workbook(io.BytesIO(workbook_with_rows(3, columns=61)), Limits(10**9, 100, 60))


def test_a_csv_with_too_many_rows_is_refused(client, cast):
    client.force_login(cast["staff"])
    content = ("code,full_name\n" + "X,Y\n" * 20_001).encode()
    response = client.post(reverse("hamlets:upload"), {"file": SimpleUploadedFile("members.csv", content)})
    assert "Tệp có hơn 20.000 dòng dữ liệu" in client.get(response["Location"]).content.decode()


def test_import_data_limits_can_be_raised_by_an_administrator(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "big.xlsx"
    path.write_bytes(workbook_with_rows(30))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", str(path), "--max-rows", "10", verbosity=0, stderr=errors)
    assert "Tệp có hơn 10 dòng dữ liệu, quá giới hạn. Quản trị viên có thể nới giới hạn bằng --max-rows" in (
        errors.getvalue()
    )
    # Raised, the file is read (and then refused for its content, not its size).
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", str(path), "--max-rows", "100", verbosity=0, stderr=errors)
    assert "quá giới hạn" not in errors.getvalue() and "c0" in errors.getvalue()
