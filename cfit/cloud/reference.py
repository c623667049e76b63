"""The cloud coefficients, passed in explicitly and never read at import.

``load_cloud_factors`` reads the files shipped in ``cfit/cloud/factors/`` (Cloud Carbon Footprint's
coefficient set, Apache-2.0) and takes the grid intensity per country from the impact engine's
reference (``cfit.impact.reference``): by default its shipped table, or whatever grid table the
caller passes (the platform's editable one). Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from cfit.impact.figures import Source, Span
from cfit.impact.reference import FACTORS_DIR as IMPACT_FACTORS_DIR
from cfit.impact.reference import FALLBACK_GRID, GridFactor, read_grid, read_sources

FACTORS_DIR = Path(__file__).parent / "factors"
#: The key under which the factors of a provider cfit has no coefficients for are kept.
OTHER_PROVIDER = "other"


class Medium(StrEnum):
    SSD = "ssd"
    HDD = "hdd"
    UNKNOWN = "unknown"  #: HDD as the low, SSD as the high, their mean as the value


@dataclass(frozen=True)
class ProviderFactors:
    provider: str
    name: str
    pue: Span
    pue_source: str
    #: W per vCPU of an instance type cfit does not know: the lowest idle of the provider's CPU
    #: microarchitectures (low), their average at the average utilisation (value), their highest full
    #: load (high): wider than any one type's range, as it should be
    watts_per_vcpu: Span
    embodied_kg_per_vcpu_hour: Span  #: across the provider's instance types: 10th pct, median, 90th pct


@dataclass(frozen=True)
class StorageRule:
    pattern: str  #: a regular expression on "ServiceName ChargeDescription" in lower case
    medium: Medium
    replication: int
    key: str  #: the replication factor's name in the Cloud Carbon Footprint constants


@dataclass(frozen=True)
class FamilyMove:
    """One declared equivalence: instances of ``family`` can move to ``equivalent`` at the same vCPUs
    and memory (``families.csv``). cfit never guesses a move that is not declared."""

    provider: str
    family: str
    equivalent: str
    change: str  #: what changes, e.g. "Intel Skylake to AWS Graviton3"


@dataclass(frozen=True)
class CloudReference:
    providers: Mapping[str, ProviderFactors]  #: by provider key, with ``OTHER_PROVIDER``
    #: provider key, region key (lower case, no spaces), country (ISO 3166-1 alpha-2)
    regions: pl.DataFrame
    #: provider key, instance type (lower case), family, vcpu, memory_gb, architecture, watts
    #: (idle, min, max, full: empty when cfit has no coefficients for its CPU), embodied kgCO2e per
    #: instance-hour (empty: the provider's per-vCPU range applies), source
    instances: pl.DataFrame
    #: provider key, region key, PUE and its source, for the regions whose provider publishes one
    region_pue: pl.DataFrame
    families: tuple[FamilyMove, ...]
    average_utilisation: float
    storage: tuple[StorageRule, ...]
    grid: Mapping[str, GridFactor]  #: by country, with ``FALLBACK_GRID``
    memory_kwh_per_gb_hour: float
    network_kwh_per_gb: float
    ssd_wh_per_tb_hour: float
    hdd_wh_per_tb_hour: float
    vcpu_per_ocpu: float
    focus_columns: Mapping[str, frozenset[str]]  #: FOCUS version -> its column ids
    sources: Mapping[str, Source]

    def storage_wh_per_tb_hour(self, medium: Medium) -> Span:
        ssd, hdd = self.ssd_wh_per_tb_hour, self.hdd_wh_per_tb_hour
        match medium:
            case Medium.SSD:
                return Span.exact(ssd)
            case Medium.HDD:
                return Span.exact(hdd)
            case Medium.UNKNOWN:
                return Span(min(ssd, hdd), (ssd + hdd) / 2, max(ssd, hdd))

    def fallback_grid(self, countries: list[str] | None = None) -> Span:
        """The grid factor of a region whose country is unknown: the world average as the value,
        spanning the lowest and highest factor of ``countries`` (the provider's known regions) or,
        with none, of every country in the table."""
        world = self.grid[FALLBACK_GRID].intensity
        pool = [self.grid[c].intensity for c in (countries or self.grid) if c in self.grid]
        low = min([world.low, *(s.low for s in pool)])
        high = max([world.high, *(s.high for s in pool)])
        return Span(low, world.value, high)


INSTANCE_SCHEMA = {
    "provider": pl.String, "instance_type": pl.String, "family": pl.String, "vcpu": pl.Float64,
    "memory_gb": pl.Float64, "architecture": pl.String, "watts_idle": pl.Float64, "watts_min": pl.Float64,
    "watts_max": pl.Float64, "watts_full": pl.Float64, "embodied_kg_per_hour": pl.Float64, "source": pl.String,
}  # fmt: skip


def _span(low: Any, value: Any, high: Any) -> Span:
    return Span(float(low), float(value), float(high))


def load_impact_grid(directory: Path = IMPACT_FACTORS_DIR) -> tuple[dict[str, GridFactor], dict[str, Source]]:
    """The impact engine's shipped grid intensity per country, with its sources."""
    grid = yaml.safe_load((directory / "grid.yaml").read_text(encoding="utf-8"))
    return read_grid(grid["countries"]), read_sources(grid["sources"])


def load_cloud_factors(
    directory: Path = FACTORS_DIR,
    *,
    grid: Mapping[str, GridFactor] | None = None,
    grid_sources: Mapping[str, Source] | None = None,
) -> CloudReference:
    """The shipped cloud coefficients with ``grid`` (default: the impact engine's shipped table)."""
    if grid is None:
        grid, grid_sources = load_impact_grid()
    settings = yaml.safe_load((directory / "cloud.yaml").read_text(encoding="utf-8"))
    utilisation = float(settings["average_utilisation"])
    table = pl.read_csv(directory / "providers.csv")
    providers: dict[str, ProviderFactors] = {}
    for row in table.iter_rows(named=True):
        meta = settings["providers"][row["provider"]]
        low, high = float(row["min_watts_per_vcpu"]), float(row["max_watts_per_vcpu"])
        idle, full = float(row["idle_watts_lowest"]), float(row["full_watts_highest"])
        providers[row["provider"]] = ProviderFactors(
            row["provider"],
            meta["name"],
            Span.exact(float(meta["pue"])),
            meta["pue_source"],
            Span(idle, low + utilisation * (high - low), full),
            _span(
                row["embodied_kg_per_vcpu_hour_low"],
                row["embodied_kg_per_vcpu_hour"],
                row["embodied_kg_per_vcpu_hour_high"],
            ),
        )
    fallback = settings["fallback_provider"]
    known = list(providers.values())
    providers[OTHER_PROVIDER] = ProviderFactors(
        OTHER_PROVIDER,
        "other provider",
        _span(fallback["pue_low"], fallback["pue"], fallback["pue_high"]),
        fallback["pue_source"],
        Span(
            min(p.watts_per_vcpu.low for p in known),
            sum(p.watts_per_vcpu.value for p in known) / len(known),
            max(p.watts_per_vcpu.high for p in known),
        ),
        Span(
            min(p.embodied_kg_per_vcpu_hour.low for p in known),
            sum(p.embodied_kg_per_vcpu_hour.value for p in known) / len(known),
            max(p.embodied_kg_per_vcpu_hour.high for p in known),
        ),
    )
    columns = pl.read_csv(directory / "focus-columns.csv", infer_schema=False)
    focus_columns = {
        version: frozenset(group["column_id"].to_list())
        for (version,), group in columns.group_by("focus_version", maintain_order=True)
    }
    return CloudReference(
        providers=providers,
        regions=pl.read_csv(directory / "regions.csv", infer_schema=False).select(
            "provider", "region", "country"
        ),
        instances=pl.read_csv(directory / "instances.csv", schema=INSTANCE_SCHEMA),
        region_pue=pl.read_csv(
            directory / "region-pue.csv",
            schema={"provider": pl.String, "region": pl.String, "pue": pl.Float64, "pue_source": pl.String},
        ),
        families=tuple(
            FamilyMove(**row)
            for row in pl.read_csv(directory / "families.csv", infer_schema=False).iter_rows(named=True)
        ),
        average_utilisation=utilisation,
        storage=tuple(
            StorageRule(r["pattern"], Medium(r["medium"]), int(r["replication"]), r["key"])
            for r in settings["storage"]
        ),
        grid=grid,
        memory_kwh_per_gb_hour=float(settings["memory_kwh_per_gb_hour"]),
        network_kwh_per_gb=float(settings["network_kwh_per_gb"]),
        ssd_wh_per_tb_hour=float(settings["ssd_wh_per_tb_hour"]),
        hdd_wh_per_tb_hour=float(settings["hdd_wh_per_tb_hour"]),
        vcpu_per_ocpu=float(settings["vcpu_per_ocpu"]),
        focus_columns=focus_columns,
        sources={**read_sources(settings["sources"]), **(grid_sources or {})},
    )
