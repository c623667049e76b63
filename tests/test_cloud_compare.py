"""What the same cloud workload would emit elsewhere (``cfit.cloud.compare``): a hand-computed move
between regions, the ranges' rules that always hold, refusals of unknown places, the command line
and ``POST /api/v1/cloud/compare``.

Personas: Pia, procurer at Rijkswaterstaat, who asks what moving her organisation's compute from
Virginia to Stockholm would change. Figures: the shipped AWS coefficients and the test's own grid
(US 380 / 400 / 420, SE 20 / 30 / 40 gCO2e/kWh), as in ``tests/test_cloud.py``.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.cloud.compare import Place, UnknownPlace, compare_places, parse_place
from cfit.cloud.focus import read_focus
from cfit.cloud.footprint import compute_footprint
from tests.tender_helpers import shared
from tests.test_cloud import focus_csv, reference

from .conftest import Persona

WATTS = (0.4556, 2.41205, 8.9614)  #: AWS W per vCPU of no known type: lowest idle, at 50 %, highest full load
PUE = 1.15  #: AWS 2024


def _focus(rows: list[dict[str, str]]) -> Any:
    return read_focus(focus_csv(rows), "cloud.csv", reference().focus_columns, vcpu_per_ocpu=2)


COMPUTE = [{"ConsumedQuantity": "1000", "ConsumedUnit": "vCPU-Hours"}]


def test_moving_compute_from_virginia_to_stockholm_matches_the_hand_computation() -> None:
    result = compare_places(_focus(COMPUTE), reference(), to=[Place("aws", "eu-north-1")])

    (stockholm,) = result.alternatives
    energy = [1000 * w / 1000 * PUE for w in WATTS]
    assert stockholm.same_provider and stockholm.country == "SE"
    assert stockholm.energy_kwh.value == pytest.approx(energy[1])
    # The embodied emissions are the same hardware's on both sides: they cancel.
    assert stockholm.change_kgco2e.value == pytest.approx(energy[1] * (30 - 400) / 1000)
    # Shared coefficients at the same bound; the two grids vary independently.
    assert stockholm.change_kgco2e.low == pytest.approx(energy[2] * (20 - 420) / 1000)
    assert stockholm.change_kgco2e.high == pytest.approx(energy[0] * (40 - 380) / 1000)
    assert stockholm.change_kgco2e.high < 0  # a saving whatever the coefficients
    # Today's figures are the footprint's.
    footprint = compute_footprint(_focus(COMPUTE), reference())
    assert result.emissions_kgco2e == footprint.emissions_kgco2e
    assert result.regions == ("us-east-1",) and result.providers == ("aws",)


def test_staying_where_it_runs_changes_nothing_but_the_grid_s_own_range() -> None:
    result = compare_places(_focus(COMPUTE), reference(), to=[Place("aws", "us-east-1")])

    (same,) = result.alternatives
    assert same.change_kgco2e.value == pytest.approx(0.0, abs=1e-12)
    assert same.change_kgco2e.low < 0 < same.change_kgco2e.high
    assert same.emissions_kgco2e == result.emissions_kgco2e


def test_another_provider_shares_no_coefficient_so_the_change_spans_both_ranges() -> None:
    result = compare_places(_focus(COMPUTE), reference(), to=[Place("gcp", "us-central1")])

    (there,) = result.alternatives
    assert not there.same_provider
    assert there.change_kgco2e.low == pytest.approx(there.emissions_kgco2e.low - result.emissions_kgco2e.high)
    assert there.change_kgco2e.high == pytest.approx(
        there.emissions_kgco2e.high - result.emissions_kgco2e.low
    )


def test_without_places_every_known_region_is_ranked_lowest_first() -> None:
    result = compare_places(_focus(COMPUTE), reference(), limit=3)

    values = [a.emissions_kgco2e.value for a in result.alternatives]
    assert len(values) == 3 and values == sorted(values)
    assert result.alternatives[0].country == "SE"  # the test grid's cleanest country


def test_an_unknown_place_is_refused_by_name() -> None:
    with pytest.raises(UnknownPlace, match="mars-1"):
        compare_places(_focus(COMPUTE), reference(), to=[Place("aws", "mars-1")])
    with pytest.raises(ValueError, match="provider:region"):
        parse_place("eu-north-1")
    assert parse_place(" AWS : EU North 1") == Place("aws", "eunorth1")


def test_a_workload_is_chosen_by_region_and_service() -> None:
    rows = [
        *COMPUTE,
        {
            "ConsumedQuantity": "500",
            "ConsumedUnit": "GB",
            "ServiceCategory": "Networking",
            "RegionId": "eu-west-1",
        },
    ]
    everything = compare_places(_focus(rows), reference(), to=[Place("aws", "eu-north-1")])
    virginia = compare_places(
        _focus(rows), reference(), to=[Place("aws", "eu-north-1")], regions=["us-east-1"]
    )

    assert everything.rows == 2 and virginia.rows == 1
    assert virginia.regions == ("us-east-1",)
    nothing = compare_places(_focus(rows), reference(), services=["no such service"])
    assert nothing.rows == 0 and nothing.alternatives == ()


usage = st.lists(
    st.tuples(
        st.sampled_from(["vCPU-Hours", "GB-Months", "GB"]),
        st.integers(1, 10**6),
        st.sampled_from(["us-east-1", "eu-north-1", "nowhere-9"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(usage)
def test_ranges_hold_and_a_cleaner_grid_never_costs_more(rows: list[tuple[str, int, str]]) -> None:
    kinds = {"vCPU-Hours": "Compute", "GB-Months": "Storage", "GB": "Networking"}
    focus = _focus(
        [
            {
                "ConsumedUnit": unit,
                "ConsumedQuantity": str(n),
                "RegionId": region,
                "ServiceCategory": kinds[unit],
            }
            for unit, n, region in rows
        ]
    )
    result = compare_places(focus, reference())
    # The lowest grid factor any row runs on today (an unknown region: the fallback, down to SE's).
    lows = {"us-east-1": 380.0, "eu-north-1": 20.0, "nowhere-9": 20.0}
    today_grid_low = min(lows[region] for _, _, region in rows)
    single_region = len({region for _, _, region in rows}) == 1
    for alternative in result.alternatives:
        change, there = alternative.change_kgco2e, alternative.emissions_kgco2e
        assert change.low <= change.value <= change.high
        assert there.low <= there.value <= there.high
        assert change.value == pytest.approx(there.value - result.emissions_kgco2e.value, abs=1e-9)
        if alternative.same_provider and alternative.grid_gco2e_per_kwh.high <= today_grid_low:
            # Cleaner than every grid the workload runs on today, with the same hardware: never more.
            assert change.high <= 1e-12
        if (
            alternative.same_provider
            and single_region
            and rows[0][2] == "us-east-1"
            and alternative.country == "US"
        ):
            assert change.value == pytest.approx(0.0, abs=1e-9)


def test_the_focus_sample_compares_without_a_database() -> None:
    sample = shared("cloud", "focus", "focus_sample_1000.csv")
    command = [sys.executable, "-m", "cfit.cloud.cli", "compare", str(sample), "--to", "aws:eu-north-1"]

    done = subprocess.run([*command, "--to", "gcp:europe-north1"], capture_output=True, text=True, check=True)

    got = json.loads(done.stdout)
    assert [a["region"] for a in got["alternatives"]] and got["workload"]["rows"] == 760
    assert {a["provider"] for a in got["alternatives"]} == {"aws", "gcp"}
    assert "django" not in done.stderr.lower()
    as_csv = subprocess.run([*command, "--format", "csv"], capture_output=True, text=True, check=True)
    lines = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [line["provider"] for line in lines] == ["today", "aws"]
    refused = subprocess.run([*command[:-1], "aws:mars-1"], capture_output=True, text=True)
    assert refused.returncode == 1 and "mars-1" in refused.stderr


URL = "/api/v1/cloud/compare"


@pytest.mark.django_db
def test_the_api_compares_an_upload_and_refuses_an_unknown_place(client: Client, procurer: Persona) -> None:
    client.force_login(procurer.user)

    def post(**options: Any) -> Any:
        file = SimpleUploadedFile("focus.csv", focus_csv(COMPUTE), content_type="text/csv")
        return client.post(URL, {"file": file, **options})

    response = post(to=["aws:eu-north-1", "aws:us-east-1"])
    assert response.status_code == 200, response.content
    got = response.json()
    assert [a["region"] for a in got["alternatives"]] == ["eu-north-1", "us-east-1"]
    assert got["alternatives"][0]["change_kgco2e"]["value"] < 0

    refused = post(to=["aws:mars-1"])
    assert refused.status_code == 422 and "mars-1" in refused.json()["problems"][0]
    # The API's one error body: a program reads which option was refused without parsing the words.
    assert (refused.json()["code"], refused.json()["field"]) == ("refused", "to")
    assert post(to=["eu-north-1"]).status_code == 422
    client.logout()
    assert post().status_code in (401, 403)


def test_the_command_line_entry_is_django_free(tmp_path: Path) -> None:
    from cfit.cli import engine_arguments

    assert engine_arguments(["cfit", "cloud", "compare", "f.csv"]) == ["compare", "f.csv"]
    assert engine_arguments(["cfit", "cloud", "compare", "f.csv", "--database"]) is None
