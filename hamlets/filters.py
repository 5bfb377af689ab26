"""List filters. Every FilterSet is narrowed to what the request's user may see,
including the choices of its dropdowns."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms import ModelChoiceField
from django.utils.translation import gettext_lazy as _

from coverage_site.lib.dates import today, validate_in_range

from . import models
from .forms import in_vietnamese_order
from .placement import ever_under_q
from .querysets import SPECIAL_AREA

DATE_INPUT = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}, format="%d/%m/%Y")


class ScopedFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm (không cần dấu)"), method="filter_search")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        if "province" in self.filters:
            self.province_choices(user)
        if "commune" in self.filters:
            self.filters["commune"].queryset = self.commune_choices(models.Commune.objects.visible_to(user))
        if "branch" in self.filters:
            self.filters["branch"].queryset = self.branch_choices(models.Branch.objects.visible_to(user))
        for field in self.form.fields.values():
            if isinstance(field, ModelChoiceField):
                in_vietnamese_order(field)
        for name in ("commune", "branch"):
            if getattr(self, f"{name}_label", None):
                self.form.fields[name].empty_label = getattr(self, f"{name}_label")

    def province_choices(self, user):
        """The provinces the user sees, when there are several (one province
        installed, or a province's own staff: no province filter at all)."""
        from reports.indicators import several_provinces

        from .permissions import visible_communes

        provinces = models.Province.objects.none()
        if several_provinces():
            communes = visible_communes(user)
            was_in = models.ParentChange.objects.filter(old_province=OuterRef("pk"), commune__in=communes)
            provinces = models.Province.objects.filter(Q(pk__in=communes.values("province_id")) | Exists(was_in))
        if provinces.count() < 2:
            del self.filters["province"]
        else:
            self.filters["province"].queryset = provinces

    # A country's 3,321 communes as one drop-down made a list page 0.3 MB and
    # nobody can pick from them: with several provinces in sight, beyond this
    # many communes, they are offered once a province is chosen.
    COMMUNE_CHOICES_LIMIT = 500

    def commune_choices(self, communes):
        if "province" not in self.filters:
            return communes
        province = self.data.get("province")
        if province and str(province).isdigit():
            # Every commune that was ever in the province (its predecessors' past included).
            return communes.filter(ever_under_q("commune_province", [int(province)]))
        if self.data.get("commune"):
            return communes  # a commune asked for directly (a link, a typed address) stays valid
        if communes.order_by()[: self.COMMUNE_CHOICES_LIMIT + 1].count() > self.COMMUNE_CHOICES_LIMIT:
            self.commune_label = _("— chọn tỉnh trước —")
            return communes.none()
        return communes

    # A province has 4,000 branches: as one drop-down they made a list page
    # 225 KB and 0.2 s, and nobody can pick from them. Beyond this many, the
    # branches are offered once a commune is chosen.
    BRANCH_CHOICES_LIMIT = 300

    def branch_choices(self, branches):
        commune = self.data.get("commune") if "commune" in self.filters else None
        if commune and str(commune).isdigit():
            return branches.filter(commune_id=int(commune))
        if self.data.get("branch") or "commune" not in self.filters:
            return branches  # a branch asked for directly (a link, a typed address) stays valid
        if branches.order_by()[: self.BRANCH_CHOICES_LIMIT + 1].count() > self.BRANCH_CHOICES_LIMIT:  # stops early
            self.branch_label = _("— chọn xã trước —")
            return branches.none()
        return branches

    def filter_search(self, queryset, name, value):
        by_code = queryset.filter(code__iexact=value.strip())
        return (queryset.search(value) | by_code).best_matches_first(value)

    def as_of(self):
        """The date of "active on" and of status filters: the chosen one or today."""
        form = self.form
        if form.is_valid() and form.cleaned_data.get("active_on"):
            return form.cleaned_data["active_on"]
        return today()


def active_on_filter():
    return django_filters.DateFilter(
        label=_("Đang hoạt động ngày"), method="filter_active_on", widget=DATE_INPUT, validators=[validate_in_range]
    )


def province_filter():
    """Shown with several provinces in sight only (ScopedFilterSet.province_choices)."""
    return django_filters.ModelChoiceFilter(
        label=_("Tỉnh"), queryset=models.Province.objects.none(), method="filter_province"
    )


class ActiveOnMixin:
    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class DatedParentMixin:
    """The commune (district) filter keeps the records whose parent on the
    list's date (the "active on" date, else today) is the one chosen: a
    hamlet that moved in 2025 is listed under its old commune for 2020."""

    placement_kind = None  # "hamlet", "branch" or "commune"

    def filter_parent(self, queryset, name, value, kind=None):
        return self._under_on_day(queryset, kind or self.placement_kind, {value.pk})

    def filter_province(self, queryset, name, value):
        """The records whose commune, on the list's date, was in the province then."""
        communes = self._under_on_day(models.Commune.objects.all(), "commune_province", {value.pk})
        if self.placement_kind == "commune":
            return queryset.filter(pk__in=communes)
        return self._under_on_day(queryset, self.placement_kind, set(communes.values_list("pk", flat=True)))

    def _under_on_day(self, queryset, kind, parent_pks):
        from .placement import Placement

        day = self.as_of()
        candidates = queryset.filter(ever_under_q(kind, list(parent_pks)))
        placement = Placement.of(candidates, kind)
        return queryset.filter(pk__in=[pk for pk in placement.current if placement.at(pk, day) in parent_pks])


class CommuneFilter(DatedParentMixin, ActiveOnMixin, ScopedFilterSet):
    placement_kind = "commune"
    province = province_filter()
    district = django_filters.ModelChoiceFilter(
        label=_("Huyện"), queryset=models.District.objects.all(), method="filter_parent"
    )
    active_on = active_on_filter()

    class Meta:
        model = models.Commune
        fields = ["q", "province", "district", "active_on"]


class HamletFilter(DatedParentMixin, ActiveOnMixin, ScopedFilterSet):
    placement_kind = "hamlet"
    province = province_filter()
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã"), queryset=models.Commune.objects.none(), method="filter_parent"
    )
    area = django_filters.ChoiceFilter(label=_("Vùng đặc thù"), method="filter_area", choices=[])
    kind = django_filters.ChoiceFilter(label=_("Loại"), choices=models.Hamlet.Kind.choices)
    active_on = active_on_filter()
    coverage = django_filters.ChoiceFilter(
        label=_("Tình trạng chi bộ"),
        method="filter_coverage",
        choices=[
            ("own_branch", _("có chi bộ riêng")),
            ("joint_only", _("chỉ sinh hoạt chi bộ ghép")),
            ("no_branch", _("chưa có chi bộ")),
            ("residents_no_branch", _("chưa có chi bộ, có đảng viên tại chỗ")),
            ("nothing", _("chưa có chi bộ, chưa có đảng viên")),
        ],
    )

    class Meta:
        model = models.Hamlet
        fields = ["q", "province", "commune", "area", "kind", "active_on", "coverage"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["area"].extra["choices"] = [(SPECIAL_AREA, _("mọi vùng đặc thù"))] + [
            (a.code, a.name) for a in models.AreaType.objects.order_by("name")
        ]

    def filter_area(self, queryset, name, value):
        return queryset.in_area(value)

    def filter_coverage(self, queryset, name, value):
        from reports.indicators import hamlet_coverage_ids

        return queryset.filter(pk__in=hamlet_coverage_ids(queryset, self.as_of(), value))


class BranchFilter(DatedParentMixin, ActiveOnMixin, ScopedFilterSet):
    placement_kind = "branch"
    province = province_filter()
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã"), queryset=models.Commune.objects.none(), method="filter_parent"
    )
    active_on = active_on_filter()
    risk = django_filters.ChoiceFilter(
        label=_("Nguy cơ"),
        method="filter_risk",
        choices=[("at_risk", _("có nguy cơ")), ("safe", _("không có nguy cơ")), ("no_secretary", _("chưa có bí thư"))],
    )

    class Meta:
        model = models.Branch
        fields = ["q", "province", "commune", "active_on", "risk"]

    def filter_risk(self, queryset, name, value):
        from reports.indicators import branch_state_ids

        return queryset.filter(pk__in=branch_state_ids(queryset, self.as_of(), value))


class MemberFilter(ScopedFilterSet):
    province = province_filter()
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã"), queryset=models.Commune.objects.none(), method="filter_commune"
    )
    branch = django_filters.ModelChoiceFilter(
        label=_("Chi bộ"), queryset=models.Branch.objects.none(), method="filter_branch"
    )
    active_on = django_filters.DateFilter(
        label=_("Đang sinh hoạt ngày"), method="filter_active_on", widget=DATE_INPUT, validators=[validate_in_range]
    )
    status = django_filters.ChoiceFilter(
        label=_("Đảng viên"),
        method="filter_status",
        choices=[("full", _("chính thức")), ("probationary", _("dự bị")), ("left", _("đã thôi sinh hoạt"))],
    )

    class Meta:
        model = models.Member
        fields = ["q", "province", "commune", "branch", "active_on", "status"]

    def filter_province(self, queryset, name, value):
        """Members of any commune that was ever in the province (as the commune filter: ever)."""
        return queryset.in_communes(models.Commune.objects.filter(ever_under_q("commune_province", [value.pk])))

    def filter_commune(self, queryset, name, value):
        return queryset.in_communes(models.Commune.objects.filter(pk=value.pk))

    def filter_branch(self, queryset, name, value):
        return queryset.filter(Exists(models.Membership.objects.filter(member_id=OuterRef("pk"), branch=value)))

    def filter_active_on(self, queryset, name, value):
        active = models.Membership.objects.active_on(value).filter(member_id=OuterRef("pk"))
        return queryset.filter(Exists(active))

    def filter_status(self, queryset, name, value):
        day = self.as_of()
        active = Exists(models.Membership.objects.active_on(day).filter(member_id=OuterRef("pk")))
        if value == "left":
            return queryset.exclude(active)
        from reports.indicators import full_q

        full = full_q(day, prefix="")
        return queryset.filter(active).filter(full if value == "full" else ~full)


class VillageHeadFilter(ActiveOnMixin, ScopedFilterSet):
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã"), queryset=models.Commune.objects.none(), field_name="hamlet__commune"
    )
    active_on = active_on_filter()
    member = django_filters.BooleanFilter(
        label=_("Gắn hồ sơ đảng viên"), field_name="member", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = models.VillageHead
        fields = ["q", "commune", "active_on", "member"]


class CandidateFilter(ScopedFilterSet):
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã"), queryset=models.Commune.objects.none(), field_name="hamlet__commune"
    )
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=models.Candidate.Status.choices)

    class Meta:
        model = models.Candidate
        fields = ["q", "commune", "status"]


class AdmissionTargetFilter(django_filters.FilterSet):
    commune = django_filters.ModelChoiceFilter(label=_("Xã"), queryset=models.Commune.objects.none())
    year = django_filters.NumberFilter(label=_("Năm"))

    class Meta:
        model = models.AdmissionTarget
        fields = ["commune", "year"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["commune"].queryset = models.Commune.objects.visible_to(request.user).order_by("name")


class BranchRatingFilter(django_filters.FilterSet):
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã"), queryset=models.Commune.objects.none(), field_name="branch__commune"
    )
    year = django_filters.NumberFilter(label=_("Năm"))
    rating = django_filters.ChoiceFilter(label=_("Xếp loại"), choices=models.BranchRating.Rating.choices)

    class Meta:
        model = models.BranchRating
        fields = ["commune", "year", "rating"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["commune"].queryset = models.Commune.objects.visible_to(request.user).order_by("name")
