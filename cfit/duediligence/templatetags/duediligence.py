"""``{% minerals_summary contract side %}``: the contract page's line on its CMRT/EMRT smelter check;
``{{ metal|metal }}``: a metal's name in the reader's language (the templates name them in English)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from cfit.duediligence.figures import contract_checks

register = template.Library()

#: The 3TG of the CMRT and the minerals of the EMRT (1.x: cobalt, mica; 2.x adds copper, graphite,
#: lithium, nickel), as the templates write them.
METALS = {
    "Gold": _("Gold"),
    "Tantalum": _("Tantalum"),
    "Tin": _("Tin"),
    "Tungsten": _("Tungsten"),
    "Cobalt": _("Cobalt"),
    "Mica": _("Mica"),
    "Copper": _("Copper"),
    "Graphite": _("Graphite"),
    "Lithium": _("Lithium"),
    "Nickel": _("Nickel"),
}


@register.filter
def metal(name: str) -> str:
    """The metal's name in the active language; a name the templates do not use is shown as given."""
    return str(METALS.get(str(name).strip().title(), name))


@register.inclusion_tag("duediligence/_summary.html")
def minerals_summary(contract: Any, side: str) -> dict[str, Any]:
    checks = contract_checks(contract)
    return {"contract": contract, "side": side, "latest": checks[0] if checks else None, "count": len(checks)}
