"""Pages of an organisation's cloud use: the exports it imported, their footprint, and what moving a
workload elsewhere would change."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit import charts
from cfit.accounts.models import Organisation
from cfit.cloud import actions
from cfit.cloud.access import can_edit_cloud, get_cloud_owner, get_usage_for_user
from cfit.cloud.compare import Comparison, Place, compare_workload, parse_family_moves
from cfit.cloud.figures import cloud_year
from cfit.cloud.forms import CloudUploadForm, CompareForm
from cfit.cloud.models import CloudUsage
from cfit.cloud.present import label, month_label
from cfit.cloud.reference import CloudReference
from cfit.impact.figures import Span
from cfit.joining.countries import country_name
from cfit.monitoring.indicators import BY_CODE
from cfit.refusals import refusal_texts
from cfit.uploads import ImportRefused


@login_required
def index(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.of_user(request.user).distinct()
    if len(organisations) == 1:
        return redirect("cloud:overview", slug=organisations[0].slug)
    return render(request, "cloud/index.html", {"organisations": organisations})


def _total(usages: list[CloudUsage], name: str) -> Span | None:
    if not usages:
        return None
    spans = [getattr(u, name) for u in usages]
    return Span(sum(s.low for s in spans), sum(s.value for s in spans), sum(s.high for s in spans))


def _by_month_chart(usages: list[CloudUsage]) -> Any:
    months: dict[str, float] = {}
    for usage in usages:
        for month, figures in usage.result["by_month"].items():
            if month != "unknown":
                months[month] = months.get(month, 0.0) + figures["emissions_kgco2e"]["value"]
    if not months:
        return None
    shown = sorted(months)[-24:]
    return charts.stacked_bars(
        "cloud-by-month",
        _("Emissions of cloud use by month"),
        [month_label(m) for m in shown],
        [(_("Emissions"), [months[m] for m in shown])],
        "kgCO2e",
    )


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_cloud_owner(request.user, slug)
    can_edit = can_edit_cloud(request.user, organisation)
    form = CloudUploadForm(request.POST or None, request.FILES or None) if can_edit else None
    problems: list[str] = []
    if request.method == "POST":
        organisation = get_cloud_owner(request.user, slug, edit=True)
        if form is not None and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                usage = actions.import_cloud_usage(
                    organisation, upload.read(), upload.name, acting_user=request.user
                )
            except ImportRefused as error:
                problems = refusal_texts(error, "focus")
            else:
                messages.success(request, _("The export was imported: %(name)s.") % {"name": usage.filename})
                return redirect("cloud:usage", slug=slug, usage_id=usage.pk)
    usages = list(
        CloudUsage.unscoped.filter(organisation=organisation).select_related("uploaded_by").defer("workload")
    )
    years = sorted({int(m[:4]) for u in usages for m in (u.first_month, u.last_month)}, reverse=True)
    return render(
        request,
        "cloud/overview.html",
        {
            "organisation": organisation,
            "usages": usages,
            "energy": _total(usages, "energy"),
            "emissions": _total(usages, "emissions"),
            "chart": _by_month_chart(usages),
            "report_years": _report_years(organisation, years),
            "cloud_indicator": BY_CODE["cloud_tco2e"],
            "form": form,
            "problems": problems,
            "can_edit": can_edit,
        },
    )


def _report_years(organisation: Organisation, years: list[int]) -> list[tuple[int, int, Span]]:
    """Each year with usage: its number of months and its emissions in tCO2e, the figure the year's
    monitoring report is pre-filled with (``cfit.monitoring.prefill``, from ``cloud_year``)."""
    shown = []
    for year in years:
        figures = cloud_year(organisation, year)
        if figures is not None:
            kg = figures.emissions_kgco2e
            shown.append((year, len(figures.months), Span(kg.low / 1000, kg.value / 1000, kg.high / 1000)))
    return shown


def _rows(breakdown: dict[str, Any]) -> list[tuple[str, Any]]:
    """The breakdown by emissions, its keys in the reader's language where they are the method's words."""
    ordered = sorted(breakdown.items(), key=lambda kv: -kv[1]["emissions_kgco2e"]["value"])
    return [(label(key), figures) for key, figures in ordered]


def _regions(result: dict[str, Any]) -> list[tuple[str, Any, list[dict[str, Any]]]]:
    """The breakdown by region with the sources of each region's grid factor and PUE, as the list of
    sources under the table has them (title, address), not as the ids the stored result keeps."""
    sources = {s["id"]: s for s in result.get("sources", [])}
    return [
        (
            key,
            figures,
            [
                sources.get(source_id, {"id": source_id})
                # a grid factor blended from two sources names both ("ember+electricity-maps")
                for field in ("grid_source", "pue_source")
                for source_id in (figures.get(field) or "").split("+")
                if source_id
            ],
        )
        for key, figures in _rows(result["by_region"])
    ]


@login_required
def usage_detail(request: HttpRequest, slug: str, usage_id: int) -> HttpResponse:
    usage = get_usage_for_user(request.user, slug, usage_id)
    result = usage.result
    reference = actions.platform_reference()
    known = reference.regions.filter(reference.regions["country"].is_in(list(reference.grid)))
    names = {k: p.name for k, p in reference.providers.items()}
    places = [
        (
            f"{r['provider']}:{r['region']}",
            f"{names.get(r['provider'], r['provider'])} · {r['region']} ({country_name(r['country'])})",
        )
        for r in known.sort(["provider", "region"]).iter_rows(named=True)
        if r["provider"] in reference.providers and r["provider"] != "other"
    ]
    regions = [r for r in result["by_region"] if r != "unknown"]
    present = {(w.get("provider"), w.get("family")) for w in usage.workload if w.get("family")}
    families = [
        (
            f"{m.family}={m.equivalent}",
            f"{names.get(m.provider, m.provider)} · {m.family} → {m.equivalent} ({m.change})",
        )
        for m in reference.families
        if (m.provider, m.family) in present
    ]
    form = CompareForm(request.GET or None, places=places, regions=regions, families=families)
    comparison = None
    compare_sources = []
    if request.GET and form.is_valid():
        comparison = _compare(reference, usage, form.cleaned_data)
        # the places compared bring their own grid factors and PUE: their sources are listed too
        listed = {s["id"] for s in result.get("sources", [])}
        compare_sources = [s for s in comparison.sources if s.id not in listed]
    return render(
        request,
        "cloud/usage.html",
        {
            "organisation": usage.organisation,
            "usage": usage,
            "result": result,
            "kinds": _rows(result["by_kind"]),
            "services": _rows(result["by_service"]),
            "regions": _regions(result),
            "months": [(month_label(m), figures) for m, figures in sorted(result["by_month"].items())],
            "families": _rows(result.get("by_family", {})),
            "not_counted": [(label(reason), n) for reason, n in result.get("not_counted", {}).items()],
            "form": form,
            "comparison": comparison,
            "compare_sources": compare_sources,
            "alternatives": [(a, names.get(a.provider, a.provider)) for a in comparison.alternatives]
            if comparison
            else [],
            "can_edit": can_edit_cloud(request.user, usage.organisation),
        },
    )


def _compare(reference: CloudReference, usage: CloudUsage, options: dict[str, Any]) -> Comparison:
    """The stored export's workload priced elsewhere: the file itself is not kept, but its usage
    summed per provider, region and service is, which is all the method needs."""
    table = pl.DataFrame(usage.workload) if usage.workload else pl.DataFrame({"rows": []})
    if options["region"] and table.height:
        table = table.filter(pl.col("RegionId") == options["region"])
    places = [Place(*p.split(":", 1)) for p in options["places"]] or None
    moves = parse_family_moves(options["families"], reference)
    return compare_workload(table, reference, to=places, families=moves, limit=None if places else 10)


@require_POST
@login_required
def usage_remove(request: HttpRequest, slug: str, usage_id: int) -> HttpResponse:
    usage = get_usage_for_user(request.user, slug, usage_id, edit=True)
    actions.remove_cloud_usage(usage, acting_user=request.user)
    messages.success(
        request, _("The export was removed from the figures: %(name)s.") % {"name": usage.filename}
    )
    return redirect("cloud:overview", slug=slug)
