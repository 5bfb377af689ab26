from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EmailOptOut, Goal, MonthlySummary, SentEmail, Subscription, SummaryEvent


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


@admin.register(Subscription)
class SubscriptionAdmin(SimpleHistoryAdmin):
    """Leaders who receive the approved province summary by email (send_reminders)."""

    list_display = ["name", "email", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "email"]


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    """Addresses that stopped a kind of email through the link in it; deleting one sends again."""

    list_display = ["email", "kind", "at"]
    search_fields = ["email"]

    def has_add_permission(self, request):
        return False


@admin.register(SentEmail)
class SentEmailAdmin(admin.ModelAdmin):
    """What send_reminders sent (read-only)."""

    list_display = ["sent_at", "kind", "key", "recipient"]
    list_filter = ["kind"]
    search_fields = ["recipient", "key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
