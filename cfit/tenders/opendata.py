"""Open data for a tender: an OCDS release package (the eForms notice is ``cfit.tenders.eforms``).

The release declares four extensions and fills them: requirements (the criteria, with units), lots
(``relatedLot``/``relatedLots`` on items and criteria), the award criteria breakdown (each lot's
weights as numbers, from the award method the engine scores with) and sustainability (goals and
strategies from the same codes as the notice's BT-06, BT-774, BT-775 and BT-805).

Of the tender's notice terms it carries those OCDS's core has a place for (see ``_notice_terms``),
and the review body of the buyer's notice details as a party.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cfit.accounts.eforms_codes import BuyerLegalType
from cfit.criteria import exchange
from cfit.criteria.content import CriterionType, ImpactCategory
from cfit.tenders import eforms
from cfit.tenders.award import PriceRule
from cfit.tenders.award_text import award_method_paragraphs
from cfit.tenders.spec import ElectronicMeans, LotSpec, TenderSpec

_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/{}/master/extension.json"
REQUIREMENTS_EXTENSION = _EXTENSION.format("ocds_requirements_extension")
LOTS_EXTENSION = _EXTENSION.format("ocds_lots_extension")
AWARD_CRITERIA_EXTENSION = _EXTENSION.format("ocds_awardCriteriaBreakdown_extension")
SUSTAINABILITY_EXTENSION = _EXTENSION.format("ocds_sustainability_extension")
EXTENSIONS = [REQUIREMENTS_EXTENSION, LOTS_EXTENSION, AWARD_CRITERIA_EXTENSION, SUSTAINABILITY_EXTENSION]
#: Declared only where the buyer's legal type classifies it (BT-11).
ORGANIZATION_CLASSIFICATION_EXTENSION = _EXTENSION.format("ocds_organizationClassification_extension")
#: BT-11's scheme in OCDS for eForms (the profile's change of 2024-06-26, from 'TED_CA_TYPE').
BUYER_LEGAL_TYPE_SCHEME = "eu-buyer-legal-type"

#: Our procedures onto OCDS procurementMethod (closed code list).
PROCUREMENT_METHODS = {
    "open": "open",
    "restricted": "selective",
    "neg-w-call": "selective",
    "comp-dial": "selective",
    "mini-competition": "limited",
}
SERVICE_GROUP_KINDS = {"data_centre", "service"}
#: eForms BT-774 and BT-775 codes onto the sustainability extension's goals (sustainabilityGoal.csv).
GOALS = {
    "circ-econ": "environmental.circularEconomy",
    "clim-mitig": "environmental.climateChangeMitigation",
    "pollu-prev": "environmental.pollutionPrevention",
    "hum-right": "social.humanRightsInSupplyChains",
    "work-cond": "social.laborRightsPromotion",
}
#: eForms BT-805 codes onto strategies (sustainabilityStrategy.csv).
GPP_STRATEGIES = {"eu": "euGPPCriteria", "national": "nationalGPPCriteria", "other": "otherGPPCriteria"}
#: How a criterion pursues a goal: its type in the tender onto a strategy.
TYPE_STRATEGIES = {
    CriterionType.AWARD_CRITERION: "awardCriteria",
    CriterionType.TECHNICAL_SPECIFICATION: "technicalSpecifications",
    CriterionType.SELECTION_CRITERION: "selectionCriteria",
    CriterionType.CONTRACT_PERFORMANCE_CLAUSE: "contractPerformanceConditions",
}


def _amount(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)


def lot_id(number: int) -> str:
    return f"lot-{number}"


def _sustainability(lot: LotSpec) -> list[dict[str, Any]]:
    """The lot's goals, each with the strategies (criterion types, GPP criteria sets) that pursue it."""
    codes = eforms.strategic_codes(lot)
    strategies: dict[str, set[str]] = {code: set() for code in codes["BT-774"] + codes["BT-775"]}
    for chosen in lot.criteria:
        category = chosen.criterion.impact_category
        if category in eforms.GREEN_CODES:
            pursued = [eforms.GREEN_CODES[category]]
        else:
            pursued = codes["BT-775"] if category == ImpactCategory.DUE_DILIGENCE else []
        for code in pursued:
            strategies[code].add(TYPE_STRATEGIES[chosen.type])
    for category, code in eforms.GREEN_CODES.items():  # the criteria sets each green goal draws on (BT-805)
        if code in strategies:
            pursuing = [c for c in lot.criteria if c.criterion.impact_category == category]
            strategies[code].update(GPP_STRATEGIES[g] for g in eforms.gpp_codes(pursuing))
    return [{"goal": GOALS[code], "strategies": sorted(used)} for code, used in strategies.items() if used]


def _award_criteria(lot: LotSpec, language: str) -> dict[str, Any]:
    """The award criteria breakdown of a lot: the notice's BT-539/734/540/541 as OCDS data."""
    return {
        "criteria": [
            {
                "type": row["BT-539"],
                "name": row["BT-734"],
                "description": row["BT-540"],
                "numbers": [{"number": _amount(Decimal(row["BT-541"])), "weight": "pointsExact"}],
            }
            for row in eforms.award_criteria(lot.award_method, language)
        ]
    }


def _with_units(criterion: dict[str, Any], units: dict[str, str], language: str) -> dict[str, Any]:
    """The requirements extension has no unit field: a requirement's unit is stated in its description."""
    with translation.override(language):
        for group in criterion["requirementGroups"]:
            for requirement in group["requirements"]:
                unit = units.get(requirement["id"])
                if unit:
                    requirement["description"] = str(_("Unit: %(unit)s") % {"unit": unit})
    return criterion


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
                units = {r.id: r.unit for r in chosen.criterion.requirements}
                document = exchange.criterion_to_ocds(chosen.criterion, lang)
                criteria[code] = _with_units(document, units, lang) | {"relatedLots": []}
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
        "lots": [_lot(lot, spec) for lot in spec.lots],
        "criteria": list(criteria.values()),
    }
    if total > 0:  # an estimate of 0 means "not estimated", never a tender worth nothing
        tender["value"] = {"amount": _amount(total), "currency": "EUR"}
    period = _tender_period(spec)
    if period:
        tender["tenderPeriod"] = period
    tender["hasSustainability"] = any(lot.get("hasSustainability") for lot in tender["lots"])
    tender.update(_notice_terms(spec))
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
        party: dict[str, Any] = {"id": "buyer", "name": spec.buyer, "roles": ["buyer"]}
        details = spec.buyer_details
        # The organisation's notice details, where OCDS's core holds them (as OCDS for eForms maps
        # BT-510(a), BT-513, BT-512, BT-507 and BT-503), and its legal type (BT-11) as a classification
        # of the organizationClassification extension. Its activity (BT-10) is left out: the profile
        # takes its scheme (COFOG or not) from the EU authority table's definitions, which cfit lacks.
        address = {
            "streetAddress": details.street,
            "locality": details.town,
            "postalCode": details.post_code,
            "region": details.nuts_code,
            "countryName": spec.buyer_country,
        }
        if any(address.values()):
            party["address"] = {key: value for key, value in address.items() if value}
        if details.legal_type:
            with translation.override(lang):
                label = str(BuyerLegalType(details.legal_type).label)
            party["details"] = {
                "classifications": [
                    {"scheme": BUYER_LEGAL_TYPE_SCHEME, "id": details.legal_type, "description": label}
                ]
            }
        contact = {"email": spec.buyer_email, "telephone": details.telephone}
        if any(contact.values()):
            party["contactPoint"] = {key: value for key, value in contact.items() if value}
        release["parties"] = [party]
        release["buyer"] = {"id": "buyer", "name": spec.buyer}
        review = _review_body(spec)
        if review:
            release["parties"].append(review)
    return {
        "uri": f"urn:cfit:{ocid}",
        "version": "1.1",
        "publishedDate": now,
        "publisher": {"name": spec.buyer or "cfit"},
        "extensions": EXTENSIONS
        + [ORGANIZATION_CLASSIFICATION_EXTENSION] * bool(spec.buyer and spec.buyer_details.legal_type),
        "releases": [release],
    }


def _notice_terms(spec: TenderSpec) -> dict[str, Any]:
    """The notice terms OCDS's core holds, as OCDS for eForms maps them: BT-17 (only "required" is a
    submission method: where electronic submission is merely allowed, the other methods are not
    known), BT-18 and BT-15. BT-36 stays out: a duration in months has no exact number of days
    (``contractPeriod.durationInDays``). The other terms have no core field."""
    terms = spec.notice_terms
    found: dict[str, Any] = {}
    if terms.electronic_submission == ElectronicMeans.REQUIRED:
        found["submissionMethod"] = ["electronicSubmission"]
    if terms.submission_url:
        found["submissionMethodDetails"] = terms.submission_url.strip()
    if terms.documents_url:
        found["documents"] = [
            {
                "id": "procurement-documents",
                "documentType": "biddingDocuments",
                "url": terms.documents_url.strip(),
            }
        ]
    return found


def _review_body(spec: TenderSpec) -> dict[str, Any] | None:
    """The review body the notice names (OPT-301-Lot-ReviewOrg) as a party of role reviewBody."""
    review = spec.buyer_details.review_body
    if not review.given:
        return None
    party: dict[str, Any] = {"id": "review-body", "name": review.name, "roles": ["reviewBody"]}
    address = {
        "locality": review.town,
        "postalCode": review.post_code,
        "region": review.nuts_code,
        "countryName": spec.buyer_country,  # the notice places it in the buyer's country
    }
    party["address"] = {key: value for key, value in address.items() if value}
    if review.email:
        party["contactPoint"] = {"email": review.email}
    return party


def _tender_period(spec: TenderSpec) -> dict[str, str]:
    """Offers are received from publication (the issue date) until the deadline."""
    period = {}
    if spec.status != "draft" and spec.issued:
        period["startDate"] = timezone.make_aware(datetime.combine(spec.issued, time(0))).isoformat()
    if spec.offers_deadline is not None:
        period["endDate"] = spec.offers_deadline.replace(microsecond=0).isoformat()
    return period


def _lot(lot: LotSpec, spec: TenderSpec) -> dict[str, Any]:
    services = lot.product_group.kind.value in SERVICE_GROUP_KINDS
    document: dict[str, Any] = {
        "id": lot_id(lot.number),
        "title": lot.title,
        "status": "planning" if spec.status == "draft" else "active",
        "mainProcurementCategory": "services" if services else "goods",
        "awardCriteria": _award_criteria(lot, spec.language),
    }
    if lot.estimated_value > 0:
        document["value"] = {"amount": _amount(lot.estimated_value), "currency": "EUR"}
    goals = _sustainability(lot)
    document["hasSustainability"] = bool(goals)
    if goals:
        document["sustainability"] = goals
    return document
