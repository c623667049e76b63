from __future__ import annotations

from django.contrib import admin

from cfit.jobs.models import Job, WorkerBeat


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "key",
        "state",
        "stage",
        "progress",
        "attempts",
        "claimed_by",
        "heartbeat",
        "created",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["key", "claimed_by", "error"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(WorkerBeat)
class WorkerBeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen"]
