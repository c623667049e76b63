"""Open data for a tender: an OCDS release package (the eForms notice is ``cfit.tenders.eforms``)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from cfit.criteria import exchange
from cfit.tenders.award import PriceRule
from cfit.tenders.award_text import award_method_paragraphs
from cfit.tenders.spec import TenderSpec

REQUIREMENTS_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_requirements_extension/master/extension.json"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json"
)

#: Our procedures onto OCDS procurementMethod (closed code list).
PROCUREMENT_METHODS = {
    "open": "open",
    "restricted": "selective",
    "neg-w-call": "selective",
    "comp-dial": "selective",
    "mini-competition": "limited",
}
SERVICE_GROUP_KINDS = {"data_centre", "service"}


def _amount(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)


def lot_id(number: int) -> str:
    return f"lot-{number}"


def ocds_release_package(spec: TenderSpec) -> dict[str, Any]:
    """A release package holding one tender release; criteria follow the requirements extension."""
    prefix = getattr(settings, "OCDS_PREFIX", "ocds-cfit00")
    ocid = f"{prefix}-{spec.identifier or spec.reference}"
    now = timezone.now().replace(microsecond=0).isoformat()
    lang = spec.language
    criteria: dict[str, dict[str, Any]] = {}
    for lot in spec.lots:
        for chosen in lot.criteria:
            code = chosen.criterion.id
            if code not in criteria:
                criteria[code] = exchange.criterion_to_ocds(chosen.criterion, lang) | {"relatedLots": []}
            criteria[code]["relatedLots"].append(lot_id(lot.number))
    services = all(lot.product_group.kind.value in SERVICE_GROUP_KINDS for lot in spec.lots)
    total = sum((lot.estimated_value for lot in spec.lots), Decimal(0))
    tender: dict[str, Any] = {
        "id": spec.reference,
        "title": spec.title,
        "status": "planning" if spec.status == "draft" else "active",
        "procurementMethod": PROCUREMENT_METHODS.get(spec.procedure, "open"),
        "procurementMethodDetails": spec.procedure,
        "mainProcurementCategory": "services" if services else "goods",
        "value": {"amount": _amount(total), "currency": "EUR"},
        "awardCriteria": "ratedCriteria"
        if any(lot.award_method.criteria for lot in spec.lots)
        else (
            "costOnly"
            if any(lot.price_rule == PriceRule.LIFE_CYCLE_COST for lot in spec.lots)
            else "priceOnly"
        ),
        # The award method in full, in the release's language: the same sentences as the annex.
        "awardCriteriaDetails": "\n\n".join(
            f"{lot_id(lot.number)}: " + " ".join(award_method_paragraphs(lot.award_method, lang))
            for lot in spec.lots
        ),
        "items": [
            {
                "id": f"{lot_id(lot.number)}-item",
                "description": lot.title,
                "classification": {"scheme": "CPV", "id": lot.cpv},
                "quantity": lot.quantity,
                "relatedLot": lot_id(lot.number),
            }
            for lot in spec.lots
        ],
        "lots": [
            {
                "id": lot_id(lot.number),
                "title": lot.title,
                "value": {"amount": _amount(lot.estimated_value), "currency": "EUR"},
            }
            for lot in spec.lots
        ],
        "criteria": list(criteria.values()),
    }
    if spec.offers_deadline is not None:
        tender["tenderPeriod"] = {"endDate": spec.offers_deadline.replace(microsecond=0).isoformat()}
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-tender-{spec.issued.isoformat()}",
        "date": timezone.make_aware(datetime.combine(spec.issued, time(0))).isoformat()
        if spec.issued
        else now,
        "tag": ["planning"] if spec.status == "draft" else ["tender"],
        "initiationType": "tender",
        "language": lang,
        "tender": tender,
    }
    if spec.buyer:
        party = {"id": "buyer", "name": spec.buyer, "roles": ["buyer"]}
        if spec.buyer_country:
            party["address"] = {"countryName": spec.buyer_country}
        release["parties"] = [party]
        release["buyer"] = {"id": "buyer", "name": spec.buyer}
    return {
        "uri": f"urn:cfit:{ocid}",
        "version": "1.1",
        "publishedDate": now,
        "publisher": {"name": spec.buyer or "cfit"},
        "extensions": [REQUIREMENTS_EXTENSION, LOTS_EXTENSION],
        "releases": [release],
    }
