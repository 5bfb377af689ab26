"""Spreadsheet upload in the browser: template, upload, preview, confirm.

It is the import engine of hamlets/exchange with the user's commune scope:
the preview is a dry run, the confirmation a real run of the same file. All or
nothing, every error with sheet, row and column.
"""

import datetime
import io
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coverage_site.lib import spreadsheets
from coverage_site.lib.dates import today

from . import jobs
from .exchange import ImportResult, Problem, import_sheets
from .exchange.files import MB, Limits, UnreadableFile, check_zip, estimate_rows, read_csv, read_workbook
from .exchange.template import template_workbook
from .models import Job, Upload
from .permissions import commune_scope_codes, require_editor, visible_communes
from .templatetags.vn import dmy

MAX_UPLOAD_BYTES = 20 * MB
# A browser upload is checked and written while the clerk waits: larger
# files go to the administrators' import_data.
UPLOAD_LIMITS = Limits(
    uncompressed_bytes=100 * MB,
    rows=20_000,
    columns=60,
    advice=gettext_lazy(
        "Hãy chia thành nhiều tệp nhỏ hơn (tối đa 20.000 dòng mỗi tệp), "
        "hoặc gửi tệp cho quản trị viên để nhập bằng lệnh import_data."
    ),
)
UPLOAD_KEPT_FOR = datetime.timedelta(days=1)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp bảng tính (.xlsx hoặc .csv)"),
        help_text=gettext_lazy("Dùng mẫu tải về ở trên. Tối đa 20 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 20 MB."))
        if name.endswith(".xlsx"):
            try:
                check_zip(upload, UPLOAD_LIMITS)
            except UnreadableFile as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload


# Larger files are checked and applied in the background (hamlets/jobs.py),
# with a progress bar; smaller ones while the clerk waits, as any page.
INLINE_ROWS = 2_000
# Rows listed on the preview page (the counts cover every row).
PREVIEW_ROWS = 1_000


def raw_sheets_of(upload):
    data = bytes(upload.content)
    if upload.filename.lower().endswith(".csv"):
        return [read_csv(upload.filename.rsplit("/", 1)[-1][:-4], data, UPLOAD_LIMITS)]
    return read_workbook(io.BytesIO(data), UPLOAD_LIMITS)


def run(upload, user, *, dry_run):
    jobs.report(_("Đọc tệp"), 0, 0)
    try:
        sheets = raw_sheets_of(upload)
    except UnreadableFile as exc:
        return ImportResult(errors=[Problem(None, None, None, str(exc))])
    return import_sheets(
        sheets,
        dry_run=dry_run,
        commune_scope=commune_scope_codes(user),
        progress=jobs.report,
        release=True,
        user=user,
        reason=_("Tải lên bảng tính %(name)s") % {"name": upload.filename},
    )


def summary(result):
    """What the preview and result pages show of an ImportResult, as JSON (a job's result)."""
    rows = [
        (sheet, row_number, action, " + ".join(str(dmy(part)) for part in key))
        for sheet, entries in result.row_actions.items()
        for row_number, action, key in entries
        if action != "unchanged"
    ]
    return {
        "ok": result.ok,
        "applied": result.applied,
        "errors": [[e.sheet, e.row, e.column, e.message] for e in result.errors],
        "warnings": [str(w) for w in result.warnings],
        "created": result.total_created,
        "updated": result.total_updated,
        "rows": rows[:PREVIEW_ROWS],
        "more_rows": max(0, len(rows) - PREVIEW_ROWS),
    }


class Outcome:
    """A summary() read back, for the templates."""

    def __init__(self, data):
        self.errors = [Problem(*error) for error in data["errors"]]
        self.warnings = data["warnings"]
        self.total_created, self.total_updated = data["created"], data["updated"]
        self.rows, self.more_rows = data["rows"], data["more_rows"]
        self.ok, self.applied = data["ok"], data["applied"]
        self.unchanged = self.ok and not (self.total_created or self.total_updated)


def check_job(job):
    return summary(run(job.upload, job.user, dry_run=True))


def apply_job(job):
    result = run(job.upload, job.user, dry_run=False)
    if result.ok:
        # Applied: the file's personal data is not kept any longer.
        Upload.objects.filter(pk=job.upload_id).update(content=b"")
    return summary(result)


def _start(request, kind, stored):
    inline = estimate_rows(bytes(stored.content), stored.filename) <= INLINE_ROWS
    return jobs.start(
        request, kind, label=stored.filename, upload=stored, dedupe_key=f"{kind}:{stored.token}", inline=inline
    )


@login_required
def upload(request):
    require_editor(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Files never confirmed are not kept: they hold personal data.
        Upload.objects.filter(created_at__lt=timezone.now() - UPLOAD_KEPT_FOR).delete()
        file = form.cleaned_data["file"]
        stored = Upload.objects.create(
            token=secrets.token_urlsafe(16), user=request.user, filename=file.name, content=file.read()
        )
        _start(request, Job.CHECK_UPLOAD, stored)
        return redirect("hamlets:upload_preview", token=stored.token)
    return render(request, "hamlets/upload.html", {"form": form})


@login_required
def preview(request, token):
    """The upload's page, whatever its step: checking (progress), the preview
    (errors, or what will change, and the confirm button), importing
    (progress), imported. It can be reloaded or come back to at any step."""
    require_editor(request.user)
    stored = get_object_or_404(Upload, token=token, user=request.user)
    if request.method == "POST":
        job, created = _start(request, Job.APPLY_UPLOAD, stored)
        if created and job.succeeded:
            messages.success(
                request,
                _("Đã nhập tệp %(name)s: thêm %(created)d, cập nhật %(updated)d bản ghi.")
                % {"name": stored.filename, "created": job.result["created"], "updated": job.result["updated"]},
            )
            return redirect("home")
        if not (created and job.state == Job.DONE):
            return redirect("hamlets:upload_preview", token=token)  # running, or a second click
    latest = stored.jobs.order_by("-pk")
    job = latest.filter(kind=Job.APPLY_UPLOAD).first() or latest.filter(kind=Job.CHECK_UPLOAD).first()
    if job is None:  # uploaded before jobs existed, or its check was forgotten
        job, _created = _start(request, Job.CHECK_UPLOAD, stored)
    applying = job.kind == Job.APPLY_UPLOAD
    context = {"upload": stored, "job": job, "applying": applying}
    if job.state == Job.DONE:
        context["result"] = Outcome(job.result)
        if applying and not job.result["ok"]:
            messages.error(request, _("Không nhập được: dữ liệu đã thay đổi từ lúc xem trước. Không có gì được ghi."))
    return render(request, "hamlets/upload_preview.html", context)


@login_required
def template(request):
    """The XLSX template of hamlets/exchange/template.py, for the user's communes."""
    require_editor(request.user)
    buffer = io.BytesIO()
    template_workbook(visible_communes(request.user)).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=spreadsheets.XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-lieu-{today():%Y-%m-%d}.xlsx"'
    return response
