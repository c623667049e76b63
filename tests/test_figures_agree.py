"""An organisation's figures as of a date are the same wherever they are shown: the fleet dashboard, the
JSON API, the asset pages (one line each, summed) and the monitoring pre-fill, to the kilogram.

All four read the register through ``cfit.fleet.footprint`` (the register as it stood on the date, the
current reference data, the engine). Personas: Arne, asset manager at Rijkswaterstaat.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.fleet import actions
from cfit.fleet.models import Asset
from cfit.impact.results import FleetFigures
from cfit.monitoring.prefill import prefill

from .conftest import Persona, make_persona
from .test_fleet_api_cli import LINES, RWS, register_csv

KG = 1.0  #: agreement wanted: one kilogram (the summary rounds to 0.1 kg, the pre-fill to 1 kg in tonnes)


@pytest.fixture
def arne(db: Any, settings: Any, tmp_path: Any) -> Persona:
    settings.FLEET_IMPORT_IN_BACKGROUND = False
    settings.UPLOAD_DIR = tmp_path / "uploads"
    persona = make_persona(
        "arne", RWS, Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )
    actions.import_register_file(persona.organisation, register_csv(LINES), "fleet.csv")
    return persona


@pytest.fixture
def arne_client(client: Client, arne: Persona) -> Client:
    client.force_login(arne.user)
    return client


def api_figures(client: Client, as_of: date | None = None) -> FleetFigures:
    query = {"as_of": as_of.isoformat()} if as_of else {}
    response = client.get(f"/api/v1/fleet/{RWS}/summary", query)
    assert response.status_code == 200, response.content
    return FleetFigures.model_validate(response.json())


def test_the_dashboard_and_the_api_show_the_same_figures(arne_client: Client) -> None:
    dashboard = arne_client.get(reverse("fleet:dashboard", args=[RWS])).context["figures"]

    api = api_figures(arne_client)

    assert isinstance(dashboard, FleetFigures)
    assert dashboard == api


def test_the_asset_pages_add_up_to_the_fleets_figure_per_year(arne_client: Client, arne: Persona) -> None:
    api = api_figures(arne_client)
    with system_scope():
        in_use = [a for a in Asset.objects.of_organisation(arne.organisation) if a.status != "retired"]

    lines = []
    for asset in in_use:
        steps = arne_client.get(reverse("fleet:asset", args=[RWS, asset.pk])).context["steps"]
        lines.append(steps[-1])  # per year of service, this line (× quantity)

    assert sum(a.quantity for a in in_use) == api.devices
    for bound in ("low", "value", "high"):
        summed = sum(getattr(step, bound) for step in lines)
        assert summed == pytest.approx(getattr(api.annual_kgco2e, bound), abs=KG), bound


@pytest.mark.parametrize(
    "year",
    [
        2022,  # the notebooks retired in May 2023 were still in use at the end of 2022
        2023,  # ... and retired at the end of 2023
    ],
)
def test_the_monitoring_prefill_reports_the_figures_as_of_the_end_of_its_year(
    arne_client: Client, arne: Persona, year: int
) -> None:
    api = api_figures(arne_client, date(year, 12, 31))

    values = prefill(arne.organisation, year)

    for key, span in (("fleet_annual_tco2e", api.annual_kgco2e), ("use_tco2e", api.use_kgco2e_per_year)):
        figure = values[(key, "")]
        assert figure.value * 1000 == pytest.approx(span.value, abs=KG), key
        assert figure.low is not None and figure.high is not None
        assert (figure.low * 1000, figure.high * 1000) == pytest.approx((span.low, span.high), abs=KG), key
    assert api.devices == (24 if year == 2022 else 20)
    retired = {group: life.devices for group, life in api.circularity.service_life.items()}
    # (the register's only retirement is in 2023, so "retired in the year" is "retired by its end")
    assert {g: int(f.value) for (k, g), f in values.items() if k == "retired_units"} == retired
