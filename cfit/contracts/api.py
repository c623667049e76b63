"""/api/v1/contracts/: a buyer's own contracts and their obligations; a supplier's own contracts, and the
evidence it delivers (a file, figures, a declaration), replaces or withdraws until the buyer decides
(a token or a session). Another organisation's contract is 404, as a missing one."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cfit.accounts.tokens import API_AUTH
from cfit.apierrors import ErrorOut
from cfit.apipaging import PageIn, changed_after, page_of
from cfit.contracts import actions
from cfit.contracts.access import (
    get_contract_for_buyer,
    get_contract_for_supplier,
    get_obligation,
    supplier_contracts,
)
from cfit.contracts.labels import shown
from cfit.contracts.models import Contract, Obligation, Submission
from cfit.contracts.schedule import Kind
from cfit.duediligence.figures import report_check
from cfit.duediligence.models import MineralsReport
from cfit.uploads import MAX_IMPORT_BYTES, describe_size

router = Router(tags=["contracts"], auth=API_AUTH)


class ContractOut(Schema):
    id: int
    reference: str
    title: str
    buyer: str
    supplier: str
    value: Decimal
    currency: str
    start_date: date
    end_date: date
    framework_version: str
    updated: datetime = Field(
        description="When the contract or one of its obligations, deliveries or findings last changed "
        "(modified_since compares it)"
    )


class ContractPageIn(PageIn):
    """The API's one paging (cfit.apipaging), as the assets'."""

    modified_since: datetime | None = Field(
        None,
        description="Only the contracts changed after then (ISO 8601, with its offset): send the largest "
        "`updated` of the last sync",
    )


class ContractPageOut(Schema):
    count: int
    page: int
    contracts: list[ContractOut]


class ContractFigureOut(Schema):
    key: str
    label: str
    unit: str


class ContractObligationOut(Schema):
    id: int
    criterion: str = Field(description="the criterion's code")
    kind: str = Field(description="document, figure or declaration")
    period: int
    due_date: date
    state: str = Field(description="due, late, delivered, accepted, returned or disputed")
    figures: list[ContractFigureOut]
    delivered: dict[str, str] = Field(description="the figures of the latest delivery, by key")


class ContractDetailOut(ContractOut):
    obligations: list[ContractObligationOut]


class ContractFiguresIn(Schema):
    values: dict[str, str] = Field(description="each figure asked, by key; numbers as text ('1.234,5' reads)")
    comment: str = Field("", max_length=2000)


class EvidenceIn(Schema):
    """The form fields that come with an evidence file (multipart/form-data)."""

    values: str = Field(
        "{}",
        description="each figure the obligation asks for, by key, as a JSON object of numbers as text: "
        '{"units_reused": "120", "weight_recycled": "1.234,5"}',
    )
    declared: bool = Field(False, description="the declaration, where the obligation asks for one")
    comment: str = Field("", max_length=2000)
    replace: bool = Field(
        False,
        description="replace the delivery the buyer has not decided on yet (409 once accepted or returned); "
        "the earlier one is kept in the trail",
    )


class MetalShareOut(Schema):
    metal: str = Field(description="as the template writes it (Gold, Tin, Cobalt…)")
    smelters: int = Field(description="distinct smelters identified for the metal")
    conformant: int = Field(description="of them, conformant in the conformance list in force")


class MineralsCheckOut(Schema):
    """The smelter check of a delivered CMRT/EMRT, as the contract page sums it up."""

    kind: Literal["CMRT", "EMRT"]
    revision: str
    company_name: str
    effective_date: date | None
    smelters: int = Field(description="rows of its smelter list")
    flagged: int = Field(description="smelters the check flags (see the smelter check page)")
    shares: list[MetalShareOut]


class EvidenceOut(Schema):
    """What was stored: the delivery's checksum and the obligation's state."""

    id: int
    obligation: int
    state: str = Field(description="the obligation's state: delivered")
    filename: str = Field(description="as stored (a macro-enabled CMRT is stored without its macros, .xlsx)")
    content_type: str = Field(description="the kind the content was checked to be, not the one sent")
    size: int
    sha256: str
    figures: dict[str, str]
    declared: bool
    submitted_at: datetime
    replaced: int | None = Field(description="the delivery this one replaced, kept in the trail")
    minerals: MineralsCheckOut | None = Field(
        None,
        description="the smelter check of the CMRT/EMRT the file is; null for other evidence. Where the "
        "obligation asks for a CMRT or an EMRT, anything else (not an .xlsx or .xlsm workbook, a workbook "
        "without the template's Declaration sheet, the other template) is refused with 400, nothing stored",
    )


class WithdrawIn(Schema):
    comment: str = Field(min_length=1, max_length=2000, description="why the delivery is withdrawn")


def _contract(contract: Contract) -> dict[str, object]:
    return {
        "id": contract.pk, "reference": contract.reference, "title": contract.title,
        "buyer": contract.organisation.name, "supplier": contract.supplier_name, "value": contract.value,
        "currency": contract.currency, "start_date": contract.start_date, "end_date": contract.end_date,
        "framework_version": contract.framework_version.code, "updated": contract.updated,
    }  # fmt: skip


def _obligation(obligation: Obligation) -> dict[str, object]:
    latest = obligation.current_submission()
    return {
        "id": obligation.pk, "criterion": obligation.contract_criterion.criterion.code,
        "kind": obligation.kind, "period": obligation.period, "due_date": obligation.due_date,
        "state": obligation.state, "figures": [shown(f) for f in obligation.figures],
        "delivered": dict(latest.values) if latest is not None else {},
    }  # fmt: skip


def _detail(contract: Contract) -> dict[str, object]:
    obligations = contract.obligations.select_related("contract_criterion__criterion").prefetch_related(
        "submissions"
    )
    return {**_contract(contract), "obligations": [_obligation(o) for o in obligations]}


def _page(contracts: QuerySet[Contract], paging: ContractPageIn) -> dict[str, object]:
    # The model's order (latest start first) with the id last, so that no contract shows on two pages.
    if paging.modified_since:
        contracts = changed_after(contracts, paging.modified_since)
    contracts = contracts.select_related("organisation", "framework_version").order_by(
        "-start_date", "reference", "id"
    )
    return page_of(contracts, paging, "contracts", _contract)


@router.get("/contracts/", response=ContractPageOut)
def list_contracts(request: HttpRequest, paging: Query[ContractPageIn]) -> dict[str, object]:
    """The contracts of the buyers the user belongs to, a page at a time (latest start first)."""
    return _page(Contract.objects.all(), paging)


@router.get("/contracts/supplied/", response=ContractPageOut)
def list_supplied_contracts(request: HttpRequest, paging: Query[ContractPageIn]) -> dict[str, object]:
    """The contracts the user's organisations supply, a page at a time (latest start first)."""
    return _page(supplier_contracts(request.user), paging)


@router.get("/contracts/{contract_id}/", response=ContractDetailOut)
def get_contract(request: HttpRequest, contract_id: int) -> dict[str, object]:
    """A buyer's contract with its obligations and their states."""
    return _detail(get_contract_for_buyer(request.user, contract_id))


@router.get("/contracts/supplied/{contract_id}/", response=ContractDetailOut)
def get_supplied_contract(request: HttpRequest, contract_id: int) -> dict[str, object]:
    """A contract the user's organisation supplies, with what it owes."""
    return _detail(get_contract_for_supplier(request.user, contract_id))


@router.post(
    "/contracts/supplied/{contract_id}/obligations/{obligation_id}/figures/", response=ContractObligationOut
)
def deliver_figures(
    request: HttpRequest, contract_id: int, obligation_id: int, payload: ContractFiguresIn
) -> dict[str, object]:
    """The supplier delivers the figures an obligation asks for (take-back volumes, repairs…)."""
    contract = get_contract_for_supplier(request.user, contract_id, edit=True)
    obligation = get_obligation(contract, obligation_id)
    if obligation.kind != Kind.FIGURE:
        # Said in the caller's language, as every refusal of the API (a Norwegian program got English).
        raise HttpError(400, _("This obligation asks for a document or a declaration, not figures."))
    try:
        actions.deliver(obligation, acting_user=request.user, values=payload.values, comment=payload.comment)
    except actions.ContractError as error:
        raise HttpError(400, str(error)) from None
    obligation = get_obligation(contract, obligation_id)
    return _obligation(obligation)


def _figures(text: str) -> dict[str, str]:
    """The ``values`` field: a JSON object of figures by key (numbers as text or as numbers)."""
    try:
        values = json.loads(text or "{}")
    except ValueError:
        values = None
    if not isinstance(values, dict) or not all(isinstance(v, str | int | float) for v in values.values()):
        raise ValidationError(
            {"values": _('Send the figures as a JSON object by key, e.g. {"units_reused": "120"}.')}
        )
    return {str(key): str(value) for key, value in values.items()}


@router.post(
    "/contracts/supplied/{contract_id}/obligations/{obligation_id}/evidence/",
    response={201: EvidenceOut, 409: ErrorOut},
)
def deliver_evidence(
    request: HttpRequest,
    contract_id: int,
    obligation_id: int,
    payload: Form[EvidenceIn],
    file: File[UploadedFile | None] = None,
) -> Status:
    """The supplier delivers an obligation's evidence, as its page does: a file (its kind checked by its
    content, at most the platform's limit), the figures asked for, the declaration. With ``replace``, a
    delivery the buyer has not decided on is replaced (kept in the trail); 409 once it has decided."""
    contract = get_contract_for_supplier(request.user, contract_id, edit=True)
    obligation = get_obligation(contract, obligation_id)
    values = _figures(payload.values)
    if file is not None and file.size and file.size > MAX_IMPORT_BYTES:
        raise HttpError(
            413,
            _("%(file)s is larger than %(size)s.")
            % {"file": file.name, "size": describe_size(MAX_IMPORT_BYTES)},
        )
    deliver = actions.replace_delivery if payload.replace else actions.deliver
    earlier = obligation.submissions.current().order_by("-submitted_at", "-id").first()
    try:
        submission = deliver(
            obligation,
            acting_user=request.user,
            data=file.read() if file is not None else None,
            filename=(file.name or "evidence") if file is not None else "",
            values=values,
            declared=payload.declared,
            comment=payload.comment,
        )
    except actions.EvidenceLocked as error:
        raise HttpError(409, str(error)) from None
    except actions.ContractError as error:
        raise HttpError(400, str(error)) from None
    return Status(201, _receipt(submission, earlier if payload.replace else None))


def _receipt(submission: Submission, replaced: Submission | None) -> dict[str, object]:
    return {
        "id": submission.pk, "obligation": submission.obligation_id,
        "state": submission.obligation.status, "filename": submission.filename,
        "content_type": submission.content_type, "size": submission.size, "sha256": submission.sha256,
        "figures": dict(submission.values), "declared": submission.declared,
        "submitted_at": submission.submitted_at, "replaced": replaced.pk if replaced else None,
        "minerals": _minerals(submission),
    }  # fmt: skip


def _minerals(submission: Submission) -> dict[str, object] | None:
    report = MineralsReport.objects.filter(submission=submission).prefetch_related("smelters").first()
    if report is None:
        return None
    check = report_check(report)
    return {
        "kind": report.kind, "revision": report.revision, "company_name": report.company_name,
        "effective_date": report.effective_date, "smelters": len(check.rows), "flagged": check.flagged,
        "shares": [{"metal": s.metal, "smelters": s.smelters, "conformant": s.conformant} for s in check.shares],
    }  # fmt: skip


@router.post(
    "/contracts/supplied/{contract_id}/obligations/{obligation_id}/withdraw/",
    response={200: ContractObligationOut, 409: ErrorOut},
)
def withdraw_evidence(
    request: HttpRequest, contract_id: int, obligation_id: int, payload: WithdrawIn
) -> dict[str, object]:
    """The supplier withdraws a delivery the buyer has not decided on, saying why: the obligation is owed
    again; the delivery is kept in the trail. 409 once the buyer has accepted or returned it."""
    contract = get_contract_for_supplier(request.user, contract_id, edit=True)
    obligation = get_obligation(contract, obligation_id)
    try:
        actions.withdraw_delivery(obligation, acting_user=request.user, comment=payload.comment)
    except actions.EvidenceLocked as error:
        raise HttpError(409, str(error)) from None
    except actions.ContractError as error:
        raise HttpError(400, str(error)) from None
    return _obligation(get_obligation(contract, obligation_id))
