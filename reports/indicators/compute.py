"""Figures of a unit (and of its children) from the per-commune rows of a snapshot."""

from coverage_site.lib.dates import today
from hamlets.models import (
    District,
)
from hamlets.placement import district_of_communes

from .catalogue import KEYS
from .states import Snapshot
from .units import Unit, unit_communes

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
    breakdown by child unit): a province's active districts, then its active
    communes in no active district; a district's active communes."""
    communes = list(unit_communes(unit, day).values_list("pk", "code", "name"))
    district_on_day = district_of_communes([c[0] for c in communes], day)
    communes = [(pk, code, name, district_on_day[pk]) for pk, code, name in communes]
    if unit.kind == "province":
        districts = list(District.objects.active_on(day).order_by("code").values_list("pk", "code", "name"))
        active_ids = {pk for pk, _code, _name in districts}
        children = [
            (Unit("district", code, name, pk), [c[0] for c in communes if c[3] == pk]) for pk, code, name in districts
        ]
        loose = sorted((c for c in communes if c[3] not in active_ids), key=lambda c: c[1])
        return children + [(Unit("commune", code, name, pk), [pk]) for pk, code, name, _d in loose]
    if unit.kind == "district":
        return [(Unit("commune", code, name, pk), [pk]) for pk, code, name, _d in sorted(communes, key=lambda c: c[1])]
    return []


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
    per_commune = snapshot.per_commune()
    commune_ids = list(communes.values_list("pk", flat=True))
    if restated and unit.kind == "province":
        # Records of a unit dissolved without successor belong to no unit of
        # today but still to the province: its total never changes by restating.
        commune_ids = list(per_commune)
    result = {
        "unit": unit.as_json(),
        "as_of": day.isoformat(),
        "area": area,
        "indicators": _as_json(_sum(per_commune, commune_ids)),
        "children": [],
    }
    if by_child:
        for child, child_commune_ids in child_units(unit, units_day):
            result["children"].append(
                {
                    "unit": child.as_json(),
                    "as_of": day.isoformat(),
                    "area": area,
                    "indicators": _as_json(_sum(per_commune, child_commune_ids)),
                }
            )
    return result
