"""`cfit demo`: the accounts, tenders and offers a newcomer finds after `make demo`."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from cfit.accounts.scoping import system_scope
from cfit.demo import DEMO_PASSWORD
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
    outsider = Client()
    assert outsider.login(username="lyon", password=DEMO_PASSWORD)
    assert outsider.get(f"/tenders/{tender.pk}/offers/compare/").status_code == 404
