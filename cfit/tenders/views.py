from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.accounts.permissions import Action, may, may_somewhere
from cfit.criteria.content import Ambition, CriterionType, ImpactCategory
from cfit.criteria.models import Criterion, FrameworkVersion
from cfit.criteria.models import ImpactCategory as CategoryChoices
from cfit.criteria.rendering import rendered_field
from cfit.downloads import attachment
from cfit.labels import label_text
from cfit.numberfields import example, typed_number
from cfit.tabular import NotANumber
from cfit.tenders import actions, selection
from cfit.tenders.access import get_organisation_to_tender, get_tender_for_user
from cfit.tenders.eforms import NoticeError
from cfit.tenders.exports import FORMATS, filename
from cfit.tenders.forms import NoticeTermsForm, OffersDeadlineForm, TenderStartForm
from cfit.tenders.models import Lot, Tender, TenderFrozen


def risk_messages(spec: Any) -> list[tuple[int, str]]:
    texts = {
        selection.WarningCode.PRICE_DOMINATES: _(
            "Price has more than 80 of 100 points: sustainability can hardly change the ranking."
        ),
        selection.WarningCode.WEIGHTS_DO_NOT_ADD_UP: _(
            "The weights do not add up to 100: the tender cannot be published."
        ),
        selection.WarningCode.NO_END_OF_USE: _(
            "No criterion covers end of use (take-back, data wiping, reuse)."
        ),
        selection.WarningCode.FEW_PRODUCTS_MEET: _(
            "Ambitious technical specifications exclude every product that misses them; few products may comply: %(detail)s. Consider using them as award criteria."
        ),
        selection.WarningCode.NO_AWARD_CRITERIA: _("No award criterion: offers will compete on price alone."),
        selection.WarningCode.PROPOSED_THRESHOLDS: _(
            "Some thresholds are CFIT proposals rather than published figures; check them in a market consultation: %(detail)s."
        ),
    }
    # A detail that lists criteria names them by their title in the reader's language, with the id.
    language = (get_language() or "en").split("-")[0]
    titles = {
        c.criterion.id: c.criterion.title.get(language) or c.criterion.title.get("en", c.criterion.id)
        for lot in spec.lots
        for c in lot.criteria
    }

    def detail(risk: Any) -> str:
        ids = risk.detail.split(", ")
        if not risk.detail or not all(i in titles for i in ids):
            return str(risk.detail)
        return "; ".join(f"{titles[i]} ({i})" for i in ids)

    return [
        (
            risk.lot,
            texts[risk.code] % {"detail": detail(risk)}
            if "%(detail)s" in texts[risk.code]
            else texts[risk.code],
        )
        for risk in spec.risks()
    ]


@login_required
def tender_list(request: HttpRequest) -> HttpResponse:
    tenders = Tender.objects.select_related("organisation", "framework_version").order_by("-created")
    may_start = may_somewhere(request.user, Action.TENDER_EDIT)
    return render(request, "tenders/list.html", {"tenders": tenders, "may_start": may_start})


@login_required
def tender_start(request: HttpRequest) -> HttpResponse:
    if not may_somewhere(request.user, Action.TENDER_EDIT):
        # A viewer, or a supporter (a supplier never buys through the pact): no organisation to tender for.
        raise PermissionDenied
    form = TenderStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        organisation = get_organisation_to_tender(request.user, form.cleaned_data["organisation"])
        try:
            tender = actions.create_tender(
                organisation,
                title=form.cleaned_data["title"],
                reference=form.cleaned_data["reference"],
                language=form.cleaned_data["language"],
                procedure=form.cleaned_data["procedure"],
                lots=form.lots(),
                acting_user=request.user,
            )
        except actions.TenderError as error:
            form.add_error(None, str(error))
        else:
            return redirect("tenders:ambition", tender_id=tender.pk)
    return render(request, "tenders/start.html", {"form": form, "step": 1})


@login_required
def tender_ambition(request: HttpRequest, tender_id: int) -> HttpResponse:
    """Step 2: per lot and impact category, baseline or ambitious, with what each choice adds."""
    tender = get_tender_for_user(request.user, tender_id, edit=request.method == "POST")
    if request.method == "POST":
        try:
            actions.set_ambitions(
                tender,
                {
                    lot.number: {
                        category.value: request.POST.get(f"lot{lot.number}_{category.value}", "")
                        for category in ImpactCategory
                    }
                    for lot in tender.lots.all()
                },
                acting_user=request.user,
            )
        except actions.TenderError as error:
            messages.error(request, str(error))
        else:
            return redirect("tenders:review", tender_id=tender.pk)
    framework = actions.version_to_content(tender.framework_version)
    titles = {c.id: rendered_field(c, "title", request.LANGUAGE_CODE) for c in framework.criteria}
    names = dict(CategoryChoices.choices)
    lots = []
    for lot in tender.lots.select_related("product_group"):
        effects = selection.ambition_effects(framework.criteria, lot.product_group.code)
        lots.append(
            (
                lot,
                [
                    {
                        "category": e.category.value,
                        "name": names[e.category.value],
                        "current": lot.ambitions.get(e.category.value, Ambition.BASELINE.value),
                        "baseline": e.baseline,
                        "ambitious": e.ambitious,
                        "added": [(code, titles[code]) for code in e.added],
                        "removed": [(code, titles[code]) for code in e.removed],
                    }
                    for e in effects
                ],
            )
        )
    return render(request, "tenders/ambition.html", {"tender": tender, "lots": lots, "step": 2})


#: The session key of the numbers a user typed in a weights or costs form that was refused: the review
#: page shows them once more, to be corrected rather than typed again.
TYPED = "tenders:typed"
TYPED_FIELDS = {
    "weights": ("price_weight",),
    "costs": ("price_rule", "service_life_years", *actions.COST_FIELDS),
}


def _typed_numbers(request: HttpRequest, labels: dict[str, Any]) -> dict[str, Any]:
    """The review page's weights and costs, typed as the page's language writes numbers ("12,5" in
    Dutch and French, "12.5" in English; numberfields' one rule); an empty field is left out, and a
    figure that is no number is refused by its label with an example of how the language writes one."""
    typed: dict[str, Any] = {}
    for name, label in labels.items():
        value = request.POST.get(name, "")
        if not value.strip():
            continue
        try:
            typed[name] = typed_number(value)
        except NotANumber:
            raise actions.TenderError(
                label_text(
                    label, _("Enter a number, e.g. %(example)s.") % {"example": example(Decimal("1234.5"))}
                )
            ) from None
    return typed


def _keep_typed(request: HttpRequest, tender: Tender, lot: Lot, op: str) -> None:
    values = {
        key: value
        for key, value in request.POST.items()
        if key in TYPED_FIELDS[op] or (op == "weights" and key.startswith("weight_"))
    }
    request.session[TYPED] = {"tender": tender.pk, "lot": lot.number, "op": op, "values": values}


@login_required
def tender_review(request: HttpRequest, tender_id: int) -> HttpResponse:
    """Step 3: criterion by criterion, with types, weights and warnings."""
    tender = get_tender_for_user(request.user, tender_id)
    spec = actions.tender_spec(tender)
    typed = request.session.pop(TYPED, None) or {}
    if typed.get("tender") != tender.pk:
        typed = {}
    lots = []
    for lot in tender.lots.select_related("product_group").prefetch_related(
        "lot_criteria__criterion__requirements"
    ):
        # What the user typed in the form refused last (shown instead of the saved values), if this lot's.
        shown = typed.get("values", {}) if typed.get("lot") == lot.number else {}
        for row in lot.lot_criteria.all():
            row.typed_weight = shown.get(f"weight_{row.criterion.code}", "")  # type: ignore[attr-defined]
        used = {row.criterion_id for row in lot.lot_criteria.all()}
        available = Criterion.objects.filter(version=lot.version, product_groups=lot.product_group).exclude(
            pk__in=used
        )
        sections = [
            (label, [row for row in lot.lot_criteria.all() if row.type == value])
            for value, label in ((t.value, t.label) for t in _types())
        ]
        lots.append(
            {
                "lot": lot,
                "sections": sections,
                "available": available,
                "total": lot.award_weight_total(),
                "typed": shown,
            }
        )
    return render(
        request,
        "tenders/review.html",
        {
            "tender": tender,
            "lots": lots,
            "warnings": risk_messages(spec),
            "version_changes": actions.version_changes(tender),
            "step": 3,
            "convertible": [t.value for t in selection.CONVERTIBLE_TYPES],
            "price_rules": Lot.PriceRule.choices,
        },
    )


def _types() -> list[Any]:
    from cfit.criteria.models import CriterionType as Choices

    return list(Choices)


@require_POST
@login_required
def tender_edit(request: HttpRequest, tender_id: int) -> HttpResponse:
    """One change from the review page: add, remove, change type, or save weights."""
    tender = get_tender_for_user(request.user, tender_id, edit=True)
    lot = tender.lots.filter(
        number=request.POST.get("lot", "0") if request.POST.get("lot", "").isdigit() else 0
    ).first()
    op = request.POST.get("op", "")
    try:
        if lot is None:
            raise actions.TenderError(_("Unknown lot."))
        if op == "add":
            actions.add_criterion(lot, request.POST.get("criterion", ""), acting_user=request.user)
        elif op == "remove":
            actions.remove_criterion(lot, request.POST.get("criterion", ""), acting_user=request.user)
        elif op == "type":
            actions.set_criterion_type(
                lot, request.POST.get("criterion", ""), request.POST.get("type", ""), acting_user=request.user
            )
        elif op == "weights":
            typed = _typed_numbers(
                request,
                {"price_weight": _("Price weight")}
                | {
                    key: _("Weight of %(criterion)s") % {"criterion": key[7:]}
                    for key in request.POST
                    if key.startswith("weight_")
                },
            )
            weights = {key[7:]: value for key, value in typed.items() if key.startswith("weight_")}
            actions.set_weights(lot, typed.get("price_weight", ""), weights, acting_user=request.user)
        elif op == "costs":
            costs = _typed_numbers(
                request, {field: actions.LOT_LABELS[field] for field in actions.COST_FIELDS}
            )
            costs["service_life_years"] = request.POST.get("service_life_years", "")
            actions.set_costs(lot, costs, request.POST.get("price_rule"), acting_user=request.user)
        elif op == "move_version":
            version = (
                FrameworkVersion.objects.published().filter(code=request.POST.get("version", "")).first()
            )
            if version is None:
                raise actions.TenderError(_("Unknown framework version."))
            dropped = actions.move_lot_to_version(lot, version, acting_user=request.user)
            if dropped:
                messages.warning(
                    request,
                    _("Version %(v)s no longer has %(codes)s: removed from lot %(n)s; check the weights.")
                    % {"v": version.code, "codes": ", ".join(dropped), "n": lot.number},
                )
        elif op == "rebalance":
            award = [
                row.criterion.code
                for row in lot.lot_criteria.select_related("criterion")
                if row.type == CriterionType.AWARD_CRITERION
            ]
            price, quality_weights = selection.split_quality_points(award)
            actions.set_weights(lot, price, quality_weights, acting_user=request.user)
        else:
            raise actions.TenderError(_("Unknown change."))
    except actions.TenderError as error:
        messages.error(request, str(error))
        if lot is not None and op in TYPED_FIELDS:
            _keep_typed(request, tender, lot, op)
    except TenderFrozen as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("tenders:review", tender_id=tender.pk)


def published_notices(tender: Tender) -> list[Any]:
    """The published notices cfit found to be this tender's (organisation-scoped, as the tender)."""
    from cfit.notices.models import NoticeLink

    return list(
        NoticeLink.objects.filter(tender=tender).select_related("notice").order_by("notice__published")
    )


@login_required
def tender_detail(request: HttpRequest, tender_id: int) -> HttpResponse:
    """Step 4: the documents, the deadline for offers (posted here), and publishing."""
    tender = get_tender_for_user(request.user, tender_id, edit=request.method == "POST")
    deadline_form = OffersDeadlineForm(
        request.POST or None,
        initial={"offers_deadline": timezone.localtime(tender.offers_deadline)}
        if tender.offers_deadline
        else None,
    )
    if request.method == "POST" and deadline_form.is_valid():
        try:
            tender = actions.set_offers_deadline(
                tender, deadline_form.cleaned_data["offers_deadline"], acting_user=request.user
            )
        except actions.TenderError as error:
            deadline_form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Offers are received until %(deadline)s.")
                % {"deadline": actions.format_moment(deadline_form.cleaned_data["offers_deadline"])},
            )
            return redirect("tenders:detail", tender_id=tender.pk)
    spec = actions.tender_spec(tender)
    deadline_open = tender.offers_deadline is None or tender.offers_deadline > timezone.now()
    return render(
        request,
        "tenders/detail.html",
        {
            "tender": tender,
            "spec": spec,
            "formats": FORMATS.values(),
            "warnings": risk_messages(spec),
            "step": 4,
            "deadline_form": deadline_form,
            # A viewer reads the tender; the forms it may not send are not offered (they would end in a 403).
            "deadline_changeable": deadline_open
            and tender.status in {Tender.Status.DRAFT, Tender.Status.PUBLISHED}
            and may(request.user, Action.TENDER_EDIT, tender.organisation_id),
            "may_publish": may(request.user, Action.TENDER_PUBLISH, tender.organisation_id),
            "notice_links": published_notices(tender),
            # What the eForms notice leaves out of the buyer, and whether this user may fill it in.
            "missing_details": tender.organisation.missing_notice_details(),
            "missing_terms": tender.missing_notice_terms(),
            "may_edit_details": may(request.user, Action.ORGANISATION_PROFILE_EDIT, tender.organisation_id),
        },
    )


@login_required
def notice_terms(request: HttpRequest, tender_id: int) -> HttpResponse:
    """What the tender's contract notice states beyond its lots: answered by its procurers while it is
    a draft; read by every member."""
    tender = get_tender_for_user(request.user, tender_id, edit=request.method == "POST")
    editable = tender.is_draft and may(request.user, Action.TENDER_EDIT, tender.organisation_id)
    form = NoticeTermsForm(request.POST or None, instance=tender)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and editable and form.is_valid():
        try:
            actions.save_notice_terms(
                tender,
                {name: form.cleaned_data[name] for name in Tender.NOTICE_TERMS},
                acting_user=request.user,
            )
        except TenderFrozen:
            messages.error(request, _("The notice terms of a published tender cannot change."))
            return redirect("tenders:notice-terms", tender_id=tender.pk)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(
                request, _("The notice terms of %(reference)s are saved.") % {"reference": tender.reference}
            )
            return redirect("tenders:detail", tender_id=tender.pk)
    elif request.method == "POST" and not editable:
        messages.error(request, _("The notice terms of a published tender cannot change."))
        return redirect("tenders:notice-terms", tender_id=tender.pk)
    return render(
        request,
        "tenders/notice_terms.html",
        {"tender": tender, "form": form, "editable": editable, "missing": tender.missing_notice_terms()},
    )


@require_POST
@login_required
def tender_status(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id, edit=True, action=Action.TENDER_PUBLISH)
    try:
        actions.change_status(tender, request.POST.get("status", ""), acting_user=request.user)
    except actions.TenderError as error:
        messages.error(request, str(error))
    except TenderFrozen as error:
        messages.error(request, " ".join(error.messages))
    return redirect("tenders:detail", tender_id=tender.pk)


@login_required
def tender_download(request: HttpRequest, tender_id: int, fmt: str) -> HttpResponse:
    tender = get_tender_for_user(request.user, tender_id)
    if fmt not in FORMATS:
        from django.http import Http404

        raise Http404
    spec = actions.tender_spec(tender)
    export = FORMATS[fmt]
    try:
        data = export.render(spec)
    except NoticeError as error:  # e.g. a mini-competition, which publishes no contract notice
        messages.error(request, str(error))
        return redirect("tenders:detail", tender.pk)
    response = HttpResponse(data, content_type=export.content_type)
    return attachment(response, filename(spec, export))
