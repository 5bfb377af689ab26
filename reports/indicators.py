"""Every figure of spec/indicators.md, defined once and computed for all consumers.

How it works
------------
Each indicator counts rows of one *level*: hamlets, branches, members (their
active memberships) or admissions (first memberships).

* `StateReader` reads the states of indicators.md ("States at a date D") for
  some communes at one or several dates with a fixed number of queries: the
  dated records (hamlets, branches, links, terms, ratings, targets) are loaded
  once and tested per date in Python; what is counted per member is counted
  by the database, one conditional count per date, in one pass. A `Snapshot`
  is one date's hamlet and branch rows (small dicts) and per-commune counts.
* An indicator's numerator and denominator are predicates over a hamlet or
  branch row, or `Q` objects over active memberships for member indicators.
  The same predicate counts the figure and selects the drill-down rows, so
  the drill-down has exactly `numerator` rows by construction.
* Figures are kept per commune; a unit, and each child unit of a breakdown, is
  the sum over its communes, so children add up to the parent by construction.
* Per-hamlet and per-branch status (coverage, at-risk conditions) read the
  same rows.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
    Sum,
)

from coverage_site.lib import dates
from coverage_site.lib.dates import add_years, is_active
from hamlets.models import (
    SPECIAL_AREA,
    AdmissionTarget,
    AreaType,
    Branch,
    BranchRating,
    BranchSecretary,
    Commune,
    District,
    Hamlet,
    Membership,
    VillageHead,
    active_q,
)


def elderly_q(day, prefix="member__"):
    """Aged 60 or more on `day` (in completed years; 29 February handled by add_years)."""
    return Q(**{f"{prefix}birth_date__lte": add_years(day, -settings.ELDERLY_AGE)})


def full_q(day, prefix="member__"):
    """A full (chính thức) member on `day`."""
    return Q(**{f"{prefix}official_on__lte": day})


ENDED_PARTY_MEMBERSHIP = ["deceased", "removed", "expelled"]


@dataclass(frozen=True)
class Indicator:
    key: str
    level: str  # hamlet | branch | member | admission
    label: str
    label_en: str
    definition: str
    # Hamlet and branch levels: predicates over a row (a dict of states).
    # Member level: functions of the date D returning a Q over active memberships.
    # Admission level: unused (every admission counts; the denominator is the targets).
    numerator: object
    denominator: object = None
    # Whether a higher value is good news (for arrows on dashboards).
    higher_is_better: bool = False

    @property
    def title(self):
        """The label in the active language."""
        return self.label_en if _english() else self.label

    @property
    def explanation(self):
        """The plain-language definition in the active language."""
        return DEFINITIONS_EN[self.key] if _english() else self.definition


def _english():
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


DEFINITIONS_EN = {
    "hamlets_without_branch": "Scope hamlets that no active branch serves.",
    "hamlets_in_joint_branch": "Hamlets served, but only by joint branches (serving two or more active hamlets).",
    "hamlets_without_resident_members": "Hamlets where no active member lives.",
    "hamlets_without_branch_or_members": "Hamlets with neither a branch nor a resident member.",
    "village_heads_party_members": "Of the hamlets with a village head: the head is a party member (linked record).",
    "village_heads_trained": "Of the hamlets with a village head: the head has completed training.",
    "secretary_is_village_head": "Hamlets with a head and a branch with a secretary: the head is the secretary.",
    "joint_branches": "Branches serving two or more active hamlets.",
    "reinforced_branches": "Branches with at least one active reinforcing member.",
    "branches_without_members": "Branches with no active member.",
    "branches_below_minimum": "Branches with fewer than 3 full active members.",
    "branches_without_secretary": "Branches with no secretary on the date.",
    "secretaries_trained": "Of the branches with a secretary: the secretary has completed professional training.",
    "branches_without_recent_admission": "Branches that admitted no one in the last 5 years.",
    "branches_at_risk": "Under 3 full members; or under 5 members and (over half aged 60+ or no admission in 5 years).",
    "members_elderly": "Active members aged 60 or more in completed years.",
    "members_reinforcing": "Active members attending as reinforcing members.",
    "members_probationary": "Active members not yet recognised as full members.",
    "admissions_vs_target": "Members admitted from 1 January to the date, against the yearly admission targets.",
    "branches_rated_not_completed": "Of the branches rated for the previous year: rated not completed.",
}


INDICATORS = (
    Indicator(
        "hamlets_without_branch",
        "hamlet",
        "Thôn, xóm chưa có chi bộ",
        "Hamlets without a branch",
        "Thôn, xóm trong phạm vi không được chi bộ nào đang hoạt động phụ trách.",
        lambda r: not r["served"],
    ),
    Indicator(
        "hamlets_in_joint_branch",
        "hamlet",
        "Thôn, xóm sinh hoạt chi bộ ghép",
        "Hamlets in a joint branch only",
        "Thôn, xóm có chi bộ, nhưng chỉ là chi bộ ghép (phụ trách từ hai thôn, xóm đang hoạt động trở lên).",
        lambda r: r["served"] and not r["served_by_own_branch"],
    ),
    Indicator(
        "hamlets_without_resident_members",
        "hamlet",
        "Thôn, xóm chưa có đảng viên tại chỗ",
        "Hamlets without resident members",
        "Thôn, xóm không có đảng viên nào đang sinh hoạt mà cư trú tại đó.",
        lambda r: not r["has_resident"],
    ),
    Indicator(
        "hamlets_without_branch_or_members",
        "hamlet",
        "Thôn, xóm chưa có chi bộ và chưa có đảng viên",
        "Hamlets without branch or members",
        "Thôn, xóm vừa không có chi bộ vừa không có đảng viên tại chỗ.",
        lambda r: not r["served"] and not r["has_resident"],
    ),
    Indicator(
        "village_heads_party_members",
        "hamlet",
        "Trưởng thôn, xóm là đảng viên",
        "Village heads who are party members",
        "Trong số thôn, xóm có trưởng thôn: trưởng thôn là đảng viên (theo hồ sơ đảng viên được liên kết).",
        lambda r: r["head_is_party_member"],
        lambda r: r["has_head"],
        True,
    ),
    Indicator(
        "village_heads_trained",
        "hamlet",
        "Trưởng thôn, xóm đã qua bồi dưỡng",
        "Village heads trained",
        "Trong số thôn, xóm có trưởng thôn: trưởng thôn đã hoàn thành bồi dưỡng.",
        lambda r: r["head_trained"],
        lambda r: r["has_head"],
        True,
    ),
    Indicator(
        "secretary_is_village_head",
        "hamlet",
        "Bí thư chi bộ đồng thời là trưởng thôn",
        "Branch secretary is the village head",
        "Thôn, xóm có trưởng thôn và có chi bộ có bí thư: trưởng thôn là bí thư của một chi bộ phụ trách thôn.",
        lambda r: r["head_is_secretary"],
        lambda r: r["has_head"] and r["served_with_secretary"],
        True,
    ),
    Indicator(
        "joint_branches",
        "branch",
        "Chi bộ ghép",
        "Joint branches",
        "Chi bộ phụ trách từ hai thôn, xóm đang hoạt động trở lên.",
        lambda r: r["active_hamlet_count"] >= 2,
    ),
    Indicator(
        "reinforced_branches",
        "branch",
        "Chi bộ có đảng viên tăng cường",
        "Reinforced branches",
        "Chi bộ có ít nhất một đảng viên tăng cường đang sinh hoạt.",
        lambda r: r["reinforcing_count"] > 0,
    ),
    Indicator(
        "branches_without_members",
        "branch",
        "Chi bộ không có đảng viên",
        "Branches without members",
        "Chi bộ không có đảng viên nào đang sinh hoạt.",
        lambda r: r["member_count"] == 0,
    ),
    Indicator(
        "branches_below_minimum",
        "branch",
        "Chi bộ dưới 3 đảng viên chính thức",
        "Branches below the minimum",
        "Chi bộ có ít hơn 3 đảng viên chính thức đang sinh hoạt.",
        lambda r: r["below_minimum"],
    ),
    Indicator(
        "branches_without_secretary",
        "branch",
        "Chi bộ chưa có bí thư",
        "Branches without a secretary",
        "Chi bộ không có bí thư tại ngày báo cáo.",
        lambda r: not r["has_secretary"],
    ),
    Indicator(
        "secretaries_trained",
        "branch",
        "Bí thư chi bộ đã qua bồi dưỡng nghiệp vụ",
        "Branch secretaries trained",
        "Trong số chi bộ có bí thư: bí thư đã hoàn thành bồi dưỡng nghiệp vụ.",
        lambda r: r["secretary_trained"],
        lambda r: r["has_secretary"],
        True,
    ),
    Indicator(
        "branches_without_recent_admission",
        "branch",
        "Chi bộ 5 năm không kết nạp đảng viên",
        "Branches without an admission in 5 years",
        "Chi bộ không kết nạp đảng viên nào trong 5 năm gần nhất.",
        lambda r: not r["recent_admission"],
    ),
    Indicator(
        "branches_at_risk",
        "branch",
        "Chi bộ có nguy cơ không duy trì được",
        "Branches at risk",
        "Dưới 3 đảng viên chính thức; hoặc dưới 5 đảng viên và (quá nửa từ 60 tuổi trở lên hoặc 5 năm không kết nạp).",
        lambda r: r["at_risk"],
    ),
    Indicator(
        "members_elderly",
        "member",
        "Đảng viên từ 60 tuổi trở lên",
        "Members aged 60 or more",
        "Đảng viên đang sinh hoạt có tuổi tròn từ 60 trở lên.",
        lambda day: elderly_q(day),
    ),
    Indicator(
        "members_reinforcing",
        "member",
        "Đảng viên tăng cường",
        "Reinforcing members",
        "Đảng viên đang sinh hoạt theo diện tăng cường.",
        lambda day: Q(reinforcing=True),
    ),
    Indicator(
        "members_probationary",
        "member",
        "Đảng viên dự bị",
        "Probationary members",
        "Đảng viên đang sinh hoạt chưa được công nhận chính thức.",
        lambda day: ~full_q(day),
    ),
    Indicator(
        "admissions_vs_target",
        "admission",
        "Kết nạp so với chỉ tiêu",
        "Admissions against target",
        "Số đảng viên kết nạp từ 1/1 đến ngày báo cáo, so với tổng chỉ tiêu kết nạp năm của các xã.",
        None,
        None,
        True,
    ),
    Indicator(
        "branches_rated_not_completed",
        "branch",
        "Chi bộ xếp loại không hoàn thành nhiệm vụ",
        "Branches rated not completed",
        "Trong số chi bộ được xếp loại năm trước: chi bộ không hoàn thành nhiệm vụ.",
        lambda r: r["rated_not_completed"],
        lambda r: r["has_rating"],
    ),
)

INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
KEYS = tuple(INDICATOR_BY_KEY)


def at_risk_settings():
    return {
        "min_full": settings.AT_RISK_MIN_FULL_MEMBERS,
        "small": settings.AT_RISK_SMALL_BRANCH_MEMBERS,
        "elderly_share": settings.AT_RISK_ELDERLY_SHARE,
        "years": settings.AT_RISK_ADMISSION_YEARS,
    }


# --- scope ---------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    kind: str  # province | district | commune
    code: str
    name: str
    pk: int | None = None

    def as_json(self):
        return {"kind": self.kind, "code": self.code, "name": self.name}


class UnknownUnit(ValueError):
    pass


class UnknownArea(ValueError):
    pass


def province_name():
    return getattr(settings, "PROVINCE_NAME", "Toàn tỉnh")


def get_unit(kind, code):
    """The Unit for KIND:CODE, or UnknownUnit."""
    if kind == "province":
        if code != "all":
            raise UnknownUnit(f"province:{code}")
        return Unit("province", "all", province_name())
    model = {"district": District, "commune": Commune}.get(kind)
    if model is None:
        raise UnknownUnit(f"{kind}:{code}")
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise UnknownUnit(f"{kind}:{code}")
    return Unit(kind, obj.code, obj.name, obj.pk)


def parse_unit(text):
    kind, sep, code = (text or "").partition(":")
    if not sep:
        raise UnknownUnit(text)
    return get_unit(kind, code)


def check_area(area):
    if area in (None, "", SPECIAL_AREA):
        return area or None
    if not AreaType.objects.filter(code=area).exists():
        raise UnknownArea(area)
    return area


def unit_communes(unit, day):
    """The communes a unit's figures cover at `day`: its active communes."""
    communes = Commune.objects.active_on(day)
    if unit.kind == "district":
        communes = communes.filter(district_id=unit.pk)
    elif unit.kind == "commune":
        communes = Commune.objects.filter(pk=unit.pk)
    return communes


# --- reading the states at D -------------------------------------------------------


def first_memberships():
    """Each member's earliest membership: the branch where the admission counts."""
    earlier = Membership.objects.filter(member_id=OuterRef("member_id"), joined_on__lt=OuterRef("joined_on"))
    return Membership.objects.filter(~Exists(earlier))


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
    return first_memberships().filter(admitted_q(datetime.date(day.year, 1, 1), day), branch__commune__in=communes)


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


def at_risk_conditions(row):
    """Which conditions of the at-risk rule hold for a branch row (indicators.md, "At risk")."""
    risk = at_risk_settings()
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


def _counts(indicator, row):
    """Whether a hamlet or branch row is in the indicator's denominator."""
    return indicator.denominator is None or indicator.denominator(row)


UNIT_DATES = ("established_on", "dissolved_on")


def active_membership_q(day):
    return active_q(day, "joined_on", "left_on")


class StateReader:
    """Reads the states of indicators.md for some communes at one or several
    dates with a fixed number of queries (about ten, whatever the number of
    dates): the dated records are loaded once and tested per date in Python,
    and what is counted per member is counted by the database with one
    conditional count per date, in one pass.

    This is the only place states are read; Snapshot (one date) and
    Snapshot.many (a trend's twelve month ends) both use it.
    """

    def __init__(self, communes, days, area=None):
        self.days = sorted(set(days))
        self.area = area
        communes = Commune.objects.filter(pk__in=list(communes.values_list("pk", flat=True)))
        self.communes = communes
        day_keys = {day: f"d{index}" for index, day in enumerate(self.days)}
        self.day_keys = day_keys

        self.hamlets = list(
            Hamlet.objects.filter(commune__in=communes).values_list(
                "pk", "commune_id", "established_on", "dissolved_on"
            )
        )
        self.in_area = None
        if area:
            self.in_area = set(Hamlet.objects.filter(commune__in=communes).in_area(area).values_list("pk", flat=True))
        self.branches = list(
            Branch.objects.filter(commune__in=communes).values_list(
                "pk", "commune_id", "established_on", "dissolved_on"
            )
        )
        self.links = list(
            Branch.hamlets.through.objects.filter(branch__commune__in=communes).values_list("branch_id", "hamlet_id")
        )
        # Resident members: active memberships by residence hamlet, one count per date.
        memberships = Membership.objects.order_by()
        self.residents = {
            row["member__residence_hamlet_id"]: row
            for row in memberships.filter(member__residence_hamlet__commune__in=communes)
            .values("member__residence_hamlet_id")
            .annotate(
                **{key: Count("pk", filter=active_q(day, "joined_on", "left_on")) for day, key in day_keys.items()}
            )
        }
        # Per branch and date: active members, full, elderly, reinforcing, and each member indicator.
        member_indicators = [i for i in INDICATORS if i.level == "member"]
        counts = {}
        for day, key in day_keys.items():
            active = active_membership_q(day)
            for name, q in MEMBER_COUNTS.items():
                counts[f"{name}__{key}"] = Count("pk", filter=active & q(day))
            for indicator in member_indicators:
                counts[f"{indicator.key}__{key}"] = Count("pk", filter=active & indicator.numerator(day))
        self.member_counts = {
            row["branch_id"]: row
            for row in memberships.filter(branch__commune__in=communes).values("branch_id").annotate(**counts)
        }
        # First memberships: admissions in the 5-year window (per branch) and since 1 January (per commune).
        first = {}
        for day, key in day_keys.items():
            first[f"recent__{key}"] = Count("pk", filter=admitted_q(recent_window_start(day), day))
            first[f"year__{key}"] = Count("pk", filter=admitted_q(datetime.date(day.year, 1, 1), day))
        self.admissions = {
            row["branch_id"]: row
            for row in first_memberships()
            .filter(branch__commune__in=communes)
            .order_by()
            .values("branch_id")
            .annotate(**first)
        }
        self.heads = list(
            VillageHead.objects.filter(hamlet__commune__in=communes).values_list(
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
            BranchSecretary.objects.filter(branch__commune__in=communes).values_list(
                "branch_id", "member_id", "start_on", "end_on", "member__trained_on"
            )
        )
        years = {day.year - 1 for day in self.days}
        self.ratings = {
            (branch, year): rating
            for branch, year, rating in BranchRating.objects.filter(
                branch__commune__in=communes, year__in=years
            ).values_list("branch_id", "year", "rating")
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

    def at(self, day):
        """(hamlet rows, branch rows, admissions per commune, targets per commune) at `day`."""
        key = self.day_keys[day]
        active_hamlets = {pk: commune for pk, commune, start, end in self.hamlets if is_active(start, end, day)}
        branches = {pk: commune for pk, commune, start, end in self.branches if is_active(start, end, day)}
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
            row["risk_conditions"] = at_risk_conditions(row)
            row["below_minimum"] = "below_minimum" in row["risk_conditions"]
            row["at_risk"] = bool(row["risk_conditions"])
            branch_rows[pk] = row

        admissions = {}
        commune_of = {pk: commune for pk, commune, _s, _e in self.branches}
        for branch_id, counts in self.admissions.items():
            year_count = counts.get(f"year__{key}", 0)
            if year_count:
                commune = commune_of[branch_id]
                admissions[commune] = admissions.get(commune, 0) + year_count
        targets = {commune: total for (commune, year), total in self.targets.items() if year == day.year}
        return hamlets, branch_rows, admissions, targets


class Snapshot:
    """The states of every scope hamlet, branch and member of some communes at a date."""

    def __init__(self, communes, day, area=None, reader=None):
        reader = reader or StateReader(communes, [day], area)
        self.day, self.area, self.communes = day, area, reader.communes
        self.hamlets, self.branches, self.admissions, self.targets = reader.at(day)

    @classmethod
    def many(cls, communes, days, area=None):
        """{day: Snapshot} for several dates, read together."""
        reader = StateReader(communes, days, area)
        return {day: cls(communes, day, area, reader=reader) for day in reader.days}

    @classmethod
    def of_unit(cls, unit, days, area=None):
        """{day: Snapshot of the unit's communes at that day}, all read together.

        The unit's communes may differ between the dates (a commune founded or
        dissolved in between); each date's snapshot keeps only its own."""
        per_day = {day: set(unit_communes(unit, day).values_list("pk", flat=True)) for day in days}
        snapshots = cls.many(Commune.objects.filter(pk__in=set().union(*per_day.values())), days, area)
        for day, snapshot in snapshots.items():
            keep = per_day[day]
            snapshot.hamlets = {pk: row for pk, row in snapshot.hamlets.items() if row["commune_id"] in keep}
            snapshot.branches = {pk: row for pk, row in snapshot.branches.items() if row["commune_id"] in keep}
            snapshot.admissions = {c: n for c, n in snapshot.admissions.items() if c in keep}
            snapshot.targets = {c: n for c, n in snapshot.targets.items() if c in keep}
        return snapshots

    def rows(self, level):
        return {"hamlet": self.hamlets, "branch": self.branches}[level]

    def per_commune(self):
        """{commune id: {key: [numerator, denominator]}}."""
        figures = {}

        def add(commune_id, key, numerator, denominator):
            pair = figures.setdefault(commune_id, {}).setdefault(key, [0, 0])
            pair[0] += numerator
            pair[1] += denominator

        for indicator in INDICATORS:
            key = indicator.key
            if indicator.level in ("hamlet", "branch"):
                for row in self.rows(indicator.level).values():
                    counted = _counts(indicator, row)
                    add(row["commune_id"], key, int(counted and indicator.numerator(row)), int(counted))
            elif indicator.level == "member":
                for row in self.branches.values():
                    add(row["commune_id"], key, row[key], row["member_count"])
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
    communes = list(unit_communes(unit, day).values_list("pk", "code", "name", "district_id"))
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


def compute(unit, day, area=None, by_child=False, snapshot=None):
    """The indicators JSON of indicators.md ("Machine-readable output").

    Pass a `snapshot` when the caller has one (the dashboard's action lists,
    a trend's month ends read together), so the states are read once."""
    communes = unit_communes(unit, day)
    snapshot = snapshot or Snapshot(communes, day, area)
    per_commune = snapshot.per_commune()
    commune_ids = list(communes.values_list("pk", flat=True))
    result = {
        "unit": unit.as_json(),
        "as_of": day.isoformat(),
        "area": area,
        "indicators": _as_json(_sum(per_commune, commune_ids)),
        "children": [],
    }
    if by_child:
        for child, child_commune_ids in child_units(unit, day):
            result["children"].append(
                {
                    "unit": child.as_json(),
                    "as_of": day.isoformat(),
                    "area": area,
                    "indicators": _as_json(_sum(per_commune, child_commune_ids)),
                }
            )
    return result


# --- drill-down and status --------------------------------------------------------


def numerator_rows(key, unit, day, area=None, snapshot=None):
    """The records an indicator's numerator counts: hamlets, branches, active
    memberships or first memberships (admissions). len() == numerator."""
    indicator = INDICATOR_BY_KEY[key]
    communes = unit_communes(unit, day)
    if indicator.level == "admission":
        return admission_rows(communes, day)
    snapshot = snapshot or Snapshot(communes, day, area)
    if indicator.level == "member":
        return member_rows(snapshot).filter(indicator.numerator(day))
    model = Hamlet if indicator.level == "hamlet" else Branch
    return model.objects.filter(pk__in=snapshot.numerator_ids(key))


def denominator_rows(key, unit, day, area=None, snapshot=None):
    indicator = INDICATOR_BY_KEY[key]
    communes = unit_communes(unit, day)
    if indicator.level == "admission":
        return AdmissionTarget.objects.filter(commune__in=communes, year=day.year)
    snapshot = snapshot or Snapshot(communes, day, area)
    if indicator.level == "member":
        return member_rows(snapshot)
    model = Hamlet if indicator.level == "hamlet" else Branch
    return model.objects.filter(pk__in=snapshot.denominator_ids(key))


class Coverage:
    """A hamlet's coverage status (for lists and the hamlet page)."""

    OWN_BRANCH = "own_branch"
    JOINT_ONLY = "joint_only"
    RESIDENTS_NO_BRANCH = "residents_no_branch"
    NOTHING = "nothing"


def hamlet_coverage(row):
    """Coverage status of a hamlet row of a Snapshot."""
    if row["served"]:
        return Coverage.OWN_BRANCH if row["served_by_own_branch"] else Coverage.JOINT_ONLY
    return Coverage.RESIDENTS_NO_BRANCH if row["has_resident"] else Coverage.NOTHING


class BadArgument(ValueError):
    """A bad --unit/--as-of/--area (unit=/as_of=/area= in the API); the
    message names the argument."""


def parse_arguments(*, unit, as_of, area=None):
    """(Unit, date, area) from the text arguments of the command and the API."""
    try:
        day = datetime.date.fromisoformat(as_of or "")
    except ValueError:
        raise BadArgument(f"as_of: ngày không hợp lệ “{as_of}” (cần YYYY-MM-DD).") from None
    if not dates.in_range(day):
        raise BadArgument(f"as_of: {dates.range_message()}")
    try:
        resolved = parse_unit(unit)
    except UnknownUnit:
        raise BadArgument(f"unit: không có đơn vị “{unit}” (cần province:all, district:MÃ hoặc commune:MÃ).") from None
    try:
        area = check_area(area)
    except UnknownArea:
        raise BadArgument(f"area: không có vùng “{area}” (special hoặc mã vùng đặc thù).") from None
    return resolved, day, area


def compute_from_arguments(*, unit, as_of, area=None, by_child=False):
    """Shared by the command and the API, so both answer the same JSON."""
    return compute(*parse_arguments(unit=unit, as_of=as_of, area=area), by_child)


def hamlet_coverage_ids(hamlets, day, status):
    """Ids of the hamlets (of a queryset) with a coverage status at `day`;
    "no_branch" groups the two statuses without a branch."""
    snapshot = Snapshot(Commune.objects.filter(pk__in=hamlets.values("commune_id")), day)
    return [
        pk
        for pk, row in snapshot.hamlets.items()
        if hamlet_coverage(row) == status or (status == "no_branch" and not row["served"])
    ]


def branch_state_ids(branches, day, state):
    """Ids of active branches (of a queryset) that are at risk, safe, or without a secretary at `day`."""
    snapshot = Snapshot(Commune.objects.filter(pk__in=branches.values("commune_id")), day)
    tests = {
        "at_risk": lambda row: row["at_risk"],
        "safe": lambda row: not row["at_risk"],
        "no_secretary": lambda row: not row["has_secretary"],
    }
    return [pk for pk, row in snapshot.branches.items() if tests[state](row)]


def data_version():
    """A number that changes whenever any registry record changes: the sum of
    the latest history ids. Cached figures are keyed by it, so a correction
    invalidates them without any bookkeeping."""
    from django.db.models import Max

    from hamlets.exchange.schema import SHEETS

    total = 0
    for sheet in SHEETS:
        total += sheet.model.history.aggregate(latest=Max("history_id"))["latest"] or 0
    return total


def compute_many(unit, days, area=None):
    """{day: compute(unit, day, area)} for several dates, their states read together."""
    snapshots = Snapshot.of_unit(unit, days, area)
    return {day: compute(unit, day, area, snapshot=snapshots[day]) for day in days}


def _cache_key(unit, day, area, by_child, version):
    # The at-risk settings are part of the key: changing them changes the figures.
    risk = "-".join(str(v) for v in at_risk_settings().values())
    return f"indicators:{version}:{risk}:{unit.kind}:{unit.code}:{day.isoformat()}:{area or ''}:{int(by_child)}"


def compute_many_cached(unit, days, area=None, version=None):
    """compute_many(), remembering each date's figures until the data change."""
    from django.core.cache import cache

    version = data_version() if version is None else version
    keys = {day: _cache_key(unit, day, area, False, version) for day in days}
    found = cache.get_many(list(keys.values()))
    results = {day: found[key] for day, key in keys.items() if key in found}
    missing = [day for day in days if day not in results]
    if missing:
        fresh = compute_many(unit, missing, area)
        cache.set_many({keys[day]: result for day, result in fresh.items()}, 7 * 24 * 3600)
        results.update(fresh)
    return results
