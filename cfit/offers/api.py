"""/api/v1/tenders/{id}/offers/: a tender's offers and their evaluation, for the owner organisation only.

Offers are sealed until the tender's deadline for offers: listing and evaluating answer 403 before it,
sending one answers 400 after it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cfit.accounts.permissions import Action
from cfit.accounts.tokens import API_AUTH
from cfit.offers import actions
from cfit.offers.access import OffersSealed, check_opened
from cfit.offers.evaluate import to_json
from cfit.offers.evaluation import evaluate_tender
from cfit.offers.models import Offer
from cfit.refusals import refusal_texts
from cfit.tenders.access import get_tender_for_user
from cfit.tenders.models import Tender
from cfit.uploads import MAX_IMPORT_BYTES, ImportRefused

router = Router(tags=["offers"], auth=API_AUTH)


class OfferIn(Schema):
    supplier: str
    replace: bool = False


class OfferOut(Schema):
    id: int
    supplier: str
    via: str
    filename: str
    line_count: int
    submitted: datetime


class ReceiptOut(Schema):
    """What a sender learns of its own offer before the deadline: that it arrived, and as which bytes."""

    id: int
    supplier: str
    via: str
    filename: str
    size: int
    sha256: str
    received_at: datetime


class EvaluationQuery(Schema):
    lines: bool = False


class OfferResultOut(Schema):
    offer: str
    eligible: bool
    lines: int
    life_cycle_cost: float
    price_points: float
    quality_points: float
    total: float | None
    rank: int
    criterion_points: dict[str, float]


class LotEvaluationOut(Schema):
    lot: int
    counts: dict[str, int]
    method: dict[str, Any]
    offers: list[OfferResultOut]
    lines: list[dict[str, Any]] | None = None


class EvaluationOut(Schema):
    tender_reference: str
    framework_version: str
    method_version: str
    evaluated_on: str
    lots: list[LotEvaluationOut]


def _offer_out(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "supplier": offer.supplier,
        "via": offer.via,
        "filename": offer.filename,
        "line_count": offer.line_count,
        "submitted": offer.submitted,
    }


def _opened(tender: Tender) -> None:
    try:
        check_opened(tender)
    except OffersSealed as error:
        raise HttpError(403, str(error)) from error


@router.get("/tenders/{tender_id}/offers/", response=list[OfferOut])
def list_offers(request: HttpRequest, tender_id: int) -> list[dict[str, Any]]:
    """The offers received; 403 until the deadline for offers has passed."""
    tender = get_tender_for_user(request.user, tender_id)
    _opened(tender)
    return [_offer_out(offer) for offer in Offer.objects.filter(tender=tender)]


class RefusedOut(Schema):
    # The API's one error body (cfit.apierrors): an offer file refused is ``refused`` as a register is,
    # though answered 400 (as it always was) where a register's is 422.
    code: str = "refused"
    detail: str
    problems: list[str] = []


def _refused(error: ImportRefused | actions.OfferError) -> Status:
    """400 in the request's language (Accept-Language): what refused the offer, and each problem of it."""
    if not isinstance(error, ImportRefused):
        return Status(400, {"code": "bad_request", "detail": str(error), "problems": []})
    problems = refusal_texts(error, "offers")
    summary = _("%(file)s: refused, %(count)s problem(s), nothing imported") % {
        "file": error.filename,
        "count": error.count,
    }
    # ``detail`` repeats the problems for clients that read only it, as the API did before ``problems``
    return Status(400, {"detail": "\n".join([summary, *problems]), "problems": problems})


@router.post("/tenders/{tender_id}/offers/", response={201: ReceiptOut, 400: RefusedOut})
def import_offer(
    request: HttpRequest, tender_id: int, payload: Form[OfferIn], file: File[UploadedFile]
) -> Status:
    """Send a filled response template (.xlsx) or its .csv/.json form before the deadline; all or nothing.

    The answer is the receipt: the SHA-256 of the exact bytes received and the time; the offer itself
    stays sealed until the deadline.
    """
    tender = get_tender_for_user(request.user, tender_id, edit=True, action=Action.OFFER_EVALUATE)
    if file.size and file.size > MAX_IMPORT_BYTES:
        raise HttpError(
            400,
            _("%(file)s: larger than %(size)s MB")
            % {"file": file.name, "size": MAX_IMPORT_BYTES // 1_000_000},
        )
    try:
        receipt = actions.import_offer(
            tender,
            file.read(),
            file.name or "offer",
            supplier=payload.supplier,
            acting_user=request.user,
            replace=payload.replace,
            via=Offer.Via.API,
        )
    except (ImportRefused, actions.OfferError) as error:
        return _refused(error)
    return Status(
        201,
        {
            "id": receipt.pk,
            "supplier": receipt.supplier,
            "via": receipt.via,
            "filename": receipt.filename,
            "size": receipt.size,
            "sha256": receipt.sha256,
            "received_at": receipt.received_at,
        },
    )


@router.get("/tenders/{tender_id}/offers/evaluation", response=EvaluationOut)
def evaluation(request: HttpRequest, tender_id: int, params: Query[EvaluationQuery]) -> dict[str, Any]:
    """Every offer checked and scored: per lot the ranking and, with ``lines=true``, each line's results."""
    tender = get_tender_for_user(request.user, tender_id)
    _opened(tender)
    result = evaluate_tender(tender)
    return to_json(result.spec, result.results, evaluated_on=timezone.localdate(), with_lines=params.lines)
