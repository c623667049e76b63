from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cfit.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read only: a record is written by the action it describes and never changed afterwards."""

    list_display = ("at", "actor_name", "organisation", "action", "object_label")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_label", "reason")
    date_hierarchy = "at"
    list_select_related = ("organisation",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
