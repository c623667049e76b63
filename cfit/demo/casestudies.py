"""Two published case studies for the demo: the awarded laptop tender (RWS-2025-014, see
cfit/contracts/demo.py) and an awarded monitor tender made here the real way (offers, four-eyes
sign-off, award)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from cfit.accounts.models import Organisation
from cfit.casestudies import actions
from cfit.casestudies.models import CaseStudy
from cfit.tenders.models import Tender

MONITORS = "RWS-2024-031"

STORIES = {
    "RWS-2025-014": {
        "title": "Laptops that last six years",
        "end_of_use": "The supplier takes the laptops back after use, refurbishes them for schools and reports what it recycled.",
        "lessons": {
            "en": "Scoring battery replaceability and a long warranty moved every bidder to offer models with user-replaceable batteries. Ask for spare parts for seven years from the start: bidders could meet it.",
            "nl": "Punten voor vervangbare accu's en een lange garantie brachten alle inschrijvers ertoe modellen met door de gebruiker vervangbare accu's aan te bieden. Vraag vanaf het begin om zeven jaar onderdelen: inschrijvers konden eraan voldoen.",
        },
        "name_supplier": True,
    },
    MONITORS: {
        "title": "Monitors bought for a second life",
        "end_of_use": "Monitors are reused inside the organisation first, then sold to a certified refurbisher.",
        "lessons": {
            "en": "Few bidders could show the recycled plastic content with a label; accept declarations with a test report, and check them at delivery.",
        },
        "name_supplier": False,
    },
}


def _monitor_tender(buyer: Organisation) -> Tender:
    from cfit.demo.offers import create_demo_offers
    from cfit.offers.signoff import approve_sign_off, prepare_sign_off
    from cfit.tenders import actions as tender_actions

    users = get_user_model().objects
    procurer, approver = users.get(username="procurer"), users.get(username="approver")
    tender = Tender.unscoped.filter(organisation=buyer, reference=MONITORS).first()
    if tender is None:
        tender = tender_actions.create_tender(
            buyer, title="Monitoren 2024", reference=MONITORS, language="nl", acting_user=procurer
        )
        tender_actions.add_lot(
            tender,
            product_group="monitors",
            quantity=300,
            estimated_value=Decimal(66_000),
            acting_user=procurer,
        )
        create_demo_offers(tender)
        tender.refresh_from_db()
    if tender.status == Tender.Status.PUBLISHED:
        approve_sign_off(prepare_sign_off(tender, acting_user=procurer), acting_user=approver)
        tender = tender_actions.change_status(tender, Tender.Status.AWARDED, acting_user=procurer)
    return tender


@transaction.atomic
def create_demo_case_studies() -> list[CaseStudy]:
    """Idempotent; nothing without the demo's awarded laptop tender (the demo without a framework)."""
    buyer = Organisation.objects.filter(slug="rijkswaterstaat").first()
    if buyer is None or not Tender.unscoped.filter(organisation=buyer, reference="RWS-2025-014").exists():
        return []
    procurer = get_user_model().objects.get(username="procurer")
    tenders = [Tender.unscoped.get(organisation=buyer, reference="RWS-2025-014"), _monitor_tender(buyer)]
    studies = []
    for tender in tenders:
        existing = CaseStudy.objects.filter(tender=tender).first()
        if existing is not None:
            studies.append(existing)
            continue
        story = STORIES[tender.reference]
        case_study = actions.start_case_study(tender, acting_user=procurer)
        case_study = actions.save_case_study(
            case_study,
            acting_user=procurer,
            title=story["title"],
            end_of_use=story["end_of_use"],
            lessons=story["lessons"],
            name_supplier=story["name_supplier"],
            consent=True,
        )
        studies.append(actions.publish_case_study(case_study, acting_user=procurer))
    return studies
