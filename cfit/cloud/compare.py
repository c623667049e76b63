"""What the same cloud workload would emit elsewhere: other regions, other providers, with ranges.

A buyer's question is "what would moving this workload change?". The workload is the usage of a
FOCUS file (all of it, or the rows of some regions or services). It is priced where it runs today
(``cfit.cloud.footprint``) and again in each candidate place, with the same method:

- the IT energy of memory, storage and network is the same wherever it runs; compute is the
  workload's vCPU-hours × the candidate provider's watts per vCPU; the candidate provider's PUE
  applies on top;
- emissions are that energy × the grid factor of the candidate region's country, plus embodied
  emissions: the workload's own instance shares where the candidate is its provider, the candidate
  provider's embodied emissions per vCPU-hour elsewhere (an instance type exists at one provider only).

The change's range is formed as follows. When the candidate is the provider the whole workload runs
at today, both sides share the same coefficients (watts, storage, PUE, embodied): they are taken at
the same bound on both sides, so only the two grid factors, which are independent, widen the range;
the embodied emissions cancel. Otherwise the two sides share nothing and the change spans from the
candidate's low minus today's high to the candidate's high minus today's low. Plain Python on
polars, no Django (``docs/cloud-method.md``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from cfit.cloud.focus import FocusFile
from cfit.cloud.footprint import BOUNDS, DIGITS, METHOD_VERSION, PricedUsage, price_usage
from cfit.cloud.reference import OTHER_PROVIDER, CloudReference
from cfit.impact.figures import Source, Span


class UnknownPlace(ValueError):
    """A candidate region that cfit has no country (and so no grid factor) for."""

    def __init__(self, provider: str, region: str) -> None:
        super().__init__(f"no region {region!r} of provider {provider!r} with a known country")
        self.provider, self.region = provider, region


@dataclass(frozen=True)
class Place:
    provider: str  #: the coefficient set's key: aws, gcp, azure
    region: str  #: the region key as FOCUS ``RegionId`` spells it, lower case


@dataclass(frozen=True)
class Alternative:
    provider: str
    region: str
    country: str
    grid_gco2e_per_kwh: Span
    grid_source: str
    energy_kwh: Span  #: facility energy of the workload there
    emissions_kgco2e: Span  #: use plus embodied there
    change_kgco2e: Span  #: there minus today: negative is a saving
    same_provider: bool  #: the coefficients are shared with today's figures (see the module's docstring)

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "region": self.region,
            "country": self.country,
            "grid_gco2e_per_kwh": self.grid_gco2e_per_kwh.as_dict(DIGITS),
            "grid_source": self.grid_source,
            "energy_kwh": self.energy_kwh.as_dict(DIGITS),
            "emissions_kgco2e": self.emissions_kgco2e.as_dict(DIGITS),
            "change_kgco2e": self.change_kgco2e.as_dict(DIGITS),
            "same_provider": self.same_provider,
        }


@dataclass(frozen=True)
class Comparison:
    rows: int  #: usage rows of the workload
    providers: tuple[str, ...]  #: where the workload runs today
    regions: tuple[str, ...]  #: the FOCUS ``RegionId`` values it runs in today
    energy_kwh: Span  #: today
    emissions_kgco2e: Span  #: today
    alternatives: tuple[Alternative, ...]  #: lowest emissions first
    sources: tuple[Source, ...]
    method: str = METHOD_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "workload": {"rows": self.rows, "providers": list(self.providers), "regions": list(self.regions)},
            "energy_kwh": self.energy_kwh.as_dict(DIGITS),
            "emissions_kgco2e": self.emissions_kgco2e.as_dict(DIGITS),
            "alternatives": [a.as_dict() for a in self.alternatives],
            "sources": [s.as_dict() for s in self.sources],
        }


def parse_place(text: str) -> Place:
    """``aws:eu-north-1`` (provider, colon, region) as a ``Place``."""
    provider, sep, region = text.partition(":")
    if not sep or not provider.strip() or not region.strip():
        raise ValueError(f"{text!r}: write a place as provider:region, e.g. aws:eu-north-1")
    return Place(provider.strip().lower(), region.strip().lower().replace(" ", ""))


#: The columns of a workload table: usage summed per provider, region and service, which is all a
#: comparison needs (every figure of the method is a sum over rows of quantities × factors).
WORKLOAD_KEYS = ("provider", "RegionId", "ServiceName")
WORKLOAD_SUMS = (
    "rows",
    "vcpu_hours",
    *(f"other_it_kwh_{b}" for b in BOUNDS),
    *(f"{m}_{b}" for m in ("energy", "emissions", "embodied") for b in BOUNDS),
)


def workload_table(
    priced: PricedUsage, *, regions: Collection[str] | None = None, services: Collection[str] | None = None
) -> pl.DataFrame:
    """The counted usage (of ``regions`` and ``services`` when given) summed per provider, region and
    service, with the region's grid factor: small enough to store beside an imported export."""
    lines = priced.lines
    if regions:
        lines = lines.filter(pl.col("RegionId").is_in(list(regions)))
    if services:
        lines = lines.filter(pl.col("ServiceName").is_in(list(services)))
    quantity = pl.col("quantity")
    return (
        lines.with_columns(
            (quantity * pl.col("vcpu_hours_per_unit")).alias("vcpu_hours"),
            *((quantity * pl.col(f"other_it_kwh_per_unit_{b}")).alias(f"other_it_kwh_{b}") for b in BOUNDS),
        )
        .group_by(*WORKLOAD_KEYS)
        .agg(
            pl.len().alias("rows"),
            *(pl.col(c).sum() for c in WORKLOAD_SUMS if c != "rows"),
            *(pl.col(f"grid_{b}").first() for b in BOUNDS),
            pl.col("grid_source").first(),
        )
        .sort(*WORKLOAD_KEYS)
    )


def compare_places(
    focus: FocusFile,
    reference: CloudReference,
    *,
    to: Sequence[Place] | None = None,
    regions: Collection[str] | None = None,
    services: Collection[str] | None = None,
    limit: int | None = None,
) -> Comparison:
    """The workload of ``focus`` (the rows of ``regions`` and ``services`` when given) priced today
    and in each place of ``to`` (by default every region cfit knows the country of, at every
    provider it has coefficients for), lowest emissions first, at most ``limit`` of them."""
    table = workload_table(price_usage(focus, reference), regions=regions, services=services)
    return compare_workload(table, reference, to=to, limit=limit)


def compare_workload(
    table: pl.DataFrame,
    reference: CloudReference,
    *,
    to: Sequence[Place] | None = None,
    limit: int | None = None,
) -> Comparison:
    """``compare_places`` on a workload table (``workload_table``), e.g. one stored at import."""
    places = _candidates(reference, to)
    rows = int(table.get_column("rows").sum()) if table.height else 0
    if rows == 0:
        zero = Span.exact(0.0)
        return Comparison(0, (), (), zero, zero, (), ())
    today = table.select([pl.col(f"{m}_{b}").sum() for m in ("energy", "emissions") for b in BOUNDS]).row(
        0, named=True
    )
    # Today's emissions with every row's own coefficient bound b and its grid at bound g: what a
    # same-provider change needs to pair shared coefficients and keep the grids independent.
    today_grid = table.select(
        [
            (pl.col(f"energy_{b}") * pl.col(f"grid_{g}") / 1000).sum().alias(f"use_{b}_{g}")
            for b in BOUNDS
            for g in BOUNDS
        ]
    ).row(0, named=True)
    by_provider = table.group_by("provider").agg(
        pl.col("vcpu_hours").sum(),
        *(pl.col(f"other_it_kwh_{b}").sum() for b in BOUNDS),
        *(pl.col(f"embodied_{b}").sum() for b in BOUNDS),
    )
    vcpu_hours = float(by_provider.get_column("vcpu_hours").sum())
    other_it = {b: float(by_provider.get_column(f"other_it_kwh_{b}").sum()) for b in BOUNDS}
    own_embodied = {
        r["provider"]: {b: float(r[f"embodied_{b}"]) for b in BOUNDS}
        for r in by_provider.iter_rows(named=True)
    }
    vcpu_by_provider = {r["provider"]: float(r["vcpu_hours"]) for r in by_provider.iter_rows(named=True)}
    providers_today = tuple(sorted(own_embodied))
    today_emissions = _span(today, "emissions")

    alternatives = []
    for place, country in places:
        factors = reference.providers[place.provider]
        grid = reference.grid[country]
        energy = {
            b: (vcpu_hours * getattr(factors.watts_per_vcpu, b) / 1000 + other_it[b])
            * getattr(factors.pue, b)
            for b in BOUNDS
        }
        embodied = {
            b: sum(
                own_embodied[p][b]
                if p == place.provider
                else vcpu_by_provider[p] * getattr(factors.embodied_kg_per_vcpu_hour, b)
                for p in providers_today
            )
            for b in BOUNDS
        }
        there = {b: energy[b] * getattr(grid.intensity, b) / 1000 + embodied[b] for b in BOUNDS}
        emissions = Span(min(there.values()), there["value"], max(there.values()))
        same = providers_today == (place.provider,)
        if same:
            # Shared coefficients at the same bound b on both sides; the grids vary independently.
            lows = [energy[b] * grid.intensity.low / 1000 - today_grid[f"use_{b}_high"] for b in BOUNDS]
            highs = [energy[b] * grid.intensity.high / 1000 - today_grid[f"use_{b}_low"] for b in BOUNDS]
            value = energy["value"] * grid.intensity.value / 1000 - today_grid["use_value_value"]
        else:
            lows = [emissions.low - today_emissions.high]
            highs = [emissions.high - today_emissions.low]
            value = emissions.value - today_emissions.value
        change = Span(min(*lows, value), value, max(*highs, value))
        alternatives.append(
            Alternative(
                provider=place.provider,
                region=place.region,
                country=country,
                grid_gco2e_per_kwh=grid.intensity,
                grid_source=grid.source,
                energy_kwh=Span(min(energy.values()), energy["value"], max(energy.values())),
                emissions_kgco2e=emissions,
                change_kgco2e=change,
                same_provider=same,
            )
        )
    alternatives.sort(key=lambda a: (a.emissions_kgco2e.value, a.provider, a.region))
    used = {"ccf-method", "ccf-coefficients", "ccf-regions"}
    used |= {
        reference.providers[p].pue_source for p in {*providers_today, *(pl_.provider for pl_, _ in places)}
    }
    for source in {reference.grid[c].source for _, c in places} | set(
        table.get_column("grid_source").drop_nulls().unique().to_list()
    ):
        used.update(source.split("+"))
    return Comparison(
        rows=rows,
        providers=providers_today,
        regions=tuple(sorted({r or "unknown" for r in table.get_column("RegionId").to_list()})),
        energy_kwh=_span(today, "energy"),
        emissions_kgco2e=today_emissions,
        alternatives=tuple(alternatives[:limit] if limit else alternatives),
        sources=tuple(reference.sources[s] for s in sorted(used) if s in reference.sources),
    )


def _candidates(reference: CloudReference, to: Sequence[Place] | None) -> list[tuple[Place, str]]:
    """Each candidate place with its country; every known one when none are asked for."""
    known = reference.regions.filter(
        pl.col("country").is_in(list(reference.grid)) & (pl.col("provider") != OTHER_PROVIDER)
    )
    countries: Mapping[tuple[str, str], str] = {
        (r["provider"], r["region"]): r["country"] for r in known.iter_rows(named=True)
    }
    if to is None:
        return [(Place(p, r), c) for (p, r), c in sorted(countries.items()) if p in reference.providers]
    out = []
    for place in to:
        country = countries.get((place.provider, place.region))
        if country is None or place.provider not in reference.providers:
            raise UnknownPlace(place.provider, place.region)
        out.append((place, country))
    return out


def _span(row: Mapping[str, Any], name: str) -> Span:
    low, value, high = (float(row[f"{name}_{b}"] or 0.0) for b in BOUNDS)
    return Span(min(low, value), value, max(high, value))
