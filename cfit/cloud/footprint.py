"""The energy and emissions of cloud use, per service, region and month, with ranges and sources.

The method (Cloud Carbon Footprint's, written up in ``docs/cloud-method.md``), for each usage row of
a checked FOCUS file:

- compute: vCPU-hours × watts per vCPU (low: idle, value: at 50 % utilisation, high: full load);
- memory: GB-hours × kWh per GB-hour;
- storage: TB-hours × Wh per TB-hour (SSD or HDD) × the copies the service keeps;
- network: GB transferred × kWh per GB;

then × the provider's PUE (facility energy), × the grid intensity of the region's country, plus the
embodied emissions of the hardware (the instance's share of its server's manufacturing, spread over
four years) for compute. Lows, values and highs are carried side by side and add as intervals
(``cfit.impact.figures``). Rows that are no usage of these four kinds are counted, by reason, and
left out. Plain Python on polars, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from cfit.cloud.focus import FocusFile, UnitFamily
from cfit.cloud.reference import OTHER_PROVIDER, CloudReference
from cfit.impact.figures import Source, Span
from cfit.impact.reference import FALLBACK_GRID

#: Changes whenever a formula, a coefficient or the way ranges are formed changes.
METHOD_VERSION = "cfit-cloud-2"
#: The family key of compute whose instance type (or its CPU) cfit does not know.
UNKNOWN_FAMILY = "type unknown: provider average watts, wider range"
KINDS = ("compute", "memory", "storage", "network")
#: Provider names as FOCUS exports write them, lower case, to the coefficient set's keys.
PROVIDER_NAMES = (("amazon", "aws"), ("aws", "aws"), ("google", "gcp"), ("gcp", "gcp"), ("microsoft", "azure"),
                  ("azure", "azure"))  # fmt: skip
#: Service categories whose data held per hour is memory (elsewhere it is storage).
MEMORY_CATEGORIES = ("Compute", "AI and Machine Learning")
#: An instance type in a charge description: "t3.medium", "db.r5.large", "c5.2xlarge", "m5.metal".
#: Google: "n2-standard-4", "e2-highmem-8"; Azure: "Standard_D4s_v3" (cfit's key: "d4s_v3").
GCP_MACHINE_TYPE = r"\b([a-z]\d[a-z]?-(?:standard|highmem|highcpu|megamem|ultramem)-\d+)\b"
AZURE_VM_SIZE = r"\bstandard_([a-z]+\d+[a-z0-9-]*(?:_v\d+)?)\b"
#: Azure's meter names: "Virtual Machines Dv2/DSv2 Series - D11 v2/DS11 v2 - US East 2" (the first size).
AZURE_METER = r"virtual machines [^-]*- ([a-z]+\d+[a-z]* v\d+)\b"
INSTANCE_TYPE = r"\b((?:db\.|cache\.)?[a-z][a-z0-9-]*\d[a-z0-9-]*\.(?:\d*x?large|medium|small|micro|nano|metal[a-z0-9-]*))\b"
BOUNDS = ("low", "value", "high")
#: Digits kept in the JSON: kWh and kg to the milligram/milliwatt-hour, so that small charges show.
DIGITS = 6


@dataclass(frozen=True)
class Figures:
    rows: int
    energy_kwh: Span  #: facility energy (IT energy × PUE)
    emissions_kgco2e: Span  #: use (energy × grid) plus embodied

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "energy_kwh": self.energy_kwh.as_dict(DIGITS),
            "emissions_kgco2e": self.emissions_kgco2e.as_dict(DIGITS),
        }


@dataclass(frozen=True)
class RegionFigures(Figures):
    provider: str
    country: str | None  #: None: the region is unknown, the fallback grid factor applies
    grid_gco2e_per_kwh: Span
    grid_source: str
    pue: Span  #: the region's own published PUE, else its provider's
    pue_source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "provider": self.provider,
            "country": self.country,
            "grid_gco2e_per_kwh": self.grid_gco2e_per_kwh.as_dict(DIGITS),
            "grid_source": self.grid_source,
            "pue": self.pue.as_dict(DIGITS),
            "pue_source": self.pue_source,
        }


@dataclass(frozen=True)
class CloudFootprint:
    focus_version: str
    rows: int  #: rows of the file
    counted_rows: int  #: usage rows of the four kinds, in the figures
    energy_kwh: Span
    emissions_kgco2e: Span
    embodied_kgco2e: Span  #: the part of ``emissions_kgco2e`` that is the hardware's manufacture
    by_kind: Mapping[str, Figures]
    by_service: Mapping[str, Figures]
    by_region: Mapping[str, RegionFigures]
    by_month: Mapping[str, Figures]
    #: compute per instance family ("aws m5"); types cfit does not know are priced with the
    #: provider's average watts and a wider range, under "<provider> ``UNKNOWN_FAMILY``"
    by_family: Mapping[str, Figures]
    not_counted: Mapping[str, int]  #: rows left out, by reason
    sources: tuple[Source, ...]
    method: str = METHOD_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "focus_version": self.focus_version,
            "rows": self.rows,
            "counted_rows": self.counted_rows,
            "energy_kwh": self.energy_kwh.as_dict(DIGITS),
            "emissions_kgco2e": self.emissions_kgco2e.as_dict(DIGITS),
            "embodied_kgco2e": self.embodied_kgco2e.as_dict(DIGITS),
            "by_kind": {k: v.as_dict() for k, v in self.by_kind.items()},
            "by_service": {k: v.as_dict() for k, v in self.by_service.items()},
            "by_region": {k: v.as_dict() for k, v in self.by_region.items()},
            "by_month": {k: v.as_dict() for k, v in self.by_month.items()},
            "by_family": {k: v.as_dict() for k, v in self.by_family.items()},
            "not_counted": dict(self.not_counted),
            "sources": [s.as_dict() for s in self.sources],
        }


def _provider_key() -> pl.Expr:
    name = pl.col("ProviderName").str.to_lowercase()
    key = pl.lit(OTHER_PROVIDER)
    for fragment, provider in reversed(PROVIDER_NAMES):
        key = pl.when(name.str.contains(fragment, literal=True)).then(pl.lit(provider)).otherwise(key)
    return key.alias("provider")


#: What makes two charges alike for the method: everything else of a row is its amount, time, place.
CHARGE = ("ProviderName", "ServiceCategory", "ServiceName", "ChargeDescription", "ConsumedUnit")
NOT_USAGE = "not usage (purchase, tax, credit, adjustment)"
REVERSAL = "correction or reversal of an earlier charge"
NO_QUANTITY = "no consumed quantity"


def _provider_factors(reference: CloudReference) -> pl.DataFrame:
    """Per provider: PUE, watts per vCPU, embodied per vCPU-hour and the grid of an unknown region."""
    regions = reference.regions.filter(pl.col("country").is_in(list(reference.grid)))
    rows = []
    for key, factors in reference.providers.items():
        countries = regions.filter(pl.col("provider") == key).get_column("country").unique().to_list()
        fallback = reference.fallback_grid(countries if key != OTHER_PROVIDER else None)
        rows.append(
            {
                "provider": key,
                **{f"pue_{b}": getattr(factors.pue, b) for b in BOUNDS},
                **{f"watts_{b}": getattr(factors.watts_per_vcpu, b) for b in BOUNDS},
                **{f"vcpu_embodied_{b}": getattr(factors.embodied_kg_per_vcpu_hour, b) for b in BOUNDS},
                **{f"fallback_grid_{b}": getattr(fallback, b) for b in BOUNDS},
            }
        )
    return pl.DataFrame(rows)


def _region_grid(places: pl.DataFrame, reference: CloudReference, providers: pl.DataFrame) -> pl.DataFrame:
    """Per (provider, RegionId) of the file: the country and its grid factor, or the provider's
    fallback (country null)."""
    grid = pl.DataFrame(
        [
            {"country": c, **{f"grid_{b}": getattr(g.intensity, b) for b in BOUNDS}, "grid_source": g.source}
            for c, g in reference.grid.items()
        ]
    )
    regions = reference.regions.filter(pl.col("country").is_in(list(reference.grid))).join(grid, on="country")
    fallback = [f"fallback_grid_{b}" for b in BOUNDS]
    pue_sources = pl.DataFrame(
        {
            "provider": list(reference.providers),
            "provider_pue_source": [p.pue_source for p in reference.providers.values()],
        }
    )
    return (
        places.with_columns(pl.col("RegionId").str.to_lowercase().str.replace_all(" ", "").alias("region"))
        .join(regions, on=["provider", "region"], how="left")
        .join(reference.region_pue, on=["provider", "region"], how="left")
        .join(
            providers.select("provider", *fallback, *(f"pue_{b}" for b in BOUNDS)), on="provider", how="left"
        )
        .join(pue_sources, on="provider", how="left")
        .select(
            "provider",
            "RegionId",
            "country",
            *(pl.coalesce(f"grid_{b}", f"fallback_grid_{b}").alias(f"grid_{b}") for b in BOUNDS),
            "grid_source",
            # A region's own published PUE, else its provider's.
            *(pl.coalesce("pue", f"pue_{b}").alias(f"pue_{b}") for b in BOUNDS),
            pl.coalesce("pue_source", "provider_pue_source").alias("pue_source"),
        )
    )


def _storage_rule(reference: CloudReference, text: pl.Expr) -> pl.Expr:
    """The index of the first storage rule whose pattern the text matches."""
    index: pl.Expr = pl.lit(len(reference.storage), dtype=pl.Int64)
    for n, rule in reversed(list(enumerate(reference.storage))):
        hit = text.str.contains(rule.pattern) if rule.pattern else pl.lit(True)
        index = pl.when(hit).then(pl.lit(n, dtype=pl.Int64)).otherwise(index)
    return index


def describe_charges(charges: pl.DataFrame, reference: CloudReference) -> pl.DataFrame:
    """Per distinct charge (``CHARGE`` and its unit's family and factor): the kind of usage (compute,
    memory, storage, network, or why it is not counted) and, per unit of consumed quantity, the
    IT energy (kWh; the region's PUE applies per row) and embodied emissions (kgCO2e) at low, value
    and high, and the instance type, its family and whether its own CPU's watts applied. Files repeat the
    same few thousand charges over millions of rows: everything that needs text is done here, once
    per charge."""
    family, factor = pl.col("unit_family"), pl.col("unit_factor")
    description = pl.col("ChargeDescription").str.to_lowercase()
    text = (pl.col("ServiceName") + " " + pl.col("ChargeDescription")).str.to_lowercase()
    u = reference.average_utilisation
    instances = reference.instances.select(
        "provider",
        "instance_type",
        "family",
        pl.col("vcpu").alias("instance_vcpu"),
        "embodied_kg_per_hour",
        pl.col("source").alias("instance_source"),
        pl.col("watts_idle").alias("instance_watts_low"),
        (pl.col("watts_min") + u * (pl.col("watts_max") - pl.col("watts_min"))).alias("instance_watts_value"),
        pl.col("watts_full").alias("instance_watts_high"),
    )
    spans = [reference.storage_wh_per_tb_hour(r.medium).scaled(r.replication) for r in reference.storage]
    storage = pl.DataFrame(
        {
            "storage_rule": list(range(len(spans))),
            **{f"storage_{b}": [getattr(s, b) for s in spans] for b in BOUNDS},
        },
        schema_overrides={"storage_rule": pl.Int64},
    )
    networking = (pl.col("ServiceCategory") == "Networking") | description.str.contains(
        "transfer", literal=True
    )
    memory_like = pl.col("ServiceCategory").is_in(MEMORY_CATEGORIES)
    kind = (
        pl.when(family == UnitFamily.VCPU_HOURS)
        .then(pl.lit("compute"))
        .when((family == UnitFamily.INSTANCE_HOURS) & pl.col("instance_vcpu").is_not_null())
        .then(pl.lit("compute"))
        .when(family == UnitFamily.INSTANCE_HOURS)
        .then(pl.lit("hours of no instance type cfit knows"))
        .when(family == UnitFamily.GB_MONTHS)
        .then(pl.lit("storage"))
        .when((family == UnitFamily.GB_HOURS) & memory_like)
        .then(pl.lit("memory"))
        .when(family == UnitFamily.GB_HOURS)
        .then(pl.lit("storage"))
        .when((family == UnitFamily.GB) & networking)
        .then(pl.lit("network"))
        .when(family == UnitFamily.GB)
        .then(pl.lit("data processed, not transferred"))
        .otherwise(pl.lit("a unit that is no compute, memory, storage or network quantity"))
    )
    described = (
        charges.with_columns(
            _provider_key(),
            pl.coalesce(
                description.str.extract(INSTANCE_TYPE, 1),
                description.str.extract(GCP_MACHINE_TYPE, 1),
                description.str.extract(AZURE_VM_SIZE, 1),
                description.str.extract(AZURE_METER, 1).str.replace(" ", "_", literal=True),
            ).alias("instance_type"),
        )
        .join(instances, on=["provider", "instance_type"], how="left")
        .with_columns(kind.alias("kind"), _storage_rule(reference, text).alias("storage_rule"))
        .join(storage, on="storage_rule", how="left")
        .join(_provider_factors(reference), on="provider", how="left")
    )
    kind_ = pl.col("kind")
    instance_hours = family == UnitFamily.INSTANCE_HOURS
    # vCPU-hours per unit of the row: an instance-hour is its vCPUs' hours.
    vcpu_hours = factor * pl.when(instance_hours).then(pl.col("instance_vcpu")).otherwise(1.0)
    # The instance type's own CPU watts when cfit knows them, the provider's wider fallback otherwise.
    own_watts = pl.col("instance_watts_value").is_not_null()
    columns = [
        pl.when(kind_ == "compute")
        .then(pl.when(own_watts).then(pl.col("family")).otherwise(pl.lit(None)))
        .alias("family"),
        pl.when(kind_ == "compute")
        .then(pl.when(own_watts).then(pl.lit("instance")).otherwise(pl.lit("provider average")))
        .alias("watts_basis"),
        pl.when((kind_ == "compute") & instance_hours)
        .then(factor)
        .otherwise(0.0)
        .alias("instance_hours_per_unit"),
    ]
    for bound in BOUNDS:
        watts = pl.coalesce(f"instance_watts_{bound}", f"watts_{bound}")
        it_kwh = (
            pl.when(kind_ == "compute")
            .then(vcpu_hours * watts / 1000)
            .when(kind_ == "memory")
            .then(factor * reference.memory_kwh_per_gb_hour)
            .when(kind_ == "storage")
            .then(factor / 1000 * pl.col(f"storage_{bound}") / 1000)  # GB-hours to TB-hours, Wh to kWh
            .when(kind_ == "network")
            .then(factor * reference.network_kwh_per_gb)
            .otherwise(0.0)
        )
        embodied = (
            pl.when(kind_ != "compute")
            .then(0.0)
            # An instance's own embodied share applies to its hours, not to vCPU-hours that name it.
            .when(instance_hours & pl.col("embodied_kg_per_hour").is_not_null())
            .then(factor * pl.col("embodied_kg_per_hour"))
            .otherwise(vcpu_hours * pl.col(f"vcpu_embodied_{bound}"))
        )
        columns += [
            # IT energy: the PUE of the region the row runs in applies per row (``price_usage``).
            it_kwh.alias(f"it_kwh_per_unit_{bound}"),
            embodied.alias(f"embodied_per_unit_{bound}"),
            # What the same usage draws wherever it runs: the IT energy of memory, storage and
            # network (a provider's PUE and watts apply on top), for comparisons between providers.
            pl.when(kind_ == "compute").then(0.0).otherwise(it_kwh).alias(f"other_it_kwh_per_unit_{bound}"),
        ]
    columns.append(pl.when(kind_ == "compute").then(vcpu_hours).otherwise(0.0).alias("vcpu_hours_per_unit"))
    return described.with_columns(columns).select(
        *CHARGE,
        "provider",
        "kind",
        *(f"{m}_per_unit_{b}" for m in ("it_kwh", "embodied", "other_it_kwh") for b in BOUNDS),
        "vcpu_hours_per_unit",
        "instance_hours_per_unit",
        "instance_type",
        "family",
        "watts_basis",
        "instance_source",
    )


@dataclass(frozen=True)
class PricedUsage:
    """The usage rows of a file with their energy and emissions per bound, before any summing."""

    lines: pl.DataFrame  #: counted rows: quantities, per-unit factors, grid, energy/emissions/embodied
    places: pl.DataFrame  #: per (provider, RegionId): country and grid factor
    not_counted: dict[str, int]


def price_usage(focus: FocusFile, reference: CloudReference) -> PricedUsage:
    """Each counted usage row of a checked FOCUS file priced in energy and emissions at low, value
    and high; see the module's docstring for the method."""
    usage = focus.usage.with_columns(pl.col(c).fill_null("") for c in (*CHARGE, "RegionId"))
    charges = describe_charges(
        usage.select(*CHARGE, "unit_family", "unit_factor").unique(subset=list(CHARGE)), reference
    )
    kind = (
        pl.when(pl.col("ChargeCategory") != "Usage")
        .then(pl.lit(NOT_USAGE))
        .when(pl.col("reversal"))
        .then(pl.lit(REVERSAL))
        .when(pl.col("quantity").is_null())
        .then(pl.lit(NO_QUANTITY))
        .otherwise(pl.col("kind"))
    )
    rows = (
        usage.select(
            *CHARGE,
            "RegionId",
            "ChargeCategory",
            "reversal",
            "quantity",
            pl.col("ChargePeriodStart").str.slice(0, 7).alias("month"),
        )
        .join(charges, on=list(CHARGE), how="left")
        .with_columns(kind.alias("kind"))
    )
    not_counted = {
        reason: n
        for reason, n in rows.filter(~pl.col("kind").is_in(KINDS))
        .group_by("kind")
        .len()
        .sort("kind")
        .iter_rows()
    }
    counted = rows.filter(pl.col("kind").is_in(KINDS))
    places = _region_grid(
        counted.select("provider", "RegionId").unique(), reference, _provider_factors(reference)
    )
    quantity = pl.col("quantity")
    columns = []
    for bound in BOUNDS:
        energy = quantity * pl.col(f"it_kwh_per_unit_{bound}") * pl.col(f"pue_{bound}")
        embodied = quantity * pl.col(f"embodied_per_unit_{bound}")
        columns += [
            energy.alias(f"energy_{bound}"),
            (energy * pl.col(f"grid_{bound}") / 1000 + embodied).alias(f"emissions_{bound}"),
            embodied.alias(f"embodied_{bound}"),
        ]
    lines = counted.join(places, on=["provider", "RegionId"], how="left").with_columns(columns)
    return PricedUsage(lines, places, not_counted)


def compute_footprint(
    focus: FocusFile, reference: CloudReference, priced: PricedUsage | None = None
) -> CloudFootprint:
    """The footprint of a checked FOCUS file (``priced``: its usage already priced, to keep the work
    once); see the module's docstring for the method."""
    priced = priced or price_usage(focus, reference)
    lines, places, not_counted = priced.lines, priced.places, priced.not_counted
    figures = [pl.len().alias("rows")] + [
        pl.col(f"{m}_{b}").sum() for m in ("energy", "emissions", "embodied") for b in BOUNDS
    ]
    total = lines.select(figures).row(0, named=True)
    by_region = lines.group_by("RegionId").agg(
        *figures,
        pl.col("provider").first(),
        pl.col("country").first(),
        *(pl.col(f"grid_{b}").first() for b in BOUNDS),
        pl.col("grid_source").first(),
        *(pl.col(f"pue_{b}").first() for b in BOUNDS),
        pl.col("pue_source").first(),
    )
    compute = lines.filter(pl.col("kind") == "compute").with_columns(
        pl.when(pl.col("family").is_not_null())
        .then(pl.col("provider") + " " + pl.col("family"))
        .otherwise(pl.col("provider") + " " + pl.lit(UNKNOWN_FAMILY))
        .alias("family_key")
    )
    used = set()
    if lines.height:
        providers = set(lines.get_column("provider").unique().to_list())
        used = {"ccf-method", "ccf-regions"} | set(
            places.filter(pl.col("provider").is_in(list(providers))).get_column("pue_source").to_list()
        )
        if (lines.get_column("kind") == "compute").any():
            used.add("ccf-coefficients")
            used.update(lines.get_column("instance_source").drop_nulls().unique().to_list())
        for source in (
            places.get_column("grid_source").fill_null(reference.grid[FALLBACK_GRID].source).unique()
        ):
            used.update(source.split("+"))
    return CloudFootprint(
        focus_version=focus.version,
        rows=focus.rows,
        counted_rows=int(total["rows"]),
        energy_kwh=_span(total, "energy"),
        emissions_kgco2e=_span(total, "emissions"),
        embodied_kgco2e=_span(total, "embodied"),
        by_kind=_grouped(lines, "kind", figures),
        by_service=_grouped(lines, "ServiceName", figures),
        by_region={
            (r["RegionId"] or "unknown"): RegionFigures(
                int(r["rows"]),
                _span(r, "energy"),
                _span(r, "emissions"),
                r["provider"],
                r["country"],
                _span(r, "grid"),
                r["grid_source"] or "fallback: world average, the range of the provider's regions",
                _span(r, "pue"),
                r["pue_source"],
            )
            for r in by_region.sort("RegionId").iter_rows(named=True)
        },
        by_month=_grouped(lines, "month", figures),
        by_family=_grouped(compute, "family_key", figures),
        not_counted=not_counted,
        sources=tuple(reference.sources[s] for s in sorted(used) if s in reference.sources),
    )


def _span(row: Mapping[str, Any], name: str) -> Span:
    """The low, value and high of ``name``, kept in order against float rounding in the sums."""
    low, value, high = (float(row[f"{name}_{b}"] or 0.0) for b in BOUNDS)
    return Span(min(low, value), value, max(high, value))


def _grouped(lines: pl.DataFrame, key: str, figures: list[pl.Expr]) -> dict[str, Figures]:
    grouped = lines.group_by(key).agg(figures).sort(key)
    return {
        (r[key] or "unknown"): Figures(int(r["rows"]), _span(r, "energy"), _span(r, "emissions"))
        for r in grouped.iter_rows(named=True)
    }
