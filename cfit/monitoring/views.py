"""Pages of monitoring: campaigns for who runs them (with the decision to publish their results),
reports for who writes them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.accounts.access import organisation_name_for
from cfit.accounts.permissions import Action, may
from cfit.downloads import attachment
from cfit.monitoring import actions
from cfit.monitoring.access import (
    campaigns_run_by,
    get_campaign_to_run,
    get_report,
    groups_run_by,
    reporting_organisations,
    runs_campaign,
    runs_pact_wide,
)
from cfit.monitoring.disclosure import TOTAL, Rules
from cfit.monitoring.forms import (
    CampaignForm,
    DecisionForm,
    PublishForm,
    ReportForm,
    UploadForm,
    WithdrawForm,
    bound_name,
    field_name,
)
from cfit.monitoring.indicators import INDICATORS, KEYS, Dimension
from cfit.monitoring.models import Campaign, Publication, Report, ReportValue, reviewing_campaign
from cfit.monitoring.results import campaign_scope, reason_text, results, review, web_address
from cfit.monitoring.workbook import build_template, read_upload
from cfit.notices.models import PREFILLED_FROM_NOTICES
from cfit.refusals import refusal_texts
from cfit.uploads import ImportRefused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def key_labels() -> dict[str, str]:
    from cfit.fleet.models import PRODUCT_GROUPS, ROUTES

    labels = {k: str(v) for k, v in [*PRODUCT_GROUPS, *ROUTES]}
    labels.update(
        {
            "data-centre-services": _("Data-centre services"),
            "cloud-services": _("Cloud services"),
            "other-ict": _("Other ICT"),
            "": "",
        }
    )
    categories = {
        "circularity": _("Circularity"),
        "due_diligence": _("Due diligence"),
        "carbon": _("Carbon"),
        "chemicals": _("Chemicals"),
    }
    ambitions = {"baseline": _("baseline"), "ambitious": _("ambitious")}
    for key in KEYS[Dimension.CRITERIA]:
        category, ambition = key.split("/")
        labels[key] = f"{categories[category]}, {ambitions[ambition]}"
    return labels


def _open_rows(
    asking: list[Campaign], reports: dict[int, Report]
) -> list[tuple[Campaign, Report | None, Campaign]]:
    """Each open campaign, the organisation's report of its year and the campaign that reviews that
    report: one report a year answers every campaign that asks for it, and only one of them reviews it."""
    rows = []
    for campaign in asking:
        report = reports.get(campaign.year)
        rows.append(
            (
                campaign,
                report,
                report.campaign if report is not None else reviewing_campaign(campaign, asking),
            )
        )
    return rows


@login_required
def index(request: HttpRequest) -> HttpResponse:
    organisations = reporting_organisations(request.user)
    reports: dict[int, dict[int, Report]] = defaultdict(dict)
    for report in Report.objects.filter(organisation__in=organisations).select_related("campaign"):
        reports[report.organisation_id][report.year] = report
    open_campaigns = actions.open_campaigns_by_organisation(organisations)
    mine = [
        {
            "organisation": organisation,
            "open": _open_rows(open_campaigns[organisation.pk], reports[organisation.pk]),
            "reports": sorted(reports[organisation.pk].values(), key=lambda r: -r.year),
        }
        for organisation in organisations
    ]
    pact_wide = runs_pact_wide(request.user)
    return render(
        request,
        "monitoring/index.html",
        {
            "mine": mine,
            "campaigns": campaigns_run_by(request.user, pact_wide=pact_wide).order_by("-year"),
            "can_open": pact_wide or groups_run_by(request.user).exists(),
        },
    )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    groups = list(groups_run_by(request.user))
    pact_wide = runs_pact_wide(request.user)
    if not groups and not pact_wide:
        raise PermissionDenied
    form = CampaignForm(groups, pact_wide, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = actions.open_campaign(
                year=form.cleaned_data["year"],
                group=form.group(),
                title=form.cleaned_data["title"],
                opens=form.cleaned_data["opens"],
                deadline=form.cleaned_data["deadline"],
                acting_user=request.user,
            )
        except actions.MonitoringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Campaign opened."))
            return redirect("monitoring:campaign", campaign_id=campaign.pk)
    return render(request, "monitoring/campaign_new.html", {"form": form})


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_campaign_to_run(request.user, campaign_id)
    members = actions.campaign_members(campaign)
    reports = {
        r.organisation_id: r for r in Report.objects.filter(year=campaign.year, organisation__in=members)
    }
    # A report's details open for the coordinator of the campaign that asked for it, where shared: a
    # pact-wide campaign lists reports that buyer groups asked for, which the secretariat does not open.
    runs = set(campaigns_run_by(request.user).values_list("pk", flat=True))
    figures = results(campaign_scope(campaign), [campaign.year])
    rows = [(m, reports.get(m.pk), m.pk in reports and reports[m.pk].campaign_id in runs) for m in members]
    return render(
        request,
        "monitoring/campaign.html",
        {
            "campaign": campaign,
            "rows": rows,
            # the submitted reports this campaign reviews, each with its decision
            "to_decide": [
                row
                for row in rows
                if row[1] is not None
                and row[1].state == Report.State.SUBMITTED
                and row[1].campaign_id == campaign.pk
            ],
            "decision_form": DecisionForm(),
            "figures": figure_table(figures, campaign.year),
            "coverage": figures["coverage"].get(campaign.year),
            "review": review(campaign),
            "publications": Publication.objects.filter(campaign=campaign).select_related("by")[:20],
            "withdraw_form": WithdrawForm(),
        },
    )


def figure_table(figures: dict[str, Any], year: int) -> list[dict[str, Any]]:
    """The rows of a year's figures for a coordinator: shown figures with their bounds, method and
    sources, hidden ones with the reason."""
    labels = key_labels()
    rules = Rules(figures["rules"]["min_reporters"], figures["rules"]["dominance"])
    table = []
    for indicator in INDICATORS:
        cells = figures["indicators"].get(indicator.code, {}).get(year, {})
        for key, cell in cells.items():
            row = {
                "indicator": indicator,
                "key": _("total") if key == TOTAL else labels.get(key, key),
                **cell,
            }
            if cell["suppressed"]:
                row["reason"] = reason_text(cell["suppressed"], rules)
            # the sources the results page names for the figure, by title and address
            row["sources"] = [{"id": i, **figures["sources"].get(i, {})} for i in cell["sources"] or []]
            table.append(row)
    return table


@login_required
def campaign_publish(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The decision to publish, with its facts: coverage, the figures and which are hidden and why."""
    campaign = get_campaign_to_run(request.user, campaign_id)
    facts = review(campaign)
    form = PublishForm(
        request.POST if request.method == "POST" else None,
        initial={"reported": facts.reported, "hidden": facts.cells - facts.shown},
    )
    if request.method == "POST" and form.is_valid():
        if (form.cleaned_data["reported"], form.cleaned_data["hidden"]) != (
            facts.reported,
            facts.cells - facts.shown,
        ):
            form = PublishForm(initial={"reported": facts.reported, "hidden": facts.cells - facts.shown})
            messages.error(request, _("The figures changed while you were reading them: check them again."))
        else:
            try:
                actions.publish_results(campaign, acting_user=request.user)
            except actions.MonitoringError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The collective results of this campaign are public."))
                return redirect("monitoring:campaign", campaign_id=campaign.pk)
    figures = results(campaign_scope(campaign), [campaign.year])
    return render(
        request,
        "monitoring/publish.html",
        {
            "campaign": campaign,
            "review": facts,
            "form": form,
            "figures": figure_table(figures, campaign.year),
        },
    )


@require_POST
@login_required
def campaign_withdraw(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_campaign_to_run(request.user, campaign_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the results are withdrawn."))
    else:
        try:
            actions.withdraw_results(campaign, acting_user=request.user, reason=form.cleaned_data["reason"])
        except actions.MonitoringError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The results of this campaign are no longer public."))
    return redirect("monitoring:campaign", campaign_id=campaign.pk)


@require_POST
@login_required
def campaign_action(request: HttpRequest, campaign_id: int, action: str) -> HttpResponse:
    campaign = get_campaign_to_run(request.user, campaign_id)
    if action != "close":
        raise Http404
    actions.close_campaign(campaign, acting_user=request.user)
    messages.success(request, _("Campaign closed."))
    return redirect("monitoring:campaign", campaign_id=campaign.pk)


@require_POST
@login_required
def report_start(request: HttpRequest, campaign_id: int, slug: str) -> HttpResponse:
    organisation = next((o for o in reporting_organisations(request.user) if o.slug == slug), None)
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if (
        organisation is None
        or campaign is None
        or campaign not in actions.open_campaigns_by_organisation([organisation])[organisation.pk]
    ):
        raise Http404
    report = Report.objects.filter(organisation=organisation, year=campaign.year).first()
    if report is None:
        if not may(request.user, Action.MONITORING_REPORT_EDIT, organisation):
            raise PermissionDenied  # a viewer reads reports, it does not start them
        try:
            report = actions.start_report(campaign, organisation, acting_user=request.user)
        except actions.MonitoringError as error:
            messages.error(request, str(error))
            return redirect("monitoring:index")
    return redirect("monitoring:report", report_id=report.pk)


def _sections(stored_values: list[ReportValue], form: ReportForm) -> list[dict[str, Any]]:
    values = {(v.indicator, v.key): v for v in stored_values}
    labels = key_labels()
    sections = []
    for indicator in INDICATORS:
        rows = []
        for key in indicator.keys:
            stored = values.get((indicator.code, key))
            row = {
                "field": form[field_name(indicator.code, key)],
                "key": labels.get(key, key),
                "origin": stored.origin if stored else "",
                "origin_label": stored.get_origin_display() if stored else "",
                "value": _display(stored),
                # counted in part from published notices: the figure says how many and which
                "from_notices": [s.get("id", "") for s in stored.sources]
                if stored and stored.method == PREFILLED_FROM_NOTICES
                else [],
            }
            if indicator.bounded:
                row.update(
                    low_field=form[bound_name(indicator.code, key, "low")],
                    high_field=form[bound_name(indicator.code, key, "high")],
                    low=_number(stored.low) if stored else None,
                    high=_number(stored.high) if stored else None,
                    method=stored.method if stored else "",
                    sources=[{**s, "url": web_address(str(s.get("url", "")))} for s in stored.sources]
                    if stored
                    else [],
                )
            rows.append(row)
        sections.append({"indicator": indicator, "rows": rows})
    return sections


def _display(value: ReportValue | None) -> str | None:
    if value is None:
        return None
    if value.value is None:
        return value.text
    return _number(value.value)


def _number(number: float | None) -> str | None:
    if number is None:
        return None
    # a whole figure without decimals ("152", not "152,0": the database keeps every figure as a float)
    return number_format(
        number, decimal_pos=0 if float(number).is_integer() else 2, use_l10n=True, force_grouping=True
    )


def _initial(report: Report, stored_values: list[ReportValue]) -> dict[str, Any]:
    initial: dict[str, Any] = {"shared": report.shared_with_coordinator}
    for value in stored_values:
        initial[field_name(value.indicator, value.key)] = value.text or _whole(value.value)
        if value.low is not None:
            initial[bound_name(value.indicator, value.key, "low")] = _whole(value.low)
        if value.high is not None:
            initial[bound_name(value.indicator, value.key, "high")] = _whole(value.high)
    return initial


def _whole(number: float | None) -> float | int | None:
    """120, not 120.0, in the form."""
    return int(number) if number is not None and float(number).is_integer() else number


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report, own = get_report(request.user, report_id, edit=request.method == "POST")
    stored = list(report.values.all())
    form = ReportForm(request.POST or None, initial=_initial(report, stored))
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_report(
                report,
                form.values(),
                acting_user=request.user,
                shared=form.cleaned_data["shared"],
                bounds=form.bounds(),
                then_submit="submit" in request.POST,
            )
            if "submit" in request.POST and report.campaign.group_id is None:
                messages.success(request, _("Report submitted to the pact's secretariat."))
            elif "submit" in request.POST:
                messages.success(request, _("Report submitted to the coordinator."))
            else:
                messages.success(request, _("Draft saved."))
        except actions.MonitoringError as error:
            form.add_error(None, str(error))
        else:
            return redirect("monitoring:report", report_id=report.pk)
    # A refused POST changed nothing (save_report is one transaction), so ``stored`` is still current.
    counts = {o: sum(v.origin == o for v in stored) for o in ReportValue.Origin.values}
    editable = own and report.is_editable
    return render(
        request,
        "monitoring/report.html",
        {
            "report": report,
            "own": own,
            "editable": editable,
            # where the report went or goes: its members are told why another campaign reviews it
            "moved": report.latest_move() if own else None,
            "submit_to": actions.submitting_campaign(report) if editable else None,
            "form": form,
            "sections": _sections(stored, form),
            "counts": counts,
            "upload_form": UploadForm(),
            "decision_form": DecisionForm(),
            "runs": runs_campaign(request.user, report.campaign),
        },
    )


@login_required
def report_template(request: HttpRequest, report_id: int) -> HttpResponse:
    report, own = get_report(request.user, report_id)
    if not own:
        raise Http404
    stored = list(report.values.all())
    data = build_template(
        year=report.year,
        organisation_slug=report.organisation.slug,
        organisation_name=report.organisation.name,
        values={(v.indicator, v.key): (v.text or v.value) for v in stored},
        bounds={(v.indicator, v.key): (v.low, v.high) for v in stored if v.low is not None},
        key_labels=key_labels(),
    )
    return attachment(
        HttpResponse(data, content_type=XLSX), f"cfit-report-{report.organisation.slug}-{report.year}.xlsx"
    )


@require_POST
@login_required
def report_upload(request: HttpRequest, report_id: int) -> HttpResponse:
    report, _own = get_report(request.user, report_id, edit=True)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("monitoring:report", report_id=report.pk)
    upload = form.cleaned_data["file"]
    try:
        values, bounds = read_upload(
            upload.read(),
            upload.name,
            year=report.year,
            organisation_slug=report.organisation.slug,
            language=get_language(),
            organisation_name=lambda slug: organisation_name_for(request.user, slug),
        )
        changes = actions.save_values(report, values, acting_user=request.user, bounds=bounds)
    except ImportRefused as error:
        for text in refusal_texts(error)[:50]:
            messages.error(request, text)
    except actions.MonitoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(n)s figure(s) taken from the workbook.") % {"n": changes})
    return redirect("monitoring:report", report_id=report.pk)


@require_POST
@login_required
def report_decide(request: HttpRequest, report_id: int) -> HttpResponse:
    report = Report.objects.select_related("campaign", "campaign__group").filter(pk=report_id).first()
    if report is None or not runs_campaign(request.user, report.campaign):
        raise Http404
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.decide(
                report,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
                acting_user=request.user,
            )
        except actions.MonitoringError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("monitoring:campaign", campaign_id=report.campaign_id)
