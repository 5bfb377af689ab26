"""Reading the states at a date: StateReader and Snapshot, admissions, the at-risk rule."""

import datetime

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)

from coverage_site.lib.dates import add_years, is_active, today
from hamlets.models import (
    AdmissionTarget,
    Branch,
    BranchRating,
    BranchSecretary,
    Commune,
    Hamlet,
    Member,
    Membership,
    ParentChange,
    VillageHead,
)
from hamlets.placement import Placement, branches_under, ever_under_filter
from hamlets.querysets import active_q

from .catalogue import ENDED_PARTY_MEMBERSHIP, INDICATOR_BY_KEY, INDICATORS, at_risk_settings, elderly_q, full_q
from .units import unit_communes

# --- reading the states at D -------------------------------------------------------


def earlier_membership():
    """An earlier membership of the outer membership's member (none: it is the first)."""
    return Membership.objects.filter(member_id=OuterRef("member_id"), joined_on__lt=OuterRef("joined_on"))


def first_memberships():
    """Each member's earliest membership: the branch where the admission counts."""
    return Membership.objects.filter(~Exists(earlier_membership()))


def admitted_q(first_day, day):
    """First memberships (see first_memberships) counted as admissions from
    `first_day` to `day`: the membership had started by `day`, and the
    admission decision falls in [first_day, day]."""
    return Q(joined_on__lte=day, member__admitted_on__gte=first_day, member__admitted_on__lte=day)


def recent_window_start(day):
    """First day of "the last 5 years" before `day`: (day minus 5 years, day]."""
    return add_years(day, -settings.AT_RISK_ADMISSION_YEARS) + datetime.timedelta(days=1)


def admission_rows(communes, day):
    """First memberships of members admitted from 1 January to `day` in a
    branch of the communes. The area filter does not apply (indicators.md)."""
    return first_memberships().filter(
        admitted_q(datetime.date(day.year, 1, 1), day), branch_id__in=branches_under(communes, day)
    )


def member_rows(snapshot):
    """Active memberships (one per active member) of the snapshot's scope branches.

    The scope is the snapshot's (StateReader decides it, area filter included),
    so member drill-downs and member figures cannot disagree."""
    return Membership.objects.active_on(snapshot.day).filter(branch_id__in=list(snapshot.branches))


def risk_text(conditions):
    """How pages and files name a branch's at-risk conditions, in the active
    language, saying "under 5 members" once when both small-branch conditions
    hold: "dưới 5 đảng viên: quá nửa từ 60 tuổi, 5 năm không kết nạp"."""
    from django.utils.translation import gettext as _

    conditions = list(conditions or [])
    parts = []
    if "below_minimum" in conditions:
        parts.append(_("dưới 3 đảng viên chính thức"))
    small = [
        text
        for key, text in (
            ("small_and_elderly", _("quá nửa từ 60 tuổi")),
            ("small_and_no_admission", _("5 năm không kết nạp")),
        )
        if key in conditions
    ]
    if small:
        parts.append(_("dưới 5 đảng viên: %(reasons)s") % {"reasons": ", ".join(small)})
    return "; ".join(parts)


def at_risk_conditions(row, risk=None):
    """Which conditions of the at-risk rule hold for a branch row (indicators.md,
    "At risk"); `risk`: at_risk_settings(), when the caller has them."""
    risk = risk or at_risk_settings()
    small = row["member_count"] < risk["small"]
    conditions = []
    if row["full_count"] < risk["min_full"]:
        conditions.append("below_minimum")
    if small and row["elderly_count"] > risk["elderly_share"] * row["member_count"]:
        conditions.append("small_and_elderly")
    if small and not row["recent_admission"]:
        conditions.append("small_and_no_admission")
    return conditions


MEMBER_COUNTS = {
    # Per-branch counts of active memberships that the branch states need.
    "member_count": lambda day: Q(),
    "full_count": full_q,
    "elderly_count": elderly_q,
    "reinforcing_count": lambda day: Q(reinforcing=True),
}


UNIT_DATES = ("established_on", "dissolved_on")


def active_membership_q(day):
    return active_q(day, "joined_on", "left_on")


# Up to this many hamlets or branches (a commune, a district), rows referring to them are read by
# id; beyond (a province), a join on the communes is faster on PostgreSQL (measured).
ID_LIST_LIMIT = 500


class StateReader:
    """Reads the states of indicators.md for some communes at one or several
    dates with a fixed number of queries (about ten, whatever the number of
    dates): the dated records are loaded once and tested per date in Python,
    and what is counted per member is counted by the database with one
    conditional count per date, in one pass.

    This is the only place states are read; Snapshot (one date) and
    Snapshot.many (a trend's twelve month ends) both use it.
    """

    def __init__(self, communes, days, area=None, restate=None):
        self.days = sorted(set(days))
        self.area = area
        communes = Commune.objects.filter(pk__in=list(communes.values_list("pk", flat=True)))
        self.communes = communes
        self.commune_ids = set(communes.values_list("pk", flat=True))
        day_keys = {day: f"d{index}" for index, day in enumerate(self.days)}
        self.day_keys = day_keys

        # Hamlets and branches that were in the communes at some time: each
        # date's rows keep those whose commune on that date is one of them.
        hamlets = Hamlet.objects.filter(ever_under_filter("hamlet", communes))
        branches = Branch.objects.filter(ever_under_filter("branch", communes))
        self.hamlets = list(hamlets.values_list("pk", "commune_id", "established_on", "dissolved_on"))
        self.hamlet_placement = Placement("hamlet", ((pk, c) for pk, c, _s, _e in self.hamlets))
        self.in_area = None
        if area:
            self.in_area = set(hamlets.in_area(area).values_list("pk", flat=True))
        self.branches = list(branches.values_list("pk", "commune_id", "established_on", "dissolved_on"))
        # The rows that refer to these hamlets and branches: by their ids when
        # the lists are short (an index lookup, whatever moved), else through
        # the communes (see ever_under_filter).
        of_branches, of_hamlets = (
            Q(**{f"{path}_id__in": [row[0] for row in rows]})
            if len(rows) <= ID_LIST_LIMIT
            else ever_under_filter(kind, communes, f"{path}__")
            for path, rows, kind in (("branch", self.branches, "branch"), ("hamlet", self.hamlets, "hamlet"))
        )
        self.branch_placement = Placement("branch", ((pk, c) for pk, c, _s, _e in self.branches))
        # Restated on today's units (hamlets/restate.py): rows are keyed by
        # the commune their records belong to today instead of on the date.
        self.restate = restate
        if restate is not None:
            restate.load([row[0] for row in self.hamlets], [row[0] for row in self.branches])
        self.links = list(Branch.hamlets.through.objects.filter(of_branches).values_list("branch_id", "hamlet_id"))
        # Resident members: whether each hamlet has, on each date, a member
        # living there with an active membership (only "some" matters: the
        # indicators ask for hamlets without one). An EXISTS per hamlet stops
        # at the first such member; counting every resident's memberships
        # looked up each of a province's 150,000 members (0.75 s against
        # 0.05 s). Members whose residence changed (a hamlet merged or split)
        # are read one by one below, at their residence on each date.
        memberships = Membership.objects.order_by()
        moved = ParentChange.objects.filter(member_id=OuterRef("member_id"))
        hamlet_ids = [row[0] for row in self.hamlets]
        here = Hamlet.objects.filter(pk__in=hamlet_ids) if len(hamlet_ids) <= ID_LIST_LIMIT else hamlets
        resident_on = {
            key: Exists(
                memberships.filter(
                    active_q(day, "joined_on", "left_on"), member__residence_hamlet_id=OuterRef("pk")
                ).exclude(Exists(moved))
            )
            for day, key in day_keys.items()
        }
        self.residents = {
            row["pk"]: {key: int(row[key]) for key in day_keys.values()}
            for row in here.order_by().annotate(**resident_on).values("pk", *day_keys.values())
        }
        self._count_moved_residents(hamlets, hamlet_ids)
        # Per branch and date: active members, full, elderly, reinforcing, and each member indicator.
        member_indicators = [i for i in INDICATORS if i.level == "member"]
        counts, same_as, rest_of = {}, {}, {}
        for day, key in day_keys.items():
            active = active_membership_q(day)
            conditions = {name: q(day) for name, q in MEMBER_COUNTS.items()}
            conditions |= {indicator.key: indicator.numerator(day) for indicator in member_indicators}
            counted = {}  # a condition counted twice (members aged 60+ is also a branch count) is counted once
            for name, q in conditions.items():
                first = next((other for other, seen in counted.items() if seen == q), None)
                # The negation of a counted condition (probationary: not full) is
                # the rest of the members (Django's negation counts NULL as not
                # meeting the condition, so the two add up to the members).
                complement = next((other for other, seen in counted.items() if ~seen == q), None)
                if first is not None:
                    same_as[f"{name}__{key}"] = f"{first}__{key}"
                elif complement is not None:
                    rest_of[f"{name}__{key}"] = f"{complement}__{key}"
                else:
                    counted[name] = q
                    counts[f"{name}__{key}"] = Count("pk", filter=active & q)
            assert "member_count" in counted and not counted["member_count"], "member_count counts every member"
        # First memberships: admissions in the 5-year window (per branch) and
        # since 1 January (per commune), counted in the same pass over the
        # memberships and their members (a second pass cost a province as
        # much again: every membership's member looked up twice). Each row is
        # grouped by whether it is a first membership admitted since the
        # earliest date any count looks at (the others count nowhere, and are
        # spared looking up their earlier memberships); the admissions are
        # the counts of that group.
        earliest = min(min(recent_window_start(day), datetime.date(day.year, 1, 1)) for day in self.days)
        first_admitted = Case(
            When(member__admitted_on__gte=earliest, then=~Exists(earlier_membership())),
            default=Value(False),
            output_field=BooleanField(),
        )
        admission_counts = {}
        for day, key in day_keys.items():
            admission_counts[f"recent__{key}"] = Count("pk", filter=admitted_q(recent_window_start(day), day))
            admission_counts[f"year__{key}"] = Count("pk", filter=admitted_q(datetime.date(day.year, 1, 1), day))
        self.member_counts, self.admissions = {}, {}
        rows = (
            memberships.filter(of_branches)
            .values("branch_id", first_admitted=first_admitted)
            .annotate(**counts, **admission_counts)
        )
        for row in rows:
            branch = row["branch_id"]
            kept = self.member_counts.get(branch)
            if kept is None:  # most branches: one group, or the first of two
                self.member_counts[branch] = {name: row[name] for name in counts}
            else:
                for name in counts:
                    kept[name] += row[name]
            if row["first_admitted"]:
                self.admissions[branch] = {name: row[name] for name in admission_counts}
        for kept in self.member_counts.values():
            for name, first in same_as.items():
                kept[name] = kept[first]
            for name, complement in rest_of.items():
                kept[name] = kept[f"member_count__{name.rsplit('__', 1)[1]}"] - kept[complement]
        self.heads = list(
            VillageHead.objects.filter(of_hamlets).values_list(
                "hamlet_id", "term_start", "term_end", "member_id", "trained_on", "member__admitted_on"
            )
        )
        # When a head's linked member left the party (died, removed, expelled), if ever.
        head_members = {member for _h, _s, _e, member, _t, _a in self.heads if member}
        self.left_party = dict(
            Membership.objects.filter(member_id__in=head_members, left_reason__in=ENDED_PARTY_MEMBERSHIP)
            .order_by()
            .values("member_id")
            .annotate(first=Min("left_on"))
            .values_list("member_id", "first")
        )
        self.secretaries = list(
            BranchSecretary.objects.filter(of_branches).values_list(
                "branch_id", "member_id", "start_on", "end_on", "member__trained_on"
            )
        )
        years = {day.year - 1 for day in self.days}
        self.ratings = {
            (branch, year): rating
            for branch, year, rating in BranchRating.objects.filter(of_branches, year__in=years).values_list(
                "branch_id", "year", "rating"
            )
        }
        self.targets = {}
        for commune_id, year, total in (
            AdmissionTarget.objects.filter(commune__in=communes, year__in={day.year for day in self.days})
            .order_by()
            .values("commune_id", "year")
            .annotate(total=Sum("target"))
            .values_list("commune_id", "year", "total")
        ):
            self.targets[(commune_id, year)] = total

    def _on(self, rows, placement, day):
        """{pk: commune on `day`} of the rows active on `day` in the reader's communes."""
        found = {}
        for pk, _current, start, end in rows:
            if is_active(start, end, day):
                commune = placement.at(pk, day)
                if commune in self.commune_ids:
                    found[pk] = commune
        return found

    def _count_moved_residents(self, hamlets, hamlet_ids):
        """Adds to self.residents the members whose residence changed, each
        counted at the hamlet they lived in on each date."""
        # Only members who lived, at some time, in one of the reader's hamlets.
        # Read from the (small) table of changes, not by scanning every member.
        # A short list of ids (a commune) rather than a subquery keeps
        # PostgreSQL from planning a parallel scan of the members (10 ms) for
        # what is usually nothing.
        here = hamlet_ids if len(hamlet_ids) <= ID_LIST_LIMIT else hamlets.values("pk")
        moved = ParentChange.objects.filter(member__isnull=False).filter(
            Q(old_hamlet_id__in=here) | Q(member__residence_hamlet_id__in=here)
        )
        member_ids = set(moved.values_list("member_id", flat=True))
        if not member_ids:
            return
        placement = Placement.of(Member.objects.filter(pk__in=member_ids), "member")
        hamlet_set = set(hamlet_ids)
        periods = {}
        for member_id, joined, left in Membership.objects.filter(member_id__in=list(placement.current)).values_list(
            "member_id", "joined_on", "left_on"
        ):
            periods.setdefault(member_id, []).append((joined, left))
        for day, key in self.day_keys.items():
            for member_id in placement.current:
                hamlet = placement.at(member_id, day)
                if hamlet in hamlet_set and any(is_active(j, e, day) for j, e in periods.get(member_id, ())):
                    row = self.residents.setdefault(hamlet, {})
                    row[key] = row.get(key, 0) + 1

    def at(self, day):
        """(hamlet rows, branch rows, admissions per commune, targets per commune) at `day`."""
        key = self.day_keys[day]
        active_hamlets = self._on(self.hamlets, self.hamlet_placement, day)
        branches = self._on(self.branches, self.branch_placement, day)
        served_by, hamlet_count = {}, dict.fromkeys(branches, 0)
        for branch_id, hamlet_id in self.links:
            if branch_id in branches and hamlet_id in active_hamlets:
                hamlet_count[branch_id] += 1
                served_by.setdefault(hamlet_id, []).append(branch_id)
        secretary_of = {}  # branch -> (member, trained_on) of the secretary at `day`
        for branch_id, member_id, start, end, trained_on in self.secretaries:
            if branch_id in branches and is_active(start, end, day):
                secretary_of[branch_id] = (member_id, trained_on)
        head_of = {}
        for hamlet_id, start, end, member_id, trained_on, admitted_on in self.heads:
            if is_active(start, end, day):
                head_of[hamlet_id] = (member_id, trained_on, admitted_on)

        hamlets = {}
        for pk, commune in active_hamlets.items():
            if self.in_area is not None and pk not in self.in_area:
                continue
            serving = served_by.get(pk, [])
            head = head_of.get(pk)
            member_id, trained_on, admitted_on = head or (None, None, None)
            left = self.left_party.get(member_id)
            secretaries_here = {secretary_of[b][0] for b in serving if b in secretary_of}
            hamlets[pk] = {
                "pk": pk,
                "commune_id": commune,
                "served": bool(serving),
                "served_by_own_branch": any(hamlet_count[b] < 2 for b in serving),
                "branch_ids": serving,
                "has_resident": self.residents.get(pk, {}).get(key, 0) > 0,
                "has_head": head is not None,
                "head_is_party_member": bool(
                    member_id and admitted_on and admitted_on <= day and not (left and left <= day)
                ),
                "head_trained": bool(trained_on and trained_on <= day),
                "head_is_secretary": bool(member_id and member_id in secretaries_here),
                "served_with_secretary": bool(secretaries_here),
            }

        if self.area:
            in_scope = {b for pk in hamlets for b in served_by.get(pk, [])}
            branches = {pk: commune for pk, commune in branches.items() if pk in in_scope}
        branch_rows = {}
        risk = at_risk_settings()
        for pk, commune in branches.items():
            counts = self.member_counts.get(pk, {})
            secretary = secretary_of.get(pk)
            rating = self.ratings.get((pk, day.year - 1))
            row = {
                "pk": pk,
                "commune_id": commune,
                "active_hamlet_count": hamlet_count[pk],
                "has_secretary": secretary is not None,
                "secretary_trained": bool(secretary and secretary[1] and secretary[1] <= day),
                "recent_admission": self.admissions.get(pk, {}).get(f"recent__{key}", 0) > 0,
                "has_rating": rating is not None,
                "rated_not_completed": rating == BranchRating.Rating.NOT_COMPLETED,
            }
            for name in [*MEMBER_COUNTS, *(i.key for i in INDICATORS if i.level == "member")]:
                row[name] = counts.get(f"{name}__{key}", 0)
            row["risk_conditions"] = at_risk_conditions(row, risk)
            row["below_minimum"] = "below_minimum" in row["risk_conditions"]
            row["at_risk"] = bool(row["risk_conditions"])
            branch_rows[pk] = row

        admissions = {}
        for branch_id, counts in self.admissions.items():
            year_count = counts.get(f"year__{key}", 0)
            commune = self.branch_placement.at(branch_id, day)
            if year_count and commune in self.commune_ids:
                if self.restate is not None:
                    commune = self.restate.commune_of_branch(branch_id)
                admissions[commune] = admissions.get(commune, 0) + year_count
        targets = {}
        for (commune, year), total in self.targets.items():
            if year == day.year:
                commune = commune if self.restate is None else self.restate.commune_today(commune)
                targets[commune] = targets.get(commune, 0) + total
        if self.restate is not None:
            for pk, row in hamlets.items():
                row["commune_id"] = self.restate.commune_of_hamlet(pk)
            for pk, row in branch_rows.items():
                row["commune_id"] = self.restate.commune_of_branch(pk)
        return hamlets, branch_rows, admissions, targets


class Snapshot:
    """The states of every scope hamlet, branch and member of some communes at a date."""

    def __init__(self, communes, day, area=None, reader=None):
        reader = reader or StateReader(communes, [day], area)
        self.restated = reader.restate is not None
        self.day, self.area, self.communes = day, area, reader.communes
        self.hamlets, self.branches, self.admissions, self.targets = reader.at(day)

    @classmethod
    def of_rows(cls, day, area, hamlets, branches, admissions, targets):
        """A snapshot of rows already read (by_commune.cached_snapshots)."""
        snapshot = cls.__new__(cls)
        snapshot.restated, snapshot.day, snapshot.area, snapshot.communes = False, day, area, None
        snapshot.hamlets, snapshot.branches = hamlets, branches
        snapshot.admissions, snapshot.targets = admissions, targets
        return snapshot

    @classmethod
    def many(cls, communes, days, area=None):
        """{day: Snapshot} for several dates, read together."""
        reader = StateReader(communes, days, area)
        return {day: cls(communes, day, area, reader=reader) for day in reader.days}

    @classmethod
    def of_unit(cls, unit, days, area=None, restated=False):
        """{day: Snapshot of the unit's communes at that day}, all read together.

        The unit's communes may differ between the dates (a commune founded or
        dissolved in between); each date's snapshot keeps only its own.
        Restated: every date keeps the records that belong to the unit's
        communes of today, following the lineage (hamlets/restate.py)."""
        if restated:
            from hamlets.restate import Restatement, sources_of

            today_communes = set(unit_communes(unit, today()).values_list("pk", flat=True))
            if unit.is_root:
                # The whole province keeps every record, even of a unit dissolved without successor.
                sources = Commune.objects.all()
                today_communes = None
            else:
                sources = sources_of(today_communes)
            reader = StateReader(sources, days, area, restate=Restatement())
            snapshots = {day: cls(None, day, area, reader=reader) for day in reader.days}
            if today_communes is None:
                return snapshots
            per_day = dict.fromkeys(days, today_communes)
        else:
            per_day = {day: set(unit_communes(unit, day).values_list("pk", flat=True)) for day in days}
            snapshots = cls.many(Commune.objects.filter(pk__in=set().union(*per_day.values())), days, area)
        for day, snapshot in snapshots.items():
            keep = per_day[day]
            snapshot.hamlets = {pk: row for pk, row in snapshot.hamlets.items() if row["commune_id"] in keep}
            snapshot.branches = {pk: row for pk, row in snapshot.branches.items() if row["commune_id"] in keep}
            snapshot.admissions = {c: n for c, n in snapshot.admissions.items() if c in keep}
            snapshot.targets = {c: n for c, n in snapshot.targets.items() if c in keep}
        return snapshots

    def action_ids(self):
        """Ids behind the dashboard's action lists (as CommuneFigures.action_ids):
        unserved hamlets with their coverage, at-risk branches with their
        conditions, branches without a secretary."""
        from .drilldown import hamlet_coverage

        return {
            "unserved": {pk: hamlet_coverage(row) for pk, row in self.hamlets.items() if not row["served"]},
            "at_risk": {pk: row["risk_conditions"] for pk, row in self.branches.items() if row["at_risk"]},
            "no_secretary": [pk for pk, row in self.branches.items() if not row["has_secretary"]],
        }

    def rows(self, level):
        return {"hamlet": self.hamlets, "branch": self.branches}[level]

    def per_commune(self):
        """{commune id: {key: [numerator, denominator]}}."""
        figures = {}

        def add(commune_id, key, numerator, denominator):
            pair = figures.setdefault(commune_id, {}).setdefault(key, [0, 0])
            pair[0] += numerator
            pair[1] += denominator

        # Row by row, every indicator of the row's level at once: a province's
        # 8,000 rows times 15 indicators, so no call per (row, indicator) that
        # can be spared (0.15 s a date, measured).
        levels = {
            level: [(i.key, i.numerator, i.denominator) for i in INDICATORS if i.level == level]
            for level in ("hamlet", "branch")
        }
        member_keys = [i.key for i in INDICATORS if i.level == "member"]
        for level, indicators in levels.items():
            for row in self.rows(level).values():
                commune = figures.setdefault(row["commune_id"], {})
                for key, numerator, denominator in indicators:
                    pair = commune.get(key)
                    if pair is None:
                        pair = commune[key] = [0, 0]
                    if denominator is None or denominator(row):
                        pair[1] += 1
                        if numerator(row):
                            pair[0] += 1
                if level == "branch":
                    for key in member_keys:
                        pair = commune.get(key)
                        if pair is None:
                            pair = commune[key] = [0, 0]
                        pair[0] += row[key]
                        pair[1] += row["member_count"]
        for commune_id, count in self.admissions.items():
            add(commune_id, "admissions_vs_target", count, 0)
        for commune_id, total in self.targets.items():
            add(commune_id, "admissions_vs_target", 0, total)
        return figures

    def numerator_ids(self, key):
        indicator = INDICATOR_BY_KEY[key]
        return [
            pk
            for pk, row in self.rows(indicator.level).items()
            if (indicator.denominator is None or indicator.denominator(row)) and indicator.numerator(row)
        ]

    def denominator_ids(self, key):
        indicator = INDICATOR_BY_KEY[key]
        return [
            pk
            for pk, row in self.rows(indicator.level).items()
            if indicator.denominator is None or indicator.denominator(row)
        ]
