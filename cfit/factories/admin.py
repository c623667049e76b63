from __future__ import annotations

from django.contrib import admin

from cfit.factories.models import DisclosedProduct, Factory, SharingConsent


@admin.register(Factory)
class FactoryAdmin(admin.ModelAdmin):
    """The secretariat corrects a factory's name, address or Open Supply Hub id for every supplier."""

    list_display = ("name", "country", "os_id", "created")
    list_filter = ("country",)
    search_fields = ("name", "address", "os_id")

    def save_model(self, request: object, obj: Factory, form: object, change: bool) -> None:
        from cfit.factories.core import factory_key

        obj.name_key = factory_key(obj.name)
        super().save_model(request, obj, form, change)  # type: ignore[arg-type]


@admin.register(DisclosedProduct)
class DisclosedProductAdmin(admin.ModelAdmin):
    list_display = ("manufacturer", "model", "factory", "kind", "supplier", "disclosed_at")
    list_filter = ("kind",)
    search_fields = ("manufacturer", "model", "factory__name")
    list_select_related = ("factory", "supplier")


@admin.register(SharingConsent)
class SharingConsentAdmin(admin.ModelAdmin):
    list_display = ("organisation", "agreed", "changed_by", "changed_at")
    readonly_fields = ("organisation", "agreed", "changed_by", "changed_at")

    def has_add_permission(self, request: object) -> bool:
        return False
