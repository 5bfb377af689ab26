"""A province's or the installation's totals at month ends, summed once and kept.

A five-year national trend is 60 month ends of 3,321 communes: summing
200,000 stored commune month ends on every view would take seconds. So the
totals of a province at a month end are kept in the cache under a
fingerprint of the data versions of the communes they sum, and those of a
national installation are the sum of its provinces' (kept the same way):

* a view after no change reads one entry per date, and the versions;
* after a clerk's edit in one commune, one province is summed again from its
  communes' stored month ends (month_ends.py), the changed commune's
  computed afresh, and the other provinces' totals are read as they were.

The communes of each date are worked out in Python from one reading of the
communes and their dated provinces, with the same tests as unit_communes()
(active on the date; the province on the date), so the totals are those
compute() gives, by construction; tests/test_month_ends.py compares them.
"""

import hashlib

from django.core.cache import cache

from coverage_site.lib.dates import is_active

from . import month_ends
from .catalogue import KEYS

TIMEOUT = 30 * 24 * 3600
CHUNK = 100  # communes computed together when their month ends are missing (60 month ends of a province: ~1 GB)


def _groups(unit, days):
    """{day: {province pk or None: [commune pks]}} of the unit's active
    communes, grouped by their province on that day; a province unit's
    dates have one group."""
    from hamlets.models import Commune
    from hamlets.placement import Placement, ever_under_q

    communes = Commune.objects.all()
    if not unit.is_root:
        communes = communes.filter(ever_under_q("commune_province", [unit.pk]))
    rows = list(communes.values_list("pk", "established_on", "dissolved_on", "province_id"))
    placement = Placement("commune_province", [(pk, province) for pk, _s, _e, province in rows], every=unit.is_root)
    groups = {}
    for day in days:
        by_province = groups.setdefault(day, {})
        for pk, start, end, _province in rows:
            if not is_active(start, end, day):
                continue
            province = placement.at(pk, day)
            if unit.is_root or province == unit.pk:
                by_province.setdefault(province if unit.is_root else unit.pk, []).append(pk)
    return groups


def versions_fingerprint(pks, version_of):
    """A short text that changes when any of these communes' data versions (or the set of them) changes."""
    text = ",".join(f"{pk}:{version_of[pk]}" for pk in sorted(pks))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _key(kind, code, day, area):
    return f"unitmonthend:{month_ends.token()}:{kind}:{code}:{day.isoformat()}:{area or ''}"


def _add(totals, figures):
    for key, (numerator, denominator) in figures.items():
        pair = totals.setdefault(key, [0, 0])
        pair[0] += numerator
        pair[1] += denominator


def _commune_figures(pairs, area, version_of):
    """{(commune pk, day): {indicator: [numerator, denominator]}}: stored month
    ends where valid, the rest computed (and stored) CHUNK communes at a time."""
    from .by_commune import read_figures

    found = {pair: entry["figures"] for pair, entry in month_ends.read(pairs, area, version_of).items()}
    missing = [pair for pair in pairs if pair not in found]
    pks = sorted({pk for pk, _day in missing})
    for start in range(0, len(pks), CHUNK):
        part = set(pks[start : start + CHUNK])
        wanted = [(pk, day) for pk, day in missing if pk in part]
        fresh = read_figures(part, sorted({day for _pk, day in wanted}), area)
        computed = {pair: fresh[pair]["figures"] for pair in wanted}
        month_ends.write(computed, area, version_of)
        found.update({pair: entry["figures"] for pair, entry in computed.items()})
    return found


def month_end_totals(unit, days, area=None):
    """{day: {indicator: [numerator, denominator]}} of a province unit (the
    installation or one province) at month ends `days`."""
    from hamlets.models import Province
    from reports.versions import versions

    groups = _groups(unit, days)
    version_of = versions({pk for by_province in groups.values() for pks in by_province.values() for pk in pks})
    code_of = dict(Province.objects.values_list("pk", "code"))
    # Each (province, day)'s entry: (fingerprint, totals). The installation's
    # own entry is keyed by its groups' fingerprints.
    wanted = {}
    for day, by_province in groups.items():
        for province, pks in by_province.items():
            key = _key("province", code_of.get(province, "-"), day, area)
            wanted[(province, day)] = (key, versions_fingerprint(pks, version_of))
    root_prints = {
        day: hashlib.sha256(
            "|".join(f"{p}={wanted[(p, day)][1]}" for p in sorted(by_province, key=str)).encode()
        ).hexdigest()[:24]
        for day, by_province in groups.items()
    }
    if unit.is_root:
        root_keys = {day: _key("province", "all", day, area) for day in days}
        kept = cache.get_many(list(root_keys.values()))
        results = {}
        for day, key in root_keys.items():
            entry = kept.get(key)
            if entry and entry[0] == root_prints[day]:
                results[day] = entry[1]
        todo_days = [day for day in days if day not in results]
    else:
        results, todo_days = {}, list(days)
    if todo_days:
        todo = {(p, day): wanted[(p, day)] for day in todo_days for p in groups[day]}
        kept = cache.get_many([key for key, _print in todo.values()])
        group_totals, stale = {}, []
        for pair, (key, fingerprint) in todo.items():
            entry = kept.get(key)
            if entry and entry[0] == fingerprint:
                group_totals[pair] = entry[1]
            else:
                stale.append(pair)
        figures = _commune_figures(
            [(pk, day) for province, day in stale for pk in groups[day][province]], area, version_of
        )
        writes = {}
        for province, day in stale:
            totals = {key: [0, 0] for key in KEYS}
            for pk in groups[day][province]:
                _add(totals, figures[(pk, day)])
            group_totals[(province, day)] = totals
            key, fingerprint = todo[(province, day)]
            writes[key] = (fingerprint, totals)
        for day in todo_days:
            totals = {key: [0, 0] for key in KEYS}
            for province in groups[day]:
                _add(totals, group_totals[(province, day)])
            results[day] = totals
            if unit.is_root:
                writes[_key("province", "all", day, area)] = (root_prints[day], totals)
        if writes:
            cache.set_many(writes, TIMEOUT)
    return {day: results[day] for day in days}


# --- the installation's dashboard: its provinces' figures, kept ------------------------
# A national dashboard reads five dates of 3,321 communes: unpickling every
# commune's cached entry (figures and action-list ids) and summing them took
# about a second, on every view after any clerk's edit anywhere. So each
# province's entry for a date (its totals and its communes' action-list ids
# together) is kept under the fingerprint of its communes' versions; after an
# edit in one commune only that province is summed again from its communes'
# entries (by_commune.py), and the installation's figures are the sum of 34.


def _figures_key(code, day, area):
    from .by_commune import FIGURES_HASH

    return f"provincefigures:{FIGURES_HASH}:{month_ends.token()}:{code}:{day.isoformat()}:{area or ''}"


def _merged(entries):
    """One entry of the same shape as a commune's (by_commune._entry's
    "figures" part) for several communes' entries."""
    merged = {"figures": {key: [0, 0] for key in KEYS}, "unserved": {}, "at_risk": {}, "no_secretary": []}
    for entry in entries:
        _add(merged["figures"], entry["figures"])
        merged["unserved"].update(entry["unserved"])
        merged["at_risk"].update(entry["at_risk"])
        merged["no_secretary"] += entry["no_secretary"]
    return merged


class GroupedFigures:
    """Stands in for by_commune.CommuneFigures (and a Snapshot) for the whole
    installation at one date: whole provinces' merged entries, and the
    entries of the communes in no province one by one."""

    restated = False

    def __init__(self, day, area, groups, loose):
        self.day, self.area = day, area
        self.groups = groups  # {province pk: (frozenset of commune pks, merged entry)}
        self.loose = loose  # {commune pk: entry}

    def totals_of(self, commune_ids):
        """{indicator: [numerator, denominator]} over `commune_ids`: whole
        provinces from their kept entries, other communes from their own
        (read from the commune cache if a province is only partly wanted)."""
        wanted = set(commune_ids)
        entries = []
        for pks, entry in self.groups.values():
            if pks <= wanted:
                entries.append(entry)
                wanted -= pks
        entries += [self.loose[pk] for pk in wanted if pk in self.loose]
        rest = {pk for pk in wanted if pk not in self.loose}
        if rest:
            from .by_commune import cached_figures

            entries += cached_figures({self.day: rest}, self.area)[self.day].entries.values()
        return _merged(entries)["figures"]

    def action_ids(self):
        merged = _merged([entry for _pks, entry in self.groups.values()] + list(self.loose.values()))
        return {name: merged[name] for name in ("unserved", "at_risk", "no_secretary")}


def grouped_figures(unit, days, area=None, remember=False):
    """{day: GroupedFigures} of the installation (`unit` is its root) at `days`."""
    from hamlets.models import Province
    from reports.versions import versions

    from .by_commune import cached_figures

    groups = _groups(unit, days)
    version_of = versions({pk for by_province in groups.values() for pks in by_province.values() for pk in pks})
    code_of = dict(Province.objects.values_list("pk", "code"))
    wanted = {
        (province, day): (_figures_key(code_of[province], day, area), versions_fingerprint(pks, version_of))
        for day, by_province in groups.items()
        for province, pks in by_province.items()
        if province is not None
    }
    kept = cache.get_many([key for key, _print in wanted.values()])
    merged = {}
    for pair, (key, fingerprint) in wanted.items():
        entry = kept.get(key)
        if entry and entry[0] == fingerprint:
            merged[pair] = entry[1]
    # Communes of stale provinces and communes in no province: their own entries.
    needed = {day: set() for day in days}
    for day, by_province in groups.items():
        for province, pks in by_province.items():
            if province is None or (province, day) not in merged:
                needed[day].update(pks)
    needed = {day: pks for day, pks in needed.items() if pks}
    communes = cached_figures(needed, area, remember) if needed else {}
    writes = {}
    for (province, day), (key, fingerprint) in wanted.items():
        if (province, day) not in merged:
            entries = communes[day].entries
            merged[(province, day)] = _merged(entries[pk] for pk in groups[day][province])
            writes[key] = (fingerprint, merged[(province, day)])
    if writes:
        cache.set_many(writes, TIMEOUT)
    result = {}
    for day in days:
        by_province = groups[day]
        result[day] = GroupedFigures(
            day,
            area,
            {
                province: (frozenset(pks), merged[(province, day)])
                for province, pks in by_province.items()
                if province is not None
            },
            {pk: communes[day].entries[pk] for pk in by_province.get(None, ())},
        )
    return result
