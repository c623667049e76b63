"""An evaluation in words: answers as people write them, why a line or an offer is excluded, and
what would change the ranking. Plain Python, no Django.

The comparison page and the evaluation report say the same things, each in its own language: the
page in the reader's, the report in the tender's. So nothing here translates by itself. Sentences
take ``Words``, which carries the translation function (Django's ``gettext`` under the language the
caller chose) and the locale's number and date formatting; the analyses return plain data (codes,
ids and numbers) that a caller renders.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import numpy as np

from cfit.criteria.content import DataType, Requirement
from cfit.criteria.vocabulary import load_vocabulary
from cfit.offers.engine import Evidence, Role, Status
from cfit.offers.scoring import TIE_DECIMALS, OfferResult
from cfit.tenders.award import LotAwardMethod, PriceRule

if TYPE_CHECKING:
    from cfit.offers.evaluate import LotResult
    from cfit.tenders.spec import LotSpec

Gettext = Callable[[str], str]

#: Enumeration options that are yes/no words in the framework's files; shown translated.
YES_NO_OPTIONS = frozenset({"yes", "no"})
DASH = "—"


def tidy(value: float) -> int | float:
    """A number as people write it: 3, not 3.0, and no floating-point noise past six decimals."""
    rounded = round(float(value), 6)
    return int(rounded) if rounded.is_integer() else rounded


def half_up(value: float, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals as people round (and as the pages' ``floatformat``
    does): from the number as written, half away from zero. Formatting a float to two places
    instead cuts it: 12 533.1, held as 12 533.0999…, would read 12 533.09 in the report and
    12 533.10 on the comparison page."""
    exact = Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if exact.is_finite() else exact


def _plain_number(value: int | float) -> str:
    return str(value)


@dataclass(frozen=True)
class Words:
    """How to write an explanation: the translation function and the locale's formats.

    ``number`` receives a number already tidied (an ``int`` for whole numbers) and ``money`` an
    amount in EUR; both return it written for the reader's locale (decimal comma in Dutch).
    """

    gettext: Gettext
    language: str = "en"
    number: Callable[[int | float], str] = _plain_number
    money: Callable[[float], str] = lambda amount: f"{half_up(amount, 2):,.2f}"
    day: Callable[[date], str] = date.isoformat

    def num(self, value: float) -> str:
        return self.number(tidy(value))

    def points(self, value: float) -> str:
        """Points with two decimals at most, as the ranking shows them."""
        return self.number(tidy(float(half_up(value, 2))))


# ---------------------------------------------------------------------------
# Answers and requirements as people read them
# ---------------------------------------------------------------------------


def answer_text(value: object, requirement: Requirement | None, words: Words) -> str:
    """A supplier's typed answer as people write it: yes/no translated, a number with its unit
    (3 years, not 3.0), an enumeration by its option, a date in the reader's format."""
    _ = words.gettext
    if value is None or value == "":
        return DASH
    kind = requirement.data_type if requirement is not None else None
    unit = _unit(requirement, words, value if isinstance(value, int | float) else None)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == DataType.DATE or (kind is None and _is_iso_date(value)):
        try:
            return words.day(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if isinstance(value, int | float):
        return f"{words.num(value)}{unit}"
    if kind == DataType.ENUMERATION and str(value) in YES_NO_OPTIONS:
        return _("yes") if str(value) == "yes" else _("no")
    if kind == DataType.ENUMERATION:
        return load_vocabulary().option(str(value), words.language)
    return str(value)


def _unit(requirement: Requirement | None, words: Words, count: float | None = None) -> str:
    """' years' / ' jaar': the requirement's unit in the reader's language, with its space."""
    if requirement is None or not requirement.unit:
        return ""
    return " " + load_vocabulary().unit(requirement.unit, words.language, count=count)


def _is_iso_date(value: object) -> bool:
    text = str(value)
    return len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit()


def expected_text(requirement: Requirement, words: Words) -> str:
    """What meets the requirement, e.g. '≥ 3 years', 'yes', 'tool-free / common-tools'."""
    _ = words.gettext
    unit = _unit(requirement, words)
    low, high, expected = requirement.min_value, requirement.max_value, requirement.expected_value
    if requirement.data_type == DataType.BOOLEAN:
        return _("yes") if expected else _("no")
    if requirement.data_type == DataType.ENUMERATION:
        return " / ".join(answer_text(option, requirement, words) for option in requirement.allowed_answers)
    if requirement.data_type == DataType.DATE and expected is not None:
        return answer_text(str(expected), requirement, words)
    if low is not None and high is not None:
        return f"{words.num(low)}–{words.num(high)}{unit}"
    if low is not None:
        return f"≥ {words.num(low)}{unit}"
    if high is not None:
        return f"≤ {words.num(high)}{unit}"
    if isinstance(expected, int | float):
        return f"{words.num(expected)}{unit}"
    if expected not in (None, ""):
        return f"{expected}{unit}"
    return _("To be declared")


@dataclass(frozen=True)
class Glossary:
    """The names of a lot's criteria and requirements in one language, and the requirements."""

    language: str
    criteria: dict[str, str]  #: criterion id → title
    requirements: dict[str, Requirement]

    def criterion(self, code: str) -> str:
        """The criterion's name with its id in brackets: never the id alone when a name exists."""
        title = self.criteria.get(code)
        return f"{title} ({code})" if title else code

    def requirement(self, code: str) -> str:
        found = self.requirements.get(code)
        title = (found.title.get(self.language) or found.title.get("en")) if found is not None else None
        return f"{title} ({code})" if title else code


def glossary(lots: Sequence[LotSpec], language: str) -> Glossary:
    criteria: dict[str, str] = {}
    requirements: dict[str, Requirement] = {}
    for lot in lots:
        for chosen in lot.criteria:
            title = chosen.criterion.title
            criteria[chosen.criterion.id] = title.get(language) or title.get("en") or chosen.criterion.id
            for requirement in chosen.criterion.requirements:
                requirements[requirement.id] = requirement
    return Glossary(language, criteria, requirements)


# ---------------------------------------------------------------------------
# Why a line or an offer is excluded
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unmet:
    """One requirement of a technical specification that a line does not meet."""

    criterion: str
    requirement: str
    status: Status  #: FAIL or NOT_ANSWERED
    value: object = None  #: the answer given, None when not answered
    overridden: bool = False  #: the buyer decided this result (the audit trail says why)


def unmet_specifications(result: LotResult, row: int) -> list[Unmet]:
    """The technical specifications the line misses: per specification not met, each of its
    requirements that failed or was not answered (after the buyer's overrides)."""
    checked = result.checked
    _index, line = result.lines[row]
    missed = {code for i, code in enumerate(checked.criteria) if not checked.criterion_met[row, i]}
    unmet: list[Unmet] = []
    if not missed:
        return unmet
    for j, rule in enumerate(checked.rules):
        if rule.role == Role.KNOCK_OUT and rule.criterion in missed:
            code = rule.criterion
            status = Status(int(checked.status[row, j]))
            if status != Status.PASS:
                decided = int(checked.evidence[row, j]) == Evidence.OVERRIDE
                unmet.append(
                    Unmet(code, rule.requirement, status, line.answers.get(rule.requirement), decided)
                )
    return unmet


def line_meets_specifications(result: LotResult, row: int) -> bool:
    """The line's own result, whatever the other lines of its offer do."""
    own = result.checked.line_eligible
    return bool(own[row]) if own.size == len(result.lines) else bool(result.checked.eligible[row])


def line_sentences(result: LotResult, row: int, names: Glossary, words: Words) -> list[str]:
    """Why a line is excluded, one sentence per requirement it misses; none for an eligible line."""
    _ = words.gettext
    if result.checked.eligible[row]:
        return []
    if line_meets_specifications(result, row):
        return [
            _("Excluded with its offer: another product line of the offer misses a technical specification.")
        ]
    return [unmet_sentence(unmet, names, words) for unmet in unmet_specifications(result, row)] or [
        _("Excluded: a specification the buyer decided it fails.")
    ]


class OfferState:
    RANKED = "ranked"
    NO_BID = "no_bid"  #: the supplier offered nothing for this lot: neither excluded nor scored
    EXCLUDED = "excluded"  #: at least one of its lines misses a technical specification
    NO_COST = "no_cost"  #: its lines cost nothing, so price points cannot be computed


@dataclass(frozen=True)
class OfferExplanation:
    state: str  #: one of ``OfferState``
    failing_lines: tuple[tuple[str, tuple[Unmet, ...]], ...] = ()  #: (line id, what it misses)


def explain_offer(result: LotResult, index: int) -> OfferExplanation:
    """Why the offer at ``index`` (of ``result.catalogue.offers``) ranks, is excluded or did not bid."""
    offer = result.offers[index]
    if not offer.bid or offer.lines == 0:
        return OfferExplanation(OfferState.NO_BID)
    if offer.eligible:
        return OfferExplanation(OfferState.RANKED)
    checked = result.checked
    own = checked.line_eligible if checked.line_eligible.size == len(result.lines) else checked.eligible
    rows = np.flatnonzero((result.catalogue.offer_of_line == index) & ~own)
    failing = tuple(
        (result.lines[row][1].line_id, tuple(unmet_specifications(result, int(row)))) for row in rows
    )
    return OfferExplanation(OfferState.EXCLUDED if failing else OfferState.NO_COST, failing)


def unmet_sentence(unmet: Unmet, names: Glossary, words: Words) -> str:
    _ = words.gettext
    requirement = names.requirements.get(unmet.requirement)
    values = {
        "criterion": names.criterion(unmet.criterion),
        "requirement": names.requirement(unmet.requirement),
    }
    if unmet.overridden:
        return (
            _("%(criterion)s: %(requirement)s failed by the buyer's decision (see the audit trail)") % values
        )
    if unmet.status == Status.NOT_ANSWERED:
        return _("%(criterion)s: %(requirement)s not answered") % values
    if requirement is None:
        return _("%(criterion)s: %(requirement)s not met") % values
    return _("%(criterion)s: %(requirement)s is %(answer)s, required %(expected)s") % {
        **values,
        "answer": answer_text(unmet.value, requirement, words),
        "expected": expected_text(requirement, words),
    }


def offer_sentences(
    explanation: OfferExplanation, names: Glossary, words: Words, *, limit: int | None = 5
) -> list[str]:
    """The explanation of an offer's state, one sentence per product line that excludes it (at most
    ``limit`` of them, then how many more)."""
    _ = words.gettext
    if explanation.state == OfferState.NO_BID:
        return [_("No bid for this lot.")]
    if explanation.state == OfferState.NO_COST:
        return [_("Excluded: its product lines state no price, so its cost cannot be compared.")]
    if explanation.state != OfferState.EXCLUDED:
        return []
    failing = explanation.failing_lines
    shown = failing if limit is None else failing[:limit]
    sentences = [
        _("Excluded because product line %(line)s misses a technical specification: %(reasons)s.")
        % {
            "line": line_id,
            "reasons": "; ".join(unmet_sentence(u, names, words) for u in unmet)
            or _("a specification the buyer decided it fails"),
        }
        for line_id, unmet in shown
    ]
    if len(failing) > len(shown):
        sentences.append(
            _("%(n)s more product line(s) of this offer miss a technical specification.")
            % {"n": len(failing) - len(shown)}
        )
    return sentences


def totals_sentence(method: LotAwardMethod, words: Words) -> str:
    """How an offer's total derives from its lines' results (``cfit.offers.scoring.rank_offers``)."""
    _ = words.gettext
    if method.price_rule == PriceRule.LIFE_CYCLE_COST:
        text = _(
            "An offer's total is its cost points plus its quality points: cost points are %(weight)s × the "
            "lowest total life-cycle cost offered ÷ its own total (quantity × life-cycle cost per unit, over "
            "its product lines in this lot), quality points from the offer as a whole: a requirement scored in "
            "proportion compares the quantity-weighted mean of its lines' answers with the best offer's, other "
            "rules average its lines' shares by quantity; an offer with one excluded product line is excluded "
            "as a whole."
        )
    else:
        text = _(
            "An offer's total is its price points plus its quality points: price points are %(weight)s × the "
            "lowest total price offered ÷ its own total (quantity × unit price, over its product lines in "
            "this lot), quality points from the offer as a whole: a requirement scored in proportion compares "
            "the quantity-weighted mean of its lines' answers with the best offer's, other rules average its "
            "lines' shares by quantity; an offer with one excluded product line is excluded as a whole."
        )
    return text % {"weight": words.points(float(method.price_weight))}


# ---------------------------------------------------------------------------
# What would change the ranking
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionGap:
    """What the runner-up could still gain on one award criterion, other offers' points unchanged."""

    criterion: str
    weight: float
    points: float  #: the runner-up's points on it now
    room: float  #: weight − points: the most it can still gain there
    possible: bool  #: room > gap (≥ gap when a tie would go to the runner-up)


@dataclass(frozen=True)
class CostGap:
    """The total cost below which the runner-up would rank first, other offers unchanged."""

    cost: float  #: its total cost now (quantity × cost per unit, EUR)
    target: float | None  #: None when no cost, however low, would make it first
    reduction: float | None
    share: float | None  #: reduction ÷ cost


@dataclass(frozen=True)
class RankingChange:
    winner: OfferResult
    runner_up: OfferResult
    gap: float  #: winner's total − runner-up's total, in points
    tie_wins: bool  #: on equal totals the runner-up would rank first (ties go to the lower cost)
    criteria: list[CriterionGap] = field(default_factory=list)
    cost: CostGap | None = None


def _tie_key(offer: OfferResult) -> tuple[float, str]:
    return round(offer.life_cycle_cost, TIE_DECIMALS), offer.offer


def ranking_change(result: LotResult) -> RankingChange | None:
    """For the runner-up of a lot: on each award criterion, whether gaining what it can still gain
    there would rank it first; and the total cost below which it would rank first.

    The gap is the winner's total minus the runner-up's. Everything else stays as it is: a change of
    the runner-up's answers can also move other offers' points where shares are relative to the best
    offer, which this does not follow. None when fewer than two offers rank.
    """
    ranked = sorted((o for o in result.offers if o.eligible and o.rank), key=lambda o: o.rank)
    if len(ranked) < 2:
        return None
    winner, runner = ranked[0], ranked[1]
    gap = max(winner.total - runner.total, 0.0)
    tie_wins = _tie_key(runner) < _tie_key(winner)
    criteria = []
    for criterion in result.method.criteria:
        weight = float(criterion.weight)
        points = runner.criterion_points.get(criterion.id, 0.0)
        room = max(weight - points, 0.0)
        possible = room > gap + 1e-9 or (tie_wins and room >= gap - 1e-9)
        criteria.append(CriterionGap(criterion.id, weight, points, room, possible))
    return RankingChange(winner, runner, gap, tie_wins, criteria, _cost_gap(result, runner))


def _cost_gap(result: LotResult, runner: OfferResult) -> CostGap | None:
    """The total cost C below which the runner-up beats every other ranked offer.

    Price points are ``w × lowest ÷ own`` over offers' total costs. Against another offer k (cost
    c_k, quality q_k) the runner-up (quality q) leads while its cost C is below a threshold: with
    L the lowest cost of the others, either C ≥ L and w·L/C + q > w·L/c_k + q_k, or C < L (it becomes
    the lowest and earns all w points, which lowers k's to w·C/c_k) and w + q > w·C/c_k + q_k. The
    lead falls as C rises in both regions, so the threshold is the minimum over k.
    """
    weight = float(result.method.price_weight)
    if weight <= 0:
        return CostGap(runner.life_cycle_cost, None, None, None)
    others = [o for o in result.offers if o.eligible and o.offer != runner.offer]
    lowest = min(o.life_cycle_cost for o in others)
    threshold = math.inf
    for other in others:
        at_lowest = (
            weight + runner.quality_points - weight * lowest / other.life_cycle_cost - other.quality_points
        )
        if at_lowest > 0:
            rest = weight * lowest / other.life_cycle_cost + other.quality_points - runner.quality_points
            limit = math.inf if rest <= 0 else weight * lowest / rest
        else:
            room = weight + runner.quality_points - other.quality_points
            limit = 0.0 if room <= 0 else other.life_cycle_cost * room / weight
        threshold = min(threshold, limit)
    cost = runner.life_cycle_cost
    if threshold <= 0 or math.isinf(threshold):
        return CostGap(cost, None, None, None)
    reduction = max(cost - threshold, 0.0)
    return CostGap(cost, threshold, reduction, reduction / cost if cost else None)


def ranking_change_sentences(change: RankingChange, names: Glossary, words: Words) -> list[str]:
    """The analysis in words: one sentence for the gap, one per award criterion, one for the cost."""
    _ = words.gettext
    values = {
        "runner": change.runner_up.offer,
        "winner": change.winner.offer,
        "gap": words.points(change.gap),
    }
    sentences = [
        _(
            "%(runner)s ranks second, %(gap)s points behind %(winner)s. Each line below keeps every other "
            "result as it is."
        )
        % values
    ]
    need = _("at least %(gap)s points") if change.tie_wins else _("more than %(gap)s points")
    for gap in change.criteria:
        criterion = {
            **values,
            "criterion": names.criterion(gap.criterion),
            "need": need % values,
            "points": words.points(gap.points),
            "weight": words.points(gap.weight),
            "room": words.points(gap.room),
        }
        if gap.possible:
            sentences.append(
                _(
                    "%(criterion)s: %(runner)s would rank first by gaining %(need)s there (it has %(points)s of "
                    "%(weight)s, so up to %(room)s more are possible)."
                )
                % criterion
            )
        elif gap.room <= 1e-9:
            sentences.append(
                _("%(criterion)s: %(runner)s already has all %(weight)s points there.") % criterion
            )
        else:
            sentences.append(
                _(
                    "%(criterion)s alone cannot change the ranking: %(runner)s has %(points)s of %(weight)s "
                    "points there, and the %(room)s it could still gain do not close the gap."
                )
                % criterion
            )
    cost = change.cost
    if cost is not None and cost.target is not None and cost.reduction is not None:
        sentences.append(
            _(
                "Cost: %(runner)s would rank first with a total cost below %(target)s EUR instead of %(cost)s "
                "EUR, %(reduction)s EUR (%(share)s %%) less."
            )
            % {
                **values,
                "target": words.money(cost.target),
                "cost": words.money(cost.cost),
                "reduction": words.money(cost.reduction),
                "share": words.num(round(100 * (cost.share or 0.0), 1)),
            }
        )
    elif cost is not None:
        sentences.append(_("Cost: no lower cost alone would rank %(runner)s first.") % values)
    return sentences
