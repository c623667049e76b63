"""Permission-scoped getters: the only way views reach an organisation's cloud usage."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cfit.accounts.models import Organisation
from cfit.cloud.models import CloudUsage
from cfit.fleet.access import can_edit_register, get_fleet_owner


def get_cloud_owner(user: Any, organisation_slug: str, *, edit: bool = False) -> Organisation:
    """The organisation if the user is a member (404 otherwise); ``edit`` needs the register's
    ``register.import`` (403 otherwise): cloud use is part of the same footprint as the fleet."""
    return get_fleet_owner(user, organisation_slug, edit=edit)


def can_edit_cloud(user: Any, organisation: Organisation) -> bool:
    return can_edit_register(user, organisation)


def get_usage_for_user(user: Any, organisation_slug: str, usage_id: int, *, edit: bool = False) -> CloudUsage:
    organisation = get_cloud_owner(user, organisation_slug, edit=edit)
    usage = CloudUsage.unscoped.filter(organisation=organisation, pk=usage_id).first()
    if usage is None:
        raise Http404
    return usage
