"""The shipped grid table matches its sources by ISO code, never by name.

Ember names a country by its alpha-3 code and "United Kingdom"; Electricity Maps by alpha-2 and
"Great Britain". Matched by name, the United Kingdom, India, Hong Kong and Taiwan fell out of the
table and cloud regions there took the world average.
"""

from __future__ import annotations

import pytest
import yaml

from cfit.impact import calibrate
from cfit.impact.reference import FACTORS_DIR

EMBER = """country_code,country_or_region,year,emissions_intensity_gco2_per_kwh
GBR,United Kingdom,2024,215.79
IND,India,2024,708.96
XKX,Kosovo,2023,900.0
,World,2024,473.0
,Africa,2024,545.09
"""


def _zone(name: str, value: float | None) -> dict[str, object]:
    return {"zone": {"zoneName": name}, "carbonIntensity": {"value": value, "unit": "gCO2eq/kWh"}}


def test_countries_are_matched_by_code_and_regions_widen_a_country_without_a_national_zone() -> None:
    pytest.importorskip("pycountry", reason="a maintainers' tool: pip install pycountry")
    maps = [
        {
            "GB": _zone("Great Britain", 175),
            "IN-NO": _zone("Northern India", 650),
            "IN-SO": _zone("South", 593),
        },
        {"GB": _zone("Great Britain", 190), "IN-WE": _zone("Western India", None)},
    ]

    rows = {r["country"]: r for r in calibrate.grid_table(EMBER, maps)}

    assert set(rows) == {"GB", "IN", "XK", "WORLD"}  # Africa is an aggregate the engine does not use
    assert (rows["GB"]["value"], rows["GB"]["low"], rows["GB"]["high"]) == (215.8, 175.0, 215.8)
    assert rows["GB"]["source"] == "ember+electricity-maps"
    assert (rows["IN"]["low"], rows["IN"]["high"]) == (593.0, 709.0)
    assert rows["XK"]["source"] == "ember" and rows["XK"]["low"] == rows["XK"]["high"] == 900.0


def test_the_shipped_table_has_the_countries_cloud_regions_sit_in() -> None:
    table = yaml.safe_load((FACTORS_DIR / "grid.yaml").read_text(encoding="utf-8"))
    rows = {r["country"]: r for r in table["countries"]}

    for code in ("GB", "IN", "HK", "TW", "TR", "VN", "PH"):
        row = rows[code]
        assert row["low"] <= row["value"] <= row["high"] and row["year"] >= 2023, code
    assert {s["id"] for s in table["sources"]} >= {"ember", "electricity-maps"}
