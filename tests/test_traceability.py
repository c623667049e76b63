"""Every number traceable: from each impact figure a reader reaches its method, its factors' sources
and its low–high range, wherever it is shown (pages, downloads, the API, the command line).

Personas (tests/conftest.py): Pia, procurer at Rijkswaterstaat, defends her fleet's figures before a
losing bidder; Sam of the secretariat runs the pact-wide campaign and answers the press; an anonymous
reader downloads the public results.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cfit.accounts.scoping import system_scope
from cfit.cloud.footprint import METHOD_VERSION as CLOUD_METHOD_VERSION
from cfit.fleet.actions import import_register_file
from cfit.fleet.models import Asset
from cfit.impact.figures import METHOD_VERSION
from cfit.monitoring import actions as monitoring
from cfit.monitoring.models import PACT, Aggregate, Coverage
from tests.conftest import PASSWORD, Persona

pytestmark = pytest.mark.django_db

REGISTER = (
    "asset_key,product_group,manufacturer,model,quantity,purchase_date,condition,status,country\n"
    "A,notebooks,Dell,Latitude 5420,10,2024-02-01,new,in_use,NL\n"
    "B,monitors,Acme,Unknown Screen 24,4,2023-05-01,refurbished,in_use,DE\n"
)
SOURCES = [
    {"id": "ember", "title": "Ember yearly electricity data", "url": "https://ember-energy.org/"},
    {"id": "cfit-proposal", "title": "cfit modelling choice", "url": ""},
]
METHOD_LINK = 'href="/monitoring/method/"'
SOURCE_LINK = re.compile(r'<a href="https?://[^"]+" rel="noopener">')


@pytest.fixture
def fleet(procurer: Persona) -> Client:
    import_register_file(procurer.organisation, REGISTER.encode(), "register.csv")
    client = Client()
    client.login(username=procurer.user.username, password=PASSWORD)
    return client


def _rows(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], flags=re.S)


def test_an_assets_footprint_links_each_factor_to_its_source_and_names_the_method(
    fleet: Client, procurer: Persona
) -> None:
    with system_scope():
        asset = Asset.objects.of_organisation(procurer.organisation).get(asset_key="B")

    html = fleet.get(f"/fleet/{procurer.organisation.slug}/assets/{asset.pk}/").content.decode()

    rows = _rows(html, "footprint")
    embodied, energy, grid = rows[0], rows[1], rows[2]
    # the refurbished share's source (ADEME) and the grid's (Ember) are links a reader can follow
    assert SOURCE_LINK.search(embodied) and "ademe" in embodied.lower()
    assert SOURCE_LINK.search(grid) and "ember" in grid.lower()
    assert '<td class="small"></td>' not in energy  # the energy figure names where it comes from
    assert METHOD_LINK in html and f"Computed by the impact method {METHOD_VERSION}" in html


def test_the_dashboard_links_the_method_and_names_the_what_if_factors_and_their_sources(
    fleet: Client, procurer: Persona
) -> None:
    html = fleet.get(f"/fleet/{procurer.organisation.slug}/").content.decode()

    assert METHOD_LINK in html
    factors = html.split('id="what-if-factors"', 1)[1].split("</p>", 1)[0]
    # the share a refurbished device carries, with its range, and the source of it
    assert "20 % of a new one’s embodied emissions (10 to 50 %)" in factors
    assert SOURCE_LINK.search(factors)
    # the what-if's figures before and after carry their range, not only the saving
    assert 'id="scenario-baseline-range"' in html and 'id="scenario-value-range"' in html


def test_the_what_if_answers_with_the_factors_it_applies_and_their_sources(
    fleet: Client, procurer: Persona
) -> None:
    slug = procurer.organisation.slug
    api = fleet.get(f"/api/v1/fleet/{slug}/scenario", {"refurbished_share": 0.5, "reuse_share": 0.5}).json()
    page = fleet.get(f"/fleet/{slug}/scenario.json", {"refurbished_share": 0.5, "reuse_share": 0.5}).json()

    for body in (api, page):
        assert body["method"] == METHOD_VERSION
        assert body["refurbished_footprint_share"] == {"low": 0.1, "value": 0.2, "high": 0.5}
        assert {s["id"] for s in body["sources"]} == {"ademe-refurbished", "cfit-proposal"}
        assert all(s["title"] for s in body["sources"])
        for key in ("annual_kgco2e", "scenario_annual_kgco2e", "saving_kgco2e_per_year"):
            assert body[key]["low"] <= body[key]["value"] <= body[key]["high"]


@pytest.fixture
def pact_emissions(secretary: Persona) -> Any:
    """The pact's 2025 campaign with an emissions figure the platform computed from two sources."""
    campaign = monitoring.open_campaign(
        year=2025,
        group=None,
        title="2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    Coverage.objects.create(scope=PACT, year=2025, members=5, counted=4, accepted=4)
    Aggregate.objects.create(
        scope=PACT, year=2025, indicator="embodied_tco2e", key="", value=120.5, low=90.0, high=150.25,
        reporters=4, prefilled=4, method=METHOD_VERSION, sources=SOURCES,
    )  # fmt: skip
    Aggregate.objects.create(
        scope=PACT, year=2025, indicator="units_new", key="notebooks", value=400, reporters=4
    )
    return campaign


def test_a_campaigns_emissions_figures_name_their_sources_for_the_coordinator(
    secretary: Persona, pact_emissions: Any
) -> None:
    client = Client()
    client.login(username=secretary.user.username, password=PASSWORD)

    html = client.get(f"/monitoring/campaigns/{pact_emissions.pk}/").content.decode()

    figures = html.split('id="figures"', 1)[1].split("</table>", 1)[0]
    emissions = next(r for r in figures.split("<tr") if "Embodied" in r or "embodied" in r)
    assert '<a href="https://ember-energy.org/" rel="noopener">Ember yearly electricity data</a>' in emissions
    assert METHOD_LINK in emissions and METHOD_VERSION in emissions


def test_the_results_downloads_give_the_methods_and_the_sources_addresses(
    client: Client, pact_emissions: Any
) -> None:
    pact_emissions.results_published = timezone.now()
    pact_emissions.save(update_fields=["results_published"])

    rows = list(csv.DictReader(io.StringIO(client.get("/results/download.csv").content.decode())))
    book = load_workbook(io.BytesIO(client.get("/results/download.xlsx").content))

    embodied = next(r for r in rows if r["indicator"] == "embodied_tco2e")
    units = next(r for r in rows if r["indicator"] == "units_new")
    assert embodied["method_url"] == "http://testserver/monitoring/method/"
    assert embodied["source_urls"] == "https://ember-energy.org/ | "  # one address per source id, in order
    assert units["method_url"] == units["source_urls"] == ""  # counted devices: no method, no factors
    sheet = list(book["Results"].iter_rows(values_only=True))
    header = list(sheet[0])
    row = dict(zip(header, next(r for r in sheet if r[2] == "embodied_tco2e"), strict=True))
    assert row["method_url"] == embodied["method_url"] and row["source_urls"] == embodied["source_urls"]


def test_the_impact_commands_csv_gives_each_factor_its_range_source_and_the_method(tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    out = io.StringIO()

    call_command("impact", "fleet", str(register), "--format", "csv", stdout=out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    for row in rows:
        for factor in ("embodied", "kwh", "grid", "use", "annual"):
            assert (
                float(row[f"{factor}_low"]) <= float(row[f"{factor}_value"]) <= float(row[f"{factor}_high"])
            )
        assert row["grid_source"] and row["method_version"] == METHOD_VERSION


def test_every_figure_pia_sees_of_her_fleet_has_a_range_and_a_source_link(
    fleet: Client, procurer: Persona
) -> None:
    slug = procurer.organisation.slug
    with system_scope():
        assets = list(Asset.objects.of_organisation(procurer.organisation).values_list("pk", flat=True))
    pages = [f"/fleet/{slug}/"] + [f"/fleet/{slug}/assets/{pk}/" for pk in assets]

    for url in pages:
        html = fleet.get(url).content.decode()
        assert METHOD_LINK in html, url
        assert SOURCE_LINK.search(html), url
        # every headline figure of the dashboard carries its range
        for figure in re.findall(r'<span class="figure">(.*?)</span></span>', html, flags=re.S):
            assert 'class="range"' in figure, (url, figure)
        if "/assets/" in url:
            # every step with a range names its sources or says how it follows from the steps above it
            for row in _rows(html, "footprint"):
                # the step's name is the row's header cell (th), then low, value, high, unit, how, source
                cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)
                low, high, source = cells[1], cells[3], cells[6]
                assert low and high or cells[0] == "Service life", (url, cells[0])
                derived = cells[0].startswith(("Use-phase", "Per year of service"))
                assert derived or SOURCE_LINK.search(source) or source, (url, cells[0])


def test_the_cloud_figures_link_a_page_with_their_method(
    client: Client, fleet: Client, procurer: Persona
) -> None:
    overview = fleet.get(f"/cloud/{procurer.organisation.slug}/").content.decode()
    method = client.get("/monitoring/method/cloud/")

    # the method was named as a file of the source code, which a reader of the page cannot open
    assert 'href="/monitoring/method/cloud/"' in overview and "docs/cloud-method.md" not in overview
    html = method.content.decode()
    assert method.status_code == 200 and CLOUD_METHOD_VERSION in html
    assert 'id="5-ranges"' in html and 'id="sources"' in html
