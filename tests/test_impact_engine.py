"""The impact engine's formulas against hand-computed cases, with a small reference made for the test.

Reference used throughout (made up, round numbers so that every figure can be checked by hand):
notebooks default embodied 200/250/300 kgCO2e, 10/20/30 kWh a year, 1.5 kg, 4 years, error 0.2;
grid NL 200/250/300 gCO2e/kWh, fallback WORLD 400/500/600; refurbished share 0.1/0.2/0.5; a declared
kWh is ±10 %; a second life lasts 3 years; one footprint: Dell Latitude 5420, gwp_total 375 with a
use share of 0.2 (embodied 300), error 0.1, 15 kWh a year.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cfit.impact import fleet, results, summary
from cfit.impact.figures import Source, Span
from cfit.impact.pcf import PCF_COLUMNS, with_embodied
from cfit.impact.reference import GridFactor, GroupFactors, Reference, load_factors
from cfit.impact.register import RawTable, check_register

AS_OF = date(2026, 1, 1)


def reference(with_footprint: bool = True) -> Reference:
    pcf = None
    if with_footprint:
        row = {c: None for c in PCF_COLUMNS if c not in ("embodied", "use_ratio_assumed")}
        row.update(
            manufacturer="Dell",
            model="Latitude 5420",
            product_group="notebooks",
            gwp_total=375.0,
            use_ratio=0.2,
            error_ratio=0.1,
            yearly_kwh=15.0,
            document="d1",
            row=2,
        )
        schema = {k: v for k, v in PCF_COLUMNS.items() if k not in ("embodied", "use_ratio_assumed")}
        pcf = with_embodied(pl.DataFrame([row], schema=schema)).select(list(PCF_COLUMNS))
    return Reference(
        groups={
            "notebooks": GroupFactors(
                "notebooks", Span(200, 250, 300), Span(10, 20, 30), 1.5, 4.0, "test", 0.2, "test"
            )
        },
        grid={
            "NL": GridFactor("NL", "Netherlands", 2024, Span(200, 250, 300), "ember"),
            "WORLD": GridFactor("WORLD", "World", 2024, Span(400, 500, 600), "ember"),
        },
        refurbished_share=Span(0.1, 0.2, 0.5),
        refurbished_source="test",
        declared_kwh_error=0.1,
        second_life_years=3.0,
        second_life_source="test",
        sources={"test": Source("test", "Test factors"), "ember": Source("ember", "Ember")},
        pcf=pcf,
        pcf_source="test footprints" if with_footprint else "",
    )


def register(rows: list[dict[str, str]]) -> pl.DataFrame:
    headers = sorted({key for row in rows for key in row})
    frame = pl.DataFrame(
        {h: [row.get(h, "") for row in rows] for h in headers}, schema=dict.fromkeys(headers, pl.String)
    )
    return check_register(RawTable("test.csv", headers, frame, 2), today=AS_OF)


LATITUDE = {
    "product_group": "notebooks",
    "manufacturer": "Dell",
    "model": "Latitude 5420",
    "quantity": "2",
    "purchase_date": "2024-01-01",
    "country": "NL",
}


def line(rows: list[dict[str, str]], ref: Reference | None = None) -> dict[str, object]:
    return fleet.compute_lines(register(rows), ref or reference(), AS_OF).row(0, named=True)


def test_a_matched_footprint_gives_embodied_use_and_the_year_of_service() -> None:
    computed = line([LATITUDE])

    assert computed["embodied_source"] == "pcf" and computed["match_confidence"] == 1.0
    assert (computed["embodied_low"], computed["embodied_value"], computed["embodied_high"]) == pytest.approx(
        (270, 300, 330)
    )
    # 15 kWh ± the footprint's 10 % × 200/250/300 g per kWh
    assert (computed["use_low"], computed["use_value"], computed["use_high"]) == pytest.approx(
        (2.7, 3.75, 4.95)
    )
    # two years old, expected life 4: embodied / 4 + use
    assert computed["life_years"] == 4.0 and computed["life_basis"] == "expected"
    assert (computed["annual_low"], computed["annual_value"], computed["annual_high"]) == pytest.approx(
        (70.2, 78.75, 87.45)
    )


def test_an_unknown_refurbished_device_in_stock_takes_the_default_share_and_no_energy() -> None:
    computed = line(
        [
            {
                **LATITUDE,
                "model": "Mystery 1",
                "condition": "refurbished",
                "country": "AQ",
                "status": "in_stock",
            }
        ]
    )

    assert computed["embodied_source"] == "default"
    assert (computed["embodied_low"], computed["embodied_value"], computed["embodied_high"]) == pytest.approx(
        (20, 50, 150)
    )
    assert computed["grid_fallback"] and computed["grid_value"] == 500
    assert computed["use_value"] == 0 and computed["annual_value"] == pytest.approx(50 / 4)


def test_a_declared_yearly_energy_wins_with_its_own_uncertainty() -> None:
    computed = line([{**LATITUDE, "yearly_kwh": "40"}])

    assert computed["kwh_source"] == "declared"
    assert (computed["kwh_low"], computed["kwh_value"], computed["kwh_high"]) == pytest.approx((36, 40, 44))
    assert computed["use_value"] == pytest.approx(10.0)


def test_service_life_is_real_for_retired_devices_and_at_least_the_age_of_old_ones() -> None:
    lines = fleet.compute_lines(
        register(
            [
                {
                    **LATITUDE,
                    "purchase_date": "2019-01-01",
                    "retired_date": "2024-01-01",
                    "end_of_use_route": "reuse",
                },
                {**LATITUDE, "purchase_date": "2020-01-01"},
            ]
        ),
        reference(),
        AS_OF,
    ).sort("row")

    retired, old = lines.row(0, named=True), lines.row(1, named=True)

    assert retired["status"] == "retired" and retired["life_basis"] == "actual"
    assert retired["life_years"] == pytest.approx(1826 / 365.25)
    assert old["life_basis"] == "age" and old["life_years"] == pytest.approx(2192 / 365.25)


def test_the_fleet_totals_count_devices_still_owned_times_their_quantity() -> None:
    ref = reference()
    lines = fleet.compute_lines(
        register(
            [
                LATITUDE,
                {**LATITUDE, "quantity": "3", "purchase_date": "2018-01-01", "retired_date": "2023-01-01"},
            ]
        ),
        ref,
        AS_OF,
    )

    figures = summary.summarise(lines, ref, AS_OF)

    assert figures.devices == 2
    assert figures.embodied_kgco2e == results.Span(low=540.0, value=600.0, high=660.0)
    assert figures.annual_kgco2e == results.Span(low=140.4, value=157.5, high=174.9)
    assert figures.by_product_group["notebooks"].embodied_sources == {"pcf": 2}
    assert {s.id for s in figures.sources} >= {"ember", "test", "pcf-import"}


def test_circularity_weighs_service_life_and_routes_by_quantity_and_mass() -> None:
    ref = reference()
    lines = fleet.compute_lines(
        register(
            [
                {
                    **LATITUDE,
                    "quantity": "3",
                    "purchase_date": "2019-01-01",
                    "retired_date": "2023-01-01",
                    "end_of_use_route": "reuse",
                    "weight_kg": "2",
                },
                {
                    **LATITUDE,
                    "quantity": "1",
                    "purchase_date": "2017-01-01",
                    "retired_date": "2025-01-01",
                    "end_of_use_route": "recycled",
                },
                {**LATITUDE, "quantity": "4", "condition": "refurbished"},
            ]
        ),
        ref,
        AS_OF,
    )

    circularity = summary.summarise(lines, ref, AS_OF).circularity

    life = circularity.service_life["notebooks"]
    assert life.devices == 4
    assert life.mean_years == pytest.approx((3 * 1461 / 365.25 + 2922 / 365.25) / 4, abs=0.01)
    assert life.median_years == pytest.approx(1461 / 365.25, abs=0.01)
    routes = circularity.end_of_use_routes
    assert routes["reuse"].units == 3 and routes["reuse"].share_units == 0.75
    # 3 × 2 kg against 1 × 1.5 kg (the group's default mass)
    assert routes["reuse"].kg == 6.0 and routes["recycled"].kg == 1.5
    assert routes["reuse"].share_kg == pytest.approx(0.8)
    assert circularity.refurbished_purchase_share == pytest.approx(4 / 8)
    assert circularity.routes_over_time == {2023: {"reuse": 3}, 2025: {"recycled": 1}}


@pytest.mark.parametrize(
    ("what_if", "saving"),
    [
        # two devices, 300 kg embodied over 4 years: two more years saves 300/4 - 300/6 = 25 each
        (summary.Scenario(life_extension_years=2), {"low": 45.0, "value": 50.0, "high": 55.0}),
        # all bought refurbished instead: 300 × (1 - 0.2) / 4 = 60 each
        (summary.Scenario(refurbished_share=1.0), {"low": 121.5, "value": 120.0, "high": 82.5}),
        # half reused for a 3-year second life: 300/4 - 300/5.5
        (summary.Scenario(reuse_share=0.5), {"low": 36.8, "value": 40.9, "high": 45.0}),
    ],
)
def test_scenarios_save_what_the_formulas_say(what_if: summary.Scenario, saving: dict[str, float]) -> None:
    ref = reference()
    lines = fleet.compute_lines(register([LATITUDE]), ref, AS_OF)

    result = summary.scenario(lines, ref, what_if)

    assert result.annual_kgco2e.value == 157.5
    got = result.saving_kgco2e_per_year
    assert got.value == pytest.approx(saving["value"], abs=0.1)
    assert got.low <= got.value <= got.high
    assert [got.low, got.high] == pytest.approx([min(saving.values()), max(saving.values())], abs=0.1)


def test_scenarios_refuse_impossible_shares() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        summary.Scenario(refurbished_share=1.5)


def test_the_shipped_factors_are_complete_and_sourced() -> None:
    ref = load_factors()

    assert {"notebooks", "desktops", "monitors", "tablets", "smartphones", "servers"} <= set(ref.groups)
    for group in ref.groups.values():
        assert group.source in ref.sources and group.service_life_source in ref.sources
        assert group.embodied.low < group.embodied.value < group.embodied.high
    assert {"NL", "FR", "DE", "NO", "PL", "WORLD", "EU"} <= set(ref.grid)
    for factor in ref.grid.values():
        assert factor.intensity.low <= factor.intensity.value <= factor.intensity.high
        assert all(part in ref.sources for part in factor.source.split("+"))
    assert ref.estimator is not None and {"notebooks", "desktops", "monitors"} <= set(ref.estimator.models)


def test_a_golden_laptop_in_the_netherlands_with_the_shipped_factors() -> None:
    """Golden figure, method cfit-impact-2, shipped factors of 2026-11 (Boavizta PCF medians, Ember 2024).

    A notebook of a group without an estimator (the default tier): 246.1 kg embodied (median), 18.4 kWh
    a year (median) × 252.7 g/kWh (Ember 2024, NL) = 4.65 kg a year, over 4 years (median declared
    lifetime).
    """
    ref = load_factors().with_estimator(None)
    computed = fleet.compute_lines(
        register([{**LATITUDE, "model": "Unknown 1", "quantity": "1", "purchase_date": "2025-06-01"}]),
        ref,
        AS_OF,
    ).row(0, named=True)

    assert computed["embodied_source"] == "default" and computed["embodied_value"] == pytest.approx(246.1)
    assert computed["embodied_method"] == "group median" and computed["matched_model"] is None
    assert computed["use_value"] == pytest.approx(18.4 * 252.7 / 1000)
    assert computed["annual_value"] == pytest.approx(246.1 / 4 + 18.4 * 252.7 / 1000)


def test_with_the_shipped_estimator_an_unknown_model_is_estimated_from_its_manufacturer_and_year() -> None:
    """Without manufacturer data to compare with, the estimate is the regression on what the line
    states (here only its manufacturer and purchase year), with the range measured for that path."""
    computed = fleet.compute_lines(
        register([{**LATITUDE, "model": "Unknown 1", "quantity": "1", "purchase_date": "2025-06-01"}]),
        load_factors(),
        AS_OF,
    ).row(0, named=True)

    assert computed["embodied_source"] == "estimate" and computed["embodied_method"] == "specs"
    assert computed["embodied_low"] < computed["embodied_value"] < computed["embodied_high"]
    assert 150 < computed["embodied_value"] < 400
