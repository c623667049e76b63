"""Permission-scoped getters: the only way views reach an organisation's register."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cfit.accounts.access import get_membership
from cfit.accounts.models import Organisation
from cfit.accounts.permissions import Action, may
from cfit.fleet.actions import KEY_BATCH
from cfit.fleet.models import Asset, AssetImport, DisposalReport


def get_fleet_owner(user: Any, organisation_slug: str, *, edit: bool = False) -> Organisation:
    """The organisation if the user is a member (404 otherwise, not revealing that it exists);
    ``edit`` also needs a role that may import the register (``register.import``: 403)."""
    membership = get_membership(user, organisation_slug)
    if edit and not may(membership, Action.REGISTER_IMPORT):
        raise PermissionDenied
    return membership.organisation


def can_edit_register(user: Any, organisation: Organisation) -> bool:
    return may(user, Action.REGISTER_IMPORT, organisation)


def get_asset_for_user(user: Any, organisation_slug: str, asset_id: int, *, edit: bool = False) -> Asset:
    organisation = get_fleet_owner(user, organisation_slug, edit=edit)
    asset = Asset.objects.filter(organisation=organisation, pk=asset_id).first()
    if asset is None:
        raise Http404
    return asset


def get_assets_by_key(
    user: Any, organisation_slug: str, keys: Sequence[str], *, edit: bool = False
) -> tuple[QuerySet[Asset], list[str]]:
    """The organisation's lines with these asset keys (a queryset, for the batch action to lock), and
    the keys it does not hold, in the order given: another organisation's key is as unknown as a key
    nobody holds, and nothing tells them apart."""
    organisation = get_fleet_owner(user, organisation_slug, edit=edit)
    held: set[str] = set()
    for start in range(0, len(keys), KEY_BATCH):
        held.update(
            Asset.objects.of_organisation(organisation)
            .filter(asset_key__in=keys[start : start + KEY_BATCH])
            .values_list("asset_key", flat=True)
        )
    lines = Asset.objects.of_organisation(organisation).filter(asset_key__in=sorted(held))
    return lines, [key for key in keys if key not in held]


def get_import_for_user(
    user: Any, organisation_slug: str, import_id: int, *, edit: bool = False
) -> AssetImport:
    organisation = get_fleet_owner(user, organisation_slug, edit=edit)
    record = AssetImport.objects.filter(organisation=organisation, pk=import_id).first()
    if record is None:
        raise Http404
    return record


def get_disposal_report_for_user(
    user: Any, organisation_slug: str, report_id: int, *, edit: bool = False
) -> DisposalReport:
    organisation = get_fleet_owner(user, organisation_slug, edit=edit)
    report = (
        DisposalReport.objects.filter(organisation=organisation, pk=report_id)
        .select_related("created_by", "applied_by")
        .first()
    )
    if report is None:
        raise Http404
    return report
