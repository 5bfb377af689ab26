"""Every percentage shown is 100·n/d rounded half up to one decimal, once:
on the page, in the PDF and in the spreadsheet cell."""

import datetime
import io
from fractions import Fraction

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from hamlets.templatetags.vn import percent

from . import factories as f
from .conftest import make_user

AWKWARD = [(17, 37), (27, 141), (18, 130), (46, 325), (1, 8), (1, 16), (74, 131), (10, 141), (2, 3), (0, 5), (5, 5)]


def half_up(numerator, denominator):
    """The reference, in integers: round half up of 1000·n/d, then one decimal."""
    tenths = (Fraction(1000 * numerator, denominator) + Fraction(1, 2)).__floor__()
    return f"{tenths // 10},{tenths % 10}%"


def test_the_reference_itself():
    assert half_up(17, 37) == "45,9%" and half_up(46, 325) == "14,2%" and half_up(1, 8) == "12,5%"
    assert half_up(1, 16) == "6,3%"


@pytest.mark.parametrize(("numerator", "denominator"), AWKWARD)
def test_percent_of_a_figure_is_rounded_once(numerator, denominator):
    ratio = round(numerator / denominator, 4)  # what the engine stores
    with translation.override("vi"):
        shown = percent({"numerator": numerator, "denominator": denominator, "ratio": ratio})
    assert shown == half_up(numerator, denominator)


def test_a_zero_denominator_shows_a_dash():
    assert percent({"numerator": 0, "denominator": 0, "ratio": None}) == "–"


@pytest.fixture
def seventeen_of_37(db):
    """A district whose commune has 37 hamlets, 17 of them without a branch."""
    district = f.district(code="DX", name="Huyện Thử")
    commune = f.commune(district, code="CX")
    hamlets = [f.hamlet(commune, code=f"HX{i:02d}") for i in range(37)]
    for hamlet in hamlets[:20]:
        f.branch(commune, [hamlet], established_on=datetime.date(2000, 1, 1))
    return district


@pytest.mark.django_db
def test_the_dashboard_card_breakdown_and_export_show_45_9(client, seventeen_of_37):
    client.force_login(make_user("viewer_p", "provincial_viewer"))
    url = reverse("reports:dashboard", args=["district", "DX"])
    page = client.get(url, {"as_of": "01/06/2016"}).content.decode()
    card = page.split('data-key="hamlets_without_branch"')[1].split("</a>")[0]
    assert "45,9%" in card and "46,0%" not in page
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url, {"as_of": "01/06/2016", "export": "xlsx"}).content))
    sheet = workbook.active
    header = [c.value for c in sheet[2]]
    column = header.index("Thôn, xóm chưa có chi bộ – tỷ lệ") + 1
    cell = sheet.cell(3, column)
    assert cell.number_format == "0.0%"
    assert f"{Fraction(cell.value).limit_denominator(1000)}" == "17/37"


@pytest.mark.django_db
def test_the_summary_pdf_and_workbook_show_45_9(client, seventeen_of_37):
    client.force_login(make_user("viewer_p", "provincial_viewer"))
    args = ["district", "DX", "2016-06"]
    pdf = client.get(reverse("reports:summary_export", args=[*args, "pdf"])).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "45,9%" in text and "46,0%" not in text
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reports:summary_export", args=[*args, "xlsx"])).content)
    )
    values = [c.value for row in workbook["Tổng hợp"].iter_rows(min_row=5) for c in row]
    assert any(isinstance(v, float) and Fraction(v).limit_denominator(1000) == Fraction(17, 37) for v in values)


@pytest.mark.django_db
def test_years_are_labels_not_thousands(client, cast):
    from hamlets.models import AdmissionTarget

    client.force_login(cast["staff"])
    assert AdmissionTarget.objects.filter(year=2016).exists()
    page = client.get(reverse("hamlets:admissiontarget_list")).content.decode()
    assert "2016" in page and "2.016" not in page
    page = client.get(reverse("hamlets:branch_detail", args=["B1"])).content.decode()
    assert "2015:" in page and "2.015" not in page
