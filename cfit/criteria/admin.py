"""The admin for the secretariat: drafts are editable, published versions are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import system_scope
from cfit.criteria import actions
from cfit.criteria.models import Criterion, FrameworkVersion, Label, ProductGroup, Requirement, Shortlist


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "status", "published_at", "based_on"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_at", "published_by", "changelog", "fingerprint", "based_on"]
    actions = ["make_draft", "publish"]

    @admin.action(description=_("Make a draft from the selected version"))
    def make_draft(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            draft = actions.create_draft(version)
            self.message_user(request, _("Draft %(code)s created.") % {"code": draft.code})

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            if version.is_published:
                self.message_user(
                    request, _("%(code)s is already published.") % {"code": version.code}, messages.WARNING
                )
            else:
                actions.publish_version(version, user=request.user)
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
        if obj is not None and obj.version.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Criterion | None = None) -> bool:
        if obj is not None and obj.version.is_published:
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
