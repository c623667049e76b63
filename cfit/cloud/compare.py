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
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from cfit.cloud.focus import FocusFile
from cfit.cloud.footprint import BOUNDS, DIGITS, METHOD_VERSION, PricedUsage, price_usage
from cfit.cloud.reference import OTHER_PROVIDER, CloudReference, FamilyMove
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
    pue: Span | None = None  #: the place's PUE (None: where each part runs today)
    #: each instance type moved to another family: its equivalent type (same vCPUs and memory)
    families: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pue": self.pue.as_dict(DIGITS) if self.pue else None,
            "families": dict(self.families),
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
    family_moves: tuple[str, ...] = ()  #: the declared moves asked for, with what changes
    not_moved: tuple[str, ...] = ()  #: instance types whose family has no equivalent of their size
    method: str = METHOD_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "family_moves": list(self.family_moves),
            "not_moved": list(self.not_moved),
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


#: The columns of a workload table: usage summed per provider, region, service and instance type,
#: which is all a comparison needs (every figure of the method is a sum over rows of quantities ×
#: factors).
WORKLOAD_KEYS = ("provider", "RegionId", "ServiceName", "instance_type", "family")
WORKLOAD_SUMS = (
    "rows",
    "vcpu_hours",
    "instance_hours",
    *(f"{m}_{b}" for m in ("compute_it_kwh", "other_it_kwh") for b in BOUNDS),
    *(f"{m}_{b}" for m in ("energy", "emissions", "embodied") for b in BOUNDS),
)


def workload_table(
    priced: PricedUsage, *, regions: Collection[str] | None = None, services: Collection[str] | None = None
) -> pl.DataFrame:
    """The counted usage (of ``regions`` and ``services`` when given) summed per provider, region,
    service and instance type, with the region's grid factor and PUE: small enough to store beside an
    imported export."""
    lines = priced.lines
    if regions:
        lines = lines.filter(pl.col("RegionId").is_in(list(regions)))
    if services:
        lines = lines.filter(pl.col("ServiceName").is_in(list(services)))
    quantity = pl.col("quantity")
    return (
        lines.with_columns(
            (quantity * pl.col("vcpu_hours_per_unit")).alias("vcpu_hours"),
            (quantity * pl.col("instance_hours_per_unit")).alias("instance_hours"),
            *((quantity * pl.col(f"other_it_kwh_per_unit_{b}")).alias(f"other_it_kwh_{b}") for b in BOUNDS),
            *(
                (quantity * (pl.col(f"it_kwh_per_unit_{b}") - pl.col(f"other_it_kwh_per_unit_{b}"))).alias(
                    f"compute_it_kwh_{b}"
                )
                for b in BOUNDS
            ),
            # Only an instance's hours can move to another family; vCPU-hours name no instance.
            pl.when(pl.col("instance_hours_per_unit") > 0)
            .then(pl.col("instance_type"))
            .alias("instance_type"),
        )
        .group_by(*WORKLOAD_KEYS)
        .agg(
            pl.len().alias("rows"),
            *(pl.col(c).sum() for c in WORKLOAD_SUMS if c != "rows"),
            *(pl.col(f"grid_{b}").first() for b in BOUNDS),
            pl.col("grid_source").first(),
            *(pl.col(f"pue_{b}").first() for b in BOUNDS),
        )
        .sort(*WORKLOAD_KEYS, nulls_last=True)
    )


class UnknownFamilyMove(ValueError):
    """A family move that ``families.csv`` does not declare: cfit never guesses an equivalent."""

    def __init__(self, text: str) -> None:
        super().__init__(
            f"{text!r}: no declared equivalence; write FAMILY=EQUIVALENT as cfit/cloud/factors/families.csv lists them"
        )
        self.text = text


def parse_family_moves(texts: Sequence[str], reference: CloudReference) -> tuple[FamilyMove, ...]:
    """``m5=m7g`` (family, equals sign, equivalent) as the declared moves it names."""
    moves: list[FamilyMove] = []
    for text in texts:
        family, sep, equivalent = text.strip().lower().partition("=")
        found = [
            m for m in reference.families if (m.family, m.equivalent) == (family.strip(), equivalent.strip())
        ]
        if not sep or not found:
            raise UnknownFamilyMove(text)
        moves += found
    return tuple(moves)


def compare_places(
    focus: FocusFile,
    reference: CloudReference,
    *,
    to: Sequence[Place] | None = None,
    families: Sequence[FamilyMove] = (),
    regions: Collection[str] | None = None,
    services: Collection[str] | None = None,
    limit: int | None = None,
) -> Comparison:
    """The workload of ``focus`` (the rows of ``regions`` and ``services`` when given) priced today
    and in each place of ``to`` (by default every region cfit knows the country of, at every
    provider it has coefficients for; with ``families`` and no ``to``: where it runs today), with its
    instances moved to the equivalent families of ``families``, lowest emissions first, at most
    ``limit`` of them."""
    table = workload_table(price_usage(focus, reference), regions=regions, services=services)
    return compare_workload(table, reference, to=to, families=families, limit=limit)


def _complete(table: pl.DataFrame, reference: CloudReference) -> pl.DataFrame:
    """A workload table stored by method cfit-cloud-1 (no instance types, PUE or compute energy)
    completed as that method priced it: the provider's watts and PUE."""
    if "compute_it_kwh_value" in table.columns:
        return table
    watts = pl.DataFrame(
        {
            "provider": list(reference.providers),
            **{
                f"w_{b}": [getattr(p.watts_per_vcpu, b) for p in reference.providers.values()] for b in BOUNDS
            },
            **{f"pue_{b}": [getattr(p.pue, b) for p in reference.providers.values()] for b in BOUNDS},
        }
    )
    return table.join(watts, on="provider", how="left").with_columns(
        pl.lit(None, dtype=pl.String).alias("instance_type"),
        pl.lit(None, dtype=pl.String).alias("family"),
        pl.lit(0.0).alias("instance_hours"),
        *((pl.col("vcpu_hours") * pl.col(f"w_{b}") / 1000).alias(f"compute_it_kwh_{b}") for b in BOUNDS),
    )


@dataclass(frozen=True)
class _Target:
    instance_type: str
    vcpu: float
    watts: dict[str, float]
    embodied_kg_per_hour: float | None


def _targets(
    table: pl.DataFrame, reference: CloudReference, moves: Sequence[FamilyMove]
) -> tuple[dict[tuple[str, str], _Target], list[str]]:
    """For each instance type of the workload whose family a move names: the type of the equivalent
    family with the same vCPUs and memory (the one of the same size name first, else the shortest
    name), and the types that have no such equivalent."""
    if not moves or not table.height:
        return {}, []
    u = reference.average_utilisation
    instances = reference.instances.filter(pl.col("watts_min").is_not_null())
    by_type = {(r["provider"], r["instance_type"]): r for r in reference.instances.iter_rows(named=True)}
    moved = {(m.provider, m.family): m.equivalent for m in moves}
    targets: dict[tuple[str, str], _Target] = {}
    missing: list[str] = []
    for provider, instance_type, family in (
        table.select("provider", "instance_type", "family")
        .drop_nulls()
        .unique()
        .sort("instance_type")
        .iter_rows()
    ):
        equivalent = moved.get((provider, family))
        own = by_type.get((provider, instance_type))
        if equivalent is None or own is None:
            continue
        same = instances.filter(
            (pl.col("provider") == provider)
            & (pl.col("family") == equivalent)
            & (pl.col("vcpu") == own["vcpu"])
            & (pl.col("memory_gb") == own["memory_gb"])
        )
        if not same.height:
            missing.append(f"{instance_type} → {equivalent}")
            continue
        renamed = equivalent + instance_type[len(family) :]
        chosen = sorted(
            same.iter_rows(named=True),
            key=lambda r: (r["instance_type"] != renamed, len(r["instance_type"]), r["instance_type"]),
        )[0]
        targets[(provider, instance_type)] = _Target(
            chosen["instance_type"],
            float(chosen["vcpu"]),
            {
                "low": chosen["watts_idle"],
                "value": chosen["watts_min"] + u * (chosen["watts_max"] - chosen["watts_min"]),
                "high": chosen["watts_full"],
            },
            chosen["embodied_kg_per_hour"],
        )
    return targets, missing


def compare_workload(
    table: pl.DataFrame,
    reference: CloudReference,
    *,
    to: Sequence[Place] | None = None,
    families: Sequence[FamilyMove] = (),
    limit: int | None = None,
) -> Comparison:
    """``compare_places`` on a workload table (``workload_table``), e.g. one stored at import."""
    rows = int(table.get_column("rows").sum()) if table.height else 0
    if rows == 0:
        zero = Span.exact(0.0)
        return Comparison(0, (), (), zero, zero, (), (), ())
    table = _complete(table, reference)
    places: list[tuple[Place | None, str]] = (
        [(None, "")] if families and to is None else list(_candidates(reference, to))
    )
    targets, not_moved = _targets(table, reference, families)
    lines = table.to_dicts()
    providers_today = tuple(sorted({r["provider"] for r in lines}))
    combos = [(b, g) for b in BOUNDS for g in BOUNDS]
    today = {
        (b, g): sum(r[f"energy_{b}"] * r[f"grid_{g}"] / 1000 + r[f"embodied_{b}"] for r in lines)
        for b, g in combos
    }
    today_energy = {b: sum(r[f"energy_{b}"] for r in lines) for b in BOUNDS}
    today_emissions = Span(
        min(today[b, b] for b in BOUNDS), today["value", "value"], max(today[b, b] for b in BOUNDS)
    )
    region_pue = {(r["provider"], r["region"]): r["pue"] for r in reference.region_pue.iter_rows(named=True)}
    alternatives = []
    for place, country in places:
        factors = reference.providers[place.provider] if place else None
        grid = reference.grid[country].intensity if place else None
        pue = region_pue.get((place.provider, place.region)) if place else None
        there = dict.fromkeys(combos, 0.0)
        energy = dict.fromkeys(BOUNDS, 0.0)
        for r in lines:
            stays = place is None or place.provider == r["provider"]
            target = targets.get((r["provider"], r["instance_type"])) if stays else None
            for b in BOUNDS:
                if target is not None:
                    compute = r["instance_hours"] * target.vcpu * target.watts[b] / 1000
                    own = reference.providers[r["provider"]]
                    embodied = r["instance_hours"] * (
                        target.embodied_kg_per_hour
                        if target.embodied_kg_per_hour is not None
                        else target.vcpu * getattr(own.embodied_kg_per_vcpu_hour, b)
                    )
                elif stays:
                    compute, embodied = r[f"compute_it_kwh_{b}"], r[f"embodied_{b}"]
                else:
                    assert factors is not None
                    compute = r["vcpu_hours"] * getattr(factors.watts_per_vcpu, b) / 1000
                    embodied = r["vcpu_hours"] * getattr(factors.embodied_kg_per_vcpu_hour, b)
                if place is None:
                    facility = r[f"pue_{b}"]
                else:
                    assert factors is not None
                    facility = pue if pue is not None else getattr(factors.pue, b)
                kwh = (compute + r[f"other_it_kwh_{b}"]) * facility
                energy[b] += kwh
                for g in BOUNDS:
                    intensity = r[f"grid_{g}"] if grid is None else getattr(grid, g)
                    there[b, g] += kwh * intensity / 1000 + embodied
        emissions = Span(
            min(there[b, b] for b in BOUNDS), there["value", "value"], max(there[b, b] for b in BOUNDS)
        )
        same = place is None or providers_today == (place.provider,)
        value = there["value", "value"] - today["value", "value"]
        if place is None:
            # Same regions, same grids, shared utilisation: every bound pairs with itself.
            lows = highs = [there[c] - today[c] for c in combos]
        elif same:
            # Shared coefficients at the same bound b on both sides; the grids vary independently.
            lows = [there[b, "low"] - today[b, "high"] for b in BOUNDS]
            highs = [there[b, "high"] - today[b, "low"] for b in BOUNDS]
        else:
            lows = [emissions.low - today_emissions.high]
            highs = [emissions.high - today_emissions.low]
        alternatives.append(
            Alternative(
                provider=place.provider if place else ",".join(providers_today),
                region=place.region if place else "",
                country=country,
                grid_gco2e_per_kwh=grid if grid is not None else Span.exact(0.0),
                grid_source=reference.grid[country].source if place else "",
                energy_kwh=Span(min(energy.values()), energy["value"], max(energy.values())),
                emissions_kgco2e=emissions,
                change_kgco2e=Span(min(*lows, value), value, max(*highs, value)),
                same_provider=same,
                pue=(Span.exact(pue) if pue is not None else factors.pue) if factors else None,
                # only what moved here: a candidate at another provider prices the workload with its
                # own average watts, so no instance moved to the declared family there
                families={
                    k[1]: t.instance_type
                    for k, t in targets.items()
                    if place is None or place.provider == k[0]
                },
            )
        )
    alternatives.sort(key=lambda a: (a.emissions_kgco2e.value, a.provider, a.region))
    used = {"ccf-method", "ccf-coefficients", "ccf-regions"}
    for p in {*providers_today, *(pl_.provider for pl_, _ in places if pl_)}:
        used.add(reference.providers[p].pue_source)
    used |= {
        src
        for (p, r), src in _region_pue_sources(reference).items()
        if any(pl_ == Place(p, r) for pl_, _ in places)
    }
    if targets:
        used.update(
            reference.instances.filter(
                pl.col("instance_type").is_in([t.instance_type for t in targets.values()])
            )
            .get_column("source")
            .unique()
            .to_list()
        )
    for source in {reference.grid[c].source for p, c in places if p} | set(
        table.get_column("grid_source").drop_nulls().unique().to_list()
    ):
        used.update(source.split("+"))
    return Comparison(
        rows=rows,
        providers=providers_today,
        regions=tuple(sorted({r or "unknown" for r in table.get_column("RegionId").to_list()})),
        energy_kwh=Span(min(today_energy.values()), today_energy["value"], max(today_energy.values())),
        emissions_kgco2e=today_emissions,
        alternatives=tuple(alternatives[:limit] if limit else alternatives),
        sources=tuple(reference.sources[s] for s in sorted(used) if s in reference.sources),
        family_moves=tuple(f"{m.provider}: {m.family} → {m.equivalent} ({m.change})" for m in families),
        not_moved=tuple(not_moved),
    )


def _region_pue_sources(reference: CloudReference) -> dict[tuple[str, str], str]:
    return {(r["provider"], r["region"]): r["pue_source"] for r in reference.region_pue.iter_rows(named=True)}


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
