"""Permission-scoped getters for contracts: the buyer's members and the supplier's members, each their side.

The buyer reaches its contracts through the scoped manager (its organisations only). A supplier
organisation's members reach the contracts naming their organisation as supplier, through
``supplier_contracts``: never the buyer's other contracts, offers or evaluation. Everything else
answers 404, so that a guessed number reveals nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cfit.accounts.models import Membership
from cfit.accounts.permissions import Action, may
from cfit.contracts.models import Contract, Obligation, Submission


def _id(value: int | str) -> int:
    if not str(value).isdigit():
        raise Http404
    return int(value)


def get_contract_for_buyer(user: Any, contract_id: int | str, *, edit: bool = False) -> Contract:
    """The contract if the user is a member of the buyer (else 404); ``edit`` needs a role that may
    manage contracts (``contract.manage``, 403)."""
    if not user.is_authenticated:
        raise Http404
    contract = (
        Contract.objects.select_related(
            "organisation", "supplier_organisation", "framework_version", "tender"
        )
        .filter(pk=_id(contract_id))
        .first()
    )
    if contract is None:
        raise Http404
    if edit and not may(user, Action.CONTRACT_MANAGE, contract.organisation_id):
        raise PermissionDenied
    return contract


def supplier_contracts(user: Any) -> QuerySet[Contract]:
    """The contracts whose supplier organisation the user belongs to."""
    if not user.is_authenticated:
        return Contract.unscoped.none()
    organisations = Membership.objects.filter(user=user).values("organisation_id")
    return Contract.unscoped.filter(supplier_organisation_id__in=organisations)


def get_contract_for_supplier(user: Any, contract_id: int | str, *, edit: bool = False) -> Contract:
    """The contract if the user belongs to its supplier organisation (else 404); ``edit`` needs a role
    that may deliver evidence (``obligation.deliver``, 403)."""
    contract = (
        supplier_contracts(user)
        .select_related("organisation", "supplier_organisation")
        .filter(pk=_id(contract_id))
        .first()
    )
    if contract is None:
        raise Http404
    if edit and not may(user, Action.OBLIGATION_DELIVER, contract.supplier_organisation_id):
        raise PermissionDenied
    return contract


def get_obligation(contract: Contract, obligation_id: int | str) -> Obligation:
    """An obligation of a contract already reached through one of the getters above."""
    obligation = (
        Obligation.objects.select_related("contract_criterion__criterion", "checker")
        .filter(pk=_id(obligation_id), contract=contract)
        .first()
    )
    if obligation is None:
        raise Http404
    obligation.contract = contract
    return obligation


def get_submission(obligation: Obligation, submission_id: int | str) -> Submission:
    submission = Submission.objects.filter(pk=_id(submission_id), obligation=obligation).first()
    if submission is None:
        raise Http404
    return submission
