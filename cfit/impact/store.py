"""The reference data of the database, as the engine's ``Reference``: built once per change, not per request.

The shipped factor files give the product-group defaults, the grid table until one is loaded, and the
manufacturers' footprints with their fitted estimator until footprints are imported; the database's tables, which the secretariat edits, take
precedence. A cheap stamp of those tables (three aggregate queries) says when to build again.
"""

from __future__ import annotations

import threading
from typing import Any

import polars as pl
from django.db.models import Count, Max

from cfit.impact.estimate import Estimator
from cfit.impact.figures import Span
from cfit.impact.models import EstimatorFit, FootprintDataset, GridIntensity, ProductFootprint
from cfit.impact.pcf import PCF_COLUMNS
from cfit.impact.reference import (
    SHIPPED_PCF_TITLE,
    GridFactor,
    Reference,
    load_factors,
    load_shipped_footprints,
)

_lock = threading.Lock()
_cache: dict[str, Any] = {"stamp": None, "reference": None}


def _stamp() -> tuple[Any, ...]:
    # Times as well as ids: ids are reused when rows are deleted and added again (tests, SQLite).
    grid = GridIntensity.objects.aggregate(updated=Max("updated"), rows=Count("id"))
    dataset = FootprintDataset.objects.aggregate(last=Max("id"), at=Max("imported"))
    fit = EstimatorFit.objects.aggregate(last=Max("id"), at=Max("created"))
    return (grid["updated"], grid["rows"], dataset["last"], dataset["at"], fit["last"], fit["at"])


def pcf_table() -> pl.DataFrame | None:
    columns = [c for c in PCF_COLUMNS if c != "row"]
    fields = [{"document": "document", "source_url": "source_url"}.get(c, c) for c in columns]
    rows = list(ProductFootprint.objects.order_by("id").values_list(*fields, "source_row"))
    if not rows:
        return None
    return pl.DataFrame(rows, schema=dict(PCF_COLUMNS), orient="row")


def grid_factors() -> dict[str, GridFactor]:
    """The newest year of each country in the database."""
    newest: dict[str, GridFactor] = {}
    for row in GridIntensity.objects.order_by("country", "-year"):
        if row.country not in newest:
            newest[row.country] = GridFactor(
                row.country, row.name, row.year, Span(row.low, row.value, row.high), row.source
            )
    return newest


def build_reference() -> Reference:
    reference = load_factors()
    grid = grid_factors()
    if grid:
        reference = reference.with_grid(grid)
    dataset = FootprintDataset.objects.first()
    if dataset is not None:
        reference = reference.with_pcf(pcf_table(), f"{dataset.title} ({dataset.filename})")
    else:
        # Nothing imported yet: the shipped declarations, so that a new platform matches real ones.
        shipped = load_shipped_footprints()
        if shipped is not None:
            reference = reference.with_pcf(shipped, SHIPPED_PCF_TITLE)
    fit = EstimatorFit.objects.order_by("-created", "-id").first()
    if fit is not None:
        reference = reference.with_estimator(Estimator.from_dict(fit.models_json))
    return reference


def current_reference() -> Reference:
    """The reference for the data as it is now (rebuilt when the tables changed)."""
    return current()[0]


def current() -> tuple[Reference, str]:
    """The current reference and a short text that changes whenever it does (for cache keys)."""
    stamp = _stamp()
    with _lock:
        if _cache["stamp"] != stamp or _cache["reference"] is None:
            _cache["reference"] = build_reference()
            _cache["stamp"] = stamp
        reference: Reference = _cache["reference"]
    return reference, "|".join(str(part) for part in stamp)
