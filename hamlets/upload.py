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

from .exchange import import_sheets
from .exchange.files import MB, Limits, UnreadableFile, check_zip, read_csv, read_workbook
from .exchange.template import template_workbook
from .models import Upload
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


def raw_sheets_of(upload):
    data = bytes(upload.content)
    if upload.filename.lower().endswith(".csv"):
        return [read_csv(upload.filename.rsplit("/", 1)[-1][:-4], data, UPLOAD_LIMITS)]
    return read_workbook(io.BytesIO(data), UPLOAD_LIMITS)


def run(upload, user, *, dry_run):
    try:
        sheets = raw_sheets_of(upload)
    except UnreadableFile as exc:
        from .exchange import ImportResult, Problem

        return ImportResult(errors=[Problem(None, None, None, str(exc))])
    return import_sheets(
        sheets,
        dry_run=dry_run,
        commune_scope=commune_scope_codes(user),
        user=user,
        reason=_("Tải lên bảng tính %(name)s") % {"name": upload.filename},
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
        return redirect("hamlets:upload_preview", token=stored.token)
    return render(request, "hamlets/upload.html", {"form": form})


@login_required
def preview(request, token):
    require_editor(request.user)
    stored = get_object_or_404(Upload, token=token, user=request.user)
    if request.method == "POST":
        result = run(stored, request.user, dry_run=False)
        if result.ok:
            stored.delete()
            messages.success(
                request,
                _("Đã nhập tệp %(name)s: thêm %(created)d, cập nhật %(updated)d bản ghi.")
                % {"name": stored.filename, "created": result.total_created, "updated": result.total_updated},
            )
            return redirect("home")
        messages.error(request, _("Không nhập được: dữ liệu đã thay đổi từ lúc xem trước. Không có gì được ghi."))
    else:
        result = run(stored, request.user, dry_run=True)
    rows = [
        (
            sheet,
            row_number,
            action,
            " + ".join(str(dmy(part)) for part in key),
        )
        for sheet, entries in result.row_actions.items()
        for row_number, action, key in entries
        if action != "unchanged"
    ]
    return render(
        request,
        "hamlets/upload_preview.html",
        {
            "upload": stored,
            "result": result,
            "unchanged": result.ok and not (result.total_created or result.total_updated),
            "rows": rows[:1000],
            "more_rows": max(0, len(rows) - 1000),
        },
    )


@login_required
def template(request):
    """The XLSX template of hamlets/exchange/template.py, for the user's communes."""
    require_editor(request.user)
    buffer = io.BytesIO()
    template_workbook(visible_communes(request.user)).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=spreadsheets.XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-lieu-{today():%Y-%m-%d}.xlsx"'
    return response
