"""The figures of a fleet: totals with ranges, per product group, circularity, distributions, what-ifs.

Every figure is aggregated by polars from the lines that ``fleet.compute_lines`` computed; the
several aggregations of a summary run as one batch of queries over the lines. Plain Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import numpy as np
import polars as pl

from cfit.impact.figures import METHOD_VERSION
from cfit.impact.fleet import BOUNDS, ENGINE
from cfit.impact.reference import Reference
from cfit.impact.results import (
    AgeDistribution,
    Circularity,
    FleetFigures,
    FootprintSource,
    GroupFigures,
    PurchaseYear,
    RouteFigures,
    ScenarioFigures,
    ServiceLife,
    Span,
)

T = TypeVar("T")
AGE_BUCKETS = (1, 2, 3, 4, 5, 6, 7, 8)  #: upper edges in years; the last bucket is "8 and more"


def _span(frame: pl.DataFrame, prefix: str, digits: int = 1) -> Span:
    return Span(**{b: round(float(frame.get_column(f"{prefix}_{b}").sum() or 0.0), digits) for b in BOUNDS})


def _codes(lines: pl.DataFrame, name: str) -> tuple[pl.Expr, list[str | None]]:
    """A coded column's codes as small integers (a missing value the last one) and the name of each
    code: grouping by one integer key is cheaper than grouping by several columns (polars hashes the
    rows of a multi-column key)."""
    dtype = lines.schema[name]
    if isinstance(dtype, pl.Enum):
        categories = dtype.categories.to_list()
        column = pl.col(name)
    else:  # a frame made by hand: its own words, sorted
        categories = sorted(lines.get_column(name).drop_nulls().cast(pl.String).unique().to_list())
        column = pl.col(name).cast(pl.String).cast(pl.Enum(categories))
    names: list[str | None] = [*categories, None]
    return column.to_physical().cast(pl.UInt32).fill_null(len(categories)), names


def _grouped(lines: pl.DataFrame) -> pl.LazyFrame:
    """Devices and footprints (per-device figures × quantity) summed per group, state and source."""
    group, groups = _codes(lines, "product_group")
    source, sources = _codes(lines, "embodied_source")
    key = (group * 2 + pl.col("active").cast(pl.UInt32)) * len(sources) + source
    q = pl.col("_quantity")
    return (
        lines.lazy()
        .select(
            key.alias("_key"),
            pl.col("quantity"),
            pl.col("quantity").cast(pl.Float64).alias("_quantity"),
            *[pl.col(f"{kind}_{b}") for kind in ("embodied", "use", "annual") for b in BOUNDS],
        )
        .group_by("_key")
        .agg(
            pl.col("quantity").sum(),
            *[
                (pl.col(f"{kind}_{b}") * q).sum().alias(f"{kind}_{b}")
                for kind in ("embodied", "use", "annual")
                for b in BOUNDS
            ],
        )
        .select(
            pl.lit(pl.Series(groups, dtype=pl.String))
            .gather(pl.col("_key") // (2 * len(sources)))
            .alias("product_group"),
            (pl.col("_key") // len(sources) % 2 == 1).alias("active"),
            pl.lit(pl.Series(sources, dtype=pl.String))
            .gather(pl.col("_key") % len(sources))
            .alias("embodied_source"),
            pl.exclude("_key"),
        )
    )


@dataclass(frozen=True)
class Scenario:
    """A what-if on the devices still in the fleet."""

    life_extension_years: float = 0.0  #: every device serves this much longer
    refurbished_share: float = 0.0  #: share of the devices bought new that would be bought refurbished
    reuse_share: float = 0.0  #: share of devices reused by someone else at end of use

    def __post_init__(self) -> None:
        if not 0 <= self.life_extension_years <= 10:
            raise ValueError("life extension must be between 0 and 10 years")
        for name in ("refurbished_share", "reuse_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")


def summarise(lines: pl.DataFrame, reference: Reference, as_of: date) -> FleetFigures:
    """The fleet's figures: totals with ranges, per product group, circularity, distributions, sources."""
    grouped, ages, years, retired, meta = pl.collect_all(
        [_grouped(lines), _ages(lines), _purchases(lines), _retired(lines), _meta(lines)], engine=ENGINE
    )
    active = grouped.filter(pl.col("active"))
    by_group: dict[str, GroupFigures] = {}
    for (group,), part in active.sort("product_group").group_by("product_group", maintain_order=True):
        by_group[str(group)] = GroupFigures(
            devices=int(part.get_column("quantity").sum()),
            embodied_kgco2e=_span(part, "embodied"),
            use_kgco2e_per_year=_span(part, "use"),
            annual_kgco2e=_span(part, "annual"),
            embodied_sources={
                str(k): int(v)
                for k, v in part.select("embodied_source", "quantity").sort("embodied_source").iter_rows()
            },
        )
    facts = meta.row(0, named=True)
    return FleetFigures(
        method=METHOD_VERSION,
        as_of=as_of,
        lines=lines.height,
        devices=int(active.get_column("quantity").sum() or 0),
        embodied_kgco2e=_span(active, "embodied"),
        use_kgco2e_per_year=_span(active, "use"),
        annual_kgco2e=_span(active, "annual"),
        by_product_group=by_group,
        circularity=_circularity(retired, facts),
        age_distribution=_age_distribution(ages),
        by_purchase_year=_by_purchase_year(years),
        sources=_sources(facts, reference),
    )


def _bucket(years: pl.Expr) -> pl.Expr:
    return years.floor().clip(0, AGE_BUCKETS[-1]).cast(pl.Int64)


def _ages(lines: pl.DataFrame) -> pl.LazyFrame:
    years = pl.when(pl.col("active")).then(pl.col("age_years")).otherwise(pl.col("life_years"))
    # One integer key (whole years, state) rather than two columns: cheaper to group by.
    key = _bucket(years) * 2 + pl.col("active").cast(pl.Int64)
    return (
        lines.lazy()
        .group_by(key.alias("_key"))
        .agg(pl.col("quantity").sum())
        .select(
            (pl.col("_key") % 2 == 1).alias("active"),
            (pl.col("_key") // 2).alias("years"),
            "quantity",
        )
    )


def _age_distribution(table: pl.DataFrame) -> AgeDistribution:
    """Devices in the fleet per whole year of age, and retired devices per whole year of service life
    (the last bucket holds everything from 8 years up)."""
    out: dict[str, dict[int, int]] = {"age": {}, "service_life": {}}
    for active, years, quantity in table.sort("years").iter_rows():
        out["age" if active else "service_life"][int(years)] = int(quantity)
    return AgeDistribution(**out)


def age_distribution(lines: pl.DataFrame) -> AgeDistribution:
    return _age_distribution(_ages(lines).collect())


def _purchases(lines: pl.DataFrame) -> pl.LazyFrame:
    q = pl.col("quantity")
    return (
        lines.lazy()
        .group_by(pl.col("purchase_date").dt.year().alias("year"))
        .agg(
            q.sum().alias("devices"),
            q.filter(pl.col("condition") == "refurbished").sum().alias("refurbished"),
            *[(pl.col(f"embodied_{b}") * q).sum().alias(b) for b in BOUNDS],
        )
    )


def _by_purchase_year(table: pl.DataFrame) -> dict[int, PurchaseYear]:
    """Devices bought per year, the share refurbished, and their embodied footprint."""
    return {
        int(r["year"]): PurchaseYear(
            devices=int(r["devices"]),
            refurbished=int(r["refurbished"]),
            embodied_kgco2e=Span(**{b: round(float(r[b]), 1) for b in BOUNDS}),
        )
        for r in table.sort("year").iter_rows(named=True)
    }


def by_purchase_year(lines: pl.DataFrame) -> dict[int, PurchaseYear]:
    return _by_purchase_year(_purchases(lines).collect())


def _retired(lines: pl.DataFrame) -> pl.LazyFrame:
    return (
        lines.lazy()
        .filter(pl.col("status") == "retired")
        .select(
            "product_group",
            "quantity",
            "life_years",
            "mass_kg",
            "end_of_use_route",
            pl.col("retired_date").dt.year().alias("retired_year"),
        )
    )


def _meta(lines: pl.DataFrame) -> pl.LazyFrame:
    q = pl.col("quantity")
    return lines.lazy().select(
        q.sum().alias("units"),
        q.filter(pl.col("condition") == "refurbished").sum().alias("refurbished_units"),
        pl.col("product_group").unique().cast(pl.String).implode().alias("groups"),
        pl.col("grid_source").unique().implode().alias("grid_sources"),
        (pl.col("embodied_source") != "default").any().alias("uses_footprints"),
        (pl.col("embodied_source") == "pcf").any().alias("uses_pcf"),
        (pl.col("condition") == "refurbished").any().alias("has_refurbished"),
        (pl.col("kwh_source") == "declared").any().alias("has_declared_kwh"),
    )


def _weighted_median(values: np.ndarray[Any, Any], weights: np.ndarray[Any, Any]) -> float:
    """The weighted median of ``values`` sorted ascending (missing values last)."""
    cumulative = np.cumsum(weights)
    return float(values[np.searchsorted(cumulative, cumulative[-1] / 2)])


def _life(years: np.ndarray[Any, Any], weights: np.ndarray[Any, Any]) -> ServiceLife:
    """Devices, mean and median service life of retired lines, their years sorted ascending."""
    return ServiceLife(
        devices=int(weights.sum()),
        mean_years=round(float(np.average(years, weights=weights)), 2),
        median_years=round(_weighted_median(years, weights), 2),
    )


def _by_name(items: dict[str | None, T]) -> dict[str, T]:
    """Entries in the order of their names (a missing name, "None", first, as polars sorts nulls)."""
    return {str(k): items[k] for k in sorted(items, key=lambda k: (k is not None, k or ""))}


def _circularity(retired: pl.DataFrame, facts: Mapping[str, Any]) -> Circularity:
    """Service life of retired devices, end-of-use routes in units and kg, and refurbished purchases.

    The retired lines are sorted by service life once; each group's median is read off its own
    lines in that order. Routes and groups are grouped by their codes and named at the end."""
    group, groups = _codes(retired, "product_group")
    route, routes_named = _codes(retired, "end_of_use_route")
    routes_named[-1] = "unknown"
    coded = retired.select(
        group.alias("group"),
        route.alias("route"),
        pl.col("quantity"),
        pl.col("quantity").cast(pl.Float64).alias("weight"),
        pl.col("life_years").cast(pl.Float64),
        pl.col("mass_kg"),
        pl.col("retired_year"),
    )
    by_life = coded.select("group", "weight", "life_years").sort("life_years", nulls_last=True)
    years = by_life.get_column("life_years").to_numpy()
    weights = by_life.get_column("weight").to_numpy()
    codes = by_life.get_column("group").to_numpy()
    # Stable: within a group the lines stay sorted by service life.
    order = np.argsort(codes, kind="stable")
    edges = np.flatnonzero(np.diff(codes[order])) + 1
    life: dict[str | None, ServiceLife] = {}
    for part in np.split(order, edges) if len(order) else []:
        life[groups[int(codes[part[0]])]] = _life(years[part], weights[part])
    q = pl.col("quantity")
    routes = coded.group_by("route").agg(
        q.sum().alias("units"),
        (pl.col("mass_kg") * q).sum().alias("kg"),
        q.filter(pl.col("mass_kg").is_null()).sum().alias("units_without_mass"),
    )
    units_total = int(routes.get_column("units").sum() or 0)
    kg_total = float(routes.get_column("kg").sum() or 0.0)
    by_route = _by_name(
        {
            routes_named[int(r["route"])]: RouteFigures(
                units=int(r["units"]),
                share_units=round(r["units"] / units_total, 4) if units_total else 0.0,
                kg=round(float(r["kg"]), 1),
                share_kg=round(float(r["kg"]) / kg_total, 4) if kg_total else 0.0,
            )
            for r in routes.iter_rows(named=True)
        }
    )
    over_time: dict[int, dict[str, int]] = {}
    by_year = coded.group_by("retired_year", "route").agg(q.sum())
    for year, code, units in sorted((y, routes_named[int(c)], u) for y, c, u in by_year.iter_rows()):
        over_time.setdefault(int(year), {})[str(code)] = int(units)
    units = int(facts["units"] or 0)
    return Circularity(
        retired_devices=units_total,
        service_life=_by_name(life),
        service_life_all=_life(years, weights) if retired.height else None,
        end_of_use_routes=by_route,
        routes_over_time=over_time,
        refurbished_purchase_share=round(int(facts["refurbished_units"] or 0) / units, 4) if units else 0.0,
        units_without_mass=int(routes.get_column("units_without_mass").sum() or 0),
    )


def circularity(lines: pl.DataFrame) -> Circularity:
    retired, meta = pl.collect_all([_retired(lines), _meta(lines)])
    return _circularity(retired, meta.row(0, named=True))


def _sources(facts: Mapping[str, Any], reference: Reference) -> list[FootprintSource]:
    ids: set[str] = {"boavizta-pcf"} if facts["uses_footprints"] else set()
    ids |= {reference.groups[g].source for g in facts["groups"] if g in reference.groups}
    ids |= {reference.groups[g].service_life_source for g in facts["groups"] if g in reference.groups}
    for source in facts["grid_sources"]:
        ids |= set(str(source).split("+"))
    if facts["has_refurbished"]:
        ids.add(reference.refurbished_source)
    if facts["has_declared_kwh"]:
        ids.add("cfit-proposal")
    ids.discard("WORLD")
    out = [FootprintSource.model_validate(reference.source(i).as_dict()) for i in sorted(ids)]
    if reference.pcf_source and facts["uses_pcf"]:
        out.append(FootprintSource(id="pcf-import", title=reference.pcf_source))
    return out


def scenario(lines: pl.DataFrame, reference: Reference, what_if: Scenario) -> ScenarioFigures:
    """The fleet's footprint per year now and under ``what_if``, and the saving, each with its range.

    Service life grows by the extension plus, for the reused share, the second life; devices bought
    new are replaced by refurbished ones in the given share. Savings are computed bound by bound (the
    low saving with all the low factors), so their range follows from the same factors.
    """
    share = reference.refurbished_share
    refurb = {"low": share.low, "value": share.value, "high": share.high}
    extra_life = what_if.life_extension_years + what_if.reuse_share * reference.second_life_years
    q = pl.col("quantity")
    new = pl.col("condition") == "new"
    out: dict[str, dict[str, float]] = {"baseline": {}, "scenario": {}, "saving": {}}
    sums = (
        lines.lazy()
        .filter(pl.col("active"))
        .select(
            *[(pl.col(f"annual_{b}") * q).sum().alias(f"base_{b}") for b in BOUNDS],
            *[
                (
                    (
                        pl.col(f"embodied_{b}")
                        * pl.when(new).then(1 - what_if.refurbished_share * (1 - refurb[b])).otherwise(1.0)
                        / (pl.col("life_years") + extra_life)
                        + pl.col(f"use_{b}")
                    )
                    * q
                )
                .sum()
                .alias(f"what_{b}")
                for b in BOUNDS
            ],
        )
        .collect(engine=ENGINE)
        .row(0, named=True)
    )
    for b in BOUNDS:
        out["baseline"][b] = round(float(sums[f"base_{b}"] or 0.0), 1)
        out["scenario"][b] = round(float(sums[f"what_{b}"] or 0.0), 1)
    savings = sorted(out["baseline"][b] - out["scenario"][b] for b in BOUNDS)
    central = out["baseline"]["value"] - out["scenario"]["value"]
    out["saving"] = {"low": round(savings[0], 1), "value": round(central, 1), "high": round(savings[-1], 1)}
    return ScenarioFigures(
        method=METHOD_VERSION,
        life_extension_years=what_if.life_extension_years,
        refurbished_share=what_if.refurbished_share,
        reuse_share=what_if.reuse_share,
        second_life_years=reference.second_life_years,
        annual_kgco2e=Span(**out["baseline"]),
        scenario_annual_kgco2e=Span(**out["scenario"]),
        saving_kgco2e_per_year=Span(**out["saving"]),
        refurbished_footprint_share=Span(low=share.low, value=share.value, high=share.high),
        sources=lever_sources(reference),
    )


def lever_sources(reference: Reference) -> list[FootprintSource]:
    """The sources of the factors a what-if applies: the refurbished share and the second life."""
    ids = sorted({reference.refurbished_source, reference.second_life_source})
    return [FootprintSource.model_validate(reference.source(i).as_dict()) for i in ids]
