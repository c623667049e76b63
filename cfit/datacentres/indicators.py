"""A data centre's yearly EED figures: the values reported, the indicators derived from them, and checks.

Plain typed Python, no Django. The values are those that Commission Delegated Regulation (EU)
2024/1364 has operators of data centres of 500 kW installed IT power or more report to the European
database on data centres every year (Article 3 with Annexes I and II: the information on the data
centre and the key performance indicators, KPIs), in the Regulation's units. The four sustainability
indicators of its Annex III are derived from them by the Regulation's formulas (with the EN 50600-4-x
standards they refer to), never typed in: where a provider also states an indicator, the statement is
compared with the derivation and a difference is flagged.

    PUE = E_DC / E_IT                      power usage effectiveness, EN 50600-4-2 (kWh/kWh)
    WUE = W_IN / E_IT                      water usage effectiveness, EN 50600-4-9 (W_IN in m³ is
                                           converted to litres: L/kWh, the unit of EN 50600-4-9)
    ERF = E_REUSE / E_DC                   energy reuse factor, EN 50600-4-6 (0–1, shown as %)
    REF = E_RES-TOT / E_DC                 renewable energy factor, EN 50600-4-3 (0–1, shown as %)

Gaps are honest: a value not reported is ``None``, never zero; an indicator whose inputs are missing
is ``None`` with the reason, and a check against a threshold on a missing value is "not reported",
never a pass.

Problems are codes with parameters (``Finding``); the web layer renders them in the user's language.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any

HOURS_PER_YEAR = 8784  #: a leap year: the most hours a calendar year's IT energy can draw at PD_IT
LITRES_PER_M3 = 1000.0
#: A provider's own statement of an indicator differs from the derivation by more than this share
#: (2 %: rounding to two decimals of a PUE near 1.1 moves it by under 0.5 %).
DISAGREEMENT_TOLERANCE = 0.02


@dataclass(frozen=True)
class Quantity:
    """One reported value: its key, the Regulation's symbol and unit, and where the Regulation asks for it."""

    key: str
    symbol: str
    unit: str
    annex: str
    required: bool = True  #: a gap is flagged; optional values (cfit's own) are not


#: The reported values, in the Regulation's units. ``annex`` names where Delegated Regulation (EU)
#: 2024/1364 asks for each (Annex I: information on the data centre; Annex II: KPIs); the refrigerant
#: GWP is not an EED value but what the data-centre criteria of the framework ask (dc-refrigerant-*).
QUANTITIES: tuple[Quantity, ...] = (
    Quantity("installed_it_power_kw", "PD_IT", "kW", "2024/1364 Annex I (installed IT power demand)"),
    Quantity("total_floor_area_m2", "", "m²", "2024/1364 Annex I (total floor area)", required=False),
    Quantity(
        "computer_room_floor_area_m2",
        "",
        "m²",
        "2024/1364 Annex I (computer room floor area)",
        required=False,
    ),
    Quantity("total_energy_kwh", "E_DC", "kWh", "2024/1364 Annex II (total energy consumption)"),
    Quantity("it_energy_kwh", "E_IT", "kWh", "2024/1364 Annex II (energy consumption of IT equipment)"),
    Quantity("water_input_m3", "W_IN", "m³", "2024/1364 Annex II (total water input)"),
    Quantity(
        "potable_water_input_m3",
        "W_IN-POT",
        "m³",
        "2024/1364 Annex II (total potable water input)",
        required=False,
    ),
    Quantity("waste_heat_reused_kwh", "E_REUSE", "kWh", "2024/1364 Annex II (waste heat reused)"),
    Quantity(
        "renewable_energy_kwh", "E_RES-TOT", "kWh", "2024/1364 Annex II (total renewable energy consumption)"
    ),
    Quantity("incoming_traffic_eb", "", "EB", "2024/1364 Annex I (incoming data traffic)", required=False),
    Quantity("outgoing_traffic_eb", "", "EB", "2024/1364 Annex I (outgoing data traffic)", required=False),
    Quantity("data_stored_pb", "", "PB", "2024/1364 Annex I (data stored)", required=False),
    Quantity("refrigerant_gwp", "GWP", "kgCO2e/kg", "framework criteria dc-refrigerant-b/-a", required=False),
)
QUANTITY = {q.key: q for q in QUANTITIES}


class Indicator(StrEnum):
    """The sustainability indicators of Annex III of Delegated Regulation (EU) 2024/1364."""

    PUE = "pue"
    WUE = "wue"
    ERF = "erf"
    REF = "ref"


#: Unit in which each indicator is shown and compared (ERF and REF as a percentage, like the criteria).
INDICATOR_UNIT = {Indicator.PUE: "kWh/kWh", Indicator.WUE: "L/kWh", Indicator.ERF: "%", Indicator.REF: "%"}
INDICATOR_SOURCE = {
    Indicator.PUE: "2024/1364 Annex III; EN 50600-4-2: PUE = E_DC / E_IT",
    Indicator.WUE: "2024/1364 Annex III; EN 50600-4-9: WUE = W_IN / E_IT",
    Indicator.ERF: "2024/1364 Annex III; EN 50600-4-6: ERF = E_REUSE / E_DC",
    Indicator.REF: "2024/1364 Annex III; EN 50600-4-3: REF = E_RES-TOT / E_DC",
}


@dataclass(frozen=True)
class Figures:
    """One facility's values for one calendar year; ``None`` is "not reported", never zero.

    ``stated`` holds the indicators the provider also states itself (compared, never used).
    """

    installed_it_power_kw: float | None = None
    total_floor_area_m2: float | None = None
    computer_room_floor_area_m2: float | None = None
    total_energy_kwh: float | None = None
    it_energy_kwh: float | None = None
    water_input_m3: float | None = None
    potable_water_input_m3: float | None = None
    waste_heat_reused_kwh: float | None = None
    renewable_energy_kwh: float | None = None
    incoming_traffic_eb: float | None = None
    outgoing_traffic_eb: float | None = None
    data_stored_pb: float | None = None
    refrigerant_gwp: float | None = None
    stated: dict[Indicator, float] = dataclass_field(default_factory=dict)

    def value(self, key: str) -> float | None:
        found = getattr(self, key)
        return None if found is None else float(found)


FIGURE_KEYS = tuple(f.name for f in fields(Figures) if f.name != "stated")


class Severity(StrEnum):
    MISSING = "missing"  #: a value or indicator not reported
    IMPLAUSIBLE = "implausible"  #: a value that cannot be right


@dataclass(frozen=True)
class Finding:
    """A problem with a year's figures, as a code with parameters (rendered in the user's language)."""

    code: str
    severity: Severity
    field: str  #: a quantity key or an indicator
    params: dict[str, str] = dataclass_field(default_factory=dict)


@dataclass(frozen=True)
class Derived:
    """An Annex III indicator: its value in ``INDICATOR_UNIT`` or ``None`` with the inputs it lacks."""

    indicator: Indicator
    value: float | None
    missing: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        return INDICATOR_UNIT[self.indicator]

    @property
    def source(self) -> str:
        return INDICATOR_SOURCE[self.indicator]


def _ratio(numerator: float | None, denominator: float | None, scale: float) -> float | None:
    if numerator is None or denominator is None or denominator <= 0 or numerator < 0:
        return None
    ratio = numerator / denominator * scale
    # values at the ends of the float range (1e300 kWh over 1e-300) give no number, not an infinite one
    return ratio if math.isfinite(ratio) else None


def derive(figures: Figures) -> dict[Indicator, Derived]:
    """The four Annex III indicators by the Regulation's formulas (PUE kWh/kWh, WUE L/kWh, ERF and REF in %).

    An indicator is ``None`` when an input is missing, negative or its denominator is not positive, or
    when the ratio is beyond what a float holds;
    ``missing`` names the inputs not reported.
    """
    inputs = {
        Indicator.PUE: ("total_energy_kwh", "it_energy_kwh", 1.0),
        Indicator.WUE: ("water_input_m3", "it_energy_kwh", LITRES_PER_M3),
        Indicator.ERF: ("waste_heat_reused_kwh", "total_energy_kwh", 100.0),
        Indicator.REF: ("renewable_energy_kwh", "total_energy_kwh", 100.0),
    }
    result = {}
    for indicator, (top, bottom, scale) in inputs.items():
        missing = tuple(k for k in (top, bottom) if figures.value(k) is None)
        result[indicator] = Derived(
            indicator, _ratio(figures.value(top), figures.value(bottom), scale), missing
        )
    return result


def find_problems(figures: Figures) -> list[Finding]:
    """Missing and implausible values of one year, each a ``Finding``; an empty list is a clean report."""
    found: list[Finding] = []
    derived = derive(figures)
    for quantity in QUANTITIES:
        value = figures.value(quantity.key)
        if value is None:
            if quantity.required:
                found.append(Finding("not_reported", Severity.MISSING, quantity.key))
            continue
        if not math.isfinite(value) or value < 0:
            found.append(Finding("negative", Severity.IMPLAUSIBLE, quantity.key, {"value": _show(value)}))
    total, it = figures.value("total_energy_kwh"), figures.value("it_energy_kwh")
    if it is not None and it == 0 and total:
        found.append(Finding("it_energy_zero", Severity.IMPLAUSIBLE, "it_energy_kwh"))
    if total is not None and it is not None and it > total >= 0:
        # E_DC includes E_IT (EN 50600-4-2): IT energy above the total gives a PUE below 1.
        found.append(
            Finding(
                "pue_below_one",
                Severity.IMPLAUSIBLE,
                Indicator.PUE,
                {"pue": _show(derived[Indicator.PUE].value), "it": _show(it), "total": _show(total)},
            )
        )
    for key, indicator, code in (
        ("renewable_energy_kwh", Indicator.REF, "share_above_total"),
        ("waste_heat_reused_kwh", Indicator.ERF, "share_above_total"),
    ):
        part = figures.value(key)
        if part is not None and total is not None and part > total >= 0:
            found.append(
                Finding(code, Severity.IMPLAUSIBLE, indicator, {"share": _show(derived[indicator].value)})
            )
    potable, water = figures.value("potable_water_input_m3"), figures.value("water_input_m3")
    if potable is not None and water is not None and potable > water:
        found.append(Finding("potable_above_total", Severity.IMPLAUSIBLE, "potable_water_input_m3"))
    power = figures.value("installed_it_power_kw")
    if power is not None and it is not None and power > 0 and it > power * HOURS_PER_YEAR:
        # More IT energy than the installed IT power could draw running flat out all year.
        found.append(
            Finding(
                "it_energy_above_power",
                Severity.IMPLAUSIBLE,
                "it_energy_kwh",
                {"most": _show(power * HOURS_PER_YEAR)},
            )
        )
    for indicator, stated in sorted(figures.stated.items()):
        computed = derived[indicator]
        if computed.value is None:
            # An indicator stated without the values it is computed from: not checkable, flagged.
            found.append(
                Finding(
                    "stated_without_inputs",
                    Severity.IMPLAUSIBLE if indicator == Indicator.WUE else Severity.MISSING,
                    indicator,
                    {"stated": _show(stated), "inputs": ", ".join(computed.missing)},
                )
            )
        elif not _agrees(stated, computed.value):
            found.append(
                Finding(
                    "stated_disagrees",
                    Severity.IMPLAUSIBLE,
                    indicator,
                    {"stated": _show(stated), "derived": _show(computed.value)},
                )
            )
    return found


def _agrees(stated: float, derived: float) -> bool:
    return abs(stated - derived) <= DISAGREEMENT_TOLERANCE * max(abs(derived), 1e-9)


def _show(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


# -- checks against thresholds ---------------------------------------------------------------------------


class Outcome(StrEnum):
    MEETS = "meets"
    FAILS = "fails"
    NOT_REPORTED = "not_reported"  #: the value is missing: no verdict, never a pass
    NOT_DUE = "not_due"  #: a target that does not apply yet in this year (shown, does not fail)


@dataclass(frozen=True)
class Threshold:
    """A limit on an indicator or value, with where it comes from.

    ``at_most`` (PUE, WUE, GWP) or ``at_least`` (REF, ERF); ``applies_from`` a calendar year before
    which the threshold is shown but not due (the Pact's dated targets).
    """

    field: str  #: an Indicator value or a quantity key
    limit: float
    at_most: bool
    unit: str
    source: str  #: e.g. "Tender T-1, lot 1: dc-pue-a.pue-cool-climate" or "CNDCP: …"
    applies_from: int | None = None
    #: the Pact's target as a code (``CNDCP_TARGETS``) with its parameters, for pages that say the
    #: source in the reader's language (``cfit.datacentres.present.threshold_source``); "" for others
    target: str = ""
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CheckResult:
    threshold: Threshold
    value: float | None
    outcome: Outcome


def check(value: float | None, threshold: Threshold, year: int) -> CheckResult:
    """One value against one threshold in a reporting year; a missing value is never a pass."""
    if value is None or not math.isfinite(value):
        return CheckResult(threshold, None, Outcome.NOT_REPORTED)
    ok = value <= threshold.limit if threshold.at_most else value >= threshold.limit
    if not ok and threshold.applies_from is not None and year < threshold.applies_from:
        return CheckResult(threshold, value, Outcome.NOT_DUE)
    return CheckResult(threshold, value, Outcome.MEETS if ok else Outcome.FAILS)


def value_for(figures: Figures, field_name: str) -> float | None:
    """The value a threshold is about: a derived indicator (only from plausible inputs) or a reported value."""
    if field_name in Indicator.__members__.values():
        derived = derive(figures)[Indicator(field_name)].value
        if derived is None:
            return None
        # A PUE below 1 or a share above 100 % is implausible: it is flagged, never checked as a pass.
        if field_name == Indicator.PUE and derived < 1.0:
            return None
        if field_name in (Indicator.ERF, Indicator.REF) and derived > 100.0:
            return None
        return derived
    return figures.value(field_name)


def check_all(figures: Figures, thresholds: Iterable[Threshold], year: int) -> list[CheckResult]:
    return [check(value_for(figures, t.field), t, year) for t in thresholds]


# -- the Climate Neutral Data Centre Pact ----------------------------------------------------------------

CNDCP_SOURCE = (
    "Climate Neutral Data Centre Pact (self-regulatory initiative, 2021), climateneutraldatacentre.net"
)
#: The Pact's targets in English (the API, the command line); ``{name}`` marks a parameter.
CNDCP_TARGETS = {
    "pue_new": "PUE {limit} ({climate} climate), new data centres from 2025",
    "pue_existing": "PUE {limit} ({climate} climate), existing data centres from 2030",
    "ref_2025": "75 % renewable or hourly carbon-free electricity by 31 Dec 2025",
    "ref_2030": "100 % renewable or hourly carbon-free electricity by 31 Dec 2030",
    "wue_new": "WUE 0.4 L/kWh for new data centres in cool climates using potable water in water-stressed "
    "areas (2022 water metric)",
}


def _target(code: str, **params: object) -> dict[str, Any]:
    """The source and target arguments of a Pact threshold: English text, code and parameters."""
    return {
        "source": f"{CNDCP_SOURCE}: " + CNDCP_TARGETS[code].format(**params),
        "target": code,
        "params": tuple((k, str(v)) for k, v in params.items()),
    }


def cndcp_targets(climate: str, operating_since: int | None, year: int) -> list[Threshold]:
    """The Pact's targets for a data centre in a reporting year, each with its source and due year.

    Energy efficiency: annual PUE 1.3 in cool and 1.4 in warm climates, for new data centres (in
    operation from 2025) from 1 January 2025 and for existing ones from 1 January 2030. Clean energy:
    75 % of electricity renewable or hourly carbon-free by 31 December 2025, 100 % by 31 December
    2030. Water: WUE at most 0.4 L/kWh for new data centres from 2025 in cool climates using potable
    water in water-stressed areas (existing ones by 2040 when the cooling system is replaced); cfit
    cannot tell water stress or the water type, so the WUE target is shown for new data centres in
    cool climates only and marked as conditional in its source. Since June 2025 the Pact relies on the
    EED reports instead of its own audits; the targets stand.
    """
    new = operating_since is not None and operating_since >= 2025
    pue_limit = 1.3 if climate == "cool" else 1.4
    targets = [
        Threshold(
            Indicator.PUE,
            pue_limit,
            True,
            "kWh/kWh",
            **_target("pue_new" if new else "pue_existing", limit=pue_limit, climate=climate),
            applies_from=2025 if new else 2030,
        ),
        Threshold(
            Indicator.REF,
            100.0 if year >= 2030 else 75.0,
            False,
            "%",
            **_target("ref_2030" if year >= 2030 else "ref_2025"),
            applies_from=2030 if year >= 2030 else 2025,
        ),
    ]
    if climate == "cool" and new:
        targets.append(
            Threshold(
                Indicator.WUE,
                0.4,
                True,
                "L/kWh",
                **_target("wue_new"),
                applies_from=2025,
            )
        )
    return targets


def trend(years: Sequence[tuple[int, Figures]], indicator: Indicator) -> list[tuple[int, float | None]]:
    """An indicator year by year (``None`` where it cannot be derived), oldest first."""
    return [(year, derive(figures)[indicator].value) for year, figures in sorted(years, key=lambda p: p[0])]
