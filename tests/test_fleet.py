"""The fleet register's pages: import in three steps, dashboard, asset list and page, events, and who
may see what. Personas: Arne, asset manager at Rijkswaterstaat; Pia, procurer there (reads only);
Louise, procurer at Ville de Lyon (an outsider to Rijkswaterstaat's register)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.fleet.models import Asset, AssetEvent, AssetImport, SavedColumnMapping, SavedValueMapping
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db

REGISTER = """Inventarisnummer;Categorie;Merk;Model;Aantal;Aankoopdatum;Land;Status;Uitfaseringsdatum;Bestemming;Gewicht
RWS-1;laptop;Dell;Latitude 5420;40;2021-03-01;NL;in gebruik;;;1,4
RWS-2;monitor;Dell;P2422H;25;15-06-2019;NL;;2024-05-01;verkocht;5,5
RWS-3;smartphone;Apple;iPhone 12;12;2020-09-01;NL;in_use;;;
RWS-4;laptop;HP;EliteBook 840 G8;8;2018-01-10;BE;retired;2023-02-01;recycled;
"""
MAPPING = {
    "Inventarisnummer": "asset_key",
    "Categorie": "product_group",
    "Merk": "manufacturer",
    "Model": "model",
    "Aantal": "quantity",
    "Aankoopdatum": "purchase_date",
    "Land": "country",
    "Status": "status",
    "Uitfaseringsdatum": "retired_date",
    "Bestemming": "end_of_use_route",
    "Gewicht": "weight_kg",
}


@pytest.fixture(autouse=True)
def _inline_imports(settings: Any, tmp_path: Any) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = False
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def asset_manager(db: Any) -> Persona:
    return make_persona(
        "arne", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def upload(client: Client, text: str = REGISTER, name: str = "register.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/fleet/rijkswaterstaat/import/",
        {"file": SimpleUploadedFile(name, text.encode("utf-8")), "default_country": "NL"},
    )


def import_register(client: Client, text: str = REGISTER) -> AssetImport:
    response = upload(client, text)
    assert response.status_code == 302, response.content.decode()[:2000]
    record_id = int(response["Location"].rstrip("/").split("/")[-1])
    with system_scope():
        record = AssetImport.objects.get(pk=record_id)
    fields = {f"column_{i}": MAPPING.get(h, record.mapping.get(h, "")) for i, h in enumerate(record.headers)}
    response = client.post(f"/fleet/rijkswaterstaat/import/{record_id}/", fields)
    assert response.status_code == 302
    with system_scope():
        return AssetImport.objects.get(pk=record_id)


def counts() -> tuple[int, int]:
    return Asset.unscoped.count(), AssetEvent.objects.count()


def test_the_mapping_step_guesses_dutch_headers(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)

    response = upload(client)
    page = client.get(response["Location"]).content.decode()

    assert "Map the columns" in page and "4 rows" in page
    assert '<option value="manufacturer" selected>' in page
    assert '<option value="purchase_date" selected>' in page


def test_an_import_stores_every_line_with_its_events(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)

    record = import_register(client)

    assert record.state == AssetImport.State.DONE and record.created_lines == 4 and record.progress == 100
    with system_scope():
        monitor = Asset.objects.get(asset_key="RWS-2")
        assert monitor.status == "retired" and monitor.end_of_use_route == "reuse"
        assert monitor.weight_kg == 5.5 and str(monitor.purchase_date) == "2019-06-15"
        assert [e.kind for e in monitor.events.all()] == ["deployed", "retired"]
    status = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/status.json").json()
    assert status == {**status, "state": "done", "finished": True, "created": 4, "updated": 0}


def test_importing_the_same_register_again_updates_instead_of_duplicating(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)
    import_register(client)
    before = counts()

    record = import_register(
        client, REGISTER.replace("RWS-3;smartphone;Apple;iPhone 12;12", "RWS-3;smartphone;Apple;iPhone 12;15")
    )

    assert (record.created_lines, record.updated_lines) == (0, 4)
    assert counts() == before
    with system_scope():
        assert Asset.objects.get(asset_key="RWS-3").quantity == 15


@pytest.mark.parametrize(
    ("change", "header", "code", "row", "text"),
    [
        (
            ("40;2021-03-01", "veertig;2021-03-01"),
            "Aantal",
            "not_number",
            2,
            "Aantal: not a number — 1 row (2)",
        ),
        (("2018-01-10;BE", "gisteren;BE"), "Aankoopdatum", "not_date", 5, "Aankoopdatum: not a date"),
        (
            ("2023-02-01;recycled", "2017-02-01;recycled"),
            "Uitfaseringsdatum",
            "before_purchase",
            5,
            "Uitfaseringsdatum: before the purchase date — 1 row (5)",
        ),
    ],
)
def test_a_bad_register_is_refused_with_its_rows_and_nothing_is_stored(
    asset_manager: Persona, change: tuple[str, str], header: str, code: str, row: int, text: str
) -> None:
    client = signed_in(asset_manager)
    import_register(client)
    before = counts()

    record = import_register(client, REGISTER.replace(*change))

    assert record.state == AssetImport.State.REFUSED
    assert [(p["header"], p["code"], p["rows"]) for p in record.problems] == [(header, code, [row])]
    assert counts() == before
    page = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/progress/").content.decode()
    assert "nothing was stored" in page and text in page


def test_an_unknown_value_waits_for_the_value_step(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)

    record = import_register(client, REGISTER.replace("monitor;Dell", "broodrooster;Dell"))

    assert record.state == AssetImport.State.VALUES
    page = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/values/").content.decode()
    assert "broodrooster" in page and 'id="values-form"' in page


def test_a_hostile_upload_is_refused_before_the_mapping(asset_manager: Persona) -> None:
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    client = signed_in(asset_manager)

    response = client.post(
        "/fleet/rijkswaterstaat/import/",
        {"file": SimpleUploadedFile("bomb.xlsx", bomb.getvalue()), "default_country": "NL"},
    )

    assert response.status_code == 200
    assert "zip bomb" in response.content.decode()
    with system_scope():
        assert not AssetImport.objects.exists()


def test_the_dashboard_shows_figures_charts_and_sources(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)
    import_register(client)

    page = client.get("/fleet/rijkswaterstaat/").content.decode()

    assert 'id="kpi-devices">52<' in page  # 40 laptops + 12 phones still owned
    for chart in ("chart-age", "chart-life", "chart-emissions", "chart-routes"):
        assert f'id="{chart}"' in page
    assert 'role="img"' in page and "Sold or donated for reuse" in page
    assert "Boavizta" in page and "Ember" in page


def test_the_french_dashboard_puts_a_no_break_space_before_each_colon(asset_manager: Persona) -> None:
    """The dashboard glued "Sources: …", the embodied-source badges ("estimation: 40") and the what-if
    labels to their values with ': '; French writes ' : ' with a no-break space (cfit.labels), so that no line
    starts with the colon."""
    from django.utils.translation import gettext, override

    client = signed_in(asset_manager)
    import_register(client)

    page = client.get("/fleet/rijkswaterstaat/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    what_if = page.split('id="what-if-factors"')[1].split("</p>")[0]
    badges = page.split('<span class="badge">')[1:]
    with override("fr"):
        sources, saving = gettext("Sources"), gettext("Saving")
    assert f"{sources}\u00a0: " in what_if and f"{sources}: " not in what_if
    assert badges and all("\u00a0: " in badge.split("</span>")[0] for badge in badges)
    assert f"{saving}\u00a0: " in page and f"{saving}: " not in page


def test_the_cached_dashboard_follows_the_register(asset_manager: Persona) -> None:
    """The figures' part of the dashboard is cached under the figures' key: a change of the register is a
    new key, so the page never shows figures older than the register, and the editor's import link
    never reaches a reader through the cache."""
    arne = signed_in(asset_manager)
    pia = make_persona(
        "pia", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.VIEWER
    )
    assert "/fleet/rijkswaterstaat/import/" in arne.get("/fleet/rijkswaterstaat/").content.decode()
    assert (
        "/fleet/rijkswaterstaat/import/" not in signed_in(pia).get("/fleet/rijkswaterstaat/").content.decode()
    )
    import_register(arne)
    assert 'id="kpi-devices">52<' in arne.get("/fleet/rijkswaterstaat/").content.decode()

    import_register(arne, REGISTER + "RWS-5;laptop;Dell;Latitude 5420;3;2022-01-01;NL;;;;\n")

    assert 'id="kpi-devices">55<' in arne.get("/fleet/rijkswaterstaat/").content.decode()
    assert 'id="kpi-devices">55<' in signed_in(pia).get("/fleet/rijkswaterstaat/").content.decode()


def test_the_scenario_endpoint_computes_savings(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)
    import_register(client)

    result = client.get(
        "/fleet/rijkswaterstaat/scenario.json", {"life_extension_years": 2, "reuse_share": 0.5}
    ).json()
    refused = client.get("/fleet/rijkswaterstaat/scenario.json", {"refurbished_share": 3})

    saving = result["saving_kgco2e_per_year"]
    assert 0 < saving["low"] <= saving["value"] <= saving["high"]
    assert result["scenario_annual_kgco2e"]["value"] < result["annual_kgco2e"]["value"]
    assert refused.status_code == 400


def test_the_asset_list_filters_and_exports_without_formulas(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)
    import_register(client, REGISTER.replace("P2422H", "=HYPERLINK(1)"))

    retired = client.get("/fleet/rijkswaterstaat/assets/", {"status": "retired"}).content.decode()
    export = client.get("/fleet/rijkswaterstaat/assets/", {"format": "csv"}).content.decode()

    assert "2 lines" in retired and "RWS-2" in retired and "RWS-1" not in retired
    assert export.splitlines()[0].startswith("product_group,manufacturer,model")
    assert "'=HYPERLINK(1)" in export


def test_an_assets_page_explains_its_footprint_and_records_events(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)
    import_register(client)
    with system_scope():
        laptop = Asset.objects.get(asset_key="RWS-1")

    page = client.get(f"/fleet/rijkswaterstaat/assets/{laptop.pk}/").content.decode()
    client.post(
        f"/fleet/rijkswaterstaat/assets/{laptop.pk}/",
        {"kind": "retired", "date": "2026-06-01", "note": "end of lease"},
    )

    for step in (
        "Embodied emissions per device",
        "Grid carbon intensity",
        "Service life",
        "Per year of service, this line",
    ):
        assert step in page
    assert "Netherlands, 2024" in page
    laptop.refresh_from_db()
    assert laptop.status == "retired" and str(laptop.retired_date) == "2026-06-01"
    assert list(laptop.events.values_list("kind", flat=True)) == ["deployed", "retired"]


@pytest.mark.parametrize(
    "url",
    [
        "/fleet/rijkswaterstaat/",
        "/fleet/rijkswaterstaat/assets/",
        "/fleet/rijkswaterstaat/assets/?format=csv",
        "/fleet/rijkswaterstaat/scenario.json",
        "/fleet/rijkswaterstaat/import/",
    ],
)
def test_an_outsider_never_reaches_another_organisations_register(
    asset_manager: Persona, outsider: Persona, url: str
) -> None:
    import_register(signed_in(asset_manager))

    response = signed_in(outsider).get(url)

    assert response.status_code == 404
    assert b"RWS-1" not in response.content


def test_an_outsider_cannot_open_an_asset_or_an_import_by_its_number(
    asset_manager: Persona, outsider: Persona
) -> None:
    record = import_register(signed_in(asset_manager))
    with system_scope():
        asset = Asset.objects.get(asset_key="RWS-1")
    client = signed_in(outsider)

    assert client.get(f"/fleet/rijkswaterstaat/assets/{asset.pk}/").status_code == 404
    assert client.get(f"/fleet/ville-de-lyon/assets/{asset.pk}/").status_code == 404
    assert client.get(f"/fleet/ville-de-lyon/import/{record.pk}/status.json").status_code == 404
    assert (
        client.post(
            f"/fleet/rijkswaterstaat/assets/{asset.pk}/", {"kind": "retired", "date": "2026-01-01"}
        ).status_code
        == 404
    )
    asset.refresh_from_db()
    assert asset.status == "in_use"


def test_a_procurer_reads_the_register_but_cannot_change_it(
    asset_manager: Persona, procurer: Persona
) -> None:
    import_register(signed_in(asset_manager))
    with system_scope():
        asset = Asset.objects.get(asset_key="RWS-1")
    client = signed_in(procurer)

    assert client.get("/fleet/rijkswaterstaat/").status_code == 200
    assert client.get("/fleet/rijkswaterstaat/import/").status_code == 403
    assert (
        client.post(
            f"/fleet/rijkswaterstaat/assets/{asset.pk}/", {"kind": "retired", "date": "2026-01-01"}
        ).status_code
        == 403
    )
    assert "event-form" not in client.get(f"/fleet/rijkswaterstaat/assets/{asset.pk}/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/fleet/rijkswaterstaat/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_empty_register_invites_an_import(asset_manager: Persona) -> None:
    page = signed_in(asset_manager).get("/fleet/rijkswaterstaat/").content.decode()

    assert 'id="empty-fleet"' in page and "/fleet/rijkswaterstaat/import/" in page


@pytest.mark.parametrize(
    # The dashboard: 10, one for the cloud use shown next to the devices (fewer once cached), and one
    # for the lines whose data wiping is not evidenced (counted live, outside the cached figures). The
    # list: 6, and one for the right to retire lines (the ticks and the batch's links).
    ("url", "max_queries"),
    [("/fleet/rijkswaterstaat/", 12), ("/fleet/rijkswaterstaat/assets/", 7)],
)
def test_fleet_pages_do_not_query_per_line(asset_manager: Persona, url: str, max_queries: int) -> None:
    client = signed_in(asset_manager)
    many = REGISTER + "".join(f"RWS-X{n};laptop;Dell;Latitude 5420;1;2022-01-01;NL;;;;\n" for n in range(200))
    import_register(client, many)
    client.get(url)  # the reference data is built once per change, not per request

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(queries) <= max_queries, [q["sql"][:120] for q in queries]


def test_the_template_reads_back(client: Client, asset_manager: Persona) -> None:
    template = client.get("/fleet/template.csv").content.decode()

    record = import_register(signed_in(asset_manager), template.replace(",", ";"))

    assert record.state == AssetImport.State.DONE, record.problems
    assert json.dumps(record.problems) == "[]"


def test_the_demo_registers_match_the_shipped_declarations(asset_manager: Persona) -> None:
    from cfit.demo.fleet import create_demo_fleets
    from cfit.fleet.footprint import fleet_summary

    with system_scope():
        create_demo_fleets({"rijkswaterstaat": asset_manager.organisation})
        figures = fleet_summary(asset_manager.organisation)

    sources = figures.by_product_group["notebooks"].embodied_sources
    assert sources.get("pcf", 0) > 0 and sources.get("default", 0) == 0
    assert any(s.id == "pcf-import" and "Boavizta" in s.title for s in figures.sources)


# --- the value step, saved mappings, problems in the user's language -------------------------------------

GERMAN = """Inventarnummer;Gerätetyp;Hersteller;Modell;Anschaffungsdatum;Land;Status;Verwertungsweg;Ausmusterungsdatum
DE-1;Dienstnotebook;Dell;Latitude 5420;01.03.2021;DE;Leihgerät;;
DE-2;Dienstnotebook;Dell;Latitude 5420;01.03.2021;DE;im Einsatz;;
DE-3;Desktop-PC;Dell;OptiPlex 7090;1.3.2020;Deutschland;ausgemustert;Mitarbeiterverkauf;2024-05-01
"""


def map_columns(client: Client, text: str, name: str = "register.csv") -> tuple[AssetImport, Any]:
    response = upload(client, text, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    record_id = int(response["Location"].rstrip("/").split("/")[-1])
    with system_scope():
        record = AssetImport.objects.get(pk=record_id)
    fields = {f"column_{i}": record.mapping.get(h, "") for i, h in enumerate(record.headers)}
    response = client.post(f"/fleet/rijkswaterstaat/import/{record_id}/", fields)
    with system_scope():
        return AssetImport.objects.get(pk=record_id), response


def test_the_value_step_asks_each_unknown_value_once_and_remembers_the_answers(
    asset_manager: Persona,
) -> None:
    client = signed_in(asset_manager)

    record, response = map_columns(client, GERMAN)
    page = client.get(response["Location"]).content.decode()
    answers = client.post(
        f"/fleet/rijkswaterstaat/import/{record.pk}/values/",
        {"product_group__0": "notebooks", "status__0": "in_stock", "end_of_use_route__0": "reuse"},
    )

    assert response["Location"].endswith(f"/import/{record.pk}/values/")
    assert page.count("Dienstnotebook") == 1 and "Leihgerät" in page and "Mitarbeiterverkauf" in page
    assert answers.status_code == 302
    with system_scope():
        record.refresh_from_db()
        assert record.state == AssetImport.State.DONE, record.problems
        assert dict(SavedValueMapping.objects.values_list("value", "code")) == {
            "dienstnotebook": "notebooks",
            "leihgerät": "in_stock",
            "mitarbeiterverkauf": "reuse",
        }
        assert Asset.objects.get(asset_key="DE-1").status == "in_stock"
        assert Asset.objects.get(asset_key="DE-3").end_of_use_route == "reuse"


def test_a_second_similar_file_needs_no_mapping(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)
    record, response = map_columns(client, GERMAN)
    client.post(
        f"/fleet/rijkswaterstaat/import/{record.pk}/values/",
        {"product_group__0": "notebooks", "status__0": "in_stock", "end_of_use_route__0": "reuse"},
    )

    second, response = map_columns(client, GERMAN.replace("DE-", "DE-B"), "register-2.csv")

    assert response["Location"].endswith(f"/import/{second.pk}/progress/")
    assert second.state == AssetImport.State.DONE and second.created_lines == 3


def test_a_column_chosen_by_hand_is_offered_next_time(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)
    text = REGISTER.replace("Bestemming", "Afvoerkanaal")
    response = upload(client, text)
    record_id = int(response["Location"].rstrip("/").split("/")[-1])
    with system_scope():
        record = AssetImport.objects.get(pk=record_id)
    assert "Afvoerkanaal" not in record.mapping
    fields = {f"column_{i}": MAPPING.get(h, record.mapping.get(h, "")) for i, h in enumerate(record.headers)}
    fields[f"column_{record.headers.index('Afvoerkanaal')}"] = "end_of_use_route"
    client.post(f"/fleet/rijkswaterstaat/import/{record_id}/", fields)

    again = upload(client, text)

    with system_scope():
        record = AssetImport.objects.get(pk=int(again["Location"].rstrip("/").split("/")[-1]))
        assert record.mapping["Afvoerkanaal"] == "end_of_use_route"
        assert SavedColumnMapping.objects.get(header="afvoerkanaal").target == "end_of_use_route"


def test_a_refused_file_downloads_with_each_rows_problems(asset_manager: Persona) -> None:
    client = signed_in(asset_manager)
    record = import_register(client, REGISTER.replace("40;2021-03-01", "veertig;2021-03-01"))

    response = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/problems.csv")

    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].endswith(",Problems") and lines[0].startswith("Inventarisnummer,")
    assert lines[1].startswith("RWS-1,") and lines[1].endswith("Aantal: not a number")
    assert lines[2].endswith(",")


def test_problems_are_given_in_the_users_language(asset_manager: Persona) -> None:
    from django.utils import translation

    client = signed_in(asset_manager)
    record = import_register(client, REGISTER.replace("40;2021-03-01", "veertig;2021-03-01"))
    client.cookies["django_language"] = "de"

    status = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/status.json").json()

    with translation.override("de"):
        expected = translation.gettext("not a number")
    assert len(status["problems"]) == 1 and expected in status["problems"][0]
    assert status["problems_csv"].endswith("/problems.csv")


def test_every_problem_code_is_translatable_with_the_same_parameters() -> None:
    import re

    from cfit.fleet.problems import MESSAGES as TRANSLATED
    from cfit.impact.problems import MESSAGES

    assert set(TRANSLATED) == set(MESSAGES)
    for code, text in MESSAGES.items():
        assert re.findall(r"\{(\w+)\}", text) == re.findall(r"%\((\w+)\)s", str(TRANSLATED[code])), code


def test_an_assets_footprint_is_written_as_the_reader_writes_numbers(asset_manager: Persona) -> None:
    """Forty laptops' figures run into thousands: in Dutch "1.896,21", never "1896,21"."""
    import re

    client = signed_in(asset_manager)
    import_register(client)
    with system_scope():
        laptop = Asset.objects.get(asset_key="RWS-1")
    client.cookies["django_language"] = "nl"

    page = client.get(f"/fleet/rijkswaterstaat/assets/{laptop.pk}/").content.decode()
    table = page.split("<tbody>")[1].split("</tbody>")[0]

    assert re.search(r"\b\d{1,3}(?:\.\d{3})+,\d{2}\b", table), table
    assert not re.search(r"\b\d{4,},\d{2}\b", table), table
