"""Pages for contracts: the buyer's side (award, enter, check evidence) and the supplier's side (deliver)."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.accounts.access import get_organisation_for
from cfit.accounts.permissions import Action, may, memberships_that_may
from cfit.contracts import actions
from cfit.contracts.access import (
    get_contract_for_buyer,
    get_contract_for_supplier,
    get_obligation,
    get_submission,
    supplier_contracts,
)
from cfit.contracts.forms import (
    AwardLotForm,
    CloseFindingForm,
    ContractForm,
    ContractImportForm,
    DecisionForm,
    DeliveryForm,
    DisputeForm,
    FindingForm,
    FrequencyForm,
    RecordDeliveryForm,
    WithdrawForm,
)
from cfit.contracts.models import Contract, ContractCriterion, Finding, Obligation, Submission
from cfit.contracts.problems import describe
from cfit.contracts.rows import RowsRefused
from cfit.contracts.schedule import PER_DELIVERY_AFTER_DAYS, Frequency
from cfit.criteria.models import CriterionType, FrameworkVersion
from cfit.downloads import attachment
from cfit.duediligence.actions import expected_templates
from cfit.duediligence.models import MineralsReport
from cfit.tenders.access import get_tender_for_user
from cfit.tenders.models import Tender
from cfit.uploadfields import limited_file_attrs
from cfit.uploads import EVIDENCE_TYPES

STATE_ORDER = ("late", "due", "returned", "disputed", "delivered", "accepted")


def _obligations(contract: Contract) -> list[Obligation]:
    rows = list(
        contract.obligations.select_related("contract_criterion__criterion", "checker")
        .prefetch_related("events__by", "submissions")
        .order_by("due_date", "id")
    )
    for row in rows:
        row.contract = contract
    return rows


def _counts(obligations: list[Obligation]) -> list[tuple[str, int]]:
    counts = Counter(o.state for o in obligations)
    return [(state, counts[state]) for state in STATE_ORDER]


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    buyer = Contract.objects.select_related("organisation").order_by("-start_date", "reference")
    supplied = supplier_contracts(request.user).select_related("organisation").order_by("-start_date")
    editor_orgs = memberships_that_may(Action.CONTRACT_MANAGE, request.user)
    return render(
        request,
        "contracts/list.html",
        {
            "contracts": buyer,
            "supplied": supplied,
            "entering": [m.organisation for m in editor_orgs if m.organisation.is_participant],
        },
    )


@login_required
def contract_enter(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """An existing contract entered by hand, with the clauses it carries."""
    organisation = get_organisation_for(request.user, organisation_slug, Action.CONTRACT_MANAGE)
    version = FrameworkVersion.objects.latest_published()
    form = ContractForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid() and version is not None:
        data = form.cleaned_data
        try:
            contract = actions.create_contract(
                organisation,
                reference=data["reference"],
                title=data["title"],
                supplier_name=data["supplier_name"],
                supplier_organisation=data["supplier_organisation"],
                value=data["value"],
                currency=data["currency"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                framework_version=version,
                criteria=[(c, CriterionType.CONTRACT_PERFORMANCE_CLAUSE) for c in data["clauses"]],
                acting_user=request.user,
            )
        except actions.ContractError as error:
            form.add_error(None, str(error))
        else:
            return redirect("contracts:detail", contract_id=contract.pk)
    return render(request, "contracts/enter.html", {"form": form, "organisation": organisation})


@login_required
def contract_import(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """Existing contracts from a CSV or XLSX file, all or nothing, problems by row and column."""
    organisation = get_organisation_for(request.user, organisation_slug, Action.CONTRACT_MANAGE)
    if not organisation.is_participant:
        raise Http404
    form = ContractImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imported = actions.import_contracts(
                organisation,
                upload.read(),
                upload.name,
                acting_user=request.user,
                sheet=form.cleaned_data["sheet"].strip() or None,
            )
        except RowsRefused as error:
            problems = [describe(p) for p in error.problems]
            if error.count > len(error.problems):
                problems.append(
                    _("%(count)s more problem(s) not listed") % {"count": error.count - len(error.problems)}
                )
        except actions.ContractError as error:
            problems = [str(error)]
        else:
            count = len(imported.contracts)
            if imported.sheet:
                messages.success(
                    request,
                    _("%(count)s contract(s) imported from the sheet %(sheet)s.")
                    % {"count": count, "sheet": imported.sheet},
                )
            else:
                messages.success(request, _("%(count)s contract(s) imported.") % {"count": count})
            return redirect("contracts:list")
    return render(
        request, "contracts/import.html", {"form": form, "organisation": organisation, "problems": problems}
    )


@login_required
def tender_contracts(request: HttpRequest, tender_id: int) -> HttpResponse:
    """An awarded tender's lots, their winners, and the contracts made of them."""
    tender = get_tender_for_user(request.user, tender_id, edit=request.method == "POST")
    existing = {c.lot_id: c for c in Contract.objects.filter(tender=tender)}
    awarded = tender.status == Tender.Status.AWARDED
    if request.method == "POST" and awarded:
        form = AwardLotForm(request.POST)
        if form.is_valid():
            try:
                contract = actions.award_lot(
                    tender,
                    form.cleaned_data["lot"],
                    start_date=form.cleaned_data["start_date"],
                    end_date=form.cleaned_data["end_date"],
                    supplier_organisation=form.cleaned_data["supplier_organisation"],
                    acting_user=request.user,
                )
            except actions.ContractError as error:
                messages.error(request, str(error))
            else:
                return redirect("contracts:detail", contract_id=contract.pk)
        else:
            messages.error(request, _("Check the contract's dates."))
    winners = actions.lot_winners(tender) if awarded else []
    rows = [
        (w, existing.get(w.lot.pk), AwardLotForm(initial={"lot": w.lot.number}, prefix=f"lot{w.lot.number}"))
        for w in winners
    ]
    return render(request, "contracts/tender.html", {"tender": tender, "awarded": awarded, "rows": rows})


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    return _detail_page(request, get_contract_for_buyer(request.user, contract_id))


def _detail_page(
    request: HttpRequest, contract: Contract, *, delivery_form: RecordDeliveryForm | None = None
) -> HttpResponse:
    """The buyer's page of a contract; a refused delivery shows again with its field errors (400)."""
    obligations = _obligations(contract)
    may_decide = may(request.user, Action.CONTRACT_MANAGE, contract.organisation_id)
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "obligations": obligations,
            "counts": _counts(obligations),
            "criteria": contract.criteria.select_related("criterion"),
            "may_decide": may_decide,
            "frequency_form": FrequencyForm(),
            "finding_form": FindingForm(prefix="finding", contract=contract),
            "delivery_form": delivery_form or RecordDeliveryForm(prefix="delivery", contract=contract),
            "deliveries": contract.deliveries.all(),
            "per_delivery_days": PER_DELIVERY_AFTER_DAYS,
            "findings": contract.findings.select_related(
                "raised_by", "closed_by", "obligation__contract_criterion__criterion"
            ),
            "side": "buyer",
        },
        status=400 if delivery_form is not None else 200,
    )


@login_required
@require_POST
def obligation_decide(request: HttpRequest, contract_id: int, obligation_id: int) -> HttpResponse:
    contract = get_contract_for_buyer(request.user, contract_id, edit=True)
    obligation = get_obligation(contract, obligation_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        comment, seen = form.cleaned_data["comment"], form.cleaned_data["seen"]
        try:
            if form.cleaned_data["decision"] == "accept":
                actions.accept(obligation, acting_user=request.user, comment=comment, seen=seen)
                messages.success(request, _("Accepted."))
            else:
                actions.return_obligation(obligation, acting_user=request.user, comment=comment, seen=seen)
                messages.success(request, _("Returned to the supplier with your comment."))
        except actions.ContractError as error:
            messages.error(request, str(error))
    return redirect(reverse("contracts:detail", args=[contract.pk]) + f"#obligation-{obligation.pk}")


@login_required
@require_POST
def delivery_record(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The buyer records a delivery; each criterion reported per delivery falls due after it."""
    contract = get_contract_for_buyer(request.user, contract_id, edit=True)
    form = RecordDeliveryForm(request.POST, prefix="delivery", contract=contract)
    if not form.is_valid():
        return _detail_page(request, contract, delivery_form=form)
    day = form.cleaned_data["delivered_on"]
    try:
        recorded = actions.record_delivery(
            contract, day, acting_user=request.user, note=form.cleaned_data["note"]
        )
    except actions.ContractError as error:  # a contract changed since the form was checked
        form.add_error("delivered_on", str(error))
        return _detail_page(request, contract, delivery_form=form)
    due = recorded.obligations_created
    shown = formats.date_format(day, "SHORT_DATE_FORMAT")
    messages.success(
        request,
        ngettext(
            "The delivery of %(date)s is recorded: %(n)s obligation falls due after it.",
            "The delivery of %(date)s is recorded: %(n)s obligations fall due after it.",
            due,
        )
        % {"date": shown, "n": due},
    )
    return redirect(reverse("contracts:detail", args=[contract.pk]) + "#deliveries")


@login_required
@require_POST
def criterion_frequency(request: HttpRequest, contract_id: int, row_id: int) -> HttpResponse:
    contract = get_contract_for_buyer(request.user, contract_id, edit=True)
    row = ContractCriterion.objects.filter(pk=row_id, contract=contract).select_related("criterion").first()
    form = FrequencyForm(request.POST)
    if row is not None and form.is_valid():
        row.contract = contract
        try:
            actions.change_frequency(row, Frequency(form.cleaned_data["frequency"]), acting_user=request.user)
        except actions.ContractError as error:
            messages.error(request, str(error))
    return redirect("contracts:detail", contract_id=contract.pk)


def _evidence(obligation: Obligation, submission_id: int) -> HttpResponse:
    submission = get_submission(obligation, submission_id)
    if not submission.data:
        return HttpResponse(status=404)
    # Served as a download, never rendered: the file is the supplier's and untrusted.
    response = HttpResponse(bytes(submission.data), content_type="application/octet-stream")
    return attachment(response, submission.filename)


@login_required
def buyer_evidence(
    request: HttpRequest, contract_id: int, obligation_id: int, submission_id: int
) -> HttpResponse:
    contract = get_contract_for_buyer(request.user, contract_id)
    return _evidence(get_obligation(contract, obligation_id), submission_id)


# -- the supplier's side --------------------------------------------------------------------------


@login_required
def supplier_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = get_contract_for_supplier(request.user, contract_id)
    obligations = _obligations(contract)
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "obligations": obligations,
            "counts": _counts(obligations),
            "findings": contract.findings.select_related(
                "raised_by", "closed_by", "obligation__contract_criterion__criterion"
            ),
            "side": "supplier",
            # A viewer of the supplier reads; the deliver and close forms would end in a 403 for it.
            "may_deliver": may(request.user, Action.OBLIGATION_DELIVER, contract.supplier_organisation_id),
            # the closing evidence's input: the limit and kinds said before the upload, as the deliver form's
            "evidence_attrs": limited_file_attrs(kinds=EVIDENCE_TYPES),
        },
    )


@login_required
def supplier_obligation(request: HttpRequest, contract_id: int, obligation_id: int) -> HttpResponse:
    """Deliver the evidence of one obligation, replace or withdraw a delivery the buyer has not decided
    on yet, or dispute a return."""
    contract = get_contract_for_supplier(request.user, contract_id, edit=request.method == "POST")
    obligation = get_obligation(contract, obligation_id)
    sent = request.POST.get("form")
    form = DeliveryForm(
        request.POST if sent in ("deliver", "replace") else None,
        request.FILES or None,
        figures=obligation.figures,
        template=expected_templates(obligation),
    )
    dispute_form = DisputeForm(request.POST if sent == "dispute" else None)
    withdraw_form = WithdrawForm(request.POST if sent == "withdraw" else None, prefix="withdraw")
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                upload = form.cleaned_data["file"]
                deliver = actions.replace_delivery if sent == "replace" else actions.deliver
                submission = deliver(
                    obligation,
                    acting_user=request.user,
                    data=upload.read() if upload else None,
                    filename=upload.name if upload else "",
                    content_type=getattr(upload, "content_type", "") or "",
                    values={
                        f["key"]: form.cleaned_data.get(f"figure_{f['key']}", "") for f in obligation.figures
                    },
                    declared=form.cleaned_data["declared"],
                    comment=form.cleaned_data["comment"],
                    language=get_language(),
                )
                if sent == "replace":
                    messages.success(
                        request,
                        _("Replaced: the buyer checks the new delivery; the earlier one stays in the trail."),
                    )
                else:
                    messages.success(request, _("Delivered: the buyer checks it now."))
                if upload and submission.filename != upload.name:
                    messages.info(
                        request,
                        _("%(file)s was stored without its macros, as %(stored)s: nothing in it was run.")
                        % {"file": upload.name, "stored": submission.filename},
                    )
                _tell_flagged_smelters(request, contract, submission)
                return redirect("contracts:supplier", contract_id=contract.pk)
            if withdraw_form.is_bound and withdraw_form.is_valid():
                actions.withdraw_delivery(
                    obligation, acting_user=request.user, comment=withdraw_form.cleaned_data["comment"]
                )
                messages.success(request, _("Withdrawn: the obligation is yours to deliver again."))
                return redirect("contracts:supplier", contract_id=contract.pk)
            if dispute_form.is_bound and dispute_form.is_valid():
                actions.dispute(
                    obligation, acting_user=request.user, comment=dispute_form.cleaned_data["comment"]
                )
                messages.success(request, _("Your dispute was sent to the buyer."))
                return redirect("contracts:supplier", contract_id=contract.pk)
        except actions.ContractError as error:
            obligation.refresh_from_db(fields=["status", "changed"])
            bound = next((f for f in (form, withdraw_form, dispute_form) if f.is_bound), form)
            if _form_shown(obligation, sent):
                bound.add_error(None, str(error))
            else:  # a page left open, a form replayed: the form is gone, the refusal is said above
                messages.error(request, str(error))
    return render(
        request,
        "contracts/deliver.html",
        {
            "contract": contract,
            "obligation": obligation,
            "form": form,
            "dispute_form": dispute_form,
            "withdraw_form": withdraw_form,
            "sent": sent,
            "current": obligation.submissions.current().order_by("-submitted_at", "-id").first(),
            "events": obligation.events.select_related("by", "submission"),
            "may_deliver": may(request.user, Action.OBLIGATION_DELIVER, contract.supplier_organisation_id),
        },
    )


def _form_shown(obligation: Obligation, sent: str | None) -> bool:
    """Whether the deliver page shows the form ``sent`` for the obligation's state (``deliver.html``)."""
    match sent:
        case "replace" | "withdraw":
            return obligation.status == Obligation.Status.DELIVERED
        case "dispute":
            return obligation.status == Obligation.Status.RETURNED
    return obligation.status in Obligation.OPEN


def _tell_flagged_smelters(request: HttpRequest, contract: Contract, submission: Submission) -> None:
    """A CMRT/EMRT whose smelters its own look-up list flags (an identification typed wrong, a name or
    a metal not the smelter's): said at once, with the rows, rather than found by the buyer alone."""
    report = MineralsReport.objects.filter(submission=submission).first()
    if report is None:
        return
    rows = sorted({s.row for s in report.smelters.all() if s.findings})
    if not rows:
        return
    messages.warning(
        request,
        ngettext(
            "The smelter check flags row %(rows)s of your smelter list: see the smelter check, and tell "
            "the buyer if it needs correcting.",
            "The smelter check flags rows %(rows)s of your smelter list: see the smelter check, and tell "
            "the buyer if they need correcting.",
            len(rows),
        )
        % {"rows": ", ".join(str(row) for row in rows)},
    )


@login_required
def supplier_evidence(
    request: HttpRequest, contract_id: int, obligation_id: int, submission_id: int
) -> HttpResponse:
    contract = get_contract_for_supplier(request.user, contract_id)
    return _evidence(get_obligation(contract, obligation_id), submission_id)


# -- findings and corrective actions --------------------------------------------------------------


@login_required
@require_POST
def finding_open(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = get_contract_for_buyer(request.user, contract_id, edit=True)
    form = FindingForm(request.POST, prefix="finding", contract=contract)
    if form.is_valid():
        try:
            actions.open_finding(contract, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("The finding is recorded; the supplier sees its corrective action."))
        except actions.ContractError as error:
            messages.error(request, str(error))
    else:
        # Each field that is wrong, by its label: a missing text, a date, an obligation not of this contract.
        wrong = "; ".join(
            f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, _("The finding is not recorded. %(wrong)s") % {"wrong": wrong})
    return redirect(reverse("contracts:detail", args=[contract.pk]) + "#findings")


def _finding(contract: Contract, finding_id: int) -> Finding:
    finding = Finding.objects.filter(pk=finding_id, contract=contract).first()
    if finding is None:
        raise Http404
    return finding


@login_required
@require_POST
def finding_close(request: HttpRequest, contract_id: int, finding_id: int) -> HttpResponse:
    contract = get_contract_for_supplier(request.user, contract_id, edit=True)
    finding = _finding(contract, finding_id)
    form = CloseFindingForm(request.POST, request.FILES, prefix="close")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            actions.close_finding(
                finding, acting_user=request.user, data=upload.read(), filename=upload.name,
                note=form.cleaned_data["note"],
            )  # fmt: skip
            messages.success(request, _("The corrective action is closed with your evidence."))
        except actions.ContractError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Attach the evidence and say how the finding was remedied."))
    return redirect(reverse("contracts:supplier", args=[contract.pk]) + "#findings")


def _finding_evidence(finding: Finding) -> HttpResponse:
    if not finding.evidence:
        raise Http404
    response = HttpResponse(bytes(finding.evidence), content_type="application/octet-stream")
    return attachment(response, finding.evidence_name)


@login_required
def buyer_finding_evidence(request: HttpRequest, contract_id: int, finding_id: int) -> HttpResponse:
    contract = get_contract_for_buyer(request.user, contract_id)
    return _finding_evidence(_finding(contract, finding_id))


@login_required
def supplier_finding_evidence(request: HttpRequest, contract_id: int, finding_id: int) -> HttpResponse:
    contract = get_contract_for_supplier(request.user, contract_id)
    return _finding_evidence(_finding(contract, finding_id))
