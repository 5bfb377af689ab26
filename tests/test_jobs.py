"""Background jobs (hamlets/jobs.py): a large upload is checked and applied
by a job with a progress bar; its page survives a reload; a second click does
not start a second job; a failure reports its located errors and writes
nothing; a large list export is a job whose file is its owner's only."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from hamlets import jobs, upload
from hamlets.exchange import export_tables
from hamlets.jobs import Job
from hamlets.models import Member
from hamlets.views import lists

pytestmark = pytest.mark.django_db

MEMBERS_HEADER = "code,full_name,gender,birth_date,residence_hamlet_code,admitted_on,official_on\n"
QUEUE_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def members_csv(count, *, bad_row=None):
    lines = [MEMBERS_HEADER]
    for n in range(count):
        birth = "1970-02-31" if n + 2 == bad_row else "1970-02-02"
        lines.append(f"N{n:05d},Đinh Văn Số {n},male,{birth},H1,1995-03-03,1996-03-03\n")
    return "".join(lines).encode()


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast["staff"])
    return client


@pytest.fixture
def background(monkeypatch, settings):
    """Every upload goes to the background; jobs wait in the queue until the test runs them."""
    monkeypatch.setattr(upload, "INLINE_ROWS", 5)
    settings.TASKS = QUEUE_ONLY


def post_file(client, name, content):
    response = client.post(reverse("hamlets:upload"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def run_queued():
    for job in Job.objects.filter(state=Job.QUEUED).order_by("pk"):
        jobs.execute(job.token)


def test_a_large_upload_is_checked_and_applied_in_the_background(staff_client, background):
    preview_url = post_file(staff_client, "members.csv", members_csv(40))
    check = Job.objects.get()
    assert (check.kind, check.state) == (Job.CHECK_UPLOAD, Job.QUEUED)
    page = staff_client.get(preview_url).content.decode()
    assert 'id="job-progress"' in page and "Đang chờ đến lượt" in page and 'id="confirm"' not in page
    status = staff_client.get(reverse("hamlets:job_status", args=[check.token])).json()
    assert status["active"] and status["state"] == "queued"
    # A reload shows the same job; nothing new is started.
    staff_client.get(preview_url)
    assert Job.objects.count() == 1
    run_queued()
    page = staff_client.get(preview_url).content.decode()
    assert "Sẽ thêm 40 và cập nhật 0 bản ghi." in page and 'id="confirm"' in page
    assert not Member.objects.filter(code__startswith="N").exists()
    # Confirm, twice (a double click): one import job.
    assert staff_client.post(preview_url).status_code == 302
    assert staff_client.post(preview_url).status_code == 302
    assert Job.objects.filter(kind=Job.APPLY_UPLOAD).count() == 1
    page = staff_client.get(preview_url).content.decode()
    assert 'id="job-progress"' in page and "Nhập tệp tải lên" in page
    run_queued()
    page = staff_client.get(preview_url).content.decode()
    assert "Đã nhập: thêm 40 và cập nhật 0 bản ghi." in page
    assert Member.objects.filter(code__startswith="N").count() == 40
    # A click on the old confirm button after the import does not import again.
    assert staff_client.post(preview_url).status_code == 302
    assert Job.objects.filter(kind=Job.APPLY_UPLOAD).count() == 1
    assert bytes(Job.objects.get(kind=Job.APPLY_UPLOAD).upload.content) == b""  # the file is not kept


def test_progress_is_visible_while_the_job_runs(staff_client, background, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    preview_url = post_file(staff_client, "members.csv", members_csv(30))
    token = Job.objects.get().token
    seen = []
    reporter_call = jobs._Reporter.__call__

    def and_look(self, stage, done, total):
        reporter_call(self, stage, done, total)
        seen.append(staff_client.get(reverse("hamlets:job_status", args=[token])).json())

    monkeypatch.setattr(jobs._Reporter, "__call__", and_look)
    run_queued()
    assert seen and all(status["state"] == "running" for status in seen)
    stages = [status["stage"] for status in seen]
    assert "Đọc tệp" in stages and "Đối chiếu" in stages
    last_check = [s for s in seen if s["stage"] == "Đối chiếu"][-1]
    assert (last_check["done"], last_check["total"], last_check["percent"]) == (30, 30, 100)
    # Finished: the page shows the preview, the status says so.
    assert not staff_client.get(reverse("hamlets:job_status", args=[token])).json()["active"]
    assert "Sẽ thêm 30" in staff_client.get(preview_url).content.decode()


def test_a_failing_file_reports_located_errors_and_writes_nothing(staff_client, background):
    preview_url = post_file(staff_client, "members.csv", members_csv(20, bad_row=7))
    before = export_tables()
    run_queued()
    response = staff_client.get(preview_url)
    errors = [(e.sheet, e.row, e.column) for e in response.context["result"].errors]
    assert errors == [("members", 7, "birth_date")]
    assert "1 lỗi — chưa có gì được ghi" in response.content.decode()
    staff_client.post(preview_url)  # a confirmation typed by hand
    run_queued()
    response = staff_client.get(preview_url)
    assert [(e.sheet, e.row) for e in response.context["result"].errors] == [("members", 7)]
    assert export_tables() == before


def test_a_crash_is_shown_and_writes_nothing(staff_client, background, monkeypatch):
    preview_url = post_file(staff_client, "members.csv", members_csv(10))
    run_queued()
    staff_client.post(preview_url)
    before = export_tables()

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(upload, "import_sheets", crash)
    run_queued()
    assert Job.objects.get(kind=Job.APPLY_UPLOAD).state == Job.FAILED
    assert "Có sự cố khi xử lý tệp — không có gì được ghi" in staff_client.get(preview_url).content.decode()
    assert export_tables() == before


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(staff_client, monkeypatch, settings):
    """The production path: django-tasks' database backend and its worker command
    (committed data: the worker closes connections between tasks, as in production)."""
    monkeypatch.setattr(upload, "INLINE_ROWS", 5)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    preview_url = post_file(staff_client, "members.csv", members_csv(12))
    assert Job.objects.get().state == Job.QUEUED
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    assert Job.objects.get().state == Job.DONE
    assert "Sẽ thêm 12 và cập nhật 0 bản ghi." in staff_client.get(preview_url).content.decode()


def test_small_uploads_still_answer_in_the_same_request(staff_client):
    preview_url = post_file(staff_client, "members.csv", members_csv(3))
    assert Job.objects.get().state == Job.DONE
    assert "Sẽ thêm 3 và cập nhật 0 bản ghi." in staff_client.get(preview_url).content.decode()


def test_two_active_jobs_for_the_same_work_are_refused_by_the_database(cast):
    fields = {"user": cast["staff"], "kind": Job.EXPORT_LIST, "label": "x", "dedupe_key": "same"}
    Job.objects.create(token="a", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(token="b", **fields)
    Job.objects.filter(token="a").update(state=Job.DONE)
    Job.objects.create(token="c", **fields)  # once the first has ended, the work may run again


def test_a_large_list_export_is_a_job_whose_file_is_its_owners_only(client, cast, monkeypatch):
    monkeypatch.setattr(lists, "EXPORT_INLINE_ROWS", 1)
    client.force_login(cast["staff"])
    response = client.get(reverse("hamlets:member_list"), {"_export": "xlsx"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == reverse("hamlets:job_detail", args=[job.token])
    page = client.get(response["Location"]).content.decode()
    assert 'id="download"' in page and "Đã xong: 3 dòng." in page
    job.refresh_from_db()
    assert job.succeeded and job.result["rows"] == 3  # the three members of district D1
    file = client.get(reverse("hamlets:job_file", args=[job.token]))
    sheet = openpyxl.load_workbook(io.BytesIO(file.content)).active
    codes = sorted(row[0] for row in sheet.iter_rows(values_only=True) if row[0] in {"M1", "M2", "M3", "M4"})
    assert codes == ["M1", "M2", "M3"]  # not M4, of district D2
    client.force_login(cast["other_staff"])
    for name in ("job_detail", "job_status", "job_file"):
        assert client.get(reverse(f"hamlets:{name}", args=[job.token])).status_code == 404
    assert job.label not in client.get(reverse("hamlets:job_list")).content.decode()


def test_a_second_click_on_a_large_export_shows_the_same_job(client, cast, monkeypatch, settings):
    monkeypatch.setattr(lists, "EXPORT_INLINE_ROWS", 1)
    settings.TASKS = QUEUE_ONLY
    client.force_login(cast["viewer"])
    first = client.get(reverse("hamlets:member_list"), {"_export": "csv", "sort": "full_name"})
    second = client.get(reverse("hamlets:member_list"), {"_export": "csv", "sort": "full_name"})
    assert first["Location"] == second["Location"] and Job.objects.count() == 1
    page = client.get(first["Location"]).content.decode()
    assert 'id="job-progress"' in page
    other = client.get(reverse("hamlets:member_list"), {"_export": "csv"})
    assert other["Location"] != first["Location"]  # other filters: another file


def test_the_jobs_page_lists_the_users_jobs(staff_client, background):
    post_file(staff_client, "members.csv", members_csv(10))
    page = staff_client.get(reverse("hamlets:job_list")).content.decode()
    assert "Kiểm tra tệp tải lên" in page and "members.csv" in page and "đang chờ" in page
