"""`cfit demo`: the accounts, tenders, offers and factories a newcomer finds after `make demo`."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from cfit.accounts.scoping import system_scope
from cfit.demo import DEMO_PASSWORD
from cfit.factories.links import picture
from cfit.factories.models import Factory
from cfit.offers.models import Offer
from cfit.tenders.models import Tender


def test_the_demo_has_a_published_tender_with_offers_to_compare(framework) -> None:
    call_command("demo")
    call_command("demo")  # idempotent

    with system_scope():
        tender = Tender.objects.get(reference="RWS-2027-001")
        assert tender.status == Tender.Status.PUBLISHED
        assert Offer.objects.filter(tender=tender).count() == 3
    client = Client()
    assert client.login(username="procurer", password=DEMO_PASSWORD)
    page = client.get(f"/tenders/{tender.pk}/offers/compare/").content.decode()
    assert "Groene IT Leveranciers BV" in page and "Budget Hardware NV" in page
    # the demo's notices: one is this tender's publication (by its reference), and the market shows them
    assert "published-notices" in client.get(f"/tenders/{tender.pk}/").content.decode()
    assert "7 ICT notices in this selection" in Client().get("/market/").content.decode()
    outsider = Client()
    assert outsider.login(username="lyon", password=DEMO_PASSWORD)
    assert outsider.get(f"/tenders/{tender.pk}/offers/compare/").status_code == 404

    # The demo supplier's factories: one that three participants or more depend on, shown to all of
    # them, and the demo contract's, seen by its buyer only.
    shown = [t for t in picture().totals.values() if t.shown and t.organisations >= 3]
    assert shown
    client = Client()
    assert client.login(username="procurer", password=DEMO_PASSWORD)
    page = client.get("/factories/").content.decode()
    assert "Demo Notebook Assembly Plant No. 2" in page and "Demo Contract Electronics Factory" in page
    contracted = Factory.objects.get(name="Demo Contract Electronics Factory")
    assert "RWS-2025-014" in client.get(f"/factories/{contracted.pk}/").content.decode()
    assert outsider.get(f"/factories/{contracted.pk}/").status_code == 404
