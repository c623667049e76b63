"""Permission-scoped getters: the only way views and the API reach data centres and their reports.

Who sees what:
- the provider's members (the supplier organisation that owns the facility) see and, in an editing
  role, file its reports;
- a buyer's members see the reports of a facility linked to a lot of one of the buyer's tenders
  (``FacilityLot``, set by the buyer with the facility code the provider gave it), read only;
- nobody else: a facility they may not see answers 404, never revealing that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cfit.accounts.access import get_organisation_for
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.permissions import Action, may
from cfit.accounts.scoping import organisation_ids_for
from cfit.datacentres.models import Facility, FacilityLot
from cfit.tenders.models import Lot


@dataclass(frozen=True)
class FacilityAccess:
    facility: Facility
    is_provider: bool  #: a member of the provider (else a buyer through a linked lot)
    can_file: bool


def _buyer_lot_links(user: Any) -> QuerySet[FacilityLot]:
    """The links of lots of tenders owned by the user's organisations."""
    return FacilityLot.objects.filter(lot__tender__organisation_id__in=organisation_ids_for(user))


def facilities_for_user(user: Any) -> tuple[list[Facility], list[Facility]]:
    """(the facilities of the user's provider organisations, the facilities linked to its tenders' lots)."""
    if not user.is_authenticated:
        return [], []
    own_ids = organisation_ids_for(user)
    own = list(Facility.unscoped.filter(organisation_id__in=own_ids).select_related("organisation"))
    linked = list(
        Facility.unscoped.filter(lot_links__in=_buyer_lot_links(user))
        .exclude(organisation_id__in=own_ids)
        .select_related("organisation")
        .distinct()
    )
    return own, linked


def get_facility_for_user(user: Any, facility_id: int | str, *, file: bool = False) -> FacilityAccess:
    """The facility if the user may see it (404 otherwise); ``file`` needs an editing role of the provider (403)."""
    if not user.is_authenticated or not str(facility_id).isdigit():
        raise Http404
    facility = Facility.unscoped.select_related("organisation").filter(pk=int(facility_id)).first()
    if facility is None:
        raise Http404
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation=facility.organisation)
        .first()
    )
    if membership is not None:
        can_file = may(membership, Action.DATACENTRE_REPORT_FILE)
        if file and not can_file:
            raise PermissionDenied
        return FacilityAccess(facility, True, can_file)
    if _buyer_lot_links(user).filter(facility=facility).exists():
        if file:
            raise PermissionDenied
        return FacilityAccess(facility, False, False)
    raise Http404


def provider_for_filing(user: Any, organisation_slug: str) -> Organisation:
    """A provider organisation the user may file for (404 if not a member, 403 in a reading role)."""
    return get_organisation_for(user, organisation_slug, Action.DATACENTRE_REPORT_FILE)


def linked_lots_for_user(user: Any, facility: Facility) -> list[Lot]:
    """The lots of the user's own tenders that this facility is linked to (a provider sees none of them)."""
    return list(
        Lot.objects.filter(facility_links__in=_buyer_lot_links(user).filter(facility=facility))
        .select_related("tender")
        .prefetch_related("lot_criteria__criterion__requirements")
        .order_by("tender_id", "number")
    )


def readers_of(facility: Facility) -> list[FacilityLot]:
    """For the facility's provider: which buyers read its reports, through which lot of which tender.

    The provider gave its code so that a buyer links the facility; it is told who did, never more of
    the buyer's tender than its reference and the lot's number."""
    return list(
        FacilityLot.objects.filter(facility=facility)
        .select_related("lot__tender__organisation")
        .order_by("lot__tender__organisation__name", "lot__tender__reference", "lot__number")
    )
