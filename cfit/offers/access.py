"""Permission-scoped getters for offers: only members of the tender's organisation reach them."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cfit.offers.models import OfferLine, UploadLink
from cfit.tenders.access import get_tender_for_user
from cfit.tenders.models import Tender


def get_line_for_user(user: Any, tender: Tender, line_pk: int) -> OfferLine:
    """A line of an offer of this tender; the tender itself was reached through its scoped getter."""
    line = OfferLine.objects.select_related("offer").filter(pk=line_pk, offer__tender=tender).first()
    if line is None:
        raise Http404
    return line


def get_tender_of_line(
    user: Any, tender_id: int, line_pk: int, *, edit: bool = False
) -> tuple[Tender, OfferLine]:
    tender = get_tender_for_user(user, tender_id, edit=edit)
    return tender, get_line_for_user(user, tender, line_pk)


def get_upload_link(token: str) -> UploadLink:
    """The supplier's own link: the secret token is the only key, and it reaches nothing else."""
    link = UploadLink.unscoped.select_related("tender", "offer").filter(token=token).first()
    if link is None or len(token) < 20:
        raise Http404
    return link
