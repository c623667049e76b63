"""What the platform already knows of an organisation's year, as report values.

- from the organisation: users served (pre-filled);
- from its tenders published in the year: tenders run, tenders using criteria per impact category and
  ambition (pre-filled), and the lots' estimated values as spend per product group (estimated: an
  estimate, not what was paid);
- from its register: devices taken into use in the year, new, refurbished and leased, per group;
  devices retired in the year, their service life and end-of-use routes in units and kg (pre-filled);
  emissions from the impact engine: embodied emissions of the year's purchases, and the fleet's use
  phase and emissions per year of service at the end of the year (estimated), each with its low and
  high bound, the method version and the sources the engine named, as the fleet dashboard shows them;
- from its imported cloud exports: the emissions of the year's cloud use (estimated), with range,
  method and sources, as the cloud pages show them;
- from its contracts and the factories their suppliers disclosed: contracts with factories disclosed,
  in number and as a share of the contracts in force (pre-filled; ``cfit.factories.indicators``).
- from its contracts: contracts with due-diligence clauses, obligations due and the share delivered on
  time, smelters its suppliers reported and the share RMAP-conformant, open corrective actions
  (pre-filled; ``cfit.duediligence.monitoring``).

The participant checks every figure: a changed figure becomes "reported".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import polars as pl
from django.db.models import Count, Sum

from cfit.accounts.models import Organisation
from cfit.accounts.scoping import system_scope
from cfit.cloud.figures import cloud_year
from cfit.factories.indicators import factories_prefill
from cfit.fleet.footprint import fleet_lines, fleet_summary
from cfit.fleet.models import Asset
from cfit.impact import summary
from cfit.impact.figures import METHOD_VERSION
from cfit.impact.results import Span
from cfit.impact.store import current_reference
from cfit.monitoring.indicators import CRITERIA_KEYS, HARDWARE, PRODUCT_GROUPS
from cfit.monitoring.models import ReportValue
from cfit.tenders.models import LotCriterion, Tender

Origin = ReportValue.Origin


@dataclass(frozen=True)
class Figure:
    """A pre-filled figure: its value and where it comes from; emissions also with their bounds, the
    method version and the engine's sources ({id, title, url})."""

    value: float
    origin: str
    low: float | None = None
    high: float | None = None
    method: str = ""
    sources: tuple[dict[str, str], ...] = ()


#: (indicator, key) -> figure
Prefill = dict[tuple[str, str], Figure]


def prefill(organisation: Organisation, year: int) -> Prefill:
    values: Prefill = {("users_served", ""): Figure(float(organisation.users_served), Origin.PREFILLED)}
    with system_scope():
        values.update(
            {
                cell: Figure(value, origin)
                for cell, (value, origin) in _from_tenders(organisation, year).items()
            }
        )
        values.update(_from_notices(organisation, year, values))
        values.update(_from_register(organisation, year))
        values.update(_from_cloud(organisation, year))
        values.update({cell: Figure(*found) for cell, found in factories_prefill(organisation, year).items()})
        values.update(_from_contracts(organisation, year))
    return values


def _from_tenders(organisation: Organisation, year: int) -> dict[tuple[str, str], tuple[float, str]]:
    tenders = Tender.objects.filter(
        organisation=organisation, published_at__year=year, status__in=["published", "awarded", "closed"]
    )
    values: dict[tuple[str, str], tuple[float, str]] = {}
    count = tenders.count()
    if not count:
        return values
    values[("tenders_run", "")] = (float(count), Origin.PREFILLED)
    uptake = (
        LotCriterion.objects.filter(lot__tender__in=tenders)
        .values("criterion__impact_category", "criterion__ambition")
        .annotate(tenders=Count("lot__tender", distinct=True))
    )
    for row in uptake:
        key = f"{row['criterion__impact_category']}/{row['criterion__ambition']}"
        if key in CRITERIA_KEYS:
            values[("tenders_with_criteria", key)] = (float(row["tenders"]), Origin.PREFILLED)
    for key in CRITERIA_KEYS:
        values.setdefault(("tenders_with_criteria", key), (0.0, Origin.PREFILLED))
    spend = tenders.values("lots__product_group__code").annotate(value=Sum("lots__estimated_value"))
    for row in spend:
        group = row["lots__product_group__code"]
        key = group if group in PRODUCT_GROUPS else "other-ict"
        if row["value"]:
            previous = values.get(("ict_spend_eur", key), (0.0, Origin.ESTIMATED))[0]
            values[("ict_spend_eur", key)] = (previous + float(row["value"]), Origin.ESTIMATED)
    return values


def _from_notices(organisation: Organisation, year: int, values: Prefill) -> Prefill:
    """Tenders the organisation ran outside cfit, counted from its published ICT notices (procedures
    none of whose notices is one of its cfit tenders), added to the tenders run; the figure says so."""
    from cfit.notices.models import PREFILLED_FROM_NOTICES, outside_cfit

    notices = outside_cfit(organisation, year)
    if not notices:
        return {}
    in_cfit = values.get(("tenders_run", ""))
    return {
        ("tenders_run", ""): Figure(
            (in_cfit.value if in_cfit else 0.0) + len(notices),
            Origin.PREFILLED,
            method=PREFILLED_FROM_NOTICES,
            sources=tuple({"id": n.notice_id, "title": n.title[:200], "url": n.public_url} for n in notices),
        )
    }


def _from_register(organisation: Organisation, year: int) -> Prefill:
    assets = Asset.objects.of_organisation(organisation)
    if not assets.exists():
        return {}
    values: Prefill = {}
    end = date(year, 12, 31)
    bought = assets.filter(purchase_date__year=year)
    counts: dict[tuple[str, str], float] = defaultdict(float)
    for group, condition, acquisition, quantity in bought.values_list(
        "product_group", "condition", "acquisition"
    ).annotate(n=Sum("quantity")):
        if condition == "refurbished":
            counts[("units_refurbished", group)] += quantity
        elif acquisition in ("leased", "service"):
            counts[("units_leased", group)] += quantity
        else:
            counts[("units_new", group)] += quantity
    values.update({cell: Figure(n, Origin.PREFILLED) for cell, n in counts.items() if cell[1] in HARDWARE})

    # The register as it stood at the end of the year, through the same adapter as the dashboard and the API.
    reference = current_reference()
    lines = fleet_lines(organisation, reference, end)
    if lines.is_empty():
        return values
    figures = fleet_summary(organisation, end)
    retired_in_year = lines.filter(pl.col("retired_date").dt.year() == year)
    if not retired_in_year.is_empty():
        circularity = summary.circularity(retired_in_year)
        for group, life in circularity.service_life.items():
            values[("retired_units", group)] = Figure(float(life.devices), Origin.PREFILLED)
            values[("service_life_mean", group)] = Figure(life.mean_years, Origin.PREFILLED)
            values[("service_life_median", group)] = Figure(life.median_years, Origin.PREFILLED)
        for route, figure in circularity.end_of_use_routes.items():
            if route != "unknown":
                values[("end_of_use_units", route)] = Figure(float(figure.units), Origin.PREFILLED)
                values[("end_of_use_kg", route)] = Figure(figure.kg, Origin.ESTIMATED)
    sources = tuple({"id": s.id, "title": s.title or s.id, "url": s.url} for s in figures.sources)
    purchases = figures.by_purchase_year.get(year)
    if purchases:
        values[("embodied_tco2e", "")] = _emissions(purchases.embodied_kgco2e, sources)
    values[("use_tco2e", "")] = _emissions(figures.use_kgco2e_per_year, sources)
    values[("fleet_annual_tco2e", "")] = _emissions(figures.annual_kgco2e, sources)
    return values


def _from_cloud(organisation: Organisation, year: int) -> Prefill:
    """The year's cloud use from the organisation's imported FOCUS exports (its months only)."""
    figures = cloud_year(organisation, year)
    if figures is None:
        return {}
    span = figures.emissions_kgco2e
    return {
        ("cloud_tco2e", ""): _emissions(
            Span(low=span.low, value=span.value, high=span.high), figures.sources, ", ".join(figures.methods)
        )
    }


def _from_contracts(organisation: Organisation, year: int) -> Prefill:
    """Contracts with due-diligence clauses, obligations delivered on time, RMAP-conformant smelters and
    open corrective actions, from the organisation's contracts (``cfit.duediligence.monitoring``)."""
    from cfit.duediligence.monitoring import contract_figures

    return {
        cell: Figure(value, Origin.PREFILLED) for cell, value in contract_figures(organisation, year).items()
    }


def _emissions(span: Span, sources: tuple[dict[str, str], ...], method: str = METHOD_VERSION) -> Figure:
    """An emissions figure of the impact engine (kgCO2e, with its range) in tCO2e."""
    return Figure(
        round(span.value / 1000, 3), Origin.ESTIMATED, low=round(span.low / 1000, 3),
        high=round(span.high / 1000, 3), method=method, sources=sources,
    )  # fmt: skip
