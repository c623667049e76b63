"""/api/v1/cloud/: the footprint of a FOCUS export of cloud use, computed without storing anything
(session authentication, any signed-in user)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from cfit.cloud.focus import read_focus
from cfit.cloud.footprint import compute_footprint
from cfit.cloud.reference import load_cloud_factors
from cfit.impact.store import current_reference
from cfit.uploads import MAX_IMPORT_BYTES, ImportRefused

router = Router(tags=["cloud"], auth=django_auth)


class CloudSpanOut(Schema):
    low: float
    value: float
    high: float


class CloudFiguresOut(Schema):
    rows: int
    energy_kwh: CloudSpanOut
    emissions_kgco2e: CloudSpanOut


class CloudRegionOut(CloudFiguresOut):
    provider: str
    country: str | None
    grid_gco2e_per_kwh: CloudSpanOut
    grid_source: str


class CloudSourceOut(Schema):
    id: str
    title: str
    url: str = ""
    licence: str = ""
    year: int | None = None


class CloudFootprintOut(Schema):
    method: str
    focus_version: str
    rows: int
    counted_rows: int
    energy_kwh: CloudSpanOut
    emissions_kgco2e: CloudSpanOut
    embodied_kgco2e: CloudSpanOut
    by_kind: dict[str, CloudFiguresOut]
    by_service: dict[str, CloudFiguresOut]
    by_region: dict[str, CloudRegionOut]
    by_month: dict[str, CloudFiguresOut]
    not_counted: dict[str, int]
    sources: list[CloudSourceOut]


class CloudProblemsOut(Schema):
    detail: str
    problems: list[str]


@router.post(
    "/cloud/footprint",
    response={200: CloudFootprintOut, 422: CloudProblemsOut},
    summary="The energy and emissions of a FOCUS export (CSV or Parquet), computed without storing anything",
)
def cloud_footprint(request: HttpRequest, file: File[UploadedFile]) -> Any:
    if file.size and file.size > MAX_IMPORT_BYTES:
        raise HttpError(413, f"larger than {MAX_IMPORT_BYTES // 1_000_000} MB")
    # The platform's grid table (editable by the secretariat), as the fleet's figures use it.
    impact = current_reference()
    reference = load_cloud_factors(grid=impact.grid, grid_sources=impact.sources)
    filename = file.name or "focus.csv"
    try:
        focus = read_focus(
            file.read(),
            filename,
            reference.focus_columns,
            vcpu_per_ocpu=reference.vcpu_per_ocpu,
            isolate_parquet=True,
        )
    except ImportRefused as error:
        return Status(
            422,
            {
                "detail": f"{error.filename}: refused, nothing computed",
                "problems": [str(p) for p in error.problems],
            },
        )
    return compute_footprint(focus, reference).as_dict()
