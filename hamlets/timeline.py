"""What happened to a hamlet or a branch, in date order (for their pages)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Branch, BranchSecretary, Membership, VillageHead


def _events_of_memberships(memberships, *, who):
    events = []
    for m in memberships:
        events.append(
            (m.joined_on, _("%(who)s bắt đầu sinh hoạt tại %(branch)s") % {"who": who(m), "branch": m.branch.name})
        )
        if m.left_on:
            events.append(
                (
                    m.left_on,
                    _("%(who)s thôi sinh hoạt tại %(branch)s (%(reason)s)")
                    % {"who": who(m), "branch": m.branch.name, "reason": m.get_left_reason_display()},
                )
            )
    return events


def hamlet_timeline(hamlet, limit=200):
    events = []
    for branch in Branch.objects.filter(hamlets=hamlet):
        events.append((branch.established_on, _("Thành lập %(branch)s") % {"branch": branch.name}))
        if branch.dissolved_on:
            events.append((branch.dissolved_on, _("Giải thể %(branch)s") % {"branch": branch.name}))
    residents = Membership.objects.filter(member__residence_hamlet=hamlet).select_related("member", "branch")
    events += _events_of_memberships(residents, who=lambda m: m.member.full_name)
    for head in VillageHead.objects.filter(hamlet=hamlet):
        events.append((head.term_start, _("%(name)s làm trưởng thôn") % {"name": head.full_name}))
        if head.term_end:
            events.append((head.term_end, _("%(name)s hết nhiệm kỳ trưởng thôn") % {"name": head.full_name}))
    return sorted(events, key=lambda event: event[0], reverse=True)[:limit]


def branch_timeline(branch, limit=200):
    events = [(branch.established_on, pgettext("event", "Thành lập chi bộ"))]
    if branch.dissolved_on:
        events.append((branch.dissolved_on, pgettext("event", "Giải thể chi bộ")))
    memberships = Membership.objects.filter(branch=branch).select_related("member", "branch")
    events += _events_of_memberships(memberships, who=lambda m: m.member.full_name)
    for term in BranchSecretary.objects.filter(branch=branch).select_related("member"):
        events.append((term.start_on, _("%(name)s làm bí thư") % {"name": term.member.full_name}))
        if term.end_on:
            events.append((term.end_on, _("%(name)s thôi làm bí thư") % {"name": term.member.full_name}))
    return sorted(events, key=lambda event: event[0], reverse=True)[:limit]
