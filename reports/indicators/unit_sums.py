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
CHUNK = 40  # communes computed together when their month ends are missing (memory of a district)


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
    placement = Placement("commune_province", [(pk, province) for pk, _s, _e, province in rows])
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


def _fingerprint(pks, version_of):
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
            wanted[(province, day)] = (key, _fingerprint(pks, version_of))
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
