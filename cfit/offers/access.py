"""Permission-scoped getters for offers: only members of the tender's organisation reach them.

Offers are sealed until the tender's deadline for offers: before it, nobody (the buyer included) sees
what an offer holds, only how many arrived. ``check_opened`` guards every page and endpoint that shows
offer content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.accounts.permissions import Action
from cfit.offers.models import OfferLine, UploadLink
from cfit.tenders.access import get_tender_for_user
from cfit.tenders.actions import format_moment
from cfit.tenders.models import Tender


class OffersSealed(PermissionDenied):
    """Raised if offer content is asked for before the deadline for offers; a 403 with the message."""


def offers_opened(tender: Tender, at: datetime | None = None) -> bool:
    """Whether the deadline for offers has passed (a tender without one keeps its offers sealed)."""
    return tender.offers_deadline is not None and (at or timezone.now()) >= tender.offers_deadline


def offers_receiving(tender: Tender) -> bool:
    """Whether the tender receives offers and questions now: published, and before its deadline."""
    return (
        tender.status == Tender.Status.PUBLISHED
        and tender.offers_deadline is not None
        and timezone.now() < tender.offers_deadline
    )


def check_opened(tender: Tender) -> None:
    """Raise ``OffersSealed`` unless the tender's offers are open (its deadline for offers has passed)."""
    if offers_opened(tender):
        return
    if tender.offers_deadline is None:
        raise OffersSealed(_("Offers are sealed until the deadline for offers, which is not set."))
    raise OffersSealed(
        _("Offers are sealed until %(deadline)s.") % {"deadline": format_moment(tender.offers_deadline)}
    )


def get_line_for_user(user: Any, tender: Tender, line_pk: int) -> OfferLine:
    """A line of an offer of this tender; the tender itself was reached through its scoped getter."""
    line = OfferLine.objects.select_related("offer").filter(pk=line_pk, offer__tender=tender).first()
    if line is None:
        raise Http404
    return line


def get_tender_of_line(
    user: Any, tender_id: int, line_pk: int, *, edit: bool = False, action: Action = Action.OFFER_EVALUATE
) -> tuple[Tender, OfferLine]:
    tender = get_tender_for_user(user, tender_id, edit=edit, action=action)
    return tender, get_line_for_user(user, tender, line_pk)


def get_upload_link(token: str) -> UploadLink:
    """The supplier's own link: the secret token is the only key, and it reaches nothing else."""
    link = UploadLink.unscoped.select_related("tender", "offer").filter(token=token).first()
    if link is None or len(token) < 20:
        raise Http404
    return link
