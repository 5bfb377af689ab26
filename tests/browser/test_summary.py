"""A clerk submits the month, an approver approves it, the PDF downloads."""

import pytest

from reports.indicators import get_unit
from reports.models import MonthlySummary
from reports.quality import open_count

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_submit_approve_download(page_factory, browser_data, tmp_path):
    from ..conftest import make_user

    make_user("approver", "provincial_approver")
    clerk = page_factory()
    log_in(clerk, "staff_d1")
    clerk.goto(clerk.base + "/summaries/?month=2016-11")  # a clerk lands on their own district's month
    clerk.wait_for_selector("#status")
    clerk.shots("clerk-summary")
    clerk.fill("#comment", "Số liệu đã rà soát")
    # While data-quality findings remain open, submitting asks the clerk to confirm.
    remaining = open_count(get_unit("district", "D1"))
    assert clerk.locator("#findings-confirmed").count() == (1 if remaining else 0)
    if remaining:
        assert f"{remaining} điểm cần kiểm tra" in clerk.inner_text("#findings-open")
        clerk.check("#findings-confirmed")
    clerk.click("#submit")
    clerk.wait_for_selector("text=Đã nộp báo cáo.")
    clerk.shots("submitted")
    assert MonthlySummary.objects.get().status == "submitted"

    approver = page_factory()
    log_in(approver, "approver")
    approver.goto(approver.base + "/summaries/?month=2016-11")
    approver.shots("province-month")
    approver.click("#units >> text=Huyện Một")
    approver.wait_for_selector("#approve")
    approver.click("#approve")
    approver.wait_for_selector("text=Đã duyệt và chốt số liệu.")
    approver.shots("approved")
    summary = MonthlySummary.objects.get()
    assert summary.status == "approved" and summary.frozen["unit"]["code"] == "D1"

    with approver.expect_download() as download_info:
        approver.click("#pdf")
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == "bao-cao-D1-2016-11.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    assert clerk.errors == approver.errors == []
    assert clerk.outside == approver.outside == []
