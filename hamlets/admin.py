"""Django admin: the administrators' tool for every registry record.

Search boxes ignore diacritics and case (they use the folded name columns).
Validation is the models' clean(), i.e. hamlets/rules.py, as everywhere else.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import models, rules


class FoldedSearchMixin:
    """Search the folded name (and the code) instead of icontains on raw text."""

    search_help_text = _("Tìm theo mã hoặc tên, không cần gõ dấu.")

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        by_code = queryset.filter(code__iexact=search_term.strip()) if hasattr(queryset.model, "code") else None
        by_name = queryset.search(search_term)
        if by_code is not None:
            return (by_name | by_code), False
        return by_name, False


class NoDeleteMixin:
    """Records of people are never hard-deleted (domain.md rule 8): a member
    leaves by ending the membership, a term by its end date."""

    def has_delete_permission(self, request, obj=None):
        return False


class ActiveOnTodayFilter(admin.SimpleListFilter):
    title = _("tình trạng hôm nay")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("đang hoạt động")), ("no", _("đã giải thể / kết thúc"))]

    def queryset(self, request, queryset):
        from coverage_site.lib.dates import today

        if self.value() == "yes":
            return queryset.active_on(today())
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.active_on(today()).values("pk"))
        return queryset


@admin.register(models.AreaType)
class AreaTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(models.Province)
class ProvinceAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "established_on", "dissolved_on"]
    list_filter = [ActiveOnTodayFilter]
    search_fields = ["code"]


@admin.register(models.District)
class DistrictAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "established_on", "dissolved_on"]
    list_filter = [ActiveOnTodayFilter]
    search_fields = ["code"]


@admin.register(models.Commune)
class CommuneAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "district", "province", "established_on", "dissolved_on"]
    list_filter = [ActiveOnTodayFilter, "province", "district"]
    list_select_related = ["district", "province"]
    search_fields = ["code"]


@admin.register(models.Hamlet)
class HamletAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "commune", "established_on", "dissolved_on"]
    list_filter = [ActiveOnTodayFilter, "kind", "area_types", "commune__district"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]
    filter_horizontal = ["area_types"]
    search_fields = ["code"]


class BranchAdminForm(forms.ModelForm):
    class Meta:
        model = models.Branch
        fields = ["code", "name", "commune", "hamlets", "established_on", "dissolved_on"]

    def clean(self):
        cleaned = super().clean()
        hamlets = cleaned.get("hamlets")
        if hamlets is not None and cleaned.get("commune") is not None:
            self.instance.commune = cleaned["commune"]
            for field, message in rules.branch_hamlet_errors(self.instance, list(hamlets.select_related("commune"))):
                self.add_error(field, message)
        return cleaned


class MembershipInline(NoDeleteMixin, admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["member"]
    fields = ["member", "joined_on", "left_on", "left_reason", "reinforcing"]


class SecretaryInline(NoDeleteMixin, admin.TabularInline):
    model = models.BranchSecretary
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(models.Branch)
class BranchAdmin(FoldedSearchMixin, admin.ModelAdmin):
    form = BranchAdminForm
    list_display = ["code", "name", "commune", "established_on", "dissolved_on"]
    list_filter = [ActiveOnTodayFilter, "commune__district"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune", "hamlets"]
    search_fields = ["code"]
    inlines = [SecretaryInline]


class MemberMembershipInline(NoDeleteMixin, admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["branch"]
    fields = ["branch", "joined_on", "left_on", "left_reason", "reinforcing"]


@admin.register(models.Member)
class MemberAdmin(NoDeleteMixin, FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "full_name", "gender", "birth_date", "residence_hamlet", "admitted_on", "official_on"]
    list_filter = ["gender", "residence_hamlet__commune__district"]
    list_select_related = ["residence_hamlet"]
    autocomplete_fields = ["residence_hamlet"]
    search_fields = ["code"]
    inlines = [MemberMembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["member", "branch", "joined_on", "left_on", "left_reason", "reinforcing"]
    list_filter = ["left_reason", "reinforcing"]
    list_select_related = ["member", "branch"]
    autocomplete_fields = ["member", "branch"]
    search_fields = ["member__code", "member__name_folded", "branch__code"]


@admin.register(models.BranchSecretary)
class BranchSecretaryAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["branch", "member", "start_on", "end_on"]
    list_select_related = ["branch", "member"]
    autocomplete_fields = ["branch", "member"]
    search_fields = ["branch__code", "member__code", "member__name_folded"]


@admin.register(models.VillageHead)
class VillageHeadAdmin(NoDeleteMixin, FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "full_name", "hamlet", "member", "trained_on", "term_start", "term_end"]
    list_filter = ["hamlet__commune__district"]
    list_select_related = ["hamlet", "member"]
    autocomplete_fields = ["hamlet", "member"]
    search_fields = ["code"]


@admin.register(models.AdmissionTarget)
class AdmissionTargetAdmin(admin.ModelAdmin):
    list_display = ["commune", "year", "target"]
    list_filter = ["year"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]


@admin.register(models.BranchRating)
class BranchRatingAdmin(admin.ModelAdmin):
    list_display = ["branch", "year", "rating"]
    list_filter = ["year", "rating"]
    list_select_related = ["branch"]
    autocomplete_fields = ["branch"]


@admin.register(models.Candidate)
class CandidateAdmin(NoDeleteMixin, FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "full_name", "hamlet", "identified_on", "status"]
    list_filter = ["status"]
    list_select_related = ["hamlet"]
    autocomplete_fields = ["hamlet", "member"]
    search_fields = ["code"]


@admin.register(models.Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "district", "commune"]
    list_filter = ["role", "province"]
    list_select_related = ["user", "province", "district", "commune"]
    autocomplete_fields = ["province", "district", "commune"]
