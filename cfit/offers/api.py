"""/api/v1/tenders/{id}/offers/: a tender's offers and their evaluation, for the owner organisation only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from cfit.offers import actions
from cfit.offers.evaluate import to_json
from cfit.offers.evaluation import evaluate_tender
from cfit.offers.models import Offer
from cfit.tenders.access import get_tender_for_user
from cfit.uploads import MAX_IMPORT_BYTES, ImportRefused

router = Router(tags=["offers"], auth=django_auth)


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


@router.get("/tenders/{tender_id}/offers/", response=list[OfferOut])
def list_offers(request: HttpRequest, tender_id: int) -> list[dict[str, Any]]:
    tender = get_tender_for_user(request.user, tender_id)
    return [_offer_out(offer) for offer in Offer.objects.filter(tender=tender)]


@router.post("/tenders/{tender_id}/offers/", response={201: OfferOut})
def import_offer(
    request: HttpRequest, tender_id: int, payload: Form[OfferIn], file: File[UploadedFile]
) -> Status:
    """Upload a filled response template (.xlsx) or its .csv/.json form; all or nothing."""
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    if file.size and file.size > MAX_IMPORT_BYTES:
        raise HttpError(400, f"{file.name}: larger than {MAX_IMPORT_BYTES // 1_000_000} MB")
    try:
        offer = actions.import_offer(
            tender,
            file.read(),
            file.name or "offer",
            supplier=payload.supplier,
            user=request.user,
            replace=payload.replace,
        )
    except (ImportRefused, actions.OfferError) as error:
        raise HttpError(400, str(error)) from error
    return Status(201, _offer_out(offer))


@router.get("/tenders/{tender_id}/offers/evaluation", response=EvaluationOut)
def evaluation(request: HttpRequest, tender_id: int, params: Query[EvaluationQuery]) -> dict[str, Any]:
    """Every offer checked and scored: per lot the ranking and, with ``lines=true``, each line's results."""
    tender = get_tender_for_user(request.user, tender_id)
    result = evaluate_tender(tender)
    return to_json(result.spec, result.results, with_lines=params.lines)
