"""Figures of several dates, remembered until the data change."""

from coverage_site.lib.dates import today

from .catalogue import at_risk_settings
from .compute import compute
from .states import Snapshot


def data_version():
    """A number that changes whenever any registry record changes: the sum of
    the latest history ids. Cached figures are keyed by it, so a correction
    invalidates them without any bookkeeping."""
    from django.db.models import Max

    from hamlets.exchange.schema import SHEETS  # every registry table, reorganisations included

    total = 0
    for sheet in SHEETS:
        total += sheet.model.history.aggregate(latest=Max("history_id"))["latest"] or 0
    return total


def compute_many(unit, days, area=None, restated=False):
    """{day: compute(unit, day, area)} for several dates, their states read together."""
    snapshots = Snapshot.of_unit(unit, days, area, restated=restated)
    return {day: compute(unit, day, area, snapshot=snapshots[day]) for day in days}


def _cache_key(unit, day, area, by_child, version, restated=False):
    # The at-risk settings are part of the key: changing them changes the figures.
    # Restated figures depend on today's units, so today's date is part of their key.
    risk = "-".join(str(v) for v in at_risk_settings().values())
    view = f"r{today().isoformat()}" if restated else "w"
    return f"indicators:{version}:{risk}:{view}:{unit.kind}:{unit.code}:{day.isoformat()}:{area or ''}:{int(by_child)}"


def compute_many_cached(unit, days, area=None, version=None, restated=False):
    """compute_many(), remembering each date's figures until the data change.

    As they were: from each commune's cached figures (by_commune.py), so a
    change recomputes the communes it touched only. Restated: per unit and
    date, under the global data version and today's date."""
    from django.core.cache import cache

    if not restated:
        from . import month_ends
        from .by_commune import unit_figures

        if unit.kind == "province" and all(month_ends.is_month_end(day) for day in days):
            # A trend of the installation or a province: its kept sums (unit_sums.py).
            from .compute import _as_json
            from .unit_sums import month_end_totals

            totals = month_end_totals(unit, days, area)
            return {
                day: {
                    "unit": unit.as_json(),
                    "as_of": day.isoformat(),
                    "area": area,
                    "indicators": _as_json(totals[day]),
                    "children": [],
                }
                for day in days
            }
        figures = unit_figures(unit, days, area)
        return {day: compute(unit, day, area, snapshot=figures[day]) for day in days}

    version = data_version() if version is None else version
    keys = {day: _cache_key(unit, day, area, False, version, restated) for day in days}
    found = cache.get_many(list(keys.values()))
    results = {day: found[key] for day, key in keys.items() if key in found}
    missing = [day for day in days if day not in results]
    if missing:
        fresh = compute_many(unit, missing, area, restated)
        cache.set_many({keys[day]: result for day, result in fresh.items()}, 7 * 24 * 3600)
        results.update(fresh)
    return results
