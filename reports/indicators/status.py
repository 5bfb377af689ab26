"""Hamlets and branches by status, for the list filters."""

from hamlets.models import (
    Commune,
)

from .drilldown import hamlet_coverage
from .states import Snapshot


def hamlet_coverage_ids(hamlets, day, status):
    """Ids of the hamlets (of a queryset) with a coverage status at `day`;
    "no_branch" groups the two statuses without a branch."""
    snapshot = Snapshot(Commune.objects.filter(pk__in=hamlets.values("commune_id")), day)
    return [
        pk
        for pk, row in snapshot.hamlets.items()
        if hamlet_coverage(row) == status or (status == "no_branch" and not row["served"])
    ]


def branch_state_ids(branches, day, state):
    """Ids of active branches (of a queryset) that are at risk, safe, or without a secretary at `day`."""
    snapshot = Snapshot(Commune.objects.filter(pk__in=branches.values("commune_id")), day)
    tests = {
        "at_risk": lambda row: row["at_risk"],
        "safe": lambda row: not row["at_risk"],
        "no_secretary": lambda row: not row["has_secretary"],
    }
    return [pk for pk, row in snapshot.branches.items() if tests[state](row)]
