from typing import Any

from django.contrib import admin

from cfit.pact.models import (
    BuyerGroup,
    DemandPublication,
    DemandPublicationFigure,
    GroupMembership,
    Signature,
    SignatureVolume,
    Statement,
    WorkingGroup,
    WorkingGroupDocument,
    WorkingGroupMember,
)


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created", "decided", "decided_by"]


@admin.register(BuyerGroup)
class BuyerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "scope", "country", "region", "language", "coordinator"]
    list_filter = ["scope", "country", "language"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["coordinator"]
    inlines = [GroupMembershipInline]


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "group", "state", "created", "decided"]
    list_filter = ["state", "group"]
    search_fields = ["organisation__name", "group__name"]
    autocomplete_fields = ["organisation", "group"]
    readonly_fields = ["created", "decided", "decided_by"]


class WorkingGroupMemberInline(admin.TabularInline):
    model = WorkingGroupMember
    extra = 0
    autocomplete_fields = ["organisation"]


class WorkingGroupDocumentInline(admin.TabularInline):
    model = WorkingGroupDocument
    extra = 0
    fields = ["title", "language", "url", "filename", "uploaded_by", "uploaded"]
    readonly_fields = ["filename", "uploaded_by", "uploaded"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "topic"]
    search_fields = ["name", "slug", "topic"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WorkingGroupMemberInline, WorkingGroupDocumentInline]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["slug", "working_group", "status", "published"]
    list_filter = ["status", "working_group"]
    search_fields = ["slug"]


class SignatureVolumeInline(admin.TabularInline):
    model = SignatureVolume
    extra = 0


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["organisation", "statement", "signed", "signed_by"]
    list_filter = ["statement"]
    search_fields = ["organisation__name", "statement__slug"]
    readonly_fields = ["signed", "signed_by"]
    inlines = [SignatureVolumeInline]


class DemandPublicationFigureInline(admin.TabularInline):
    model = DemandPublicationFigure
    extra = 0
    can_delete = False
    readonly_fields = ["code", "signatories", "units", "spend", "suppressed"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(DemandPublication)
class DemandPublicationAdmin(admin.ModelAdmin):
    """The published versions of a statement's collective demand, to read: they are written only by
    ``cfit.pact.demand.publish_demand`` (an edited version would break the steps' disclosure control)."""

    list_display = ["statement", "number", "published"]
    list_filter = ["statement"]
    readonly_fields = ["statement", "number", "published"]
    inlines = [DemandPublicationFigureInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
