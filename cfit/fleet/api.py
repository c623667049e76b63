"""/api/v1/fleet/ and /api/v1/impact/: an organisation's register and its figures, and the engine on a
file without a database (session authentication; members of the organisation only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cfit.accounts.tokens import API_AUTH
from cfit.apipaging import PageIn, changed_after, page_of
from cfit.criteria.content import is_web_address
from cfit.fleet import actions
from cfit.fleet.access import get_fleet_owner
from cfit.fleet.footprint import embodied_sources, fleet_scenario, fleet_summary
from cfit.fleet.models import Asset
from cfit.impact import fleet, summary
from cfit.impact.register import ALL_COLUMNS, REQUIRED, ProductGroup, read_register
from cfit.impact.register import Status as AssetStatus
from cfit.impact.results import FleetFigures, ScenarioFigures
from cfit.impact.store import current_reference
from cfit.impact.titles import source_title
from cfit.uploads import ImportRefused

router = Router(tags=["fleet"], auth=API_AUTH)


class ScenarioIn(Schema):
    life_extension_years: float = Field(0, ge=0, le=10)
    refurbished_share: float = Field(0, ge=0, le=1)
    reuse_share: float = Field(0, ge=0, le=1)


class AssetFilter(PageIn):
    # The register's own vocabularies: an unknown word is refused (422), never an empty page.
    product_group: ProductGroup | None = None
    status: AssetStatus | None = None
    modified_since: datetime | None = Field(
        None,
        description="Only the lines added or changed after then (ISO 8601, with its offset): send the largest `updated` of the last sync",
    )


class AssetOut(Schema):
    id: int
    asset_key: str
    product_group: str
    manufacturer: str
    model: str
    quantity: int
    purchase_date: date
    condition: str
    acquisition: str
    country: str
    status: str
    retired_date: date | None
    end_of_use_route: str
    weight_kg: float | None
    screen_size_in: float | None
    memory_gb: float | None
    storage_gb: float | None
    number_cpu: int | None
    yearly_kwh: float | None
    updated: datetime = Field(
        description="When the line was last added or changed (modified_since compares it)"
    )


class AssetPageOut(Schema):
    count: int
    page: int
    assets: list[AssetOut]


class ImportIn(Schema):
    default_country: str = Field("", max_length=2)


class ImportOut(Schema):
    created: int
    updated: int


class ProblemsOut(Schema):
    detail: str
    problems: list[str]


class EstimateSourceOut(Schema):
    id: str
    title: str = Field(description="as the asset page names it, in the reader's language for cfit's own")
    url: str = Field(description="its web address, empty where it has none")


class EstimateOut(Schema):
    row: int
    low: float
    value: float
    high: float
    source: str = Field(description="the kind of figure: pcf (the model's declaration), estimate or default")
    sources: list[EstimateSourceOut] = Field(
        description="where the figure comes from, as the asset page lists it (with the refurbished share's "
        "source for a device bought refurbished)"
    )
    method: str = Field(description="declaration, siblings, siblings+specs, specs or group median")
    matched_model: str | None = Field(description="the declaration used, or the nearest declared sibling")
    match_confidence: float = Field(description="1 for the same model's declaration, else 0")
    match_distance: float | None = Field(None, description="0 for the same model; the sibling's distance")
    differs: list[str] = Field(default_factory=list, description="what the nearest sibling differs in")
    method_version: str


def _refused(error: ImportRefused, imported: bool = True) -> Status:
    """422 with every problem, said in the caller's language; ``imported``: the file was to be stored."""
    problems = [str(p) for p in error.problems]
    if imported:
        detail = _("%(file)s: refused, %(count)s problem(s), nothing imported") % {
            "file": error.filename,
            "count": len(problems),
        }
    else:
        detail = _("%(name)s: refused, nothing computed") % {"name": error.filename}
    return Status(422, {"detail": detail, "problems": problems})


def _read(upload: UploadedFile, default_country: str, purpose: str = "register") -> Any:
    limit = actions.register_limit()
    if upload.size and upload.size > limit:
        raise HttpError(413, _("larger than %(size)s MB") % {"size": limit // 1_000_000})
    return read_register(
        upload.read(),
        upload.name or "register.csv",
        limit=limit,
        default_country=default_country,
        purpose=purpose,
    )


@router.get(
    "/fleet/{slug}/summary",
    response=FleetFigures,
    summary="The figures of an organisation's fleet as of a date (today by default)",
)
def fleet_figures(request: HttpRequest, slug: str, as_of: date | None = None) -> FleetFigures:
    """``as_of``: the register as it stood at the end of that day (devices retired later count as in use)."""
    return fleet_summary(get_fleet_owner(request.user, slug), as_of)


@router.get(
    "/fleet/{slug}/scenario", response=ScenarioFigures, summary="A what-if on an organisation's fleet"
)
def fleet_what_if(request: HttpRequest, slug: str, what_if: Query[ScenarioIn]) -> ScenarioFigures:
    return fleet_scenario(get_fleet_owner(request.user, slug), summary.Scenario(**what_if.dict()))


@router.get("/fleet/{slug}/assets", response=AssetPageOut, summary="The asset lines of an organisation")
def fleet_assets(request: HttpRequest, slug: str, filters: Query[AssetFilter]) -> dict[str, Any]:
    organisation = get_fleet_owner(request.user, slug)
    assets = Asset.objects.of_organisation(organisation).order_by("id")
    if filters.product_group:
        assets = assets.filter(product_group=filters.product_group)
    if filters.status:
        assets = assets.filter(status=filters.status)
    if filters.modified_since:
        assets = changed_after(assets, filters.modified_since)
    return page_of(assets, filters, "assets")


@router.post(
    "/fleet/{slug}/assets/import",
    response={200: ImportOut, 422: ProblemsOut},
    summary="Import a register file (all or nothing; re-imports update by asset key)",
    description=(
        "A CSV (UTF-8, comma-separated, a header row) or XLSX file with one device line per row. Columns: "
        + ", ".join(f"`{column}`" for column in ALL_COLUMNS)
        + "; required: "
        + ", ".join(f"`{column}`" for column in REQUIRED)
        + ". Dates are ISO 8601 (2027-01-31); product groups, statuses, conditions, acquisitions and routes "
        "take the codes GET /api/v1/fleet/{slug}/assets answers with. A line with an `asset_key` already "
        "in the register is updated; the answer counts the lines created and updated. A refused file "
        "changes nothing and answers 422 with every problem by row and column."
    ),
)
def fleet_import(request: HttpRequest, slug: str, file: File[UploadedFile], options: Form[ImportIn]) -> Any:
    organisation = get_fleet_owner(request.user, slug, edit=True)
    try:
        register = _read(file, options.default_country or organisation.country)
    except ImportRefused as error:
        return _refused(error)
    created, updated = actions.store_register(organisation, register, None)
    return {"created": created, "updated": updated}


@router.post(
    "/impact/fleet",
    response={200: FleetFigures, 422: ProblemsOut},
    summary="The figures of a register file, computed without storing anything",
)
def impact_fleet(request: HttpRequest, file: File[UploadedFile], options: Form[ImportIn]) -> Any:
    try:
        register = _read(file, options.default_country)
    except ImportRefused as error:
        return _refused(error, imported=False)
    reference, today = current_reference(), timezone.localdate()
    return summary.summarise(fleet.compute_lines(register, reference, today), reference, today)


@router.post(
    "/impact/estimate",
    response={200: list[EstimateOut], 422: ProblemsOut},
    summary="The embodied footprint of each device row of a file, with its source and matched model",
)
def impact_estimate(request: HttpRequest, file: File[UploadedFile], options: Form[ImportIn]) -> Any:
    try:
        register = _read(file, options.default_country, purpose="estimate")
    except ImportRefused as error:
        return _refused(error, imported=False)
    reference = current_reference()
    lines = fleet.compute_lines(register, reference, timezone.localdate(), explain=True)
    estimates = fleet.device_estimates(lines)
    kinds = lines.sort("row").select("embodied_source", "product_group", "condition").iter_rows()
    for estimate, (kind, product_group, condition) in zip(estimates, kinds, strict=True):
        estimate["sources"] = [
            {"id": s.id, "title": source_title(s), "url": s.url if is_web_address(s.url) else ""}
            for s in embodied_sources(reference, kind, product_group, condition)
        ]
    return estimates
