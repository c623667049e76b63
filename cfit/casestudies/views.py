"""Pages of case studies: find them (by product group, criterion, country), read one, and, for the
tender's owner, write and publish one from a finished tender."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cfit.casestudies import actions, facts
from cfit.casestudies.access import (
    finished_tenders_without_case_study,
    get_case_study,
    get_case_study_to_edit,
    get_finished_tender,
    may_edit,
)
from cfit.casestudies.forms import CaseStudyForm
from cfit.casestudies.models import CaseStudy, CaseStudyFacet
from cfit.criteria.models import Ambition, Criterion, CriterionType, ImpactCategory, ProductGroup, translated
from cfit.joining.countries import country_name
from cfit.monitoring.disclosure import Reason, Rules
from cfit.monitoring.models import DisclosureRules

FACET = CaseStudyFacet.Kind


def _criterion_titles(case_studies: list[CaseStudy]) -> dict[str, str]:
    """Criterion code → title in the reader's language as people read it (references to requirements
    replaced by their values), from the framework version each tender used; the facts' own text where
    that version is gone."""
    titles: dict[str, str] = {}
    wanted: dict[str, set[str]] = {}
    for case_study in case_studies:
        for lot in case_study.lots:
            for c in lot["criteria"]:
                titles.setdefault(c["code"], translated(c["title"]))
                wanted.setdefault(case_study.facts.get("framework_version", ""), set()).add(c["code"])
    for version, codes in wanted.items():
        criteria = Criterion.objects.filter(version__code=version, code__in=codes).prefetch_related(
            "requirements"
        )
        titles.update({criterion.code: criterion.rendered("title") for criterion in criteria})
    return titles


def case_study_list(request: HttpRequest) -> HttpResponse:
    published = list(CaseStudy.objects.published().select_related("organisation"))
    chosen = {key: request.GET.get(key, "") for key in ("product_group", "criterion", "country")}
    found = CaseStudy.objects.published().select_related("organisation")
    if chosen["product_group"]:
        found = found.with_facet(FACET.PRODUCT_GROUP, chosen["product_group"])
    if chosen["criterion"]:
        found = found.with_facet(FACET.CRITERION, chosen["criterion"])
    if chosen["country"]:
        found = found.filter(country=chosen["country"])
    titles = _criterion_titles(published)
    shown_criteria = sorted(
        {code for c in published for code in c.criteria()}, key=lambda code: titles.get(code, code)
    )
    groups = {g.code: g.display_name for g in ProductGroup.objects.all()}
    return render(
        request,
        "casestudies/list.html",
        {
            "case_studies": [(c, [groups.get(g, g) for g in c.product_groups()]) for c in found.distinct()],
            "chosen": chosen,
            "product_groups": sorted(
                {(g, groups.get(g, g)) for c in published for g in c.product_groups()}, key=lambda p: p[1]
            ),
            "criteria": [(code, titles.get(code, code)) for code in shown_criteria],
            "countries": sorted(
                {(c.country, country_name(c.country)) for c in published}, key=lambda p: p[1]
            ),
            "tenders": finished_tenders_without_case_study(request.user),
            "drafts": [
                c
                for c in CaseStudy.objects.exclude(status=CaseStudy.Status.PUBLISHED)
                .filter(organisation__memberships__user=request.user)
                .distinct()
            ]
            if request.user.is_authenticated
            else [],
        },
    )


@login_required
@require_POST
def start(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_finished_tender(request.user, tender_id)
    try:
        case_study = actions.start_case_study(tender, acting_user=request.user)
    except actions.CaseStudyRefused as error:
        messages.error(request, " ".join(error.messages))
        return redirect("casestudies:list")
    return redirect("casestudies:edit", case_study.pk)


def _label(choices: Any, value: str) -> str:
    """The label in the reader's language of a value the facts keep, or the value if unknown."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _withheld_text(reason: str, rules: Rules) -> str:
    """Why a criterion's points are not shown, in a few words of the reader's language."""
    if reason == Reason.DOMINANCE:
        return _("one offer has more than %(share)s %% of the points") % {
            "share": round(rules.dominance * 100)
        }
    return ngettext(
        "fewer than %(n)s eligible offer", "fewer than %(n)s eligible offers", rules.min_reporters
    ) % {"n": rules.min_reporters}


def _lots_shown(case_study: CaseStudy) -> list[dict[str, Any]]:
    """The lots as the public sees them: criteria titles in the reader's language, offers aggregated,
    points only where the disclosure rule allows (with the reason where it does not)."""
    groups = {g.code: g.display_name for g in ProductGroup.objects.all()}
    titles = _criterion_titles([case_study])
    rules = DisclosureRules.current()
    lots = []
    for lot in case_study.lots:
        offers = lot.get("offers", {})
        points, withheld = facts.disclosed_points(offers, rules)
        criteria = [
            {
                **c,
                "title_shown": titles.get(c["code"], c["code"]),
                "type_label": _label(CriterionType, c["type"]),
                "ambition_label": _label(Ambition, c["ambition"]),
                "met": offers.get("met", {}).get(c["code"]),
                "points": points.get(c["code"]),
                "points_withheld": _withheld_text(withheld[c["code"]], rules)
                if c["code"] in withheld
                else "",
            }
            for c in lot["criteria"]
        ]
        lots.append(
            {
                **lot,
                "group_name": groups.get(lot["product_group"], lot["product_group"]),
                "criteria_shown": criteria,
                "points_withheld": any(c["points_withheld"] for c in criteria),
                "ambitions_shown": [
                    (_label(ImpactCategory, category), _label(Ambition, ambition))
                    for category, ambition in sorted(lot.get("ambitions", {}).items())
                ],
            }
        )
    return lots


def case_study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = get_case_study(request.user, pk)
    return render(
        request,
        "casestudies/detail.html",
        {
            "case_study": case_study,
            "lots": _lots_shown(case_study),
            "lessons": case_study.lessons_in(),
            "lessons_language": case_study.lessons_language(),
            "editable": may_edit(request.user, case_study),
        },
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = get_case_study_to_edit(request.user, pk)
    form = CaseStudyForm(request.POST or None, instance=case_study)
    if request.method == "POST" and form.is_valid():
        try:
            if "publish" in request.POST:
                case_study = actions.save_and_publish_case_study(
                    case_study, acting_user=request.user, **form.changes()
                )
                messages.success(request, _("The case study is published."))
            else:
                case_study = actions.save_case_study(case_study, acting_user=request.user, **form.changes())
                messages.success(request, _("Saved."))
        except actions.CaseStudyRefused as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("casestudies:detail", case_study.pk)
    return render(
        request,
        "casestudies/edit.html",
        {"case_study": case_study, "form": form, "lots": _lots_shown(case_study)},
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case_study = get_case_study_to_edit(request.user, pk)
    actions.withdraw_case_study(case_study, acting_user=request.user)
    messages.success(request, _("The case study is withdrawn: only your organisation sees it."))
    return redirect("casestudies:detail", case_study.pk)
