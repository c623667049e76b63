"""A statement's collective demand, under the pact's disclosure control.

Signatories give their yearly volumes on the promise that the collective demand, not theirs, is
published. A product group's sum with one signatory behind it *is* that signatory's volume, and a total
beside the product groups it adds up gives away the one that is hidden. So the collective demand is a
one-scope magnitude table (keys: the statement's product groups, with their total; contributions: each
signatory's units and EUR a year) decided by the monitoring's disclosure code
(``cfit.monitoring.disclosure.protect``, ``docs/disclosure-control.md``): a figure needs at least *n*
signatories and no one giving more than *k* of it, in units or in euros, and whatever would let a reader
(or a signatory subtracting its own volumes) work a hidden figure back is hidden too. Every channel of
the collective demand reads it through ``collective_demand``; the decision is made on every read (a
statement has tens of signatories, not thousands), so that it is never stale after a signature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cfit.monitoring.disclosure import TOTAL, Reason, Rules, Table, protect
from cfit.monitoring.models import DisclosureRules
from cfit.pact.models import Signature, SignatureVolume, Statement

SCOPE = "statement"

#: (organisation, product group) → (units a year, EUR a year)
Volumes = Mapping[tuple[str, str], tuple[int, Decimal]]


@dataclass(frozen=True)
class DemandFigure:
    """One row of the collective demand: a product group's, or the total (``code`` is ``TOTAL``)."""

    code: str
    name: str
    signatories: int  #: how many signed for it: a count of organisations, always shown
    units: int | None  #: None: hidden
    spend: Decimal | None  #: None: hidden
    suppressed: str = ""  #: the reason code when hidden (``cfit.monitoring.disclosure.Reason``)
    reason: str = ""  #: why it is hidden, in the reader's language

    @property
    def hidden(self) -> bool:
        return bool(self.suppressed)


@dataclass(frozen=True)
class CollectiveDemand:
    rows: tuple[DemandFigure, ...]
    total: DemandFigure
    rules: Rules

    @property
    def share(self) -> int:
        """The dominance rule's largest share, in per cent."""
        return round(self.rules.dominance * 100)

    @property
    def any_hidden(self) -> bool:
        return self.total.hidden or any(row.hidden for row in self.rows)


def reason_text(reason: str, rules: Rules) -> str:
    """Why a figure of the collective demand is hidden, in a few words of the reader's language."""
    if reason == Reason.THRESHOLD:
        return ngettext(
            "fewer than %(n)s signatory",
            "fewer than %(n)s signatories",
            rules.min_reporters,
        ) % {"n": rules.min_reporters}
    if reason == Reason.DOMINANCE:
        return _("one signatory gives more than %(share)s %% of it") % {"share": round(rules.dominance * 100)}
    return _("hidden so that another hidden figure cannot be worked out")


def decide(volumes: Volumes, product_groups: Sequence[tuple[str, str]], rules: Rules) -> CollectiveDemand:
    """The collective demand of ``volumes`` per product group (``(code, name)`` pairs, in order) and in
    total, each figure shown only if the disclosure rules allow it. Plain computation, no database."""
    organisations = frozenset(organisation for organisation, _group in volumes)
    table = Table(
        {SCOPE: organisations},
        {cell: (float(units), float(spend)) for cell, (units, spend) in volumes.items()},
        totals=True,
    )
    decisions = protect(table, rules) if volumes else {}

    def figure(code: str, name: str) -> DemandFigure:
        mine = [v for (_o, group), v in volumes.items() if code in (TOTAL, group)]
        decision = decisions.get((SCOPE, code))
        if decision is None:  # nobody signed for it: nothing to hide, and it adds nothing to the total
            return DemandFigure(code, name, 0, 0, Decimal(0))
        signatories = len({o for o, group in volumes if code in (TOTAL, group)})
        if not decision.published:
            assert decision.reason is not None
            return DemandFigure(
                code, name, signatories, None, None, decision.reason, reason_text(decision.reason, rules)
            )
        return DemandFigure(
            code, name, signatories, sum(u for u, _s in mine), sum((s for _u, s in mine), Decimal(0))
        )

    return CollectiveDemand(
        tuple(figure(code, name) for code, name in product_groups), figure(TOTAL, _("Total")), rules
    )


def collective_demand(statement: Statement, product_groups: Sequence[tuple[str, str]]) -> CollectiveDemand:
    """What anyone may know of a statement's collective demand, per product group and in total."""
    volumes = {
        (str(organisation), group): (units, spend)
        for organisation, group, units, spend in SignatureVolume.objects.filter(
            signature__statement=statement
        ).values_list("signature__organisation_id", "product_group", "units_per_year", "spend_eur_per_year")
    }
    demand = decide(volumes, product_groups, DisclosureRules.current())
    # The total's count of signatories includes those who signed without giving a volume.
    signatories = Signature.objects.filter(statement=statement).count()
    total = demand.total
    return CollectiveDemand(
        demand.rows,
        DemandFigure(
            total.code, total.name, signatories, total.units, total.spend, total.suppressed, total.reason
        ),
        demand.rules,
    )
