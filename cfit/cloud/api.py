"""/api/v1/cloud/: the footprint of a FOCUS export of cloud use, and what the same workload would
emit elsewhere, computed without storing anything (session authentication, any signed-in user)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cfit.accounts.tokens import API_AUTH
from cfit.cloud.actions import platform_reference
from cfit.cloud.compare import (
    UnknownFamilyMove,
    UnknownPlace,
    compare_places,
    parse_family_moves,
    parse_place,
)
from cfit.cloud.focus import FocusFile, read_focus
from cfit.cloud.footprint import compute_footprint
from cfit.cloud.reference import CloudReference
from cfit.uploads import MAX_IMPORT_BYTES, ImportRefused

router = Router(tags=["cloud"], auth=API_AUTH)


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
    pue: CloudSpanOut
    pue_source: str


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
    by_family: dict[str, CloudFiguresOut]
    not_counted: dict[str, int]
    sources: list[CloudSourceOut]


class CloudProblemsOut(Schema):
    detail: str
    field: str | None = None
    problems: list[str]


def _option_refused(field: str, problem: str) -> Status:
    """An option of the comparison refused: 422 naming it, nothing computed."""
    return Status(
        422,
        {
            "detail": _("%(name)s: refused, nothing computed") % {"name": field},
            "field": field,
            "problems": [problem],
        },
    )


class CloudWorkloadOut(Schema):
    rows: int
    providers: list[str]
    regions: list[str]


class CloudAlternativeOut(Schema):
    provider: str
    region: str
    country: str
    grid_gco2e_per_kwh: CloudSpanOut
    grid_source: str
    energy_kwh: CloudSpanOut
    emissions_kgco2e: CloudSpanOut
    change_kgco2e: CloudSpanOut  #: there minus today: negative is a saving
    same_provider: bool
    pue: CloudSpanOut | None  #: the place's PUE; none: each part where it runs today
    families: dict[str, str]  #: instance type moved -> its equivalent


class CloudComparisonOut(Schema):
    method: str
    family_moves: list[str]
    not_moved: list[str]
    workload: CloudWorkloadOut
    energy_kwh: CloudSpanOut
    emissions_kgco2e: CloudSpanOut
    alternatives: list[CloudAlternativeOut]
    sources: list[CloudSourceOut]


class CloudCompareIn(Schema):
    to: list[str] = []  #: places as provider:region; none: every region cfit knows
    family: list[str] = []  #: moves as FAMILY=EQUIVALENT, declared in families.csv (e.g. m5=m7g)
    region: list[str] = []  #: only the workload of these RegionId values
    service: list[str] = []  #: only the workload of these ServiceName values
    limit: int = 10  #: at most this many places, lowest emissions first (0: all)


@router.post(
    "/cloud/footprint",
    response={200: CloudFootprintOut, 422: CloudProblemsOut},
    summary="The energy and emissions of a FOCUS export (CSV or Parquet), computed without storing anything",
)
def cloud_footprint(request: HttpRequest, file: File[UploadedFile]) -> Any:
    reference = platform_reference()
    focus = _read(file, reference)
    if not isinstance(focus, FocusFile):
        return focus
    return compute_footprint(focus, reference).as_dict()


@router.post(
    "/cloud/compare",
    response={200: CloudComparisonOut, 422: CloudProblemsOut},
    summary="What the workload of a FOCUS export would emit in other regions, at other providers or on other instance families",
)
def cloud_compare(request: HttpRequest, file: File[UploadedFile], options: Form[CloudCompareIn]) -> Any:
    reference = platform_reference()
    try:
        places = [parse_place(text) for text in options.to] or None
    except ValueError as error:
        return _option_refused("to", str(error))
    try:
        families = parse_family_moves(options.family, reference)
    except UnknownFamilyMove as error:
        return _option_refused("family", str(error))
    if options.limit < 0:
        return _option_refused("limit", _("limit is 0 or more"))
    focus = _read(file, reference)
    if not isinstance(focus, FocusFile):
        return focus
    try:
        comparison = compare_places(
            focus,
            reference,
            to=places,
            families=families,
            regions=options.region or None,
            services=options.service or None,
            limit=options.limit or None,
        )
    except UnknownPlace as error:
        return _option_refused("to", str(error))
    return comparison.as_dict()


def _read(file: UploadedFile, reference: CloudReference) -> FocusFile | Status:
    if file.size and file.size > MAX_IMPORT_BYTES:
        raise HttpError(413, _("larger than %(size)s MB") % {"size": MAX_IMPORT_BYTES // 1_000_000})
    filename = file.name or "focus.csv"
    try:
        return read_focus(
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
                "detail": _("%(name)s: refused, nothing computed") % {"name": error.filename},
                "problems": [str(p) for p in error.problems],
            },
        )
