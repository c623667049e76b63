"""Pages of an evaluation: the comparison, a line's results with overrides, the report and the sign-off.

The comparison explains itself: why each excluded line and offer is excluded (by the technical
specification's name), "no bid" where a supplier offered nothing for a lot, how an offer's total
derives from its lines, and what would change the ranking. All of it is worded by
``cfit.offers.explain`` in the reader's language.
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cfit.accounts.permissions import Action, may
from cfit.downloads import attachment
from cfit.offers import actions, explain, signoff
from cfit.offers.access import check_opened, get_tender_of_line
from cfit.offers.engine import METHOD_VERSION, Evidence, Role, Status
from cfit.offers.evaluate import EVIDENCE_WORDS, STATUS_WORDS, LotResult
from cfit.offers.evaluation import TenderEvaluation, evaluate_tender
from cfit.offers.forms import OverrideForm
from cfit.offers.models import EvaluationSignOff, ResultOverride
from cfit.offers.report import audit_record, build_docx, build_xlsx, locale_words
from cfit.tenders.access import get_tender_for_user
from cfit.tenders.award import PriceRule

LINES_SHOWN = 300  #: a page lists this many lines per lot; the XLSX report holds them all
MAX_NOTE = 2000  #: characters of a sign-off note


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for the approver (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _bar(total: float, best: float) -> int:
    return 0 if math.isnan(total) or not best else round(100 * total / best)


def _lot(
    evaluation: TenderEvaluation, result: LotResult, names: explain.Glossary, words: explain.Words
) -> dict[str, Any]:
    best = max((r.total for r in result.offers if r.eligible), default=0.0)
    ranking: list[dict[str, Any]] = []
    for index, offer in enumerate(result.offers):
        explanation = explain.explain_offer(result, index)
        ranking.append(
            {
                "offer": offer,
                "state": explanation.state,
                "bar": _bar(offer.total, best) if offer.eligible else 0,
                "reasons": explain.offer_sentences(explanation, names, words),
            }
        )
    order = {explain.OfferState.RANKED: 0, explain.OfferState.EXCLUDED: 1, explain.OfferState.NO_COST: 1}
    ranking.sort(key=lambda item: (order.get(item["state"], 2), item["offer"].rank, item["offer"].offer))
    status = result.checked.status
    lines = []
    for row, (index, line) in enumerate(result.lines[:LINES_SHOWN]):
        eligible = bool(result.checked.eligible[row])
        lines.append(
            {
                "pk": evaluation.line_pk[(index, line.line_id, result.lot.number)],
                "supplier": result.catalogue.offers[index],
                "line": line,
                "eligible": eligible,
                "meets_specifications": explain.line_meets_specifications(result, row),
                "reasons": explain.line_sentences(result, row, names, words),
                "passed": int((status[row] == 1).sum()),
                "failed": int((status[row] == 2).sum()),
                "open": int((status[row] == 0).sum()),
                "total": None if math.isnan(result.scored.total[row]) else result.scored.total[row],
            }
        )
    change = explain.ranking_change(result)
    criteria = [(c.id, names.criterion(c.id), float(c.weight)) for c in result.method.criteria]
    return {
        "result": result,
        "ranking": ranking,
        "criteria": criteria,
        "points": [
            (item["offer"], [item["offer"].criterion_points.get(code, 0.0) for code, _name, _w in criteria])
            for item in ranking
            if item["state"] == explain.OfferState.RANKED
        ],
        "cost_header": _("Life-cycle cost (EUR)")
        if result.method.price_rule == PriceRule.LIFE_CYCLE_COST
        else _("Price (EUR)"),
        "totals": explain.totals_sentence(result.method, words),
        "change": explain.ranking_change_sentences(change, names, words) if change is not None else [],
        "lines": lines,
        "cut": len(result.lines) > LINES_SHOWN,
        "counts": result.checked.counts(),
    }


@login_required
def compare(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id)
    check_opened(tender)
    evaluation = evaluate_tender(tender)
    words = locale_words()
    names = explain.glossary(evaluation.spec.lots, words.language)
    lots = [_lot(evaluation, result, names, words) for result in evaluation.results]
    return render(
        request,
        "offers/compare.html",
        {
            "tender": tender,
            "lots": lots,
            "evaluation": evaluation,
            # the version the evaluation report names too: a result read later is traced to its method
            "method_version": METHOD_VERSION,
            "sign_off": signoff.sign_off_state(tender, evaluation, request.user),
            "sign_off_form": SignOffForm(),
        },
    )


@login_required
def line_view(request: HttpRequest, tender_id: int, line_pk: int) -> HttpResponse:
    tender, line = get_tender_of_line(
        request.user, tender_id, line_pk, edit=request.method == "POST", action=Action.OFFER_EVALUATE
    )
    check_opened(tender)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.override_result(
                line,
                form.cleaned_data["requirement"],
                form.cleaned_data["decision"],
                form.cleaned_data["justification"],
                acting_user=request.user,
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
            (
                r
                for r, (i, item) in enumerate(result.lines)
                if i == offer_index and item.line_id == line.line_id
            ),
            None,
        )
        if result is not None
        else None
    )
    if result is None or row is None:
        raise Http404
    words = locale_words()
    names = explain.glossary(evaluation.spec.lots, words.language)
    details = []
    for j, rule in enumerate(result.rules):
        requirement = names.requirements.get(rule.requirement)
        evidence = Evidence(int(result.checked.evidence[row, j]))
        details.append(
            {
                "requirement": rule.requirement,
                "title": names.requirement(rule.requirement),
                "criterion": names.criterion(rule.criterion),
                "status": STATUS_WORDS[Status(int(result.checked.status[row, j]))],
                "evidence": EVIDENCE_WORDS[evidence],
                "labels": sorted(set(line.labels) & rule.labels) if evidence == Evidence.LABEL else [],
                "answer": explain.answer_text(
                    (line.offer.company if rule.role == Role.INFO else line.answers).get(rule.requirement),
                    requirement,
                    words,
                ),
                "threshold": explain.expected_text(requirement, words) if requirement is not None else "",
            }
        )
    history = ResultOverride.objects.filter(line=line).select_related("decided_by").order_by("-decided_at")
    return render(
        request,
        "offers/line.html",
        {
            "tender": tender,
            "line": line,
            "details": details,
            "eligible": bool(result.checked.eligible[row]),
            "reasons": explain.line_sentences(result, row, names, words),
            "history": [(entry, signoff.person(entry.decided_by)) for entry in history],
            "form": form,
            # A viewer reads the results; an override form would end in a 403 for it.
            "may_override": may(request.user, Action.OFFER_EVALUATE, tender.organisation_id),
        },
    )


@login_required
def report(request: HttpRequest, tender_id: int, fmt: str) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id)
    if fmt not in {"docx", "xlsx"}:
        raise Http404
    check_opened(tender)
    evaluation = evaluate_tender(tender)
    record = audit_record(tender, evaluation)
    if fmt == "docx":
        body = build_docx(evaluation, record)
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body = build_xlsx(evaluation, record)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=kind)
    return attachment(response, f"{tender.reference}-evaluation.{fmt}")


def _back(tender_id: int) -> HttpResponse:
    return redirect(reverse("offers:compare", kwargs={"tender_id": tender_id}) + "#sign-off")


@login_required
@require_POST
def prepare_sign_off(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id, edit=True, action=Action.OFFER_EVALUATE)
    check_opened(tender)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Keep the note under %(n)s characters.") % {"n": MAX_NOTE})
        return _back(tender.pk)
    try:
        signoff.prepare_sign_off(tender, acting_user=request.user, note=form.cleaned_data["note"])
    except signoff.SignOffError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Sign-off prepared: another administrator or procurer of your organisation approves it."),
        )
    return _back(tender.pk)


@login_required
@require_POST
def approve_sign_off(request: HttpRequest, tender_id: int, sign_off_pk: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id, edit=True, action=Action.OFFER_EVALUATE)
    check_opened(tender)
    sign_off = EvaluationSignOff.unscoped.filter(pk=sign_off_pk, tender=tender).first()
    if sign_off is None:
        raise Http404
    try:
        signoff.approve_sign_off(sign_off, acting_user=request.user)
    except signoff.SignOffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Evaluation signed off by two members."))
    return _back(tender.pk)
