"""/api/v1/fleet/ and /api/v1/impact/: an organisation's register and its figures, its end of use (lines
retired in a batch, a disposal partner's report previewed and applied, by the pages' own actions), and
the engine on a file without a database (members of the organisation only)."""

from __future__ import annotations

import datetime as dt
import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.files import UploadedFile
from pydantic import StringConstraints, TypeAdapter
from pydantic import ValidationError as NotThisShape

from cfit.accounts.tokens import API_AUTH
from cfit.apipaging import PageIn, changed_after, page_of
from cfit.criteria.content import is_web_address
from cfit.fleet import actions, disposal
from cfit.fleet.access import get_assets_by_key, get_disposal_report_for_user, get_fleet_owner
from cfit.fleet.footprint import embodied_sources, fleet_scenario, fleet_summary
from cfit.fleet.models import Asset, DisposalReport
from cfit.fleet.problems import describe
from cfit.impact import fleet, summary
from cfit.impact.disposal import CODED
from cfit.impact.disposal import COLUMNS as REPORT_COLUMNS
from cfit.impact.disposal import REQUIRED as REPORT_REQUIRED
from cfit.impact.problems import ProblemGroup, RegisterRefused
from cfit.impact.register import (
    ALL_COLUMNS,
    REQUIRED,
    DateOrder,
    ProductGroup,
    Route,
    SanitisationMethod,
    read_register,
)
from cfit.impact.register import Status as AssetStatus
from cfit.impact.results import FleetFigures, ScenarioFigures
from cfit.impact.store import current_reference
from cfit.impact.titles import source_title
from cfit.refusals import refusal_texts
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
    date_order: DateOrder = Field(
        DateOrder.AUTO,
        description="How dates such as 03/04/2024 read: `day_first`, `month_first`, or `auto` (day first "
        "unless the file puts a day over 12 second, as a US export does).",
    )


class ImportOut(Schema):
    created: int
    updated: int
    notes: list[str] = Field(
        default_factory=list,
        description="What the reading did that you should check, in your language: a totals row left out, "
        "dates read month first, or day first where no date shows the order.",
    )


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


def _read(
    upload: UploadedFile,
    default_country: str,
    purpose: str = "register",
    date_order: DateOrder = DateOrder.AUTO,
    notes: list[ProblemGroup] | None = None,
) -> Any:
    limit = actions.register_limit()
    if upload.size and upload.size > limit:
        raise HttpError(413, _("larger than %(size)s MB") % {"size": limit // 1_000_000})
    return read_register(
        upload.read(),
        upload.name or "register.csv",
        limit=limit,
        default_country=default_country,
        purpose=purpose,
        date_order=date_order,
        notes=notes,
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
    notes: list[ProblemGroup] = []
    try:
        register = _read(
            file, options.default_country or organisation.country, "register", options.date_order, notes
        )
    except ImportRefused as error:
        return _refused(error)
    created, updated = actions.store_register(organisation, register, None)
    return {"created": created, "updated": updated, "notes": [describe(note) for note in notes]}


@router.post(
    "/impact/fleet",
    response={200: FleetFigures, 422: ProblemsOut},
    summary="The figures of a register file, computed without storing anything",
)
def impact_fleet(request: HttpRequest, file: File[UploadedFile], options: Form[ImportIn]) -> Any:
    try:
        register = _read(file, options.default_country, "register", options.date_order)
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


# -- the end of use: lines retired in a batch, a disposal partner's report applied


class RetireIn(Schema):
    asset_keys: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(
        min_length=1,
        max_length=actions.MAX_BATCH,
        description="The lines to retire, by their asset key (as the register holds it)",
    )
    date: dt.date = Field(description="The day the devices left (not in the future, not before a purchase)")
    end_of_use_route: Route = Field(description="Where they went: the route codes the assets answer with")
    note: str = Field("", max_length=1000)
    sanitisation_method: SanitisationMethod | None = Field(None, description="How their data was wiped")
    sanitisation_certificate: str = Field("", max_length=200)


class RetireOut(Schema):
    retired: int = Field(description="How many lines were retired")


@router.post(
    "/fleet/{slug}/assets/retire",
    response={200: RetireOut, 400: ProblemsOut},
    summary="Retire lines in a batch, by asset key (all or nothing)",
    description=(
        "As the asset list's batch retirement: one retirement event and audit record per line, all in one "
        "transaction. If any key is not in the organisation's register, or any line cannot be retired "
        "(retired already, bought after the date, a date in the future), nothing is retired and the "
        "answer is 400 naming every such key in `problems` (`KEY: why`)."
    ),
)
def retire_assets(request: HttpRequest, slug: str, batch: RetireIn) -> Any:
    keys = list(dict.fromkeys(batch.asset_keys))
    lines, unknown = get_assets_by_key(request.user, slug, keys, edit=True)
    try:
        retired = actions.retire_assets(
            lines,
            batch.date,
            batch.end_of_use_route,
            batch.note,
            acting_user=request.user,
            certificate=batch.sanitisation_certificate.strip(),
            method=batch.sanitisation_method or "",
            unknown_keys=unknown,
        )
    except actions.BatchRefused as error:
        return Status(400, _batch_refused([f"{key}: {why}" for key, why in error.refusals]))
    except actions.EventRefused as error:  # a line changed between the check and its event
        return Status(400, _batch_refused([error.message]))
    return {"retired": retired}


def _batch_refused(problems: list[str]) -> dict[str, Any]:
    detail = ngettext(
        "%(count)s line cannot be retired: nothing was retired.",
        "%(count)s lines cannot be retired: nothing was retired.",
        len(problems),
    ) % {"count": len(problems)}
    return {"detail": detail, "problems": problems}


class DisposalIn(Schema):
    columns: str = Field(
        "",
        description="Which column each header of the file holds, as a JSON object {header: column} with the "
        "columns "
        + ", ".join(f"`{column}`" for column in REPORT_COLUMNS)
        + " (required: "
        + ", ".join(f"`{column}`" for column in REPORT_REQUIRED)
        + "); default: as guessed from the headers, "
        "in five languages",
    )
    words: str = Field(
        "",
        description="The codes of the file's own words, as a JSON object {column: {word: code}} for "
        "`end_of_use_route` and `sanitisation_method` (codes as the assets answer with); remembered for "
        "the organisation's next files. Default: as the organisation's earlier choices and the shipped lists "
        "read them; a word nobody knows is refused with its rows",
    )
    dry_run: bool = Field(
        True, description="true: preview only (apply it later); false: apply at once if the preview holds"
    )


class DisposalLineOut(Schema):
    row: int = Field(description="The row, as the file numbers it")
    asset_key: str = Field(description="As the file writes it")
    date: dt.date = Field(description="The day the partner received the device")
    end_of_use_route: str
    sanitisation_method: str
    sanitisation_certificate: str


REPORT_STATE = (
    "preview: waiting to be applied; done: applied; columns or words: started on its page ("
    + ", ".join(DisposalReport.State.values)
    + ")"
)


class DisposalReportSummaryOut(Schema):
    id: int
    filename: str
    state: str = Field(description=REPORT_STATE)
    created: datetime = Field(description="When the report was sent")
    sent_by: str | None = Field(description="Who sent it, as the audit log names them; null if unknown")
    retired_lines: int = Field(description="Once applied: the lines it retired")
    wiped_lines: int = Field(description="Once applied: the lines whose data wiping it added")
    finished: datetime | None = Field(description="When it was applied")
    applied_by: str | None = Field(
        description="Who applied it, as the audit log names them; null before it is applied (or if unknown)"
    )


class DisposalReportPageOut(Schema):
    count: int
    page: int
    reports: list[DisposalReportSummaryOut]


#: ``DisposalReport.State``'s codes, as a literal: the monitoring report's ``State`` already names a
#: component of the schema, and one name for two vocabularies would check one against the other's words
#: (a test holds the two to the same codes).
DisposalReportState = Literal["columns", "words", "preview", "done"]


class DisposalReportFilter(PageIn):
    # An unknown state is refused (422), never an empty page.
    state: DisposalReportState | None = Field(None, description=REPORT_STATE)


class DisposalReportOut(DisposalReportSummaryOut):
    retire: list[DisposalLineOut] = Field(
        description="Lines in use, retired by the report (once applied: those it retired)"
    )
    wipe: list[DisposalLineOut] = Field(
        description="Lines retired already, whose data wiping the report adds (a new method or certificate)"
    )
    unchanged: list[DisposalLineOut] = Field(description="Lines retired already, with nothing new")
    unknown: list[DisposalLineOut] = Field(
        description="Keys the organisation's register does not hold, left alone"
    )
    by_route: dict[str, int] = Field(description="Lines retired per route")


def _named(user: Any) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


def _report_summary(report: DisposalReport) -> dict[str, Any]:
    return {
        "id": report.pk, "filename": report.filename, "state": report.state, "created": report.created,
        "sent_by": _named(report.created_by), "retired_lines": report.retired_lines,
        "wiped_lines": report.wiped_lines, "finished": report.finished, "applied_by": _named(report.applied_by),
    }  # fmt: skip


def _report_out(report: DisposalReport, plan: disposal.DisposalPlan | None) -> dict[str, Any]:
    """The report with its lines by outcome: the preview's ``plan`` while it waits; once applied, what
    it did (kept on the report)."""
    found = plan.lines() if plan is not None else disposal.applied_lines(report)
    return {
        **_report_summary(report),
        **{
            outcome: [
                {
                    "row": line.row, "asset_key": line.asset_key, "date": line.on,
                    "end_of_use_route": line.route, "sanitisation_method": line.method,
                    "sanitisation_certificate": line.certificate,
                }
                for line in found[outcome]
            ]
            for outcome in disposal.OUTCOMES
        },
        "by_route": dict(disposal.routes_of(found["retire"])),
    }  # fmt: skip


def _report_refused(error: ImportRefused) -> Status:
    """422 naming each problem of the file (by row and column), in the caller's language."""
    if isinstance(error, RegisterRefused):
        problems = [f"{error.filename}: {describe(group)}" for group in error.groups]
    else:
        problems = refusal_texts(error)
    detail = _("%(file)s: refused, %(count)s problem(s), nothing applied") % {
        "file": error.filename,
        "count": len(problems),
    }
    return Status(422, {"detail": detail, "problems": problems})


def _json_form(text: str, shape: Any, field: str) -> Any:
    """A form field holding JSON, read into ``shape``; 422 naming the field where it does not fit."""
    if not text.strip():
        return None
    try:
        return TypeAdapter(shape).validate_python(json.loads(text))
    except (ValueError, NotThisShape) as error:
        reason = str(error).splitlines()[-1].strip() if isinstance(error, NotThisShape) else str(error)
        raise RequestInvalid([{"loc": ("form", field), "msg": reason}]) from error


ReportColumn = Literal[
    "", "asset_key", "retired_date", "end_of_use_route", "sanitisation_method", "sanitisation_certificate"
]
ReportWords = dict[Literal["end_of_use_route", "sanitisation_method"], dict[str, str]]


@router.post(
    "/fleet/{slug}/disposal-reports",
    response={200: DisposalReportOut, 400: ProblemsOut, 422: ProblemsOut},
    summary="Send a disposal partner's report: its preview, or applied at once (dry_run=false)",
    description=(
        "A disposal partner's (ITAD, refurbisher) CSV or XLSX report, one row per device: its asset key, the "
        "date received, the final destination, and the data-sanitisation method and certificate where "
        "given, as the disposal page reads it. The answer previews what applying it does: the lines it "
        "retires (at the date received, by their destination), the retired lines whose data wiping it "
        "adds, and the keys the register does not hold (left alone, as the file writes them). With "
        "`dry_run` (the default) nothing changes: apply the preview with POST "
        "/api/v1/fleet/{slug}/disposal-reports/{report_id}/apply. A refused file keeps nothing and "
        "answers 422 with every problem by row and column."
    ),
)
def send_disposal_report(
    request: HttpRequest, slug: str, file: File[UploadedFile], options: Form[DisposalIn]
) -> Any:
    organisation = get_fleet_owner(request.user, slug, edit=True)
    mapping = _json_form(options.columns, dict[str, ReportColumn], "columns")
    choices = _json_form(options.words, ReportWords, "words")
    for column, words in (choices or {}).items():
        wrong = [code for code in words.values() if code not in CODED[column]]
        if wrong:
            raise RequestInvalid(
                [
                    {"loc": ("form", "words"), "msg": _("%(column)s: %(code)s is not one of %(codes)s")
                     % {"column": column, "code": code, "codes": ", ".join(CODED[column])}}
                    for code in wrong
                ]
            )  # fmt: skip
    try:
        report, plan = disposal.prepare_report(
            organisation,
            file.read(),
            file.name or "report.csv",
            acting_user=request.user,
            mapping=mapping,
            choices=choices,
        )
    except ImportRefused as error:
        return _report_refused(error)
    if not options.dry_run:
        return _apply(request, report)
    return _report_out(report, plan)


@router.get(
    "/fleet/{slug}/disposal-reports",
    response=DisposalReportPageOut,
    summary="The disposal reports of an organisation, the latest first",
    description=(
        "The disposal partners' reports sent for the organisation (by its pages or this API), a page at a "
        "time, the latest first: each with its state, who sent it and when, and once applied who applied it, "
        "when, and the lines it retired and whose data wiping it added. Any member of the organisation "
        "reads them, as the register's pages; read one with "
        "/api/v1/fleet/{slug}/disposal-reports/{report_id}."
    ),
)
def disposal_reports(request: HttpRequest, slug: str, filters: Query[DisposalReportFilter]) -> dict[str, Any]:
    organisation = get_fleet_owner(request.user, slug)
    found = DisposalReport.objects.of_organisation(organisation).select_related("created_by", "applied_by")
    if filters.state is not None:
        found = found.filter(state=filters.state)
    return page_of(found.order_by("-created", "-id"), filters, "reports", _report_summary)


@router.get(
    "/fleet/{slug}/disposal-reports/{report_id}",
    response={200: DisposalReportOut, 422: ProblemsOut},
    summary="A disposal report: its preview while it waits, what it did once applied",
    description=(
        "While the report waits (preview), what applying it would do to each line, read from its file again. "
        "Once applied (done), what it did to each line: the lines it retired, those whose data wiping it "
        "added, those it left unchanged and the keys the register does not hold, the lines retired per "
        "route, and who applied it and when (a report applied before these were kept lists no lines)."
    ),
)
def disposal_report(request: HttpRequest, slug: str, report_id: int) -> Any:
    report = get_disposal_report_for_user(request.user, slug, report_id)
    if report.state != DisposalReport.State.PREVIEW:
        return _report_out(report, None)
    try:
        return _report_out(report, disposal.plan_report(report))
    except ImportRefused as error:
        return _report_refused(error)
    except FileNotFoundError:
        return _file_gone()


@router.post(
    "/fleet/{slug}/disposal-reports/{report_id}/apply",
    response={200: DisposalReportOut, 400: ProblemsOut, 409: ProblemsOut, 422: ProblemsOut},
    summary="Apply a previewed disposal report (all or nothing)",
    description=(
        "Applies the report as its preview says, in one transaction: the lines retired, the data wiping "
        "added, each with its event and audit record. A report applied already, or not previewed yet, "
        "answers 409 and changes nothing."
    ),
)
def apply_disposal_report(request: HttpRequest, slug: str, report_id: int) -> Any:
    return _apply(request, get_disposal_report_for_user(request.user, slug, report_id, edit=True))


def _apply(request: HttpRequest, report: DisposalReport) -> Any:
    try:
        plan = disposal.apply_disposal_report(report, acting_user=request.user)
    except disposal.ReportApplied:
        report.refresh_from_db()
        if report.state == DisposalReport.State.DONE:
            detail = _("This report was applied already.")
        else:
            detail = _("This report is not previewed yet: choose its columns and words on its page.")
        return Status(409, {"detail": detail, "problems": []})
    except actions.EventRefused as error:
        return Status(400, {"detail": error.message, "problems": []})
    except ImportRefused as error:
        return _report_refused(error)
    except FileNotFoundError:
        return _file_gone()
    return _report_out(report, plan)


def _file_gone() -> Status:
    return Status(422, {"detail": _("The file of this report is gone: send it again."), "problems": []})
