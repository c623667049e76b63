"""The public collective results: published aggregates of the pact and of each buyer group, with charts,
coverage, and downloads. Nothing unpublished and nothing of a single participant is ever shown here."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cfit.charts import stacked_bars
from cfit.criteria.exchange import neutralise_formula
from cfit.monitoring.indicators import BY_CODE, HARDWARE, ROUTES
from cfit.monitoring.models import PACT
from cfit.monitoring.results import Scope, published_years, results, rows
from cfit.monitoring.views import XLSX, key_labels
from cfit.pact.models import BuyerGroup


def _scope(request: HttpRequest) -> tuple[Scope, BuyerGroup | None]:
    slug = request.GET.get("scope", PACT) or PACT
    if slug == PACT:
        return Scope(PACT, None), None
    group = BuyerGroup.objects.filter(slug=slug).first()
    if group is None:
        raise Http404
    return Scope(group.slug, group.pk), group


def _series(
    data: dict[str, Any], code: str, years: list[int], keys: tuple[str, ...] | None = None
) -> list[float]:
    by_year = data["indicators"].get(code, {})
    return [
        sum(
            (cell["value"] or 0) for key, cell in by_year.get(year, {}).items() if keys is None or key in keys
        )
        for year in years
    ]


def _charts(data: dict[str, Any]) -> list[Any]:
    years = data["years"]
    if not years:
        return []
    labels = [str(y) for y in years]
    labels_of = key_labels()
    charts = [
        stacked_bars(
            "chart-devices",
            _("Devices bought per year"),
            labels,
            [
                (_("new"), _series(data, "units_new", years)),
                (_("refurbished"), _series(data, "units_refurbished", years)),
                (_("leased or as a service"), _series(data, "units_leased", years)),
            ],
            _("devices"),
        )
    ]
    latest = years[-1]
    uptake = data["indicators"].get("tenders_with_criteria", {}).get(latest, {})
    categories = ["circularity", "due_diligence", "carbon", "chemicals"]
    if uptake:
        charts.append(
            stacked_bars(
                "chart-uptake",
                _("Tenders using criteria, by impact category (%(year)s)") % {"year": latest},
                [labels_of[f"{c}/baseline"].split(",")[0] for c in categories],
                [
                    (
                        _("baseline"),
                        [(uptake.get(f"{c}/baseline") or {}).get("value") or 0 for c in categories],
                    ),
                    (
                        _("ambitious"),
                        [(uptake.get(f"{c}/ambitious") or {}).get("value") or 0 for c in categories],
                    ),
                ],
                _("tenders"),
            )
        )
    life = data["indicators"].get("service_life_mean", {}).get(latest, {})
    if life:
        groups = [g for g in HARDWARE if g in life]
        charts.append(
            stacked_bars(
                "chart-life",
                _("Average service life of retired devices (%(year)s)") % {"year": latest},
                [labels_of.get(g, g) for g in groups],
                [(_("years"), [life[g]["value"] or 0 for g in groups])],
                _("years"),
            )
        )
    if any(_series(data, "end_of_use_units", years)):
        charts.append(
            stacked_bars(
                "chart-routes",
                _("End-of-use routes per year"),
                labels,
                [(labels_of.get(r, r), _series(data, "end_of_use_units", years, (r,))) for r in ROUTES],
                _("devices"),
            )
        )
    emissions = [
        (_("embodied, devices bought"), _series(data, "embodied_tco2e", years)),
        (_("use phase"), _series(data, "use_tco2e", years)),
    ]
    if any(v for _, values in emissions for v in values):
        charts.append(stacked_bars("chart-emissions", _("Emissions per year"), labels, emissions, "tCO2e"))
    return charts


def _table(data: dict[str, Any]) -> list[dict[str, Any]]:
    labels = key_labels()
    table = []
    for code, by_year in data["indicators"].items():
        indicator = BY_CODE[code]
        keys = sorted({k for cells in by_year.values() for k in cells})
        for key in keys:
            table.append(
                {
                    "indicator": indicator,
                    "key": labels.get(key, key),
                    "cells": [by_year.get(y, {}).get(key) for y in data["years"]],
                }
            )
    return table


def results_page(request: HttpRequest) -> HttpResponse:
    scope, group = _scope(request)
    years = published_years(scope)
    data = results(scope, years)
    groups = BuyerGroup.objects.filter(campaigns__results_published__isnull=False).distinct()
    return render(
        request,
        "monitoring/results.html",
        {
            "scope": scope,
            "group": group,
            "groups": groups,
            "data": data,
            "charts": _charts(data),
            "table": _table(data),
            "coverage": [(y, data["coverage"].get(y)) for y in years],
        },
    )


def results_download(request: HttpRequest, fmt: str) -> HttpResponse:
    scope, _group = _scope(request)
    table = rows(results(scope, published_years(scope)))
    name = f"cfit-results-{scope.key}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in table:
            writer.writerow([neutralise_formula(v) if isinstance(v, str) else v for v in row])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Results"
        for row in table:
            sheet.append([neutralise_formula(v) if isinstance(v, str) else v for v in row])
        data = io.BytesIO()
        book.save(data)
        response = HttpResponse(data.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404
