"""Data-entry pages: lists, record pages, edits, actions, history.

Every page requires a login; every record is fetched through
hamlets/permissions.py, so a record outside the user's scope answers 404 and
a write by a read-only role 403, whatever URL is typed.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from coverage_site.lib import spreadsheets
from coverage_site.lib.dates import in_range, parse_day, range_message, today

from . import actions, filters, forms, models, tables
from .permissions import (
    can_approve,
    can_edit,
    get_editable_or_403,
    get_visible_or_404,
    home_unit,
    require_editor,
    role_of,
)
from .timeline import branch_timeline, hamlet_timeline

# --- helpers -----------------------------------------------------------------------------


def as_of_from(request):
    """The date of a page: ?as_of=dd/mm/yyyy or YYYY-MM-DD, else today. A
    date that cannot be read is replaced by today, with a message saying so."""
    text = request.GET.get("as_of", "").strip()
    day = parse_day(text)
    if day is None and text:
        messages.warning(
            request, _("Ngày “%(text)s” không hợp lệ (viết dd/mm/yyyy): đang xem ngày hôm nay.") % {"text": text}
        )
    elif day is not None and not in_range(day):
        messages.warning(request, range_message() + " " + _("Đang xem ngày hôm nay."))
        day = None
    return day or today()


def version_of(record):
    """The record's version token: its latest history id ("" if none)."""
    latest = record.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or "")


def changes_since(record, version):
    """History entries of the record after `version`, newest first, with their field changes."""
    entries = record.history.select_related("history_user").order_by("-history_id")
    if version:
        entries = entries.filter(history_id__gt=int(version))
    return describe_history(list(entries))


def describe_history(entries):
    """[(entry, [(field label, old, new)])] for consecutive history entries of
    one record, newest first. Each entry's previous version is the next one
    in the list; only the oldest needs a query."""
    described = []
    for index, entry in enumerate(entries):
        previous = entries[index + 1] if index + 1 < len(entries) else entry.prev_record
        changes = []
        if previous is not None:
            delta = entry.diff_against(previous)
            for change in delta.changes:
                field = entry.instance_type._meta.get_field(change.field)
                changes.append((field.verbose_name, change.old, change.new))
        described.append((entry, changes))
    return described


# --- home ----------------------------------------------------------------------------------


@login_required
def home(request):
    from reports import summaries
    from reports.dashboards import action_lists
    from reports.indicators import INDICATOR_BY_KEY, Snapshot, compute, get_unit

    day = as_of_from(request)
    role = role_of(request.user)
    context = {"as_of": day, "role": role}
    communes = models.Commune.objects.visible_to(request.user).active_on(day)
    if can_edit(request.user) and role != models.Role.ADMIN:
        context["actions"] = action_lists(Snapshot(communes, day))
        soon = day + datetime.timedelta(days=90)
        context["heads_ending"] = (
            models.VillageHead.objects.visible_to(request.user)
            .filter(term_end__gt=day, term_end__lte=soon)
            .select_related("hamlet")
        )
        due = (
            models.Member.objects.visible_to(request.user)
            .filter(official_on__isnull=True, admitted_on__lte=day - datetime.timedelta(days=365))
            .filter(pk__in=models.Membership.objects.active_on(day).values("member_id"))
            .order_by("admitted_on", "name_folded")
        )
        context["due_recognition_count"] = due.count()
        context["due_recognition"] = due[:50]
        context["clerk"] = True
        own = home_unit(request.user)
        if own:
            context["summary_unit"] = get_unit(*own)
            context["summaries_to_submit"] = summaries.to_submit(context["summary_unit"])
    else:
        if can_approve(request.user):
            context["waiting"] = summaries.waiting_for_approval()
        result = compute(get_unit("province", "all"), day)
        context["figures"] = [(INDICATOR_BY_KEY[key], figure) for key, figure in result["indicators"].items()]
    return render(request, "hamlets/home.html", context)


# --- lists -----------------------------------------------------------------------------------


class ScopedListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """A filterable, sortable, paginated, exportable list of what the user may
    see. ?_export=csv|xlsx downloads the filtered list (coverage_site/lib/spreadsheets.py)."""

    template_name = "hamlets/list.html"
    export_formats = spreadsheets.EXPORT_FORMATS
    table_pagination = {"per_page": 50}
    select_related = ()
    prefetch_related = ()
    queryset_methods = ()
    title = ""
    create_url_name = None

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        for method in self.queryset_methods:  # named QuerySet methods a list needs, e.g. with_current_branch
            queryset = getattr(queryset, method)()
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def get_export_filename(self, export_format):
        return f"{self.model._meta.model_name}-{today():%Y-%m-%d}.{export_format}"

    def render_to_response(self, context, **kwargs):
        export_format = self.request.GET.get("_export")
        if export_format is None:
            return super().render_to_response(context, **kwargs)
        if export_format not in self.export_formats:
            return spreadsheets.bad_export_format(export_format)
        table = self.get_table(**self.get_table_kwargs())
        lines = [f"{self.title} – {today():%d/%m/%Y}"]
        if self.filter_summary():
            lines.append(_("Bộ lọc: %(filters)s") % {"filters": self.filter_summary()})
        return spreadsheets.table_response(
            table, export_format, self.get_export_filename(export_format), title=str(self.title), title_lines=lines
        )

    def filter_summary(self):
        """The filters in use, as a reader of the file should see them: "Xã: Quỳnh Thanh; Tìm: nguyen"."""
        form = self.filterset.form
        if not form.is_valid():
            return ""
        parts = []
        for name, value in form.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            field = form.fields[name]
            if isinstance(value, datetime.date):
                value = f"{value:%d/%m/%Y}"
            elif getattr(field, "choices", None) and not hasattr(value, "pk"):
                value = dict(field.choices).get(value, value)
            parts.append(f"{field.label}: {value}")
        return "; ".join(parts)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        if self.create_url_name and can_edit(self.request.user):
            context["create_url"] = reverse(self.create_url_name)
        return context


def list_view(model, table, filterset, title, *, select=(), prefetch=(), methods=(), create=None):
    return ScopedListView.as_view(
        queryset_methods=methods,
        model=model,
        table_class=table,
        filterset_class=filterset,
        title=title,
        select_related=select,
        prefetch_related=prefetch,
        create_url_name=create,
    )


commune_list = list_view(
    models.Commune,
    tables.CommuneTable,
    filters.CommuneFilter,
    gettext_lazy("Xã, phường, thị trấn"),
    select=["district"],
)
hamlet_list = list_view(
    models.Hamlet,
    tables.HamletTable,
    filters.HamletFilter,
    gettext_lazy("Thôn, xóm"),
    select=["commune"],
    prefetch=["area_types"],
    create="hamlets:hamlet_create",
)
branch_list = list_view(
    models.Branch,
    tables.BranchTable,
    filters.BranchFilter,
    gettext_lazy("Chi bộ"),
    select=["commune"],
    prefetch=["hamlets"],
    create="hamlets:branch_found",
)
member_list = list_view(
    models.Member,
    tables.MemberTable,
    filters.MemberFilter,
    gettext_lazy("Đảng viên"),
    select=["residence_hamlet"],
    methods=["with_current_branch"],
    create="hamlets:member_admit",
)
villagehead_list = list_view(
    models.VillageHead,
    tables.VillageHeadTable,
    filters.VillageHeadFilter,
    gettext_lazy("Trưởng thôn, xóm"),
    select=["hamlet", "member"],
)
candidate_list = list_view(
    models.Candidate,
    tables.CandidateTable,
    filters.CandidateFilter,
    gettext_lazy("Quần chúng ưu tú"),
    select=["hamlet"],
    create="hamlets:candidate_create",
)
admissiontarget_list = list_view(
    models.AdmissionTarget,
    tables.AdmissionTargetTable,
    filters.AdmissionTargetFilter,
    gettext_lazy("Chỉ tiêu kết nạp"),
    select=["commune"],
    create="hamlets:admissiontarget_create",
)
branchrating_list = list_view(
    models.BranchRating,
    tables.BranchRatingTable,
    filters.BranchRatingFilter,
    gettext_lazy("Xếp loại chi bộ"),
    select=["branch"],
    create="hamlets:branchrating_create",
)


# --- record pages ------------------------------------------------------------------------------


@login_required
def hamlet_detail(request, code):
    from reports.indicators import Snapshot, hamlet_coverage

    hamlet = get_visible_or_404(request.user, models.Hamlet.objects.select_related("commune"), code=code)
    day = as_of_from(request)
    row = Snapshot(models.Commune.objects.filter(pk=hamlet.commune_id), day).hamlets.get(hamlet.pk)
    context = {
        "hamlet": hamlet,
        "as_of": day,
        "coverage": hamlet_coverage(row) if row else None,
        "branches": hamlet.branches.select_related("commune").order_by("-established_on"),
        "residents": models.Membership.objects.active_on(day)
        .filter(member__residence_hamlet=hamlet)
        .select_related("member", "branch")
        .order_by("member__name_folded"),
        "heads": hamlet.head_terms.select_related("member").order_by("-term_start"),
        "candidates": hamlet.candidates.order_by("-identified_on"),
        "timeline": hamlet_timeline(hamlet),
        "can_edit": can_edit(request.user),
    }
    return render(request, "hamlets/hamlet_detail.html", context)


@login_required
def branch_detail(request, code):
    from reports.indicators import Snapshot

    branch = get_visible_or_404(request.user, models.Branch.objects.select_related("commune"), code=code)
    day = as_of_from(request)
    row = Snapshot(models.Commune.objects.filter(pk=branch.commune_id), day).branches.get(branch.pk)
    context = {
        "branch": branch,
        "as_of": day,
        "state": row,
        "hamlets": branch.hamlets.order_by("code"),
        "memberships": branch.memberships.active_on(day).select_related("member").order_by("member__name_folded"),
        "past_memberships": branch.memberships.filter(left_on__lte=day)
        .select_related("member")
        .order_by("-left_on")[:100],
        "secretaries": branch.secretary_terms.select_related("member").order_by("-start_on"),
        "ratings": branch.ratings.order_by("-year"),
        "timeline": branch_timeline(branch),
        "can_edit": can_edit(request.user),
    }
    return render(request, "hamlets/branch_detail.html", context)


@login_required
def member_detail(request, code):
    member = get_visible_or_404(request.user, models.Member.objects.select_related("residence_hamlet"), code=code)
    day = as_of_from(request)
    context = {
        "member": member,
        "as_of": day,
        "current": actions.active_membership(member, day),
        "memberships": member.memberships.select_related("branch").order_by("-joined_on"),
        "secretary_terms": member.secretary_terms.select_related("branch").order_by("-start_on"),
        "head_terms": member.head_terms.select_related("hamlet").order_by("-term_start"),
        "can_edit": can_edit(request.user),
    }
    return render(request, "hamlets/member_detail.html", context)


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


def detail_url(record):
    if isinstance(record, models.Hamlet):
        return reverse("hamlets:hamlet_detail", args=[record.code])
    if isinstance(record, models.Branch):
        return reverse("hamlets:branch_detail", args=[record.code])
    if isinstance(record, models.Member):
        return reverse("hamlets:member_detail", args=[record.code])
    if isinstance(record, models.VillageHead):
        return reverse("hamlets:hamlet_detail", args=[record.hamlet.code])
    if isinstance(record, models.Membership):
        return reverse("hamlets:member_detail", args=[record.member.code])
    if isinstance(record, models.BranchSecretary):
        return reverse("hamlets:branch_detail", args=[record.branch.code])
    if isinstance(record, models.Candidate):
        return reverse("hamlets:candidate_list")
    if isinstance(record, models.AdmissionTarget):
        return reverse("hamlets:admissiontarget_list")
    if isinstance(record, models.BranchRating):
        return reverse("hamlets:branchrating_list")
    return reverse("home")


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


# --- history ----------------------------------------------------------------------------------------

HISTORY_MODELS = {
    "commune": models.Commune,
    "hamlet": models.Hamlet,
    "branch": models.Branch,
    "member": models.Member,
    "membership": models.Membership,
    "secretary": models.BranchSecretary,
    "villagehead": models.VillageHead,
    "candidate": models.Candidate,
    "admissiontarget": models.AdmissionTarget,
    "branchrating": models.BranchRating,
}


@login_required
def record_history(request, kind, pk):
    model = HISTORY_MODELS.get(kind)
    if model is None:
        raise Http404
    record = get_visible_or_404(request.user, model.objects.all(), pk=pk)
    entries = describe_history(list(record.history.select_related("history_user").order_by("-history_id")[:200]))
    if isinstance(record, models.Member):
        # A transfer is part of the member's story: the memberships' changes too.
        by_membership = {}
        for entry in models.Membership.history.filter(member_id=record.pk).select_related("history_user"):
            by_membership.setdefault(entry.id, []).append(entry)
        for group in by_membership.values():
            entries += describe_history(sorted(group, key=lambda entry: entry.history_id, reverse=True))
        entries.sort(key=lambda item: item[0].history_date, reverse=True)
    return render(
        request, "hamlets/history.html", {"record": record, "entries": entries, "back_url": detail_url(record)}
    )


@login_required
def change_log(request):
    """All changes, by a user and/or in a period (administrators only)."""
    if role_of(request.user) != models.Role.ADMIN:
        raise PermissionDenied
    from django.contrib.auth import get_user_model

    # Always bound (every field is optional): the page opens on the latest changes.
    form = forms.ChangeLogForm(request.GET)
    rows = []
    if form.is_valid():
        data = form.cleaned_data
        for kind, model in HISTORY_MODELS.items():
            entries = model.history.select_related("history_user").order_by("-history_date")
            if data.get("user"):
                entries = entries.filter(history_user=data["user"])
            if data.get("since"):
                entries = entries.filter(history_date__date__gte=data["since"])
            if data.get("until"):
                entries = entries.filter(history_date__date__lte=data["until"])
            rows += [(kind, entry) for entry in entries[:500]]
        rows.sort(key=lambda item: item[1].history_date, reverse=True)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "hamlets/change_log.html",
        {"form": form, "page": page, "users": get_user_model().objects.order_by("username")},
    )
