"""Monthly summaries: their content (from the indicator engine), the workflow
(submit, approve, return, reopen) and who may do what.

A month's figures are the indicators as of the last day of that month. The
content is plain JSON, so that approval can freeze it unchanged.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coverage_site.lib import dates
from coverage_site.lib.dates import today
from hamlets.models import Branch, Hamlet, Membership, Role
from hamlets.permissions import can_approve, can_see_unit, readable_units, role_of
from hamlets.placement import branches_under

from .indicators import (
    INDICATOR_BY_KEY,
    Snapshot,
    child_units,
    compute,
    get_unit,
    root_unit,
    several_provinces,
    unit_communes,
    unit_figures,
)
from .models import MonthlySummary, SummaryEvent

SUMMARY_DUE_DAYS = getattr(settings, "SUMMARY_DUE_DAYS", 10)


def month_end(month):
    """The last day of the month of `month` (any day of it)."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def parse_month(text):
    """ "2016-11" -> date(2016, 11, 1); ValueError otherwise."""
    year, _sep, number = (text or "").partition("-")
    month = datetime.date(int(year), int(number), 1)
    if not dates.in_range(month):
        raise ValueError(dates.range_message())
    return month


def month_navigation(month):
    """The months before and after `month` for the previous/next links: any
    month from 1900 to the current one (None beyond)."""
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month_end(month) + datetime.timedelta(days=1)).replace(day=1)
    return {
        "month": month,
        "previous": previous if dates.in_range(previous) else None,
        "next": following if following <= today() else None,
        "latest": today().replace(day=1),
    }


def waiting_for_approval(user=None):
    """Submitted summaries, oldest month first: the approver's work (within
    `user`'s province when they have one)."""
    waiting = MonthlySummary.objects.filter(status=MonthlySummary.Status.SUBMITTED).order_by("month", "unit_code")
    units = None if user is None else readable_units(user)
    if units is None:
        return waiting
    return [s for s in waiting if s.unit_code in units.get(s.unit_kind, ())]


def to_submit(unit, months=6):
    """The unit's last ended months whose summary is not submitted (none
    yet, or returned), oldest first, each as (month, summary or None)."""
    latest = today().replace(day=1)
    wanted = []
    month = latest
    for _number in range(months):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        wanted.append(month)
    stored = {
        s.month: s for s in MonthlySummary.objects.filter(unit_kind=unit.kind, unit_code=unit.code, month__in=wanted)
    }
    open_states = (MonthlySummary.Status.DRAFT, MonthlySummary.Status.RETURNED)
    return [
        (month, stored.get(month))
        for month in reversed(wanted)
        if month not in stored or stored[month].status in open_states
    ]


def has_ended(month):
    return month_end(month) < today()


def summary_units(day, within=None):
    """The units that submit summaries, in the installation or in one
    province (`within`): active districts, then active communes without an
    active district; a national installation lists them province by province."""
    within = within or root_unit()
    units = []
    for unit, _communes in child_units(within, day):
        units += summary_units(day, unit) if unit.kind == "province" else [unit]
    return units


def _hamlet_ref(hamlet):
    return {"code": hamlet.code, "name": hamlet.name, "commune": hamlet.commune.name}


def _branch_ref(branch, conditions=None):
    ref = {"code": branch.code, "name": branch.name, "commune": branch.commune.name}
    if conditions is not None:
        ref["conditions"] = conditions
    return ref


def summary_content(unit, month, restated=False):
    """Every figure and list of a unit's monthly summary, as JSON-ready data
    (restated: the month's records attributed to today's units)."""
    end, previous_end = month_end(month), month.replace(day=1) - datetime.timedelta(days=1)
    communes = unit_communes(unit, end)
    both = Snapshot.of_unit(unit, [previous_end, end], restated=restated)
    now, before = both[end], both[previous_end]
    result = compute(unit, end, by_child=True, snapshot=now)
    previous = compute(unit, previous_end, snapshot=before)

    def hamlets(pks):
        return [_hamlet_ref(h) for h in Hamlet.objects.filter(pk__in=pks).select_related("commune").order_by("code")]

    def branches(pks, snapshot=now):
        return [
            _branch_ref(b, snapshot.branches[b.pk]["risk_conditions"] if b.pk in snapshot.branches else None)
            for b in Branch.objects.filter(pk__in=pks).select_related("commune").order_by("code")
        ]

    def moved(rows_now, rows_before, test):
        """Ids for which `test` became true, and for which it stopped being true."""
        became = [pk for pk, row in rows_now.items() if test(row) and not (pk in rows_before and test(rows_before[pk]))]
        stopped = [pk for pk, row in rows_before.items() if test(row) and not (pk in rows_now and test(rows_now[pk]))]
        return became, stopped

    gained_branch, lost_branch = moved(now.hamlets, before.hamlets, lambda r: r["served"])
    gained_member, lost_member = moved(now.hamlets, before.hamlets, lambda r: r["has_resident"])
    became_risk, left_risk = moved(now.branches, before.branches, lambda r: r["at_risk"])
    trained, _untrained = moved(now.branches, before.branches, lambda r: r["secretary_trained"])

    # The unit's branches of the month: those whose commune at its end was one of the unit's (dated parents).
    in_unit = Membership.objects.filter(branch_id__in=branches_under(communes, end))
    joined = in_unit.filter(joined_on__gt=previous_end, joined_on__lte=end).select_related("member", "branch")
    left = in_unit.filter(left_on__gt=previous_end, left_on__lte=end).select_related("member", "branch")

    def people(memberships, date_field, with_reason=False):
        return [
            {
                "code": m.member.code,
                "name": m.member.full_name,
                "branch": m.branch.name,
                "date": getattr(m, date_field).isoformat(),
                **({"reason": m.get_left_reason_display()} if with_reason else {}),
            }
            for m in memberships.order_by(date_field, "member__code")
        ]

    return {
        "unit": unit.as_json(),
        "month": f"{month:%Y-%m}",
        "as_of": end.isoformat(),
        "previous_as_of": previous_end.isoformat(),
        "indicators": result["indicators"],
        "previous_indicators": previous["indicators"],
        "children": result["children"],
        "changes": {
            "hamlets_gained_branch": hamlets(gained_branch),
            "hamlets_lost_branch": hamlets(lost_branch),
            "hamlets_gained_resident_member": hamlets(gained_member),
            "hamlets_lost_last_resident_member": hamlets(lost_member),
            "branches_became_at_risk": branches(became_risk),
            "branches_no_longer_at_risk": branches(left_risk, before),
            "secretaries_newly_trained": branches(trained),
            "members_joined": people(joined, "joined_on"),
            "members_left": people(left, "left_on", with_reason=True),
        },
        "actions": {
            "hamlets_without_branch": hamlets([pk for pk, r in now.hamlets.items() if not r["served"]]),
            "branches_at_risk": branches([pk for pk, r in now.branches.items() if r["at_risk"]]),
        },
    }


# Vietnamese labels (also the headings of the exported files); pages translate them.
CHANGE_LABELS = {
    "hamlets_gained_branch": gettext_noop("Thôn, xóm có chi bộ mới"),
    "hamlets_lost_branch": gettext_noop("Thôn, xóm không còn chi bộ"),
    "hamlets_gained_resident_member": gettext_noop("Thôn, xóm có đảng viên tại chỗ mới"),
    "hamlets_lost_last_resident_member": gettext_noop("Thôn, xóm mất đảng viên tại chỗ cuối cùng"),
    "branches_became_at_risk": gettext_noop("Chi bộ mới có nguy cơ"),
    "branches_no_longer_at_risk": gettext_noop("Chi bộ hết nguy cơ"),
    "secretaries_newly_trained": gettext_noop("Bí thư chi bộ mới được bồi dưỡng"),
    "members_joined": gettext_noop("Đảng viên mới sinh hoạt"),
    "members_left": gettext_noop("Đảng viên thôi sinh hoạt"),
}
ACTION_LABELS = {
    "hamlets_without_branch": gettext_noop("Thôn, xóm chưa có chi bộ"),
    "branches_at_risk": gettext_noop("Chi bộ có nguy cơ"),
}


def content_of(summary, restated=False):
    """The frozen content once approved; otherwise the live figures. Restated
    figures are always live: they depend on today's units."""
    if summary.status == MonthlySummary.Status.APPROVED and summary.frozen and not restated:
        return summary.frozen
    return summary_content(get_unit(summary.unit_kind, summary.unit_code), summary.month, restated=restated)


def get_or_make(unit, month):
    """The summary record of a unit and month (unsaved "draft" if none yet)."""
    existing = MonthlySummary.objects.filter(unit_kind=unit.kind, unit_code=unit.code, month=month).first()
    return existing or MonthlySummary(unit_kind=unit.kind, unit_code=unit.code, unit_name=unit.name, month=month)


# --- who may do what ------------------------------------------------------------------------------


def can_submit(user, unit):
    """District staff of the unit (a district account for a district; the
    commune's account, or its district's, for a commune), or an administrator."""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    return role == Role.DISTRICT_STAFF and can_see_unit(user, unit)


def can_view(user, unit):
    return can_see_unit(user, unit)


# --- workflow ----------------------------------------------------------------------------------------


# Each step starts from the summary's row locked (SELECT ... FOR UPDATE on
# PostgreSQL; SQLite transactions are exclusive from their start) and checks
# the state it starts from there, so of two clicks at once (approve and
# return, two approvals) the second sees what the first did and is told.


def _locked(unit_kind, unit_code, month, unit_name=None):
    """The summary row, locked; created first (as a draft) when `unit_name` is given."""
    if unit_name is not None:
        try:
            with transaction.atomic():
                MonthlySummary.objects.get_or_create(
                    unit_kind=unit_kind, unit_code=unit_code, month=month, defaults={"unit_name": unit_name}
                )
        except IntegrityError:
            pass  # created at the same moment by another request: it is there now
    return MonthlySummary.objects.select_for_update().get(unit_kind=unit_kind, unit_code=unit_code, month=month)


def _refuse_unless(summary, *allowed):
    if summary.status in allowed:
        return
    last = summary.events.select_related("user").order_by("-at", "-pk").first()
    raise ValidationError(
        _("Không thực hiện được: báo cáo đang ở tình trạng “%(status)s”%(by)s. Trang đã được tải lại.")
        % {
            "status": summary.get_status_display(),
            "by": (
                _(" (%(user)s, %(at)s)")
                % {"user": last.user.get_username(), "at": timezone.localtime(last.at).strftime("%d/%m/%Y %H:%M")}
                if last
                else ""
            ),
        }
    )


@transaction.atomic
def summary_submit(*, unit, month, user, comment="", findings_confirmed=False):
    """Submit a month's summary. While data-quality findings remain open
    (reports/quality.py), the clerk must confirm submitting anyway; the
    event then records how many there were."""
    from .quality import open_count

    if not can_submit(user, unit):
        raise PermissionDenied
    if not has_ended(month):
        raise ValidationError(_("Chỉ nộp báo cáo của tháng đã kết thúc."))
    remaining = open_count(unit)
    if remaining and not findings_confirmed:
        raise ValidationError(
            _("Còn %(count)s điểm cần kiểm tra: hãy xem lại, hoặc đánh dấu xác nhận vẫn nộp. Chưa nộp.")
            % {"count": remaining}
        )
    summary = _locked(unit.kind, unit.code, month, unit_name=unit.name)
    _refuse_unless(summary, MonthlySummary.Status.DRAFT, MonthlySummary.Status.RETURNED)
    summary.status = MonthlySummary.Status.SUBMITTED
    summary.comment = comment
    summary.submitted_by, summary.submitted_at = user, timezone.now()
    summary.save()
    text = comment
    if remaining:
        note = _("Nộp khi còn %(count)s điểm cần kiểm tra.") % {"count": remaining}
        text = f"{comment}\n{note}" if comment else note
    SummaryEvent.objects.create(summary=summary, action=SummaryEvent.Action.SUBMIT, user=user, text=text)
    return summary


def _require_approver_of(user, summary):
    """Approvers act on the summaries of their own scope (a province's
    approver on that province's units) only."""
    if not can_approve(user) or not can_see_unit(user, get_unit(summary.unit_kind, summary.unit_code)):
        raise PermissionDenied


def _lock_existing(summary):
    if summary.pk is None:
        # Never saved: a draft nobody has submitted.
        raise ValidationError(_("Không thực hiện được: báo cáo chưa được nộp."))
    return _locked(summary.unit_kind, summary.unit_code, summary.month)


@transaction.atomic
def summary_approve(*, summary, user):
    """Approve and lock: a frozen copy of every figure and list is stored."""
    _require_approver_of(user, summary)
    summary = _lock_existing(summary)
    _refuse_unless(summary, MonthlySummary.Status.SUBMITTED)
    summary.frozen = summary_content(get_unit(summary.unit_kind, summary.unit_code), summary.month)
    summary.status = MonthlySummary.Status.APPROVED
    summary.approved_by, summary.approved_at = user, timezone.now()
    summary.save()
    SummaryEvent.objects.create(summary=summary, action=SummaryEvent.Action.APPROVE, user=user)
    return summary


@transaction.atomic
def summary_return(*, summary, user, reason):
    _require_approver_of(user, summary)
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do trả lại.")})
    summary = _lock_existing(summary)
    _refuse_unless(summary, MonthlySummary.Status.SUBMITTED)
    summary.status = MonthlySummary.Status.RETURNED
    summary.save()
    SummaryEvent.objects.create(summary=summary, action=SummaryEvent.Action.RETURN, user=user, text=reason)
    return summary


@transaction.atomic
def summary_reopen(*, summary, user, reason):
    """An approved month goes back to the district; the frozen copy is dropped."""
    _require_approver_of(user, summary)
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do mở lại.")})
    summary = _lock_existing(summary)
    _refuse_unless(summary, MonthlySummary.Status.APPROVED)
    summary.status = MonthlySummary.Status.RETURNED
    summary.frozen = None
    summary.approved_by = summary.approved_at = None
    summary.save()
    SummaryEvent.objects.create(summary=summary, action=SummaryEvent.Action.REOPEN, user=user, text=reason)
    return summary


# --- after approval ---------------------------------------------------------------------------------


def changes_since(unit, when, limit=200):
    """History entries of the unit's records after `when`: (count, newest entries).

    "The unit's records" are those its communes' scope covers
    (`in_communes`, the same test as `visible_to`)."""
    from hamlets.exchange.schema import SHEETS

    communes = unit_communes(unit, today())
    count, entries = 0, []
    for model in (sheet.model for sheet in SHEETS):
        if not hasattr(model.objects, "in_communes"):
            continue  # area types belong to no commune
        changed = model.history.filter(history_date__gt=when, id__in=model.objects.in_communes(communes).values("pk"))
        count += changed.count()
        entries += list(changed.select_related("history_user").order_by("-history_date")[:limit])
    entries.sort(key=lambda entry: entry.history_date, reverse=True)
    return count, entries[:limit]


def month_summaries(month, within=None, stored=None):
    """[(unit, summary)] of every unit that reports for the month (in the
    installation, or `within` a province), in one query (an unsaved draft
    for a unit that has none yet). `stored`: the month's summaries, already read."""
    if stored is None:
        stored = {(s.unit_kind, s.unit_code): s for s in MonthlySummary.objects.filter(month=month)}
    return [
        (
            unit,
            stored.get((unit.kind, unit.code))
            or MonthlySummary(unit_kind=unit.kind, unit_code=unit.code, unit_name=unit.name, month=month),
        )
        for unit in summary_units(month_end(month), within)
    ]


def due_date(month):
    """The day by which a month's summary is due (SUMMARY_DUE_DAYS after its end)."""
    return month_end(month) + datetime.timedelta(days=SUMMARY_DUE_DAYS)


def is_overdue(summary, day=None):
    """Not submitted (or returned) after its due date."""
    open_states = (MonthlySummary.Status.DRAFT, MonthlySummary.Status.RETURNED)
    return (day or today()) > due_date(summary.month) and summary.status in open_states


def province_month(month, within=None):
    """Every unit that reports, with its summary status, for the province
    view (of the installation, or `within` a province). A national
    installation's own view counts them province by province instead
    ("provinces"): 3,321 communes are not one page; each province's row
    leads to its units."""
    within = within or root_unit()
    end = month_end(month)
    due = due_date(month)
    rows, provinces = [], None
    if within.is_root and several_provinces():
        stored = {(s.unit_kind, s.unit_code): s for s in MonthlySummary.objects.filter(month=month)}
        provinces = []
        for child, _communes in child_units(within, end):
            if child.kind == "province":
                units = month_summaries(month, child, stored)
            else:  # a commune in no province reports on its own
                units = [(child, stored.get((child.kind, child.code)))]
            provinces.append({"unit": child, **status_counts(month, [summary for _unit, summary in units])})
    else:
        for unit, summary in month_summaries(month, within):
            rows.append({"unit": unit, "summary": summary, "overdue": is_overdue(summary)})
    # Each commune's kept figures (a national installation's kept province
    # sums), not the states of every member read again (27 s for a country).
    figures = compute(within, end, snapshot=unit_figures(within, [end])[end])
    return {
        "month": month,
        "as_of": end,
        "due": due,
        "rows": rows,
        "provinces": provinces,
        "indicators": figures["indicators"],
        "unit": within,
    }


def status_counts(month, summaries):
    """How many of these summaries (None: a unit in no province, counted
    as a draft) are in each state, and how many are overdue."""
    summaries = [s or MonthlySummary(month=month) for s in summaries]
    counts = {"units": len(summaries), "overdue": sum(is_overdue(s) for s in summaries)}
    for status in MonthlySummary.Status:
        counts[status.value] = sum(s.status == status for s in summaries)
    return counts


def indicator_rows(figures):
    """[(indicator, figure)] in the declared order, for tables and exports."""
    return [(INDICATOR_BY_KEY[key], figure) for key, figure in figures.items() if key in INDICATOR_BY_KEY]
