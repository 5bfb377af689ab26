"""Names typed by users reach documents as the text they are: never as
markup in a PDF (no fetched image, no live link, no crash), never as a
formula in a spreadsheet; export_data -> import_data keeps them byte for byte."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from coverage_site.lib.spreadsheets import csv_safe
from hamlets.exchange import export_tables
from hamlets.models import Commune, Hamlet, Member

from .conftest import make_user

pytestmark = pytest.mark.django_db

COMMUNE = '=HYPERLINK("http://evil.example","Xã Một")'
IMG = '<img src="http://127.0.0.1:9/x.png" width="5" height="5"/>'
LINK = '+Thôn "Hai" & <a href="http://evil.example/phish">bấm</a>'
BROKEN = "-1+2 \"><img src=x onerror=alert(1)> 'q'"
MEMBER = "@Nguyễn\tVăn Đức"
NAMES = [COMMUNE, IMG, LINK, BROKEN, MEMBER]


@pytest.fixture
def hostile(cast):
    Commune.objects.filter(code="C1").update(name=COMMUNE)
    Hamlet.objects.filter(code="H1").update(name=IMG)
    Hamlet.objects.filter(code="H2").update(name=LINK)
    # Hamlets without a branch, so that they are listed in the summary's action lists.
    for code, name, commune in [("H7", LINK, "C2"), ("H8", IMG, "C1"), ("H9", BROKEN, "C2")]:
        Hamlet.objects.create(code=code, name=name, commune=Commune.objects.get(code=commune))
    Member.objects.filter(code="M1").update(full_name=MEMBER)
    return cast


@pytest.fixture
def staff(client, hostile):
    client.force_login(hostile["staff"])
    return client


def cells_of(data):
    """Every non-empty cell of a workbook: (value, data type)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    return [(c.value, c.data_type) for c in cells if c.value]


def assert_text_cells(data, names):
    cells = cells_of(data)
    for name in names:
        found = [kind for value, kind in cells if value == name]
        assert found, f"{name!r} not in the workbook"
        assert set(found) == {"s"}, f"{name!r} written as {found}"
    assert not [value for value, kind in cells if kind == "f"]


def csv_rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def assert_neutralised(data, names):
    values = {value for row in csv_rows(data) for value in row}
    for name in names:
        assert csv_safe(name) in values, f"{name!r} not neutralised"
        if name[0] in "=+-@":
            assert name not in values


def test_the_csv_rule_is_owasp_s():
    assert [csv_safe(v) for v in ["=1", "+1", "-1", "@x", "\tx", "\rx", "x=1", 5, -5, None]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "x=1",
        5,
        -5,
        None,
    ]


def test_lists_export_names_as_text(staff):
    data = staff.get(reverse("hamlets:hamlet_list") + "?_export=xlsx").content
    assert_text_cells(data, [IMG, LINK, BROKEN])
    assert_neutralised(staff.get(reverse("hamlets:hamlet_list") + "?_export=csv").content, [LINK, BROKEN])
    members = staff.get(reverse("hamlets:member_list") + "?_export=xlsx").content
    assert_text_cells(members, [MEMBER])
    assert_neutralised(staff.get(reverse("hamlets:member_list") + "?_export=csv").content, [MEMBER])


def test_the_dashboard_breakdown_exports_names_as_text(staff):
    url = reverse("reports:dashboard", args=["district", "D1"]) + "?as_of=01/06/2016&export="
    assert_text_cells(staff.get(url + "xlsx").content, [COMMUNE])
    assert_neutralised(staff.get(url + "csv").content, [COMMUNE])


def test_drill_downs_export_names_as_text(staff):
    url = reverse("reports:drill_down", args=["district", "D1", "hamlets_without_branch"]) + "?_export="
    assert_text_cells(staff.get(url + "xlsx").content, [BROKEN])
    assert_neutralised(staff.get(url + "csv").content, [BROKEN])
    url = reverse("reports:drill_down", args=["district", "D1", "members_elderly"]) + "?_export="
    assert_text_cells(staff.get(url + "xlsx").content, [MEMBER])


def test_the_summary_workbook_and_csv_keep_names_as_text(staff):
    base = ["district", "D1", "2016-06"]
    assert_text_cells(staff.get(reverse("reports:summary_export", args=[*base, "xlsx"])).content, [COMMUNE, BROKEN])
    assert_neutralised(staff.get(reverse("reports:summary_export", args=[*base, "csv"])).content, [COMMUNE])


def test_the_summary_pdf_prints_names_as_written_and_fetches_nothing(staff, monkeypatch):
    import reportlab.lib.utils

    fetched = []
    local_open = reportlab.lib.utils.open_for_read

    def no_fetch(name, *args, **kwargs):
        if "://" in str(name) or str(name).startswith("x"):
            fetched.append(name)
            raise AssertionError(f"the PDF tried to open {name}")
        return local_open(name, *args, **kwargs)  # the font file

    monkeypatch.setattr(reportlab.lib.utils, "open_for_read", no_fetch)
    response = staff.get(reverse("reports:summary_export", args=["district", "D1", "2016-06", "pdf"]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for name in [COMMUNE, IMG, LINK, BROKEN]:
        assert " ".join(name.split()) in text, name
    assert fetched == []
    # No link annotations: the <a href> is text, not a link.
    assert not any(page.get("/Annots") for page in reader.pages)


def test_the_upload_template_keeps_names_as_text(staff):
    data = staff.get(reverse("hamlets:upload_template")).content
    assert_text_cells(data, [COMMUNE, IMG, LINK, BROKEN])


def test_export_data_and_import_data_round_trip_hostile_names(hostile, tmp_path):
    before = export_tables()
    for target in (tmp_path / "csv", tmp_path / "book.xlsx"):
        call_command("export_data", str(target))
        Hamlet.objects.filter(code="H1").update(name="changed")
        Member.objects.filter(code="M1").update(full_name="changed")
        Commune.objects.filter(code="C1").update(name="changed")
        call_command("import_data", str(target), verbosity=0)
        assert export_tables() == before
    assert Hamlet.objects.get(code="H1").name == IMG
    assert Member.objects.get(code="M1").full_name == MEMBER
    assert Commune.objects.get(code="C1").name == COMMUNE
    # The exchange CSV is not neutralised: it must round-trip.
    rows = csv_rows((tmp_path / "csv" / "communes.csv").read_bytes())
    assert [row[1] for row in rows if row[0] == "C1"] == [COMMUNE]
    assert_text_cells((tmp_path / "book.xlsx").read_bytes(), [COMMUNE, IMG])


def test_html_pages_escape_names(staff):
    page = staff.get(reverse("hamlets:hamlet_list")).content.decode()
    assert IMG not in page and "&lt;img src=&quot;http://127.0.0.1:9/x.png&quot;" in page


def test_an_approver_pdf_of_the_province_month_also_survives(client, hostile):
    approver = make_user("approver_x", "provincial_approver")
    client.force_login(approver)
    response = client.get(reverse("reports:summary_export", args=["district", "D1", "2016-06", "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_list_export_names_its_filters_and_date(staff):
    from coverage_site.lib.dates import today

    data = staff.get(reverse("hamlets:member_list"), {"q": "duc", "status": "full", "_export": "xlsx"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Đảng viên"
    assert sheet["A1"].value == f"Đảng viên – {today():%d/%m/%Y}"
    assert sheet["A2"].value == "Bộ lọc: Tìm (không cần dấu): duc; Đảng viên: chính thức"
    assert sheet.freeze_panes == "A4" and sheet["A3"].value == "Mã"


def test_exports_stay_in_vietnamese_for_an_english_user(staff):
    staff.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Search (diacritics optional)" in staff.get(reverse("hamlets:member_list")).content.decode()
    data = staff.get(reverse("hamlets:member_list") + "?_export=xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value.startswith("Đảng viên – ") and [c.value for c in sheet[2]][:2] == ["Mã", "Họ và tên"]
    url = reverse("reports:dashboard", args=["district", "D1"]) + "?as_of=01/06/2016&export=xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(staff.get(url).content)).active
    assert sheet["A1"].value.startswith("Huyện Một – số liệu tại ngày 01/06/2016")
    url = reverse("reports:drill_down", args=["district", "D1", "members_elderly"]) + "?area=religious&_export=xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(staff.get(url).content)).active
    assert " – vùng Vùng giáo" in sheet["A1"].value


def test_drop_downs_show_hostile_names_as_text_and_keep_the_choice(staff, hostile):
    """The list filters' drop-downs are written in Python (hamlets.forms.QuickSelect):
    names escaped, the chosen option still chosen, every option there."""
    from hamlets.models import Branch

    branch = Branch.objects.get(code="B1")
    Branch.objects.filter(pk=branch.pk).update(name=BROKEN)
    page = staff.get(reverse("hamlets:member_list"), {"branch": branch.pk}).content.decode()
    select = page[page.index('<select name="branch"') : page.index("</select>", page.index('<select name="branch"'))]
    assert "<img src=x" not in select and "&lt;img src=x onerror=alert(1)&gt;" in select
    assert f'<option value="{branch.pk}" selected>' in select
    assert select.count("<option") == 1 + Branch.objects.visible_to(hostile["staff"]).count()
    assert 'id="id_branch"' in select
