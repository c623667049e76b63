"""An asset manager imports a register through the pages, maps a column by hand, follows the import's
progress, reads the dashboard's charts and moves a what-if slider."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.fleet.models import Asset

from ..conftest import make_persona
from .test_library import shot
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGISTER = "\n".join(
    [
        "Inventarisnummer;Categorie;Merk;Model;Aantal;Aankoopdatum;Land;Status;Uitfaseringsdatum;Afvoerroute",
        *[f"NB-{n};laptop;Dell;Latitude 5420;20;20{17 + n % 8}-03-01;NL;in gebruik;;" for n in range(12)],
        *[
            f"MO-{n};monitor;HP;E24 G4;10;20{15 + n % 5}-06-15;NL;afgeschreven;2025-0{1 + n % 9}-01;verkocht"
            for n in range(9)
        ],
        "SM-1;smartphone;Apple;iPhone 12;30;2021-09-01;NL;;2025-10-01;gerecycled",
    ]
)


def test_an_asset_manager_imports_a_register_and_explores_the_dashboard(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    arne = make_persona(
        "arne", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )
    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    base = live_server.url
    sign_in(page, base, arne.user.username)

    page.get_by_role("link", name="Fleet", exact=True).click()
    page.wait_for_selector("#empty-fleet")
    page.click("#import-link")
    page.set_input_files("#id_file", str(register))
    page.locator("#register-upload button").click()
    page.wait_for_selector("#mapping-form")
    # "Afvoerroute" is not a word we know: map it by hand.
    route = page.get_by_label("Afvoerroute")
    assert route.input_value() == ""
    route.select_option("end_of_use_route")
    assert page.get_by_label("Merk").input_value() == "manufacturer"
    shot(page, "fleet-mapping")
    page.locator("#mapping-form button").click()

    page.wait_for_selector("#import-result:not([hidden])", timeout=30_000)
    assert page.locator("#import-created").inner_text() == "22"
    assert page.locator("#import-bar").get_attribute("value") == "100"
    page.click("#to-dashboard")

    page.wait_for_selector("#scenario")
    assert page.locator("#kpi-devices").inner_text() == "240"
    for chart in ("chart-age", "chart-life", "chart-emissions", "chart-routes"):
        assert page.locator(f"#{chart} svg rect").count() > 0, chart
    baseline = page.locator("#scenario-value").inner_text()
    page.locator("#life").fill("2")
    page.wait_for_function("document.getElementById('scenario').dataset.updated !== undefined")
    assert page.locator("#life-out").inner_text() == "2"
    assert page.locator("#scenario-saving").inner_text() not in ("0", "")
    assert page.locator("#scenario-value").inner_text() != baseline
    width = page.locator("#scenario-bar").evaluate("bar => parseFloat(bar.style.width)")
    assert 0 < width < 100
    shot(page, "fleet-dashboard")

    page.click("text=Asset lines")
    page.get_by_role("link", name="MO-0", exact=True).click()
    page.wait_for_selector("#footprint")
    assert "Sold or donated for reuse" in page.content()
    with system_scope():
        assert Asset.objects.filter(organisation=arne.organisation).count() == 22
