"""Helpers shared by the data-entry pages: the page date, record versions and
history, where a record's page is."""

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _

from coverage_site.lib.dates import in_range, parse_day, range_message, today

from .. import models

# --- helpers -----------------------------------------------------------------------------


def as_of_from(request):
    """The date of a page: ?as_of=dd/mm/yyyy or YYYY-MM-DD, else today. A
    date that cannot be read is replaced by today, with a message saying so."""
    text = request.GET.get("as_of", "").strip()
    day = parse_day(text)
    if day is None and text:
        messages.warning(
            request, _("Ngày “%(text)s” không hợp lệ (viết dd/mm/yyyy): đang xem ngày hôm nay.") % {"text": text}
        )
    elif day is not None and not in_range(day):
        messages.warning(request, range_message() + " " + _("Đang xem ngày hôm nay."))
        day = None
    return day or today()


# A record's history entries are read through the index of the record's own
# id, all of them (a handful), and ordered here. "ORDER BY history_id DESC
# LIMIT 1" (and simple_history's prev_record, by history_date) let PostgreSQL
# walk the whole table's history index backwards instead: up to 13 s for a
# member imported early among a country's 5.6 million (measured under load).


def version_of(record):
    """The record's version token: its latest history id ("" if none)."""
    latest = max(record.history.order_by().values_list("history_id", flat=True), default=None)
    return str(latest or "")


def previous_entry(entry):
    """The history entry of the same record before `entry`, or None."""
    model = type(entry)
    name = entry.instance_type._meta.pk.attname
    own = model.objects.filter(**{name: getattr(entry, name)}).order_by()
    earlier = [pk for pk in own.values_list("history_id", flat=True) if pk < entry.history_id]
    return model.objects.get(history_id=max(earlier)) if earlier else None


def changes_since(record, version):
    """History entries of the record after `version`, newest first, with their field changes."""
    entries = record.history.select_related("history_user").order_by("-history_id")
    if version:
        entries = entries.filter(history_id__gt=int(version))
    return describe_history(list(entries))


def describe_history(entries):
    """[(entry, [(field label, old, new)])] for consecutive history entries of
    one record, newest first. Each entry's previous version is the next one
    in the list; only the oldest needs a query."""
    described = []
    for index, entry in enumerate(entries):
        previous = entries[index + 1] if index + 1 < len(entries) else previous_entry(entry)
        changes = []
        if previous is not None:
            # Derived copies (folded names, sort keys) are not changes a person made.
            derived = [f.name for f in entry.instance_type._meta.fields if isinstance(f, models.FoldedField)]
            delta = entry.diff_against(previous, excluded_fields=derived)
            for change in delta.changes:
                field = entry.instance_type._meta.get_field(change.field)
                changes.append((field.verbose_name, change.old, change.new))
        described.append((entry, changes))
    return described


def detail_url(record):
    if isinstance(record, models.Hamlet):
        return reverse("hamlets:hamlet_detail", args=[record.code])
    if isinstance(record, models.Branch):
        return reverse("hamlets:branch_detail", args=[record.code])
    if isinstance(record, models.Member):
        return reverse("hamlets:member_detail", args=[record.code])
    if isinstance(record, models.VillageHead):
        return reverse("hamlets:hamlet_detail", args=[record.hamlet.code])
    if isinstance(record, models.Membership):
        return reverse("hamlets:member_detail", args=[record.member.code])
    if isinstance(record, models.BranchSecretary):
        return reverse("hamlets:branch_detail", args=[record.branch.code])
    if isinstance(record, models.Candidate):
        return reverse("hamlets:candidate_list")
    if isinstance(record, models.AdmissionTarget):
        return reverse("hamlets:admissiontarget_list")
    if isinstance(record, models.BranchRating):
        return reverse("hamlets:branchrating_list")
    return reverse("home")
