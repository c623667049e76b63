"""Open data for a tender: an OCDS release package with the requirements extension, and eForms fields."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from cfit.criteria import exchange
from cfit.criteria.content import CriterionType, ImpactCategory
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
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": "; ".join(
            f"{lot_id(lot.number)}: price {lot.price_weight.normalize():f}, "
            + ", ".join(
                f"{c.criterion.id} {c.weight.normalize():f}"
                for c in lot.of_type(CriterionType.AWARD_CRITERION)
            )
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


# ---------------------------------------------------------------------------
# eForms: the green and social procurement fields of an EU notice, per lot
# ---------------------------------------------------------------------------

#: Impact categories onto BT-774 (environmental impact) codes.
GREEN_CODES = {
    ImpactCategory.CIRCULARITY: "circ-econ",
    ImpactCategory.CARBON: "clim-mitig",
    ImpactCategory.CHEMICALS: "pollu-prev",
}
LABOUR_WORDS = ("labour", "labor", "working", "worker", "ilo")


def eforms_fields(spec: TenderSpec) -> dict[str, Any]:
    """BT-06, BT-774, BT-775, BT-805 and BT-539/540/541 per lot, with codes from the eForms code lists."""
    lots = []
    for lot in spec.lots:
        categories = {c.criterion.impact_category for c in lot.criteria}
        green = sorted({GREEN_CODES[c] for c in categories if c in GREEN_CODES})
        due_diligence = [
            c.criterion for c in lot.criteria if c.criterion.impact_category == ImpactCategory.DUE_DILIGENCE
        ]
        social = []
        if due_diligence:
            social.append("hum-right")
            if any(
                word in (c.topic + " " + c.title["en"]).lower()
                for c in due_diligence
                for word in LABOUR_WORDS
            ):
                social.append("work-cond")
        strategic = (["env-imp"] if green else []) + (["soc-obj"] if social else [])
        from_eu_gpp = any(
            "gpp" in source.title.lower() for c in lot.criteria for source in c.criterion.sources
        )
        from_elsewhere = any(
            not any("gpp" in source.title.lower() for source in c.criterion.sources) for c in lot.criteria
        )
        gpp = (["eu"] if from_eu_gpp else []) + (["other"] if from_elsewhere else [])
        award = [
            {
                "BT-539-Lot": "price",
                "BT-734-Lot": "Price",
                "BT-540-Lot": "Lowest price offered ÷ price of the tender × weight",
                "BT-541-Lot-WeightNumber": _amount(lot.price_weight),
            }
        ]
        award += [
            {
                "BT-539-Lot": "quality",
                "BT-734-Lot": c.criterion.id,
                "BT-540-Lot": c.criterion.title[spec.language],
                "BT-541-Lot-WeightNumber": _amount(c.weight),
            }
            for c in lot.of_type(CriterionType.AWARD_CRITERION)
        ]
        lots.append(
            {
                "lotId": f"LOT-{lot.number:04d}",
                "BT-06-Lot": strategic or ["none"],
                "BT-774-Lot": green,
                "BT-775-Lot": social,
                "BT-805-Lot": gpp or ["none"],
                "awardCriteria": award,
            }
        )
    return {
        "noticeLanguage": spec.language,
        "procedure": spec.procedure,
        "reference": spec.reference,
        "lots": lots,
    }
