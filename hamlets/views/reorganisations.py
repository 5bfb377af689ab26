"""Reorganisation events in the browser (administrators): list, enter, preview, apply, undo."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import forms, models, reorganise
from ..permissions import Role, role_of


def require_admin(user):
    if role_of(user) != Role.ADMIN:
        raise PermissionDenied


@login_required
def reorganisation_list(request):
    require_admin(request.user)
    events = models.Reorganisation.objects.order_by("-effective_on", "code")
    return render(request, "hamlets/reorganisation_list.html", {"events": events})


@login_required
def reorganisation_edit(request, code=None):
    """Enter a new event, or change one that is not applied."""
    require_admin(request.user)
    event = get_object_or_404(models.Reorganisation, code=code) if code else models.Reorganisation()
    if event.status == models.Reorganisation.Status.APPLIED:
        messages.error(request, _("Lần sắp xếp đã áp dụng: hãy hoàn tác trước khi sửa."))
        return redirect("hamlets:reorganisation_detail", code=event.code)
    form = forms.ReorganisationForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        event = form.save()
        messages.success(request, _("Đã lưu. Xem trước những gì sẽ thay đổi rồi bấm Áp dụng."))
        return redirect("hamlets:reorganisation_detail", code=event.code)
    title = _("Sửa lần sắp xếp %(code)s") % {"code": event.code} if code else _("Nhập lần sắp xếp đơn vị")
    return render(request, "hamlets/form.html", {"form": form, "title": title, "cancel_url": "../"})


@login_required
def reorganisation_detail(request, code):
    """The event, and for one not applied, a preview of everything applying it does."""
    require_admin(request.user)
    event = get_object_or_404(models.Reorganisation, code=code)
    lines, refused = [], None
    if event.status == models.Reorganisation.Status.PLANNED:
        try:
            lines = reorganise.preview(event)
        except reorganise.Refused as exc:
            refused = " ".join(exc.messages)
    links = event.links.select_related(
        "from_hamlet", "to_hamlet", "from_commune", "to_commune", "from_district", "to_district"
    )
    return render(
        request,
        "hamlets/reorganisation_detail.html",
        {"event": event, "lines": lines, "refused": refused, "links": links, "moves": event.moves.count()},
    )


def _run(request, code, operation, done_message):
    """POST only: apply or undo an event, then back to its page with the outcome."""
    require_admin(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    event = get_object_or_404(models.Reorganisation, code=code)
    try:
        operation(event)
    except reorganise.Refused as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message % {"event": event})
    return redirect("hamlets:reorganisation_detail", code=code)


@login_required
def reorganisation_apply(request, code):
    return _run(request, code, reorganise.apply, _("Đã áp dụng %(event)s."))


@login_required
def reorganisation_undo(request, code):
    return _run(request, code, reorganise.undo, _("Đã hoàn tác %(event)s: dữ liệu trở lại như trước."))
