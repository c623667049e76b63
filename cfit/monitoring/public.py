"""The public collective results: published aggregates of the pact and of each buyer group, with charts,
coverage, and downloads, and the impact method their emissions rest on. Nothing unpublished and nothing
of a single participant is ever shown here: every figure comes from ``results.results``, which gives a
figure the disclosure rules hide only as the reason why."""

from __future__ import annotations

import csv
import io
from functools import cached_property
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cfit import __version__
from cfit.cloud.footprint import METHOD_VERSION as CLOUD_METHOD_VERSION
from cfit.downloads import attachment, keep_cells_as_text, safe_cell
from cfit.impact.figures import METHOD_VERSION
from cfit.monitoring.charts import Point, bars
from cfit.monitoring.disclosure import TOTAL, Rules
from cfit.monitoring.indicators import BY_CODE, CATEGORIES, HARDWARE, ROUTES
from cfit.monitoring.method import cloud_method_html, method_html
from cfit.monitoring.models import PACT, ResultsEdition
from cfit.monitoring.results import Scope, published_years, reason_text, results, rows, source_rows
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


def _rules(data: dict[str, Any]) -> Rules:
    return Rules(data["rules"]["min_reporters"], data["rules"]["dominance"])


def point(cell: dict[str, Any] | None, rules: Rules) -> Point | None:
    """A results cell as a chart point: shown, hidden (with the reason), or absent (``None``)."""
    if cell is None:
        return None
    if cell["suppressed"]:
        return Point(hidden=reason_text(cell["suppressed"], rules))
    return Point(cell["value"], cell["low"], cell["high"])


def _cell(data: dict[str, Any], code: str, year: int, key: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = data["indicators"].get(code, {}).get(year, {}).get(key)
    return found


def charts(data: dict[str, Any]) -> list[Any]:
    """The charts of a scope's results: only shown figures are drawn; totals are the stored totals,
    never sums of the shown parts."""
    years = data["years"]
    if not years:
        return []
    rules = _rules(data)
    labels = [str(y) for y in years]
    labels_of = key_labels()
    out = [
        bars(
            "chart-devices",
            _("Devices bought per year"),
            labels,
            [
                (name, [point(_cell(data, code, y, TOTAL), rules) for y in years])
                for name, code in (
                    (_("new"), "units_new"),
                    (_("refurbished"), "units_refurbished"),
                    (_("leased or as a service"), "units_leased"),
                )
            ],
            _("devices"),
            stacked=True,
        )
    ]
    latest = years[-1]
    if data["indicators"].get("tenders_with_criteria", {}).get(latest):
        out.append(
            bars(
                "chart-uptake",
                _("Tenders using criteria, by impact category (%(year)s)") % {"year": latest},
                [labels_of[f"{c}/baseline"].split(",")[0] for c in CATEGORIES],
                [
                    (
                        name,
                        [
                            point(_cell(data, "tenders_with_criteria", latest, f"{c}/{a}"), rules)
                            for c in CATEGORIES
                        ],
                    )
                    for name, a in ((_("baseline"), "baseline"), (_("ambitious"), "ambitious"))
                ],
                _("tenders"),
                stacked=True,
            )
        )
    life = data["indicators"].get("service_life_mean", {}).get(latest, {})
    if life:
        groups = [g for g in HARDWARE if g in life]
        out.append(
            bars(
                "chart-life",
                _("Average service life of retired devices (%(year)s)") % {"year": latest},
                [labels_of.get(g, g) for g in groups],
                [(_("years"), [point(life[g], rules) for g in groups])],
                _("years"),
                stacked=True,
            )
        )
    if data["indicators"].get("end_of_use_units"):
        out.append(
            bars(
                "chart-routes",
                _("End-of-use routes per year"),
                labels,
                [
                    (
                        labels_of.get(r, r),
                        [point(_cell(data, "end_of_use_units", y, r), rules) for y in years],
                    )
                    for r in ROUTES
                ],
                _("devices"),
                stacked=True,
            )
        )
    emissions = [
        (_("embodied, devices bought"), [point(_cell(data, "embodied_tco2e", y, ""), rules) for y in years]),
        (_("use phase"), [point(_cell(data, "use_tco2e", y, ""), rules) for y in years]),
    ]
    if any(p is not None for _name, points in emissions for p in points):
        out.append(
            bars("chart-emissions", _("Emissions per year"), labels, emissions, "tCO2e", stacked=False)
        )
    return out


def table(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the results table: one per indicator and breakdown (its total last), a cell per year."""
    labels = key_labels()
    rules = _rules(data)
    out = []
    for code, by_year in data["indicators"].items():
        indicator = BY_CODE[code]
        keys = sorted({k for cells in by_year.values() for k in cells}, key=lambda k: (k == TOTAL, k))
        for key in keys:
            cells = []
            for year in data["years"]:
                cell = by_year.get(year, {}).get(key)
                if cell is not None and cell["suppressed"]:
                    cell = {**cell, "reason": reason_text(cell["suppressed"], rules)}
                cells.append(cell)
            out.append(
                {
                    "indicator": indicator,
                    "key": _("total") if key == TOTAL else labels.get(key, key),
                    "total": key == TOTAL,
                    "cells": cells,
                }
            )
    return out


#: How long a process keeps a rendered results page of one edition (a new edition is another key; the
#: limit only bounds the memory held for editions no longer asked for).
RESULTS_CACHE_SECONDS = 3600


class ResultsPage:
    """What the results page shows, computed only when the page of this edition, scope and language is
    not cached yet (the template's cache block reads these lazily)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    @cached_property
    def years(self) -> list[int]:
        return published_years(self.scope)

    @cached_property
    def data(self) -> dict[str, Any]:
        return results(self.scope, self.years)

    @cached_property
    def rules(self) -> Rules:
        return _rules(self.data)

    def charts(self) -> list[Any]:
        return charts(self.data)

    def table(self) -> list[dict[str, Any]]:
        return table(self.data)

    def coverage(self) -> list[tuple[int, dict[str, Any] | None]]:
        return [(y, self.data["coverage"].get(y)) for y in self.years]

    def sources(self) -> list[dict[str, str]]:
        # with their ids: cfit's own sources are titled in the reader's language by id (``source_title``)
        return [{"id": source_id, **source} for source_id, source in self.data["sources"].items()]

    def methods(self) -> str:
        return ", ".join(_methods(self.data))


def results_page(request: HttpRequest) -> HttpResponse:
    scope, group = _scope(request)
    return render(
        request,
        "monitoring/results.html",
        {
            "scope": scope,
            "group": group,
            "groups": BuyerGroup.objects.filter(campaigns__results_published__isnull=False).distinct(),
            "page": ResultsPage(scope),
            # the key of the cached page: whatever it shows changes the edition (``ResultsEdition``)
            "edition": f"{ResultsEdition.current()}-{__version__}",
            "cache_seconds": RESULTS_CACHE_SECONDS,
        },
    )


def _methods(data: dict[str, Any]) -> list[str]:
    """The method versions behind the shown emissions figures."""
    found = {
        method.strip()
        for code, by_year in data["indicators"].items()
        if BY_CODE[code].bounded
        for cells in by_year.values()
        for cell in cells.values()
        for method in (cell["method"] or "").split(",")
        if method.strip()
    }
    return sorted(found)


def results_download(request: HttpRequest, fmt: str) -> HttpResponse:
    scope, _group = _scope(request)
    data = results(scope, published_years(scope))
    # a file leaves the site: the method's address must work from wherever it is read
    data["method_url"] = request.build_absolute_uri(data["method_url"])
    found = rows(data)
    name = f"cfit-results-{scope.key}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in found:
            writer.writerow([safe_cell(v) for v in row])
        return attachment(HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8"), f"{name}.csv")
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Results"
        for row in found:
            sheet.append(list(row))
        # the sources each figure names by id in its row, with their addresses
        sources = book.create_sheet("Sources")
        for row in source_rows(data):
            sources.append(row)
        out_xlsx = io.BytesIO()
        keep_cells_as_text(book).save(out_xlsx)
        return attachment(HttpResponse(out_xlsx.getvalue(), content_type=XLSX), f"{name}.xlsx")
    raise Http404


def method_page(request: HttpRequest) -> HttpResponse:
    """The impact method every emissions figure links to (public)."""
    language = (get_language() or "en").split("-")[0]
    page = method_html(language)
    return render(
        request,
        "monitoring/method.html",
        {
            "method": page,
            "in_english_only": page is not None and page.language != language,
            "version": METHOD_VERSION,
            "title": _("The impact method"),
            "missing": "docs/impact-method.md",
        },
    )


def cloud_method_page(request: HttpRequest) -> HttpResponse:
    """The method of cloud use's footprint every cloud figure links to (public; in English only)."""
    page = cloud_method_html()
    return render(
        request,
        "monitoring/method.html",
        {
            "method": page,
            "in_english_only": page is not None and (get_language() or "en").split("-")[0] != "en",
            "version": CLOUD_METHOD_VERSION,
            "title": _("The method of cloud footprints"),
            "missing": "docs/cloud-method.md",
        },
    )
