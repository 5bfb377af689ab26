"""Figures of a unit (and of its children) from the per-commune rows of a snapshot."""

import functools

from coverage_site.lib.dates import today
from hamlets.models import District, Province
from hamlets.placement import district_of_communes, province_of_communes

from .catalogue import KEYS
from .states import Snapshot
from .units import Unit, several_provinces, unit_communes

# --- computing -------------------------------------------------------------------


def _sum(per_commune, commune_ids):
    totals = {key: [0, 0] for key in KEYS}
    for commune_id in commune_ids:
        for key, (numerator, denominator) in per_commune.get(commune_id, {}).items():
            totals[key][0] += numerator
            totals[key][1] += denominator
    return totals


def _as_json(totals):
    return {
        key: {
            "numerator": numerator,
            "denominator": denominator,
            "ratio": round(numerator / denominator, 4) if denominator else None,
        }
        for key, (numerator, denominator) in ((k, totals[k]) for k in KEYS)
    }


def child_units(unit, day):
    """Active child units with the ids of their communes (indicators.md,
    breakdown by child unit): a national installation's active provinces; a
    province's active districts, then its active communes in no active
    district; a district's active communes. Communes in no active parent are
    listed on their own, so children always add up to the parent."""
    communes = list(unit_communes(unit, day).values_list("pk", "code", "name"))
    if unit.is_root and several_provinces():
        # Every commune of the installation: their provinces read without a list of 3,321 ids.
        return _parents_then_loose(communes, Province, lambda _pks, on: province_of_communes(None, on), day)
    if unit.kind == "province":
        # The installation lists every active district, a province those holding its communes.
        return _parents_then_loose(communes, District, district_of_communes, day, only_used=not unit.is_root)
    if unit.kind == "district":
        return [(Unit("commune", code, name, pk), [pk]) for pk, code, name in sorted(communes, key=lambda c: c[1])]
    return []


def _parents_then_loose(communes, model, parent_of, day, only_used=False):
    """The active parents (of `model`) of `communes` on `day`, each with its
    communes, then the communes in no active parent, one by one."""
    parent_on_day = parent_of([c[0] for c in communes], day)
    by_parent = {}
    for pk, _code, _name in communes:
        by_parent.setdefault(parent_on_day[pk], []).append(pk)
    parents = model.objects.active_on(day).order_by("code")
    if only_used:
        parents = parents.filter(pk__in=[pk for pk in by_parent if pk is not None])
    parents = list(parents.values_list("pk", "code", "name"))
    active_ids = {pk for pk, _code, _name in parents}
    kind = model._meta.model_name
    children = [(Unit(kind, code, name, pk), by_parent.get(pk, [])) for pk, code, name in parents]
    loose = sorted((c for c in communes if parent_on_day[c[0]] not in active_ids), key=lambda c: c[1])
    return children + [(Unit("commune", code, name, pk), [pk]) for pk, code, name in loose]


def compute(unit, day, area=None, by_child=False, snapshot=None, restated=False):
    """The indicators JSON of indicators.md ("Machine-readable output").

    Pass a `snapshot` when the caller has one (the dashboard's action lists,
    a trend's month ends read together), so the states are read once.
    Restated: the records of `day` attributed to today's units (same JSON)."""
    if snapshot is None and restated:
        snapshot = Snapshot.of_unit(unit, [day], area, restated=True)[day]
    restated = restated or bool(snapshot and snapshot.restated)
    units_day = today() if restated else day
    communes = unit_communes(unit, units_day)
    snapshot = snapshot or Snapshot(communes, day, area)
    # The installation's figures of many provinces come with their provinces'
    # totals (unit_sums.GroupedFigures); other snapshots give each commune's.
    totals_of = getattr(snapshot, "totals_of", None)
    per_commune = None if totals_of else snapshot.per_commune()
    totals_of = totals_of or functools.partial(_sum, per_commune)
    commune_ids = list(communes.values_list("pk", flat=True))
    if restated and unit.is_root:
        # Records of a unit dissolved without successor belong to no unit of
        # today but still to the province: its total never changes by restating.
        commune_ids = list(per_commune)
    result = {
        "unit": unit.as_json(),
        "as_of": day.isoformat(),
        "area": area,
        "indicators": _as_json(totals_of(commune_ids)),
        "children": [],
    }
    if by_child:
        for child, child_commune_ids in child_units(unit, units_day):
            result["children"].append(
                {
                    "unit": child.as_json(),
                    "as_of": day.isoformat(),
                    "area": area,
                    "indicators": _as_json(totals_of(child_commune_ids)),
                }
            )
    return result
