"""The lists: filterable, sortable, paginated, exportable, narrowed to the user's scope."""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, QueryDict
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from coverage_site.lib import spreadsheets
from coverage_site.lib.dates import today

from .. import filters, jobs, models, tables
from ..permissions import (
    can_edit,
)

# --- lists -----------------------------------------------------------------------------------

# A list export of more rows is made in the background (hamlets/jobs.py): a
# province's 200,000 members take a minute, longer than a request should.
EXPORT_INLINE_ROWS = 5_000
# A search matching more rows than this ("nguyen van" over a country's 5.6
# million members: 75,000) lists the first this many found (20 pages), best
# matches first, and says so: counting and ordering every match took 1.4 s
# of database time per page (10,000 of them: 0.2-0.3 s), and nobody reads
# past the first pages. Exports are never cut.
SEARCH_SHOWN_LIMIT = 1_000


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
        if any(field.name == "name_sort" for field in self.model._meta.fields):
            # Names in Vietnamese alphabetical order (a search puts its best matches first instead).
            queryset = queryset.order_by("name_sort", "pk")
        for method in self.queryset_methods:  # named QuerySet methods a list needs, e.g. with_current_branch
            queryset = getattr(queryset, method)()
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def get_table(self, **kwargs):
        """SingleTableMixin's, told the number of rows of a cut search (not counted again)."""
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        if self.search_cut:
            table.data._length = SEARCH_SHOWN_LIMIT
        return RequestConfig(self.request, paginate=self.get_table_pagination(table)).configure(table)

    def get_table_data(self):
        data = super().get_table_data()
        self.search_cut = False
        searching = str(self.request.GET.get("q", "")).strip() and "_export" not in self.request.GET
        if searching and hasattr(data, "order_by"):
            found = data.order_by().values("pk")
            if found[: SEARCH_SHOWN_LIMIT + 1].count() > SEARCH_SHOWN_LIMIT:
                data = data.filter(pk__in=found[:SEARCH_SHOWN_LIMIT])
                self.search_cut = True
        return data

    def get_export_filename(self, export_format):
        return f"{self.model._meta.model_name}-{today():%Y-%m-%d}.{export_format}"

    def render_to_response(self, context, **kwargs):
        export_format = self.request.GET.get("_export")
        if export_format is None:
            return super().render_to_response(context, **kwargs)
        if export_format not in self.export_formats:
            return spreadsheets.bad_export_format(export_format)
        table = self.get_table(**self.get_table_kwargs())
        in_job = getattr(self.request, "background_job", None) is not None
        if not in_job and len(table.data) > EXPORT_INLINE_ROWS:
            address = f"{self.request.path}?{self.request.GET.urlencode()}"
            job, _created = jobs.start(
                self.request,
                jobs.Job.EXPORT_LIST,
                label=self.get_export_filename(export_format),
                params={"path": self.request.path, "query": self.request.GET.urlencode()},
                dedupe_key=f"export:{address}"[:200],
                inline=False,
            )
            return redirect("hamlets:job_detail", token=job.token)

        def lines():
            described = [f"{self.title} – {today():%d/%m/%Y}"]
            if self.filter_summary():
                described.append(_("Bộ lọc: %(filters)s") % {"filters": self.filter_summary()})
            return described

        return spreadsheets.table_response(
            table,
            export_format,
            self.get_export_filename(export_format),
            title=self.title,
            title_lines=lines,
            progress=jobs.report if in_job else None,
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
        context["search_cut"] = SEARCH_SHOWN_LIMIT if getattr(self, "search_cut", False) else None
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


def export_job(job):
    """A list export in the background: the same view, called with the job's
    user and address, so the rows, the filters and the scope are the ones the
    user would have downloaded (the scope as of now: a user who lost access
    meanwhile gets nothing)."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.params["path"]
    request.GET = QueryDict(job.params["query"])
    request.META["SERVER_NAME"] = "localhost"
    request.user = job.user
    request.background_job = job
    match = resolve(request.path)
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200 or not hasattr(response, "row_count"):
        return {"ok": False, "status": response.status_code}
    job.output = response.content
    job.output_name, job.output_type = response.filename, response["Content-Type"]
    return {"ok": True, "rows": response.row_count}
