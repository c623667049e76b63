from __future__ import annotations

from django.contrib import admin

from cfit.learning.models import (
    Event,
    EventMaterial,
    Guide,
    GuideCriterion,
    GuideTranslation,
    GuideVersion,
    Registration,
)


class GuideCriterionInline(admin.TabularInline):
    model = GuideCriterion
    extra = 1


class GuideVersionInline(admin.StackedInline):
    model = GuideVersion
    extra = 0
    fields = ["number", "status", "title", "summary", "body", "change_note", "published_at"]
    readonly_fields = ["published_at"]


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["slug", "kind", "created"]
    list_filter = ["kind", "product_groups"]
    search_fields = ["slug"]
    filter_horizontal = ["product_groups"]
    inlines = [GuideCriterionInline, GuideVersionInline]


@admin.register(GuideTranslation)
class GuideTranslationAdmin(admin.ModelAdmin):
    list_display = ["version", "field", "language", "state", "reviewed_by", "reviewed_at"]
    list_filter = ["state", "language"]


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    readonly_fields = ["created"]


class MaterialInline(admin.TabularInline):
    model = EventMaterial
    extra = 0
    fields = ["title", "url", "filename", "uploaded"]
    readonly_fields = ["filename", "uploaded"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts", "buyer_group", "working_group", "capacity"]
    list_filter = ["buyer_group", "working_group"]
    search_fields = ["title"]
    inlines = [RegistrationInline, MaterialInline]
