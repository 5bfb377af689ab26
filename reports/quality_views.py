"""The data-quality pages: each check's open findings in a unit, and marking
a finding "checked, correct" with a reason (reports/quality.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from coverage_site.lib.dates import today
from hamlets.permissions import can_edit, require_editor, visible_communes

from . import quality, versions
from .indicators import unit_communes
from .models import CheckedFinding
from .views import to_own_unit, unit_or_404

REASON_MAX = 1000


def scope_of(unit, day):
    """The communes a unit's checks look at: None for the whole installation."""
    return None if unit.is_root else unit_communes(unit, day)


@login_required
def quality_home(request):
    return to_own_unit(request, "reports:quality")


@login_required
def quality_page(request, kind, code):
    unit = unit_or_404(request, kind, code)
    day = today()
    totals = quality.totals(unit_communes(unit, day).values_list("pk", flat=True), day)
    chosen = quality.CHECK_BY_KEY.get(request.GET.get("check", ""))
    if chosen is None:
        chosen = next((check for check in quality.CHECKS if totals[check.key]), quality.CHECKS[0])
    open_findings, checked = quality.findings(scope_of(unit, day), day, chosen)
    page = Paginator(open_findings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/quality.html",
        {
            "unit": unit,
            "as_of": day,
            "checks": [(check, totals[check.key]) for check in quality.CHECKS],
            "total": sum(totals.values()),
            "chosen": chosen,
            "page": page,
            "checked": checked,
            "can_mark": can_edit(request.user),
            "reason_max": REASON_MAX,
        },
    )


def _finding_or_404(request, unit, day):
    """(check, record pk, commune pk) of an open or checked finding the user may mark."""
    check = quality.CHECK_BY_KEY.get(request.POST.get("check", ""))
    try:
        pk = int(request.POST.get("record", ""))
    except ValueError:
        raise Http404 from None
    if check is None:
        raise Http404
    found = {record: commune for record, commune, _detail in check.bare(scope_of(unit, day), day)}
    commune = found.get(pk)
    if pk not in found or (commune is not None and not visible_communes(request.user).filter(pk=commune).exists()):
        raise Http404
    return check, pk, commune


@login_required
def quality_mark(request, kind, code):
    """Mark a finding "checked, correct" (with a reason), or remove the mark (POST)."""
    require_editor(request.user)
    unit = unit_or_404(request, kind, code)
    if request.method != "POST":
        return redirect("reports:quality", kind=kind, code=code)
    day = today()
    check, pk, commune = _finding_or_404(request, unit, day)
    back = reverse("reports:quality", kwargs={"kind": kind, "code": code}) + f"?check={check.key}"
    if request.POST.get("action") == "unmark":
        for mark in CheckedFinding.objects.filter(rule=check.key, record_pk=pk):
            mark.delete()
        messages.success(request, _("Đã bỏ đánh dấu: điểm này lại cần kiểm tra."))
    else:
        reason = request.POST.get("reason", "").strip()
        if not reason or len(reason) > REASON_MAX:
            messages.error(
                request, _("Hãy ghi lý do (tối đa %(max)d ký tự): không có gì được lưu.") % {"max": REASON_MAX}
            )
            return redirect(back)
        CheckedFinding.objects.update_or_create(
            rule=check.key,
            record_pk=pk,
            defaults={"reason": reason, "commune_id": commune, "checked_by": request.user},
        )
        messages.success(request, _("Đã đánh dấu là đã kiểm tra, đúng."))
    if commune is not None:
        versions.bump([commune])  # its cached counts (reports/quality.py) change
    return redirect(back)
