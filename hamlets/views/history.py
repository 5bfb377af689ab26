"""History pages and the administrators' change log."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .. import forms, models
from ..permissions import (
    get_visible_or_404,
    role_of,
)
from .common import describe_history, detail_url

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
    # All of the record's entries (through its id's index, see common.version_of), the latest 200 shown.
    entries = describe_history(list(record.history.select_related("history_user").order_by("-history_id"))[:200])
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
