"""The secretariat keeps the pact's text here: a new version with the official wording and the date from
which it is offered. A signed version cannot be changed (``PactText.save``)."""

from __future__ import annotations

from django.contrib import admin

from cfit.joining.models import Application, PactText


@admin.register(PactText)
class PactTextAdmin(admin.ModelAdmin):
    list_display = ("version", "offered_from", "sha256")
    readonly_fields = ("sha256", "created")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("organisation_name", "type", "country", "state", "submitted")
    list_filter = ("state", "type")
    readonly_fields = ("pact_version", "pact_sha256")
