"""What the dashboard pages show, assembled from the indicator engine.

No counting here: every figure comes from reports/indicators/; this module
only picks, compares (with the previous month end) and orders them.
"""

import datetime
import functools
from dataclasses import dataclass

from coverage_site.lib.text import vietnamese_key
from hamlets.models import AreaType, Branch, Hamlet

from . import charts, goals
from .indicators import (
    INDICATOR_BY_KEY,
    INDICATORS,
    SPECIAL_AREA,
    Snapshot,
    at_risk_settings,
    compute,
    compute_many_cached,
    unit_figures,
)

# The columns of the breakdown table and the trend page.
MAIN_KEYS = (
    "hamlets_without_branch",
    "hamlets_without_resident_members",
    "hamlets_without_branch_or_members",
    "village_heads_party_members",
    "secretaries_trained",
    "branches_at_risk",
    "members_elderly",
    "admissions_vs_target",
)
ACTION_LIST_LIMIT = 50


def month_end_before(day):
    """The last day of the month before `day`'s month."""
    return day.replace(day=1) - datetime.timedelta(days=1)


def recent_month_ends(day, count=12):
    """The `count` month ends up to `day`: `day` itself if it is one, else the previous ones."""
    ends = []
    current = day if (day + datetime.timedelta(days=1)).day == 1 else month_end_before(day)
    while len(ends) < count:
        ends.append(current)
        current = month_end_before(current)
    return list(reversed(ends))


def area_choices():
    from django.utils.translation import gettext as _

    return [("", _("Tất cả")), (SPECIAL_AREA, _("Mọi vùng đặc thù"))] + [
        (a.code, a.name) for a in AreaType.objects.order_by("name")
    ]


@dataclass
class Card:
    indicator: object
    numerator: int
    denominator: int
    previous_numerator: int
    previous_denominator: int

    @property
    def previous(self):
        return {"numerator": self.previous_numerator, "denominator": self.previous_denominator}

    @property
    def change(self):
        """Change since the previous month end, as a ratio (shown in percentage
        points), from the exact fractions, not the rounded ratios."""
        if not self.denominator or not self.previous_denominator:
            return None
        return self.numerator / self.denominator - self.previous_numerator / self.previous_denominator

    @property
    def trend(self):
        """ "up", "down" or "same"; and whether that is good news for this indicator."""
        if self.change is None or abs(self.change) < 0.00005:
            return "same"
        return "up" if self.change > 0 else "down"

    @property
    def good_news(self):
        if self.trend == "same":
            return None
        return (self.trend == "up") == self.indicator.higher_is_better


def cards(current, previous):
    return [
        Card(
            indicator,
            current[indicator.key]["numerator"],
            current[indicator.key]["denominator"],
            previous[indicator.key]["numerator"],
            previous[indicator.key]["denominator"],
        )
        for indicator in INDICATORS
    ]


def breakdown(result, sort=None):
    """Rows of the breakdown table: (child unit json, {key: figure}), in
    Vietnamese alphabetical order of the units' names, or by a ratio if asked."""
    rows = [(child["unit"], {key: child["indicators"][key] for key in MAIN_KEYS}) for child in result["children"]]
    rows.sort(key=lambda row: vietnamese_key(row[0]["name"]))
    if sort:
        key, _sep, direction = sort.partition(":")
        if key in MAIN_KEYS:
            rows.sort(
                key=lambda row: (row[1][key]["ratio"] is None, row[1][key]["ratio"] or 0),
                reverse=direction == "desc",
            )
    return rows


def breakdown_rows_html(rows, main_keys, query):
    """The rows of the breakdown table, as HTML: per child unit its name and
    dashboard link, per indicator the figure, its percentage and drill-down
    link (templates/reports/_breakdown_row.html).

    Each row is cached under what it shows (the unit, its figures, the
    links' query, the language), so after a clerk's edit only the row whose
    figures changed is drawn again: a province has 150 rows of 8 cells, and
    drawing them all, numbers localised, cost 0.17 s of the view (measured)."""
    import hashlib

    from django.core.cache import cache
    from django.template.loader import render_to_string
    from django.utils import translation

    from .indicators.by_commune import CODE_HASH, TIMEOUT

    prefix = f"{CODE_HASH}:{translation.get_language()}:{query}:{','.join(i.key for i in main_keys)}"
    keys = []
    for child, figures in rows:
        shown = [(figures[i.key]["numerator"], figures[i.key]["denominator"]) for i in main_keys]
        text = f"{prefix}:{child['kind']}:{child['code']}:{child['name']}:{shown}"
        keys.append("breakdownrow:" + hashlib.sha256(text.encode()).hexdigest()[:40])
    found = cache.get_many(keys)
    missing = {key: row for key, row in zip(keys, rows, strict=True) if key not in found}
    if missing:
        drawn = {
            key: render_to_string("reports/_breakdown_row.html", {"row": cells})
            for key, cells in zip(missing, breakdown_cells(list(missing.values()), main_keys, query), strict=True)
        }
        cache.set_many(drawn, TIMEOUT)
        found.update(drawn)
    return [found[key] for key in keys]


def breakdown_cells(rows, main_keys, query):
    """What each breakdown row shows: per child unit its name and dashboard
    link, per indicator the figure, its percentage and drill-down link.
    Links and percentages are built here rather than in the template
    (reversing a URL per cell there cost most of the table's time)."""
    from django.urls import reverse

    from hamlets.templatetags.vn import percent

    # "~" is not allowed in codes (hamlets.models.CODE_VALIDATOR_REGEX), so the placeholders cannot clash.
    dashboard = reverse("reports:dashboard", kwargs={"kind": "~kind~", "code": "~code~"})
    drill = reverse("reports:drill_down", kwargs={"kind": "~kind~", "code": "~code~", "key": "~key~"})
    table = []
    for child, figures in rows:
        unit = {"~kind~": child["kind"], "~code~": child["code"]}
        cells = [
            {
                "url": _filled(drill, query, **unit, **{"~key~": indicator.key}),
                "numerator": figures[indicator.key]["numerator"],
                "denominator": figures[indicator.key]["denominator"],
                "percent": percent(figures[indicator.key]),
            }
            for indicator in main_keys
        ]
        table.append({"name": child["name"], "url": _filled(dashboard, query, **unit), "cells": cells})
    return table


def _filled(template, query, **parts):
    from django.utils.html import escape

    for placeholder, value in parts.items():
        template = template.replace(placeholder, value)
    return escape(f"{template}?{query}")


def action_lists(snapshot):
    """Hamlets without a branch (with their coverage: residents or not),
    branches at risk (with conditions), branches without a secretary. The
    snapshot is a Snapshot or the cached CommuneFigures."""
    ids = snapshot.action_ids()
    unserved, at_risk, no_secretary = ids["unserved"], ids["at_risk"], ids["no_secretary"]
    hamlets = Hamlet.objects.filter(pk__in=unserved).select_related("commune").order_by("commune__name", "code")
    return {
        "hamlets_without_branch": (
            len(unserved),
            [(hamlet, unserved[hamlet.pk]) for hamlet in hamlets[:ACTION_LIST_LIMIT]],
        ),
        "branches_at_risk": (
            len(at_risk),
            [
                (branch, at_risk[branch.pk])
                for branch in Branch.objects.filter(pk__in=list(at_risk))
                .select_related("commune")
                .order_by("commune__name", "code")[:ACTION_LIST_LIMIT]
            ],
        ),
        "branches_without_secretary": (
            len(no_secretary),
            list(
                Branch.objects.filter(pk__in=no_secretary)
                .select_related("commune")
                .order_by("commune__name", "code")[:ACTION_LIST_LIMIT]
            ),
        ),
    }


def dashboard(unit, day, area=None, sort=None, chart_key="hamlets_without_branch", restated=False):
    """Everything the dashboard page of a unit shows (as the units were on
    `day`, or restated on today's units)."""
    previous_day = month_end_before(day)
    unit_goals = [] if restated else goals.goals_for(unit)
    if restated:
        # Both dates' states are read together (cheaper than twice).
        snapshots = Snapshot.of_unit(unit, [previous_day, day], area, restated=True)
    else:
        # Each commune's figures come from the cache unless its data changed
        # (by_commune.py); with the dates the goals band reads, in one go.
        days = {previous_day, day} | (set(goals.dates_for(unit_goals, day)) if not area else set())
        snapshots = unit_figures(unit, sorted(days), area, remember=True)
    snapshot = snapshots[day]
    current = compute(unit, day, area, by_child=True, snapshot=snapshot)
    previous = compute(unit, previous_day, area, snapshot=snapshots[previous_day])
    rows = breakdown(current, sort)
    chart_indicator = INDICATOR_BY_KEY.get(chart_key) or INDICATOR_BY_KEY["hamlets_without_branch"]
    key = chart_indicator.key

    def chart():
        # Drawn when the template asks for it (not at all while the breakdown fragment is cached).
        return charts.bar_chart(
            f"{chart_indicator.title} – {unit.name}",
            [
                (
                    child["unit"]["name"],
                    child["indicators"][key]["ratio"],
                    child["indicators"][key]["numerator"],
                    child["indicators"][key]["denominator"],
                )
                for child in current["children"]
            ],
        )

    return {
        **dashboard_header(unit, day, area, restated),
        "cards": cards(current["indicators"], previous["indicators"]),
        "rows": rows,
        "main_keys": [INDICATOR_BY_KEY[key] for key in MAIN_KEYS],
        "children_kind": rows[0][0]["kind"] if rows else None,
        "actions": action_lists(snapshot),
        # Drawn once, when the template asks for it ({% if chart %} and {{ chart }} both call it).
        "chart": functools.cache(chart) if current["children"] else None,
        "chart_indicator": chart_indicator,
        # The goals band (reports/goals.py), from the same figures when no area is chosen.
        "goals": goals.progress(unit, day, unit_goals, children=True, snapshots=None if area else snapshots),
    }


def dashboard_header(unit, day, area=None, restated=False):
    """What the dashboard page shows above its figures (never cached: the
    lineage may change without any figure changing)."""
    return {
        "unit": unit,
        "as_of": day,
        "area": area or "",
        "previous_day": month_end_before(day),
        "month_ends": recent_month_ends(day, 6),
        "restated": restated,
        "lineage": unit_lineage(unit),
    }


def data_token(unit, day):
    """A short text that changes whenever the data of a commune whose figures
    the unit's dashboard at `day` shows change (every date it reads: the day,
    the month end before, the goals band's dates) or a goal is edited, so
    what the page draws from them can be cached under it."""
    import hashlib

    from reports.versions import versions

    from .indicators.by_commune import CODE_HASH
    from .indicators.units import unit_commune_pks

    unit_goals = goals.goals_for(unit)
    days = {month_end_before(day), day, *goals.dates_for(unit_goals, day)}
    pks = set().union(*(unit_commune_pks(unit, d) for d in days))
    found = sorted(versions(pks).items())
    risk = "-".join(str(v) for v in at_risk_settings().values())
    text = f"{CODE_HASH}{found}{risk}{goals.signature(unit_goals)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def unit_lineage(unit):
    """Where a province, district or commune came from and what it became (reports Unit)."""
    from hamlets.restate import lineage_of

    if unit.is_root:
        return None
    return lineage_of(unit.kind, unit.pk)


def year_ends(day, first_year=2016):
    """31 December of each year from `first_year` before `day`'s year, then `day`."""
    return [datetime.date(year, 12, 31) for year in range(first_year, day.year)] + [day]


def reform_markers(unit, days):
    """(index in days, text) of the reorganisations that took effect inside the
    period and touched the unit: where a chart's line crosses a reform."""
    from hamlets.restate import events_touching

    markers = []
    for event in events_touching(unit, days[0], days[-1]):
        index = next(i for i, d in enumerate(days) if d >= event.effective_on)
        markers.append((index, event.act_number, event))
    return markers


def trend(unit, day, area=None, keys=MAIN_KEYS, restated=False, years=False, months=12):
    """The figures at the `months` month ends up to `day` (12, or 60: five
    years; or at each year end since 2016), as they were or restated on
    today's units, and a line chart per indicator, marked where a
    reorganisation took effect.

    Each date is computed once and kept in the cache until the data change,
    so past months are not recomputed on every visit."""
    days = year_ends(day) if years else recent_month_ends(day, months)
    by_day = compute_many_cached(unit, days, area, restated=restated)
    results = [by_day[d] for d in days]
    markers = reform_markers(unit, days)
    label = "%Y" if years else "%m/%Y"
    series = []
    for key in keys:
        indicator = INDICATOR_BY_KEY[key]
        points = [(f"{d:{label}}", result["indicators"][key]) for d, result in zip(days, results, strict=True)]
        figures = [result["indicators"][key] for result in results]
        chart = charts.line_chart(indicator.title, points, markers=[(index, text) for index, text, _e in markers])
        series.append((indicator, chart, figures))
    return {
        "unit": unit,
        "as_of": day,
        "area": area or "",
        "days": days,
        "series": series,
        "restated": restated,
        "years": years,
        "months": None if years else months,
        "date_format": "Y" if years else "m/Y",
        "events": [event for _index, _text, event in markers],
    }
