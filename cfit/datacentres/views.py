"""Pages of data-centre reports: a provider files its facilities' yearly values (form or template), a
buyer links facilities to its tender's lots and reads their reports checked against its criteria."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit import charts
from cfit.accounts.models import Organisation
from cfit.accounts.permissions import Action, memberships_that_may
from cfit.datacentres import actions
from cfit.datacentres.access import (
    facilities_for_user,
    get_facility_for_user,
    linked_lots_for_user,
    provider_for_filing,
    readers_of,
)
from cfit.datacentres.checks import YearView, year_views
from cfit.datacentres.forms import FacilityForm, LinkForm, ReportForm, UploadForm
from cfit.datacentres.indicators import INDICATOR_UNIT, Indicator, trend
from cfit.datacentres.models import REPORT_KEYS, Facility, FacilityLot, FacilityReport
from cfit.datacentres.present import (
    field_label,
    finding_message,
    indicator_label,
    outcome_label,
    threshold_source,
)
from cfit.datacentres.template import build_template, read_template
from cfit.downloads import attachment
from cfit.labels import label_text
from cfit.refusals import refusal_texts
from cfit.tenders.access import get_tender_for_user
from cfit.uploads import ImportRefused


def _providers(request: HttpRequest) -> list[tuple[Organisation, FacilityForm]]:
    """The organisations the user registers data centres for, each with its form: providers (those
    hosting customers) and buyers (the ones they run themselves)."""
    return [
        (m.organisation, FacilityForm(hosts_customers=actions.may_host_customers(m.organisation)))
        for m in memberships_that_may(Action.DATACENTRE_REPORT_FILE, request.user)
        if m.organisation.type == Organisation.Type.SUPPORTER
        or m.organisation.type in Organisation.PARTICIPANT_TYPES
    ]


def _wrong(form: forms.BaseForm) -> str:
    """Each field that is wrong, by its label as the form shows it (never the field's internal name)."""
    return "; ".join(
        label_text(capfirst(form.fields[name].label), " ".join(str(e) for e in errors))
        if name in form.fields
        else " ".join(str(e) for e in errors)
        for name, errors in form.errors.items()
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    own, linked = facilities_for_user(request.user)
    return render(
        request,
        "datacentres/index.html",
        {"own": own, "linked": linked, "providers": _providers(request)},
    )


@login_required
@require_POST
def facility_new(request: HttpRequest, slug: str) -> HttpResponse:
    provider = provider_for_filing(request.user, slug)
    form = FacilityForm(request.POST, hosts_customers=actions.may_host_customers(provider))
    if form.is_valid():
        try:
            facility = actions.create_facility(
                provider=provider, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("datacentres:facility", facility_id=facility.pk)
    else:
        messages.error(request, _wrong(form))
    return redirect("datacentres:index")


def _trend_charts(views: list[YearView]) -> list[str]:
    """PUE, WUE and REF year by year; implausible values (a PUE below 1, a share above 100 %) are left out."""
    years = [(v.report.year, v.figures) for v in views]
    plausible = {
        Indicator.PUE: lambda value: value >= 1.0,
        Indicator.WUE: lambda value: True,
        Indicator.REF: lambda value: value <= 100.0,
    }
    charts_shown: list[str] = []
    for indicator, keep in plausible.items():
        points = [(y, v) for y, v in trend(years, indicator) if v is not None and keep(v)]
        if points:
            charts_shown.append(
                charts.stacked_bars(
                    f"{indicator.value}-trend",
                    indicator_label(indicator),
                    [str(y) for y, _v in points],
                    [(indicator.value.upper(), [v for _y, v in points])],
                    INDICATOR_UNIT[indicator],
                )
            )
    return charts_shown


def _report_form(
    can_file: bool, reports: list[FacilityReport], year: str
) -> tuple[ReportForm | None, int | None]:
    """The form to file a year, and the year it corrects: ``?year=2024`` fills in what was filed for 2024,
    so that correcting one value does not mean typing the others again (filing a year replaces it, and
    a value left empty is "not reported")."""
    if not can_file:
        return None, None
    report = next((r for r in reports if str(r.year) == year), None)
    if report is None:
        return ReportForm(initial={"year": timezone.localdate().year - 1}), None
    return ReportForm(
        initial={"year": report.year, **{k: getattr(report, k) for k in REPORT_KEYS}}
    ), report.year


@login_required
def facility(request: HttpRequest, facility_id: int) -> HttpResponse:
    access = get_facility_for_user(request.user, facility_id)
    lots = [] if access.is_provider else linked_lots_for_user(request.user, access.facility)
    reports = list(access.facility.reports.all())
    views = year_views(access.facility, reports, lots)
    form, correcting = _report_form(access.can_file, reports, request.GET.get("year", ""))
    rows = []
    for view in views:
        rows.append(
            {
                "year": view.report.year,
                "via": view.report.get_via_display(),
                "values": [(capfirst(field_label(k)), getattr(view.report, k)) for k in REPORT_KEYS],
                "derived": [
                    (indicator_label(d.indicator), d.value, d.unit, d.source) for d in view.derived.values()
                ],
                "findings": [(f.severity.value, finding_message(f)) for f in view.findings],
                "pact": [
                    (
                        r,
                        outcome_label(r.outcome),
                        capfirst(field_label(r.threshold.field)),
                        threshold_source(r.threshold),
                    )
                    for r in view.pact
                ],
                "tender": [
                    (
                        r,
                        outcome_label(r.outcome),
                        capfirst(field_label(r.threshold.field)),
                        r.threshold.source,
                    )
                    for r in view.tender
                ],
            }
        )
    return render(
        request,
        "datacentres/facility.html",
        {
            "access": access,
            "facility": access.facility,
            "rows": rows,
            "lots": lots,
            "readers": readers_of(access.facility) if access.is_provider else [],
            "charts": _trend_charts(views),
            "form": form,
            "correcting": correcting,
        },
    )


@login_required
@require_POST
def file_report(request: HttpRequest, facility_id: int) -> HttpResponse:
    access = get_facility_for_user(request.user, facility_id, file=True)
    form = ReportForm(request.POST)
    if form.is_valid():
        values = {k: form.cleaned_data.get(k) for k in REPORT_KEYS}
        actions.file_reports(
            facility=access.facility,
            years=[(form.cleaned_data["year"], values)],
            via="form",
            acting_user=request.user,
        )
        messages.success(request, _("Report for %(year)s filed.") % {"year": form.cleaned_data["year"]})
    else:
        messages.error(request, _wrong(form))
    return redirect("datacentres:facility", facility_id=access.facility.pk)


def _own_facilities(provider: Organisation) -> list[Facility]:
    return list(Facility.unscoped.filter(organisation=provider))


@login_required
def template_download(request: HttpRequest, slug: str) -> HttpResponse:
    provider = provider_for_filing(request.user, slug)
    last = timezone.localdate().year - 1
    data = build_template(_own_facilities(provider), [last])
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return attachment(response, f"datacentre-reports-{provider.slug}.xlsx")


@login_required
def template_upload(request: HttpRequest, slug: str) -> HttpResponse:
    provider = provider_for_filing(request.user, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        facilities = {f.code: f for f in _own_facilities(provider)}
        try:
            rows = read_template(upload.read(), upload.name, facilities)
        except ImportRefused as error:
            problems = refusal_texts(error, with_filename=False) or [str(error)]
        else:
            for facility_obj in {f for f, _y, _v in rows}:
                actions.file_reports(
                    facility=facility_obj,
                    years=[(year, values) for f, year, values in rows if f == facility_obj],
                    via="template",
                    acting_user=request.user,
                )
            messages.success(request, _("%(count)s reports filed from the template.") % {"count": len(rows)})
            return redirect("datacentres:index")
    return render(
        request, "datacentres/upload.html", {"provider": provider, "form": form, "problems": problems}
    )


@login_required
def tender_facilities(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id)
    lots = tender.lots.all()
    form = LinkForm(request.POST or None, lots=lots)
    if request.method == "POST":
        tender = get_tender_for_user(request.user, tender_id, edit=True)
        if form.is_valid():
            try:
                actions.link_facility_to_lot(
                    lot=form.cleaned_data["lot"],
                    facility_code=form.cleaned_data["code"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                messages.success(request, _("Data centre linked to the lot."))
                return redirect("datacentres:tender", tender_id=tender.pk)
    links = FacilityLot.objects.filter(lot__tender=tender).select_related("facility__organisation", "lot")
    return render(request, "datacentres/tender.html", {"tender": tender, "links": links, "form": form})


@login_required
@require_POST
def tender_unlink(request: HttpRequest, tender_id: int, link_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    link = FacilityLot.objects.filter(lot__tender=tender, pk=link_id).first()
    if link is None:
        raise Http404
    actions.unlink_facility(link=link, acting_user=request.user)
    messages.success(request, _("Data centre unlinked: your organisation no longer sees its reports."))
    return redirect("datacentres:tender", tender_id=tender.pk)
