"""Permission-scoped getters: the only way views reach an organisation's internal data."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cfit.accounts.models import Membership, Organisation


def get_membership(user: Any, organisation_slug: str) -> Membership:
    """The user's membership of the organisation, or 404 (also for outsiders: existence is not revealed)."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("organisation").get(
            user=user, organisation__slug=organisation_slug
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def get_organisation_for_member(user: Any, organisation_slug: str) -> Organisation:
    return get_membership(user, organisation_slug).organisation


def is_secretariat_staff(user: Any) -> bool:
    """Secretariat members (and superusers) maintain the criteria framework."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organisation__type=Organisation.Type.SECRETARIAT, role__in=Membership.EDITING_ROLES
    ).exists()
