"""One search over criteria, case studies, consultations and events, in the reader's language, showing
only what the reader may see (full-text search on PostgreSQL, every word on SQLite)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from cfit.casestudies.models import CaseStudy
from cfit.learning.models import Event
from cfit.pact.actions import create_buyer_group
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from .conftest import Persona

pytestmark = pytest.mark.django_db


def search(client: Client, words: str, language: str = "en") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get("/search/", {"q": words}).text.split('id="results"')[-1]


def test_one_search_finds_criteria_in_the_readers_language_and_only_what_they_may_see(
    framework: Any, procurer: Persona, coordinator: Persona, outsider: Persona
) -> None:
    # Criteria, in English and in Dutch, with their references read as values.
    english = search(Client(), "battery replaceable professional")
    assert "Battery replaceable by a professional repairer (nb-replaceable-battery-b)" in english
    assert "{{" not in english
    assert "Accu vervangbaar door een professionele reparateur" in search(
        Client(), "professionele reparateur", "nl"
    )

    # A case study is found once published, never as a draft.
    tender = tender_actions.create_tender(
        procurer.organisation, title="Printers", reference="P-1", acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=5, acting_user=None)
    Tender.unscoped.filter(pk=tender.pk).update(status=Tender.Status.CLOSED)
    case_study = CaseStudy.objects.create(
        tender=tender, organisation=procurer.organisation, title="Toner-free printing", country="NL", year=2026,
        lessons={"en": "Ask for managed print services."},
    )  # fmt: skip
    assert "Toner-free printing" not in search(Client(), "managed print")
    CaseStudy.objects.filter(pk=case_study.pk).update(status=CaseStudy.Status.PUBLISHED)
    assert "Toner-free printing" in search(Client(), "managed print")

    # A buyer group's event is found by its members only.
    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    start = timezone.now() + timedelta(days=2)
    Event.objects.create(
        title="Smartphone workshop",
        starts=start,
        ends=start + timedelta(hours=1),
        buyer_group=group,
        capacity=20,
    )
    coco, louise = Client(), Client()
    coco.force_login(coordinator.user)
    louise.force_login(outsider.user)
    assert "Smartphone workshop" in search(coco, "workshop")
    assert "Smartphone workshop" not in search(louise, "workshop")
    assert "Nothing found." in search(Client(), "workshop")

    # A guide is found once published, in the reader's language.
    from cfit.learning.models import Guide, GuideVersion

    guide = Guide.objects.create(slug="wiping-guide")
    version = GuideVersion.objects.create(
        guide=guide, number=1, title={"en": "Wiping data", "nl": "Gegevens wissen"},
        body={"en": "Certified erasure.", "nl": "Gecertificeerd wissen van schijven."},
    )  # fmt: skip
    assert "Gegevens wissen" not in search(Client(), "schijven", "nl")
    GuideVersion.objects.filter(pk=version.pk).update(
        status=GuideVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    assert search(Client(), "schijven", "nl").count("Gegevens wissen") == 1
