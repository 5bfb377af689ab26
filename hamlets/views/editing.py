"""Editing records field by field (refusing lost updates), date corrections, and adding records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView

from .. import actions, forms, models
from ..permissions import (
    get_editable_or_403,
    require_editor,
)
from .common import changes_since, detail_url, version_of

# --- editing records field by field ------------------------------------------------------------


def edit_record(request, *, queryset, lookup, form_class, title, success_url=None):
    """Edit one record, refusing lost updates.

    The form carries the version (latest history id) it was opened with; on
    save the record is locked and, if its version moved on, nothing is saved
    and the other change is shown.
    """
    record = get_editable_or_403(request.user, queryset, **lookup)
    conflict = None
    if request.method == "POST":
        form = form_class(request.POST, instance=record, user=request.user)
        with transaction.atomic():
            actions.lock_parents_of(record)
            locked = type(record).objects.select_for_update().get(pk=record.pk)
            opened_with = request.POST.get("version", "")
            if opened_with != version_of(locked):
                conflict = changes_since(locked, opened_with)
                form = form_class(request.POST, instance=locked, user=request.user)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Bản ghi này vừa được người khác sửa sau khi bạn mở biểu mẫu. Không có gì được lưu: hãy xem "
                        "thay đổi của họ bên dưới, rồi mở lại biểu mẫu."
                    ),
                )
            elif form.is_valid():
                form.save()
                messages.success(request, _("Đã lưu %(record)s.") % {"record": record})
                return redirect(success_url or detail_url(record))
    else:
        form = form_class(instance=record, user=request.user, initial={"version": version_of(record)})
    return render(
        request,
        "hamlets/form.html",
        {"form": form, "title": title, "record": record, "conflict": conflict, "cancel_url": detail_url(record)},
    )


@login_required
def hamlet_edit(request, code):
    return edit_record(
        request,
        queryset=models.Hamlet.objects.all(),
        lookup={"code": code},
        form_class=forms.HamletForm,
        title=_("Sửa thôn, xóm"),
    )


@login_required
def branch_edit(request, code):
    return edit_record(
        request,
        queryset=models.Branch.objects.all(),
        lookup={"code": code},
        form_class=forms.BranchForm,
        title=_("Sửa tên chi bộ"),
    )


@login_required
def member_edit(request, code):
    return edit_record(
        request,
        queryset=models.Member.objects.all(),
        lookup={"code": code},
        form_class=forms.MemberForm,
        title=_("Sửa thông tin đảng viên"),
    )


@login_required
def villagehead_edit(request, code):
    return edit_record(
        request,
        queryset=models.VillageHead.objects.select_related("hamlet"),
        lookup={"code": code},
        form_class=forms.VillageHeadForm,
        title=_("Sửa nhiệm kỳ trưởng thôn"),
    )


# Corrections of dates typed wrongly (domain.md, "Corrections"): through
# edit_record, so the version check, the parent locks and the rules are the
# same as any edit; the form asks for a reason and keeps it in the history.


@login_required
def membership_correct(request, pk):
    return edit_record(
        request,
        queryset=models.Membership.objects.select_related("member", "branch"),
        lookup={"pk": pk},
        form_class=forms.MembershipCorrectionForm,
        title=_("Sửa ngày sinh hoạt đảng"),
    )


@login_required
def secretary_correct(request, pk):
    return edit_record(
        request,
        queryset=models.BranchSecretary.objects.select_related("member", "branch"),
        lookup={"pk": pk},
        form_class=forms.SecretaryCorrectionForm,
        title=_("Sửa ngày nhiệm kỳ bí thư"),
    )


@login_required
def head_term_correct(request, code):
    return edit_record(
        request,
        queryset=models.VillageHead.objects.select_related("hamlet"),
        lookup={"code": code},
        form_class=forms.HeadTermCorrectionForm,
        title=_("Sửa ngày nhiệm kỳ trưởng thôn"),
    )


@login_required
def candidate_edit(request, code):
    return edit_record(
        request,
        queryset=models.Candidate.objects.all(),
        lookup={"code": code},
        form_class=forms.CandidateForm,
        title=_("Sửa quần chúng ưu tú"),
    )


@login_required
def admissiontarget_edit(request, pk):
    return edit_record(
        request,
        queryset=models.AdmissionTarget.objects.all(),
        lookup={"pk": pk},
        form_class=forms.AdmissionTargetForm,
        title=_("Sửa chỉ tiêu kết nạp"),
    )


@login_required
def branchrating_edit(request, pk):
    return edit_record(
        request,
        queryset=models.BranchRating.objects.all(),
        lookup={"pk": pk},
        form_class=forms.BranchRatingForm,
        title=_("Sửa xếp loại chi bộ"),
    )


class ScopedCreateView(LoginRequiredMixin, CreateView):
    template_name = "hamlets/form.html"
    title = ""
    list_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_editor(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields.pop("version", None)
        return form

    def form_valid(self, form):
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            # The same record was added at the same moment (a double click):
            # checked again, the form now says what the rules say about it.
            form = self.get_form()
            if form.is_valid():
                form.add_error(None, actions.concurrent_change_message())
            return self.form_invalid(form)
        messages.success(self.request, _("Đã thêm %(record)s.") % {"record": self.object})
        return response

    def get_success_url(self):
        return detail_url(self.object)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title, "cancel_url": reverse(self.list_url_name)}


hamlet_create = ScopedCreateView.as_view(
    form_class=forms.HamletForm, title=gettext_lazy("Thêm thôn, xóm"), list_url_name="hamlets:hamlet_list"
)
candidate_create = ScopedCreateView.as_view(
    form_class=forms.CandidateForm, title=gettext_lazy("Thêm quần chúng ưu tú"), list_url_name="hamlets:candidate_list"
)
admissiontarget_create = ScopedCreateView.as_view(
    form_class=forms.AdmissionTargetForm,
    title=gettext_lazy("Thêm chỉ tiêu kết nạp"),
    list_url_name="hamlets:admissiontarget_list",
)
branchrating_create = ScopedCreateView.as_view(
    form_class=forms.BranchRatingForm,
    title=gettext_lazy("Thêm xếp loại chi bộ"),
    list_url_name="hamlets:branchrating_list",
)
