"""Tables of the list pages (django-tables2). `value_*` methods give clean export values."""

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coverage_site.lib.drawn_rows import DrawnRowsTable

from . import models


def edit_column(url_name):
    """A "Sửa" link to the record's edit page, left out of exports."""
    return tables.LinkColumn(
        url_name, args=[tables.A("pk")], text=_("Sửa"), orderable=False, verbose_name="", exclude_from_export=True
    )


class YearColumn(tables.Column):
    """A year is a label, not a quantity: 2016, never "2.016"."""

    def render(self, value):
        return str(value)


class DayColumn(tables.Column):
    """A date as dd/mm/yyyy (the language's short date format), on the page
    and in exports. django-tables2's DateColumn compiles a template for every
    cell: three date columns of a 50-row page cost 90 ms (measured)."""

    def render(self, value):
        return date_format(value, "SHORT_DATE_FORMAT")

    def value(self, value):
        return date_format(value, "SHORT_DATE_FORMAT") if value else ""


HAMLET_LINK = ("hamlets:hamlet_detail", {"code": tables.A("hamlet__code")})
MEMBER_LINK = ("hamlets:member_detail", {"code": tables.A("member__code")})
BRANCH_LINK = ("hamlets:branch_detail", {"code": tables.A("branch__code")})


class CommuneTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"))
    name = tables.Column(verbose_name=_("Tên"), order_by=("name_sort",))
    district = tables.Column(verbose_name=_("Huyện"))
    established_on = DayColumn(verbose_name=_("Thành lập"))
    dissolved_on = DayColumn(verbose_name=_("Giải thể"))

    class Meta:
        model = models.Commune
        fields = ["code", "name", "district", "established_on", "dissolved_on"]


class HamletTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"), linkify=("hamlets:hamlet_detail", {"code": tables.A("code")}))
    name = tables.Column(
        verbose_name=_("Tên"), linkify=("hamlets:hamlet_detail", {"code": tables.A("code")}), order_by=("name_sort",)
    )
    kind = tables.Column(verbose_name=_("Loại"))
    commune = tables.Column(verbose_name=_("Xã"))
    areas = tables.Column(verbose_name=_("Vùng đặc thù"), empty_values=(), orderable=False)
    dissolved_on = DayColumn(verbose_name=_("Giải thể"))

    class Meta:
        model = models.Hamlet
        fields = ["code", "name", "kind", "commune", "areas", "dissolved_on"]

    def render_areas(self, record):
        return ", ".join(a.name for a in record.area_types.all()) or "—"

    def value_areas(self, record):
        return ";".join(a.code for a in record.area_types.all())


class BranchTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"), linkify=("hamlets:branch_detail", {"code": tables.A("code")}))
    name = tables.Column(
        verbose_name=_("Tên"), linkify=("hamlets:branch_detail", {"code": tables.A("code")}), order_by=("name_sort",)
    )
    commune = tables.Column(verbose_name=_("Xã"))
    served = tables.Column(verbose_name=_("Thôn, xóm"), empty_values=(), orderable=False)
    established_on = DayColumn(verbose_name=_("Thành lập"))
    dissolved_on = DayColumn(verbose_name=_("Giải thể"))

    class Meta:
        model = models.Branch
        fields = ["code", "name", "commune", "served", "established_on", "dissolved_on"]

    def render_served(self, record):
        return ", ".join(h.name for h in record.hamlets.all())

    def value_served(self, record):
        return ";".join(h.code for h in record.hamlets.all())


class MemberTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"), linkify=("hamlets:member_detail", {"code": tables.A("code")}))
    full_name = tables.Column(
        verbose_name=_("Họ và tên"),
        linkify=("hamlets:member_detail", {"code": tables.A("code")}),
        order_by=("name_sort",),
    )
    gender = tables.Column(verbose_name=_("Giới tính"))
    birth_date = DayColumn(verbose_name=_("Ngày sinh"))
    current_branch = tables.Column(verbose_name=_("Chi bộ"), default="—")
    current_commune = tables.Column(verbose_name=_("Xã"), default="—")
    residence_hamlet = tables.Column(verbose_name=_("Nơi cư trú"))
    admitted_on = DayColumn(verbose_name=_("Kết nạp"))
    official_on = DayColumn(verbose_name=_("Ngày chính thức"))

    class Meta:
        model = models.Member
        fields = [
            "code",
            "full_name",
            "gender",
            "birth_date",
            "current_branch",
            "current_commune",
            "residence_hamlet",
            "admitted_on",
            "official_on",
        ]


class VillageHeadTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"), linkify=("hamlets:villagehead_edit", {"code": tables.A("code")}))
    full_name = tables.Column(verbose_name=_("Họ và tên"), order_by=("name_sort",))
    hamlet = tables.Column(verbose_name=_("Thôn, xóm"), linkify=HAMLET_LINK)
    member = tables.Column(verbose_name=_("Đảng viên"), linkify=MEMBER_LINK)
    trained_on = DayColumn(verbose_name=_("Bồi dưỡng"))
    term_start = DayColumn(verbose_name=_("Từ ngày"))
    term_end = DayColumn(verbose_name=_("Đến ngày"))

    class Meta:
        model = models.VillageHead
        fields = ["code", "full_name", "hamlet", "member", "trained_on", "term_start", "term_end"]

    def value_member(self, record):
        return record.member.code if record.member else ""


class CandidateTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"), linkify=("hamlets:candidate_edit", {"code": tables.A("code")}))
    admit = tables.TemplateColumn(
        '{% load i18n %}{% if record.status != "admitted" and record.status != "dropped" %}'
        "<a href=\"{% url 'hamlets:member_admit' %}?candidate={{ record.code }}\">"
        '{% translate "Kết nạp" %}</a>{% endif %}',
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
    )
    full_name = tables.Column(verbose_name=_("Họ và tên"), order_by=("name_sort",))
    hamlet = tables.Column(verbose_name=_("Thôn, xóm"))
    identified_on = DayColumn(verbose_name=_("Đưa vào diện"))
    course_completed_on = DayColumn(verbose_name=_("Học lớp nhận thức"))
    status = tables.Column(verbose_name=_("Tình trạng"))

    class Meta:
        model = models.Candidate
        fields = ["code", "full_name", "hamlet", "identified_on", "course_completed_on", "status", "admit"]


class AdmissionTargetTable(DrawnRowsTable):
    commune = tables.Column(verbose_name=_("Xã"))
    year = YearColumn(verbose_name=_("Năm"))
    target = tables.Column(verbose_name=_("Chỉ tiêu"), attrs={"td": {"class": "num"}})
    edit = edit_column("hamlets:admissiontarget_edit")

    class Meta:
        model = models.AdmissionTarget
        fields = ["commune", "year", "target"]


class BranchRatingTable(DrawnRowsTable):
    branch = tables.Column(verbose_name=_("Chi bộ"), linkify=BRANCH_LINK)
    year = YearColumn(verbose_name=_("Năm"))
    rating = tables.Column(verbose_name=_("Xếp loại"))
    edit = edit_column("hamlets:branchrating_edit")

    class Meta:
        model = models.BranchRating
        fields = ["branch", "year", "rating"]
