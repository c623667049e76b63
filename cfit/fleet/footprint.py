"""The register of an organisation through the impact engine: its lines, its figures, one line explained.

Figures are computed, not stored: from the register as it is and the reference data as it is. The
summary of a fleet is kept in the cache under a stamp of both, so a page view costs two aggregate
queries until the register or a factor changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import polars as pl
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from cfit.accounts.models import Organisation
from cfit.fleet.models import Asset
from cfit.impact import fleet, summary
from cfit.impact.figures import METHOD_VERSION, Source, Span
from cfit.impact.reference import SHIPPED_PCF_TITLE, GridFactor, Reference
from cfit.impact.register import REGISTER_SCHEMA, as_register
from cfit.impact.results import FleetFigures, FootprintSource, ScenarioFigures
from cfit.impact.store import current, current_reference
from cfit.joining.countries import country_name

COLUMNS = [c for c in REGISTER_SCHEMA if c != "row"]


def register_frame(assets: QuerySet[Asset]) -> pl.DataFrame:
    """The lines of a queryset as the engine's typed register (``row`` is the asset's id)."""
    rows = list(assets.order_by("id").values_list("id", *COLUMNS))
    frame = pl.DataFrame(
        rows,
        schema={"row": pl.Int64, **{c: _plain(REGISTER_SCHEMA[c]) for c in COLUMNS}},
        orient="row",
    )
    return as_register(frame)


def _plain(dtype: pl.DataType) -> pl.DataType:
    return pl.String() if isinstance(dtype, pl.Enum) else dtype


def register_as_of(
    organisation: Organisation, as_of: date, assets: QuerySet[Asset] | None = None
) -> pl.DataFrame:
    """The organisation's register (or the ``assets`` of it) as it stood at the end of ``as_of``: the
    lines bought by then, and devices retired later still in use (without their later retirement date
    and route)."""
    assets = Asset.objects.of_organisation(organisation) if assets is None else assets
    owned = register_frame(assets.filter(organisation=organisation, purchase_date__lte=as_of))
    later = pl.col("retired_date") > as_of
    return owned.with_columns(
        pl.when(later).then(pl.lit("in_use")).otherwise(pl.col("status").cast(pl.String))
        .cast(owned.schema["status"]).alias("status"),
        pl.when(later).then(None).otherwise(pl.col("retired_date")).alias("retired_date"),
        pl.when(later).then(None).otherwise(pl.col("end_of_use_route")).alias("end_of_use_route"),
    )  # fmt: skip


def fleet_lines(
    organisation: Organisation,
    reference: Reference,
    as_of: date,
    assets: QuerySet[Asset] | None = None,
    *,
    explain: bool = False,
) -> pl.DataFrame:
    """The engine's lines of the register (or the ``assets`` of it) as it stood on ``as_of``, with the
    reference data given."""
    return fleet.compute_lines(register_as_of(organisation, as_of, assets), reference, as_of, explain=explain)


def _stamp(organisation: Organisation) -> str:
    facts = Asset.objects.of_organisation(organisation).aggregate(updated=Max("updated"), lines=Count("id"))
    return f"{facts['updated']}:{facts['lines']}"


def fleet_summary(organisation: Organisation, as_of: date | None = None) -> FleetFigures:
    """The figures of an organisation as of a date (today by default), with the current reference data.

    The one way to an organisation's figures: the fleet dashboard, the API and the monitoring pre-fill
    all read them here (an asset page's line comes from ``fleet_lines`` of the same register). Cached
    until the register or a factor changes."""
    return SummaryOf(organisation, as_of or timezone.localdate()).figures


class SummaryOf:
    """An organisation's figures as of a date, and the key they are cached under: it changes whenever the
    register, a factor or the method does, so a page rendered from the figures may be cached under it
    too (the dashboard). The figures are computed (or read from the cache) only when asked for."""

    def __init__(self, organisation: Organisation, as_of: date) -> None:
        self.organisation, self.as_of = organisation, as_of
        self.reference, version = current()
        stamp = hashlib.sha256(f"{as_of}|{_stamp(organisation)}|{version}".encode()).hexdigest()[:32]
        self.key = f"fleet-figures:{METHOD_VERSION}:{organisation.pk}:{stamp}"

    @cached_property
    def figures(self) -> FleetFigures:
        figures: FleetFigures | None = cache.get(self.key)
        if figures is None:
            lines = fleet_lines(self.organisation, self.reference, self.as_of)
            figures = summary.summarise(lines, self.reference, self.as_of)
            cache.set(self.key, figures, 3600)
        return figures


def fleet_scenario(
    organisation: Organisation, what_if: summary.Scenario, as_of: date | None = None
) -> ScenarioFigures:
    as_of = as_of or timezone.localdate()
    reference = current_reference()
    return summary.scenario(fleet_lines(organisation, reference, as_of), reference, what_if)


@dataclass(frozen=True)
class Levers:
    """The factors the what-if sliders apply, with their sources, as the dashboard names them."""

    refurbished_share: Span  #: a refurbished device's embodied footprint, as a share of a new one's
    second_life_years: float  #: years a device reused at end of use serves someone else
    sources: list[FootprintSource]


def what_if_levers() -> Levers:
    reference = current_reference()
    return Levers(reference.refurbished_share, reference.second_life_years, summary.lever_sources(reference))


#: What a declared sibling may differ in (``impact.families.DIFFERENCES``), in words.
DIFFERENCE_LABELS: dict[str, Any] = {
    "series": pgettext_lazy("how two model names differ", "series"),
    "prefix": pgettext_lazy("how two model names differ", "series letter"),
    "number": pgettext_lazy("how two model names differ", "model number"),
    "digit_1": pgettext_lazy("how two model names differ", "first digit of the model number"),
    "digit_2": pgettext_lazy("how two model names differ", "second digit of the model number"),
    "digit_3": pgettext_lazy("how two model names differ", "third digit of the model number"),
    "digit_4": pgettext_lazy("how two model names differ", "last digits of the model number"),
    "suffix": pgettext_lazy("how two model names differ", "suffix"),
    "generation": pgettext_lazy("how two model names differ", "generation"),
    "form": pgettext_lazy("how two model names differ", "form factor"),
    "variant": pgettext_lazy("how two model names differ", "variant"),
    "other_numbers": pgettext_lazy("how two model names differ", "other numbers of the name"),
    "size": pgettext_lazy("how two model names differ", "screen size"),
    "storage": pgettext_lazy("how two model names differ", "storage"),
    "year": pgettext_lazy("how two model names differ", "year"),
}
ESTIMATE_METHODS = {
    "siblings": gettext_lazy("the closest declared models of the same manufacturer"),
    "siblings+specs": gettext_lazy(
        "the closest declared models of the same manufacturer, blended with a regression on the specs the line states, its manufacturer and year"
    ),
    "specs": gettext_lazy("a regression on the specs the line states, its manufacturer and year"),
}


def grid_area(grid: GridFactor) -> str:
    """The country (or area) of a grid factor in the reader's language: the table's name is English."""
    if grid.country == "EU":
        return _("the European Union")
    name = country_name(grid.country)
    return grid.name if name == grid.country else name


def _estimate_how(line: dict[str, Any]) -> str:
    how = _(
        "estimated from %(method)s; range from the errors measured on declarations estimated the same way"
    ) % {"method": ESTIMATE_METHODS.get(line["embodied_method"], line["embodied_method"])}
    if line["matched_model"]:
        differs = [
            str(DIFFERENCE_LABELS.get(d, d)) for d in (line.get("match_differs") or "").split(", ") if d
        ]
        how += "; " + _(
            "nearest declared model “%(model)s” (distance %(distance)s; differs in: %(differs)s)"
        ) % {
            "model": line["matched_model"],
            "distance": f"{line['match_distance']:.2f}",
            "differs": ", ".join(differs) or _("nothing but the declaration"),
        }
    return how


@dataclass(frozen=True)
class Step:
    """One line of an asset's footprint explained: what, the figure with its range, how, from where
    (the sources of its factors, with their addresses, as the fleet's figures name them)."""

    label: str
    low: float | None
    value: float | str
    high: float | None
    unit: str
    how: str
    sources: tuple[Source, ...] = ()


def pcf_sources(reference: Reference) -> tuple[Source, ...]:
    """The manufacturers' footprints a line was matched to: the file imported (named as the fleet's
    sources name it), and the shipped data set's own source where it is the shipped one."""
    imported = Source("pcf-import", reference.pcf_source)
    if reference.pcf_source == SHIPPED_PCF_TITLE:
        return (reference.source("boavizta-pcf"), imported)
    return (imported,)


def embodied_sources(
    reference: Reference, embodied_source: str, product_group: str, condition: str
) -> tuple[Source, ...]:
    """The sources of a device's embodied figure, as the asset page and the estimate API name them: the
    manufacturers' footprints it was matched to or estimated from, or the product group's default, and
    the refurbished share's source for a device bought refurbished."""
    group = reference.groups.get(product_group)
    match embodied_source:
        case "pcf":
            sources = pcf_sources(reference)
        case "estimate":
            sources = (reference.source("boavizta-pcf"),)
        case _:
            sources = (reference.source(group.source),) if group else ()
    if condition == "refurbished":
        sources += (reference.source(reference.refurbished_source),)
    return sources


def explain(asset: Asset, as_of: date | None = None) -> list[Step]:
    """The footprint of one asset line, step by step, as the engine computed it."""
    as_of = as_of or timezone.localdate()
    reference = current_reference()
    line = fleet_lines(
        asset.organisation, reference, as_of, Asset.objects.filter(pk=asset.pk), explain=True
    ).row(0, named=True)
    group = reference.groups.get(asset.product_group)
    steps: list[Step] = []
    match line["embodied_source"]:
        case "pcf":
            how = _(
                "manufacturer's footprint of “%(model)s”, the same model: total × (1 − use share), ± its declared error"
            ) % {"model": line["matched_model"]}
        case "estimate":
            how = _estimate_how(line)
        case _:
            how = _("median of manufacturers' footprints of the product group; range 10th to 90th percentile")
    how += " " + _("(method %(version)s)") % {"version": METHOD_VERSION}
    if asset.condition == "refurbished":
        share = reference.refurbished_share
        how += " " + _("× %(share)s, the share a refurbished device carries (%(low)s to %(high)s)") % {
            "share": f"{share.value:.2f}",
            "low": f"{share.low:.2f}",
            "high": f"{share.high:.2f}",
        }
    sources = embodied_sources(reference, line["embodied_source"], asset.product_group, asset.condition)
    steps.append(
        Step(
            _("Embodied emissions per device"),
            line["embodied_low"],
            line["embodied_value"],
            line["embodied_high"],
            "kgCO2e",
            how,
            sources,
        )
    )
    kwh_how = {
        "declared": _("as declared in the register, ± %(error)s %%")
        % {"error": f"{reference.declared_kwh_error * 100:.0f}"},
        "pcf": _("from the manufacturer's footprint"),
        "default": _("median of the product group's footprints"),
    }[line["kwh_source"]]
    kwh_sources = {
        "declared": (reference.source("cfit-proposal"),),
        "pcf": pcf_sources(reference),
        "default": (reference.source(group.source),) if group else (),
    }[line["kwh_source"]]
    steps.append(
        Step(
            _("Energy use"),
            line["kwh_low"],
            line["kwh_value"],
            line["kwh_high"],
            _("kWh per year"),
            kwh_how,
            kwh_sources,
        )
    )
    grid = reference.grid_factor(asset.country)
    grid_how = _("grid intensity of %(country)s, %(year)s") % {
        "country": grid_area(grid),
        "year": line["grid_year"],
    }
    if line["grid_fallback"]:
        grid_how = _("country not in the table: world average used") + f" ({line['grid_year']})"
    grid_sources = tuple(reference.source(part) for part in str(line["grid_source"]).split("+"))
    steps.append(
        Step(
            _("Grid carbon intensity"),
            line["grid_low"],
            line["grid_value"],
            line["grid_high"],
            "gCO2e/kWh",
            grid_how,
            grid_sources,
        )
    )
    use_how = _("energy × intensity ÷ 1000") if line["energised"] else _("not in use: no energy counted")
    steps.append(
        Step(
            _("Use-phase emissions per device"),
            line["use_low"],
            line["use_value"],
            line["use_high"],
            _("kgCO2e per year"),
            use_how,
        )
    )
    life_how = {
        "actual": _("real service life: from purchase to retirement"),
        "expected": _("expected service life of the product group"),
        "age": _("already older than the expected service life: its age so far"),
    }[line["life_basis"]]
    steps.append(
        Step(
            _("Service life"),
            None,
            round(line["life_years"], 2),
            None,
            _("years"),
            life_how,
            (reference.source(group.service_life_source),) if group else (),
        )
    )
    steps.append(
        Step(
            _("Per year of service, per device"),
            line["annual_low"],
            line["annual_value"],
            line["annual_high"],
            _("kgCO2e per year"),
            _("embodied ÷ service life + use phase"),
        )
    )
    q = asset.quantity
    steps.append(
        Step(
            _("Per year of service, this line"),
            line["annual_low"] * q,
            line["annual_value"] * q,
            line["annual_high"] * q,
            _("kgCO2e per year"),
            _("× %(quantity)s devices") % {"quantity": q},
        )
    )
    return steps
