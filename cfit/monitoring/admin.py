from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cfit.monitoring import actions
from cfit.monitoring.models import (
    Aggregate,
    Campaign,
    Coverage,
    DisclosureRules,
    Publication,
    Reminder,
    Report,
    ReportValue,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "group", "deadline", "status", "results_published"]
    list_filter = ["year", "status"]
    # publishing is a decision with its record: made on the campaign's page, not here
    readonly_fields = ["results_published", "results_published_by"]


class ReportValueInline(admin.TabularInline):
    model = ReportValue
    extra = 0
    fields = ["indicator", "key", "value", "low", "high", "text", "origin", "method", "weight"]
    readonly_fields = ["weight", "method"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "state", "shared_with_coordinator", "submitted", "decided"]
    list_filter = ["year", "state"]
    search_fields = ["organisation__name"]
    inlines = [ReportValueInline]


@admin.register(Aggregate)
class AggregateAdmin(admin.ModelAdmin):
    list_display = [
        "scope", "year", "indicator", "key", "value", "low", "high", "reporters", "prefilled", "estimated",
        "suppression",
    ]  # fmt: skip
    list_filter = ["scope", "year", "indicator", "suppression"]

    def has_change_permission(self, request: HttpRequest, obj: Aggregate | None = None) -> bool:
        return False  # computed by the database; edit the reports instead


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = [
        "scope",
        "year",
        "members",
        "counted",
        "accepted",
        "users_served",
        "users_served_suppression",
    ]


@admin.register(DisclosureRules)
class DisclosureRulesAdmin(admin.ModelAdmin):
    """The pact's disclosure rules: saving applies them again to every stored figure."""

    list_display = ["__str__", "updated", "updated_by"]
    fields = ["min_reporters", "dominance_percent", "updated", "updated_by"]
    readonly_fields = ["updated", "updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DisclosureRules.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: DisclosureRules, form: Any, change: bool) -> None:
        """New rules come into force with the figures they decide, in a job (``monitoring.jobs``): at
        the pact's scale, checking every figure again takes longer than a page may."""
        job = actions.request_disclosure_rules(
            min_reporters=obj.min_reporters, dominance_percent=obj.dominance_percent, acting_user=request.user
        )
        obj.pk = DisclosureRules.SINGLETON
        if job.state != job.State.DONE:
            self.message_user(
                request,
                _("The new rules come into force once every figure is checked again (job %(job)s).")
                % {"job": job.pk},
            )

    def response_change(self, request: HttpRequest, obj: DisclosureRules) -> Any:
        # The stored rules are those in force (the new ones may still wait for their job): no
        # "changed successfully" message that would say otherwise.
        return self.response_post_save_change(request, obj)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """The audit trail of publishing: read only."""

    list_display = ["campaign", "action", "by", "at", "reported", "members", "suppressed", "cells"]
    list_filter = ["action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The reminders' outbox: what went out, what waits for another attempt and why."""

    list_display = ["report", "day", "attempts", "delivered", "cancelled", "next_attempt", "last_error"]
    list_filter = ["delivered", "cancelled"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
