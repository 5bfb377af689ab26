"""The pages of one hamlet, branch or member."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from hamlets.placement import communes_ever
from hamlets.restate import lineage_of

from .. import actions, models
from ..permissions import (
    can_edit,
    get_visible_or_404,
)
from ..timeline import branch_timeline, hamlet_timeline
from .common import as_of_from

# --- record pages ------------------------------------------------------------------------------


@login_required
def hamlet_detail(request, code):
    from reports.indicators import hamlet_coverage, snapshot_of

    hamlet = get_visible_or_404(request.user, models.Hamlet.objects.select_related("commune"), code=code)
    day = as_of_from(request)
    # From the cached states of its communes, as the dashboards read them.
    row = snapshot_of(communes_ever(models.Hamlet.objects.filter(pk=hamlet.pk), "hamlet"), day).hamlets.get(hamlet.pk)
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
        "lineage": lineage_of("hamlet", hamlet.pk),
        "can_edit": models.Hamlet.objects.editable_by(request.user).filter(pk=hamlet.pk).exists(),
    }
    return render(request, "hamlets/hamlet_detail.html", context)


@login_required
def branch_detail(request, code):
    from reports.indicators import snapshot_of

    branch = get_visible_or_404(request.user, models.Branch.objects.select_related("commune"), code=code)
    day = as_of_from(request)
    row = snapshot_of(communes_ever(models.Branch.objects.filter(pk=branch.pk), "branch"), day).branches.get(branch.pk)
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
        "lineage": lineage_of("branch", branch.pk),
        "can_edit": models.Branch.objects.editable_by(request.user).filter(pk=branch.pk).exists(),
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
