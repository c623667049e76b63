"""The secretariat sees the conformance lists it imported (read-only: a list is imported, never edited,
with ``cfit duediligence load-smelters``). Suppliers' templates are read through the contract pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cfit.duediligence.models import SmelterList, SmelterStatus


class SmelterStatusInline(admin.TabularInline):
    model = SmelterStatus
    extra = 0
    can_delete = False
    readonly_fields = ["smelter_id", "name", "metal", "country", "status"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SmelterList)
class SmelterListAdmin(admin.ModelAdmin):
    list_display = ["version", "as_of", "filename", "imported_at", "imported_by"]
    readonly_fields = ["version", "as_of", "filename", "sha256", "source", "imported_by", "imported_at"]
    inlines = [SmelterStatusInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
