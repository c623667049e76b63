"""Registers as tools export them, through the pages in the file's language: Louise imports Ville de
Lyon's French export (a title above the header, a totals row under it) in French; Sam imports an ITAM
export in English, is told on his own Status column what its retired rows lack, downloads the file
with each row's problems and imports it again with the dates; Ingrid maps Oslo's one Norwegian word
nobody knows in Norwegian. The files are those of ``tests/data/registers``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from cfit.accounts.scoping import system_scope
from cfit.fleet.models import Asset
from tests.conftest import Persona

from ..test_register_real_files import FILES, manager, with_retirement_dates
from .test_library import shot
from .test_tender_builder import download, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def in_language(page: Any, language: str) -> None:
    with page.expect_navigation():  # the switcher submits its form on change
        page.select_option("#language-switcher", language)
    page.wait_for_selector(f"html[lang={language}]")


def signed_in(
    page: Any, base: str, settings: Any, tmp_path: Path, username: str, slug: str, country: str, language: str
) -> Persona:
    """An asset manager of a new organisation, signed in and reading the pages in ``language``."""
    settings.UPLOAD_DIR = tmp_path / "uploads"
    persona = manager(username, slug, country)
    sign_in(page, base, username)
    if language != "en":
        in_language(page, language)
    return persona


def send(page: Any, base: str, slug: str, path: Path) -> None:
    page.goto(f"{base}/fleet/{slug}/import/")
    page.set_input_files("#id_file", str(path))
    page.locator("#register-upload button").click()
    page.wait_for_selector("#mapping-form")


def test_a_french_export_with_a_title_and_a_totals_row_imports_on_the_first_try(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    base = live_server.url
    louise = signed_in(page, base, settings, tmp_path, "louise", "ville-de-lyon", "FR", "fr")

    send(page, base, "ville-de-lyon", FILES / "fr-parc-informatique.xlsx")

    assert "Parc" in page.locator("#table-found").inner_text()
    assert page.get_by_label("N° d'inventaire").input_value() == "asset_key"
    assert page.get_by_label("Poids (kg)").input_value() == "weight_kg"
    shot(page, "fleet-real-fr-mapping")
    page.locator("#mapping-form button").click()
    page.wait_for_selector("#import-result:not([hidden])", timeout=30_000)
    assert page.locator("#import-created").inner_text() == "5"
    assert page.locator("html").get_attribute("lang") == "fr"
    with system_scope():
        assert Asset.objects.filter(organisation=louise.organisation).count() == 5


def test_an_itam_export_is_refused_on_its_status_column_then_imports_with_its_dates(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    base = live_server.url
    signed_in(page, base, settings, tmp_path, "sam", "camden-council", "GB", "en")

    send(page, base, "camden-council", FILES / "en-itam-export.csv")
    page.locator("#mapping-form button").click()
    page.wait_for_selector("#import-problems:not([hidden])", timeout=30_000)

    problems = page.locator("#problem-list li").all_inner_texts()
    assert len(problems) == 1 and problems[0].startswith("Status: a retired device needs its retirement date")
    assert "2 rows (6, 7)" in problems[0] and "“Retired”" in problems[0]
    shot(page, "fleet-real-itam-refused")
    annotated = download(page, "#problems-csv", tmp_path).decode("utf-8")
    rows = annotated.splitlines()
    assert rows[0].endswith(",Problems") and "no column of the file is mapped" in rows[5]
    assert rows[1].endswith(",")  # a deployed laptop: nothing to say

    dated = tmp_path / "en-itam-export.csv"
    dated.write_text(with_retirement_dates((FILES / "en-itam-export.csv").read_text("utf-8")), "utf-8")
    send(page, base, "camden-council", dated)
    assert page.get_by_label("Retired Date").input_value() == "retired_date"
    page.locator("#mapping-form button").click()
    page.wait_for_selector("#import-result:not([hidden])", timeout=30_000)
    assert page.locator("#import-created").inner_text() == "6"


def test_a_norwegian_asset_manager_maps_the_one_word_nobody_knows_in_norwegian(
    live_server: Any, page: Any, tmp_path: Path, settings: Any
) -> None:
    base = live_server.url
    ingrid = signed_in(page, base, settings, tmp_path, "ingrid", "oslo-kommune", "NO", "nb")
    register = tmp_path / "utstyr.csv"
    text = (
        (FILES / "nb-utstyr.csv")
        .read_bytes()
        .decode("cp1252")
        .replace("Gjenvunnet", "Levert til gjenvinning")
    )
    register.write_bytes(text.encode("cp1252"))

    send(page, base, "oslo-kommune", register)
    assert page.get_by_label("Produkttype").input_value() == "product_group"
    page.locator("#mapping-form button").click()
    page.wait_for_selector("#values-form")

    assert page.get_by_role("heading", level=1).inner_text() == said("nb", "Map the values")
    assert page.locator("#values-form label").all_inner_texts() == ["Levert til gjenvinning"]
    page.get_by_label("Levert til gjenvinning").select_option("recycled")
    shot(page, "fleet-real-nb-values")
    page.locator("#values-form button").click()
    page.wait_for_selector("#import-result:not([hidden])", timeout=30_000)
    assert page.locator("#import-created").inner_text() == "10"
    with system_scope():
        assert (
            Asset.objects.filter(organisation=ingrid.organisation, end_of_use_route="recycled").count() == 2
        )
