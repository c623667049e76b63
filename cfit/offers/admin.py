from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cfit.offers.models import Offer, OfferLine, ResultOverride, UploadLink


class OfferLineInline(admin.TabularInline):
    model = OfferLine
    extra = 0
    fields = ("lot", "line_id", "manufacturer", "model", "quantity", "unit_price")
    readonly_fields = fields
    show_change_link = True


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("supplier", "tender", "organisation", "via", "line_count", "submitted")
    list_filter = ("via",)
    search_fields = ("supplier", "tender__reference")
    readonly_fields = ("submitted",)
    inlines = [OfferLineInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offer]:
        return Offer.unscoped.select_related("tender", "organisation")


@admin.register(ResultOverride)
class ResultOverrideAdmin(admin.ModelAdmin):
    """The audit trail: read only, never edited or deleted."""

    list_display = ("line", "requirement", "decision", "decided_by", "decided_at")
    readonly_fields = ("line", "requirement", "decision", "justification", "decided_by", "decided_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ResultOverride | None = None) -> bool:
        return False


@admin.register(UploadLink)
class UploadLinkAdmin(admin.ModelAdmin):
    list_display = ("supplier", "tender", "expires_at", "offer")
    readonly_fields = ("token",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[UploadLink]:
        return UploadLink.unscoped.select_related("tender")
