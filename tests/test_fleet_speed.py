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
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from bench.fleet import AS_OF, write_register
from cfit.impact import estimate, fleet, summary
from cfit.impact.reference import SHIPPED_PCF_TITLE, Reference, load_factors, load_shipped_footprints
from cfit.impact.register import as_register, check_register, read_raw

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


# -- the fast path against the rules written out line by line ----------------------------------------

#: Models a register may name: (group, manufacturer, model). Declared ones are added from the shipped
#: footprints; these are unknown names of known and unknown manufacturers, in every product group
#: (printers and thin clients have no fitted estimate: their lines take the group's default).
UNDECLARED = [
    ("notebooks", "Dell Inc.", "Latitude 5430"),
    ("notebooks", "HP", "EliteBook 845 G9 Notebook PC"),
    ("monitors", "DELL", "P2423D"),
    ("desktops", "Lenovo", "ThinkCentre M70q Gen 4"),
    ("servers", "Dell", "PowerEdge R760"),
    ("smartphones", "Samsung", "Galaxy A54"),
    ("tablets", "Apple", "iPad 10th generation"),
    ("printers", "HP", "LaserJet M404"),
    ("thin-clients", "Fujitsu", "Futro S9011"),
    ("notebooks", "Nobody Ltd", "Model X 1"),
]


@functools.cache
def register_models() -> list[tuple[str, str, str]]:
    declared = shipped_reference().pcf
    assert declared is not None
    picked = declared.select("product_group", "manufacturer", "model").gather_every(30).rows()
    return [*UNDECLARED, *picked[:30]]


def spec(values: list[float]) -> st.SearchStrategy[float | None]:
    """A spec as registers give it: often missing, often the same few values (so lines share inputs)."""
    return st.one_of(st.none(), st.sampled_from(values))


line_strategy = st.tuples(
    st.integers(0, 39),  # the model
    st.integers(2014, 2026),  # purchase year
    st.sampled_from(["new", "new", "refurbished"]),
    spec([0.0, 13.3, 14.0, 15.6, 24.0, 27.0]),  # screen size (0: none, as a raw frame may say)
    spec([0.9, 1.4, 2.2, 5.5, 18.0]),  # mass
    spec([8.0, 16.0, 256.0]),  # memory
    spec([128.0, 512.0, 2000.0]),  # storage
    spec([1, 2]),  # processors
    spec([12.5, 30.0, 140.2, 950.0]),  # yearly kWh
)


def register_of(drawn: list[tuple[Any, ...]]) -> pl.DataFrame:
    models = register_models()
    rows = []
    for n, (at, year, condition, screen, mass, memory, storage, cpus, kwh) in enumerate(drawn):
        group, maker, model = models[at]
        rows.append(
            {
                "row": n + 2,
                "product_group": group,
                "manufacturer": maker,
                "model": model,
                "quantity": 1 + n % 3,
                "purchase_date": date(year, 1 + n % 12, 1),
                "condition": condition,
                "status": "in_use",
                "country": "NL",
                "weight_kg": mass,
                "screen_size_in": screen,
                "memory_gb": memory,
                "storage_gb": storage,
                "number_cpu": cpus,
                "yearly_kwh": kwh,
                "asset_key": f"A{n}",
            }
        )
    return as_register(pl.DataFrame(rows, infer_schema_length=None))


def figures_line_by_line(register: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Each line's embodied figure and energy by the engine's rules applied to that line alone: the
    declaration of the same model (± its error), else the estimate of the line on its own, else the
    group's median; the declared energy, else the declaration's, else the group's."""
    assert reference.pcf is not None and reference.index is not None and reference.estimator is not None
    pcf = reference.pcf
    share = reference.refurbished_share
    kwh_error = reference.declared_kwh_error
    out = []
    for line in register.iter_rows(named=True):
        group = reference.groups[line["product_group"]]
        found = reference.index.match(line["manufacturer"], line["model"], line["product_group"])
        declared = pcf.row(found.index, named=True) if found.index is not None else None
        embodied: tuple[float, float, float]
        if declared is not None and declared["embodied"] is not None:
            value = declared["embodied"]
            error = declared["error_ratio"] if declared["error_ratio"] is not None else group.pcf_error_ratio
            embodied = (max(value * (1 - error), 0.0), value, value * (1 + error))
            source, matched, distance = "pcf", declared["model"], 0.0
        else:
            declared = None
            source, matched, distance = "default", None, None
            embodied = (group.embodied.low, group.embodied.value, group.embodied.high)
            model = reference.estimator.models.get(line["product_group"])
            if model is not None:
                alone = estimate.estimate_lines(
                    reference.estimator.models,
                    pl.DataFrame(
                        {
                            "product_group": [line["product_group"]],
                            "manufacturer": [line["manufacturer"]],
                            "model": [line["model"]],
                            **{s: [line[s]] for s in fleet.SPEC_COLUMNS},
                            "year": [float(line["purchase_date"].year)],
                        },
                        schema_overrides={s: pl.Float64 for s in fleet.SPEC_COLUMNS},
                    ),
                    reference.index,
                )
                if not np.isnan(alone.value[0]):
                    source = "estimate"
                    embodied = (float(alone.low[0]), float(alone.value[0]), float(alone.high[0]))
                    if alone.nearest[0] >= 0:
                        matched = pcf.get_column("model")[int(alone.nearest[0])]
                        distance = float(alone.distance[0])
        if line["condition"] == "refurbished":
            embodied = (embodied[0] * share.low, embodied[1] * share.value, embodied[2] * share.high)
        if line["yearly_kwh"] is not None:
            kwh = [line["yearly_kwh"] * f for f in (1 - kwh_error, 1.0, 1 + kwh_error)]
        elif declared is not None and declared["yearly_kwh"] is not None:
            kwh = [
                declared["yearly_kwh"] * bound / declared["embodied"]
                for bound in _declared_bounds(declared, group.pcf_error_ratio)
            ]
        else:
            kwh = [group.yearly_kwh.low, group.yearly_kwh.value, group.yearly_kwh.high]
        out.append(
            {
                "embodied_source": source,
                "matched_model": matched,
                "match_distance": distance,
                "embodied_low": embodied[0],
                "embodied_value": embodied[1],
                "embodied_high": embodied[2],
                "kwh_low": kwh[0],
                "kwh_value": kwh[1],
                "kwh_high": kwh[2],
                "mass_kg": line["weight_kg"] if line["weight_kg"] is not None else group.mass_kg,
            }
        )
    floats = ["match_distance", "mass_kg", *(f"{k}_{b}" for k in ("embodied", "kwh") for b in fleet.BOUNDS)]
    return pl.DataFrame(
        out, schema_overrides={"matched_model": pl.String, **dict.fromkeys(floats, pl.Float64)}
    )


def _declared_bounds(declared: dict[str, Any], group_error: float) -> list[float]:
    value = declared["embodied"]
    error = declared["error_ratio"] if declared["error_ratio"] is not None else group_error
    return [max(value * (1 - error), 0.0), value, value * (1 + error)]


#: Every model once, with and without specs, and a repeated input with another yearly kWh.
EVERY_MODEL = [
    (at, 2018 + at % 8, "refurbished" if at % 5 == 0 else "new", *([None] * 6 if at % 2 else specs))
    for at, specs in enumerate([(15.6, 1.4, 16.0, 512.0, 1, 30.0)] * 40)
] + [(1, 2019, "new", 15.6, 1.4, 16.0, 512.0, 1, 140.2)]


@settings(max_examples=25, deadline=None)
@example(drawn=EVERY_MODEL)
@given(drawn=st.lists(line_strategy, min_size=1, max_size=40))
def test_the_fast_path_gives_every_line_the_figures_of_the_rules_applied_to_it_alone(
    drawn: list[tuple[Any, ...]],
) -> None:
    """A varied register (declared and unknown models of every group, specs missing or repeated,
    refurbished purchases, lines sharing inputs or not): each line's embodied figure, source, sibling,
    energy and mass are those the engine's rules give that line on its own, as the engine computed
    them line by line before it formed each model and each distinct input once."""
    reference = shipped_reference()
    register = register_of(drawn)
    lines = fleet.compute_lines(register, reference, AS_OF)
    expected = figures_line_by_line(register, reference)
    got = lines.select(pl.col("embodied_source").cast(pl.String), *expected.columns[1:])
    assert_frame_equal(got, expected, rel_tol=1e-9, abs_tol=1e-12)
    if drawn == EVERY_MODEL:  # the example goes every way a figure can be formed
        assert set(expected.get_column("embodied_source")) == {"pcf", "estimate", "default"}
