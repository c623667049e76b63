"""The reference data the engine computes with, passed in explicitly and never read at import.

- per product group: the default embodied footprint, yearly energy, mass and service life;
- per country: the grid's carbon intensity, with its year and a range across sources;
- the share of a new device's embodied footprint that a refurbished one carries;
- optionally the manufacturers' footprints (PCF table) and the spec-based estimator fitted on them.

``load_factors`` reads the files shipped in ``cfit/impact/factors/``, and ``load_shipped_footprints``
the manufacturers' footprints shipped beside them (Boavizta, ODbL); the Django side builds the same
``Reference`` from the editable tables in the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from cfit.impact.estimate import Estimator
from cfit.impact.figures import Source, Span
from cfit.impact.matching import ModelIndex
from cfit.impact.pcf import read_pcf_csv
from cfit.impact.vocabulary import YAML_LOADER

FACTORS_DIR = Path(__file__).parent / "factors"
FALLBACK_GRID = "WORLD"  #: the grid factor of a country the table does not know
#: The manufacturers' footprints shipped with cfit (Boavizta, ODbL 1.0; see its README.md).
SHIPPED_PCF = FACTORS_DIR / "boavizta-pcf" / "boavizta-data-us.csv"
SHIPPED_PCF_TITLE = "Boavizta environmental footprint data (manufacturers' PCF), shipped with cfit, ODbL 1.0"


@dataclass(frozen=True)
class GroupFactors:
    group: str
    embodied: Span  #: kgCO2e per device, manufacturing + transport + end of life
    yearly_kwh: Span  #: typical energy consumption, kWh per year
    mass_kg: float | None
    service_life_years: float  #: expected service life of a device still in use
    service_life_source: str
    pcf_error_ratio: float  #: the error of a footprint that states none
    source: str  #: id of the source of these defaults


@dataclass(frozen=True)
class GridFactor:
    country: str
    name: str
    year: int
    intensity: Span  #: gCO2e per kWh
    source: str


@dataclass(frozen=True)
class Reference:
    groups: Mapping[str, GroupFactors]
    grid: Mapping[str, GridFactor]
    refurbished_share: Span  #: embodied footprint of a refurbished device as a share of a new one's
    refurbished_source: str
    declared_kwh_error: float  #: the ± share around a yearly energy the buyer declared
    second_life_years: float  #: years a device reused at end of use serves someone else
    second_life_source: str
    sources: Mapping[str, Source]
    pcf: pl.DataFrame | None = None
    pcf_source: str = ""
    estimator: Estimator | None = None
    grid_overrides: Mapping[str, GridFactor] = field(default_factory=dict)

    @cached_property
    def index(self) -> ModelIndex | None:
        if self.pcf is None or self.pcf.is_empty():
            return None
        return ModelIndex(
            self.pcf.get_column("manufacturer").to_list(),
            self.pcf.get_column("model").to_list(),
            self.pcf.get_column("product_group").to_list(),
            self.pcf.get_column("screen_size_in").to_list(),
            self.pcf.get_column("year").to_list(),
            self.pcf.get_column("embodied").to_list(),
        )

    def grid_factor(self, country: str) -> GridFactor:
        return self.grid.get(country) or self.grid[FALLBACK_GRID]

    def with_pcf(self, pcf: pl.DataFrame | None, source: str) -> Reference:
        return replace(self, pcf=pcf, pcf_source=source)

    def with_estimator(self, estimator: Estimator | None) -> Reference:
        return replace(self, estimator=estimator)

    def with_grid(self, grid: Mapping[str, GridFactor]) -> Reference:
        merged = {**self.grid, **grid}
        return replace(self, grid=merged)

    def source(self, source_id: str) -> Source:
        return self.sources.get(source_id) or Source(source_id, source_id)


def _span(data: Mapping[str, Any]) -> Span:
    return Span(float(data["low"]), float(data["value"]), float(data["high"]))


def read_sources(data: list[Mapping[str, Any]]) -> dict[str, Source]:
    return {
        s["id"]: Source(s["id"], s["title"], s.get("url", ""), s.get("licence", ""), s.get("year"))
        for s in data
    }


def read_grid(rows: list[Mapping[str, Any]]) -> dict[str, GridFactor]:
    return {
        r["country"]: GridFactor(r["country"], r["name"], int(r["year"]), _span(r), r["source"]) for r in rows
    }


def load_shipped_footprints(path: Path = SHIPPED_PCF) -> pl.DataFrame | None:
    """The shipped manufacturers' footprints as the PCF table, or None if the file is not there."""
    if not path.exists():
        return None
    return read_pcf_csv(path.read_bytes(), path.name)[0]


def load_factors(directory: Path = FACTORS_DIR) -> Reference:
    """The shipped defaults, grid table and fitted estimator (``defaults.yaml``, ``grid.yaml``,
    ``estimator.json``)."""
    # libyaml's loader (as the word lists): the command reads these at every start.
    defaults = yaml.load((directory / "defaults.yaml").read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506
    grid = yaml.load((directory / "grid.yaml").read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506
    groups = {
        group: GroupFactors(
            group,
            _span(values["embodied_kgco2e"]),
            _span(values["yearly_kwh"]),
            values.get("mass_kg"),
            float(values["service_life_years"]),
            values["service_life_source"],
            float(values["pcf_error_ratio"]),
            values["source"],
        )
        for group, values in defaults["groups"].items()
    }
    estimator_file = directory / "estimator.json"
    estimator = (
        Estimator.from_dict(json.loads(estimator_file.read_text(encoding="utf-8")))
        if estimator_file.exists()
        else None
    )
    sources = read_sources(defaults["sources"]) | read_sources(grid["sources"])
    return Reference(
        groups=groups,
        grid=read_grid(grid["countries"]),
        refurbished_share=_span(defaults["refurbished_share"]),
        refurbished_source=defaults["refurbished_share"]["source"],
        declared_kwh_error=float(defaults["declared_kwh_error"]["value"]),
        second_life_years=float(defaults["second_life_years"]["value"]),
        second_life_source=defaults["second_life_years"]["source"],
        sources=sources,
        estimator=estimator,
    )
