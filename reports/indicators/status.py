"""Hamlets and branches by status, for the list filters."""

from hamlets.placement import communes_ever

from .by_commune import snapshot_of
from .drilldown import hamlet_coverage


def hamlet_coverage_ids(hamlets, day, status):
    """Ids of the hamlets (of a queryset) with a coverage status at `day`;
    "no_branch" groups the two statuses without a branch."""
    snapshot = snapshot_of(communes_ever(hamlets, "hamlet"), day)
    return [
        pk
        for pk, row in snapshot.hamlets.items()
        if hamlet_coverage(row) == status or (status == "no_branch" and not row["served"])
    ]


def branch_state_ids(branches, day, state):
    """Ids of active branches (of a queryset) that are at risk, safe, or without a secretary at `day`."""
    snapshot = snapshot_of(communes_ever(branches, "branch"), day)
    tests = {
        "at_risk": lambda row: row["at_risk"],
        "safe": lambda row: not row["at_risk"],
        "no_secretary": lambda row: not row["has_secretary"],
    }
    return [pk for pk, row in snapshot.branches.items() if tests[state](row)]
