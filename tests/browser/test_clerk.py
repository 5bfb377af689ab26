"""A district clerk's day in a real browser."""

import pytest

from hamlets.models import Member, Membership

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_clerk_finds_transfers_and_uploads(page_factory, browser_data, tmp_path):
    page = page_factory()
    log_in(page, "staff_d1")
    page.shots("home")
    assert "Thôn, xóm chưa có chi bộ" in page.content()

    # Find a member by typing the name without diacritics.
    page.click("text=Đảng viên")
    page.fill("#id_q", "le huu nam")
    page.shots("search-typed")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("table.table")
    page.shots("search-results")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 1
    assert "Lê Hữu Nam" in rows.first.inner_text()
    page.click("table.table tbody tr >> text=Lê Hữu Nam")
    page.wait_for_selector("h1:has-text('Lê Hữu Nam')")
    page.shots("member")

    # Transfer: first with a bad date, which is refused with a message next to the field.
    page.click("text=Chuyển sinh hoạt")
    page.select_option("#id_to_branch", label="Chi bộ thôn Hai (Xã Một)")
    page.fill("#id_on", "31/02/2016")
    page.click("main button[type=submit]")
    error = page.locator("#id_on-errors")
    error.wait_for()
    page.shots("bad-date")
    assert error.inner_text().strip()
    assert Membership.objects.filter(member__code="M3").count() == 1

    page.fill("#id_on", "01/03/2016")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Đã chuyển sinh hoạt.")
    page.shots("transferred")
    assert Membership.objects.get(member__code="M3", left_on__isnull=True).branch.code == "B2"

    # Upload a spreadsheet and confirm the preview.
    csv = tmp_path / "members.csv"
    csv.write_text(
        "code,full_name,gender,birth_date,residence_hamlet_code,admitted_on,official_on\n"
        "M7,Đinh Văn Bảy,male,02/02/1970,H1,03/03/1995,03/03/1996\n",
        encoding="utf-8",
    )
    page.click("text=Nhập bảng tính")
    page.set_input_files("#id_file", str(csv))
    page.shots("upload")
    page.click("main button[type=submit]")
    page.wait_for_selector("#summary")
    page.shots("preview")
    assert "Sẽ thêm 1 và cập nhật 0 bản ghi." in page.inner_text("#summary")
    assert not Member.objects.filter(code="M7").exists()
    page.click("#confirm")
    page.wait_for_selector("text=Đã nhập tệp members.csv")
    page.shots("imported")
    assert Member.objects.get(code="M7").full_name == "Đinh Văn Bảy"

    assert page.errors == []
    assert page.outside == []


def test_the_member_list_reads_on_a_phone(page_factory, browser_data):
    page = page_factory(width=390, height=844)
    log_in(page, "staff_d1")
    page.goto(page.base + "/members/")
    page.shots("members-phone")
    # No horizontal scrolling of the page itself: wide tables scroll in their own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
