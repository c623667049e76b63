"""The market page (public: notices are published data) and its downloads. A signed-in participant
also sees which notices are the publications of its own cfit tenders (organisation-scoped links)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from cfit.accounts.access import is_secretariat_staff
from cfit.criteria.models import Criterion, FrameworkVersion, ProductGroup
from cfit.downloads import attachment, keep_cells_as_text, safe_cell, safe_filename
from cfit.joining.countries import country_name
from cfit.monitoring.charts import Point, bars
from cfit.monitoring.views import XLSX
from cfit.notices.actions import import_notices
from cfit.notices.market import OTHER, Filters, Market, download_rows, market
from cfit.notices.models import Notice, NoticeImport, NoticeLink
from cfit.notices.sources import NOTICE_ENDINGS, is_notice_file
from cfit.refusals import message_text
from cfit.uploadfields import limited_file_attrs
from cfit.uploads import ImportRefused, Problem, check_size

#: shown on the page; the downloads hold every group
MAX_ROWS = 25
MAX_CHART_BARS = 12


def _labels(found: Market) -> None:
    """Country and product group names and criterion titles in the reader's language (the downloads
    keep the codes)."""
    if found.filters.by == "country":
        for row in found.rows:
            row.label = country_name(row.key) if row.key else row.label
    if found.filters.by == "group":
        names = {
            g.code: g.display_name for g in ProductGroup.objects.filter(code__in=[r.key for r in found.rows])
        }
        for row in found.rows:
            row.label = names.get(row.key, row.label)
    version = FrameworkVersion.objects.latest_published()
    if version is not None and found.criteria:
        titles = {
            c.code: c.display_title
            for c in Criterion.objects.filter(version=version, code__in=[r.criterion for r in found.criteria])
        }
        for criterion in found.criteria:
            criterion.title = titles.get(criterion.criterion, "")


def _chart(found: Market) -> Any:
    rows = [r for r in found.rows if r.notices][:MAX_CHART_BARS]
    if not rows:
        return None
    return bars(
        "chart-market",
        _("Share of ICT notices using each, by %(breakdown)s")
        % {"breakdown": _breakdown_names()[found.filters.by]},
        [_short(r.label) for r in rows],
        [
            (_("strategic procurement (BT-06)"), [Point(r.strategic_share) for r in rows]),
            (_("green procurement criteria (BT-805)"), [Point(r.gpp_share) for r in rows]),
            (_("a framework criterion in the texts"), [Point(r.criteria_share) for r in rows]),
        ],
        "%",
        stacked=False,
        # n beside each group's shares. Never hidden for a small n: the notices are published by their
        # buyers, so the monitoring's disclosure rules (cfit.monitoring.disclosure, for what participants
        # report) do not apply; a share of few notices is read with its n.
        counts=(_("ICT notices (n)"), [r.notices for r in rows]),
    )


def _short(label: str, length: int = 14) -> str:
    """A bar's label that fits under a bar on a phone; the table under the chart repeats it."""
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"


def _breakdown_names() -> dict[str, str]:
    return {"country": _("country"), "buyer": _("buyer"), "year": _("year"), "group": _("product group")}


def market_page(request: HttpRequest) -> HttpResponse:
    filters = Filters.from_query(request.GET)
    found = market(filters)
    _labels(found)
    ict = Notice.objects.ict().current().order_by()  # no default ordering: it would undo the distinct values
    own_links = []
    can_import = is_secretariat_staff(request.user)
    if request.user.is_authenticated:
        # Scoped by the request's organisations: another organisation's links never come back.
        own_links = list(
            NoticeLink.objects.select_related("notice", "tender").order_by("-notice__published")[:50]
        )
    return render(
        request,
        "notices/market.html",
        {
            "found": found,
            "filters": filters,
            "rows": found.rows[:MAX_ROWS],
            # the import's input: the limit ``check_size`` applies and the endings the reader takes
            "notice_file_attrs": limited_file_attrs(kinds=NOTICE_ENDINGS) if can_import else {},
            "more_rows": max(len(found.rows) - MAX_ROWS, 0),
            "chart": _chart(found),
            "breakdowns": _breakdown_names(),
            "breakdown_name": _breakdown_names()[filters.by],
            "countries": sorted(
                ((c, country_name(c)) for c in ict.values_list("buyer_country", flat=True).distinct() if c),
                key=lambda pair: pair[1],
            ),
            "years": sorted({y for y in ict.values_list("year", flat=True).distinct() if y}, reverse=True),
            "groups": ProductGroup.objects.filter(code__in=ict.values("product_groups__code")),
            "buyer_name": Notice.objects.filter(buyer_key=filters.buyer)
            .values_list("buyer_name", flat=True)
            .first()
            if filters.buyer
            else "",
            "query": urlencode(filters.as_query()),
            "own_links": own_links,
            "other": OTHER,
            "can_import": can_import,
            "last_import": NoticeImport.objects.first() if can_import else None,
        },
    )


@require_POST
@login_required
def market_import(request: HttpRequest) -> HttpResponse:
    """The secretariat uploads a notice file or package (XML, JSON, ZIP, TAR.GZ; at most 20 MB):
    stored notice by notice, as ``cfit notices import``; each refused notice is named."""
    if not is_secretariat_staff(request.user):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a notice file to import."))
        return redirect("notices:market")
    name = safe_filename(upload.name or "notices.xml", "notices.xml")
    try:
        check_size(b"", name, size=upload.size)
    except ImportRefused as error:
        messages.error(request, str(error))
        return redirect("notices:market")
    if not is_notice_file(name):
        messages.error(
            request, _("%(file)s: not a notice file (.xml, .json, .jsonl, .zip, .tar.gz).") % {"file": name}
        )
        return redirect("notices:market")
    with tempfile.TemporaryDirectory(prefix="cfit-notices-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        run = import_notices([path], acting_user=request.user)
    messages.success(
        request,
        _(
            "%(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(refused)s refused; %(linked)s linked to cfit tenders."
        )
        % run.counts(),
    )
    for problem in run.problems[:20]:
        messages.warning(request, _problem_text(problem, str(path), name))
    return redirect("notices:market")


def _problem_text(problem: dict[str, Any], path: str, name: str) -> str:
    """A refused notice as the import stored it, in the reader's language (a run stored before the
    problems had codes says its English)."""
    where = problem["where"].replace(path, name)
    said = Problem(
        where, "", problem["reason"], problem.get("code", ""), tuple(problem.get("params", {}).items())
    )
    return f"{where}: {message_text(said, 'notices')}"


def market_download(request: HttpRequest, fmt: str) -> HttpResponse:
    filters = Filters.from_query(request.GET)
    headers = ("breakdown", "group", "measure", "ICT notices", "notices using it", "share (%)")
    found = download_rows(market(filters), headers)
    name = "cfit-market-" + "-".join(v for v in filters.as_query().values())
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in found:
            writer.writerow([safe_cell(v) for v in row])
        return attachment(HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8"), f"{name}.csv")
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Market"
        for row in found:
            sheet.append(list(row))
        data = io.BytesIO()
        keep_cells_as_text(book).save(data)
        return attachment(HttpResponse(data.getvalue(), content_type=XLSX), f"{name}.xlsx")
    raise Http404
