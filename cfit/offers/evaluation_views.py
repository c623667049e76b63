"""Pages of an evaluation: the comparison, a line's results with overrides, and the report."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cfit.offers import actions
from cfit.offers.access import get_tender_of_line
from cfit.offers.evaluate import line_detail
from cfit.offers.evaluation import evaluate_tender
from cfit.offers.forms import OverrideForm
from cfit.offers.models import ResultOverride
from cfit.offers.report import build_docx, build_xlsx
from cfit.tenders.access import get_tender_for_user

LINES_SHOWN = 300  #: a page lists this many lines per lot; the XLSX report holds them all


def _bar(total: float, best: float) -> int:
    return 0 if math.isnan(total) or not best else round(100 * total / best)


@login_required
def compare(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id)
    evaluation = evaluate_tender(tender)
    lots = []
    for result in evaluation.results:
        best = max((r.total for r in result.offers if r.eligible), default=0.0)
        ranking = sorted(result.offers, key=lambda r: (r.rank == 0, r.rank, r.offer))
        status = result.checked.status
        lines = []
        for row, (index, line) in enumerate(result.lines[:LINES_SHOWN]):
            lines.append(
                {
                    "pk": evaluation.line_pk[(index, line.line_id, result.lot.number)],
                    "supplier": result.catalogue.offers[index],
                    "line": line,
                    "eligible": bool(result.checked.eligible[row]),
                    "passed": int((status[row] == 1).sum()),
                    "failed": int((status[row] == 2).sum()),
                    "open": int((status[row] == 0).sum()),
                    "total": None if math.isnan(result.scored.total[row]) else result.scored.total[row],
                }
            )
        lots.append(
            {
                "result": result,
                "ranking": [(r, _bar(r.total, best)) for r in ranking],
                "lines": lines,
                "cut": len(result.lines) > LINES_SHOWN,
                "counts": result.checked.counts(),
            }
        )
    return render(request, "offers/compare.html", {"tender": tender, "lots": lots, "evaluation": evaluation})


@login_required
def line_view(request: HttpRequest, tender_id: int, line_pk: int) -> HttpResponse:
    tender, line = get_tender_of_line(request.user, tender_id, line_pk, edit=request.method == "POST")
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.override_result(
                line,
                form.cleaned_data["requirement"],
                form.cleaned_data["decision"],
                form.cleaned_data["justification"],
                user=request.user,
            )
        except actions.OfferError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Result overridden; the justification is kept in the audit trail."))
            return redirect("offers:line", tender_id=tender.pk, line_pk=line.pk)
    evaluation = evaluate_tender(tender)
    result = evaluation.result_for(line.lot)
    offer_index = next(i for i, offer in enumerate(evaluation.offers) if offer.pk == line.offer_id)
    row = (
        next(
            r for r, (i, item) in enumerate(result.lines) if i == offer_index and item.line_id == line.line_id
        )
        if result
        else None
    )
    details = line_detail(result, row) if result is not None and row is not None else []
    titles = {
        r.code: r
        for lc in tender.lots.get(number=line.lot).lot_criteria.select_related("criterion")
        for r in lc.criterion.requirements.all()
    }
    for item in details:
        item["title"] = titles[item["requirement"]].display_title if item["requirement"] in titles else ""
        item["threshold"] = titles[item["requirement"]].threshold if item["requirement"] in titles else ""
    history = ResultOverride.objects.filter(line=line).select_related("decided_by").order_by("-decided_at")
    return render(
        request,
        "offers/line.html",
        {
            "tender": tender,
            "line": line,
            "details": details,
            "eligible": bool(result.checked.eligible[row])
            if result is not None and row is not None
            else False,
            "history": history,
            "form": form,
        },
    )


@login_required
def report(request: HttpRequest, tender_id: int, fmt: str) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id)
    evaluation = evaluate_tender(tender)
    if fmt == "docx":
        body, kind = (
            build_docx(evaluation),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    elif fmt == "xlsx":
        body, kind = (
            build_xlsx(evaluation),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return HttpResponse(status=404)
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{tender.reference}-evaluation.{fmt}"'
    return response
