"""Every figure of spec/indicators.md, defined once and computed for all consumers.

How it works
------------
Each indicator counts rows of one *level*: hamlets, branches, members
(active memberships) or admissions. For each level there is one annotated
queryset (`hamlet_rows`, `branch_rows`, `member_rows`, `admission_rows`) that
carries, per row, the states of indicators.md ("States at a date D") as
boolean or count annotations. An indicator is then two Q objects over those
annotations: its numerator and its denominator.

* Computing a scope is one grouped query per level (GROUP BY commune), so the
  number of queries does not grow with the data, and a breakdown by child unit
  is the same rows summed differently (children add up to the parent by
  construction).
* The drill-down of an indicator is the level's queryset filtered by the
  numerator, so its row count equals the numerator by construction.
* Per-hamlet and per-branch status (coverage, at-risk conditions) read the
  same annotations.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from coverage_site.lib.dates import add_years
from hamlets.models import (
    AdmissionTarget,
    AreaType,
    Branch,
    BranchRating,
    BranchSecretary,
    Commune,
    District,
    Hamlet,
    Member,
    Membership,
    VillageHead,
)

SPECIAL_AREA = "special"
ENDED_PARTY_MEMBERSHIP = ["deceased", "removed", "expelled"]


@dataclass(frozen=True)
class Indicator:
    key: str
    level: str  # hamlet | branch | member | admission
    label: str
    label_en: str
    definition: str
    numerator: Q
    denominator: Q = Q()
    # Whether a higher value is good news (for arrows on dashboards).
    higher_is_better: bool = False


INDICATORS = (
    Indicator(
        "hamlets_without_branch",
        "hamlet",
        "Thôn, xóm chưa có chi bộ",
        "Hamlets without a branch",
        "Thôn, xóm trong phạm vi không được chi bộ nào đang hoạt động phụ trách.",
        Q(served=False),
    ),
    Indicator(
        "hamlets_in_joint_branch",
        "hamlet",
        "Thôn, xóm sinh hoạt chi bộ ghép",
        "Hamlets in a joint branch only",
        "Thôn, xóm có chi bộ, nhưng chỉ là chi bộ ghép (phụ trách từ hai thôn, xóm đang hoạt động trở lên).",
        Q(served=True, served_by_own_branch=False),
    ),
    Indicator(
        "hamlets_without_resident_members",
        "hamlet",
        "Thôn, xóm chưa có đảng viên tại chỗ",
        "Hamlets without resident members",
        "Thôn, xóm không có đảng viên nào đang sinh hoạt mà cư trú tại đó.",
        Q(has_resident=False),
    ),
    Indicator(
        "hamlets_without_branch_or_members",
        "hamlet",
        "Thôn, xóm chưa có chi bộ và chưa có đảng viên",
        "Hamlets without branch or members",
        "Thôn, xóm vừa không có chi bộ vừa không có đảng viên tại chỗ.",
        Q(served=False, has_resident=False),
    ),
    Indicator(
        "village_heads_party_members",
        "hamlet",
        "Trưởng thôn, xóm là đảng viên",
        "Village heads who are party members",
        "Trong số thôn, xóm có trưởng thôn: trưởng thôn là đảng viên (theo hồ sơ đảng viên được liên kết).",
        Q(head_is_party_member=True),
        Q(has_head=True),
        True,
    ),
    Indicator(
        "village_heads_trained",
        "hamlet",
        "Trưởng thôn, xóm đã qua bồi dưỡng",
        "Village heads trained",
        "Trong số thôn, xóm có trưởng thôn: trưởng thôn đã hoàn thành bồi dưỡng.",
        Q(head_trained=True),
        Q(has_head=True),
        True,
    ),
    Indicator(
        "secretary_is_village_head",
        "hamlet",
        "Bí thư chi bộ đồng thời là trưởng thôn",
        "Branch secretary is the village head",
        "Thôn, xóm có trưởng thôn và có chi bộ có bí thư: trưởng thôn là bí thư của một chi bộ phụ trách thôn.",
        Q(head_is_secretary=True),
        Q(has_head=True, served_with_secretary=True),
        True,
    ),
    Indicator(
        "joint_branches",
        "branch",
        "Chi bộ ghép",
        "Joint branches",
        "Chi bộ phụ trách từ hai thôn, xóm đang hoạt động trở lên.",
        Q(active_hamlet_count__gte=2),
    ),
    Indicator(
        "reinforced_branches",
        "branch",
        "Chi bộ có đảng viên tăng cường",
        "Reinforced branches",
        "Chi bộ có ít nhất một đảng viên tăng cường đang sinh hoạt.",
        Q(reinforced=True),
    ),
    Indicator(
        "branches_without_members",
        "branch",
        "Chi bộ không có đảng viên",
        "Branches without members",
        "Chi bộ không có đảng viên nào đang sinh hoạt.",
        Q(member_count=0),
    ),
    Indicator(
        "branches_below_minimum",
        "branch",
        "Chi bộ dưới 3 đảng viên chính thức",
        "Branches below the minimum",
        "Chi bộ có ít hơn 3 đảng viên chính thức đang sinh hoạt.",
        Q(below_minimum=True),
    ),
    Indicator(
        "branches_without_secretary",
        "branch",
        "Chi bộ chưa có bí thư",
        "Branches without a secretary",
        "Chi bộ không có bí thư tại ngày báo cáo.",
        Q(has_secretary=False),
    ),
    Indicator(
        "secretaries_trained",
        "branch",
        "Bí thư chi bộ đã qua bồi dưỡng nghiệp vụ",
        "Branch secretaries trained",
        "Trong số chi bộ có bí thư: bí thư đã hoàn thành bồi dưỡng nghiệp vụ.",
        Q(secretary_trained=True),
        Q(has_secretary=True),
        True,
    ),
    Indicator(
        "branches_without_recent_admission",
        "branch",
        "Chi bộ 5 năm không kết nạp đảng viên",
        "Branches without an admission in 5 years",
        "Chi bộ không kết nạp đảng viên nào trong 5 năm gần nhất.",
        Q(recent_admission=False),
    ),
    Indicator(
        "branches_at_risk",
        "branch",
        "Chi bộ có nguy cơ không duy trì được",
        "Branches at risk",
        "Dưới 3 đảng viên chính thức; hoặc dưới 5 đảng viên và (quá nửa từ 60 tuổi trở lên hoặc 5 năm không kết nạp).",
        Q(at_risk=True),
    ),
    Indicator(
        "members_elderly",
        "member",
        "Đảng viên từ 60 tuổi trở lên",
        "Members aged 60 or more",
        "Đảng viên đang sinh hoạt có tuổi tròn từ 60 trở lên.",
        Q(elderly=True),
    ),
    Indicator(
        "members_reinforcing",
        "member",
        "Đảng viên tăng cường",
        "Reinforcing members",
        "Đảng viên đang sinh hoạt theo diện tăng cường.",
        Q(reinforcing=True),
    ),
    Indicator(
        "members_probationary",
        "member",
        "Đảng viên dự bị",
        "Probationary members",
        "Đảng viên đang sinh hoạt chưa được công nhận chính thức.",
        Q(probationary=True),
    ),
    Indicator(
        "admissions_vs_target",
        "admission",
        "Kết nạp so với chỉ tiêu",
        "Admissions against target",
        "Số đảng viên kết nạp từ 1/1 đến ngày báo cáo, so với tổng chỉ tiêu kết nạp năm của các xã.",
        Q(),
        Q(),
        True,
    ),
    Indicator(
        "branches_rated_not_completed",
        "branch",
        "Chi bộ xếp loại không hoàn thành nhiệm vụ",
        "Branches rated not completed",
        "Trong số chi bộ được xếp loại năm trước: chi bộ không hoàn thành nhiệm vụ.",
        Q(rated_not_completed=True),
        Q(has_rating=True),
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


def scope_hamlets(communes, day, area=None):
    """Active hamlets of the communes that pass the area filter."""
    hamlets = Hamlet.objects.active_on(day).filter(commune__in=communes)
    if area:
        # Exists rather than a join, so a hamlet with several types counts once.
        types = Hamlet.area_types.through.objects.filter(hamlet_id=OuterRef("pk"))
        if area != SPECIAL_AREA:
            types = types.filter(areatype__code=area)
        hamlets = hamlets.filter(Exists(types))
    return hamlets


def scope_branches(communes, day, area=None):
    """Active branches of the communes; with an area filter, those serving
    at least one scope hamlet."""
    branches = Branch.objects.active_on(day).filter(commune__in=communes)
    if area:
        served = scope_hamlets(communes, day, area).filter(branches=OuterRef("pk"))
        branches = branches.filter(Exists(served))
    return branches


# --- the annotated rows of each level -------------------------------------------


def _active_branches_serving(day, hamlet_ref):
    return Branch.objects.active_on(day).filter(hamlets=hamlet_ref)


def _active_hamlet_count(day):
    """Subquery: number of active hamlets the outer branch serves."""
    through = Branch.hamlets.through.objects.filter(branch_id=OuterRef("pk")).filter(
        Q(hamlet__established_on__isnull=True) | Q(hamlet__established_on__lte=day),
        Q(hamlet__dissolved_on__isnull=True) | Q(hamlet__dissolved_on__gt=day),
    )
    return _count(through, "branch_id")


def _count(queryset, group_field):
    """Subquery counting `queryset` rows (0 when none), for annotations."""
    counted = queryset.order_by().values(group_field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _head_is_party_member(day):
    """A village head's linked member was admitted and did not leave the party."""
    left_party = Membership.objects.filter(
        member_id=OuterRef("member_id"), left_on__lte=day, left_reason__in=ENDED_PARTY_MEMBERSHIP
    )
    return Q(member__isnull=False, member__admitted_on__lte=day) & ~Exists(left_party)


def hamlet_rows(communes, day, area=None):
    """Scope hamlets annotated with their states at `day`."""
    heads = VillageHead.objects.active_on(day).filter(hamlet_id=OuterRef("pk"))
    single_branches = (
        Branch.objects.active_on(day)
        .filter(hamlets=OuterRef("pk"))
        .annotate(n=_active_hamlet_count(day))
        .filter(n__lt=2)
    )

    # Secretaries at `day` of active branches serving the hamlet given by `hamlet_ref`.
    def secretaries_serving(hamlet_ref):
        return BranchSecretary.objects.active_on(day).filter(
            branch__in=Branch.objects.active_on(day), branch__hamlets=hamlet_ref
        )

    return scope_hamlets(communes, day, area).annotate(
        served=Exists(_active_branches_serving(day, OuterRef("pk"))),
        served_by_own_branch=Exists(single_branches),
        has_resident=Exists(Membership.objects.active_on(day).filter(member__residence_hamlet_id=OuterRef("pk"))),
        has_head=Exists(heads),
        head_is_party_member=Exists(heads.filter(_head_is_party_member(day))),
        head_trained=Exists(heads.filter(trained_on__lte=day)),
        head_is_secretary=Exists(
            heads.filter(Exists(secretaries_serving(OuterRef("hamlet_id")).filter(member_id=OuterRef("member_id"))))
        ),
        served_with_secretary=Exists(secretaries_serving(OuterRef("pk"))),
    )


def _recent_admissions(day, branch_ref):
    """First memberships in the branch of members admitted in (day - N years, day]."""
    since = add_years(day, -settings.AT_RISK_ADMISSION_YEARS)
    return first_memberships().filter(
        branch_id=branch_ref, joined_on__lte=day, member__admitted_on__gt=since, member__admitted_on__lte=day
    )


def first_memberships():
    """Each member's earliest membership: where the admission counts."""
    earlier = Membership.objects.filter(member_id=OuterRef("member_id"), joined_on__lt=OuterRef("joined_on"))
    return Membership.objects.filter(~Exists(earlier))


def branch_rows(communes, day, area=None):
    """Scope branches annotated with their states at `day`."""
    active = Membership.objects.active_on(day).filter(branch_id=OuterRef("pk"))
    elderly_born_by = add_years(day, -settings.ELDERLY_AGE)
    secretaries = BranchSecretary.objects.active_on(day).filter(branch_id=OuterRef("pk"))
    ratings = BranchRating.objects.filter(branch_id=OuterRef("pk"), year=day.year - 1)
    risk = at_risk_settings()
    rows = scope_branches(communes, day, area).annotate(
        active_hamlet_count=_active_hamlet_count(day),
        member_count=_count(active, "branch_id"),
        full_count=_count(active.filter(member__official_on__lte=day), "branch_id"),
        elderly_count=_count(active.filter(member__birth_date__lte=elderly_born_by), "branch_id"),
        reinforced=Exists(active.filter(reinforcing=True)),
        has_secretary=Exists(secretaries),
        secretary_trained=Exists(secretaries.filter(member__trained_on__lte=day)),
        recent_admission=Exists(_recent_admissions(day, OuterRef("pk"))),
        has_rating=Exists(ratings),
        rated_not_completed=Exists(ratings.filter(rating=BranchRating.Rating.NOT_COMPLETED)),
    )
    rows = rows.annotate(
        # "More than half elderly", with the share as a setting.
        elderly_excess=ExpressionWrapper(
            F("elderly_count") * 1.0 - F("member_count") * risk["elderly_share"], output_field=FloatField()
        ),
    )
    return rows.annotate(
        below_minimum=ExpressionWrapper(Q(full_count__lt=risk["min_full"]), output_field=BooleanField()),
        risk_small_elderly=ExpressionWrapper(
            Q(member_count__lt=risk["small"], elderly_excess__gt=0), output_field=BooleanField()
        ),
        risk_small_no_admission=ExpressionWrapper(
            Q(member_count__lt=risk["small"], recent_admission=False), output_field=BooleanField()
        ),
    ).annotate(
        at_risk=ExpressionWrapper(
            Q(below_minimum=True) | Q(risk_small_elderly=True) | Q(risk_small_no_admission=True),
            output_field=BooleanField(),
        )
    )


def member_rows(communes, day, area=None):
    """Active memberships of scope members (one per member) with their states."""
    elderly_born_by = add_years(day, -settings.ELDERLY_AGE)
    return (
        Membership.objects.active_on(day)
        .filter(branch__in=scope_branches(communes, day, area))
        .annotate(
            elderly=ExpressionWrapper(Q(member__birth_date__lte=elderly_born_by), output_field=BooleanField()),
            probationary=ExpressionWrapper(
                Q(member__official_on__isnull=True) | Q(member__official_on__gt=day), output_field=BooleanField()
            ),
        )
    )


def admission_rows(communes, day, area=None):
    """First memberships of members admitted from 1 January to `day` in a
    branch of the communes. The area filter does not apply (indicators.md)."""
    return first_memberships().filter(
        branch__commune__in=communes,
        joined_on__lte=day,
        member__admitted_on__gte=datetime.date(day.year, 1, 1),
        member__admitted_on__lte=day,
    )


LEVEL_ROWS = {"hamlet": hamlet_rows, "branch": branch_rows, "member": member_rows, "admission": admission_rows}
LEVEL_COMMUNE_FIELD = {
    "hamlet": "commune_id",
    "branch": "commune_id",
    "member": "branch__commune_id",
    "admission": "branch__commune_id",
}


# --- computing -------------------------------------------------------------------


def _per_commune(communes, day, area):
    """{commune id: {key: [numerator, denominator]}} in one query per level."""
    counts = {}
    for level, rows_for in LEVEL_ROWS.items():
        indicators = [i for i in INDICATORS if i.level == level]
        aggregates = {}
        for indicator in indicators:
            if level == "admission":
                aggregates[f"{indicator.key}__n"] = Count("pk")
                continue
            aggregates[f"{indicator.key}__n"] = Count("pk", filter=indicator.numerator & indicator.denominator)
            aggregates[f"{indicator.key}__d"] = (
                Count("pk", filter=indicator.denominator) if indicator.denominator else Count("pk")
            )
        group = LEVEL_COMMUNE_FIELD[level]
        for row in rows_for(communes, day, area).order_by().values(group).annotate(**aggregates):
            figures = counts.setdefault(row[group], {})
            for indicator in indicators:
                figures[indicator.key] = [row[f"{indicator.key}__n"], row.get(f"{indicator.key}__d", 0)]
    targets = (
        AdmissionTarget.objects.filter(commune__in=communes, year=day.year)
        .order_by()
        .values("commune_id")
        .annotate(total=Sum("target"))
    )
    for row in targets:
        figures = counts.setdefault(row["commune_id"], {})
        figures.setdefault("admissions_vs_target", [0, 0])[1] = row["total"]
    return counts


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


def compute(unit, day, area=None, by_child=False):
    """The indicators JSON of indicators.md ("Machine-readable output")."""
    communes = unit_communes(unit, day)
    commune_ids = list(communes.values_list("pk", flat=True))
    per_commune = _per_commune(Commune.objects.filter(pk__in=commune_ids), day, area)
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


def numerator_rows(key, unit, day, area=None):
    """The records an indicator's numerator counts; len() == numerator."""
    indicator = INDICATOR_BY_KEY[key]
    rows = LEVEL_ROWS[indicator.level](unit_communes(unit, day), day, area)
    if indicator.level == "admission":
        return rows
    return rows.filter(indicator.numerator & indicator.denominator)


def denominator_rows(key, unit, day, area=None):
    indicator = INDICATOR_BY_KEY[key]
    rows = LEVEL_ROWS[indicator.level](unit_communes(unit, day), day, area)
    if indicator.level == "admission":
        return AdmissionTarget.objects.filter(commune__in=unit_communes(unit, day), year=day.year)
    return rows.filter(indicator.denominator)


class Coverage:
    """A hamlet's coverage status (for lists and the hamlet page)."""

    OWN_BRANCH = "own_branch"
    JOINT_ONLY = "joint_only"
    RESIDENTS_NO_BRANCH = "residents_no_branch"
    NOTHING = "nothing"


def hamlet_coverage(row):
    """Coverage status of a row of hamlet_rows()."""
    if row.served:
        return Coverage.OWN_BRANCH if row.served_by_own_branch else Coverage.JOINT_ONLY
    return Coverage.RESIDENTS_NO_BRANCH if row.has_resident else Coverage.NOTHING


def branch_risk_conditions(row):
    """Which at-risk conditions hold for a row of branch_rows()."""
    conditions = []
    if row.below_minimum:
        conditions.append("below_minimum")
    if row.risk_small_elderly:
        conditions.append("small_and_elderly")
    if row.risk_small_no_admission:
        conditions.append("small_and_no_admission")
    return conditions


__all__ = ["INDICATORS", "Member", "compute", "numerator_rows"]


class BadArgument(ValueError):
    """A bad --unit/--as-of/--area (unit=/as_of=/area= in the API); the
    message names the argument."""


def parse_arguments(*, unit, as_of, area=None):
    """(Unit, date, area) from the text arguments of the command and the API."""
    try:
        day = datetime.date.fromisoformat(as_of or "")
    except ValueError:
        raise BadArgument(f"as_of: ngày không hợp lệ “{as_of}” (cần YYYY-MM-DD).") from None
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
