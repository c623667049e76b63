"""Derive the shipped factor files from their public sources (run by maintainers, not at run time).

    python -m cfit.impact.calibrate --pcf boavizta-data-us.csv \\
        --ember ember_via_co2js_average_intensity.csv \\
        --electricity-maps co2js_yearly_2024.json co2js_yearly_2025.json -o cfit/impact/factors

writes the product-group figures of ``defaults.yaml`` (between the ``# generated`` markers), all of
``grid.yaml`` (only when the grid sources are given) and ``estimator.json``. Product-group defaults are the median and the 10th and 90th
percentiles of the manufacturers' footprints of each group; the grid factor of a country is Ember's
latest yearly average, with a range spanning Ember and the Electricity Maps yearly averages.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from cfit.impact.estimate import fit
from cfit.impact.pcf import read_pcf_csv

GRID_SOURCES = [
    {
        "id": "ember",
        "title": "Ember, yearly average emissions intensity of electricity generation (via co2.js)",
        "url": "https://ember-energy.org/data/",
        "licence": "CC BY-SA 4.0",
    },
    {
        "id": "electricity-maps",
        "title": "Electricity Maps, yearly average carbon intensity per zone, life cycle (via co2.js)",
        "url": "https://www.electricitymaps.com/",
        "licence": "ODbL 1.0",
    },
]
#: Groups whose footprints are too few for a credible median lifetime (thin clients: 12 sheets saying
#: 2 years, against the 5 or more that buyers see): our stated choice instead.
SERVICE_LIFE_OVERRIDES = {"thin-clients": 5.0}
#: Aggregates of the Ember table that the engine uses as fallbacks, under their own codes.
AGGREGATES = {"World": "WORLD", "EU": "EU"}
#: Codes Ember uses that ISO 3166 has not assigned (Kosovo's is user-assigned: XK in the EU's usage).
EMBER_CODES = {"XKX": "XK"}


def _alpha_2(alpha_3: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of Ember's alpha-3 one; None for regions and aggregates."""
    if not alpha_3:
        return None
    if alpha_3 in EMBER_CODES:
        return EMBER_CODES[alpha_3]
    import pycountry  # maintainers' tool only: the shipped tables carry alpha-2 codes already

    country = pycountry.countries.get(alpha_3=alpha_3)
    return None if country is None else str(country.alpha_2)


def group_defaults(pcf: pl.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for group in sorted(set(pcf.get_column("product_group").to_list())):
        rows = pcf.filter(pl.col("product_group") == group)

        def q(column: str, share: float, rows: pl.DataFrame = rows) -> float | None:
            values = rows.get_column(column).drop_nulls()
            return round(float(values.quantile(share, "linear")), 1) if values.len() else None  # type: ignore[arg-type]

        mass = q("weight_kg", 0.5)
        error = q("error_ratio", 0.5)
        out[group] = {
            "footprints": rows.height,
            "embodied_kgco2e": {
                "low": q("embodied", 0.1),
                "value": q("embodied", 0.5),
                "high": q("embodied", 0.9),
            },
            "yearly_kwh": {
                "low": q("yearly_kwh", 0.1),
                "value": q("yearly_kwh", 0.5),
                "high": q("yearly_kwh", 0.9),
            },
            "mass_kg": mass,
            "service_life_years": SERVICE_LIFE_OVERRIDES.get(group) or q("lifetime", 0.5),
            "service_life_source": "cfit-proposal" if group in SERVICE_LIFE_OVERRIDES else "boavizta-pcf",
            "pcf_error_ratio": round(float(rows.get_column("error_ratio").drop_nulls().median() or 0.2), 2)  # type: ignore[arg-type]
            if error is not None
            else 0.2,
            "source": "boavizta-pcf",
        }
    return out


def grid_table(ember_csv: str, electricity_maps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Countries by ISO 3166 alpha-2 code: Ember's figure as the value, all sources for the range.

    Ember names a country by its ISO alpha-3 code, Electricity Maps by alpha-2 (and sub-national zones
    as ``IN-NO``): matched by code, never by name, since the two name the same country differently
    ("United Kingdom" and "Great Britain", "Taiwan (China)" and "Taiwan"). A country without a national
    zone takes the range of its sub-national zones, where the grid a device is plugged into lies.
    """
    national: dict[str, list[float]] = {}
    regional: dict[str, list[float]] = {}
    for yearly in electricity_maps:
        for code, zone in yearly.items():
            value = zone.get("carbonIntensity", {}).get("value")
            if value is None:
                continue
            if len(code) == 2:
                national.setdefault(code, []).append(float(value))
            elif len(code) > 3 and code[2] == "-":
                regional.setdefault(code[:2], []).append(float(value))
    rows = []
    others: list[float]
    for record in csv.DictReader(io.StringIO(ember_csv)):
        name = record["country_or_region"]
        value = float(record["emissions_intensity_gco2_per_kwh"])
        if name in AGGREGATES:
            code, others = AGGREGATES[name], []
        elif (alpha_2 := _alpha_2(record["country_code"])) is not None:
            code, others = alpha_2, national.get(alpha_2) or regional.get(alpha_2, [])
        else:
            continue
        every = [value, *others]
        rows.append(
            {
                "country": code,
                "name": name,
                "year": int(record["year"]),
                "value": round(value, 1),
                "low": round(min(every), 1),
                "high": round(max(every), 1),
                "source": "ember" if not others else "ember+electricity-maps",
            }
        )
    return sorted(rows, key=lambda r: r["country"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pcf", type=Path, required=True)
    parser.add_argument("--ember", type=Path, help="Ember yearly intensities (CSV); with --electricity-maps")
    parser.add_argument("--electricity-maps", type=Path, nargs="+", default=[])
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)

    pcf, _ = read_pcf_csv(args.pcf.read_bytes(), args.pcf.name)
    estimator = fit(pcf, "boavizta-pcf")
    (args.output / "estimator.json").write_text(json.dumps(estimator.as_dict(), indent=1) + "\n")

    defaults_file = args.output / "defaults.yaml"
    text = defaults_file.read_text(encoding="utf-8")
    start, end = "# generated: groups\n", "# end generated\n"
    generated = yaml.safe_dump({"groups": group_defaults(pcf)}, sort_keys=False, allow_unicode=True)
    head, rest = text.split(start)
    _, tail = rest.split(end)
    defaults_file.write_text(head + start + generated + end + tail, encoding="utf-8")

    if args.ember is None or not args.electricity_maps:
        return  # the grid table stays as it is
    maps = [json.loads(p.read_text(encoding="utf-8")) for p in args.electricity_maps]
    grid = {
        "sources": GRID_SOURCES,
        "countries": grid_table(args.ember.read_text(encoding="utf-8"), maps),
    }
    header = (
        "# Grid carbon intensity per country (gCO2e/kWh): Ember's yearly average as the value, the range\n"
        "# spans Ember and Electricity Maps 2024 and 2025. Generated by `python -m cfit.impact.calibrate`;\n"
        "# editable in the admin once loaded (`cfit impact load-factors`).\n"
    )
    (args.output / "grid.yaml").write_text(
        header + yaml.safe_dump(grid, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
