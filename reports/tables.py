"""Drill-down tables: the records behind a figure."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from coverage_site.lib.drawn_rows import DrawnRowsTable
from hamlets.models import Branch, Hamlet, Membership
from hamlets.tables import BRANCH_LINK, DayColumn

from .indicators import risk_text

HAMLET_PAGE = ("hamlets:hamlet_detail", {"code": tables.A("code")})
BRANCH_PAGE = ("hamlets:branch_detail", {"code": tables.A("code")})
MEMBER_PAGE = ("hamlets:member_detail", {"code": tables.A("member__code")})


class HamletDrillTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"), linkify=HAMLET_PAGE)
    name = tables.Column(verbose_name=_("Thôn, xóm"), linkify=HAMLET_PAGE)
    commune = tables.Column(verbose_name=_("Xã"))

    class Meta:
        model = Hamlet
        fields = ["code", "name", "commune"]


class BranchDrillTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"), linkify=BRANCH_PAGE)
    name = tables.Column(verbose_name=_("Chi bộ"), linkify=BRANCH_PAGE)
    commune = tables.Column(verbose_name=_("Xã"))
    conditions = tables.Column(verbose_name=_("Nguy cơ"), empty_values=(), orderable=False)

    class Meta:
        model = Branch
        fields = ["code", "name", "commune", "conditions"]

    def __init__(self, *args, conditions=None, **kwargs):
        self.risk = conditions or {}
        super().__init__(*args, **kwargs)

    def render_conditions(self, record):
        return risk_text(self.risk.get(record.pk, [])) or "—"

    def value_conditions(self, record):
        return ";".join(self.risk.get(record.pk, []))


class MembershipDrillTable(DrawnRowsTable):
    code = tables.Column(verbose_name=_("Mã"), accessor="member__code", linkify=MEMBER_PAGE)
    name = tables.Column(
        verbose_name=_("Họ và tên"), accessor="member__full_name", order_by="member__name_folded", linkify=MEMBER_PAGE
    )
    birth_date = DayColumn(verbose_name=_("Ngày sinh"), accessor="member__birth_date")
    admitted_on = DayColumn(verbose_name=_("Kết nạp"), accessor="member__admitted_on")
    branch = tables.Column(verbose_name=_("Chi bộ"), linkify=BRANCH_LINK)
    joined_on = DayColumn(verbose_name=_("Từ ngày"))
    reinforcing = tables.BooleanColumn(verbose_name=_("Tăng cường"))

    class Meta:
        model = Membership
        fields = ["code", "name", "birth_date", "admitted_on", "branch", "joined_on", "reinforcing"]
