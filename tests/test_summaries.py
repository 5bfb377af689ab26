"""Monthly summaries: figures, workflow, frozen copies, exports."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from coverage_site.lib.dates import today as local_today
from hamlets.models import Member
from reports import exports, summaries
from reports.indicators import KEYS, compute, get_unit
from reports.models import MonthlySummary

from .conftest import make_user

pytestmark = pytest.mark.django_db
NOV = datetime.date(2016, 11, 1)


@pytest.fixture
def people(demo_data):
    return {
        "clerk": make_user("clerk_ql", "district_staff", district="QL"),
        "other_clerk": make_user("clerk_hm", "district_staff", district="HM"),
        "commune_clerk": make_user("clerk_qth", "district_staff", commune="QTH"),
        "viewer": make_user("viewer_p", "provincial_viewer"),
        "approver": make_user("approver_p", "provincial_approver"),
    }


@pytest.fixture
def ql():
    return get_unit("district", "QL")


def engine(unit, day):
    return compute(unit, day, by_child=True)


def test_summary_figures_are_the_engine_at_the_month_end(people, ql):
    content = summaries.summary_content(ql, NOV)
    assert content["as_of"] == "2016-11-30"
    expected = engine(ql, datetime.date(2016, 11, 30))
    assert content["indicators"] == expected["indicators"]
    assert content["children"] == expected["children"]


def test_the_year_shows_four_fewer_hamlets_without_a_branch(people, ql):
    """Every month of 2016 can be produced; their changes add up to the article's four."""
    gained, lost = [], []
    for number in range(1, 13):
        content = summaries.summary_content(ql, datetime.date(2016, number, 1))
        gained += content["changes"]["hamlets_gained_branch"]
        lost += content["changes"]["hamlets_lost_branch"]
    assert len(gained) - len(lost) == 4
    assert {h["code"] for h in gained} == {"QYE-10", "QYE-11", "QTH-12", "TTY-13"}
    january = summaries.summary_content(ql, datetime.date(2016, 1, 1))["previous_indicators"]
    december = summaries.summary_content(ql, datetime.date(2016, 12, 1))["indicators"]
    assert january["hamlets_without_branch"]["numerator"] - december["hamlets_without_branch"]["numerator"] == 4


def test_march_lists_the_joint_branch_and_the_transfers(people, ql):
    content = summaries.summary_content(ql, datetime.date(2016, 3, 1))
    assert [h["code"] for h in content["changes"]["hamlets_gained_branch"]] == ["QYE-10", "QYE-11"]
    assert len(content["changes"]["members_joined"]) >= 7  # the members moved into the new joint branch
    assert any(m["reason"] == "chuyển sinh hoạt" for m in content["changes"]["members_left"])


# --- workflow -----------------------------------------------------------------------------------------


def test_submit_approve_freezes_and_later_changes_do_not_move_it(people, ql):
    summary = summaries.summary_submit(
        unit=ql, month=NOV, user=people["clerk"], comment="Đủ số liệu", findings_confirmed=True
    )
    summary = summaries.summary_approve(summary=summary, user=people["approver"])
    frozen_files = {
        fmt: exports.render(summaries.content_of(summary), fmt, approved=summary.approved_at) for fmt in ("csv", "xlsx")
    }
    assert summaries.changes_since(ql, summary.approved_at)[0] == 0

    # A correction after approval: a hamlet of QTH gets a member living in it.
    member = Member.objects.filter(residence_hamlet__code="QTH-05").first()
    member.residence_hamlet_id = Member.objects.filter(residence_hamlet__code="QTH-06").first().residence_hamlet_id
    member.save()

    summary.refresh_from_db()
    assert summaries.content_of(summary) == summary.frozen
    assert exports.render(summaries.content_of(summary), "csv") == frozen_files["csv"]
    assert summaries.changes_since(ql, summary.approved_at)[0] == 1
    events = [e.action for e in summary.events.all()]
    assert events == ["submit", "approve"]


def test_only_the_right_roles_act_and_only_in_their_scope(people, ql):
    hm = get_unit("district", "HM")
    with pytest.raises(PermissionDenied):
        summaries.summary_submit(unit=ql, month=NOV, user=people["other_clerk"], findings_confirmed=True)
    with pytest.raises(PermissionDenied):
        summaries.summary_submit(
            unit=ql, month=NOV, user=people["commune_clerk"], findings_confirmed=True
        )  # a commune account
    with pytest.raises(PermissionDenied):
        summaries.summary_submit(unit=ql, month=NOV, user=people["viewer"], findings_confirmed=True)
    summary = summaries.summary_submit(unit=ql, month=NOV, user=people["clerk"], findings_confirmed=True)
    for role in ("clerk", "viewer", "other_clerk"):
        with pytest.raises(PermissionDenied):
            summaries.summary_approve(summary=summary, user=people[role])
        with pytest.raises(PermissionDenied):
            summaries.summary_return(summary=summary, user=people[role], reason="x")
    with pytest.raises(ValidationError):
        summaries.summary_return(summary=summary, user=people["approver"], reason=" ")
    summaries.summary_return(summary=summary, user=people["approver"], reason="Thiếu ghi chú")
    summary = summaries.summary_submit(
        unit=ql, month=NOV, user=people["clerk"], comment="Bổ sung", findings_confirmed=True
    )
    summary = summaries.summary_approve(summary=summary, user=people["approver"])
    with pytest.raises(PermissionDenied):
        summaries.summary_reopen(summary=summary, user=people["clerk"], reason="sửa")
    with pytest.raises(ValidationError):
        summaries.summary_reopen(summary=summary, user=people["approver"], reason="")
    summary = summaries.summary_reopen(summary=summary, user=people["approver"], reason="Số liệu sai")
    assert (summary.status, summary.frozen) == ("returned", None)
    assert [e.action for e in summary.events.all()] == ["submit", "return", "submit", "approve", "reopen"]
    assert (
        summaries.summary_submit(unit=hm, month=NOV, user=people["other_clerk"], findings_confirmed=True).status
        == "submitted"
    )


def test_a_month_that_has_not_ended_cannot_be_submitted(people, ql):
    this_month = datetime.date.today().replace(day=1)
    with pytest.raises(ValidationError):
        summaries.summary_submit(unit=ql, month=this_month, user=people["clerk"], findings_confirmed=True)


def test_pages_enforce_scope(client, people):
    url = reverse("reports:summary_detail", kwargs={"kind": "district", "code": "QL", "month": "2016-11"})
    client.force_login(people["other_clerk"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "submit", "findings_confirmed": "1"}).status_code == 404
    client.force_login(people["viewer"])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "approve"})
    assert not MonthlySummary.objects.exists()


def test_province_view_shows_every_unit_and_overdue_ones(client, people):
    summaries.summary_submit(unit=get_unit("district", "QL"), month=NOV, user=people["clerk"], findings_confirmed=True)
    client.force_login(people["approver"])
    response = client.get(reverse("reports:summary_list"), {"month": "2016-11"})
    rows = {row["unit"].code: row for row in response.context["rows"]}
    assert set(rows) == {"HM", "QL"}
    assert rows["QL"]["summary"].status == "submitted" and not rows["QL"]["overdue"]
    assert rows["HM"]["overdue"]  # November 2016 ended long ago
    assert 'class="overdue"' in response.content.decode()


# --- exports --------------------------------------------------------------------------------------------


def test_exports_read_back_equal_the_engine(people, ql, tmp_path):
    expected = engine(ql, datetime.date(2016, 11, 30))
    for fmt in ("xlsx", "csv", "pdf"):
        call_command(
            "monthly_summary",
            "--unit",
            "district:QL",
            "--month",
            "2016-11",
            "--format",
            fmt,
            "--output",
            str(tmp_path / f"s.{fmt}"),
        )

    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx")["Tổng hợp"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    header, first = rows[0], rows[1]
    assert first[0] == "Quỳnh Lưu"
    for index, key in enumerate(KEYS):
        figure = expected["indicators"][key]
        assert first[2 + 3 * index] == figure["numerator"]
        assert first[3 + 3 * index] == figure["denominator"]
        assert header[2 + 3 * index].endswith("– số")
    assert len(rows) == 1 + 1 + 33
    assert isinstance(sheet["B2"].value, datetime.datetime)  # a real date cell

    lines = list(csv.reader(io.StringIO((tmp_path / "s.csv").read_bytes().decode("utf-8-sig"))))
    by_code = {line[1]: line for line in lines[1:]}
    for child in expected["children"]:
        line = by_code[child["unit"]["code"]]
        assert int(line[2]) == child["indicators"][KEYS[0]]["numerator"]
        assert int(line[3]) == child["indicators"][KEYS[0]]["denominator"]

    pages = [" ".join(page.extract_text().split()) for page in PdfReader(tmp_path / "s.pdf").pages]
    text = " ".join(pages)
    assert "Tổng hợp độ phủ chi bộ tháng 11/2016 – Quỳnh Lưu" in text
    figure = expected["indicators"]["hamlets_without_branch"]
    assert f"Thôn, xóm chưa có chi bộ {figure['numerator']} {figure['denominator']}" in text
    # Counts carry the thousands mark, as on the pages.
    members = expected["indicators"]["members_elderly"]
    assert members["denominator"] >= 1000
    assert f"{members['denominator']:,}".replace(",", ".") in text


def test_the_pdf_reads_as_a_party_document(people, ql):
    """Header block on the first page; on the last, the signature block with
    content above it; "Trang x/y" on every page."""
    data = exports.render(summaries.summary_content(ql, NOV), "pdf")
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]
    first, last = pages[0], pages[-1]
    assert first.startswith("HUYỆN ỦY QUỲNH LƯU BAN TỔ CHỨC * Số: ……-BC/BTCHU ĐẢNG CỘNG SẢN VIỆT NAM Quỳnh Lưu, ngày ")
    assert "BÁO CÁO Tổng hợp độ phủ chi bộ tháng 11/2016" in first
    assert "T/M BAN TỔ CHỨC TRƯỞNG BAN (ký, ghi rõ họ tên)" in last
    above = last.split("Nơi nhận:")[0]
    assert "Chi bộ có nguy cơ" in above  # the last list, kept with the signature
    for number, page in enumerate(pages, start=1):
        assert page.endswith(f"Trang {number}/{len(pages)}")
    assert len(pages) >= 2


def test_approved_exports_come_from_the_frozen_copy(client, people, ql):
    summary = summaries.summary_submit(unit=ql, month=NOV, user=people["clerk"], findings_confirmed=True)
    summaries.summary_approve(summary=summary, user=people["approver"])
    client.force_login(people["viewer"])
    url = reverse(
        "reports:summary_export", kwargs={"kind": "district", "code": "QL", "month": "2016-11", "export_format": "csv"}
    )
    before = client.get(url).content
    Member.objects.filter(code="DV00001").update(birth_date=datetime.date(1930, 1, 1))  # no history: raw change
    summary.refresh_from_db()
    assert client.get(url).content == before
    pdf = client.get(url.replace("export.csv", "export.pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_month_with_changes_renders_its_lists(client, people):
    client.force_login(people["viewer"])
    url = reverse("reports:summary_detail", kwargs={"kind": "district", "code": "QL", "month": "2016-03"})
    page = client.get(url).content.decode()
    assert "Thôn Đồng Tâm" in page or "QYE-10" in page or "Quỳnh Yên" in page
    assert 'id="change-hamlets_gained_branch"' in page
    assert client.get(reverse("reports:summary_list"), {"month": "2016-03"}).status_code == 200


def test_any_month_is_reachable_from_the_summaries_pages(client, people):
    client.force_login(people["approver"])
    page = client.get(reverse("reports:summary_list"), {"month": "2016-03"}).content.decode()
    assert 'value="2016-03"' in page  # the picker shows the month on the page
    assert 'href="/summaries/?month=2016-02"' in page and 'href="/summaries/?month=2016-04"' in page
    detail = reverse("reports:summary_detail", kwargs={"kind": "district", "code": "QL", "month": "2016-03"})
    page = client.get(detail).content.decode()
    assert 'href="/summaries/district/QL/2016-02/"' in page and 'href="/summaries/district/QL/2016-04/"' in page
    assert client.get(detail, {"month": "2016-07"})["Location"] == "/summaries/district/QL/2016-07/"
    this_month = local_today().replace(day=1)
    latest = reverse(
        "reports:summary_detail", kwargs={"kind": "district", "code": "QL", "month": f"{this_month:%Y-%m}"}
    )
    assert 'rel="next"' not in client.get(latest).content.decode()


def test_home_pages_list_the_summaries_to_act_on(client, people, ql):
    summaries.summary_submit(unit=ql, month=NOV, user=people["clerk"], findings_confirmed=True)
    client.force_login(people["approver"])
    page = client.get(reverse("home")).content.decode()
    assert "Báo cáo chờ duyệt" in page and 'href="/summaries/district/QL/2016-11/"' in page
    client.force_login(people["viewer"])
    assert "Báo cáo chờ duyệt" not in client.get(reverse("home")).content.decode()
    # The clerk sees the last months not yet submitted, and a returned one.
    last = (local_today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    summaries.summary_submit(unit=ql, month=last, user=people["clerk"], findings_confirmed=True)
    returned = summaries.summary_return(
        summary=summaries.get_or_make(ql, last), user=people["approver"], reason="Thiếu số liệu"
    )
    assert returned.status == "returned"
    client.force_login(people["clerk"])
    page = client.get(reverse("home")).content.decode()
    section = page.split('id="to-submit"')[1].split("</section>")[0]
    assert f"Tháng {last:%m/%Y}" in section and "bị trả lại" in section
    assert section.count("<li>") == 6


def test_the_province_s_month_in_one_workbook_and_one_pdf(client, people, ql):
    summaries.summary_submit(unit=ql, month=NOV, user=people["clerk"], findings_confirmed=True)
    summaries.summary_approve(summary=summaries.get_or_make(ql, NOV), user=people["approver"])
    client.force_login(people["approver"])
    page = client.get(reverse("reports:summary_list"), {"month": "2016-11"}).content.decode()
    assert "/summaries/all/2016-11/export.xlsx" in page and "/summaries/all/2016-11/export.pdf" in page
    data = client.get(reverse("reports:summary_province_export", args=["2016-11", "xlsx"])).content
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    units = [row["unit"] for row in summaries.province_month(NOV)["rows"]]
    assert workbook.sheetnames == [unit.name for unit in units]
    first = workbook[ql.name]
    assert first["A1"].value == f"Báo cáo tháng 11/2016 – {ql.name}" and first["C2"].value == "đã duyệt"
    pdf = client.get(reverse("reports:summary_province_export", args=["2016-11", "pdf"])).content
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    starts = [number for number, text in enumerate(pages) if "ĐẢNG CỘNG SẢN VIỆT NAM" in text]
    assert len(starts) == len(units) and pages[-1].endswith(f"Trang {len(pages)}/{len(pages)}")
    # Staff of one district do not get the province's files.
    client.force_login(people["clerk"])
    assert client.get(reverse("reports:summary_province_export", args=["2016-11", "pdf"])).status_code == 404
