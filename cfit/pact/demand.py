"""A statement's collective demand, under the pact's disclosure control.

Signatories give their yearly volumes on the promise that the collective demand, not theirs, is
published. A product group's sum with one signatory behind it *is* that signatory's volume, and a total
beside the product groups it adds up gives away the one that is hidden. So the collective demand is a
one-scope magnitude table (keys: the statement's product groups, with their total; contributions: each
signatory's units and EUR a year) decided by the monitoring's disclosure code
(``cfit.monitoring.disclosure.protect``, ``docs/disclosure-control.md``): a figure needs at least *n*
signatories and no one giving more than *k* of it, in units or in euros, and whatever would let a reader
(or a signatory subtracting its own volumes) work a hidden figure back is hidden too. Every channel of
the collective demand reads it through ``collective_demand``.

The collective demand is published in steps, not live: comparing the figures before and after a
signature would give the new signatory's volumes away. ``publish_demand`` runs inside every signing,
withdrawal and change of volumes and publishes the new figures only if the change since *each* earlier
published version, as far as a reader can work it out from the figures shown in both, passes the same
disclosure control (``step_reveals``); otherwise the last published version stays, and the page and the
API say when it was updated and that newer signatures are counted at the next update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cfit.monitoring.disclosure import TOTAL, Reason, Rules, Table, assess, protect
from cfit.monitoring.models import DisclosureRules
from cfit.pact.models import (
    DemandPublication,
    DemandPublicationFigure,
    DemandPublicationVolume,
    Signature,
    SignatureVolume,
    Statement,
)

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
    updated: datetime | None = None  #: when the figures were last published; None: never
    pending: bool = False  #: signatures have changed since: counted at the next update

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


def _vectors(codes: Sequence[str], groups: Sequence[str]) -> np.ndarray:
    """The figures ``codes`` as rows over the product groups: a group is its own unit vector, the total
    adds up every group."""
    rows = [
        [1.0 if code in (TOTAL, group) else 0.0 for group in groups]
        for code in codes
        if code == TOTAL or code in groups
    ]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(groups))


def _rank(matrix: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(matrix, tol=1e-9)) if matrix.size else 0


def _common_span(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """A basis of the vectors that both sets of rows span: the combinations of the groups' changes that a
    reader can compute by subtracting figures of one version from figures of the other."""
    if not first.size or not second.size:
        return np.zeros((0, first.shape[1]))
    stacked = np.vstack([first, -second]).T
    _u, singular, vh = np.linalg.svd(stacked)
    rank = int((singular > 1e-9).sum())
    null = vh[rank:]
    return np.asarray(null[:, : first.shape[0]] @ first, dtype=np.float64)


def step_reveals(
    before: Volumes,
    shown_before: Sequence[str],
    after: Volumes,
    shown_after: Sequence[str],
    groups: Sequence[str],
    rules: Rules,
) -> bool:
    """Whether publishing ``after`` (its figures ``shown_after`` shown) next to an earlier version
    ``before`` (``shown_before`` shown) would let a reader compute a change that fails the disclosure
    rules: a change that comes from fewer than *n* organisations or mostly from one, in units or in euros.

    What a reader can compute by subtracting is every combination of figures shown in both versions. The
    change of each organisation is a magnitude table of its own (keys: the product groups, with their
    total; an organisation whose volume did not change is not in it), decided by the monitoring's
    disclosure code for each measure on its own; the step is safe if every computable combination is one
    of the changes that code would show (or of groups nobody changed). Plain computation, no database."""
    computable = _common_span(_vectors(shown_before, groups), _vectors(shown_after, groups))
    if not _rank(computable):
        return False
    cells = set(before) | set(after)
    for measure in (0, 1):
        changes: dict[tuple[str, str], tuple[float, ...]] = {}
        for cell in cells:
            change = float(after.get(cell, (0, Decimal(0)))[measure]) - float(
                before.get(cell, (0, Decimal(0)))[measure]
            )
            if change:
                changes[cell] = (change,)
        changed = {group for _o, group in changes}
        known = [code for code in groups if code not in changed]
        if changes:
            table = Table({SCOPE: frozenset(o for o, _g in changes)}, changes, totals=True)
            known += [key for (_s, key), decision in protect(table, rules).items() if decision.published]
        safe = _vectors(known, groups)
        if _rank(np.vstack([safe, computable])) > _rank(safe):
            return True
        # A figure shown in both versions changes by each organisation's net change to it: one whose
        # changes cancel out in it (euros moved from notebooks to monitors, for the total) hides no one
        # in its change, though the magnitude table above counts it there.
        for code in set(shown_before) & set(shown_after):
            net: dict[str, float] = {}
            for (organisation, group), (change,) in changes.items():
                if code in (TOTAL, group):
                    net[organisation] = net.get(organisation, 0.0) + change
            step = [(o, (value,)) for o, value in net.items() if round(value, 9) != 0]
            if step and assess(step, rules) is not None:
                return True
    return False


def next_version(
    published: Sequence[tuple[Volumes, Sequence[str]]], volumes: Volumes, groups: Sequence[str], rules: Rules
) -> CollectiveDemand | None:
    """The collective demand of ``volumes`` if it may be published after the versions ``published``
    (each its volumes and the codes of the figures it showed), else ``None``: the step from one of them
    would reveal a signatory. Plain computation, no database."""
    demand = decide(volumes, [(code, code) for code in groups], rules)
    shown = [f.code for f in (*demand.rows, demand.total) if not f.hidden]
    if any(
        step_reveals(before, shown_before, volumes, shown, groups, rules)
        for before, shown_before in published
    ):
        return None
    return demand


def _volumes(statement: Statement) -> dict[tuple[str, str], tuple[int, Decimal]]:
    return {
        (str(organisation), group): (units, spend)
        for organisation, group, units, spend in SignatureVolume.objects.filter(
            signature__statement=statement
        ).values_list("signature__organisation_id", "product_group", "units_per_year", "spend_eur_per_year")
    }


def _shown(publication: DemandPublication) -> list[str]:
    return [f.code for f in publication.figures.all() if not f.suppressed]


def _basis(publication: DemandPublication) -> dict[tuple[str, str], tuple[int, Decimal]]:
    return {
        (str(v.organisation_id), v.product_group): (v.units_per_year, v.spend_eur_per_year)
        for v in publication.basis.all()
    }


def demand_pending(statement: Statement) -> bool:
    """Whether the statement's signatures or volumes differ from what its last published version counted
    (or nothing was ever published)."""
    last = statement.demand_publications.prefetch_related("figures", "basis").first()
    if last is None:
        return True
    counted = next((f.signatories for f in last.figures.all() if f.code == TOTAL), 0)
    signatures = Signature.objects.filter(statement=statement).count()
    return _basis(last) != _volumes(statement) or signatures != counted


@transaction.atomic
def publish_demand(statement: Statement, *, now: datetime | None = None) -> DemandPublication | None:
    """Publish the statement's collective demand as it stands, if the step from every earlier version
    passes the disclosure rules in force; else keep the last version (``None``). Called by the actions
    that change signatures, inside their transaction; the statement's row is locked so that two signings
    never both weigh their step against the same version."""
    Statement.objects.select_for_update().filter(pk=statement.pk).first()
    rules = DisclosureRules.current()
    groups = list(statement.product_groups)
    volumes = _volumes(statement)
    earlier = list(statement.demand_publications.prefetch_related("figures", "basis"))
    demand = next_version([(_basis(p), _shown(p)) for p in earlier], volumes, groups, rules)
    if demand is None:
        return None
    figures = (*demand.rows, demand.total)
    publication = DemandPublication.objects.create(
        statement=statement,
        number=max((p.number for p in earlier), default=0) + 1,
        published=now or timezone.now(),
    )
    DemandPublicationVolume.objects.bulk_create(
        DemandPublicationVolume(
            publication=publication, organisation_id=int(organisation), product_group=group,
            units_per_year=units, spend_eur_per_year=spend,
        )
        for (organisation, group), (units, spend) in volumes.items()
    )  # fmt: skip
    signatures = Signature.objects.filter(statement=statement).count()
    DemandPublicationFigure.objects.bulk_create(
        DemandPublicationFigure(
            publication=publication, code=f.code, units=f.units, spend=f.spend, suppressed=f.suppressed,
            signatories=signatures if f.code == TOTAL else f.signatories,
        )
        for f in figures
    )  # fmt: skip
    return publication


def collective_demand(statement: Statement, product_groups: Sequence[tuple[str, str]]) -> CollectiveDemand:
    """What anyone may know of a statement's collective demand, per product group and in total: its last
    published version, when it was published, and whether signatures changed since."""
    rules = DisclosureRules.current()
    publication = statement.demand_publications.prefetch_related("figures").first()
    if publication is None:
        empty = decide({}, product_groups, rules)
        return CollectiveDemand(empty.rows, empty.total, rules)
    stored = {f.code: f for f in publication.figures.all()}

    def figure(code: str, name: str) -> DemandFigure:
        found = stored.get(code)
        if found is None:  # a product group nobody had signed for
            return DemandFigure(code, name, 0, 0, Decimal(0))
        reason = reason_text(found.suppressed, rules) if found.suppressed else ""
        return DemandFigure(code, name, found.signatories, found.units, found.spend, found.suppressed, reason)

    signatures = list(Signature.objects.filter(statement=statement).values_list("signed", flat=True))
    total = figure(TOTAL, _("Total"))
    pending = len(signatures) != total.signatories or any(s > publication.published for s in signatures)
    return CollectiveDemand(
        tuple(figure(code, name) for code, name in product_groups),
        total,
        rules,
        publication.published,
        pending,
    )
