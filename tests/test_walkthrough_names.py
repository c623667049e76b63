"""What a Dutch, German or French reader met on pages that named things the English way: a country as
its ISO code ("DE") or a smelter's as the template's English capitals ("ITALY"). Each test is a
defect found that way.

Personas (tests/conftest.py): Sid, administrator of the provider Green Refurb, with its data centre;
Pia, procurer at Rijkswaterstaat, with her case study and the smelter check of her contract; Alma,
its asset manager, with the asset register.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from cfit.accounts.models import Membership, Organisation
from cfit.casestudies.models import CaseStudy
from cfit.datacentres import actions as datacentre_actions
from cfit.fleet.models import Asset
from cfit.tenders import actions as tender_actions
from tests.conftest import Persona, make_persona

pytestmark = pytest.mark.django_db


def reader(persona: Persona | None, language: str) -> Client:
    client = Client()
    if persona is not None:
        client.force_login(persona.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def shown_alone(code: str, page: str) -> bool:
    """The code as the text of a cell or between the separators of a line, not inside a word or an
    attribute (an option's value keeps the code, as forms must)."""
    return re.search(rf"(<td>|· ){code}(</td>| ·)", page) is not None


# -- country names -----------------------------------------------------------------------------------


def test_the_data_centres_list_and_a_facility_name_its_country(supplier: Persona) -> None:
    """The list and the page showed "DE" to a Dutch and a German provider."""
    facility = datacentre_actions.create_facility(
        provider=supplier.organisation, acting_user=supplier.user, name="DC Frankfurt", country="DE"
    )

    for language, name in (("nl", "Duitsland"), ("de", "Deutschland")):
        client = reader(supplier, language)
        listing = client.get("/datacentres/").content.decode()
        page = client.get(f"/datacentres/{facility.pk}/").content.decode()

        assert f"<td>{name}</td>" in listing and not shown_alone("DE", listing)
        assert f"· {name} ·" in page and not shown_alone("DE", page)


def test_the_case_study_list_and_page_name_the_country(procurer: Persona) -> None:
    """The list wrote "Rijkswaterstaat · DE · 2027" under the title, where its own filter said Duitsland."""
    tender = tender_actions.create_tender(
        procurer.organisation, title="Laptops", reference="CS-1", acting_user=procurer.user
    )
    case_study = CaseStudy.objects.create(
        tender=tender,
        organisation=procurer.organisation,
        title="Laptops for the regions",
        status=CaseStudy.Status.PUBLISHED,
        consent=True,
        country="DE",
        year=2027,
    )

    for language, name in (("nl", "Duitsland"), ("de", "Deutschland")):
        listing = reader(None, language).get("/case-studies/").content.decode()
        page = reader(None, language).get(f"/case-studies/{case_study.pk}/").content.decode()

        assert f"· {name} · 2027" in listing and not shown_alone("DE", listing)
        assert f"· {name} · 2027" in page and not shown_alone("DE", page)


def test_the_asset_list_and_an_assets_page_name_the_country_of_use(procurer: Persona) -> None:
    """Both showed the register's "DE" where the page's heading said "Land van gebruik"."""
    alma = make_persona(
        "alma", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )
    asset = Asset.unscoped.create(
        organisation=alma.organisation,
        asset_key="RWS-1",
        product_group="notebooks",
        manufacturer="Dell",
        model="Latitude 5440",
        purchase_date=date(2025, 3, 1),
        country="DE",
    )

    for language, name in (("nl", "Duitsland"), ("de", "Deutschland")):
        client = reader(alma, language)
        listing = client.get("/fleet/rijkswaterstaat/assets/").content.decode()
        page = client.get(f"/fleet/rijkswaterstaat/assets/{asset.pk}/").content.decode()

        assert f"<td>{name}</td>" in listing and not shown_alone("DE", listing)
        assert f"<td>{name}</td>" in page and not shown_alone("DE", page)


def test_the_smelter_table_names_the_country_in_the_readers_language(
    framework: Any, procurer: Persona, supplier: Persona
) -> None:
    """The check listed the template's "ITALY" and "BOLIVIA" on a Dutch and a German page."""
    from cfit.contracts import actions as contract_actions
    from tests.duediligence_helpers import synthetic_template
    from tests.test_duediligence import first_obligation, minerals_contract
    from tests.test_duediligence_core import CMRT_SMELTERS

    contract = minerals_contract(framework, procurer, supplier.organisation)
    contract_actions.deliver(
        first_obligation(contract),
        acting_user=supplier.user,
        data=synthetic_template(smelters=CMRT_SMELTERS),
        filename="cmrt.xlsx",
    )

    for language, italy, bolivia in (("nl", "Italië", "Bolivia"), ("de", "Italien", "Bolivien")):
        page = reader(procurer, language).get(f"/due-diligence/contract/{contract.pk}/").content.decode()

        assert f"<td>{italy}</td>" in page and f"<td>{bolivia}</td>" in page
        assert "<td>ITALY</td>" not in page and "<td>BOLIVIA</td>" not in page


# -- a label and its value -----------------------------------------------------------------------------

#: a criterion whose requirement is a yes/no ("Se recharge par USB Type-C")
USB_C = "nb-usb-c-b"


def test_the_compare_page_joins_a_requirement_and_its_threshold_the_french_way(framework: Any) -> None:
    """ "Se recharge par USB Type-C: Oui": French writes a space before the colon, a no-break one (the line
    never breaks between the label and its colon)."""
    page = reader(None, "fr").get("/criteria/compare/notebooks/").content.decode()

    assert "Se recharge par USB Type-C\u00a0: <strong>Oui</strong>" in page
    assert "Type-C: " not in page


def test_a_criterion_page_joins_its_labels_and_values_the_french_way(framework: Any) -> None:
    """ "Groupes de produits: Ordinateurs portables", "Seuil: …" on a French criterion page."""
    page = reader(None, "fr").get(f"/criteria/{USB_C}/").content.decode()

    for label in ("Groupes de produits", "Stratégies", "Seuil", "Ce critère figure dans"):
        assert f"{label}\u00a0: " in page and f"{label}: " not in page


def test_an_organisations_page_says_the_readers_role_the_french_way(procurer: Persona) -> None:
    """The same glued colon on pages built from a label and a value: "Votre rôle: Acheteur"."""
    page = reader(procurer, "fr").get(f"/organisations/{procurer.organisation.slug}/").content.decode()

    assert "Votre rôle\u00a0: " in page and "Votre rôle: " not in page


def test_an_offer_lines_page_joins_its_labels_and_values_the_french_way(
    procurer: Persona, framework: Any
) -> None:
    """ "Labels détenus: —" and an override's "Accepté: justification" glued with ': ' on a line's page."""
    from cfit.offers.models import OfferLine

    from .evaluation_helpers import build_tender, open_offers, submit

    tender = build_tender(procurer.organisation, reference="FR-LINE-1")
    submit(tender, "Alpha", {1: [{"line_id": "A-1"}]})
    open_offers(tender)
    line = OfferLine.objects.get(offer__tender_id=tender.pk)

    page = reader(procurer, "fr").get(f"/tenders/{tender.pk}/offers/lines/{line.pk}/").content.decode()

    assert "Labels détenus\u00a0: " in page and "Labels détenus: " not in page
