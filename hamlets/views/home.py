"""The home page, by role."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import models
from ..permissions import (
    can_approve,
    can_edit,
    home_unit,
    role_of,
    top_unit,
)
from .common import as_of_from

# --- home ----------------------------------------------------------------------------------


@login_required
def home(request):
    from coverage_site.lib.dates import today
    from reports import quality, summaries
    from reports.dashboards import action_lists
    from reports.indicators import INDICATOR_BY_KEY, cached_figures, compute_many_cached, get_unit

    day = as_of_from(request)
    role = role_of(request.user)
    context = {"as_of": day, "role": role}
    communes = models.Commune.objects.visible_to(request.user).active_on(day)
    if can_edit(request.user) and role != models.Role.ADMIN:
        # From each commune's cached figures, as the dashboards (by_commune.py).
        mine = set(communes.values_list("pk", flat=True))
        context["actions"] = action_lists(cached_figures({day: mine}, remember=True)[day])
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
            # The records to check before submitting (reports/quality.py), as of today.
            totals = quality.totals(communes.values_list("pk", flat=True), today())
            context["findings"] = [(check, totals[check.key]) for check in quality.CHECKS if totals[check.key]]
    else:
        if can_approve(request.user):
            context["waiting"] = summaries.waiting_for_approval(request.user)
        # From each commune's cached figures: everyone's first page after
        # logging in, so not computed afresh for each of them.
        context["top_unit"] = get_unit(*top_unit(request.user))
        result = compute_many_cached(context["top_unit"], [day])[day]
        context["figures"] = [(INDICATOR_BY_KEY[key], figure) for key, figure in result["indicators"].items()]
    return render(request, "hamlets/home.html", context)
