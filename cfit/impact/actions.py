"""Operations on the reference data that change several rows at once, each in one transaction."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import polars as pl
from django.db import transaction

from cfit.impact.estimate import fit
from cfit.impact.models import EstimatorFit, FootprintDataset, GridIntensity, ProductFootprint
from cfit.impact.pcf import PcfReport, read_pcf_csv
from cfit.impact.reference import FACTORS_DIR, SHIPPED_PCF, read_grid

BOAVIZTA = "Boavizta environmental footprint data (manufacturers' PCF)"


@transaction.atomic
def import_pcf(
    data: bytes, filename: str, *, title: str = BOAVIZTA, licence: str = "ODbL 1.0", user: Any = None
) -> tuple[FootprintDataset, PcfReport]:
    """Replace the footprints with those of the file and refit the estimator on them.

    The whole file is checked first (``ImportRefused`` names every bad row and column); then, in one
    transaction, the previous footprints are removed, the new ones stored and the estimator refitted,
    so the engine never sees half a data set.
    """
    table, report = read_pcf_csv(data, filename)
    estimator = fit(table, f"{title} ({filename})")
    validation = {group: dict(model.validation) for group, model in estimator.models.items()}
    dataset = _store_footprints(table, report, filename, title=title, licence=licence, user=user)
    EstimatorFit.objects.create(dataset=dataset, models_json=estimator.as_dict(), validation=validation)
    return dataset, report


@transaction.atomic
def load_shipped_footprints() -> FootprintDataset | None:
    """Load the manufacturers' footprints shipped with cfit (Boavizta, ODbL), with the estimator
    shipped beside them (fitted on the same file by ``cfit.impact.calibrate``, so nothing is refitted).

    Idempotent, and never replaces footprints already imported: returns the new data set, or None
    when one was there already (or the shipped file is missing)."""
    if FootprintDataset.objects.exists() or not SHIPPED_PCF.exists():
        return None
    table, report = read_pcf_csv(SHIPPED_PCF.read_bytes(), SHIPPED_PCF.name)
    dataset = _store_footprints(
        table, report, SHIPPED_PCF.name, title=BOAVIZTA, licence="ODbL 1.0", user=None
    )
    estimator = json.loads((FACTORS_DIR / "estimator.json").read_text(encoding="utf-8"))
    validation = {group: model.get("validation", {}) for group, model in estimator["models"].items()}
    EstimatorFit.objects.create(dataset=dataset, models_json=estimator, validation=validation)
    return dataset


def _store_footprints(
    table: pl.DataFrame, report: PcfReport, filename: str, *, title: str, licence: str, user: Any
) -> FootprintDataset:
    FootprintDataset.objects.all().delete()
    dataset = FootprintDataset.objects.create(
        title=title,
        filename=filename,
        licence=licence,
        rows=table.height,
        report=asdict(report),
        imported_by=user,
    )
    ProductFootprint.objects.bulk_create(
        [
            ProductFootprint(
                dataset=dataset,
                manufacturer=row["manufacturer"][:200],
                model=row["model"][:300],
                product_group=row["product_group"],
                gwp_total=row["gwp_total"],
                use_ratio=row["use_ratio"],
                use_ratio_assumed=row["use_ratio_assumed"],
                embodied=row["embodied"],
                error_ratio=row["error_ratio"],
                yearly_kwh=row["yearly_kwh"],
                lifetime=row["lifetime"],
                weight_kg=row["weight_kg"],
                screen_size_in=row["screen_size_in"],
                memory_gb=row["memory_gb"],
                storage_gb=row["storage_gb"],
                number_cpu=row["number_cpu"],
                year=row["year"],
                use_location=(row["use_location"] or "")[:40],
                source_url=row["source_url"] or "",
                document=(row["document"] or "")[:200],
                source_row=row["row"],
            )
            for row in table.iter_rows(named=True)
        ],
        batch_size=500,
    )
    return dataset


@transaction.atomic
def load_grid_factors() -> tuple[int, int]:
    """Load the shipped grid table into the editable one; rows edited since are kept (idempotent).

    Returns (created, kept)."""
    import yaml

    shipped = yaml.safe_load((FACTORS_DIR / "grid.yaml").read_text(encoding="utf-8"))
    created = kept = 0
    for factor in read_grid(shipped["countries"]).values():
        _, made = GridIntensity.objects.get_or_create(
            country=factor.country,
            year=factor.year,
            defaults={
                "name": factor.name,
                "value": factor.intensity.value,
                "low": factor.intensity.low,
                "high": factor.intensity.high,
                "source": factor.source,
            },
        )
        created += made
        kept += not made
    return created, kept
