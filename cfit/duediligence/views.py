"""The smelter check of a contract's delivered CMRT/EMRT templates, for the buyer and the supplier."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cfit.accounts.permissions import Action, may
from cfit.contracts.access import get_contract_for_buyer, get_contract_for_supplier
from cfit.duediligence.figures import contract_checks, supplier_trend, trend


@login_required
def contract_minerals(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The buyer's view: each template's smelters checked, the shares by metal, per contract and
    across the buyer's contracts with the same supplier, year by year."""
    contract = get_contract_for_buyer(request.user, contract_id)
    checks = contract_checks(contract)
    return render(
        request,
        "duediligence/contract.html",
        {
            "contract": contract,
            "checks": checks,
            "contract_trend": trend(c.report for c in checks),
            "supplier_trend": supplier_trend(contract),
            "side": "buyer",
            # a smelter that is not conformant opens a finding on the contract (its corrective action)
            "may_decide": may(request.user, Action.CONTRACT_MANAGE, contract.organisation_id),
        },
    )


@login_required
def supplier_minerals(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The supplier's view of its own templates under one contract (never the buyer's other contracts)."""
    contract = get_contract_for_supplier(request.user, contract_id)
    checks = contract_checks(contract)
    return render(
        request,
        "duediligence/contract.html",
        {
            "contract": contract,
            "checks": checks,
            "contract_trend": trend(c.report for c in checks),
            "side": "supplier",
        },
    )
