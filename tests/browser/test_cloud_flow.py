"""Data centres and cloud, as a provider and as a buyer, in a browser at desktop and phone width.

- Sid, administrator of a hosting provider, registers a data centre, files a year's values through the
  form, sees the indicators computed (PUE, WUE), then corrects the one value he mistyped: "Correct 2025"
  fills the form with what he filed, and the values he did not touch stay reported.
- Alma, asset manager of Rijkswaterstaat, imports her cloud provider's FOCUS export, reads its energy
  and emissions with their range and the method, compares the workload with AWS Stockholm (its PUE
  and its sources shown), and sees which figure of the year's monitoring report the export pre-fills.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cfit.accounts.models import Membership, Organisation
from tests.conftest import Persona, make_persona
from tests.test_cloud import focus_csv

from .test_library import shot
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page: Any) -> None:
    """Nothing runs off the side of the screen (wide tables scroll in their own box)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_provider_files_a_year_and_corrects_one_value(
    live_server: Any, page: Any, supplier: Persona
) -> None:
    base, slug = live_server.url, supplier.organisation.slug
    sign_in(page, base, supplier.user.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data centres").click()
    page.click(f"#add-facility-{slug} summary")
    page.fill("#id_name", "Polder DC Flow")
    page.fill("#id_country", "NL")
    page.fill("#id_operating_since", "2018")
    page.locator(f"#new-facility-{slug} button").click()
    assert page.locator("#facility-code").inner_text().startswith("DC-")
    assert "No buyer has linked this data centre" in page.locator("#readers").inner_text()

    page.fill("#id_year", "2025")
    page.fill("#id_total_energy_kwh", "9,100,000")  # mistyped: 8,400,000 was meant
    page.fill("#id_it_energy_kwh", "7,000,000")
    page.fill("#id_water_input_m3", "1900")
    page.fill("#id_renewable_energy_kwh", "8,400,000")
    page.locator("#file-year button").click()
    year = page.locator("#year-2025 .indicators")
    assert "1.30 kWh/kWh" in year.inner_text()  # PUE = 9,100,000 / 7,000,000

    page.locator("#year-2025 a.correct-year").click()
    assert page.input_value("#id_it_energy_kwh").replace(",", "").startswith("7000000")
    assert page.input_value("#id_water_input_m3").startswith("1900")
    page.fill("#id_total_energy_kwh", "8400000")
    page.locator("#file-year button").click()

    indicators = page.locator("#year-2025 .indicators").inner_text()
    assert "1.20 kWh/kWh" in indicators  # corrected PUE
    assert "0.27 L/kWh" in indicators  # WUE = 1,900 m³ × 1000 / 7,000,000 kWh: the water stayed reported
    assert "100.00 %" in indicators  # REF = 8,400,000 / 8,400,000
    shot(page, "datacentre-corrected")

    page.set_viewport_size(PHONE)
    page.reload()
    _fits(page)


@pytest.fixture
def asset_manager(procurer: Persona) -> Persona:
    return make_persona(
        "alma", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )


def test_a_buyer_imports_a_cloud_bill_compares_a_region_and_sees_the_monitoring_feed(
    live_server: Any, page: Any, asset_manager: Persona, tmp_path: Path
) -> None:
    export = tmp_path / "aws-2024-q3.csv"
    export.write_bytes(
        focus_csv(
            [
                {
                    "ConsumedQuantity": "100",
                    "ConsumedUnit": "Hours",
                    "RegionId": "us-east-1",
                    "ChargeDescription": "$0.192 per On Demand Linux m5.xlarge Instance Hour",
                },
                {
                    "ConsumedQuantity": "2000",
                    "ConsumedUnit": "GB-Months",
                    "ServiceCategory": "Storage",
                    "ServiceName": "Amazon Simple Storage Service",
                },
            ]
        )
    )
    base = live_server.url
    sign_in(page, base, asset_manager.user.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cloud use").click()
    page.set_input_files("#cloud-upload input[type=file]", str(export))
    page.locator("#cloud-upload button").click()

    # every figure with its range and the method it was computed by
    kpis = page.locator(".kpis").inner_text()
    assert "kWh" in kpis and "kgCO2e" in kpis and "–" in kpis
    assert page.locator("#method-link").get_attribute("href") == "/monitoring/method/cloud/"
    assert "us-east-1" in page.locator("#by-region").inner_text()
    assert page.locator("#sources li").count() >= 3

    page.select_option("#id_places", ["aws:eu-north-1"])
    page.locator("#compare-form button").click()
    row = page.locator('#comparison tr[data-place="aws:eu-north-1"]')
    assert "AWS · eu-north-1" in row.inner_text()
    assert row.locator("td.pue").inner_text().strip() == "1.15"
    shot(page, "cloud-compared")
    page.set_viewport_size(PHONE)
    _fits(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cloud use").click()
    feed = page.locator("#cloud-report-years")
    assert feed.locator("tbody tr").count() == 1
    assert "tCO2e" in feed.locator("thead").inner_text()
    page.set_viewport_size(PHONE)
    _fits(page)
