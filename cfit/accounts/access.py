"""Permission-scoped getters: the only way views reach an organisation's internal data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

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


def get_organisation_for_editor(user: Any, organisation_slug: str) -> Organisation:
    """The organisation if the user may change what it owns; 403 for a viewer, 404 for an outsider."""
    membership = get_membership(user, organisation_slug)
    if not membership.can_edit:
        raise PermissionDenied(
            _("Your role (%(role)s) only reads.") % {"role": membership.get_role_display()}
        )
    return membership.organisation


def editing_memberships(user: Any) -> QuerySet[Membership]:
    """The user's memberships in a role that may change what the organisation owns."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, role__in=Membership.EDITING_ROLES).select_related(
        "organisation"
    )


def is_secretariat_staff(user: Any) -> bool:
    """Secretariat members (and superusers) maintain the criteria framework."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organisation__type=Organisation.Type.SECRETARIAT, role__in=Membership.EDITING_ROLES
    ).exists()
