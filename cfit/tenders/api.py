"""/api/v1/tenders/: the owner organisation's tenders, for integrators (session authentication)."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AwareDatetime

from cfit.accounts.permissions import Action
from cfit.accounts.tokens import API_AUTH
from cfit.downloads import attachment
from cfit.tenders import actions
from cfit.tenders.access import get_organisation_to_tender, get_tender_for_user
from cfit.tenders.eforms import NoticeError
from cfit.tenders.exports import FORMATS, filename
from cfit.tenders.models import (
    MAX_CONTRACT_MONTHS,
    MAX_LOT_QUANTITY,
    MAX_OFFER_VALIDITY_DAYS,
    MAX_SERVICE_LIFE_YEARS,
    Tender,
    TenderFrozen,
)

router = Router(tags=["tenders"], auth=API_AUTH)


class LotIn(Schema):
    product_group: str
    quantity: int = Field(1, ge=1, le=MAX_LOT_QUANTITY)
    estimated_value: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2, description="EUR")
    service_life_years: int = Field(5, ge=1, le=MAX_SERVICE_LIFE_YEARS)
    title: str = ""
    ambitions: dict[str, str] = Field(
        default_factory=dict, description="{impact category: baseline|ambitious}"
    )


class TenderIn(Schema):
    organisation: str = Field(description="Short name (slug) of your organisation")
    title: str = Field(min_length=1)
    reference: str = Field(min_length=1, max_length=64)
    language: str = Field("en", pattern="^(en|nl|fr|de|nb)$")
    procedure: str = Tender.Procedure.OPEN
    lots: list[LotIn] = Field(min_length=1)


class WeightsIn(Schema):
    price_weight: Decimal
    weights: dict[str, Decimal] = Field(description="{criterion id: points} for the lot's award criteria")


class CostsIn(Schema):
    energy_price: Decimal | None = Field(
        None, ge=0, max_digits=6, decimal_places=4, description="EUR per kWh"
    )
    maintenance_per_year: Decimal | None = Field(
        None, ge=0, max_digits=10, decimal_places=2, description="EUR per unit and year"
    )
    residual_value: Decimal | None = Field(
        None, ge=0, max_digits=10, decimal_places=2, description="EUR per unit at the end of the service life"
    )
    carbon_price: Decimal | None = Field(
        None, ge=0, max_digits=8, decimal_places=2, description="EUR per tonne CO2e; 0 leaves emissions out"
    )
    service_life_years: int | None = Field(None, ge=1, le=MAX_SERVICE_LIFE_YEARS)
    price_rule: str | None = Field(
        None,
        pattern="^(price|life_cycle_cost)$",
        description="price: unit price only; life_cycle_cost: price + energy + maintenance − residual (+ carbon)",
    )


class DeadlineIn(Schema):
    offers_deadline: AwareDatetime = Field(
        description="Offers are received until this moment and opened after it; ISO 8601 with its offset, "
        "in the future; a published tender's deadline can only be extended"
    )


class NoticeTermsIn(Schema):
    """The terms to answer; a term left out keeps its answer, a term sent as null is unanswered again.
    Codes as eForms writes them."""

    documents_url: str | None = Field(None, description="BT-15: where the procurement documents are read")
    submission_url: str | None = Field(None, description="BT-18: where offers are submitted")
    electronic_submission: Literal["required", "allowed", "not-allowed"] | None = Field(
        None, description="BT-17"
    )
    nonelectronic_justification: (
        Literal["tdf-non-av", "ipr-iss", "sp-of-eq", "phy-mod", "sen-info"] | None
    ) = Field(None, description="BT-19: why electronic submission is not allowed (only then)")
    nonelectronic_description: str | None = Field(
        None,
        description="BT-745: how offers are submitted otherwise (not where electronic submission is required)",
    )
    offer_validity_days: int | None = Field(
        None, ge=1, le=MAX_OFFER_VALIDITY_DAYS, description="BT-98: days an offer stays valid"
    )
    contract_months: int | None = Field(
        None, ge=1, le=MAX_CONTRACT_MONTHS, description="BT-36: each lot's contract, in months"
    )
    performance_place: Literal["buyer", "anyw-cou", "anyw-eea", "anyw"] | None = Field(
        None, description="BT-727: the buyer's address, or anywhere in its country, the EEA, anywhere"
    )
    framework_agreement: Literal["none", "fa-wo-rc", "fa-w-rc", "fa-mix"] | None = Field(
        None, description="BT-765"
    )
    framework_duration_justification: str | None = Field(
        None,
        description="BT-109: why a framework agreement runs beyond four years (Directive 2014/24/EU, Art. 33(1))",
    )
    eu_funded: bool | None = Field(None, description="BT-60")
    reserved_participation: Literal["none", "res-ws", "res-pub-ser"] | None = Field(None, description="BT-71")
    reserved_execution: bool | None = Field(None, description="BT-736")
    e_invoicing: Literal["required", "allowed", "not-allowed"] | None = Field(None, description="BT-743")
    e_catalogue: Literal["required", "allowed", "not-allowed"] | None = Field(None, description="BT-764")
    e_ordering: bool | None = Field(None, description="BT-92")
    e_payment: bool | None = Field(None, description="BT-93")
    gpa: bool | None = Field(None, description="BT-115: covered by the WTO Government Procurement Agreement")


class StatusIn(Schema):
    status: str = Field(pattern="^(published|awarded|closed)$")


class TenderExportQuery(Schema):
    format: str = Field(pattern="^(docx|odt|xlsx-template|ocds|eforms)$")


class LotCriterionOut(Schema):
    id: str
    type: str
    weight: Decimal


class LotOut(Schema):
    number: int
    title: str
    product_group: str
    quantity: int
    estimated_value: Decimal
    cpv: str
    service_life_years: int
    price_weight: Decimal
    ambitions: dict[str, str]
    criteria: list[LotCriterionOut]


class TenderOut(Schema):
    id: int
    organisation: str
    title: str
    reference: str
    language: str
    procedure: str
    status: str
    offers_deadline: datetime | None
    framework_version: str
    lots: list[LotOut]
    warnings: list[str]
    notice_terms: dict[str, str | int | bool | None] = Field(
        description="The terms the contract notice states beyond lots and criteria (null: not answered)"
    )
    missing_notice_terms: list[str] = Field(description="The terms not answered yet")


class TenderSummaryOut(Schema):
    id: int
    organisation: str = Field(
        description="The buyer's slug: a user of several organisations tells them apart"
    )
    title: str
    reference: str
    status: str
    offers_deadline: datetime | None
    lots: int


def tender_out(tender: Tender) -> dict[str, Any]:
    lots = list(tender.lots.select_related("product_group").prefetch_related("lot_criteria__criterion"))
    spec = actions.tender_spec(tender)
    return {
        "id": tender.pk,
        "organisation": tender.organisation.slug,
        "title": tender.title,
        "reference": tender.reference,
        "language": tender.language,
        "procedure": tender.procedure,
        "status": tender.status,
        "offers_deadline": tender.offers_deadline,
        "framework_version": tender.framework_version.code,
        "lots": [
            {
                "number": lot.number,
                "title": lot.title,
                "product_group": lot.product_group.code,
                "quantity": lot.quantity,
                "estimated_value": lot.estimated_value,
                "cpv": lot.cpv,
                "service_life_years": lot.service_life_years,
                "price_weight": lot.price_weight,
                "ambitions": lot.ambitions,
                "criteria": [
                    {"id": r.criterion.code, "type": r.type, "weight": r.weight}
                    for r in lot.lot_criteria.all()
                ],
            }
            for lot in lots
        ],
        "warnings": [
            f"lot {risk.lot}: {risk.code.value}" + (f" ({risk.detail})" if risk.detail else "")
            for risk in spec.risks()
        ],
        "notice_terms": {
            name: getattr(tender, name) if getattr(tender, name) != "" else None
            for name in Tender.NOTICE_TERMS
        },
        "missing_notice_terms": tender.missing_notice_term_names(),
    }


def _fail(error: Exception) -> HttpError:
    if isinstance(error, TenderFrozen):
        return HttpError(400, " ".join(error.messages))
    return HttpError(400, str(error))


@router.get(
    "/tenders/",
    response=list[TenderSummaryOut],
    summary="Your organisations' tenders",
    description="Every tender of the organisations the user belongs to, the latest first (a whole list, not paged).",
)
def list_tenders(request: HttpRequest) -> list[dict[str, Any]]:
    from django.db.models import Count

    return [
        {
            "id": t.pk,
            "organisation": t.organisation.slug,
            "title": t.title,
            "reference": t.reference,
            "status": t.status,
            "offers_deadline": t.offers_deadline,
            "lots": t.n_lots,
        }
        for t in Tender.objects.select_related("organisation").annotate(n_lots=Count("lots"))
    ]


@router.post("/tenders/", response={201: TenderOut}, summary="Create a tender with its lots")
def create_tender(request: HttpRequest, payload: TenderIn) -> Status:
    try:
        organisation = get_organisation_to_tender(request.user, payload.organisation)
    except Http404:
        raise HttpError(403, _("You cannot create tenders for that organisation.")) from None
    try:
        tender = actions.create_tender(
            organisation,
            title=payload.title,
            reference=payload.reference,
            language=payload.language,
            procedure=payload.procedure,
            lots=[lot.dict() for lot in payload.lots],
            acting_user=request.user,
        )
    except actions.TenderError as error:
        raise _fail(error) from error
    return Status(201, tender_out(tender))


@router.get("/tenders/{tender_id}", response=TenderOut, summary="One tender")
def get_tender(request: HttpRequest, tender_id: int) -> dict[str, Any]:
    return tender_out(get_tender_for_user(request.user, tender_id))


@router.put(
    "/tenders/{tender_id}/lots/{number}/weights", response=TenderOut, summary="Set a lot's award weights"
)
def set_weights(request: HttpRequest, tender_id: int, number: int, payload: WeightsIn) -> dict[str, Any]:
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    lot = tender.lots.filter(number=number).first()
    if lot is None:
        raise HttpError(404, _("No lot %(number)s.") % {"number": number})
    try:
        actions.set_weights(lot, payload.price_weight, payload.weights, acting_user=request.user)
    except (actions.TenderError, TenderFrozen, ValueError) as error:
        raise _fail(error) from error
    return tender_out(tender)


@router.put(
    "/tenders/{tender_id}/lots/{number}/costs",
    response=TenderOut,
    summary="Set a lot's price rule and life-cycle cost parameters",
)
def set_costs(request: HttpRequest, tender_id: int, number: int, payload: CostsIn) -> dict[str, Any]:
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    lot = tender.lots.filter(number=number).first()
    if lot is None:
        raise HttpError(404, _("No lot %(number)s.") % {"number": number})
    values = payload.dict(exclude_none=True)
    try:
        actions.set_costs(lot, values, values.pop("price_rule", None), acting_user=request.user)
    except (actions.TenderError, TenderFrozen) as error:
        raise _fail(error) from error
    return tender_out(tender)


@router.put(
    "/tenders/{tender_id}/deadline", response=TenderOut, summary="Set or extend the deadline for offers"
)
def set_offers_deadline(request: HttpRequest, tender_id: int, payload: DeadlineIn) -> dict[str, Any]:
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    try:
        tender = actions.set_offers_deadline(tender, payload.offers_deadline, acting_user=request.user)
    except actions.TenderError as error:
        raise _fail(error) from error
    return tender_out(tender)


@router.put(
    "/tenders/{tender_id}/notice-terms", response=TenderOut, summary="Answer a draft tender's notice terms"
)
def set_notice_terms(request: HttpRequest, tender_id: int, payload: NoticeTermsIn) -> dict[str, Any]:
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    try:
        tender = actions.save_notice_terms(
            tender, payload.model_dump(exclude_unset=True), acting_user=request.user
        )
    except ValidationError as error:  # TenderFrozen included
        raise HttpError(400, " ".join(error.messages)) from error
    return tender_out(tender)


@router.post("/tenders/{tender_id}/status", response=TenderOut, summary="Publish, award or close a tender")
def change_status(request: HttpRequest, tender_id: int, payload: StatusIn) -> dict[str, Any]:
    tender = get_tender_for_user(request.user, tender_id, edit=True, action=Action.TENDER_PUBLISH)
    try:
        tender = actions.change_status(tender, payload.status, acting_user=request.user)
    except (actions.TenderError, TenderFrozen) as error:
        raise _fail(error) from error
    return tender_out(tender)


@router.get(
    "/tenders/{tender_id}/export",
    summary="Annex (docx, odt), supplier template (xlsx-template), ocds (JSON) or eforms (the EU contract notice, XML)",
)
def export_tender(request: HttpRequest, tender_id: int, params: Query[TenderExportQuery]) -> HttpResponse:
    spec = actions.tender_spec(get_tender_for_user(request.user, tender_id))
    fmt = FORMATS[params.format]
    try:
        data = fmt.render(spec)
    except NoticeError as error:  # no notice for this tender (a mini-competition, a buyer outside the EEA)
        raise _fail(error) from error
    response = HttpResponse(data, content_type=fmt.content_type)
    return attachment(response, filename(spec, fmt))
