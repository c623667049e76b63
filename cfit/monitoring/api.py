"""/api/v1/monitoring/: collective results (public: published only; the scope's coordinator also sees
unpublished ones), campaigns and reports (for who runs or writes them).

Collective results go through the same disclosure decisions as the pages: a hidden figure comes as
``value: null`` with the reason in ``suppressed``. Emissions come with ``low`` and ``high``, the method
version and their sources.

Figures are JSON numbers, never text, so that no reader has to guess a decimal mark. Figures written
into a report (the page, the workbook) are read by one declared rule (``actions.parse_value``): a number
as it is; text by its writer's language, or, without one, only if every language of the pact reads it
as the same number ("1.234" is refused as ambiguous).

A campaign and a report say whether they are late as the pages do (``Campaign.days_overdue``): an open
campaign past its deadline is overdue by the days since (late reports are taken until it is closed); a
report is overdue while its campaign is and it is still a draft or returned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cfit.accounts.permissions import Action, may
from cfit.accounts.tokens import API_AUTH
from cfit.apipaging import PageIn, page_of
from cfit.monitoring.access import (
    campaigns_run_by,
    get_report,
    own_reports,
    runs_pact_wide,
    shared_reports,
)
from cfit.monitoring.indicators import INDICATORS
from cfit.monitoring.models import PACT, Campaign, Report
from cfit.monitoring.results import Scope, published_years, results
from cfit.pact.models import BuyerGroup

router = Router(tags=["monitoring"])


class ResultsQuery(Schema):
    scope: str = Field(PACT, description="pact, or a buyer group's short name")
    year: int | None = Field(None, description="one year; default every published year")
    unpublished: bool = Field(False, description="also years not yet published (their coordinator only)")


Reason = Literal["threshold", "dominance", "secondary"]


class CellOut(Schema):
    value: float | None = Field(description="null where the disclosure rules hide the figure")
    low: float | None = Field(None, description="emissions: the sum of the reports' low bounds")
    high: float | None = Field(None, description="emissions: the sum of the reports' high bounds")
    reporters: int | None = Field(description="reports behind the figure; null where hidden")
    prefilled: int | None
    estimated: int | None
    suppressed: Reason | None = Field(
        None,
        description="why the figure is hidden: fewer reporting organisations than the rules ask "
        "(threshold), one organisation giving most of it (dominance), or it would let a hidden figure "
        "be worked out (secondary)",
    )
    method: str | None = Field(None, description="emissions: the impact method versions behind the figure")
    sources: list[str] | None = Field(None, description="emissions: ids of the sources (see `sources`)")


class CoverageOut(Schema):
    members: int
    reported: int
    accepted: int
    users_served: float | None = Field(
        description="users served by the reporting organisations; null where hidden"
    )
    users_served_share: float | None = Field(None, description="of the members' users served, from 0 to 1")
    users_served_suppressed: Reason | None = None


class RulesOut(Schema):
    min_reporters: int = Field(description="organisations a figure needs at least")
    dominance: float = Field(description="the largest share of a figure one organisation may give")


class FigureSourceOut(Schema):
    title: str
    url: str


class ResultsOut(Schema):
    scope: str
    years: list[int]
    rules: RulesOut
    method_url: str = Field(description="the impact method that computes the emissions")
    sources: dict[str, FigureSourceOut]
    coverage: dict[int, CoverageOut]
    indicators: dict[str, dict[int, dict[str, CellOut]]] = Field(
        description="{indicator: {year: {breakdown: cell}}}; a breakdown that adds up also has its `total`"
    )


class IndicatorOut(Schema):
    code: str
    label: str
    unit: str
    definition: str
    kind: str
    dimension: str
    aggregation: str
    keys: list[str]


OVERDUE_DAYS = (
    "the days since the deadline while the campaign is open (0 before it, on the day, or once closed)"
)


class CampaignFilter(Schema):
    overdue: bool | None = Field(
        None, description="true: only the open campaigns past their deadline; false: only the others"
    )


class CampaignOut(Schema):
    id: int
    year: int
    title: str
    scope: str
    opens: date
    deadline: date
    status: str
    overdue: bool = Field(
        description="open and past its deadline: late reports are still taken until the campaign is closed"
    )
    days_overdue: int = Field(description=OVERDUE_DAYS)
    results_published: datetime | None


class ValueOut(Schema):
    indicator: str
    key: str
    value: float | None = Field(
        description="the figure as a JSON number (a point before the decimals, no thousands separators), "
        "never text; null for a text indicator, whose answer is in text"
    )
    text: str
    origin: str
    low: float | None = Field(None, description="emissions: the low bound, a JSON number")
    high: float | None = Field(None, description="emissions: the high bound, a JSON number")
    method: str = ""


class ReportSummaryOut(Schema):
    id: int
    organisation: str = Field(description="the reporting organisation's slug")
    year: int
    campaign: int = Field(description="the id of the campaign that asked for the report")
    state: str = Field(description="draft, submitted, accepted or returned")
    shared_with_coordinator: bool
    deadline: date = Field(description="the deadline of the campaign that asked for the report")
    overdue: bool = Field(
        description="its campaign is overdue and the report is still a draft or returned: it may still be "
        "submitted until the campaign is closed"
    )
    days_overdue: int = Field(description="while the report is overdue, " + OVERDUE_DAYS + "; else 0")


class ReportOut(ReportSummaryOut):
    values: list[ValueOut]


class ReportFilter(PageIn):
    # The report's own vocabulary: an unknown state is refused (422), never an empty page.
    year: int | None = Field(None, ge=1900, le=9999)
    state: Report.State | None = None
    campaign: int | None = Field(None, ge=1, description="only the reports this campaign asked for")
    as_coordinator: bool = Field(
        False,
        description="the reports the members shared with the coordinator of a campaign you run (a buyer "
        "group's, or the pact-wide one for the secretariat), instead of your organisations' own; a report "
        "not shared is never listed",
    )
    overdue: bool | None = Field(
        None,
        description="true: only the reports still a draft or returned whose campaign is open past its "
        "deadline; false: only the others",
    )


class ReportPageOut(Schema):
    count: int
    page: int
    reports: list[ReportSummaryOut]


def _scope(request: HttpRequest, query: ResultsQuery) -> tuple[Scope, list[int]]:
    if query.scope == PACT:
        scope, runs = Scope(PACT, None), runs_pact_wide(request.user)
    else:
        group = BuyerGroup.objects.filter(slug=query.scope).first()
        if group is None:
            raise HttpError(404, _("There is no buyer group %(scope)s.") % {"scope": query.scope})
        scope, runs = (
            Scope(group.slug, group.pk),
            may(request.user, Action.MONITORING_CAMPAIGN_OPEN, group.coordinator_id),
        )
    if query.unpublished:
        if not runs:  # only their coordinator sees them; to anyone else, as if there were none
            raise Http404
        campaigns = (
            Campaign.objects.filter(group_id=scope.group_id)
            if scope.group_id
            else Campaign.objects.filter(group__isnull=True)
        )
        years = sorted(campaigns.values_list("year", flat=True))
    else:
        years = published_years(scope)
    if query.year is not None:
        years = [y for y in years if y == query.year]
    return scope, years


@router.get(
    "/monitoring/results", response=ResultsOut, summary="Collective results of the pact or a buyer group"
)
def collective_results(request: HttpRequest, query: Query[ResultsQuery]) -> HttpResponse:
    scope, years = _scope(request, query)
    found = results(scope, years)
    found["method_url"] = request.build_absolute_uri(found["method_url"])
    # ``results`` builds exactly this schema (a test validates it): serialised at once, without
    # validating every one of a pact's thousand cells again, the most read answer of the API stays fast.
    return JsonResponse(found)


@router.get(
    "/monitoring/indicators", response=list[IndicatorOut], summary="The indicators of a yearly report"
)
def indicators(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": i.code, "label": str(i.label), "unit": str(i.unit), "definition": str(i.definition),
            "kind": i.kind.value, "dimension": i.dimension.value, "aggregation": i.aggregation.value,
            "keys": list(i.keys),
        }
        for i in INDICATORS
    ]  # fmt: skip


@router.get("/monitoring/campaigns", response=list[CampaignOut], auth=API_AUTH, summary="Campaigns you run")
def campaigns(request: HttpRequest, filters: Query[CampaignFilter]) -> list[dict[str, Any]]:
    """The campaigns you run, each with its deadline and whether it is overdue (open past its deadline,
    by how many days) as its page badges it; ``overdue`` keeps only the late ones, or only the others."""
    today = timezone.localdate()
    found = campaigns_run_by(request.user)
    if filters.overdue is not None:
        late = Campaign.objects.overdue(today).values("pk")
        found = found.filter(pk__in=late) if filters.overdue else found.exclude(pk__in=late)
    return [
        {
            "id": c.pk, "year": c.year, "title": c.title, "scope": c.group.slug if c.group else PACT,
            "opens": c.opens, "deadline": c.deadline, "status": c.status,
            "overdue": c.days_overdue(today) > 0, "days_overdue": c.days_overdue(today),
            "results_published": c.results_published,
        }
        for c in found
    ]  # fmt: skip


@router.get(
    "/monitoring/reports",
    response=ReportPageOut,
    auth=API_AUTH,
    summary="The reports of your organisations, or those shared with you as a campaign's coordinator",
)
def reports(request: HttpRequest, filters: Query[ReportFilter]) -> dict[str, Any]:
    """The reports of the organisations you are a member of, a page at a time (the latest year first),
    each with the id ``/monitoring/reports/{report_id}`` reads its figures by; with ``as_coordinator``,
    the reports shared with you as the coordinator of the campaign that asked for them. Each says its
    campaign's deadline and whether it is overdue (still a draft or returned, its campaign open past the
    deadline), as the pages badge it; ``overdue`` keeps only the late ones, or only the others."""
    today = timezone.localdate()
    found = shared_reports(request.user) if filters.as_coordinator else own_reports(request.user)
    found = found.select_related("organisation", "campaign")
    if filters.year is not None:
        found = found.filter(year=filters.year)
    if filters.state is not None:
        found = found.filter(state=filters.state)
    if filters.campaign is not None:
        found = found.filter(campaign_id=filters.campaign)
    if filters.overdue is not None:
        late = Report.objects.overdue(today).values("pk")
        found = found.filter(pk__in=late) if filters.overdue else found.exclude(pk__in=late)
    found = found.order_by("-year", "organisation__name", "id")
    return page_of(found, filters, "reports", lambda report: _summary(report, today))


def _summary(report: Report, today: date) -> dict[str, Any]:
    late = report.days_overdue(today)
    return {
        "id": report.pk, "organisation": report.organisation.slug, "year": report.year,
        "campaign": report.campaign_id, "state": report.state,
        "shared_with_coordinator": report.shared_with_coordinator,
        "deadline": report.campaign.deadline, "overdue": late > 0, "days_overdue": late,
    }  # fmt: skip


@router.get(
    "/monitoring/reports/{report_id}", response=ReportOut, auth=API_AUTH, summary="A report you may read"
)
def report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """A report's figures, each a JSON number (a point before the decimals, never grouped), or the text
    of a text indicator; its campaign's deadline and whether the report is overdue."""
    found, _own = get_report(request.user, report_id)
    return {
        **_summary(found, timezone.localdate()),
        "values": list(
            found.values.values("indicator", "key", "value", "text", "origin", "low", "high", "method")
        ),
    }
