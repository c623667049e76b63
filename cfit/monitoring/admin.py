from django.contrib import admin

from cfit.monitoring.models import Aggregate, Campaign, Coverage, Report, ReportValue


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "group", "deadline", "status", "results_published"]
    list_filter = ["year", "status"]


class ReportValueInline(admin.TabularInline):
    model = ReportValue
    extra = 0
    fields = ["indicator", "key", "value", "text", "origin", "weight"]
    readonly_fields = ["weight"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "state", "shared_with_coordinator", "submitted", "decided"]
    list_filter = ["year", "state"]
    search_fields = ["organisation__name"]
    inlines = [ReportValueInline]


@admin.register(Aggregate)
class AggregateAdmin(admin.ModelAdmin):
    list_display = ["scope", "year", "indicator", "key", "value", "reporters", "prefilled", "estimated"]
    list_filter = ["scope", "year", "indicator"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # computed by the database; edit the reports instead


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = ["scope", "year", "members", "counted", "accepted", "users_served"]
