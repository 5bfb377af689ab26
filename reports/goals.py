"""Progress against the goals (reports.models.Goal): for a unit, the value
now, the value a year ago, the pace, and the year the goal is reached at that
pace.

No counting here: every value is a figure of the indicator engine (per
commune, cached), read at the dates a goal needs:

- a share goal (e.g. hamlets without a branch at most 0 %): the indicator's
  numerator / denominator at D and at the same day a year earlier; the pace
  is the change between them, per year; the projection extends it in a
  straight line;
- the yearly admissions goal (3–4 % a year, 21-NQ/TW): the admissions of D's
  year so far (`admissions_vs_target`'s numerator) over the members at the
  end of the year before (`members_elderly`'s denominator: every active
  member); a year ago is the whole previous year over the members at its
  start; the projection is this year's rate so far, spread over the year.

Comparisons use the exact fractions, never rounded percentages.
"""

import datetime
from dataclasses import dataclass, field
from fractions import Fraction

from coverage_site.lib.dates import add_years

from .indicators import compute, unit_figures
from .models import ADMISSIONS_PER_YEAR, Goal

# Beyond this many years a straight line is not a forecast: "không đạt".
HORIZON_YEARS = 100
# A member counts in this figure's denominator (every active member at D).
ALL_MEMBERS = "members_elderly"
# The branches that keep a unit from its admissions goal: none admitted lately.
ADMISSIONS_DRILL = "branches_without_recent_admission"


def year_end(year):
    return datetime.date(year, 12, 31)


def days_needed(goal, day):
    """The dates a goal's progress reads, for `day`."""
    if goal.measure == ADMISSIONS_PER_YEAR:
        return [day, year_end(day.year - 1), year_end(day.year - 2)]
    return [day, add_years(day, -1)]


@dataclass
class Value:
    """A share as counted: numerator / denominator (no value when nothing is counted)."""

    numerator: int
    denominator: int

    @property
    def fraction(self):
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    def as_figure(self):
        """The dict the templates' percent filter reads."""
        fraction = self.fraction
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ratio": None if fraction is None else round(float(fraction), 4),
        }


@dataclass
class Progress:
    goal: Goal
    unit: dict  # {"kind", "code", "name"}
    now: Value | None
    year_ago: Value | None
    # reached | on_track | late | never | no_data
    status: str
    year: int | None = None  # the year the goal is reached at this pace
    pace: Fraction | None = None  # change of the share per year (share goals)
    projected: Fraction | None = None  # this year's rate if it goes on (yearly goals)
    drill_key: str = ""
    children: list = field(default_factory=list)

    @property
    def gap(self):
        """How far the unit is from the level, on the wrong side (0 when reached)."""
        now = self.now.fraction if self.now else None
        if now is None:
            return None
        level = _level(self.goal)
        behind = now - level if self.goal.direction == Goal.Direction.AT_MOST else level - now
        return max(behind, Fraction(0))

    @property
    def pace_ratio(self):
        """The change of the share per year, as a ratio (the `points` filter writes it)."""
        return None if self.pace is None else float(self.pace)

    @property
    def projected_ratio(self):
        return None if self.projected is None else float(self.projected)

    @property
    def status_text(self):
        """The projection in words, in the active language."""
        from django.utils.translation import gettext as _

        deadline = f"{self.goal.deadline:%d/%m/%Y}"
        if self.status == "reached":
            return _("Đã đạt")
        if self.status == "on_track":
            if self.goal.per_year:
                return _("Dự kiến đạt trong năm %(year)s") % {"year": self.year}
            return _("Dự kiến đạt năm %(year)s, trong thời hạn") % {"year": self.year}
        if self.status == "late":
            return _("Dự kiến đạt năm %(year)s, sau thời hạn %(deadline)s") % {"year": self.year, "deadline": deadline}
        if self.status == "never":
            if self.goal.per_year:
                return _("Không đạt năm nay với tốc độ hiện nay")
            return _("Không đạt với tốc độ hiện nay")
        return _("Chưa đủ số liệu")

    @property
    def children_behind(self):
        """How many child units will miss the goal at their pace."""
        return sum(child.behind for child in self.children)

    @property
    def behind(self):
        """Whether the unit will miss the goal at this pace (shown in red)."""
        return self.status in ("late", "never")


def _level(goal):
    return Fraction(goal.level) / 100


def _meets(goal, share):
    level = _level(goal)
    return share <= level if goal.direction == Goal.Direction.AT_MOST else share >= level


def project_share(goal, now, year_ago, day):
    """(status, year, pace) of a share goal from its value now and a year ago."""
    if now is None:
        return "no_data", None, None
    if _meets(goal, now):
        return "reached", None, (now - year_ago) if year_ago is not None else None
    if year_ago is None:
        return "no_data", None, None
    pace = now - year_ago
    toward = pace < 0 if goal.direction == Goal.Direction.AT_MOST else pace > 0
    if not toward:
        return "never", None, pace
    years = abs(now - _level(goal)) / abs(pace)
    if years > HORIZON_YEARS:
        return "never", None, pace
    reached_on = day + datetime.timedelta(days=float(years) * 365.25)
    status = "on_track" if reached_on <= goal.deadline else "late"
    return status, reached_on.year, pace


def project_year(goal, now, day):
    """(status, year, projected rate) of a yearly goal from this year's rate so far."""
    if now is None:
        return "no_data", None, None
    elapsed = (day - datetime.date(day.year, 1, 1)).days + 1
    length = (year_end(day.year) - datetime.date(day.year, 1, 1)).days + 1
    projected = now * length / elapsed
    if _meets(goal, now):
        return "reached", day.year, projected
    if _meets(goal, projected):
        return "on_track", day.year, projected
    return "never", None, projected


def _values(goal, figures, day):
    """(now, a year ago) Values of one unit, from {date: indicators} of that unit."""

    def figure(on, key):
        indicators = figures.get(on)
        return indicators[key] if indicators else None

    if goal.measure == ADMISSIONS_PER_YEAR:
        previous_end, end_before = year_end(day.year - 1), year_end(day.year - 2)

        def rate(admitted_on, members_on):
            admitted, members = figure(admitted_on, "admissions_vs_target"), figure(members_on, ALL_MEMBERS)
            if admitted is None or members is None:
                return None
            return Value(admitted["numerator"], members["denominator"])

        return rate(day, previous_end), rate(previous_end, end_before)
    now, ago = figure(day, goal.measure), figure(add_years(day, -1), goal.measure)
    return (
        Value(now["numerator"], now["denominator"]) if now else None,
        Value(ago["numerator"], ago["denominator"]) if ago else None,
    )


def _progress(goal, unit_json, figures, day):
    now, ago = _values(goal, figures, day)
    if goal.per_year:
        status, year, projected = project_year(goal, now.fraction if now else None, day)
        return Progress(goal, unit_json, now, ago, status, year, projected=projected, drill_key=ADMISSIONS_DRILL)
    status, year, pace = project_share(
        goal, now.fraction if now else None, ago.fraction if ago and ago.fraction is not None else None, day
    )
    return Progress(goal, unit_json, now, ago, status, year, pace=pace, drill_key=goal.measure)


def goals_for(unit):
    """The active goals that apply to a reports Unit: those for every unit,
    for the unit itself, or for the district or province it belongs to."""
    goals = list(Goal.objects.filter(active=True))
    if unit.is_root:
        return [g for g in goals if not g.unit_kind]
    own = {(unit.kind, unit.code)}
    if unit.kind == "commune":
        from hamlets.models import Commune

        district, province = Commune.objects.filter(pk=unit.pk).values_list("district__code", "province__code").get()
        own |= {("district", district), ("province", province)} - {("district", None), ("province", None)}
    return [g for g in goals if not g.unit_kind or (g.unit_kind, g.unit_code) in own]


YEARS_SHOWN = 5  # the admissions table of the goals page: this year and the four before


def admissions_by_year(unit, day, years=YEARS_SHOWN):
    """[(year, Value)] for the last `years` years up to `day`'s (that one so
    far): the year's admissions over the members at the end of the year before."""
    from .indicators import compute_many_cached

    first = day.year - years + 1
    ends = {year: (year_end(year) if year < day.year else day) for year in range(first, day.year + 1)}
    starts = {year: year_end(year - 1) for year in ends}
    results = compute_many_cached(unit, sorted(set(ends.values()) | set(starts.values())))
    return [
        (
            year,
            Value(
                results[ends[year]]["indicators"]["admissions_vs_target"]["numerator"],
                results[starts[year]]["indicators"][ALL_MEMBERS]["denominator"],
            ),
        )
        for year in sorted(ends, reverse=True)
    ]


def dates_for(goals, day):
    """Every date the goals' progress at `day` reads, oldest first."""
    return sorted({d for goal in goals for d in days_needed(goal, day)})


def goal_area(goal):
    """The area a goal's figures are counted in (admissions ignore the area filter)."""
    return None if goal.per_year else (goal.area or None)


def signature(goals):
    """A text that changes when any of these goals is edited (for caching what shows them)."""
    fields = ("pk", "title", "source", "measure", "direction", "level", "deadline", "unit_kind", "unit_code", "area")
    return repr([tuple(getattr(goal, name) for name in fields) for goal in goals])


def progress(unit, day, goals=None, children=False, snapshots=None):
    """[Progress] of each goal that applies to `unit` at `day`; with
    `children`, each carries its child units' progress, furthest behind first.

    `snapshots`: {date: snapshot} of the unit for all areas, already read
    (the dashboard's), covering `dates_for(goals, day)`; else they are read
    here, each area's dates in one go."""
    goals = goals_for(unit) if goals is None else goals
    by_area = {}
    for goal in goals:
        by_area.setdefault(goal_area(goal), []).append(goal)
    figures = {
        area: _figures(unit, dates_for(area_goals, day), area, children, snapshots if area is None else None)
        for area, area_goals in by_area.items()
    }
    results = []
    for goal in goals:
        own, per_child = figures[goal_area(goal)]
        item = _progress(goal, unit.as_json(), own, day)
        if children:
            item.children = sorted(
                (_progress(goal, child, child_figures, day) for child, child_figures in per_child),
                key=lambda p: (p.gap is None, -(p.gap or 0), p.unit["name"]),
            )
        results.append(item)
    return results


def _figures(unit, days, area, children, snapshots=None):
    """The unit's {date: indicators} and, with `children`, [(child unit json,
    {date: indicators})] for the child units of the last date (`day`)."""
    if snapshots is None or not set(days) <= set(snapshots):
        snapshots = unit_figures(unit, days, area, remember=True)
    results = {d: compute(unit, d, area, by_child=children, snapshot=snapshots[d]) for d in days}
    own = {d: result["indicators"] for d, result in results.items()}
    if not children:
        return own, []
    per_child = {}
    for d, result in results.items():
        for child in result["children"]:
            per_child.setdefault((child["unit"]["kind"], child["unit"]["code"]), {})[d] = child["indicators"]
    last = results[days[-1]]["children"]
    return own, [(child["unit"], per_child[(child["unit"]["kind"], child["unit"]["code"])]) for child in last]
