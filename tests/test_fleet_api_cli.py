"""The fleet register through the JSON API and the command line: figures, imports, boundaries.

Personas: Arne, asset manager at Rijkswaterstaat (may edit its register); Vera, viewer at
Rijkswaterstaat (reads only); Pia, procurer at Rijkswaterstaat (reads only); Louise, outsider at
Ville de Lyon. The real Boavizta data set is read from ``../shared/data`` where it is present; the
tests that need it are skipped otherwise.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from cfit.accounts.models import Membership, Organisation
from cfit.fleet import actions
from cfit.fleet.models import Asset, AssetEvent
from cfit.impact import store
from cfit.impact.figures import METHOD_VERSION
from cfit.impact.models import EstimatorFit, FootprintDataset, GridIntensity, ProductFootprint
from cfit.impact.register import ALL_COLUMNS, ProductGroup
from cfit.impact.store import current_reference

from .conftest import Persona, make_persona

PCF_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "boavizta-pcf" / "boavizta-data-us.csv"
PCF_HEADER = (
    "manufacturer,name,subcategory,gwp_total,gwp_use_ratio,gwp_error_ratio,hard_drive,report_date,sources\n"
)
RWS = "rijkswaterstaat"
SPAN_KEYS = ("low", "value", "high")

#: Five lines, 24 devices: one line of 4 notebooks is retired, so 20 devices are still in the fleet.
LINES: list[dict[str, str]] = [
    {
        "asset_key": "NB-1",
        "product_group": "notebooks",
        "manufacturer": "Dell",
        "model": "Latitude 5420",
        "quantity": "10",
        "purchase_date": "2022-03-01",
        "country": "NL",
        "weight_kg": "1.4",
        "screen_size_in": "14",
        "memory_gb": "16",
        "storage_gb": "512",
    },
    {
        "asset_key": "MON-1",
        "product_group": "monitors",
        "manufacturer": "Dell",
        "model": "P2422H",
        "quantity": "5",
        "purchase_date": "2021-06-01",
        "condition": "refurbished",
        "country": "NL",
    },
    {
        "asset_key": "PH-1",
        "product_group": "smartphones",
        "manufacturer": "Apple",
        "model": "iPhone 12",
        "quantity": "3",
        "purchase_date": "2021-01-10",
        "acquisition": "leased",
        "country": "NL",
        "status": "in_stock",
    },
    {
        "asset_key": "NB-2",
        "product_group": "notebooks",
        "manufacturer": "HP",
        "model": "EliteBook 840 G5",
        "quantity": "4",
        "purchase_date": "2018-02-01",
        "country": "NL",
        "status": "retired",
        "retired_date": "2023-05-01",
        "end_of_use_route": "reuse",
    },
    {
        "asset_key": "DT-1",
        "product_group": "desktops",
        "manufacturer": "Lenovo",
        "model": "ThinkCentre M720q",
        "quantity": "2",
        "purchase_date": "2020-09-01",
        "country": "NL",
        "status": "in_repair",
    },
]
ACTIVE_DEVICES = 20


def register_csv(lines: list[dict[str, str]]) -> bytes:
    """A register file with the standard headers, one row per line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(ALL_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for line in lines:
        writer.writerow(line)
    return out.getvalue().encode()


def upload(data: bytes, name: str = "fleet.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def assert_span(span: dict[str, float]) -> None:
    assert set(span) >= set(SPAN_KEYS)
    assert span["low"] <= span["value"] <= span["high"]


def counts() -> tuple[int, int]:
    return Asset.unscoped.count(), AssetEvent.objects.count()


# --- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _inline_imports(settings: Any, tmp_path: Path) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = False
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def asset_manager(db: Any) -> Persona:
    return make_persona("arne", RWS, Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER)


@pytest.fixture
def viewer(asset_manager: Persona) -> Persona:
    return make_persona("vera", RWS, Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.VIEWER)


@pytest.fixture
def register_file(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.csv"
    path.write_bytes(register_csv(LINES))
    return path


@pytest.fixture
def imported(asset_manager: Persona) -> Organisation:
    """Rijkswaterstaat with the five lines of ``LINES`` in its register."""
    actions.import_register_file(asset_manager.organisation, register_csv(LINES), "fleet.csv")
    return asset_manager.organisation


@pytest.fixture
def manager_client(client: Client, asset_manager: Persona) -> Client:
    client.force_login(asset_manager.user)
    return client


@pytest.fixture
def pcf_data() -> Path:
    if not PCF_DATA.exists():
        pytest.skip(f"the Boavizta data set is not at {PCF_DATA}")
    return PCF_DATA


def run(*args: str) -> str:
    """What a command writes through its own ``stdout`` (as ``call_command(stdout=...)`` captures it)."""
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


Capsys = pytest.CaptureFixture[str]


def printed(capsys: Capsys, *args: str) -> str:
    """What a command prints on standard output, wherever it writes it."""
    capsys.readouterr()
    call_command(*args)
    return capsys.readouterr().out


# --- API: summary and scenario ---------------------------------------------------------------------------


def test_the_summary_counts_the_devices_of_lines_not_retired(
    manager_client: Client, imported: Organisation
) -> None:
    expected = sum(a.quantity for a in Asset.unscoped.filter(organisation=imported).exclude(status="retired"))

    response = manager_client.get(f"/api/v1/fleet/{RWS}/summary")

    assert response.status_code == 200
    body = response.json()
    assert body["devices"] == expected == ACTIVE_DEVICES
    assert body["lines"] == len(LINES)


def test_the_summary_gives_every_total_with_its_range(manager_client: Client, imported: Organisation) -> None:
    body = manager_client.get(f"/api/v1/fleet/{RWS}/summary").json()

    for key in ("embodied_kgco2e", "use_kgco2e_per_year", "annual_kgco2e"):
        assert_span(body[key])
    assert body["embodied_kgco2e"]["value"] > 0
    assert body["annual_kgco2e"]["value"] > 0


def test_the_summary_breaks_down_by_group_and_shows_circularity_and_sources(
    manager_client: Client, imported: Organisation
) -> None:
    body = manager_client.get(f"/api/v1/fleet/{RWS}/summary").json()

    groups = body["by_product_group"]
    assert set(groups) == {"notebooks", "monitors", "smartphones", "desktops"}
    assert groups["notebooks"]["devices"] == 10
    assert sum(g["devices"] for g in groups.values()) == ACTIVE_DEVICES
    for group in groups.values():
        assert_span(group["embodied_kgco2e"])
    assert body["circularity"]["retired_devices"] == 4
    assert body["circularity"]["end_of_use_routes"]["reuse"]["units"] == 4
    assert body["sources"]
    assert all(source["id"] and source["title"] for source in body["sources"])


def test_a_life_extension_gives_a_positive_saving_with_its_range(
    manager_client: Client, imported: Organisation
) -> None:
    response = manager_client.get(f"/api/v1/fleet/{RWS}/scenario", {"life_extension_years": 2})

    assert response.status_code == 200
    body = response.json()
    saving = body["saving_kgco2e_per_year"]
    assert saving["value"] > 0
    assert saving["low"] <= saving["value"] <= saving["high"]
    assert body["scenario_annual_kgco2e"]["value"] < body["annual_kgco2e"]["value"]


@pytest.mark.parametrize(
    "query",
    [{"refurbished_share": 1.5}, {"reuse_share": -0.1}, {"life_extension_years": 11}],
)
def test_a_scenario_out_of_range_is_refused(
    manager_client: Client, imported: Organisation, query: dict[str, float]
) -> None:
    response = manager_client.get(f"/api/v1/fleet/{RWS}/scenario", query)

    assert response.status_code == 422


# --- API: the list of asset lines ------------------------------------------------------------------------


def test_the_asset_list_is_paged(manager_client: Client, imported: Organisation) -> None:
    ids = list(Asset.unscoped.filter(organisation=imported).order_by("id").values_list("id", flat=True))

    pages = [
        manager_client.get(f"/api/v1/fleet/{RWS}/assets", {"per_page": 2, "page": page}).json()
        for page in (1, 2, 3, 4)
    ]

    assert [p["count"] for p in pages] == [len(LINES)] * 4
    assert [p["page"] for p in pages] == [1, 2, 3, 4]
    assert [[a["id"] for a in p["assets"]] for p in pages] == [ids[0:2], ids[2:4], ids[4:5], []]


def test_the_asset_list_filters_by_product_group_and_status(
    manager_client: Client, imported: Organisation
) -> None:
    notebooks = manager_client.get(f"/api/v1/fleet/{RWS}/assets", {"product_group": "notebooks"}).json()
    retired = manager_client.get(f"/api/v1/fleet/{RWS}/assets", {"status": "retired"}).json()
    both = manager_client.get(
        f"/api/v1/fleet/{RWS}/assets", {"product_group": "notebooks", "status": "in_use"}
    ).json()

    assert notebooks["count"] == 2
    assert {a["asset_key"] for a in notebooks["assets"]} == {"NB-1", "NB-2"}
    assert retired["count"] == 1
    assert retired["assets"][0]["asset_key"] == "NB-2"
    assert retired["assets"][0]["retired_date"] == "2023-05-01"
    assert [a["asset_key"] for a in both["assets"]] == ["NB-1"]


@pytest.mark.parametrize("query", [{"page": 0}, {"per_page": 0}, {"per_page": 1001}])
def test_the_asset_list_refuses_pages_out_of_range(
    manager_client: Client, imported: Organisation, query: dict[str, int]
) -> None:
    assert manager_client.get(f"/api/v1/fleet/{RWS}/assets", query).status_code == 422


# --- API: importing a register file ----------------------------------------------------------------------


def test_an_import_through_the_api_adds_the_lines(manager_client: Client) -> None:
    response = manager_client.post(
        f"/api/v1/fleet/{RWS}/assets/import",
        {"file": upload(register_csv(LINES)), "default_country": "NL"},
    )

    assert response.status_code == 200
    assert response.json() == {"created": len(LINES), "updated": 0, "notes": []}
    assert set(Asset.unscoped.values_list("asset_key", flat=True)) == {line["asset_key"] for line in LINES}
    assert AssetEvent.objects.filter(kind="deployed").count() == len(LINES)
    assert AssetEvent.objects.filter(kind="retired").count() == 1


def test_importing_the_same_file_again_updates_and_adds_nothing(manager_client: Client) -> None:
    data = register_csv(LINES)
    manager_client.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(data)})
    before = counts()

    response = manager_client.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(data)})

    assert response.status_code == 200
    assert response.json() == {"created": 0, "updated": len(LINES), "notes": []}
    assert counts() == before


def test_lines_without_asset_keys_are_found_again_on_a_second_import(manager_client: Client) -> None:
    data = register_csv([{**line, "asset_key": ""} for line in LINES] + [{**LINES[0], "asset_key": ""}])
    first = manager_client.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(data)}).json()
    before = counts()

    second = manager_client.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(data)}).json()

    assert first == {"created": len(LINES) + 1, "updated": 0, "notes": []}
    assert second == {"created": 0, "updated": len(LINES) + 1, "notes": []}
    assert counts() == before


def test_the_default_country_fills_rows_that_give_none(manager_client: Client) -> None:
    data = register_csv([{**LINES[0], "country": ""}])

    response = manager_client.post(
        f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(data), "default_country": "BE"}
    )

    assert response.status_code == 200
    assert Asset.unscoped.get().country == "BE"


def test_a_bad_file_is_refused_naming_row_and_column_and_nothing_changes(
    manager_client: Client, imported: Organisation
) -> None:
    bad = [
        LINES[0],
        {**LINES[1], "quantity": "abc"},
        {**LINES[2], "product_group": "toasters"},
        {**LINES[4], "asset_key": "NEW-1"},
    ]
    before = counts()

    response = manager_client.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(register_csv(bad))})

    assert response.status_code == 422
    body = response.json()
    assert "nothing imported" in body["detail"]
    assert any(p.startswith("row 3, quantity: not a number") and "'abc'" in p for p in body["problems"])
    assert any(p.startswith("row 4, product_group: unknown value") for p in body["problems"])
    assert len(body["problems"]) == 2
    assert counts() == before
    assert not Asset.unscoped.filter(asset_key="NEW-1").exists()
    assert Asset.unscoped.get(asset_key="MON-1").quantity == 5


def test_a_file_of_another_type_is_refused(manager_client: Client) -> None:
    response = manager_client.post(
        f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(b"%PDF-1.7", "fleet.pdf")}
    )

    assert response.status_code == 422
    assert response.json()["problems"] == ["file, -: unknown file type: send a CSV or an XLSX file"]
    assert counts() == (0, 0)


def test_the_summary_follows_a_reimport_that_changes_quantities(
    manager_client: Client, imported: Organisation
) -> None:
    assert manager_client.get(f"/api/v1/fleet/{RWS}/summary").json()["devices"] == ACTIVE_DEVICES
    data = register_csv([{**LINES[0], "quantity": "30"}, *LINES[1:]])
    manager_client.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(data)})

    body = manager_client.get(f"/api/v1/fleet/{RWS}/summary").json()

    assert Asset.unscoped.get(asset_key="NB-1").quantity == 30
    assert body["devices"] == ACTIVE_DEVICES + 20


# --- API: boundaries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["summary", "scenario", "assets"])
def test_an_outsider_does_not_see_that_the_register_exists(
    client: Client, imported: Organisation, outsider: Persona, path: str
) -> None:
    client.force_login(outsider.user)

    response = client.get(f"/api/v1/fleet/{RWS}/{path}")

    assert response.status_code == 404
    assert "Latitude" not in response.content.decode()


def test_an_outsider_cannot_import_into_another_organisations_register(
    client: Client, imported: Organisation, outsider: Persona
) -> None:
    client.force_login(outsider.user)
    before = counts()

    response = client.post(
        f"/api/v1/fleet/{RWS}/assets/import",
        {"file": upload(register_csv([{**LINES[0], "asset_key": "INTRUDER"}]))},
    )

    assert response.status_code == 404
    assert counts() == before


def test_an_outsider_lists_only_the_lines_of_their_own_organisation(
    client: Client, imported: Organisation, outsider: Persona
) -> None:
    outsider.membership.role = Membership.Role.ASSET_MANAGER
    outsider.membership.save()
    client.force_login(outsider.user)
    lyon = outsider.organisation.slug
    client.post(
        f"/api/v1/fleet/{lyon}/assets/import",
        {"file": upload(register_csv([{**LINES[0], "asset_key": "LYON-1", "country": "FR"}]))},
    )

    listed = client.get(f"/api/v1/fleet/{lyon}/assets", {"per_page": 1000}).json()
    summary = client.get(f"/api/v1/fleet/{lyon}/summary").json()

    rws_ids = set(Asset.unscoped.filter(organisation=imported).values_list("id", flat=True))
    assert listed["count"] == 1
    assert [a["asset_key"] for a in listed["assets"]] == ["LYON-1"]
    assert not rws_ids & {a["id"] for a in listed["assets"]}
    assert summary["devices"] == 10
    assert Asset.unscoped.filter(organisation=imported).count() == len(LINES)


def test_a_viewer_reads_the_register_but_cannot_import(
    client: Client, imported: Organisation, viewer: Persona
) -> None:
    client.force_login(viewer.user)
    before = counts()

    summary = client.get(f"/api/v1/fleet/{RWS}/summary")
    assets = client.get(f"/api/v1/fleet/{RWS}/assets")
    response = client.post(
        f"/api/v1/fleet/{RWS}/assets/import",
        {"file": upload(register_csv([{**LINES[0], "asset_key": "VIEWER-1"}]))},
    )

    assert summary.status_code == 200 and summary.json()["devices"] == ACTIVE_DEVICES
    assert assets.status_code == 200 and assets.json()["count"] == len(LINES)
    assert response.status_code == 403
    assert counts() == before


def test_a_procurer_reads_the_register_but_cannot_import(
    client: Client, imported: Organisation, procurer: Persona
) -> None:
    client.force_login(procurer.user)

    summary = client.get(f"/api/v1/fleet/{RWS}/summary")
    response = client.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(register_csv(LINES))})

    assert summary.status_code == 200
    assert response.status_code == 403


def test_a_viewer_gets_403_on_import_also_with_debug_on(
    settings: Any, client: Client, imported: Organisation, viewer: Persona
) -> None:
    settings.DEBUG = True
    client.force_login(viewer.user)

    response = client.post(f"/api/v1/fleet/{RWS}/assets/import", {"file": upload(register_csv(LINES))})

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/api/v1/fleet/{RWS}/summary"),
        ("get", f"/api/v1/fleet/{RWS}/scenario"),
        ("get", f"/api/v1/fleet/{RWS}/assets"),
        ("post", f"/api/v1/fleet/{RWS}/assets/import"),
        ("post", "/api/v1/impact/fleet"),
        ("post", "/api/v1/impact/estimate"),
    ],
)
def test_an_anonymous_client_is_not_authenticated(
    client: Client, imported: Organisation, method: str, path: str
) -> None:
    before = counts()

    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, {"file": upload(register_csv(LINES))})

    assert response.status_code == 401
    assert counts() == before


# --- API: the engine on a file, storing nothing ----------------------------------------------------------


def test_the_figures_of_a_file_are_computed_and_nothing_is_stored(client: Client, outsider: Persona) -> None:
    client.force_login(outsider.user)

    response = client.post("/api/v1/impact/fleet", {"file": upload(register_csv(LINES))})

    assert response.status_code == 200
    body = response.json()
    assert body["devices"] == ACTIVE_DEVICES
    assert body["lines"] == len(LINES)
    for key in ("embodied_kgco2e", "use_kgco2e_per_year", "annual_kgco2e"):
        assert_span(body[key])
    assert set(body["by_product_group"]) == {"notebooks", "monitors", "smartphones", "desktops"}
    assert body["sources"]
    assert counts() == (0, 0)


def test_each_row_of_a_file_gets_an_estimate_and_nothing_is_stored(client: Client, outsider: Persona) -> None:
    client.force_login(outsider.user)

    response = client.post("/api/v1/impact/estimate", {"file": upload(register_csv(LINES))})

    assert response.status_code == 200
    estimates = response.json()
    assert [e["row"] for e in estimates] == [2, 3, 4, 5, 6]
    for estimate in estimates:
        assert {"low", "value", "high", "source", "matched_model"} <= set(estimate)
        assert estimate["low"] <= estimate["value"] <= estimate["high"]
        assert estimate["source"] in {"pcf", "estimate", "default"}
    assert counts() == (0, 0)


def test_an_estimate_names_its_sources_by_title_and_address_as_the_asset_page_does(
    client: Client, outsider: Persona
) -> None:
    from cfit.fleet.footprint import embodied_sources
    from cfit.impact.store import current_reference
    from cfit.impact.titles import source_title

    client.force_login(outsider.user)

    estimates = client.post("/api/v1/impact/estimate", {"file": upload(register_csv(LINES))}).json()

    reference = current_reference()
    for estimate, line in zip(estimates, LINES, strict=True):
        expected = embodied_sources(
            reference, estimate["source"], line["product_group"], line.get("condition", "new")
        )
        assert estimate["sources"] == [{"id": s.id, "title": source_title(s), "url": s.url} for s in expected]
        assert all(s["title"] and s["title"] != s["id"] for s in estimate["sources"])
    assert any(s["url"].startswith("https://") for e in estimates for s in e["sources"])


@pytest.mark.parametrize("path", ["/api/v1/impact/fleet", "/api/v1/impact/estimate"])
def test_the_engine_refuses_a_bad_file_naming_the_row(client: Client, outsider: Persona, path: str) -> None:
    client.force_login(outsider.user)
    data = register_csv([LINES[0], {**LINES[1], "quantity": "abc"}])

    response = client.post(path, {"file": upload(data)})

    assert response.status_code == 422
    assert [p.split(":")[0] for p in response.json()["problems"]] == ["row 3, quantity"]


# --- CLI: cfit impact fleet / estimate -------------------------------------------------------------------


def test_cli_fleet_prints_one_json_document_with_the_figures(register_file: Path, capsys: Capsys) -> None:
    output = printed(capsys, "impact", "fleet", str(register_file), "--country", "NL", "--format", "json")

    body = json.loads(output)
    assert body["devices"] == ACTIVE_DEVICES
    for key in ("embodied_kgco2e", "use_kgco2e_per_year", "annual_kgco2e"):
        assert_span(body[key])
    assert set(body["by_product_group"]) == {"notebooks", "monitors", "smartphones", "desktops"}
    assert body["circularity"]["retired_devices"] == 4
    assert body["sources"] and all(s["id"] and s["title"] for s in body["sources"])


@pytest.mark.parametrize("action", ["fleet", "estimate"])
def test_cli_compute_writes_through_the_commands_stdout(register_file: Path, action: str) -> None:
    out = io.StringIO()

    call_command("impact", action, str(register_file), "--country", "NL", stdout=out)

    assert json.loads(out.getvalue())


def test_cli_fleet_as_csv_gives_a_header_and_one_line_per_row(register_file: Path, capsys: Capsys) -> None:
    output = printed(capsys, "impact", "fleet", str(register_file), "--country", "NL", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(output)))
    assert output.splitlines()[0].startswith("row,asset_key,product_group,")
    assert len(output.splitlines()) == 1 + len(LINES)
    assert [r["asset_key"] for r in rows] == [line["asset_key"] for line in LINES]
    assert all(float(r["annual_low"]) <= float(r["annual_value"]) <= float(r["annual_high"]) for r in rows)


def test_cli_fleet_writes_to_a_file_with_output(register_file: Path, tmp_path: Path, capsys: Capsys) -> None:
    target = tmp_path / "figures.json"

    output = printed(capsys, "impact", "fleet", str(register_file), "-o", str(target))

    assert output == ""
    assert json.loads(target.read_text(encoding="utf-8"))["devices"] == ACTIVE_DEVICES


def test_cli_estimate_gives_one_dict_per_row(register_file: Path, capsys: Capsys) -> None:
    output = printed(capsys, "impact", "estimate", str(register_file), "--format", "json")

    estimates = json.loads(output)
    assert [e["row"] for e in estimates] == [2, 3, 4, 5, 6]
    for estimate in estimates:
        assert {"row", "low", "value", "high", "source", "matched_model"} <= set(estimate)
        assert estimate["low"] <= estimate["value"] <= estimate["high"]
        assert estimate["source"] in {"pcf", "estimate", "default"}


def test_cli_estimate_as_csv_has_only_the_embodied_columns(register_file: Path, capsys: Capsys) -> None:
    output = printed(capsys, "impact", "estimate", str(register_file), "--format", "csv")

    header, *lines = output.splitlines()
    assert header.split(",")[-5:] == [
        "embodied_method",
        "matched_model",
        "match_confidence",
        "match_distance",
        "method_version",  # as the JSON form names it
    ]
    assert "annual_value" not in header
    assert len(lines) == len(LINES)


def test_cli_honours_as_of(register_file: Path, capsys: Capsys) -> None:
    output = printed(capsys, "impact", "fleet", str(register_file), "--as-of", "2026-01-01")

    assert json.loads(output)["as_of"] == "2026-01-01"


def test_cli_as_of_before_a_purchase_refuses_the_row(register_file: Path) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("impact", "fleet", str(register_file), "--as-of", "2021-12-31")

    assert "row 2, purchase_date: in the future" in str(refused.value)


def test_cli_refuses_a_bad_file_naming_the_row(tmp_path: Path, capsys: Capsys) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(register_csv([LINES[0], {**LINES[1], "quantity": "abc"}]))

    with pytest.raises(CommandError) as refused:
        call_command("impact", "fleet", str(path))

    assert "row 3, quantity: not a number: 'abc'" in str(refused.value)
    assert "nothing imported" in str(refused.value)
    assert capsys.readouterr().out == ""


def test_cli_rows_without_a_country_need_the_country_option(tmp_path: Path, capsys: Capsys) -> None:
    path = tmp_path / "fleet.csv"
    path.write_bytes(register_csv([{**LINES[0], "country": ""}]))

    with pytest.raises(CommandError) as refused:
        call_command("impact", "fleet", str(path))
    output = printed(capsys, "impact", "fleet", str(path), "--country", "nl")

    assert "row 2, country: required" in str(refused.value)
    assert json.loads(output)["devices"] == 10


def test_cli_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("impact", "fleet", str(tmp_path / "nowhere.csv"))


# --- CLI: manufacturers' footprints ----------------------------------------------------------------------


LATITUDE_FILE = (
    "product_group,manufacturer,model,quantity,purchase_date,condition,acquisition,country\n"
    "notebooks,Dell,Latitude 5420,3,2022-03-01,new,bought,NL\n"
)


@pytest.fixture
def latitude_file(tmp_path: Path) -> Path:
    path = tmp_path / "latitude.csv"
    path.write_text(LATITUDE_FILE, encoding="utf-8")
    return path


def test_cli_with_pcf_matches_the_manufacturers_footprint(
    latitude_file: Path, pcf_data: Path, capsys: Capsys
) -> None:
    output = printed(capsys, "impact", "estimate", str(latitude_file), "--pcf", str(pcf_data))

    [estimate] = json.loads(output)
    assert estimate["source"] == "pcf"
    assert estimate["matched_model"] == "Latitude 5420"
    assert estimate["low"] <= estimate["value"] <= estimate["high"]


def test_cli_fleet_with_pcf_names_the_file_as_a_source(
    latitude_file: Path, pcf_data: Path, capsys: Capsys
) -> None:
    output = printed(capsys, "impact", "fleet", str(latitude_file), "--pcf", str(pcf_data))

    body = json.loads(output)
    assert body["by_product_group"]["notebooks"]["embodied_sources"] == {"pcf": 3}
    assert any(pcf_data.name in s["title"] for s in body["sources"])


def test_cli_without_pcf_matches_the_shipped_footprints(latitude_file: Path, capsys: Capsys) -> None:
    output = printed(capsys, "impact", "estimate", str(latitude_file))

    [estimate] = json.loads(output)
    assert estimate["source"] == "pcf" and estimate["matched_model"] == "Latitude 5420"
    assert estimate["match_distance"] == 0 and estimate["method"] == "declaration"
    assert estimate["method_version"] == METHOD_VERSION


def test_cli_without_footprints_estimates_the_same_row(latitude_file: Path, capsys: Capsys) -> None:
    output = printed(capsys, "impact", "estimate", str(latitude_file), "--no-footprints")

    [estimate] = json.loads(output)
    assert estimate["source"] in {"estimate", "default"}
    assert estimate["matched_model"] is None
    assert estimate["low"] <= estimate["value"] <= estimate["high"]


@pytest.mark.django_db
def test_load_factors_loads_the_shipped_footprints_once() -> None:
    first = run("impact", "load-factors")
    second = run("impact", "load-factors")

    assert "manufacturers' footprints: 929 loaded" in first
    assert "kept the data set already loaded" in second
    assert ProductFootprint.objects.count() == 929 and EstimatorFit.objects.count() == 1
    assert current_reference().estimator is not None and current_reference().pcf is not None


@pytest.mark.django_db
def test_load_factors_never_replaces_imported_footprints() -> None:
    FootprintDataset.objects.create(title="Our own sheets", filename="ours.csv", rows=0)

    output = run("impact", "load-factors")

    assert "kept the data set already loaded" in output
    assert FootprintDataset.objects.get().title == "Our own sheets"


# --- CLI: reference data ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_pcf_stores_the_footprints_and_refits_the_estimator(pcf_data: Path) -> None:
    output = run("impact", "import-pcf", str(pcf_data))

    assert ProductFootprint.objects.count() == 929
    assert FootprintDataset.objects.count() == 1
    assert FootprintDataset.objects.get().rows == 929
    fit = EstimatorFit.objects.get()
    assert fit.validation
    assert set(fit.validation) <= {g.value for g in ProductGroup}
    assert set(fit.validation) == set(fit.models_json["models"])
    for result in fit.validation.values():
        assert result["rows"] > 0
        assert {"estimate_mdape", "median_mdape"} <= set(result)
    assert output.startswith("929 footprints imported")


@pytest.mark.django_db
def test_import_pcf_twice_replaces_the_footprints(pcf_data: Path) -> None:
    run("impact", "import-pcf", str(pcf_data))

    run("impact", "import-pcf", str(pcf_data), "--title", "Again")

    assert ProductFootprint.objects.count() == 929
    assert list(FootprintDataset.objects.values_list("title", flat=True)) == ["Again"]
    assert EstimatorFit.objects.count() == 1


def test_after_import_pcf_the_platform_matches_the_footprint(
    client: Client,
    outsider: Persona,
    pcf_data: Path,
    latitude_file: Path,
    capsys: Capsys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The reference is cached per process under a stamp of the tables; ids repeat between tests.
    monkeypatch.setitem(store._cache, "stamp", None)
    run("impact", "import-pcf", str(pcf_data))
    client.force_login(outsider.user)

    from_cli = json.loads(printed(capsys, "impact", "estimate", str(latitude_file), "--database"))
    from_api = client.post(
        "/api/v1/impact/estimate", {"file": upload(latitude_file.read_bytes(), "latitude.csv")}
    ).json()

    for [estimate] in (from_cli, from_api):
        assert estimate["source"] == "pcf"
        assert estimate["matched_model"] == "Latitude 5420"


@pytest.mark.django_db
def test_a_broken_pcf_file_is_refused_and_the_previous_footprints_stay(tmp_path: Path) -> None:
    good = tmp_path / "pcf.csv"
    good.write_text(
        PCF_HEADER + "Dell,Latitude 5420,Laptop,300,0.2,0.1,,,\nHP,E24,Monitor,400,0.3,,,,\n",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.csv"
    broken.write_text(
        PCF_HEADER + "Dell,Latitude 5420,Laptop,300,0.2,0.1,,,\nHP,E27,Monitor,abc,0.5,,,,\n",
        encoding="utf-8",
    )
    run("impact", "import-pcf", str(good))
    before = (
        ProductFootprint.objects.count(),
        list(FootprintDataset.objects.values_list("id", "filename")),
        EstimatorFit.objects.count(),
    )

    with pytest.raises(CommandError) as refused:
        run("impact", "import-pcf", str(broken))

    assert "row 3, gwp_total: not a number: 'abc'" in str(refused.value)
    after = (
        ProductFootprint.objects.count(),
        list(FootprintDataset.objects.values_list("id", "filename")),
        EstimatorFit.objects.count(),
    )
    assert after == before
    assert before[0] == 2
    assert set(ProductFootprint.objects.values_list("model", flat=True)) == {"Latitude 5420", "E24"}


@pytest.mark.django_db
def test_load_factors_is_idempotent_and_keeps_edited_values() -> None:
    first = run("impact", "load-factors")
    rows = GridIntensity.objects.count()
    nl = GridIntensity.objects.filter(country="NL").order_by("-year").first()
    nl.value, nl.low, nl.high = 123.0, 100.0, 150.0
    nl.save()

    second = run("impact", "load-factors")

    assert rows > 0
    assert first.splitlines()[0] == f"grid intensity: {rows} rows added, 0 kept as they were"
    assert second.splitlines()[0] == f"grid intensity: 0 rows added, {rows} kept as they were"
    assert GridIntensity.objects.count() == rows
    nl.refresh_from_db()
    assert (nl.low, nl.value, nl.high) == (100.0, 123.0, 150.0)


# --- CLI: cfit assets import / export --------------------------------------------------------------------


def read_export(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_assets_import_then_export_gives_the_standard_header_and_one_line_per_asset(
    asset_manager: Persona, register_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    message = run("assets", "import", RWS, str(register_file))

    run("assets", "export", RWS, "-o", str(target))

    assert message.strip() == f"{RWS}: {len(LINES)} lines added, 0 updated"
    header, *rows = read_export(target)
    assert header == [*ALL_COLUMNS, "sanitisation_method"]  # the standard columns, then the wiping method
    assert len(rows) == Asset.unscoped.filter(organisation=asset_manager.organisation).count() == len(LINES)
    by_key = {row[header.index("asset_key")]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_key["NB-1"]["quantity"] == "10"
    assert by_key["NB-2"]["retired_date"] == "2023-05-01"
    assert by_key["NB-2"]["end_of_use_route"] == "reuse"
    assert by_key["MON-1"]["weight_kg"] == ""


def test_assets_export_lists_only_the_organisations_own_lines(
    asset_manager: Persona, outsider: Persona, register_file: Path, tmp_path: Path, capsys: Capsys
) -> None:
    lyon_file = tmp_path / "lyon.csv"
    lyon_file.write_bytes(register_csv([{**LINES[0], "asset_key": "LYON-1", "country": "FR"}]))
    run("assets", "import", RWS, str(register_file))
    run("assets", "import", outsider.organisation.slug, str(lyon_file))

    output = printed(capsys, "assets", "export", outsider.organisation.slug)

    header, *rows = list(csv.reader(io.StringIO(output)))
    assert [row[header.index("asset_key")] for row in rows] == ["LYON-1"]


def test_assets_export_writes_through_the_commands_stdout(
    asset_manager: Persona, register_file: Path
) -> None:
    run("assets", "import", RWS, str(register_file))

    output = run("assets", "export", RWS)

    assert len(output.splitlines()) == 1 + len(LINES)


def test_assets_export_neutralises_formulas(asset_manager: Persona, tmp_path: Path) -> None:
    source = tmp_path / "formula.csv"
    source.write_bytes(register_csv([{**LINES[0], "model": '=HYPERLINK("http://evil.example","Latitude")'}]))
    target = tmp_path / "out.csv"
    run("assets", "import", RWS, str(source))

    run("assets", "export", RWS, "-o", str(target))

    header, row = read_export(target)
    assert row[header.index("model")] == '\'=HYPERLINK("http://evil.example","Latitude")'
    assert row[header.index("manufacturer")] == "Dell"


def test_assets_export_then_import_updates_the_same_lines(
    asset_manager: Persona, register_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    run("assets", "import", RWS, str(register_file))
    run("assets", "export", RWS, "-o", str(target))
    before = counts()

    message = run("assets", "import", RWS, str(target))

    assert message.strip() == f"{RWS}: 0 lines added, {len(LINES)} updated"
    assert counts() == before


def test_a_neutralised_formula_survives_an_export_and_import_round_trip(
    asset_manager: Persona, tmp_path: Path
) -> None:
    model = "=Latitude 5420"
    source = tmp_path / "formula.csv"
    source.write_bytes(register_csv([{**LINES[0], "model": model}]))
    target = tmp_path / "out.csv"
    run("assets", "import", RWS, str(source))
    run("assets", "export", RWS, "-o", str(target))

    run("assets", "import", RWS, str(target))

    assert Asset.unscoped.get().model == model


DUTCH = (
    "Soort apparaat;Leverancier;Typeaanduiding;Stuks;Aangeschaft op;Gebruiksland\n"
    "laptop;Dell;Latitude 5420;7;01-03-2022;NL\n"
    "beeldscherm;Dell;P2422H;3;15-06-2021;NL\n"
)
DUTCH_MAP = [
    "Soort apparaat=product_group",
    "Leverancier=manufacturer",
    "Typeaanduiding=model",
    "Stuks=quantity",
    "Aangeschaft op=purchase_date",
    "Gebruiksland=country",
]


def test_assets_import_maps_the_headers_of_a_dutch_file(asset_manager: Persona, tmp_path: Path) -> None:
    source = tmp_path / "register-nl.csv"
    source.write_text(DUTCH, encoding="utf-8")
    options = [arg for pair in DUTCH_MAP for arg in ("--map", pair)]

    message = run("assets", "import", RWS, str(source), *options)

    assert message.strip() == f"{RWS}: 2 lines added, 0 updated"
    lines = {a.model: a for a in Asset.unscoped.filter(organisation=asset_manager.organisation)}
    assert set(lines) == {"Latitude 5420", "P2422H"}
    assert lines["Latitude 5420"].product_group == "notebooks"
    assert lines["Latitude 5420"].quantity == 7
    assert str(lines["Latitude 5420"].purchase_date) == "2022-03-01"
    assert lines["P2422H"].product_group == "monitors"
    assert lines["P2422H"].manufacturer == "Dell"


def test_assets_import_without_the_map_refuses_unknown_headers(
    asset_manager: Persona, tmp_path: Path
) -> None:
    source = tmp_path / "register-nl.csv"
    source.write_text(DUTCH, encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        run("assets", "import", RWS, str(source))

    assert "row 1, manufacturer: required column missing" in str(refused.value)
    assert counts() == (0, 0)


def test_assets_import_guesses_the_known_dutch_headers(asset_manager: Persona, tmp_path: Path) -> None:
    source = tmp_path / "register-nl.csv"
    source.write_text(
        "Categorie;Merk;Typenummer;Aantal;Aankoopdatum\nlaptop;Dell;Latitude 5420;7;2022-03-01\n",
        encoding="utf-8",
    )

    message = run("assets", "import", RWS, str(source))
    asset = Asset.unscoped.get()

    assert (asset.product_group, asset.manufacturer, asset.model, asset.quantity) == (
        "notebooks",
        "Dell",
        "Latitude 5420",
        7,
    )
    assert asset.country == "NL"  # the organisation's country, as the file gives none
    assert message.strip() == f"{RWS}: 1 lines added, 0 updated"


def test_assets_import_refuses_a_map_without_an_equals_sign(
    asset_manager: Persona, register_file: Path
) -> None:
    with pytest.raises(CommandError, match="HEADER=COLUMN"):
        run("assets", "import", RWS, str(register_file), "--map", "Merk")


def test_assets_import_of_a_bad_file_names_the_row_and_stores_nothing(
    asset_manager: Persona, tmp_path: Path
) -> None:
    source = tmp_path / "bad.csv"
    source.write_bytes(register_csv([LINES[0], {**LINES[1], "quantity": "abc"}]))

    with pytest.raises(CommandError) as refused:
        run("assets", "import", RWS, str(source))

    assert "row 3, quantity: not a number: 'abc'" in str(refused.value)
    assert counts() == (0, 0)


@pytest.mark.parametrize("action", ["import", "export"])
def test_assets_refuses_an_unknown_organisation(db: Any, register_file: Path, action: str) -> None:
    args = [str(register_file)] if action == "import" else []

    with pytest.raises(CommandError, match="no organisation 'no-such-org'"):
        run("assets", action, "no-such-org", *args)


def test_cli_estimate_needs_no_country_nor_date_and_a_screen_of_0_is_none(
    tmp_path: Path, capsys: Capsys
) -> None:
    path = tmp_path / "devices.csv"
    path.write_text(
        "product_group,manufacturer,model,screen_size_in\n"
        "desktops,Dell,OptiPlex 7090 Micro Form Factor,0\n"
        "monitors,Dell,E2318HN,23\n",
        encoding="utf-8",
    )

    estimates = json.loads(printed(capsys, "impact", "estimate", str(path)))

    assert [e["source"] for e in estimates] == ["pcf", "estimate"]
    # not declared itself: estimated from its closest declared siblings (E2318H, E2422HN...: 330-370 kg)
    assert estimates[1]["matched_model"].startswith("E2") and estimates[1]["differs"]
    assert estimates[1]["method"] in ("siblings", "siblings+specs") and estimates[1]["match_distance"] > 0
    assert 300 < estimates[1]["value"] < 400
