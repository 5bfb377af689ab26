"""Dated parents, written once: which commune held a hamlet or a branch, which
district held a commune, where a member lived, on a date.

See hamlets/lineage.py for the storage: the foreign key holds the parent from
the last change on, and each ParentChange row remembers the parent before it.
"""

from django.db.models import Exists, OuterRef, Q

from .lineage import ParentChange

# kind -> (ParentChange field of the child, field of the old parent, parent foreign key of the child);
# the kind is the child's model name, but for a commune's province ("commune_province").
CHILDREN = {
    "hamlet": ("hamlet", "old_commune", "commune_id"),
    "branch": ("branch", "old_commune", "commune_id"),
    "commune": ("commune", "old_district", "district_id"),
    "commune_province": ("commune", "old_province", "province_id"),
    "member": ("member", "old_hamlet", "residence_hamlet_id"),
}


def changes_of(kind):
    """The ParentChange rows of one kind: a commune's rows are changes of
    province when `old_province` is set, else changes of district."""
    if kind == "commune_province":
        return ParentChange.objects.filter(old_province__isnull=False)
    if kind == "commune":
        return ParentChange.objects.filter(old_province__isnull=True)
    return ParentChange.objects.all()


def parent_at(current, changes, day):
    """The parent on `day`, from the current parent and the (date, old parent)
    changes sorted by date: the old parent of the first change after `day`."""
    for changed_on, old in changes:
        if day < changed_on:
            return old
    return current


class Placement:
    """Current parents and parent changes of some records of one kind, read in
    two queries; `at(pk, day)` answers in memory."""

    def __init__(self, kind, current, every=False):
        """`current`: {child pk: current parent pk}; `every`: they are all the
        records of the kind (the changes are read without a list of ids)."""
        child, old, _fk = CHILDREN[kind]
        self.current = dict(current)
        self.changes = {}
        rows = changes_of(kind)
        if not every:
            rows = rows.filter(**{f"{child}_id__in": list(self.current)})
        rows = (
            rows.filter(**{f"{child}__isnull": False})
            .order_by("changed_on", "pk")
            .values_list(f"{child}_id", "changed_on", f"{old}_id")
        )
        for pk, changed_on, old_parent in rows:
            self.changes.setdefault(pk, []).append((changed_on, old_parent))

    @classmethod
    def of(cls, queryset, kind):
        _child, _old, fk = CHILDREN[kind]
        return cls(kind, queryset.values_list("pk", fk))

    def at(self, pk, day):
        return parent_at(self.current[pk], self.changes.get(pk, ()), day)


def ever_under_q(kind, parents):
    """Q for records of `kind` whose parent is, or once was, in `parents`
    (a queryset or list of parent pks): what a unit's staff may read."""
    child, old, fk = CHILDREN[kind]
    before = ParentChange.objects.filter(**{child: OuterRef("pk"), f"{old}__in": parents})
    return Q(**{f"{fk.removesuffix('_id')}__in": parents}) | Exists(before)


# Beyond this many moved records, ever_under_filter falls back to a subquery.
MOVED_IDS_INLINE = 2000


def ever_under_filter(kind, parents, prefix=""):
    """Like ever_under_q, for filtering rows that *refer* to such records
    through `prefix` ("branch__" for memberships): the records currently
    under `parents`, or in the short list of those moved away from them.

    Written as a join plus a small id list rather than a subquery with
    EXISTS, which PostgreSQL plans far worse inside the big per-branch
    aggregates of the indicators (measured: 0.65 s -> 1.0 s on the generated
    province). A long list (a national reform) falls back to the subquery."""
    from . import models

    child, old, fk = CHILDREN[kind]
    moved = list(
        ParentChange.objects.filter(**{f"{old}__in": parents, f"{child}__isnull": False})
        .values_list(f"{child}_id", flat=True)
        .distinct()[: MOVED_IDS_INLINE + 1]
    )
    here = Q(**{f"{prefix}{fk.removesuffix('_id')}__in": parents})
    if not moved:
        return here
    if len(moved) <= MOVED_IDS_INLINE:
        return here | Q(**{f"{prefix}pk__in": moved})
    model = {"hamlet": models.Hamlet, "branch": models.Branch, "member": models.Member}.get(kind, models.Commune)
    return Q(**{f"{prefix}pk__in": model.objects.filter(ever_under_q(kind, parents)).values("pk")})


def communes_of_district(district_id, day):
    """Pks of the communes in the district on `day` (active or not)."""
    return _communes_under("commune", district_id, day)


def communes_of_province(province_id, day):
    """Pks of the communes in the province on `day` (active or not)."""
    return _communes_under("commune_province", province_id, day)


def _communes_under(kind, parent_id, day, active_only=False):
    from coverage_site.lib.dates import is_active

    placement, periods = _communes_ever_under(kind, parent_id)
    return [
        pk
        for pk in placement.current
        if placement.at(pk, day) == parent_id and (not active_only or is_active(*periods[pk], day))
    ]


def communes_active_under(kind, parent_id, day):
    """Pks of the communes under the district ("commune") or province
    ("commune_province") on `day` and active on it: the communes a unit's
    figures cover (reports.indicators.units)."""
    return _communes_under(kind, parent_id, day, active_only=True)


def _communes_ever_under(kind, parent_id):
    """(Placement, {pk: (established_on, dissolved_on)}) of the communes ever
    under the parent, read once per reading request (read_memo): the same
    rows answer every date, and a dashboard asks about five or six dates,
    each of them several times."""
    from coverage_site.lib.read_memo import remembered

    return remembered(("communes_ever_under", kind, parent_id), lambda: _read_communes_ever_under(kind, parent_id))


def _read_communes_ever_under(kind, parent_id):
    from .models import Commune

    # The communes under the parent now, or in the short list of those moved
    # away from it: two index reads. With OR EXISTS PostgreSQL scanned all
    # 3,321 communes of a country (15 ms, and a dashboard asks 20 times).
    _child, _old, fk = CHILDREN[kind]
    rows = list(
        Commune.objects.filter(ever_under_filter(kind, [parent_id])).values_list(
            "pk", fk, "established_on", "dissolved_on"
        )
    )
    placement = Placement(kind, ((pk, parent) for pk, parent, _start, _end in rows))
    return placement, {pk: (start, end) for pk, _parent, start, end in rows}


def district_of_communes(commune_ids, day):
    """{commune pk: its district pk (or None) on `day`}."""
    from .models import Commune

    placement = Placement.of(Commune.objects.filter(pk__in=list(commune_ids)), "commune")
    return {pk: placement.at(pk, day) for pk in placement.current}


def province_of_communes(commune_ids, day):
    """{commune pk: its province pk (or None, one-province installations) on
    `day`}; `commune_ids` None: every commune (read without a list of ids)."""
    from .models import Commune

    if commune_ids is None:
        placement = Placement("commune_province", Commune.objects.values_list("pk", "province_id"), every=True)
    else:
        placement = Placement.of(Commune.objects.filter(pk__in=list(commune_ids)), "commune_province")
    return {pk: placement.at(pk, day) for pk in placement.current}


def branches_under(communes, day):
    """Pks of the branches whose commune on `day` is one of `communes`."""
    from .models import Branch

    communes = set(communes.values_list("pk", flat=True)) if hasattr(communes, "values_list") else set(communes)
    placement = Placement.of(Branch.objects.filter(ever_under_filter("branch", list(communes))), "branch")
    return [pk for pk in placement.current if placement.at(pk, day) in communes]


def communes_ever(records, kind):
    """The communes that held the hamlets or branches of a queryset at any
    date: for reading their states on a past date (a hamlet page, a status filter)."""
    from .models import Commune

    moved_from = ParentChange.objects.filter(**{f"{kind}__in": records.values("pk")}).values("old_commune")
    return Commune.objects.filter(Q(pk__in=records.values("commune_id")) | Q(pk__in=moved_from))
