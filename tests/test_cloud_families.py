"""Instance families and per-region PUE in the cloud footprint and its comparisons
(``cfit.cloud.footprint``, ``cfit.cloud.compare``): a hand-computed case per family and region, the
fallback of a type cfit does not know, moves to a declared equivalent family, the reviewed data
files, the command line and ``POST /api/v1/cloud/compare``.

Persona: Pia, procurer at Rijkswaterstaat, asks what moving her m5 instances to Graviton (m7g) would
change. Every figure below is read by hand from ``cfit/cloud/factors/`` (method ``cfit-cloud-2``):

- ``instances.csv``: m5.xlarge 4 vCPU 16 GB Skylake, 0.613 W idle, 4.1042 W full load (2.3586 W at
  50 %), 0.00191542 kg per hour; m7g.xlarge 4 vCPU 16 GB Graviton3, 0.4743 / 1.693 W (1.08365 W),
  0.00156963 kg per hour; n2-standard-4 4 vCPU 16 GB Cascade Lake, 0.6903 / 3.7549 W (2.2226 W);
  a1.medium (the first Graviton): no coefficients, the AWS fallback 0.4556 / 2.41205 / 8.9614 W;
- ``region-pue.csv``: Google europe-west4 1.07; AWS 1.15 everywhere (``cloud.yaml``);
- the test's grid: US 380 / 400 / 420 gCO2e/kWh (``tests/test_cloud.py``).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.cloud import cli
from cfit.cloud.compare import Place, UnknownFamilyMove, compare_places, compare_workload, parse_family_moves
from cfit.cloud.focus import read_focus
from cfit.cloud.footprint import UNKNOWN_FAMILY, compute_footprint
from cfit.cloud.reference import FACTORS_DIR
from tests.test_cloud import close, focus_csv, reference

from .conftest import Persona


def _focus(rows: list[dict[str, str]]) -> Any:
    return read_focus(focus_csv(rows), "cloud.csv", reference().focus_columns, vcpu_per_ocpu=2)


def hours(instance: str, n: str = "10", **row: str) -> dict[str, str]:
    return {
        "ConsumedQuantity": n,
        "ConsumedUnit": "Hours",
        "ChargeDescription": f"$0.192 per On Demand Linux {instance} Instance Hour",
        **row,
    }


M5 = [hours("m5.xlarge")]


def test_an_m5_instance_is_priced_with_skylake_s_watts() -> None:
    result = compute_footprint(_focus(M5), reference())

    # 10 h × 4 vCPU × 0.613 / 2.3586 / 4.1042 W ÷ 1000 × PUE 1.15
    close(result.energy_kwh, 0.028198, 0.1084956, 0.1887932)
    close(result.embodied_kgco2e, 0.0191542, 0.0191542, 0.0191542)
    # energy × 380 / 400 / 420 g ÷ 1000 + 10 h × 0.00191542 kg
    close(result.emissions_kgco2e, 0.02986944, 0.06255244, 0.09844534)
    assert set(result.by_family) == {"aws m5"}


def test_a_google_machine_type_is_priced_with_its_cpu_and_its_region_s_own_pue() -> None:
    row = hours("n2-standard-4", ProviderName="Google Cloud", RegionId="europe-west4")
    row["ChargeDescription"] = "N2 Instance Core running in Netherlands: n2-standard-4"
    result = compute_footprint(_focus([row]), reference())

    # 10 h × 4 vCPU × 0.6903 / 2.2226 / 3.7549 W ÷ 1000 × PUE 1.07 (Google, europe-west4)
    close(result.energy_kwh, 0.02954484, 0.09512728, 0.16070972)
    region = result.by_region["europe-west4"]
    assert region.pue.value == 1.07 and region.pue_source == "pue-gcp-regions"
    assert "pue-gcp-regions" in {s.id for s in result.sources}
    assert set(result.by_family) == {"gcp n2"}


@pytest.mark.parametrize(
    ("provider", "description", "family"),
    [
        ("AWS", "$0.115 per On Demand Linux db.r5.large Instance Hour", "aws db.r5"),
        ("Google Cloud", "E2 Instance Core: e2-standard-2", "gcp e2"),
        ("Microsoft", "Standard_D4s_v3 Linux", "azure ds_v3"),
        ("Microsoft", "Virtual Machines Dv2/DSv2 Series - D11 v2/DS11 v2 - US East 2", "azure d_v2"),
    ],
)
def test_it_reads_the_instance_type_of_each_provider_s_charge_description(
    provider: str, description: str, family: str
) -> None:
    row = {**hours("x"), "ProviderName": provider, "ChargeDescription": description}
    result = compute_footprint(_focus([row]), reference())

    assert set(result.by_family) == {family}


def test_a_type_without_coefficients_takes_the_provider_average_with_a_wider_range_and_says_so() -> None:
    result = compute_footprint(_focus([hours("a1.medium")]), reference())

    # 10 h × 1 vCPU × 0.4556 / 2.41205 / 8.9614 W ÷ 1000 × 1.15
    close(result.energy_kwh, 0.0052394, 0.027738575, 0.1030561)
    assert set(result.by_family) == {f"aws {UNKNOWN_FAMILY}"}
    known = compute_footprint(_focus(M5), reference()).energy_kwh
    unknown = result.energy_kwh
    assert unknown.high / unknown.low > known.high / known.low  # wider, relative to its value


def test_moving_m5_to_m7g_where_it_runs_matches_the_hand_computation() -> None:
    moves = parse_family_moves(["m5=m7g"], reference())
    result = compare_places(_focus(M5), reference(), families=moves)

    (graviton,) = result.alternatives
    assert graviton.families == {"m5.xlarge": "m7g.xlarge"}
    # 10 h × 4 vCPU × 0.4743 / 1.08365 / 1.693 W ÷ 1000 × 1.15
    close(graviton.energy_kwh, 0.0218178, 0.0498479, 0.077878)
    # energy × 0.4 + 10 h × 0.00156963 kg, minus today's 0.06255244
    assert graviton.change_kgco2e.value == pytest.approx(0.03563546 - 0.06255244, abs=1e-6)
    # Same place, same grid, same utilisation on both sides: the extremes pair every bound with itself.
    assert graviton.change_kgco2e.low == pytest.approx(-0.05004228, abs=1e-6)  # full load, high grid
    assert graviton.change_kgco2e.high == pytest.approx(-0.00588238, abs=1e-6)  # idle, low grid
    assert any("Graviton3" in m for m in result.family_moves)
    assert "ccf-instances-2026" in {s.id for s in result.sources}  # m7g is in CCF's 2026 list


def test_a_size_the_equivalent_family_lacks_stays_and_is_named() -> None:
    moves = parse_family_moves(["m5=m7g"], reference())
    result = compare_places(_focus([*M5, hours("m5.24xlarge")]), reference(), families=moves)

    # m7g goes up to 64 vCPUs: the 96-vCPU m5.24xlarge has no equivalent and keeps its own figures.
    assert result.not_moved == ("m5.24xlarge → m7g",)
    assert result.alternatives[0].families == {"m5.xlarge": "m7g.xlarge"}


def test_a_move_the_table_does_not_declare_is_refused() -> None:
    with pytest.raises(UnknownFamilyMove, match="m5=m9"):
        parse_family_moves(["m5=m9"], reference())
    with pytest.raises(UnknownFamilyMove):
        parse_family_moves(["m7g=m5"], reference())  # declared one way only


def test_a_family_move_combines_with_a_move_of_region() -> None:
    moves = parse_family_moves(["m5=m7g"], reference())
    result = compare_places(_focus(M5), reference(), to=[Place("aws", "eu-north-1")], families=moves)

    (there,) = result.alternatives
    assert there.region == "eu-north-1" and there.families == {"m5.xlarge": "m7g.xlarge"}
    close(there.energy_kwh, 0.0218178, 0.0498479, 0.077878)
    assert there.change_kgco2e.high < 0


def test_a_workload_stored_by_the_first_method_still_compares() -> None:
    table = pl.DataFrame(
        {
            "provider": ["aws"], "RegionId": ["us-east-1"], "ServiceName": ["EC2"], "rows": [1],
            "vcpu_hours": [1000.0], **{f"other_it_kwh_{b}": [0.0] for b in ("low", "value", "high")},
            **{f"{m}_{b}": [1.0] for m in ("energy", "emissions", "embodied") for b in ("low", "value", "high")},
            **{f"grid_{b}": [400.0] for b in ("low", "value", "high")}, "grid_source": ["test-grid"],
        }
    )  # fmt: skip

    result = compare_workload(table, reference(), to=None, limit=1)

    assert result.alternatives and result.rows == 1


def test_the_reviewed_data_holds_together() -> None:
    instances = pl.read_csv(FACTORS_DIR / "instances.csv")
    families = pl.read_csv(FACTORS_DIR / "families.csv")
    for move in families.iter_rows(named=True):
        own = instances.filter(
            (pl.col("provider") == move["provider"]) & (pl.col("family") == move["family"])
        )
        other = instances.filter(
            (pl.col("provider") == move["provider"]) & (pl.col("family") == move["equivalent"])
        )
        assert own.join(other, on=["vcpu", "memory_gb"]).height, move  # some size of the same class
        assert other.get_column("watts_min").is_not_null().all(), move
    ordered = instances.drop_nulls("watts_min")
    assert (ordered["watts_idle"] <= ordered["watts_min"]).all()
    assert (ordered["watts_min"] <= ordered["watts_max"]).all()
    assert (ordered["watts_max"] <= ordered["watts_full"]).all()
    sources = set(reference().sources)
    assert set(instances.get_column("source").unique()) <= sources
    assert set(reference().region_pue.get_column("pue_source").unique()) <= sources
    assert (reference().region_pue.get_column("pue") >= 1.0).all()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["m5.large", "m5.xlarge", "m5.4xlarge", "c5.2xlarge", "r5.large", "t3.micro"]),
            st.integers(min_value=1, max_value=5000),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sets(st.sampled_from(["m5=m7g", "m5=m6a", "c5=c7g", "r5=r6g", "t3=t4g"]), max_size=3),
)
def test_ranges_hold_for_every_family_move(rows: list[tuple[str, int]], moves: set[str]) -> None:
    focus = _focus([hours(instance, str(n)) for instance, n in rows])
    result = compare_places(focus, reference(), families=parse_family_moves(sorted(moves), reference()))

    for a in result.alternatives:
        for span in (a.energy_kwh, a.emissions_kgco2e, a.change_kgco2e):
            assert span.low <= span.value <= span.high


def test_the_command_line_moves_a_family(tmp_path: Path) -> None:
    path = tmp_path / "focus.csv"
    path.write_bytes(focus_csv(M5))
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["compare", str(path), "--family", "m5=m7g"]) == 0
    got = json.loads(out.getvalue())
    assert got["alternatives"][0]["families"] == {"m5.xlarge": "m7g.xlarge"}
    assert got["alternatives"][0]["change_kgco2e"]["high"] < 0
    assert cli.main(["compare", str(path), "--family", "m5=m9"]) == 1


@pytest.mark.django_db
def test_the_api_moves_a_family_and_refuses_an_undeclared_one(client: Client, procurer: Persona) -> None:
    client.force_login(procurer.user)

    def post(**options: Any) -> Any:
        file = SimpleUploadedFile("focus.csv", focus_csv(M5), content_type="text/csv")
        return client.post("/api/v1/cloud/compare", {"file": file, **options})

    response = post(family=["m5=m7g"])
    assert response.status_code == 200, response.content
    (graviton,) = response.json()["alternatives"]
    assert graviton["families"] == {"m5.xlarge": "m7g.xlarge"} and graviton["change_kgco2e"]["value"] < 0
    refused = post(family=["m5=m9"])
    assert refused.status_code == 422 and "m5=m9" in refused.json()["problems"][0]
    client.logout()
    assert post(family=["m5=m7g"]).status_code in (401, 403)


def test_a_place_at_another_provider_names_no_instance_as_moved() -> None:
    """Pia compares her m5 instances moved to m7g at AWS Stockholm and at Google Iowa: at Google an
    AWS instance type does not exist, the workload is priced with Google's average watts, and the row
    must not claim "m5.xlarge → m7g.xlarge" (it did: every row named the AWS moves)."""
    moves = parse_family_moves(["m5=m7g"], reference())
    result = compare_places(
        _focus(M5), reference(), to=[Place("aws", "eu-north-1"), Place("gcp", "us-central1")], families=moves
    )

    by_place = {(a.provider, a.region): a for a in result.alternatives}
    assert by_place["aws", "eu-north-1"].families == {"m5.xlarge": "m7g.xlarge"}
    assert by_place["gcp", "us-central1"].families == {}
