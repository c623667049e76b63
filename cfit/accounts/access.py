"""Permission-scoped getters: the only way views reach an organisation's internal data.

What a role may do is read from the one table, ``cfit.accounts.permissions``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.permissions import Action, may, may_somewhere


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


def get_membership_for(user: Any, organisation_slug: str, action: Action) -> Membership:
    """The user's membership if its role may do ``action`` there; 404 for an outsider, 403 for a member
    whose role does not allow it."""
    membership = get_membership(user, organisation_slug)
    if not may(membership, action):
        raise PermissionDenied(
            _("Your role (%(role)s) does not allow this here.") % {"role": membership.get_role_display()}
        )
    return membership


def get_organisation_for(user: Any, organisation_slug: str, action: Action) -> Organisation:
    """The organisation if the user's role there may do ``action``; 403 for another role, 404 for an outsider."""
    return get_membership_for(user, organisation_slug, action).organisation


def organisation_name_for(user: Any, organisation_slug: str) -> str | None:
    """The organisation's name if the user may see it (an organisation on the public list of
    participants and supporters, or one the user belongs to), else None, as for no such organisation.
    For messages that would otherwise name an organisation by its slug, an internal name."""
    visible = Organisation.objects.filter(slug=organisation_slug).exclude(type=Organisation.Type.SECRETARIAT)
    if user.is_authenticated:
        visible = visible | Organisation.objects.filter(slug=organisation_slug, memberships__user=user)
    return visible.values_list("name", flat=True).first()


def is_secretariat_staff(user: Any) -> bool:
    """Secretariat staff (and superusers) maintain the criteria framework: the secretariat's
    administrators and procurers, not its asset managers (see the permission table)."""
    return may_somewhere(user, Action.FRAMEWORK_EDIT)
