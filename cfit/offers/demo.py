"""Demo offers for a published demo tender, so that the comparison page shows something at once."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from cfit.criteria.content import CriterionType, DataType, Requirement
from cfit.offers.actions import store_offer
from cfit.offers.models import Offer
from cfit.offers.reader import OfferFile, ProductLine
from cfit.tenders.actions import tender_spec
from cfit.tenders.models import Tender

SUPPLIERS = [
    ("Groene IT Leveranciers BV", 1.00, 0.0),
    ("Circular Devices Europe", 0.94, 0.2),
    ("Budget Hardware NV", 0.85, 0.6),
]
PRODUCT_TYPES = {CriterionType.TECHNICAL_SPECIFICATION, CriterionType.AWARD_CRITERION}


def _answer(requirement: Requirement, generous: float, rng: random.Random) -> bool | float | str:
    match requirement.data_type:
        case DataType.BOOLEAN:
            return bool(requirement.expected_value)
        case DataType.NUMBER | DataType.INTEGER:
            if requirement.expected_value is not None:
                return float(requirement.expected_value)  # type: ignore[arg-type]
            if requirement.min_value is not None:
                return float(round(requirement.min_value * (1 + generous * rng.random())))
            return float(requirement.max_value or 0) * (1 - 0.3 * generous * rng.random())
        case DataType.ENUMERATION:
            return str(requirement.expected_value or requirement.options[0])
        case DataType.DATE:
            return str(requirement.expected_value or date.today().isoformat())
        case _:
            return "https://example.org/sustainability"


def create_demo_offers(tender: Tender) -> list[Offer]:
    spec = tender_spec(tender)
    rng = random.Random(2027)
    offers = []
    for supplier, price_factor, gap in SUPPLIERS:
        lines = []
        for lot in spec.lots:
            requirements = [
                r for c in lot.criteria if c.type in PRODUCT_TYPES for r in c.criterion.requirements
            ]
            for number in range(1, 3):
                answers: dict[str, Any] = {r.id: _answer(r, 1 - gap, rng) for r in requirements}
                if gap and number == 2 and requirements:
                    answers.pop(requirements[0].id)  # a gap: the procurer has to look at it
                lines.append(
                    ProductLine(
                        lot=lot.number,
                        line_id=f"L{lot.number}-{number}",
                        manufacturer=rng.choice(["Lenovo", "HP", "Dell", "Fairphone", "Philips"]),
                        model=f"Model {lot.number}{number}{rng.randint(10, 99)}",
                        quantity=lot.quantity // 2,
                        unit_price=round(
                            (900 if lot.number == 1 else 250) * price_factor * (1 + 0.1 * rng.random()), 2
                        ),
                        yearly_kwh=round(12 + 20 * rng.random(), 1),
                        labels=["tco-certified-gen10"] if supplier.startswith("Circular") else [],
                        answers=answers,
                    )
                )
        company = {
            r.id: _answer(r, 1.0, rng)
            for lot in spec.lots
            for c in lot.criteria
            if c.type not in PRODUCT_TYPES
            for r in c.criterion.requirements
        }
        offers.append(
            store_offer(
                tender, OfferFile(spec.reference, lines, company, supplier=supplier), supplier=supplier
            )
        )
    return offers
