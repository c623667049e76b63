"""Permission-scoped getters for tenders: only the owner organisation's members reach them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cfit.accounts.models import Membership, Organisation
from cfit.tenders.models import Tender

#: Roles that build tenders for their organisation (an asset manager keeps the register, a viewer reads).
TENDERING_ROLES = (Membership.Role.ADMIN, Membership.Role.PROCURER)


def get_tender_for_user(user: Any, tender_id: int | str, *, edit: bool = False) -> Tender:
    """The tender if the user is a member of its organisation (else 404); ``edit`` also needs an editing role."""
    if not user.is_authenticated or not str(tender_id).isdigit():
        raise Http404
    # The scoped manager already limits the search to the user's organisations.
    tender = (
        Tender.objects.select_related("organisation", "framework_version").filter(pk=int(tender_id)).first()
    )
    if tender is None:
        raise Http404
    if (
        edit
        and not Membership.objects.filter(
            user=user,
            organisation=tender.organisation,
            role__in=TENDERING_ROLES,
        ).exists()
    ):
        raise PermissionDenied
    return tender


def get_organisation_to_tender(user: Any, organisation_slug: str) -> Organisation:
    """The organisation if the user may create its tenders (admin or procurer); 404 for anyone else, so
    that the page and the API reveal nothing about organisations the user does not tender for."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.filter(user=user, organisation__slug=organisation_slug, role__in=TENDERING_ROLES)
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.organisation
