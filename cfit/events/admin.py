from django.contrib import admin

from cfit.events.models import Event, Registration


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    readonly_fields = ["user", "created"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts", "capacity", "buyer_group", "working_group"]
    list_filter = ["buyer_group", "working_group"]
    inlines = [RegistrationInline]
