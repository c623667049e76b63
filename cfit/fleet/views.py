"""Pages of the fleet register: dashboard, asset list, an asset's page, and the import in three steps."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cfit import charts
from cfit.accounts.models import Organisation
from cfit.cloud.figures import latest_cloud_year
from cfit.criteria.exchange import neutralise_formula
from cfit.downloads import attachment
from cfit.fleet import actions
from cfit.fleet.access import can_edit_register, get_asset_for_user, get_fleet_owner, get_import_for_user
from cfit.fleet.footprint import SummaryOf, explain, fleet_scenario, what_if_levers
from cfit.fleet.forms import (
    AssetFilterForm,
    EventForm,
    MappingForm,
    RegisterUploadForm,
    ScenarioForm,
    ValueMappingForm,
)
from cfit.fleet.models import PRODUCT_GROUPS, ROUTES, Asset, AssetImport
from cfit.fleet.problems import annotated_csv, describe, described
from cfit.impact.figures import METHOD_VERSION
from cfit.impact.problems import RegisterRefused
from cfit.impact.register import template_csv
from cfit.impact.results import FleetFigures
from cfit.impact.summary import Scenario
from cfit.refusals import refusal_texts
from cfit.uploads import ImportRefused

PAGE_SIZE = 50
GROUP_LABELS = dict(PRODUCT_GROUPS)
ROUTE_LABELS = {**dict(ROUTES), "unknown": "?"}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.of_user(request.user).distinct()
    if len(organisations) == 1:
        return redirect("fleet:dashboard", slug=organisations[0].slug)
    return render(request, "fleet/index.html", {"organisations": organisations})


def _charts(figures: FleetFigures) -> list[Any]:
    out = []
    ages = figures.age_distribution.age
    if ages:
        labels = [f"{y}–{y + 1}" if y < 8 else "8+" for y in range(0, max(ages) + 1)]
        out.append(
            charts.stacked_bars(
                "chart-age",
                _("Age of the devices in the fleet (years)"),
                labels,
                [(_("devices"), [float(ages.get(y, 0)) for y in range(len(labels))])],
                _("devices"),
            )
        )
    lives = figures.age_distribution.service_life
    if lives:
        labels = [f"{y}–{y + 1}" if y < 8 else "8+" for y in range(0, max(lives) + 1)]
        out.append(
            charts.stacked_bars(
                "chart-life",
                _("Service life of retired devices (years)"),
                labels,
                [(_("devices"), [float(lives.get(y, 0)) for y in range(len(labels))])],
                _("devices"),
            )
        )
    groups = figures.by_product_group
    if groups:
        names = list(groups)
        embodied = [groups[g].annual_kgco2e.value - groups[g].use_kgco2e_per_year.value for g in names]
        use = [groups[g].use_kgco2e_per_year.value for g in names]
        out.append(
            charts.stacked_bars(
                "chart-emissions",
                _("Emissions per year of service, by product group and phase"),
                [str(GROUP_LABELS.get(g, g)) for g in names],
                [(_("embodied (spread over the service life)"), embodied), (_("use phase"), use)],
                "kgCO2e",
            )
        )
    over_time = figures.circularity.routes_over_time
    if over_time:
        years = sorted(over_time)
        routes = sorted({r for counts in over_time.values() for r in counts})
        out.append(
            charts.stacked_bars(
                "chart-routes",
                _("End-of-use routes by year of retirement"),
                [str(y) for y in years],
                [
                    (str(ROUTE_LABELS.get(r, r)), [float(over_time[y].get(r, 0)) for y in years])
                    for r in routes
                ],
                _("devices"),
            )
        )
    return out


@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_fleet_owner(request.user, slug)
    found = SummaryOf(organisation, timezone.localdate())
    # The figures' part of the page is cached under the figures' own key (which names the organisation,
    # the register's state, the factors and the method) and the language; it is built, and the figures
    # read, only when not cached: hence callables, which the template calls when it needs them.
    figures = SimpleLazyObject(lambda: found.figures)
    return render(
        request,
        "fleet/dashboard.html",
        {
            "organisation": organisation,
            "figures": figures,
            "figures_key": found.key,
            "charts": lambda: _charts(found.figures),
            "groups": lambda: [
                (GROUP_LABELS.get(g, g), f) for g, f in found.figures.by_product_group.items()
            ],
            "lives": lambda: [
                (GROUP_LABELS.get(g, g), f) for g, f in found.figures.circularity.service_life.items()
            ],
            "routes": lambda: [
                (ROUTE_LABELS.get(r, r), f) for r, f in found.figures.circularity.end_of_use_routes.items()
            ],
            "levers": what_if_levers,
            "can_edit": can_edit_register(request.user, organisation),
            "imports": AssetImport.objects.of_organisation(organisation)[:5],
            "cloud": latest_cloud_year(organisation),
            "wiping": Asset.objects.of_organisation(organisation)
            .wiping_not_evidenced()
            .aggregate(lines=Count("id"), devices=Sum("quantity")),
        },
    )


def _filtered(organisation: Organisation, form: AssetFilterForm) -> Any:
    assets = Asset.objects.of_organisation(organisation)
    if not form.is_bound:
        return assets
    # A field it cannot read (a year in words) is shown with its error; the fields it read still filter.
    form.is_valid()
    data = {name: None for name in form.fields} | form.cleaned_data
    if data["q"]:
        assets = assets.filter(
            Q(manufacturer__icontains=data["q"])
            | Q(model__icontains=data["q"])
            | Q(asset_key__icontains=data["q"])
        )
    for field in ("product_group", "status", "condition"):
        if data[field]:
            assets = assets.filter(**{field: data[field]})
    if data["country"]:
        assets = assets.filter(country=data["country"].upper())
    if data["bought"]:
        assets = assets.filter(purchase_date__year=data["bought"])
    if data["wiping"] == "missing":
        assets = assets.wiping_not_evidenced()
    return assets


@login_required
def asset_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_fleet_owner(request.user, slug)
    form = AssetFilterForm(request.GET or None)
    assets = _filtered(organisation, form)
    if request.GET.get("format") == "csv" and not (form.is_bound and form.errors):
        return _export_csv(organisation, assets)
    page = Paginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "fleet/assets.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_edit": can_edit_register(request.user, organisation),
        },
    )


def _export_csv(organisation: Organisation, assets: Any) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    attachment(response, f"{organisation.slug}-register.csv")
    writer = csv.writer(response)
    writer.writerow(actions.EXPORT_COLUMNS)
    for row in assets.values_list(*actions.EXPORT_COLUMNS).iterator(chunk_size=5000):
        # A register's texts came from outside: never let a spreadsheet run them as formulas.
        writer.writerow(
            ["" if v is None else neutralise_formula(v) if isinstance(v, str) else v for v in row]
        )
    return response


@login_required
def asset_detail(request: HttpRequest, slug: str, asset_id: int) -> HttpResponse:
    asset = get_asset_for_user(request.user, slug, asset_id, edit=request.method == "POST")
    form = EventForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_event(
                asset,
                form.cleaned_data["kind"],
                form.cleaned_data["date"],
                form.cleaned_data["note"],
                acting_user=request.user,
                route=form.cleaned_data["end_of_use_route"],
                certificate=form.cleaned_data["sanitisation_certificate"].strip(),
                method=form.cleaned_data["sanitisation_method"],
            )
        except actions.EventRefused as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Event recorded."))
            return redirect("fleet:asset", slug=slug, asset_id=asset.pk)
    return render(
        request,
        "fleet/asset.html",
        {
            "organisation": asset.organisation,
            "asset": asset,
            "events": asset.events.select_related("created_by"),
            "steps": explain(asset),
            "method": METHOD_VERSION,
            "form": form,
            "can_edit": can_edit_register(request.user, asset.organisation),
        },
    )


@login_required
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_fleet_owner(request.user, slug, edit=True)
    form = RegisterUploadForm(
        request.POST or None, request.FILES or None, initial={"default_country": organisation.country}
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = actions.receive_register(
                organisation,
                upload.read(),
                upload.name,
                user=request.user,
                default_country=form.cleaned_data["default_country"],
            )
        except RegisterRefused as error:
            problems = [f"{error.filename}: {describe(g)}" for g in error.groups]
        except ImportRefused as error:
            problems = refusal_texts(error)
        else:
            return redirect("fleet:import-mapping", slug=slug, import_id=record.pk)
    return render(
        request, "fleet/import.html", {"organisation": organisation, "form": form, "problems": problems}
    )


@login_required
def import_mapping(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    record = get_import_for_user(request.user, slug, import_id, edit=True)
    if record.state not in (AssetImport.State.MAPPING, AssetImport.State.VALUES):
        return redirect("fleet:import-progress", slug=slug, import_id=record.pk)
    form = MappingForm(record.headers, record.mapping, request.POST or None, date_order=record.date_order)
    if request.method == "POST" and form.is_valid():
        if actions.choose_columns(record, form.mapping(), form.cleaned_data["date_order"] or "auto"):
            return redirect("fleet:import-values", slug=slug, import_id=record.pk)
        return redirect("fleet:import-progress", slug=slug, import_id=record.pk)
    return render(
        request,
        "fleet/mapping.html",
        {"organisation": record.organisation, "record": record, "form": form, "fields": form.column_fields},
    )


@login_required
def import_values(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """The value step: each value of a coded column that nobody knows yet, once, with its count."""
    record = get_import_for_user(request.user, slug, import_id, edit=True)
    if record.state != AssetImport.State.VALUES:
        return redirect("fleet:import-progress", slug=slug, import_id=record.pk)
    unknown = actions.pending_values(record)
    if not unknown:
        actions.start_import(record, dict(record.mapping))
        return redirect("fleet:import-progress", slug=slug, import_id=record.pk)
    form = ValueMappingForm(unknown, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.choose_values(record, form.choices())
        return redirect("fleet:import-progress", slug=slug, import_id=record.pk)
    return render(
        request,
        "fleet/values.html",
        {
            "organisation": record.organisation,
            "record": record,
            "form": form,
            "sections": form.sections,
            "count": sum(len(items) for items in unknown.values()),
        },
    )


@login_required
def import_progress(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    record = get_import_for_user(request.user, slug, import_id)
    if record.state == AssetImport.State.VALUES:
        return redirect("fleet:import-values", slug=slug, import_id=record.pk)
    return render(
        request,
        "fleet/progress.html",
        {
            "organisation": record.organisation,
            "record": record,
            "problems": described(record.problems),
            "notes": described(record.notes),
            "status_url": reverse("fleet:import-status", args=[slug, record.pk]),
            "annotated": bool(record.stored_file) and record.state == AssetImport.State.REFUSED,
        },
    )


@login_required
def import_problems_csv(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    """A refused file as CSV, each row with its problems in the last column (in the user's language)."""
    record = get_import_for_user(request.user, slug, import_id)
    if record.state != AssetImport.State.REFUSED:
        raise Http404
    try:
        headers, rows, checks, flags = actions.annotated_file(record)
    except (FileNotFoundError, ImportRefused) as error:
        raise Http404 from error
    response = HttpResponse(
        annotated_csv(headers, rows, checks, flags), content_type="text/csv; charset=utf-8"
    )
    name = record.filename.rsplit(".", 1)[0]
    attachment(response, f"{name}-problems.csv")
    return response


@require_GET
@login_required
def import_status(request: HttpRequest, slug: str, import_id: int) -> JsonResponse:
    record = get_import_for_user(request.user, slug, import_id)
    if record.state == AssetImport.State.RUNNING:
        actions.keep_import_going(record)
    return JsonResponse(
        {
            "state": record.state,
            "state_label": record.get_state_display(),
            "stage": record.stage,
            "stage_label": record.stage_label,
            "progress": record.progress,
            "rows": record.rows,
            "created": record.created_lines,
            "updated": record.updated_lines,
            "problems": described(record.problems)[:200],
            "notes": described(record.notes),
            "problems_csv": reverse("fleet:import-problems", args=[slug, record.pk])
            if record.state == AssetImport.State.REFUSED and record.stored_file
            else "",
            "finished": record.is_finished,
        }
    )


@require_GET
@login_required
def scenario(request: HttpRequest, slug: str) -> JsonResponse:
    organisation = get_fleet_owner(request.user, slug)
    form = ScenarioForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    return JsonResponse(fleet_scenario(organisation, Scenario(**form.levers())).model_dump(mode="json"))


@require_GET
def register_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    attachment(response, "cfit-register-template.csv")
    return response
