"""``{% minerals_summary contract side %}``: the contract page's line on its CMRT/EMRT smelter check;
``{% obligation_minerals obligation side %}``: the same line on an obligation's page, for its delivery;
``{{ metal|metal }}``: a metal's name in the reader's language (the templates name them in English);
``{{ smelter.country|country }}``: a smelter's country likewise."""

from __future__ import annotations

from typing import Any

from django import template

from cfit.duediligence.figures import contract_checks, report_check
from cfit.duediligence.models import MineralsReport
from cfit.duediligence.problems import metal_name
from cfit.joining.countries import country_name

register = template.Library()


@register.filter
def metal(name: str) -> str:
    """The metal's name in the active language; a name the templates do not use is shown as given."""
    return metal_name(name)


@register.filter
def country(name: str) -> str:
    """The country's name in the active language; a name pycountry does not know is shown as given."""
    return country_name(name)


@register.inclusion_tag("duediligence/_summary.html")
def minerals_summary(contract: Any, side: str) -> dict[str, Any]:
    checks = contract_checks(contract)
    return {"contract": contract, "side": side, "latest": checks[0] if checks else None, "count": len(checks)}


@register.inclusion_tag("duediligence/_summary.html")
def obligation_minerals(obligation: Any, side: str) -> dict[str, Any]:
    """The smelter check of the CMRT/EMRT the obligation's standing delivery holds (none: nothing shown)."""
    report = (
        MineralsReport.objects.filter(submission__obligation=obligation, submission__set_aside="")
        .select_related("submission")
        .prefetch_related("smelters")
        .order_by("-submission__submitted_at", "-id")
        .first()
    )
    return {
        "contract": obligation.contract,
        "side": side,
        "latest": report_check(report) if report is not None else None,
        "count": int(report is not None),
    }
