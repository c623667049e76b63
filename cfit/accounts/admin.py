from typing import Any

from django.contrib import admin

from cfit.accounts.models import FailedSignIn, Membership, Organisation, Profile


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "type", "users_served"]
    list_filter = ["type", "country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(FailedSignIn)
class FailedSignInAdmin(admin.ModelAdmin):
    """The failures counting against sign-in now (older ones are deleted); deleting rows unlocks early."""

    list_display = ["username", "address", "attempted"]
    search_fields = ["username", "address"]
    readonly_fields = ["username", "address", "attempted"]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
