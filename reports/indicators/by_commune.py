"""Figures kept per commune and date, recomputed only where the data changed.

A unit's figures are sums of its communes' figures (compute._sum), so each
commune's figures for a date can be cached on their own, keyed by that
commune's data version (reports/versions.py). A dashboard view after no
change reads the cache only; after a clerk's edit it reads the states of the
one commune that changed. The cache is Django's (the database cache by
default, Redis when REDIS_URL is set), so every process shares it.

`CommuneFigures` stands in for a Snapshot where only per-commune figures
and the ids behind the dashboard's action lists are needed.
"""

import datetime
import time
from pathlib import Path

from django.core.cache import cache

from . import month_ends
from .catalogue import at_risk_settings
from .states import Snapshot, StateReader

TIMEOUT = 30 * 24 * 3600  # entries of old versions are never read again and age out


ROOT = Path(__file__).resolve().parents[2]
# The code that computes the figures and the data checks' counts (numbers and
# ids only: no text in any language).
FIGURES_CODE = [
    *sorted((ROOT / "reports" / "indicators").glob("*.py")),
    ROOT / "reports" / "quality.py",
    ROOT / "hamlets" / "placement.py",
    ROOT / "hamlets" / "querysets.py",
]
# ... and what draws them into dashboard bodies, translations included.
DRAWING_CODE = [
    ROOT / "reports" / "dashboards.py",
    ROOT / "reports" / "goals.py",
    ROOT / "reports" / "charts.py",
    ROOT / "hamlets" / "templatetags" / "vn.py",
    *(
        ROOT / "templates" / "reports" / name
        for name in (
            "_dashboard_body.html",
            "_action_lists.html",
            "_breakdown.html",
            "_breakdown_row.html",
            "_goals_band.html",
        )
    ),
    *sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po")),
]


def _code_hash(files):
    """Changes when these files change, so a deployment never serves what the
    previous version computed or drew."""
    import hashlib

    digest = hashlib.sha256()
    for path in files:
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


# Keys of kept figures, stored month ends and check counts: a deployment that
# changes only pages or translations keeps a country's figures (recomputing
# them all takes minutes).
FIGURES_HASH = _code_hash(FIGURES_CODE)
# Keys of drawn dashboard bodies.
CODE_HASH = _code_hash(FIGURES_CODE + DRAWING_CODE)


class CommuneFigures:
    """Per-commune figures and action-list ids of some communes at one date."""

    restated = False

    def __init__(self, day, entries, versions=None):
        self.day = day
        self.entries = entries  # {commune pk: entry (see _entry)}
        self.versions = versions or {}  # {commune pk: data version the entries belong to}

    def per_commune(self):
        return {pk: entry["figures"] for pk, entry in self.entries.items()}

    def action_ids(self):
        ids = {"unserved": {}, "at_risk": {}, "no_secretary": []}
        for entry in self.entries.values():
            ids["unserved"].update(entry["unserved"])
            ids["at_risk"].update(entry["at_risk"])
            ids["no_secretary"] += entry["no_secretary"]
        return ids


def _by_commune(rows):
    """{commune pk: {pk: row}} of a snapshot's hamlet or branch rows."""
    grouped = {}
    for pk, row in rows.items():
        grouped.setdefault(row["commune_id"], {})[pk] = row
    return grouped


def _entry(snapshot, commune_pk, figures, hamlets, branches):
    """What is kept for one commune and date, in two parts: "figures" (its
    figures and action-list ids, what dashboards read) and "states" (every
    hamlet's and branch's state row, what drill-downs and record pages read;
    larger, so kept apart and read only by them). `hamlets`, `branches`:
    the commune's rows of the snapshot."""
    # The action lists' ids as Snapshot.action_ids gives them, for this commune's rows only.
    action_ids = Snapshot.of_rows(snapshot.day, snapshot.area, hamlets, branches, {}, {}).action_ids()
    return {
        "figures": {"figures": figures.get(commune_pk, {}), **action_ids},
        "states": {
            "hamlets": hamlets,
            "branches": branches,
            "admissions": snapshot.admissions.get(commune_pk, 0),
            "targets": snapshot.targets.get(commune_pk, 0),
        },
    }


def read_figures(commune_pks, days, area):
    """{(commune pk, day): entry}, read from the states (one StateReader for all)."""
    from hamlets.models import Commune

    reader = StateReader(Commune.objects.filter(pk__in=list(commune_pks)), days, area)
    found = {}
    for day in reader.days:
        snapshot = Snapshot(None, day, area, reader=reader)
        figures = snapshot.per_commune()
        hamlets, branches = _by_commune(snapshot.hamlets), _by_commune(snapshot.branches)
        for pk in commune_pks:
            found[(pk, day)] = _entry(snapshot, pk, figures, hamlets.get(pk, {}), branches.get(pk, {}))
    return found


PARTS = ("figures", "states")


def _key(commune_pk, version, area, part="figures"):
    """One cache entry per commune, data version and part: {date: entry} for
    every date read so far. Fewer, larger entries than one per date: a
    12-month trend of a province writes one entry per commune, not twelve."""
    risk = "-".join(str(v) for v in at_risk_settings().values())
    prefix = "communefigures" if part == "figures" else "communestates"
    return f"{prefix}:{FIGURES_HASH}:{commune_pk}:{version}:{risk}:{area or ''}"


def _cached(communes_by_day, area, part, remember=False):
    """({day: {commune pk: entry part}}, versions), from the cache where the
    communes have not changed; where they have, read from the states
    (together) and both parts written."""
    from reports.versions import versions

    all_pks = set().union(*communes_by_day.values()) if communes_by_day else set()
    version_of = versions(all_pks)
    keys = {pk: _key(pk, version_of[pk], area, part) for pk in all_pks}
    found = cache.get_many(list(keys.values()))
    stored = {pk: found.get(key, {}) for pk, key in keys.items()}
    missing = [(pk, day) for day, pks in communes_by_day.items() for pk in pks if day.isoformat() not in stored[pk]]
    if missing and part == "figures":
        # Month ends not in the cache may be in the table of stored month ends.
        kept = month_ends.read([m for m in missing if month_ends.is_month_end(m[1])], area, version_of)
        if kept:
            for (pk, day), figures in kept.items():
                stored[pk] = {**stored[pk], day.isoformat(): figures}
            cache.set_many({keys[pk]: stored[pk] for pk in {pk for pk, _day in kept}}, TIMEOUT)
            missing = [m for m in missing if m not in kept]
    if missing:
        changed = {pk for pk, _day in missing}
        fresh = read_figures(changed, sorted({day for _pk, day in missing}), area)
        other = next(name for name in PARTS if name != part)
        other_keys = {pk: _key(pk, version_of[pk], area, other) for pk in changed}
        found_other = cache.get_many(list(other_keys.values()))
        stored_other = {pk: found_other.get(key, {}) for pk, key in other_keys.items()}
        for pk, day in missing:
            stored[pk] = {**stored[pk], day.isoformat(): fresh[(pk, day)][part]}
            stored_other[pk] = {**stored_other[pk], day.isoformat(): fresh[(pk, day)][other]}
        writes = {keys[pk]: stored[pk] for pk in changed} | {other_keys[pk]: stored_other[pk] for pk in changed}
        cache.set_many(writes, TIMEOUT)  # one statement with the database cache (coverage_site/lib/cache.py)
        month_ends.write(
            {(pk, day): fresh[(pk, day)]["figures"] for pk, day in missing if month_ends.is_month_end(day)},
            area,
            version_of,
        )
        if remember:
            _remember_dates({day for _pk, day in missing}, area)
    by_day = {day: {pk: stored[pk][day.isoformat()] for pk in pks} for day, pks in communes_by_day.items()}
    return by_day, version_of


def cached_figures(communes_by_day, area=None, remember=False):
    """{day: CommuneFigures} for {day: commune pks}, from the cache where the
    communes have not changed, read from the states (together) where they have.
    `remember`: the dates are a dashboard's, to be refreshed after an edit."""
    by_day, version_of = _cached(communes_by_day, area, "figures", remember)
    return {
        day: CommuneFigures(day, entries, {pk: version_of[pk] for pk in entries}) for day, entries in by_day.items()
    }


def cached_snapshots(communes_by_day, area=None):
    """{day: Snapshot} of the communes' hamlets and branches, from the cache
    where the communes have not changed: drill-downs, record pages and list
    filters read the same states as the figures, without reading them again."""
    by_day, _versions = _cached(communes_by_day, area, "states")
    snapshots = {}
    for day, entries in by_day.items():
        hamlets, branches, admissions, targets = {}, {}, {}, {}
        for pk, entry in entries.items():
            hamlets.update(entry["hamlets"])
            branches.update(entry["branches"])
            admissions[pk], targets[pk] = entry["admissions"], entry["targets"]
        snapshots[day] = Snapshot.of_rows(day, area, hamlets, branches, admissions, targets)
    return snapshots


def snapshot_of(communes, day, area=None):
    """Snapshot(communes, day, area), from each commune's cached states."""
    return cached_snapshots({day: set(communes.values_list("pk", flat=True))}, area)[day]


def unit_figures(unit, days, area=None, remember=False):
    """{day: CommuneFigures of the unit's communes on that day} (for an
    installation of several provinces, their kept sums: unit_sums.py)."""
    from .units import several_provinces, unit_commune_pks

    if unit.is_root and several_provinces():
        from .unit_sums import grouped_figures

        return grouped_figures(unit, days, area, remember)

    by_day = {day: unit_commune_pks(unit, day) for day in days}
    return cached_figures(by_day, area, remember)


# --- refreshing after an edit -----------------------------------------------------------------
# A clerk's edit changes one commune; without more, the next viewer of any
# dashboard showing it waits for that commune's figures (about 0.1 s, more
# under load). Instead the edit, once committed, computes them for the dates
# dashboards have read lately (today and the previous month end, usually),
# so viewers read the cache. The work is the same; it is done once per edit
# by the person who made it, not by whoever looks next.

HOT_DATES_KEY = "communefigures:hot-dates"
# Two dashboards' worth of dates: each reads a date and the month end before,
# and its goals band the same day a year earlier and the two year ends before.
HOT_DATES_KEPT = 10
HOT_FOR = 24 * 3600  # a date nobody has read for a day is not refreshed
REFRESH_LIMIT = 10  # an import touching more communes leaves them to be read when asked


def _remember_dates(days, area):
    """Note that a dashboard read these dates (kept: the most recently read)."""
    now = time.time()
    hot = cache.get(HOT_DATES_KEY) or {}
    for day in days:
        hot[(day.isoformat(), area or "")] = now
    kept = sorted(hot.items(), key=lambda item: item[1], reverse=True)[:HOT_DATES_KEPT]
    cache.set(HOT_DATES_KEY, dict(kept), HOT_FOR)


def refresh(commune_pks):
    """Compute and cache the figures of these (just changed) communes for the
    dates dashboards read lately; returns the number of (commune, date) pairs
    computed. Called after the change commits (reports/versions.py)."""
    commune_pks = set(commune_pks)
    if not commune_pks or len(commune_pks) > REFRESH_LIMIT:
        return 0
    cutoff = time.time() - HOT_FOR
    by_area = {}
    for (day, area), seen in (cache.get(HOT_DATES_KEY) or {}).items():
        if seen >= cutoff:
            by_area.setdefault(area or None, set()).add(datetime.date.fromisoformat(day))
    for area, days in by_area.items():
        cached_figures(dict.fromkeys(days, commune_pks), area)
    return len(commune_pks) * sum(len(days) for days in by_area.values())


def warm(days, chunk=40, progress=None, communes=None):
    """Compute and cache every active commune's figures for `days` (the whole
    installation, or the `communes` pks given, without area filter), `chunk`
    communes per reading so memory stays that of a district; returns the
    number of communes. Run at night and after a large import (manage.py
    warm_figures), so the first viewers of the morning read the cache like
    everyone after them."""
    from hamlets.models import Commune

    active = Commune.objects.all() if communes is None else Commune.objects.filter(pk__in=list(communes))
    by_day = {day: set(active.active_on(day).values_list("pk", flat=True)) for day in days}
    pks = sorted(set().union(*by_day.values()))
    for start in range(0, len(pks), chunk):
        part = set(pks[start : start + chunk])
        cached_figures({day: communes & part for day, communes in by_day.items()}, remember=True)
        if progress:
            progress(min(start + chunk, len(pks)), len(pks))
    return len(pks)
