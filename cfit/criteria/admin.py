"""The admin for the secretariat: drafts are editable, published versions are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import system_scope
from cfit.criteria import actions
from cfit.criteria.models import (
    Criterion,
    FieldChange,
    FieldTranslation,
    FrameworkVersion,
    Label,
    ProductGroup,
    Requirement,
    Shortlist,
    VersionEvent,
)


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "status", "published_at", "based_on"]
    list_filter = ["status"]
    readonly_fields = [
        "status",
        "release_notes",
        "last_edited_by",
        "submitted_by",
        "approved_by",
        "approved_at",
        "unreviewed_accepted_reason",
        "published_at",
        "published_by",
        "changelog",
        "fingerprint",
        "based_on",
    ]
    actions = ["make_draft", "publish"]

    def has_change_permission(self, request: HttpRequest, obj: FrameworkVersion | None = None) -> bool:
        # A published version never changes, not even its note; review steps go through the version page.
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=_("Make a draft from the selected version"))
    def make_draft(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            draft = actions.create_draft(version, acting_user=request.user)
            self.message_user(request, _("Draft %(code)s created.") % {"code": draft.code})

    @admin.action(description=_("Publish the selected approved versions"))
    def publish(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            if version.is_published:
                self.message_user(
                    request, _("%(code)s is already published.") % {"code": version.code}, messages.WARNING
                )
                continue
            try:
                actions.publish_version(version, acting_user=request.user)
            except actions.ReviewError as error:
                self.message_user(request, f"{version.code}: {error}", messages.WARNING)
            else:
                self.message_user(request, _("%(code)s published.") % {"code": version.code})


class RequirementInline(admin.StackedInline):
    model = Requirement
    extra = 0
    filter_horizontal = ["satisfied_by_labels"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "impact_category", "lifecycle_stage", "type", "ambition"]
    list_filter = ["version", "impact_category", "lifecycle_stage", "type", "ambition", "product_groups"]
    search_fields = ["code", "topic"]
    filter_horizontal = ["product_groups", "strategies", "verification_labels"]
    inlines = [RequirementInline]

    def has_change_permission(self, request: HttpRequest, obj: Criterion | None = None) -> bool:
        if obj is not None and not obj.version.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Criterion | None = None) -> bool:
        if obj is not None and not obj.version.is_editable:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "cpv", "position"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "issuer"]
    search_fields = ["code", "name"]


@admin.register(Shortlist)
class ShortlistAdmin(admin.ModelAdmin):
    """Pact-wide view for support staff; uses the unscoped manager on purpose."""

    list_display = ["name", "organisation", "created"]

    def get_queryset(self, request: HttpRequest) -> Any:
        with system_scope():
            return Shortlist.unscoped.select_related("organisation")


class _ReadOnly(admin.ModelAdmin):
    """The review trail is written by the actions only: the admin reads it, never edits it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FieldChange)
class FieldChangeAdmin(_ReadOnly):
    list_display = ["version", "criterion_code", "field", "language", "changed_by", "changed_at"]
    list_filter = ["version"]
    search_fields = ["criterion_code"]


@admin.register(FieldTranslation)
class FieldTranslationAdmin(_ReadOnly):
    list_display = ["version", "criterion_code", "field", "language", "state", "reviewed_by"]
    list_filter = ["version", "state", "language"]
    search_fields = ["criterion_code"]


@admin.register(VersionEvent)
class VersionEventAdmin(_ReadOnly):
    list_display = ["version", "kind", "user", "at"]
    list_filter = ["version", "kind"]
