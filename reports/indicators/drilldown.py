"""The rows behind a figure, and each hamlet's coverage status."""

from hamlets.models import (
    AdmissionTarget,
    Branch,
    Hamlet,
)

from .catalogue import INDICATOR_BY_KEY
from .states import Snapshot, admission_rows, member_rows
from .units import unit_communes

# --- drill-down and status --------------------------------------------------------


def numerator_rows(key, unit, day, area=None, snapshot=None):
    """The records an indicator's numerator counts: hamlets, branches, active
    memberships or first memberships (admissions). len() == numerator."""
    indicator = INDICATOR_BY_KEY[key]
    communes = unit_communes(unit, day)
    if indicator.level == "admission":
        return admission_rows(communes, day)
    snapshot = snapshot or Snapshot(communes, day, area)
    if indicator.level == "member":
        return member_rows(snapshot).filter(indicator.numerator(day))
    model = Hamlet if indicator.level == "hamlet" else Branch
    return model.objects.filter(pk__in=snapshot.numerator_ids(key))


def denominator_rows(key, unit, day, area=None, snapshot=None):
    indicator = INDICATOR_BY_KEY[key]
    communes = unit_communes(unit, day)
    if indicator.level == "admission":
        return AdmissionTarget.objects.filter(commune__in=communes, year=day.year)
    snapshot = snapshot or Snapshot(communes, day, area)
    if indicator.level == "member":
        return member_rows(snapshot)
    model = Hamlet if indicator.level == "hamlet" else Branch
    return model.objects.filter(pk__in=snapshot.denominator_ids(key))


class Coverage:
    """A hamlet's coverage status (for lists and the hamlet page)."""

    OWN_BRANCH = "own_branch"
    JOINT_ONLY = "joint_only"
    RESIDENTS_NO_BRANCH = "residents_no_branch"
    NOTHING = "nothing"


def hamlet_coverage(row):
    """Coverage status of a hamlet row of a Snapshot."""
    if row["served"]:
        return Coverage.OWN_BRANCH if row["served_by_own_branch"] else Coverage.JOINT_ONLY
    return Coverage.RESIDENTS_NO_BRANCH if row["has_resident"] else Coverage.NOTHING
