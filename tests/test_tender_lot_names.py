"""How a tender names its lots' product groups: in the documents' language, and on the pages in the user's.

Pia is a procurer of Rijkswaterstaat. She works in the English interface and writes her tenders' documents
in Dutch: the lots' titles, which the annex and the notice carry, are the product groups' Dutch names.
"""

from __future__ import annotations

from django.test import Client

from cfit.accounts.scoping import system_scope
from cfit.criteria.models import FrameworkVersion, ProductGroup
from cfit.tenders.models import Tender

from .conftest import Persona
from .tender_helpers import docx_text


def client_of(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def test_a_lot_is_titled_in_the_language_of_the_documents_not_of_the_interface(
    procurer: Persona, framework: FrameworkVersion
) -> None:
    client = client_of(procurer)
    docking = ProductGroup.objects.get(code="docking-stations").name
    assert docking["nl"] != docking["en"]

    client.post(
        "/tenders/new/",
        {
            "organisation": procurer.organisation.slug,
            "title": "Dockingstations 2028",
            "reference": "RWS-2028-11",
            "language": "nl",
            "procedure": "open",
            "lot_docking-stations": "on",
            "quantity_docking-stations": "200",
        },
    )

    with system_scope():
        tender = Tender.objects.get(reference="RWS-2028-11")
    assert [lot.title for lot in tender.lots.all()] == [docking["nl"]]
    annex = docx_text(client.get(f"/tenders/{tender.pk}/download/docx/").content)
    notice = client.get(f"/tenders/{tender.pk}/download/eforms/").content.decode()
    assert docking["nl"] in annex and docking["en"] not in annex
    assert docking["nl"] in notice and docking["en"] not in notice
    created = client.post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "Dockingstationen",
            "reference": "RWS-2028-12",
            "language": "de",
            "lots": [{"product_group": "docking-stations"}],
        },
        content_type="application/json",
    )
    assert [lot["title"] for lot in created.json()["lots"]] == [docking["de"]]


def test_the_tender_page_names_each_lots_product_group_in_the_users_language(
    procurer: Persona, framework: FrameworkVersion
) -> None:
    client = client_of(procurer)
    created = client.post(
        "/api/v1/tenders/",
        {
            "organisation": procurer.organisation.slug,
            "title": "Laptops",
            "reference": "RWS-2028-13",
            "language": "de",
            "lots": [{"product_group": "notebooks", "title": "Laptops für Büros"}],
        },
        content_type="application/json",
    )
    notebooks = ProductGroup.objects.get(code="notebooks").name

    english = client.get(f"/tenders/{created.json()['id']}/").content.decode()
    client.cookies["django_language"] = "nl"
    dutch = client.get(f"/tenders/{created.json()['id']}/").content.decode()

    assert f"<td>{notebooks['en']}</td>" in english
    assert f"<td>{notebooks['nl']}</td>" in dutch
    assert "<td>notebooks</td>" not in english + dutch
