"""The fast path of the fleet's figures gives the figures the engine gave before it.

``fleet.compute_lines`` matches and estimates each distinct model input (name, specs, purchase year)
once and spreads the result to its lines; ``summary`` groups by integer codes and sorts the retired
lines once. Neither may change a figure: a line's footprint is its own, whatever else the register
holds, and the summary of Rijkswaterstaat's sample register is the one computed line by line before
(commit 445dcde, shipped factors and manufacturers' footprints).
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from bench.fleet import AS_OF, write_register
from cfit.impact import estimate, fleet, summary
from cfit.impact.reference import SHIPPED_PCF_TITLE, Reference, load_factors, load_shipped_footprints
from cfit.impact.register import check_register, read_raw

#: Rijkswaterstaat's sample register (``bench.fleet``, 3,000 lines, seed 5) as the engine summed it up
#: before the fast path: a change here is a change of method or reference data, never of speed.
BEFORE: dict[str, Any] = {
    "devices": 21386,
    "embodied_kgco2e": {"low": 5395643.6, "value": 7971064.2, "high": 12997924.3},
    "use_kgco2e_per_year": {"low": 359318.0, "value": 649275.1, "high": 1139447.5},
    "annual_kgco2e": {"low": 1238191.3, "value": 1935683.9, "high": 3203054.3},
    "by_group": {
        "desktops": [3763, 1473736.8, 316442.5, {"estimate": 2283, "pcf": 1480}],
        "monitors": [3813, 1436688.7, 238300.6, {"estimate": 2290, "pcf": 1523}],
        "notebooks": [4792, 1176685.5, 230086.8, {"estimate": 2300, "pcf": 2492}],
        "printers": [108, 12592.1, 2981.2, {"pcf": 108}],
        "servers": [2197, 3602025.6, 1047915.7, {"estimate": 1938, "pcf": 259}],
        "smartphones": [2379, 71100.9, 24479.6, {"estimate": 2152, "pcf": 227}],
        "tablets": [2121, 100391.8, 37066.2, {"estimate": 1974, "pcf": 147}],
        "thin-clients": [2213, 97842.9, 38411.4, {"default": 2143, "pcf": 70}],
    },
    "service_life_all": {"devices": 8677, "mean_years": 3.98, "median_years": 3.68},
    "routes": {
        "internal_reuse": [1880, 13112.6],
        "lost": [135, 1090.7],
        "recycled": [2355, 17546.8],
        "refurbished": [1604, 12046.2],
        "reuse": [2703, 20984.9],
    },
    "age": {"1": 1873, "2": 2047, "3": 2287, "4": 1959, "5": 2372, "6": 2252, "7": 2341, "8": 6255},
    "saving": {"low": 451694.6, "value": 631807.1, "high": 879676.9},
}


@functools.cache
def shipped_reference() -> Reference:
    footprints = load_shipped_footprints()
    if footprints is None:
        pytest.skip("cfit is installed without its manufacturers' footprints")
    return load_factors().with_pcf(footprints, SHIPPED_PCF_TITLE)


@pytest.fixture(scope="module")
def shipped() -> Reference:
    return shipped_reference()


@pytest.fixture(scope="module")
def rijkswaterstaat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pl.DataFrame]:
    """Rijkswaterstaat's sample register: 3,000 lines of about 3,000 models, specs on half of them."""
    path: Path = tmp_path_factory.mktemp("register") / "rijkswaterstaat.csv"
    write_register(path, 3000, seed=5)
    yield check_register(read_raw(path, path.name), today=AS_OF)


def test_the_sample_registers_figures_are_those_computed_line_by_line_before(
    rijkswaterstaat: pl.DataFrame, shipped: Reference
) -> None:
    lines = fleet.compute_lines(rijkswaterstaat, shipped, AS_OF)
    figures = summary.summarise(lines, shipped, AS_OF).model_dump()
    saving = summary.scenario(
        lines, shipped, summary.Scenario(2, 0.3, 0.3)
    ).saving_kgco2e_per_year.model_dump()
    circularity = figures["circularity"]
    now = {
        "devices": figures["devices"],
        "embodied_kgco2e": figures["embodied_kgco2e"],
        "use_kgco2e_per_year": figures["use_kgco2e_per_year"],
        "annual_kgco2e": figures["annual_kgco2e"],
        "by_group": {
            group: [
                part["devices"],
                part["embodied_kgco2e"]["value"],
                part["annual_kgco2e"]["value"],
                part["embodied_sources"],
            ]
            for group, part in figures["by_product_group"].items()
        },
        "service_life_all": circularity["service_life_all"],
        "routes": {route: [r["units"], r["kg"]] for route, r in circularity["end_of_use_routes"].items()},
        "age": figures["age_distribution"]["age"],
        "saving": saving,
    }
    assert json.loads(json.dumps(now)) == BEFORE


def test_every_estimate_is_the_one_its_line_gets_from_the_estimator_alone(
    rijkswaterstaat: pl.DataFrame, shipped: Reference
) -> None:
    """Each line without a declaration of its own, estimated on its own by ``estimate_lines`` (as the
    engine did before it estimated each distinct input once), gets the figure the fleet gives it."""
    assert shipped.estimator is not None
    lines = fleet.compute_lines(rijkswaterstaat, shipped, AS_OF).filter(
        pl.col("embodied_source") == "estimate", pl.col("condition") == "new"
    )
    specs = sorted({s for m in shipped.estimator.models.values() for s in m.specs} | {"screen_size_in"})
    alone = estimate.estimate_lines(
        shipped.estimator.models,
        lines.select(
            pl.col("product_group").cast(pl.String),
            "manufacturer",
            "model",
            *specs,
            pl.col("purchase_date").dt.year().cast(pl.Float64).alias("year"),
        ),
        shipped.index,
    )
    assert lines.height > 500
    assert np.array_equal(lines.get_column("embodied_value").to_numpy(), alone.value)
    assert np.array_equal(lines.get_column("embodied_low").to_numpy(), alone.low)
    assert np.array_equal(lines.get_column("embodied_high").to_numpy(), alone.high)


@functools.cache
def whole_register() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rijkswaterstaat's sample register and its lines computed with the shipped reference (kept
    out of the test's arguments, which hypothesis would print in full)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rijkswaterstaat.csv"
        write_register(path, 3000, seed=5)
        register = check_register(read_raw(path, path.name), today=AS_OF)
    return register, fleet.compute_lines(register, shipped_reference(), AS_OF, explain=True)


@settings(max_examples=12, deadline=None)
@given(rows=st.lists(st.integers(0, 2999), min_size=1, max_size=60, unique=True))
def test_a_lines_footprint_does_not_depend_on_the_other_lines_of_the_register(rows: list[int]) -> None:
    """Any part of the register, in any order, gives each of its lines the figures it has in the whole:
    the same sources, models and methods, and the same numbers but for the last bits of a float
    (numpy's vector arithmetic may round a batch of two otherwise than a batch of thousands; so did
    the engine before the fast path)."""
    register, whole = whole_register()
    part = fleet.compute_lines(register[rows], shipped_reference(), AS_OF, explain=True)
    assert_frame_equal(part, whole[rows], rel_tol=1e-12, abs_tol=0.0)


def test_the_summary_does_not_depend_on_the_order_of_the_lines(
    rijkswaterstaat: pl.DataFrame, shipped: Reference
) -> None:
    lines = fleet.compute_lines(rijkswaterstaat, shipped, AS_OF)
    shuffled = lines.sample(fraction=1.0, shuffle=True, seed=3)
    assert summary.summarise(shuffled, shipped, AS_OF) == summary.summarise(lines, shipped, AS_OF)


def test_each_distinct_model_input_is_matched_and_estimated_once(
    shipped: Reference, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A register of 2,000 lines that repeat 40 model inputs costs the matcher and the estimator no
    more than those 40: the speed of a national register rests on it."""
    path = tmp_path / "register.csv"
    write_register(path, 40, seed=9)
    few = check_register(read_raw(path, path.name), today=AS_OF)
    # The same 40 lines over and over, each a line of its own (its own key and quantity).
    register = pl.concat([few] * 50).with_columns(
        pl.int_range(pl.len()).alias("row"),
        pl.format("RWS-{}", pl.int_range(pl.len())).alias("asset_key"),
    )
    estimated: list[int] = []
    real = fleet.estimate_lines

    def counting(models: Any, frame: pl.DataFrame, *args: Any, **kwargs: Any) -> estimate.Estimates:
        estimated.append(frame.height)
        return real(models, frame, *args, **kwargs)

    monkeypatch.setattr(fleet, "estimate_lines", counting)
    lines = fleet.compute_lines(register, shipped, AS_OF)
    assert lines.height == 2000
    assert sum(estimated) <= 40
    alone = fleet.compute_lines(few, shipped, AS_OF)
    assert_frame_equal(lines[:40].drop("row", "asset_key"), alone.drop("row", "asset_key"), check_exact=True)
