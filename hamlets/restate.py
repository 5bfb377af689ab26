"""Restating past records on today's units (domain.md, "Reorganisations").

Each hamlet and branch is attributed to the commune it belongs to today by
following its lineage to its last successor (a whole successor first, else
the one with the largest share, else the first entered: never a fraction),
then that successor's commune, then the commune's own lineage (a commune
merged into another). A member counts where their branch goes: the branch
lineage links each dissolved branch to the branches its members were
transferred into, and when those lie in different communes today the largest
share wins (the page says so).

Everything is read in a handful of queries over the (small) lineage tables.
"""

from django.db.models import Q

from .lineage import LineageLink
from .models import Branch, Commune, Hamlet


def _successors(level):
    """{predecessor pk: successor pk} for a level, choosing one successor each."""
    choices = {}
    for link in LineageLink.objects.filter(**{f"from_{level}__isnull": False, f"to_{level}__isnull": False}).values(
        f"from_{level}", f"to_{level}", "whole", "share", "pk"
    ):
        source, target = link[f"from_{level}"], link[f"to_{level}"]
        if source == target:
            continue  # a rename
        rank = (link["whole"], link["share"] or 0, -link["pk"])
        if source not in choices or rank > choices[source][0]:
            choices[source] = (rank, target)
    return {source: target for source, (_rank, target) in choices.items()}


def _final(pk, successor):
    seen = set()
    while pk in successor and pk not in seen:
        seen.add(pk)
        pk = successor[pk]
    return pk


class Restatement:
    """`commune_of_hamlet(pk)`, `commune_of_branch(pk)`, `commune_today(pk)`:
    today's commune of a past record."""

    def __init__(self):
        self.commune_successor = _successors("commune")
        self.hamlet_successor = _successors("hamlet")
        self.branch_successor = _successors("branch")
        self._hamlet_commune = {}
        self._branch_commune = {}
        self.ambiguous = self._ambiguous()

    def commune_today(self, commune_pk):
        return _final(commune_pk, self.commune_successor)

    def load(self, hamlet_pks=(), branch_pks=()):
        """Reads the current communes of the records' last successors."""
        hamlet_finals = {pk: _final(pk, self.hamlet_successor) for pk in hamlet_pks}
        branch_finals = {pk: _final(pk, self.branch_successor) for pk in branch_pks}
        hamlet_communes = dict(
            Hamlet.objects.filter(pk__in=set(hamlet_finals.values())).values_list("pk", "commune_id")
        )
        branch_communes = dict(
            Branch.objects.filter(pk__in=set(branch_finals.values())).values_list("pk", "commune_id")
        )
        for pk, final in hamlet_finals.items():
            self._hamlet_commune[pk] = self.commune_today(hamlet_communes[final])
        for pk, final in branch_finals.items():
            self._branch_commune[pk] = self.commune_today(branch_communes[final])
        return self

    def commune_of_hamlet(self, pk):
        return self._hamlet_commune[pk]

    def commune_of_branch(self, pk):
        return self._branch_commune[pk]

    def _ambiguous(self):
        """Whether some record had successors in different places: restated
        figures then follow the largest share, and the page says so."""
        return any(
            LineageLink.objects.filter(whole=False)
            .exclude(to_hamlet__isnull=True, to_branch__isnull=True)
            .values_list("pk", flat=True)[:1]
        )


def sources_of(commune_pks):
    """Every commune whose past records may be restated onto `commune_pks`
    (today's communes): them, their predecessors, the communes hamlets and
    branches moved from, and the communes of predecessor hamlets and branches,
    until nothing new is found."""
    from .lineage import ParentChange

    found = set(commune_pks)
    while True:
        more = set(
            LineageLink.objects.filter(to_commune__in=found, from_commune__isnull=False).values_list(
                "from_commune", flat=True
            )
        )
        more |= set(
            ParentChange.objects.filter(hamlet__commune__in=found, old_commune__isnull=False).values_list(
                "old_commune", flat=True
            )
        )
        more |= set(
            ParentChange.objects.filter(branch__commune__in=found, old_commune__isnull=False).values_list(
                "old_commune", flat=True
            )
        )
        more |= set(
            Hamlet.objects.filter(
                pk__in=LineageLink.objects.filter(to_hamlet__commune__in=found, from_hamlet__isnull=False).values(
                    "from_hamlet"
                )
            ).values_list("commune_id", flat=True)
        )
        more |= set(
            Branch.objects.filter(
                pk__in=LineageLink.objects.filter(to_branch__commune__in=found, from_branch__isnull=False).values(
                    "from_branch"
                )
            ).values_list("commune_id", flat=True)
        )
        if more <= found:
            return Commune.objects.filter(pk__in=found)
        found |= more


def events_touching(unit, start, end):
    """Applied reorganisations effective in (start, end] that touched a
    reports Unit: its communes' hamlets, branches or the communes themselves,
    then or today."""
    from django.db.models import Q

    from coverage_site.lib.dates import today

    from .lineage import Reorganisation

    events = Reorganisation.objects.filter(status="applied", effective_on__gt=start, effective_on__lte=end)
    if unit.is_root:
        return events.order_by("effective_on", "code")
    from reports.indicators.units import unit_communes

    communes = {pk for day in (start, end, today()) for pk in unit_communes(unit, day).values_list("pk", flat=True)}
    communes = set(sources_of(communes).values_list("pk", flat=True))
    touching = (
        Q(links__from_hamlet__commune__in=communes)
        | Q(links__to_hamlet__commune__in=communes)
        | Q(links__from_commune__in=communes)
        | Q(links__to_commune__in=communes)
        | Q(moves__old_commune__in=communes)
        | Q(moves__commune__in=communes)
    )
    if unit.kind == "province":
        touching |= Q(links__from_province=unit.pk) | Q(links__to_province=unit.pk)
    return events.filter(touching).distinct().order_by("effective_on", "code")


class Lineage:
    """A unit's lineage for its page: `came_from` and `became` are lists of
    (event, other unit or None, link); `moves` are its dated parent changes."""

    def __init__(self, came_from, became, renamed, moves):
        self.came_from, self.became, self.renamed, self.moves = came_from, became, renamed, moves

    def __bool__(self):
        return bool(self.came_from or self.became or self.renamed or self.moves)


def unit_link(unit):
    """(name, url) of a unit in a lineage: a commune's or district's dashboard,
    a hamlet's or branch's page; None for no unit."""
    from django.urls import reverse

    if unit is None:
        return None
    kind = unit._meta.model_name
    if kind in ("commune", "district", "province"):
        return unit.name, reverse("reports:dashboard", kwargs={"kind": kind, "code": unit.code})
    return unit.name, reverse(f"hamlets:{kind}_detail", kwargs={"code": unit.code})


def lineage_of(level, pk):
    """The Lineage of a hamlet, commune, district or branch (by pk)."""
    from .lineage import ParentChange

    # Every link to or from the unit in one query (a dashboard reads this on every view).
    links = list(
        LineageLink.objects.select_related("event", f"from_{level}", f"to_{level}")
        .filter(Q(**{f"to_{level}": pk}) | Q(**{f"from_{level}": pk}))
        .order_by("event__effective_on", "pk")
    )
    came_from, became, renamed = [], [], []
    for link in links:
        source, target = getattr(link, f"from_{level}_id"), getattr(link, f"to_{level}_id")
        if source == pk and target == pk:
            renamed.append((link.event, None, link))
        elif target == pk:
            came_from.append((link.event, unit_link(getattr(link, f"from_{level}")), link))
        else:
            became.append((link.event, unit_link(getattr(link, f"to_{level}")), link))
    moves = []
    if level in ("hamlet", "branch", "commune"):
        moves = list(
            ParentChange.objects.filter(**{level: pk})
            .select_related("event", "old_commune", "old_district", "old_province")
            .order_by("changed_on", "pk")
        )
    return Lineage(came_from, became, renamed, moves)
