"""Every indicator, declared once: key, labels, definition, numerator and denominator; the at-risk thresholds."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Q,
)

from coverage_site.lib.dates import add_years


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
