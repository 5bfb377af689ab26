"""The pages of the actions of hamlets/actions.py: admit, transfer, found, appoint…"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from coverage_site.lib.dates import today

from .. import actions, forms, models
from ..permissions import (
    get_editable_or_403,
    require_editor,
)
from .common import detail_url

# --- actions -------------------------------------------------------------------------------------


def run_action(request, *, form, perform, title, record=None, success, cancel_url, confirm=""):
    """Show an action form; on a valid POST run `perform(cleaned_data)`; any
    rule broken comes back next to its field and nothing is saved."""
    if request.method == "POST" and form.is_valid():
        result = _perform(form, perform)
        if result is not None:
            messages.success(request, success)
            return redirect(detail_url(result if record is None else record))
    return render(
        request,
        "hamlets/form.html",
        {"form": form, "title": title, "record": record, "cancel_url": cancel_url, "confirm": confirm},
    )


def _perform(form, perform, retry=True):
    """perform(cleaned_data), or None with the errors put on the form."""
    try:
        return perform(form.cleaned_data)
    except actions.ConcurrentChange:
        if not retry:
            form.add_error(None, actions.concurrent_change_message())
            return None
        # Another request won a race (a double click): check the form again,
        # now against the committed rows, and run once more.
        form.full_clean()
        return _perform(form, perform, retry=False) if form.is_valid() else None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
def member_admit(request):
    require_editor(request.user)
    initial = {}
    candidate_code = request.GET.get("candidate")
    if candidate_code:
        candidate = get_editable_or_403(request.user, models.Candidate.objects.all(), code=candidate_code)
        initial = {
            "candidate": candidate,
            "full_name": candidate.full_name,
            "gender": candidate.gender,
            "birth_date": candidate.birth_date,
            "residence_hamlet": candidate.hamlet,
        }
    form = forms.AdmitForm(_data(request), user=request.user, initial=initial)
    return run_action(
        request,
        form=form,
        perform=lambda data: actions.member_admit(**data),
        title=_("Kết nạp đảng viên"),
        success=_("Đã kết nạp đảng viên."),
        cancel_url=reverse("hamlets:member_list"),
    )


def _member_action(request, code, form_class, perform, title, success, confirm=""):
    member = get_editable_or_403(request.user, models.Member.objects.all(), code=code)
    form = form_class(
        _data(request), **({"user": request.user} if issubclass(form_class, forms.ScopedFormMixin) else {})
    )
    return run_action(
        request,
        form=form,
        perform=lambda data: perform(member, data),
        title=f"{title}: {member}",
        record=member,
        success=success,
        cancel_url=detail_url(member),
        confirm=confirm,
    )


@login_required
def member_recognise(request, code):
    return _member_action(
        request,
        code,
        forms.RecogniseForm,
        lambda m, d: actions.member_recognise(member=m, **d),
        _("Công nhận đảng viên chính thức"),
        _("Đã công nhận đảng viên chính thức."),
    )


@login_required
def member_training(request, code):
    return _member_action(
        request,
        code,
        forms.TrainingForm,
        lambda m, d: actions.member_record_training(member=m, **d),
        _("Ghi nhận bồi dưỡng nghiệp vụ"),
        _("Đã ghi nhận bồi dưỡng."),
    )


@login_required
def member_transfer(request, code):
    return _member_action(
        request,
        code,
        forms.TransferForm,
        lambda m, d: actions.member_transfer(member=m, **d),
        _("Chuyển sinh hoạt"),
        _("Đã chuyển sinh hoạt."),
    )


@login_required
def member_leave(request, code):
    return _member_action(
        request,
        code,
        forms.LeaveForm,
        lambda m, d: actions.member_leave(member=m, **d),
        _("Thôi sinh hoạt"),
        _("Đã ghi nhận thôi sinh hoạt."),
        confirm=_("Đảng viên sẽ thôi sinh hoạt ở chi bộ hiện tại. Hồ sơ vẫn được lưu."),
    )


@login_required
def branch_found(request):
    require_editor(request.user)
    form = forms.FoundBranchForm(_data(request), user=request.user)
    return run_action(
        request,
        form=form,
        perform=lambda data: actions.branch_found(**data),
        title=_("Thành lập chi bộ"),
        success=_("Đã thành lập chi bộ."),
        cancel_url=reverse("hamlets:branch_list"),
    )


def _branch_action(request, code, make_form, perform, title, success, confirm=""):
    branch = get_editable_or_403(request.user, models.Branch.objects.select_related("commune"), code=code)
    form = make_form(branch)
    return run_action(
        request,
        form=form,
        perform=lambda data: perform(branch, data),
        title=f"{title}: {branch}",
        record=None,
        success=success,
        cancel_url=detail_url(branch),
        confirm=confirm,
    )


@login_required
def branch_secretary(request, code):
    return _branch_action(
        request,
        code,
        lambda b: forms.SecretaryForm(_data(request), branch=b),
        lambda b, d: actions.branch_appoint_secretary(branch=b, **d) and b,
        _("Bầu, chỉ định bí thư"),
        _("Đã cập nhật bí thư chi bộ."),
    )


@login_required
def branch_hamlets(request, code):
    return _branch_action(
        request,
        code,
        lambda b: forms.ChangeHamletsForm(_data(request), branch=b, user=request.user),
        lambda b, d: actions.branch_change_hamlets(branch=b, **d),
        _("Thay đổi thôn, xóm sinh hoạt"),
        _("Đã giải thể chi bộ cũ và thành lập chi bộ mới; đảng viên đã được chuyển sang."),
        confirm=_("Chi bộ hiện tại sẽ giải thể vào ngày đã chọn và một chi bộ mới được thành lập."),
    )


@login_required
def branch_dissolve(request, code):
    return _branch_action(
        request,
        code,
        lambda b: forms.DissolveForm(_data(request)),
        lambda b, d: actions.branch_dissolve(branch=b, **d),
        _("Giải thể chi bộ"),
        _("Đã giải thể chi bộ."),
        confirm=_("Việc giải thể không xóa dữ liệu nhưng chi bộ sẽ không còn hoạt động từ ngày này."),
    )


@login_required
def hamlet_head(request, code):
    hamlet = get_editable_or_403(request.user, models.Hamlet.objects.all(), code=code)
    form = forms.AppointHeadForm(
        _data(request), user=request.user, initial={"code": f"TT-{hamlet.code}-{today():%Y%m%d}", "term_start": today()}
    )
    return run_action(
        request,
        form=form,
        perform=lambda data: actions.hamlet_appoint_head(hamlet=hamlet, **data),
        title=_("Bầu trưởng thôn: %(hamlet)s") % {"hamlet": hamlet},
        record=hamlet,
        success=_("Đã cập nhật trưởng thôn."),
        cancel_url=detail_url(hamlet),
    )


@login_required
def head_end(request, code):
    head = get_editable_or_403(request.user, models.VillageHead.objects.select_related("hamlet"), code=code)
    form = forms.EndTermForm(_data(request))
    return run_action(
        request,
        form=form,
        perform=lambda data: actions.head_end_term(head=head, **data),
        title=_("Kết thúc nhiệm kỳ: %(head)s") % {"head": head},
        record=head.hamlet,
        success=_("Đã kết thúc nhiệm kỳ."),
        cancel_url=detail_url(head.hamlet),
    )
