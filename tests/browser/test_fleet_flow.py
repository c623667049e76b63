"""An asset manager imports a register through the pages, maps a column by hand, follows the import's
progress, reads the dashboard's charts and moves a what-if slider; another imports a German register
in German, maps its unknown values once, and imports a similar file without mapping anything."""

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
        "Inventarisnummer;Categorie;Merk;Model;Aantal;Aankoopdatum;Land;Status;Uitfaseringsdatum;Afvoerkanaal",
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
    # "Afvoerkanaal" is not a word we know: map it by hand.
    route = page.get_by_label("Afvoerkanaal")
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
    page.locator("#scenario[data-updated]").wait_for()
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


GERMAN = "\n".join(
    [
        "Inventarnummer;Gerätetyp;Hersteller;Modell;Anzahl;Aanschafdatum;Land;Status;Verwertungsweg;"
        "Ausmusterungsdatum;Bildschirmdiagonale (Zoll)",
        *[
            f"FR-NB-{n};Dienstnotebook;Dell;Latitude 5420;{1 + n % 3};01.03.20{19 + n % 4};DE;im Einsatz;;;14"
            for n in range(8)
        ],
        *[f"FR-PC-{n};Desktop-PC;Dell;OptiPlex 7090;2;1.3.2021;Deutschland;Leihgerät;;;0" for n in range(3)],
        *[
            f"FR-MO-{n};Bildschirm;Dell;P2422H;4;15.06.2018;DE;ausgemustert;Mitarbeiterverkauf;01.05.2024;23,8"
            for n in range(4)
        ],
    ]
)


def _de(text: str) -> str:
    from django.utils import translation

    with translation.override("de"):
        return translation.gettext(text)


def test_a_german_register_with_unknown_values_is_mapped_once_then_imports_by_itself(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    greta = make_persona(
        "greta",
        "uni-freiburg",
        Organisation.Type.PROCURING_PARTICIPANT,
        Membership.Role.ASSET_MANAGER,
        country="DE",
    )
    register = tmp_path / "bestand.csv"
    register.write_text(GERMAN, encoding="utf-8")
    base = live_server.url
    sign_in(page, base, greta.user.username)
    with page.expect_navigation():  # the switcher submits its form on change
        page.select_option("#language-switcher", "de")
    page.wait_for_selector("html[lang=de]")

    page.goto(base + "/fleet/uni-freiburg/import/")
    assert page.get_by_role("heading", level=1).inner_text() == _de("Import a register")
    page.set_input_files("#id_file", str(register))
    page.locator("#register-upload button").click()
    page.wait_for_selector("#mapping-form")
    # Every header of the file is known, in German and Dutch alike.
    for header, column in (
        ("Gerätetyp", "product_group"),
        ("Aanschafdatum", "purchase_date"),
        ("Verwertungsweg", "end_of_use_route"),
        ("Bildschirmdiagonale (Zoll)", "screen_size_in"),
    ):
        assert page.get_by_label(header).input_value() == column
    page.locator("#mapping-form button").click()

    page.wait_for_selector("#values-form")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("heading", level=1).inner_text() == _de("Map the values")
    assert page.get_by_role("columnheader", name=_de("Value in your file")).first.is_visible()
    # Each unknown value once, with its count; the suggestions are chosen already.
    assert page.locator("label", has_text="Dienstnotebook").count() == 1
    assert page.get_by_label("Dienstnotebook").input_value() == "notebooks"
    assert page.get_by_label("Mitarbeiterverkauf").input_value() == "reuse"
    assert page.get_by_label("Leihgerät").input_value() == ""
    page.get_by_label("Leihgerät").select_option("in_stock")
    shot(page, "fleet-values-de")
    page.locator("#values-form button").click()

    page.wait_for_selector("#import-result:not([hidden])", timeout=30_000)
    assert page.locator("#import-created").inner_text() == "15"
    assert page.locator("html").get_attribute("lang") == "de"

    # A similar file: no value step, nothing to map.
    register.write_text(GERMAN.replace("FR-", "FR2-"), encoding="utf-8")
    page.goto(base + "/fleet/uni-freiburg/import/")
    page.set_input_files("#id_file", str(register))
    page.locator("#register-upload button").click()
    page.wait_for_selector("#mapping-form")
    page.locator("#mapping-form button").click()
    page.wait_for_selector("#import-result:not([hidden])", timeout=30_000)
    assert "/values/" not in page.url
    assert page.locator("#import-created").inner_text() == "15"
    with system_scope():
        assets = Asset.objects.filter(organisation=greta.organisation)
        assert assets.count() == 30
        assert assets.filter(status="in_stock").count() == 6
        assert assets.filter(end_of_use_route="reuse").count() == 8
