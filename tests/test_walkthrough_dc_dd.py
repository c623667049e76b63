"""What a new user met walking through data centres, cloud use and the smelter check, in English,
Dutch and German: each test is a defect found that way.

Personas (tests/conftest.py): Sid, administrator of the provider Green Refurb, who files its data
centre's yearly values; Pia, procurer at Rijkswaterstaat, who reads them and the smelter check of her
contract; Alma, its asset manager, who imports the cloud export.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils.translation import trans_real

from cfit.accounts.models import Membership, Organisation
from cfit.datacentres import actions
from cfit.datacentres.models import Facility, FacilityReport
from cfit.duediligence.actions import import_smelter_list
from cfit.duediligence.models import SmelterList
from tests.conftest import Persona, make_persona
from tests.duediligence_helpers import synthetic_template
from tests.test_cloud import focus_csv
from tests.test_cloud_pages import USAGE
from tests.test_duediligence import first_obligation, minerals_contract
from tests.test_duediligence_core import CMRT_SMELTERS, CONFORMANCE_CSV
from tests.test_every_word_translated import CLOSE, OPEN, PSEUDO, PseudoTranslation

pytestmark = pytest.mark.django_db


@pytest.fixture
def pseudo() -> Iterator[None]:
    """The words test's pseudo-language: every message that went through gettext comes back ⟦marked⟧."""
    with override_settings(LANGUAGES=[*settings.LANGUAGES, (PSEUDO, "Esperanto")]):
        trans_real._translations[PSEUDO] = PseudoTranslation()  # type: ignore[assignment]
        try:
            yield
        finally:
            trans_real._translations.pop(PSEUDO, None)


@pytest.fixture
def facility(supplier: Persona) -> Facility:
    return actions.create_facility(
        provider=supplier.organisation, acting_user=supplier.user, name="DC One", country="NL", climate="cool"
    )


@pytest.fixture
def asset_manager(procurer: Persona) -> Persona:
    return make_persona(
        "alma", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )


@pytest.fixture
def contract(framework: Any, procurer: Persona, supplier: Persona) -> Any:
    return minerals_contract(framework, procurer, supplier.organisation)


@pytest.fixture
def smelter_list(db: Any) -> SmelterList:
    return import_smelter_list(
        CONFORMANCE_CSV.encode(), "rmap.csv", as_of=date(2027, 1, 15), acting_user=None, origin="test"
    )


def reader(persona: Persona, language: str) -> Client:
    client = Client()
    client.force_login(persona.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# -- data centres ------------------------------------------------------------------------------------


def test_a_year_of_extreme_values_still_shows_the_facility_page(
    facility: Facility, supplier: Persona
) -> None:
    """A provider typed 1e300 kWh of energy and 1e-300 kWh of IT energy: the page answered 500 for
    everyone (the PUE was infinite and the trend chart could not scale it)."""
    actions.file_reports(
        facility=facility,
        years=[(2025, {"total_energy_kwh": 1e300, "it_energy_kwh": 1e-300, "renewable_energy_kwh": 1e308})],
        via="form",
        acting_user=supplier.user,
    )

    response = reader(supplier, "en").get(f"/datacentres/{facility.pk}/")

    assert response.status_code == 200
    assert "inf" not in response.content.decode().split('id="year-2025"')[1].split("</table>")[0]


def test_a_refused_report_names_its_fields_as_the_form_labels_them(
    facility: Facility, supplier: Persona, pseudo: None
) -> None:
    """A refused year said "stated_pue: Enter a number." (the field's internal name), in every language."""
    client = reader(supplier, PSEUDO)

    client.post(
        f"/datacentres/{facility.pk}/file/", {"year": "2025", "stated_pue": "abc", "it_energy_kwh": "-5"}
    )
    page = client.get(f"/datacentres/{facility.pk}/").content.decode()
    client.post(f"/datacentres/providers/{supplier.organisation.slug}/new/", {"name": ""})
    index = client.get("/datacentres/").content.decode()

    message = page.split('role="alert"')[0] if 'role="alert"' in page else page
    for internal in ("stated_pue", "it_energy_kwh"):
        assert f"{internal}:" not in message
    assert f"{OPEN}PUE as you state it{CLOSE}" in page
    assert "eu_database:" not in index and "name:" not in index
    assert f"{OPEN}EED reporting status{CLOSE}" in index
    assert not FacilityReport.objects.filter(facility=facility).exists()


@pytest.mark.parametrize(
    ("language", "energy", "pue"),
    [("nl", "1.234.567,5", "1,35"), ("de", "1.234.567,5", "1,35"), ("en", "1,234,567.5", "1.35")],
)
def test_a_provider_types_figures_as_its_language_writes_them(
    facility: Facility, supplier: Persona, language: str, energy: str, pue: str
) -> None:
    """A Dutch provider typed "1,35" for its PUE and "1.234.567,5" kWh: both were "not a number"."""
    client = reader(supplier, language)

    client.post(
        f"/datacentres/{facility.pk}/file/", {"year": "2025", "total_energy_kwh": energy, "stated_pue": pue}
    )

    report = FacilityReport.objects.get(facility=facility, year=2025)
    assert (report.total_energy_kwh, report.stated_pue) == (1234567.5, 1.35)


# -- cloud use ---------------------------------------------------------------------------------------


def test_the_cloud_usage_page_says_its_kinds_and_rows_not_counted_in_the_readers_language(
    asset_manager: Persona, pseudo: None
) -> None:
    """On a Dutch page: "compute", "storage", "aws type unknown: provider average watts, wider range",
    "not usage (purchase, tax, credit, adjustment): 1" stayed English (the core's keys shown as such)."""
    client = reader(asset_manager, PSEUDO)
    url = f"/cloud/{asset_manager.organisation.slug}/"
    rows = [*USAGE, {"ConsumedQuantity": "5", "ConsumedUnit": "Hours"}]

    response = client.post(
        url, {"file": SimpleUploadedFile("aws.csv", focus_csv(rows), content_type="text/csv")}
    )
    page = client.get(response["Location"]).content.decode()

    for english in ("compute", "storage", "network", "not usage (purchase, tax, credit, adjustment)"):
        assert f"<td>{english}</td>" not in page and f"<li>{english}:" not in page
        assert f"{OPEN}{english}{CLOSE}" in page
    assert f"{OPEN}type unknown: provider average watts, wider range{CLOSE}" in page


def test_an_export_without_usage_is_refused_with_its_reasons_in_the_readers_language(
    asset_manager: Persona, pseudo: None
) -> None:
    client = reader(asset_manager, PSEUDO)
    url = f"/cloud/{asset_manager.organisation.slug}/"
    only_tax = [{"ChargeCategory": "Tax", "ConsumedQuantity": "", "ConsumedUnit": ""}]

    page = client.post(url, {"file": SimpleUploadedFile("tax.csv", focus_csv(only_tax))}).content.decode()

    assert 'id="cloud-problems"' in page
    assert f"{OPEN}not usage (purchase, tax, credit, adjustment){CLOSE}: 1" in page


# -- the smelter check -------------------------------------------------------------------------------


def test_the_smelter_check_writes_dates_and_metals_the_readers_way(
    contract: Any, smelter_list: SmelterList, supplier: Persona, procurer: Persona
) -> None:
    """On the Dutch check: "… nog niet conform (2027-01-15)" and "CID002920 is een smelterij voor Gold,
    gemeld voor Tantalum", where the page around writes 15-1-2027, Goud and Tantaal."""
    from cfit.contracts import actions as contract_actions

    contract_actions.deliver(
        first_obligation(contract),
        acting_user=supplier.user,
        data=synthetic_template(smelters=CMRT_SMELTERS),
        filename="cmrt.xlsx",
    )

    dutch = reader(procurer, "nl").get(f"/due-diligence/contract/{contract.pk}/").content.decode()
    german = reader(procurer, "de").get(f"/due-diligence/contract/{contract.pk}/").content.decode()

    assert "2027-01-15" not in dutch and "(15-1-2027)" in dutch
    assert "voor Gold" not in dutch
    assert "voor Tantalum" not in dutch
    assert "smelterij voor Goud, gemeld voor Tantaal" in dutch
    assert "2027-01-15" not in german and "(15.01.2027)" in german
