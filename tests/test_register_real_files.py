"""Registers as asset-management tools export them, imported through the pages by asset managers in
the file's language: Louise (Ville de Lyon) with a French workbook that has a title above its header
and a totals row under it; Ingrid (Oslo kommune) with a Norwegian CSV in Windows-1252; Sam (a London
borough) with an ITAM export; Noor (Gemeente Groningen) with a Dutch workbook whose notes come first;
Greta (Uni Freiburg) with a German CSV that groups thousands; and Arne (Rijkswaterstaat) with 50,000
lines of which three hold a product group nobody knows. The files are in ``tests/data/registers``
(``make.py`` made them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.fleet.models import Asset, AssetImport
from cfit.impact.register import check_register, read_raw
from cfit.jobs.models import Job
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "data" / "registers"


@pytest.fixture(autouse=True)
def _inline_imports(settings: Any, tmp_path: Path) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = False
    settings.UPLOAD_DIR = tmp_path / "uploads"


def manager(username: str, slug: str, country: str) -> Persona:
    return make_persona(
        username,
        slug,
        Organisation.Type.PROCURING_PARTICIPANT,
        Membership.Role.ASSET_MANAGER,
        country=country,
    )


def client_in(persona: Persona, language: str) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


def upload(client: Client, persona: Persona, name: str, data: bytes | None = None) -> AssetImport:
    content = data if data is not None else (FILES / name).read_bytes()
    response = client.post(
        f"/fleet/{persona.organisation.slug}/import/",
        {"file": SimpleUploadedFile(name, content), "default_country": persona.organisation.country},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with system_scope():
        return AssetImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def map_as_guessed(client: Client, record: AssetImport, **changes: str) -> Any:
    """The column step's form sent as the page proposes it, with ``changes`` (header -> column)."""
    fields = {
        f"column_{i}": changes.get(header, record.mapping.get(header, ""))
        for i, header in enumerate(record.headers)
    }
    return client.post(f"/fleet/{record.organisation.slug}/import/{record.pk}/", fields)


def with_retirement_dates(export: str) -> str:
    """The ITAM export again with the "Retired Date" its tool also holds, on the retired rows."""
    lines = export.splitlines()
    dated = [
        line + (",2025-01-31T00:00:00Z" if ",Retired," in line or ",Disposed," in line else ",")
        for line in lines[1:]
    ]
    return "\n".join([lines[0] + ",Retired Date", *dated]) + "\n"


def refreshed(record: AssetImport) -> AssetImport:
    with system_scope():
        return AssetImport.objects.get(pk=record.pk)


def assets(persona: Persona) -> Any:
    with system_scope():
        return list(Asset.objects.filter(organisation=persona.organisation).order_by("asset_key"))


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_a_french_export_with_a_title_above_its_header_and_a_totals_row_imports_at_once() -> None:
    louise = manager("louise", "ville-de-lyon", "FR")
    client = client_in(louise, "fr")

    record = upload(client, louise, "fr-parc-informatique.xlsx")
    page = client.get(f"/fleet/ville-de-lyon/import/{record.pk}/").content.decode()
    response = map_as_guessed(client, record)

    # The title and the blank row above the header are left out, and the page says where it read.
    assert record.headers[0] == "N° d'inventaire" and record.header_row == 3 and record.sheet == "Parc"
    assert 'id="table-found"' in page and "Parc" in page
    assert record.rows == 5  # "fr-parc-informatique.xlsx : 5 lignes", the totals row not counted
    assert record.mapping["N° d'inventaire"] == "asset_key"
    assert response.status_code == 302
    assert refreshed(record).state == AssetImport.State.DONE, refreshed(record).problems
    lines = assets(louise)
    # Five devices: "Total : 1 234" is the export's sum, not a line.
    assert [a.asset_key for a in lines] == ["LY-001", "LY-002", "LY-003", "LY-004", "LY-005"]
    by_key = {a.asset_key: a for a in lines}
    # An Excel date and a date typed as text, read the French way (day first); decimal commas.
    assert by_key["LY-001"].purchase_date == date(2021, 3, 4)
    assert by_key["LY-002"].purchase_date == date(2021, 4, 3)
    assert by_key["LY-002"].weight_kg == pytest.approx(1.32)
    assert by_key["LY-005"].weight_kg == pytest.approx(0.164)


def test_a_norwegian_csv_in_windows_1252_finds_its_product_type_and_its_words() -> None:
    ingrid = manager("ingrid", "oslo-kommune", "NO")
    client = client_in(ingrid, "nb")

    record = upload(client, ingrid, "nb-utstyr.csv")
    map_as_guessed(client, record)

    assert record.mapping["Produkttype"] == "product_group"
    assert record.mapping["Innkjøpsdato"] == "purchase_date"
    assert refreshed(record).state == AssetImport.State.DONE, refreshed(record).problems
    lines = {a.asset_key: a for a in assets(ingrid)}
    assert len(lines) == 10
    assert lines["OS-0"].product_group == "notebooks" and lines["OS-S0"].product_group == "monitors"
    assert lines["OS-S0"].condition == "refurbished"  # "Ombruk"
    assert lines["OS-R0"].status == "retired" and lines["OS-R0"].end_of_use_route == "recycled"


def test_an_itam_export_reads_its_timestamps_and_says_what_its_retired_rows_lack() -> None:
    sam = manager("sam", "camden-council", "GB")
    client = client_in(sam, "en")

    record = upload(client, sam, "en-itam-export.csv")
    map_as_guessed(client, record)
    refused = refreshed(record)
    page = client.get(f"/fleet/camden-council/import/{record.pk}/progress/").content.decode()

    # "2021-03-04T00:00:00Z" is a date; the retired rows are said on the file's own Status column,
    # with what to do, not on a "retired_date" column the file does not have.
    assert refused.state == AssetImport.State.REFUSED
    assert [p["code"] for p in refused.problems] == ["retired_no_date_column"]
    assert refused.problems[0]["header"] == "Status" and refused.problems[0]["rows"] == [6, 7]
    assert "no column of the file is mapped to it" in page and "retired_date" not in page

    # Second try: the export with the disposal date the tool also holds.
    dated = with_retirement_dates((FILES / "en-itam-export.csv").read_text(encoding="utf-8"))
    second = upload(client, sam, "en-itam-export.csv", dated.encode())
    map_as_guessed(client, second)

    assert refreshed(second).state == AssetImport.State.DONE, refreshed(second).problems
    lines = {a.asset_key: a for a in assets(sam)}
    assert lines["IT-1000"].purchase_date == date(2021, 3, 4) and lines["IT-1000"].status == "in_use"
    assert lines["IT-1001"].status == "in_stock" and lines["IT-1003"].product_group == "smartphones"
    assert lines["IT-1005"].status == "retired" and lines["IT-1005"].retired_date == date(2025, 1, 31)
    assert lines["IT-1000"].country == "GB"


def test_a_dutch_workbook_is_read_from_the_sheet_that_holds_the_register() -> None:
    noor = manager("noor", "gemeente-groningen", "NL")
    client = client_in(noor, "nl")

    record = upload(client, noor, "nl-apparaten-twee-bladen.xlsx")
    page = client.get(f"/fleet/gemeente-groningen/import/{record.pk}/").content.decode()
    map_as_guessed(client, record)

    assert record.sheet == "Apparaten" and record.header_row == 1
    assert "Toelichting" not in page and "Apparaten" in page
    # The hidden column is offered like any other, and not imported unless mapped.
    assert "Intern ID" in record.headers and "Intern ID" not in record.mapping
    assert refreshed(record).state == AssetImport.State.DONE, refreshed(record).problems
    assert len(assets(noor)) == 6


def test_a_german_quantity_of_1_000_is_a_thousand_devices_and_empty_lines_are_no_lines() -> None:
    greta = manager("greta", "uni-freiburg", "DE")
    client = client_in(greta, "de")

    record = upload(client, greta, "de-bestand-anzahl.csv")
    map_as_guessed(client, record)

    assert record.headers == ["Inventarnummer", "Gerätetyp", "Hersteller", "Modell", "Anzahl", "Kaufdatum"]
    assert refreshed(record).state == AssetImport.State.DONE, refreshed(record).problems
    quantities = {a.asset_key: a.quantity for a in assets(greta)}
    assert quantities == {"MS-0": 1000, "MS-1": 1000, "MS-M0": 12, "MS-M1": 12, "MS-M2": 12}


@pytest.mark.parametrize(
    ("cell", "quantity"), [("1.000", 1000), ("1,000", 1000), ("12.500", 12500), ("1 000", 1000), ("7", 7)]
)
def test_whole_numbers_read_a_grouping_separator_as_thousands(cell: str, quantity: int) -> None:
    text = f"product_group;manufacturer;model;purchase_date;country;quantity\nnotebooks;Dell;X;2022-01-01;DE;{cell}\n"

    register = check_register(read_raw(text.encode(), "r.csv"), today=date(2026, 1, 1))

    assert register.get_column("quantity").to_list() == [quantity]


def test_a_decimal_quantity_is_still_not_a_whole_number() -> None:
    text = "product_group;manufacturer;model;purchase_date;country;quantity\nnotebooks;Dell;X;2022-01-01;DE;1,5\n"

    with pytest.raises(Exception, match="not a whole number"):
        check_register(read_raw(text.encode(), "r.csv"), today=date(2026, 1, 1))


def test_fifty_thousand_lines_with_three_unknown_asks_one_value_and_survive_a_restart(
    settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from cfit.jobs import runner

    arne = manager("arne", "rijkswaterstaat", "NL")
    client = client_in(arne, "nl")
    lines = ["Inventarisnummer;Categorie;Merk;Model;Aantal;Aankoopdatum"]
    lines += [
        f"RWS-{n};{'broodrooster' if n in (7, 25_000, 49_999) else 'laptop'};Dell;Latitude {n % 40};1;2022-0{1 + n % 9}-01"
        for n in range(50_000)
    ]
    record = upload(client, arne, "groot.csv", ("\n".join(lines) + "\n").encode())
    map_as_guessed(client, record)

    page = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/values/").content.decode()
    assert refreshed(record).state == AssetImport.State.VALUES
    assert page.count('id="id_product_group__') == 1 and "broodrooster" in page
    assert '<td class="num">3</td>' in page

    # The server dies between the value step and the import: the job waits, and the progress page
    # takes it up when it is asked.
    settings.FLEET_IMPORT_IN_BACKGROUND = True
    settings.JOBS_THREAD_FALLBACK = False
    client.post(f"/fleet/rijkswaterstaat/import/{record.pk}/values/", {"product_group__0": "desktops"})
    assert refreshed(record).state == AssetImport.State.RUNNING
    Job.objects.update(created=timezone.now() - timezone.timedelta(minutes=5))
    settings.JOBS_THREAD_FALLBACK = True
    started: list[int] = []
    monkeypatch.setattr(runner, "_run_in_thread", started.append)
    with django_capture_on_commit_callbacks(execute=True):
        status = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/status.json").json()
    assert status["state"] == "running" and started  # dispatched again
    call_command("worker", "--burst")

    status = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/status.json").json()
    assert status["state"] == "done" and status["progress"] == 100 and status["created"] == 50_000
    with system_scope():
        assert Asset.objects.filter(organisation=arne.organisation, product_group="desktops").count() == 3


def test_a_csv_export_with_a_title_line_is_read_from_its_header_and_names_file_rows() -> None:
    text = (
        "Export du parc;;;;;\n"
        ";;;;;\n"
        "Catégorie;Marque;Modèle;Date d'achat;Pays;Quantité\n"
        "Ordinateur portable;Dell;Latitude 5440;04/03/2021;FR;2\n"
        "Écran;Dell;P2422H;2030-01-01;FR;1\n"
    )
    raw = read_raw(text.encode("cp1252"), "parc.csv")

    assert (raw.sheet, raw.header_row, raw.headers[0]) == ("", 3, "Catégorie")
    with pytest.raises(Exception, match="row 5") as refused:
        check_register(raw, today=date(2026, 1, 1))
    assert [g.code for g in refused.value.groups] == ["future"]  # type: ignore[attr-defined]
