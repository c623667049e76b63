"""The demo's awarded tender and its contract: obligations delivered, accepted, returned and one late.

The tender goes the real way (offers received, evaluation prepared by one procurer and approved by
another, awarded); only time is moved, as the offers demo does: the contract started 15 months ago,
so its first year's reports have fallen due.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cfit.accounts.models import Organisation
from cfit.contracts import actions
from cfit.contracts.models import Contract
from cfit.contracts.schedule import PERCENT_UNITS, Kind
from cfit.demo.minerals import demo_template
from cfit.demo.offers import create_demo_offers
from cfit.offers.signoff import approve_sign_off, prepare_sign_off
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

REFERENCE = "RWS-2025-014"


@transaction.atomic
def create_demo_contracts(organisations: dict[str, Organisation]) -> Contract | None:
    """Idempotent: the demo contract is made once; returns it (None without the demo accounts)."""
    buyer = organisations["rijkswaterstaat"]
    existing = Contract.unscoped.filter(organisation=buyer, tender__reference=REFERENCE).first()
    if existing is not None:
        return existing
    users = get_user_model().objects
    procurer, approver = users.get(username="procurer"), users.get(username="approver")
    tender = Tender.unscoped.filter(organisation=buyer, reference=REFERENCE).first()
    if tender is None:
        tender = tender_actions.create_tender(
            buyer, title="Laptops 2025", reference=REFERENCE, language="nl", acting_user=procurer
        )
        # An estimated value, as every published tender's notice and release state one (EUR excl. VAT).
        tender_actions.add_lot(
            tender,
            product_group="notebooks",
            quantity=600,
            estimated_value=Decimal(660_000),
            acting_user=procurer,
        )
        create_demo_offers(tender)
        tender.refresh_from_db()
    if tender.status == Tender.Status.PUBLISHED:
        approve_sign_off(prepare_sign_off(tender, acting_user=procurer), acting_user=approver)
        tender = tender_actions.change_status(tender, Tender.Status.AWARDED, acting_user=procurer)
    today = timezone.localdate()
    start = today - timedelta(days=450)
    contract = actions.award_lot(
        tender,
        1,
        start_date=start,
        end_date=start + timedelta(days=3 * 365),
        supplier_organisation=organisations["green-refurb"],
        acting_user=procurer,
    )
    supplier = users.get(username="supplier")
    past = list(contract.obligations.filter(due_date__lt=today).order_by("due_date", "id"))
    # All but the last two are delivered; of those, most are accepted and one is returned with a comment.
    for index, obligation in enumerate(past[:-2]):
        data, filename = (
            demo_template(obligation, obligation.due_date) or (b"%PDF-1.4\n% demo evidence\n", "evidence.pdf")
            if obligation.kind == Kind.DOCUMENT
            else (None, "")
        )  # an obligation that asks for a CMRT or an EMRT takes that template and nothing else
        actions.deliver(
            obligation,
            acting_user=supplier,
            data=data,
            filename=filename,
            values={f["key"]: "85" if f["unit"] in PERCENT_UNITS else "120" for f in obligation.figures},
            declared=True,
            comment="Demo evidence.",
        )
        if index == 0:
            actions.return_obligation(
                obligation,
                acting_user=procurer,
                comment="The evidence does not show what the clause asks: please send the complete report.",
            )
        elif index % 3 != 2:
            actions.accept(obligation, acting_user=procurer, comment="Checked.")
    # The last two past obligations stay open: late.
    return contract
