"""``{% minerals_summary contract side %}``: the contract page's line on its CMRT/EMRT smelter check."""

from __future__ import annotations

from typing import Any

from django import template

from cfit.duediligence.figures import contract_checks

register = template.Library()


@register.inclusion_tag("duediligence/_summary.html")
def minerals_summary(contract: Any, side: str) -> dict[str, Any]:
    checks = contract_checks(contract)
    return {"contract": contract, "side": side, "latest": checks[0] if checks else None, "count": len(checks)}
