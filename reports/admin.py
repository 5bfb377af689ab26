from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Goal, MonthlySummary, SummaryEvent


class SummaryEventInline(admin.TabularInline):
    model = SummaryEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "user", "at", "text"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(admin.ModelAdmin):
    """Read-only: the workflow (submit, approve, return, reopen) happens on the summary pages."""

    list_display = ["unit_name", "month", "status", "submitted_at", "approved_at"]
    list_filter = ["status", "unit_kind", "month"]
    search_fields = ["unit_name", "unit_code"]
    inlines = [SummaryEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    """Goals are data: administrators add the province's own and retire old ones
    (untick "đang theo dõi"); every change is kept in the history."""

    list_display = ["title", "measure", "direction", "level", "deadline", "unit_kind", "unit_code", "area", "active"]
    list_filter = ["active", "measure"]
    search_fields = ["title", "source"]
