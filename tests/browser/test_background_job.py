"""A large upload in a real browser: the page shows the job's progress bar,
follows the job by itself (no reload by hand) and shows the preview, then
the import, when the job ends."""

import pytest

from hamlets import jobs, upload
from hamlets.jobs import Job
from hamlets.models import Member

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_a_large_upload_shows_progress_then_the_preview(page_factory, browser_data, tmp_path, settings, monkeypatch):
    monkeypatch.setattr(upload, "INLINE_ROWS", 5)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the test is the worker
    lines = ["code,full_name,gender,birth_date,residence_hamlet_code,admitted_on,official_on"]
    lines += [f"N{n:03d},Đinh Văn Số {n},male,02/02/1970,H1,03/03/1995,03/03/1996" for n in range(50)]
    csv = tmp_path / "members.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = page_factory()
    log_in(page, "staff_d1")
    page.click("text=Nhập bảng tính")
    page.set_input_files("#id_file", str(csv))
    page.click("main button[type=submit]")
    page.wait_for_selector("#job-progress")
    page.shots("checking")
    assert "Đang chờ đến lượt" in page.inner_text("#job-progress")

    jobs.execute(Job.objects.get(kind=Job.CHECK_UPLOAD).token)
    page.wait_for_selector("#summary")  # the page noticed the end by itself
    page.shots("preview")
    assert "Sẽ thêm 50 và cập nhật 0 bản ghi." in page.inner_text("#summary")
    page.click("#confirm")
    page.wait_for_selector("#job-progress")
    page.shots("importing")
    jobs.execute(Job.objects.get(kind=Job.APPLY_UPLOAD).token)
    page.wait_for_selector("text=Đã nhập: thêm 50 và cập nhật 0 bản ghi.")
    page.shots("imported")
    assert Member.objects.filter(code__startswith="N").count() == 50

    page.click("text=Việc chạy nền")
    page.wait_for_selector("h1:has-text('Việc chạy nền')")
    page.shots("jobs")
    assert page.locator("table.table tbody tr").count() == 2
    assert page.errors == [] and page.outside == []
