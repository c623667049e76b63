"""/api/v1/contracts/: a buyer's own contracts and their obligations; a supplier's own contracts, and the
figures it delivers (session authentication). Another organisation's contract is 404, as a missing one."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cfit.accounts.tokens import API_AUTH
from cfit.apipaging import PageIn, changed_after, page_of
from cfit.contracts import actions
from cfit.contracts.access import (
    get_contract_for_buyer,
    get_contract_for_supplier,
    get_obligation,
    supplier_contracts,
)
from cfit.contracts.labels import shown
from cfit.contracts.models import Contract, Obligation
from cfit.contracts.schedule import Kind

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


def _contract(contract: Contract) -> dict[str, object]:
    return {
        "id": contract.pk, "reference": contract.reference, "title": contract.title,
        "buyer": contract.organisation.name, "supplier": contract.supplier_name, "value": contract.value,
        "currency": contract.currency, "start_date": contract.start_date, "end_date": contract.end_date,
        "framework_version": contract.framework_version.code, "updated": contract.updated,
    }  # fmt: skip


def _obligation(obligation: Obligation) -> dict[str, object]:
    latest = max(obligation.submissions.all(), key=lambda s: (s.submitted_at, s.pk), default=None)
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
