"""An organisation's cloud use in a calendar year, from its imported exports: the same figures for the
fleet dashboard (cloud next to devices) and the monitoring pre-fill.

Months are the exports' own (``by_month`` of each stored footprint), so an export that spans two
years counts in each for its months; ranges add as the method adds them (sum of lows, sum of highs).
"""

from __future__ import annotations

from dataclasses import dataclass

from cfit.accounts.models import Organisation
from cfit.cloud.models import CloudUsage
from cfit.impact.figures import Span


@dataclass(frozen=True)
class CloudYear:
    year: int
    months: tuple[str, ...]  #: the months of the year with usage, YYYY-MM
    energy_kwh: Span
    emissions_kgco2e: Span
    methods: tuple[str, ...]
    sources: tuple[dict[str, str], ...]  #: {id, title, url} as the other pre-filled figures name them
    exports: int


def cloud_year(organisation: Organisation, year: int) -> CloudYear | None:
    """The year's cloud figures, or None when no export has usage in it."""
    usages = list(
        CloudUsage.unscoped.filter(organisation=organisation)
        .in_year(year)
        .only("result", "method", "first_month", "last_month")
    )
    months: set[str] = set()
    energy = [0.0, 0.0, 0.0]
    emissions = [0.0, 0.0, 0.0]
    sources: dict[str, dict[str, str]] = {}
    for usage in usages:
        for month, figures in usage.result["by_month"].items():
            if not month.startswith(f"{year}-"):
                continue
            months.add(month)
            for i, bound in enumerate(("low", "value", "high")):
                energy[i] += figures["energy_kwh"][bound]
                emissions[i] += figures["emissions_kgco2e"][bound]
        for source in usage.result.get("sources", []):
            sources.setdefault(
                source["id"], {"id": source["id"], "title": source["title"], "url": source.get("url", "")}
            )
    if not months:
        return None
    return CloudYear(
        year=year,
        months=tuple(sorted(months)),
        energy_kwh=_span(energy),
        emissions_kgco2e=_span(emissions),
        methods=tuple(sorted({u.method for u in usages})),
        sources=tuple(sources[k] for k in sorted(sources)),
        exports=len(usages),
    )


def latest_cloud_year(organisation: Organisation) -> CloudYear | None:
    """The most recent year with cloud usage (the dashboard's figure)."""
    last = (
        CloudUsage.unscoped.filter(organisation=organisation)
        .order_by("-last_month")
        .values_list("last_month", flat=True)
        .first()
    )
    return cloud_year(organisation, int(last[:4])) if last else None


def _span(bounds: list[float]) -> Span:
    """Summed bounds, kept in order against float rounding."""
    low, value, high = bounds
    return Span(min(low, value), value, max(high, value))
