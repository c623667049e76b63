"""The plain core of data-centre reports: Annex III formulas, honest gaps, implausible values, checks."""

from __future__ import annotations

import math
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.datacentres.indicators import (
    Figures,
    Indicator,
    Outcome,
    Threshold,
    check,
    check_all,
    cndcp_targets,
    derive,
    find_problems,
    value_for,
)

GOOD = Figures(
    installed_it_power_kw=1200,
    total_energy_kwh=9_400_000,
    it_energy_kwh=7_100_000,
    water_input_m3=7_800,
    waste_heat_reused_kwh=900_000,
    renewable_energy_kwh=9_400_000,
)


def codes(figures: Figures) -> set[tuple[str, str]]:
    return {(f.code, str(f.field)) for f in find_problems(figures)}


def test_the_indicators_follow_the_formulas_of_annex_iii() -> None:
    derived = derive(GOOD)

    # hand-computed: 9.4 GWh / 7.1 GWh; 7,800 m³ × 1000 L / 7.1 GWh; 0.9 / 9.4; 9.4 / 9.4
    assert round(derived[Indicator.PUE].value or 0, 4) == 1.3239
    assert round(derived[Indicator.WUE].value or 0, 4) == 1.0986
    assert round(derived[Indicator.ERF].value or 0, 3) == 9.574
    assert derived[Indicator.REF].value == 100.0


def test_a_clean_report_has_no_flags() -> None:
    assert find_problems(GOOD) == []


def test_a_missing_water_input_is_not_zero_and_wue_cannot_be_computed() -> None:
    figures = Figures(**{**GOOD.__dict__, "water_input_m3": None})

    assert derive(figures)[Indicator.WUE].value is None
    assert derive(figures)[Indicator.WUE].missing == ("water_input_m3",)
    assert ("not_reported", "water_input_m3") in codes(figures)


def test_a_wue_stated_without_water_data_is_flagged_as_implausible() -> None:
    figures = Figures(**{**GOOD.__dict__, "water_input_m3": None, "stated": {Indicator.WUE: 0.35}})

    found = [f for f in find_problems(figures) if f.code == "stated_without_inputs"]

    assert [(f.field, f.severity.value) for f in found] == [(Indicator.WUE, "implausible")]


def test_it_energy_above_total_energy_is_a_pue_below_one_and_never_checked_as_a_pass() -> None:
    figures = Figures(total_energy_kwh=3_000_000, it_energy_kwh=3_300_000)
    limit = Threshold(Indicator.PUE, 1.3, True, "kWh/kWh", "test")

    assert ("pue_below_one", "pue") in codes(figures)
    assert check(value_for(figures, Indicator.PUE), limit, 2025).outcome == Outcome.NOT_REPORTED


def test_a_renewable_share_above_100_percent_is_flagged() -> None:
    figures = Figures(total_energy_kwh=100, it_energy_kwh=80, renewable_energy_kwh=120)

    assert ("share_above_total", "ref") in codes(figures)
    assert value_for(figures, Indicator.REF) is None


def test_negative_values_and_disagreeing_statements_are_flagged() -> None:
    figures = Figures(**{**GOOD.__dict__, "waste_heat_reused_kwh": -5.0, "stated": {Indicator.PUE: 1.1}})

    assert {("negative", "waste_heat_reused_kwh"), ("stated_disagrees", "pue")} <= codes(figures)


def test_it_energy_beyond_what_the_installed_power_can_draw_is_flagged() -> None:
    figures = Figures(**{**GOOD.__dict__, "installed_it_power_kw": 100})

    assert ("it_energy_above_power", "it_energy_kwh") in codes(figures)


def test_a_missing_value_is_never_a_pass() -> None:
    result = check(None, Threshold(Indicator.WUE, 0.4, True, "L/kWh", "test"), 2025)

    assert result.outcome == Outcome.NOT_REPORTED


def test_the_pacts_targets_depend_on_climate_age_and_year() -> None:
    existing_cool = {t.field: t for t in cndcp_targets("cool", 2016, 2025)}
    new_warm = {t.field: t for t in cndcp_targets("warm", 2026, 2030)}

    assert (existing_cool["pue"].limit, existing_cool["pue"].applies_from) == (1.3, 2030)
    assert existing_cool["ref"].limit == 75.0
    assert "wue" not in existing_cool  # only new data centres in cool climates
    assert (new_warm["pue"].limit, new_warm["pue"].applies_from) == (1.4, 2025)
    assert new_warm["ref"].limit == 100.0
    results = check_all(GOOD, cndcp_targets("cool", 2016, 2024), 2024)
    assert {r.threshold.field: r.outcome for r in results} == {"pue": Outcome.NOT_DUE, "ref": Outcome.MEETS}


energy = st.floats(min_value=1.0, max_value=1e10, allow_nan=False)


@given(
    it=energy,
    overhead=st.floats(min_value=0, max_value=5),
    renewable_share=st.floats(min_value=0, max_value=1),
)
def test_derived_indicators_are_consistent_with_the_values(
    it: float, overhead: float, renewable_share: float
) -> None:
    total = it * (1 + overhead)
    figures = Figures(total_energy_kwh=total, it_energy_kwh=it, renewable_energy_kwh=total * renewable_share)
    derived = derive(figures)

    pue = derived[Indicator.PUE].value
    ref = derived[Indicator.REF].value
    assert pue is not None and ref is not None
    assert abs(pue * it - total) <= 1e-9 * total
    assert pue >= 1.0 - 1e-12
    assert -1e-9 <= ref <= 100 + 1e-9
    assert not {f.code for f in find_problems(figures)} & {"pue_below_one", "share_above_total"}


@given(
    better=st.floats(min_value=1.0, max_value=4.0),
    worse=st.floats(min_value=1.0, max_value=4.0),
    limit=st.floats(min_value=1.0, max_value=3.0),
    year=st.integers(min_value=2020, max_value=2035),
    applies_from=st.one_of(st.none(), st.integers(min_value=2020, max_value=2035)),
)
def test_a_better_pue_never_fails_a_check_a_worse_one_passes(
    better: float, worse: float, limit: float, year: int, applies_from: int | None
) -> None:
    better, worse = min(better, worse), max(better, worse)
    threshold = Threshold(Indicator.PUE, limit, True, "kWh/kWh", "test", applies_from)
    it = 1_000_000.0
    outcome_better = check_all(Figures(total_energy_kwh=better * it, it_energy_kwh=it), [threshold], year)[0]
    outcome_worse = check_all(Figures(total_energy_kwh=worse * it, it_energy_kwh=it), [threshold], year)[0]

    if outcome_worse.outcome == Outcome.MEETS:
        assert outcome_better.outcome == Outcome.MEETS
    if outcome_better.outcome == Outcome.FAILS:
        assert outcome_worse.outcome == Outcome.FAILS


def test_the_core_imports_no_django() -> None:
    code = "import sys, cfit.datacentres.indicators; print('django' in sys.modules)"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"


values = st.one_of(st.none(), st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False))


@settings(max_examples=25, deadline=None)
@given(total=values, it=values, water=values, renewable=values)
def test_any_values_typed_into_the_template_read_back_unchanged(
    total: float | None, it: float | None, water: float | None, renewable: float | None
) -> None:
    import io

    from openpyxl import load_workbook

    from cfit.datacentres.models import Facility
    from cfit.datacentres.template import build_template, read_template

    facility = Facility(name="DC", country="NL")  # never saved: the template needs only its code
    typed = {
        "total_energy_kwh": total,
        "it_energy_kwh": it,
        "water_input_m3": water,
        "renewable_energy_kwh": renewable,
    }
    book = load_workbook(io.BytesIO(build_template([facility], [2025])))
    sheet = book["reports"]
    headers = [c.value for c in sheet[1]]
    for key, value in typed.items():
        sheet.cell(row=3, column=headers.index(key) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)

    [(found, year, read)] = read_template(buffer.getvalue(), "filled.xlsx", {facility.code: facility})

    assert (found, year) == (facility, 2025)
    # XLSX keeps what a spreadsheet keeps: 15 significant digits (openpyxl writes up to 17)
    for key, value in typed.items():
        assert (read[key] is None) == (value is None)
        if value is not None:
            assert math.isclose(read[key] or 0.0, value, rel_tol=1e-14)
