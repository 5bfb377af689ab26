"""Dashboards, drill-downs, trends and the indicators API. Thin: the figures
come from reports/indicators/, their assembly from reports/dashboards.py."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from coverage_site.lib import spreadsheets
from coverage_site.lib.dates import today
from coverage_site.lib.single_flight import get_or_draw
from hamlets.permissions import can_approve, can_edit, can_see_unit, home_unit, top_unit
from hamlets.views import as_of_from

from . import dashboards, goals, indicators, quality, tables


@require_GET
def indicators_api(request):
    """GET /api/v1/indicators: the JSON of the `indicators` command."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Cần đăng nhập."}, status=401)
    by_child = request.GET.get("by_child", "") in ("1", "true", "yes")
    try:
        unit, day, area = indicators.parse_arguments(
            unit=request.GET.get("unit"), as_of=request.GET.get("as_of"), area=request.GET.get("area")
        )
    except indicators.BadArgument as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not can_see_unit(request.user, unit):
        # 404, not 403: a unit outside the user's scope is not theirs to know about.
        return JsonResponse({"error": "Không tìm thấy đơn vị trong phạm vi của bạn."}, status=404)
    restated = request.GET.get("restated", "") in ("1", "true", "yes")
    # Each commune's kept figures (read from the states only where they
    # changed), as the dashboards read them: the whole country's states
    # read on every call took half a minute. Restated figures are read afresh.
    snapshot = None if restated else indicators.unit_figures(unit, [day], area)[day]
    return JsonResponse(
        indicators.compute(unit, day, area, by_child, snapshot=snapshot, restated=restated),
        json_dumps_params={"ensure_ascii": False},
    )


# --- dashboards ---------------------------------------------------------------------------------


def unit_or_404(request, kind, code):
    try:
        unit = indicators.get_unit(kind, code)
    except indicators.UnknownUnit:
        raise Http404 from None
    if not can_see_unit(request.user, unit):
        raise Http404
    return unit


def page_arguments(request):
    """as_of (see hamlets.views.as_of_from) and area; an unknown area is
    replaced by all areas, with a message saying so."""
    from django.contrib import messages

    try:
        area = indicators.check_area(request.GET.get("area") or None)
    except indicators.UnknownArea:
        area = None
        messages.warning(request, _("Không có vùng “%(area)s”: đang xem mọi vùng.") % {"area": request.GET["area"]})
    return as_of_from(request), area


def to_own_unit(request, view_name):
    """Redirect to a unit page of the user's own unit: the installation (or
    their province) for provincial roles, a clerk's own district or commune.
    The date and area asked for go along."""
    kind, code = top_unit(request.user)
    target = reverse(view_name, kwargs={"kind": kind, "code": code})
    return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)


@login_required
def dashboard_home(request):
    return to_own_unit(request, "reports:dashboard")


# Communes whose data-check counts a dashboard counts itself (0.05 s each).
FINDINGS_COUNTED_INLINE = 10


@login_required
def dashboard(request, kind, code):
    unit = unit_or_404(request, kind, code)
    day, area = page_arguments(request)
    restated = request.GET.get("view") == "restated"
    export = request.GET.get("export")
    if export is not None:
        if export not in spreadsheets.EXPORT_FORMATS:
            return spreadsheets.bad_export_format(export)
        return breakdown_export(dashboard_figures(request, unit, day, area, restated), export)
    context = dashboards.dashboard_header(unit, day, area, restated)
    context["area_choices"] = dashboards.area_choices()
    context["view_param"] = "&view=restated" if restated else ""
    context["body"] = dashboard_body(request, unit, day, area, restated)
    # Today's count of open data-check findings, whatever date the figures
    # are for (kept per commune): counted here when only a few communes'
    # counts are not kept (after an edit), else (a province after the cache
    # was emptied: seconds of checks) the page asks for it once its figures
    # are shown (findings_open below).
    context["findings_open"] = quality.open_count(unit, at_most=FINDINGS_COUNTED_INLINE)
    return render(request, "reports/dashboard.html", context)


@login_required
def findings_open(request, kind, code):
    """The dashboard's paragraph of today's open findings, counted (and kept)."""
    unit = unit_or_404(request, kind, code)
    return render(request, "reports/_findings_open.html", {"unit": unit, "findings_open": quality.open_count(unit)})


def dashboard_figures(request, unit, day, area, restated):
    return dashboards.dashboard(
        unit, day, area, request.GET.get("sort"), request.GET.get("chart", ""), restated=restated
    )


def dashboard_body(request, unit, day, area, restated):
    """The dashboard's figures as HTML (goals band, cards, breakdown, action lists).

    Kept in the cache under the data versions of the communes shown, the
    page's parameters, the language and what the user may do, so a view
    after no change reads two small rows and draws nothing; restated
    figures (which depend on today's units) are drawn every time."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from .indicators.by_commune import TIMEOUT

    def draw():
        context = dashboard_figures(request, unit, day, area, restated)
        context["query"] = request.GET.urlencode()
        context["view_param"] = "&view=restated" if restated else ""
        day_and_area = urlencode({"as_of": f"{day:%d/%m/%Y}", "area": area or ""})
        links = day_and_area + context["view_param"]
        # Built only when the template asks for the rows (templates call callables).
        context["breakdown"] = lambda: dashboards.breakdown_rows_html(context["rows"], context["main_keys"], links)
        unserved = {"kind": unit.kind, "code": unit.code, "key": "hamlets_without_branch"}
        context["unserved_url"] = reverse("reports:drill_down", kwargs=unserved) + "?" + day_and_area
        context["goals_query"] = urlencode({"as_of": f"{day:%d/%m/%Y}"})
        return render_to_string("reports/_dashboard_body.html", context, request)

    if restated:
        return draw()
    import hashlib

    parts = [
        unit.kind,
        unit.code,
        f"{day:%Y-%m-%d}",
        request.GET.urlencode(),
        translation.get_language() or "",
        str(can_edit(request.user)),
        dashboards.data_token(unit, day),
    ]
    key = "dashboardbody:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]
    # Many viewers right after an edit: one draws, the others wait for it.
    return get_or_draw(key, draw, TIMEOUT)


def breakdown_export(context, export_format):
    """The breakdown table as a file: per child unit, numerator, denominator and ratio of each card.
    In Vietnamese whatever the interface language (an official document)."""
    from django.utils import translation

    with translation.override("vi"):
        return _breakdown_file(context, export_format)


def _breakdown_file(context, export_format):
    headers = [_("Đơn vị"), _("Mã")]
    for indicator in context["main_keys"]:
        headers += [
            f"{indicator.title} – {_('số')}",
            f"{indicator.title} – {_('trên tổng')}",
            f"{indicator.title} – {_('tỷ lệ')}",
        ]
    from .exports import exact_ratio

    def rows(exact):
        # CSV: the engine's ratio (machine-readable, 4 decimals); XLSX: exact n/d shown as a percentage.
        for child, figures in context["rows"]:
            row = [child["name"], child["code"]]
            for indicator in context["main_keys"]:
                figure = figures[indicator.key]
                row += [figure["numerator"], figure["denominator"], exact_ratio(figure) if exact else figure["ratio"]]
            yield row

    name = f"bang-so-lieu-{context['unit'].code}-{context['as_of']:%Y-%m-%d}.{export_format}"
    if export_format == "csv":
        response = HttpResponse(spreadsheets.csv_bytes(headers, rows(False)), content_type=spreadsheets.CSV_MIME)
    else:
        data = spreadsheets.xlsx_bytes(
            _("Số liệu theo đơn vị"),
            headers,
            list(rows(True)),
            title_lines=[f"{context['unit'].name} – {_('số liệu tại ngày')} {context['as_of']:%d/%m/%Y}"],
            percent_columns=range(4, len(headers), 3),
        )
        response = HttpResponse(data, content_type=spreadsheets.XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def trend(request, kind, code):
    unit = unit_or_404(request, kind, code)
    day, area = page_arguments(request)
    period = request.GET.get("period")
    context = dashboards.trend(
        unit,
        day,
        area,
        restated=request.GET.get("view") == "restated",
        years=period == "years",
        months=60 if period == "60" else 12,
    )
    context["area_choices"] = dashboards.area_choices()
    return render(request, "reports/trend.html", context)


@login_required
def drill_down(request, kind, code, key):
    """The records behind a figure: exactly `numerator` rows."""
    unit = unit_or_404(request, kind, code)
    indicator = indicators.INDICATOR_BY_KEY.get(key)
    if indicator is None:
        raise Http404
    day, area = page_arguments(request)
    restated = request.GET.get("view") == "restated"
    if restated:
        snapshot = indicators.Snapshot.of_unit(unit, [day], area, restated=True)[day]
    else:  # the states the figure was counted from, cached per commune
        snapshot = indicators.snapshot_of(indicators.unit_communes(unit, day), day, area)
    rows = indicators.numerator_rows(key, unit, day, area, snapshot=snapshot)
    search = request.GET.get("q", "").strip()
    if indicator.level == "hamlet":
        rows = rows.select_related("commune")
        table = tables.HamletDrillTable(rows.search(search) if search else rows)
    elif indicator.level == "branch":
        rows = rows.select_related("commune")
        conditions = {pk: row["risk_conditions"] for pk, row in snapshot.branches.items()}
        table = tables.BranchDrillTable(rows.search(search) if search else rows, conditions=conditions)
    else:
        rows = rows.select_related("member", "branch")
        if search:
            from hamlets.models import Member

            rows = rows.filter(member__in=Member.objects.search(search))
        table = tables.MembershipDrillTable(rows)
    export = request.GET.get("_export")
    if export is not None:
        if export not in spreadsheets.EXPORT_FORMATS:
            return spreadsheets.bad_export_format(export)
        return spreadsheets.table_response(
            table,
            export,
            f"{key}-{unit.code}-{day:%Y-%m-%d}.{export}",
            title=indicator.key,
            title_lines=lambda: [
                f"{indicator.label} – {unit.name} – {_('ngày')} {day:%d/%m/%Y}"
                + (f" – {_('vùng')} {dict(dashboards.area_choices()).get(area, area)}" if area else "")
            ],
        )
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    return render(
        request,
        "reports/drill_down.html",
        {
            "unit": unit,
            "indicator": indicator,
            "as_of": day,
            "area": area or "",
            "table": table,
            "search": search,
            "restated": restated,
            "back_url": reverse("reports:dashboard", kwargs={"kind": kind, "code": code}),
        },
    )


# --- goals ----------------------------------------------------------------------------------------


@login_required
def goals_home(request):
    return to_own_unit(request, "reports:goals")


@login_required
def goals_page(request, kind, code):
    """Each goal's progress for the unit and its child units, furthest behind first."""
    unit = unit_or_404(request, kind, code)
    day = as_of_from(request)
    context = {
        "unit": unit,
        "as_of": day,
        "progress": goals.progress(unit, day, children=True),
        "admissions_by_year": goals.admissions_by_year(unit, day),
        "query": urlencode({"as_of": f"{day:%d/%m/%Y}"}),
    }
    return render(request, "reports/goals.html", context)


# --- email -----------------------------------------------------------------------------------------


def email_stop(request, token):
    """The link at the foot of every email: stop that kind of email for that
    address. No login (leaders may have no account); the token is signed.
    A GET only asks (mail programs open links by themselves); a POST stops."""
    from . import reminders
    from .models import EmailOptOut

    found = reminders.read_stop_token(token)
    if found is None:
        raise Http404
    email, kind = found
    stopped = EmailOptOut.objects.filter(email=email, kind=kind).exists()
    if request.method == "POST":
        EmailOptOut.objects.get_or_create(email=email, kind=kind)
        if kind == reminders.PROVINCE:
            from .models import Subscription

            Subscription.objects.filter(email=email).update(active=False)
        stopped = True
    return render(
        request, "reports/email_stop.html", {"email": email, "what": reminders.KINDS[kind], "stopped": stopped}
    )


# --- monthly summaries -----------------------------------------------------------------------------


def _month_or_404(text):
    from . import summaries

    try:
        return summaries.parse_month(text)
    except ValueError:
        raise Http404 from None


@login_required
def summary_list(request):
    """The province's view of a month: every reporting unit and its status."""
    from . import summaries

    default = dashboards.month_end_before(today()).replace(day=1)
    try:
        month = summaries.parse_month(request.GET["month"]) if request.GET.get("month") else default
    except ValueError:
        from django.contrib import messages

        messages.warning(
            request,
            _("Không đọc được tháng “%(text)s” (viết YYYY-MM, từ năm 1900): đang xem tháng %(month)s.")
            % {"text": request.GET["month"], "month": f"{default:%m/%Y}"},
        )
        month = default
    own = home_unit(request.user)
    if own:
        # A clerk has one unit: go straight to its summary.
        return redirect("reports:summary_detail", kind=own[0], code=own[1], month=f"{month:%Y-%m}")
    within, chosen = indicators.get_unit(*top_unit(request.user)), ""
    if request.GET.get("province") and within.is_root:
        # A national view's province row: that province's units.
        within = unit_or_404(request, "province", request.GET["province"])
        chosen = within.code
    context = summaries.province_month(month, within)
    context["chosen_province"] = chosen
    context["navigation"] = summaries.month_navigation(month)
    context["indicator_rows"] = summaries.indicator_rows(context["indicators"])
    return render(request, "reports/summary_list.html", context)


@login_required
def summary_detail(request, kind, code, month):
    from django.contrib import messages

    from . import summaries

    unit = unit_or_404(request, kind, code)
    month = _month_or_404(month)
    if request.method == "GET" and request.GET.get("month"):
        # The month picker: go to the month chosen.
        chosen = _month_or_404(request.GET["month"])
        return redirect("reports:summary_detail", kind=kind, code=code, month=f"{chosen:%Y-%m}")
    summary = summaries.get_or_make(unit, month)
    if request.method == "POST":
        action = request.POST.get("action")
        text = request.POST.get("text", "")
        try:
            if action == "submit":
                summaries.summary_submit(
                    unit=unit,
                    month=month,
                    user=request.user,
                    comment=text,
                    findings_confirmed=request.POST.get("findings_confirmed") == "1",
                )
                messages.success(request, _("Đã nộp báo cáo."))
            elif action == "approve":
                summaries.summary_approve(summary=summary, user=request.user)
                messages.success(request, _("Đã duyệt và chốt số liệu."))
            elif action == "return":
                summaries.summary_return(summary=summary, user=request.user, reason=text)
                messages.success(request, _("Đã trả lại báo cáo."))
            elif action == "reopen":
                summaries.summary_reopen(summary=summary, user=request.user, reason=text)
                messages.success(request, _("Đã mở lại báo cáo."))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(request.path)
    restated = request.GET.get("view") == "restated"
    content = summaries.content_of(summary, restated=restated)
    changed = None
    if summary.status == summary.Status.APPROVED:
        changed = summaries.changes_since(unit, summary.approved_at)
    return render(
        request,
        "reports/summary_detail.html",
        {
            "unit": unit,
            "summary": summary,
            "content": content,
            "month_end": summaries.month_end(month),
            "indicator_rows": [
                (indicators.INDICATOR_BY_KEY[key], figure, content["previous_indicators"][key])
                for key, figure in content["indicators"].items()
            ],
            "main_keys": [indicators.INDICATOR_BY_KEY[key] for key in dashboards.MAIN_KEYS],
            "changes": [(key, label, content["changes"][key]) for key, label in summaries.CHANGE_LABELS.items()],
            "actions": [(key, label, content["actions"][key]) for key, label in summaries.ACTION_LABELS.items()],
            "changed": changed,
            "ended": summaries.has_ended(month),
            "navigation": summaries.month_navigation(month),
            "can_submit": summaries.can_submit(request.user, unit),
            "can_approve": can_approve(request.user),
            "events": summary.events.select_related("user") if summary.pk else [],
            "findings_open": quality.open_count(unit),
            "restated": restated,
        },
    )


@login_required
def summary_export(request, kind, code, month, export_format):
    from . import exports, summaries

    unit = unit_or_404(request, kind, code)
    month = _month_or_404(month)
    if export_format not in exports.FORMATS:
        raise Http404
    summary = summaries.get_or_make(unit, month)
    data = exports.render(
        summaries.content_of(summary),
        export_format,
        approved=summary.approved_at if summary.status == summary.Status.APPROVED else None,
    )
    response = HttpResponse(data, content_type=exports.FORMATS[export_format][0])
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{unit.code}-{month:%Y-%m}.{export_format}"'
    return response


@login_required
def summary_province_export(request, month, export_format):
    """Every reporting unit's summary of a month in one workbook or one PDF
    (the frozen copy of those approved), for the approver's meeting."""
    from . import exports

    within = indicators.get_unit(*top_unit(request.user))
    if home_unit(request.user):
        raise Http404  # a clerk's own summary has its own download
    month = _month_or_404(month)
    if export_format not in ("xlsx", "pdf"):
        raise Http404
    data = exports.province_month_file(month, export_format, within)
    response = HttpResponse(data, content_type=exports.FORMATS[export_format][0])
    response["Content-Disposition"] = f'attachment; filename="bao-cao-ca-tinh-{month:%Y-%m}.{export_format}"'
    return response


@login_required
def summary_changes(request, kind, code, month):
    """The records of the unit changed since its summary was approved."""
    from . import summaries

    unit = unit_or_404(request, kind, code)
    summary = summaries.get_or_make(unit, _month_or_404(month))
    if summary.status != summary.Status.APPROVED:
        raise Http404
    count, entries = summaries.changes_since(unit, summary.approved_at)
    return render(
        request, "reports/summary_changes.html", {"unit": unit, "summary": summary, "count": count, "entries": entries}
    )
