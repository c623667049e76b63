"""Demo offers for a demo tender, so that the comparison page shows something at once.

The demo lives through a whole submission window at once: it sets a deadline, publishes, issues an
upload link per supplier, receives the three offers through them (each with its receipt), answers one
supplier's question, and then moves the window's clock back by ``WINDOW_SHIFT`` with queryset updates
(publication, receipts, links, the question and the deadline alike), so that the deadline lies in the
past, after every receipt, and the offers are open for comparison. That shift is the demo's shortcut;
real tenders wait for their deadline.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cfit.criteria.content import CriterionType, DataType, Requirement
from cfit.offers.actions import answer_clarification, ask_clarification, issue_upload_link, store_offer
from cfit.offers.models import Clarification, Offer, OfferReceipt, UploadLink
from cfit.offers.reader import OfferFile, ProductLine, offer_to_json
from cfit.tenders.actions import publish_tender, set_offers_deadline, tender_spec
from cfit.tenders.models import Tender

WINDOW = timedelta(days=21)  #: the demo's submission window, from publication to the deadline
WINDOW_SHIFT = timedelta(days=28)  #: how far the demo moves its window back (more than WINDOW)
QUESTION = (
    "May we offer a refurbished model of the same series where a new one is asked for?",
    "Yes, where it meets every technical specification of the lot and comes with the same warranty.",
)

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
                return float(requirement.expected_value)
            if requirement.min_value is not None:
                return float(round(requirement.min_value * (1 + generous * rng.random())))
            return float(requirement.max_value or 0) * (1 - 0.3 * generous * rng.random())
        case DataType.ENUMERATION:
            return str(requirement.expected_value or requirement.options[0])
        case DataType.DATE:
            return str(requirement.expected_value or timezone.localdate().isoformat())
        case _:
            return "https://example.org/sustainability"


#: Manufacturers that make the product group (a phone maker does not offer monitors).
MAKERS = {
    "notebooks": ["Lenovo", "HP", "Dell"],
    "desktops": ["Lenovo", "HP", "Dell"],
    "monitors": ["Philips", "Dell", "HP", "Lenovo"],
    "smartphones": ["Fairphone", "Samsung"],
    "tablets": ["Samsung", "Lenovo"],
}


def _offer_file(spec: Any, supplier: str, price_factor: float, gap: float, rng: random.Random) -> OfferFile:
    lines = []
    for lot in spec.lots:
        requirements = [r for c in lot.criteria if c.type in PRODUCT_TYPES for r in c.criterion.requirements]
        for number in range(1, 3):
            answers: dict[str, Any] = {r.id: _answer(r, 1 - gap, rng) for r in requirements}
            if gap and number == 2 and requirements:
                answers.pop(requirements[0].id)  # a gap: the procurer has to look at it
            lines.append(
                ProductLine(
                    lot=lot.number,
                    line_id=f"L{lot.number}-{number}",
                    manufacturer=rng.choice(MAKERS.get(lot.product_group.id, MAKERS["notebooks"])),
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
    slug = supplier.lower().replace(" ", "-")
    return OfferFile(spec.reference, lines, company, supplier=supplier, filename=f"{slug}.json")


@transaction.atomic
def create_demo_offers(tender: Tender) -> list[Offer]:
    """Three offers received through upload links, one answered question, and the deadline passed.

    ``tender`` is a draft (it is given a deadline and published here) or a published tender whose
    deadline has not passed yet.
    """
    if tender.is_draft:
        set_offers_deadline(tender, timezone.now() + WINDOW, acting_user=None)
        tender = publish_tender(tender, acting_user=None)
    spec = tender_spec(tender)
    rng = random.Random(2027)
    offers = []
    for index, (supplier, price_factor, gap) in enumerate(SUPPLIERS):
        link = issue_upload_link(tender, supplier)
        if index == 0:
            answer_clarification(ask_clarification(link, QUESTION[0]), QUESTION[1], acting_user=None)
        offer_file = _offer_file(spec, supplier, price_factor, gap, rng)
        # The file "sent" is the offer's JSON form: its bytes are what the receipt's SHA-256 is of.
        data = json.dumps(offer_to_json(offer_file), ensure_ascii=False, indent=1).encode()
        receipt = store_offer(
            tender, offer_file, data, supplier=supplier, via=Offer.Via.UPLOAD_LINK, replace=True, link=link
        )
        assert receipt.offer is not None  # a stored offer's receipt names it
        offers.append(receipt.offer)
    _move_window_back(tender)
    return offers


def _move_window_back(tender: Tender) -> None:
    """The demo's shortcut: the whole window moves back in time, so the deadline has passed."""
    shift = WINDOW_SHIFT
    Tender.unscoped.filter(pk=tender.pk).update(
        published_at=F("published_at") - shift, offers_deadline=F("offers_deadline") - shift
    )
    UploadLink.unscoped.filter(tender=tender).update(
        created=F("created") - shift, expires_at=F("expires_at") - shift
    )
    Offer.unscoped.filter(tender=tender).update(submitted=F("submitted") - shift)
    OfferReceipt.unscoped.filter(tender=tender).update(received_at=F("received_at") - shift)
    Clarification.unscoped.filter(tender=tender).update(
        asked_at=F("asked_at") - shift, answered_at=F("answered_at") - shift
    )
