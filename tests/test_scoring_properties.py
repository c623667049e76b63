"""Properties of checking and scoring that must hold for any tender and any offers.

Hypothesis draws random tenders (award criteria with random requirements, each with a declared
direction and a valid scoring rule, random weights; up to two technical specifications as knock-outs;
price or life-cycle cost with random parameters) and random offers (one to three lines each, some
answers missing), evaluates them with ``cfit.offers.evaluate`` and checks what a buyer has to be able
to defend before losing bidders: a better answer never costs points, the order of files and lines
decides nothing, a failed specification excludes the offer whole, totals follow the stated rule and
stay within their weights, and a lower carbon footprint is better.

Every unit price is at least ``PRICE_FLOOR`` and every residual value below it, so that every
life-cycle cost is positive (``test_a_cost_that_comes_out_non_positive_does_not_drop_a_cheaper_offer``
shows the other case).

Three engine bugs these properties found are kept as explicit examples that failed before the fix
(``MULTI_LINE_PROPORTIONAL``, ``MISSING_ANSWER_PROPORTIONAL_LOWER``, the non-positive cost): relative
rules compared lines instead of offers, a missing answer earned the full share where lower is
better, and an offer whose life-cycle cost came out at zero dropped out of the ranking.
"""

from __future__ import annotations

import functools
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cfit.criteria import content
from cfit.criteria.content import Ambition, Better, CriterionType, DataType, ImpactCategory, ScoringRule
from cfit.offers.engine import Status
from cfit.offers.evaluate import LotResult, evaluate, to_json
from cfit.offers.reader import OfferFile, ProductLine
from cfit.offers.scoring import MIN_COST, OfferResult
from cfit.tenders.award import CostParameters, PriceRule
from cfit.tenders.spec import ChosenCriterion, LotSpec, TenderSpec, build_spec

from .offer_helpers import _t, criterion

#: Points are compared with this tolerance (the engine rounds totals to 1e-9 before ranking).
TOLERANCE = 1e-9
PRICE_FLOOR = 100  #: every unit price is at least this …
MAX_RESIDUAL = 99  #: … and every residual value below it, so that life-cycle costs stay positive
CARBON = "ac-carbon"
FOOTPRINT = f"{CARBON}.footprint"

GROUP = content.ProductGroup.model_validate(
    {
        "id": "notebooks",
        "kind": "workplace",
        "cpv": "30213100",
        "name": _t("Notebooks"),
        "description": _t("d"),
    }
)
CARBON_CRITERION = criterion(
    CARBON,
    "award_criterion",
    [
        {
            "id": "footprint",
            "data_type": "number",
            "min_value": 0,
            "unit": "kgCO2e",
            "better": "lower",
            "scoring": {"rule": "proportional"},
        }
    ],
)


@functools.lru_cache(maxsize=8192)
def _criterion(code: str, kind: str, requirements: str) -> content.Criterion:
    return criterion(code, kind, json.loads(requirements))


def cached_criterion(code: str, kind: str, requirements: list[dict[str, Any]]) -> content.Criterion:
    """Validating a criterion is the slow part of drawing a tender, and criteria repeat."""
    return _criterion(code, kind, json.dumps(requirements, sort_keys=True))


def properties(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # no .hypothesis folder in the repository; failures print their example
        # the suite's autouse fixture only swaps the password hasher, harmless between examples
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- random tenders ---------------------------------------------------------------------------------

WEIGHTS = st.one_of(st.just(1.0), st.sampled_from([0.5, 2.0, 3.0]), st.floats(0.1, 5.0))


@st.composite
def numeric_scoring(draw: st.DrawFn, higher: bool) -> dict[str, Any]:
    rule = draw(st.sampled_from(["proportional", "linear", "bands", "met"]))
    scoring: dict[str, Any] = {"rule": rule, "weight": draw(WEIGHTS)}
    if rule == "linear":  # full_at on the better side of zero_at
        near = draw(st.integers(0, 80))
        far = near + draw(st.integers(1, 60))
        scoring |= {"zero_at": near, "full_at": far} if higher else {"zero_at": far, "full_at": near}
    elif rule == "bands":  # from the fewest to the most points, bounds moving towards the better side
        bounds = sorted(
            draw(st.lists(st.integers(0, 120), min_size=1, max_size=4, unique=True)), reverse=not higher
        )
        rising = draw(
            st.lists(st.integers(1, 99), min_size=len(bounds) - 1, max_size=len(bounds) - 1, unique=True)
        )
        shares = [share / 100 for share in sorted(rising)] + [1.0]
        key = "at_least" if higher else "at_most"
        scoring["bands"] = [{key: b, "share": s} for b, s in zip(bounds, shares, strict=True)]
    return scoring


@st.composite
def numeric_requirement(draw: st.DrawFn, data_type: str, award: bool) -> dict[str, Any]:
    """A threshold on the worse side (and, going lower, sometimes a sanity floor of 0)."""
    better = draw(st.sampled_from(["higher", "lower"]))
    higher = better == "higher"
    threshold = draw(st.integers(0, 40))
    requirement: dict[str, Any] = {"data_type": data_type, "unit": "u", "better": better}
    if higher:
        requirement["min_value"] = threshold
    else:
        requirement["max_value"] = 60 + threshold
        if draw(st.booleans()):
            requirement["min_value"] = 0
    if award:
        requirement["scoring"] = draw(numeric_scoring(higher))
    return requirement


@st.composite
def boolean_requirement(draw: st.DrawFn, award: bool, condition: bool) -> dict[str, Any]:
    expected = draw(st.booleans())
    requirement: dict[str, Any] = {"data_type": "boolean", "expected_value": expected}
    if award:
        rule = draw(st.sampled_from(["met", "condition"] if condition else ["met"]))
        requirement["better"] = "higher" if expected else "lower"
        requirement["scoring"] = {"rule": rule} | ({"weight": draw(WEIGHTS)} if rule == "met" else {})
    return requirement


@st.composite
def enumeration_requirement(draw: st.DrawFn, award: bool, condition: bool) -> dict[str, Any]:
    """Options in order; the allowed ones are the best few, and option points never fall towards them."""
    size = draw(st.integers(2, 5))
    options = [f"o{n}" for n in range(size)]
    better = draw(st.sampled_from(["higher", "lower"]))
    meeting = draw(st.integers(1, size))
    allowed = options[:meeting] if better == "lower" else options[size - meeting :]
    requirement: dict[str, Any] = {
        "data_type": "enumeration",
        "options": options,
        "allowed": allowed,
        "better": better,
    }
    if award:
        rule = draw(
            st.sampled_from(["met", "option_points", "condition"] if condition else ["met", "option_points"])
        )
        scoring: dict[str, Any] = {"rule": rule}
        if rule == "option_points":
            falling = sorted(
                draw(st.lists(st.integers(0, 100), min_size=size - 1, max_size=size - 1)), reverse=True
            )
            points = [1.0] + [p / 100 for p in falling]  # best first
            if better == "higher":
                points.reverse()
            scoring["option_points"] = dict(zip(options, points, strict=True))
        if rule != "condition":
            scoring["weight"] = draw(WEIGHTS)
        requirement["scoring"] = scoring
    return requirement


def requirement_strategy(award: bool, condition: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        numeric_requirement("number", award),
        numeric_requirement("integer", award),
        boolean_requirement(award, condition),
        enumeration_requirement(award, condition),
    )


@st.composite
def award_criterion(draw: st.DrawFn, code: str) -> content.Criterion:
    first = draw(requirement_strategy(award=True))  # at least one requirement earns points
    others = draw(st.lists(requirement_strategy(award=True, condition=True), max_size=2))
    return cached_criterion(
        code, "award_criterion", [{**r, "id": f"r{n}"} for n, r in enumerate([first, *others])]
    )


@st.composite
def knock_out_criterion(draw: st.DrawFn, code: str) -> content.Criterion:
    requirements = draw(st.lists(requirement_strategy(award=False), min_size=1, max_size=2))
    return cached_criterion(
        code, "technical_specification", [{**r, "id": f"r{n}"} for n, r in enumerate(requirements)]
    )


@dataclass(frozen=True)
class Tender:
    spec: TenderSpec
    award: list[content.Criterion]
    knock_out: list[content.Criterion]

    @functools.cached_property
    def requirements(self) -> dict[str, content.Requirement]:
        """Every requirement a product line answers."""
        return {r.id: r for c in [*self.award, *self.knock_out] for r in c.requirements}

    @functools.cached_property
    def knock_out_ids(self) -> frozenset[str]:
        return frozenset(r.id for c in self.knock_out for r in c.requirements)

    @property
    def lot(self) -> LotSpec:
        return self.spec.lots[0]


def proportional_lower(requirement: content.Requirement) -> bool:
    scoring = requirement.scoring
    return (
        scoring is not None
        and scoring.rule == ScoringRule.PROPORTIONAL
        and requirement.better == Better.LOWER
    )


def make_tender(
    award: list[content.Criterion],
    weights: list[int],
    knock_out: list[content.Criterion],
    *,
    price_weight: int,
    price_rule: PriceRule = PriceRule.PRICE,
    costs: CostParameters | None = None,
    lots: int = 1,
) -> Tender:
    costs = costs or CostParameters()
    chosen = [
        *(
            ChosenCriterion(c, CriterionType.AWARD_CRITERION, Decimal(w))
            for c, w in zip(award, weights, strict=True)
        ),
        *(ChosenCriterion(c, CriterionType.TECHNICAL_SPECIFICATION) for c in knock_out),
    ]
    spec = TenderSpec(
        title="Random tender",
        reference="PROP-1",
        language="en",
        procedure="open",
        framework_version="test",
        buyer="Buyer",
        buyer_country="NL",
        lots=[
            LotSpec(
                number=number,
                title=f"Lot {number}",
                product_group=GROUP,
                quantity=1,
                estimated_value=Decimal(0),
                cpv=GROUP.cpv,
                service_life_years=costs.service_life_years,
                price_weight=Decimal(price_weight),
                criteria=chosen,
                price_rule=price_rule,
                costs=costs,
            )
            for number in range(1, lots + 1)
        ],
        labels={},
    )
    return Tender(spec, award, knock_out)


@st.composite
def tenders(draw: st.DrawFn, *, carbon: bool | None = None, lots: int = 1) -> Tender:
    award = [draw(award_criterion(f"ac-c{n}")) for n in range(draw(st.integers(1, 3)))]
    if draw(st.integers(0, 3)) == 0 if carbon is None else carbon:
        award.append(CARBON_CRITERION)
    knock_out = [draw(knock_out_criterion(f"ts-k{n}")) for n in range(draw(st.integers(0, 2)))]
    # price and award weights sum to 100
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=len(award), max_size=len(award), unique=True)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    costs = CostParameters(
        service_life_years=draw(st.integers(0, 8)),
        energy_price_per_kwh=Decimal(draw(st.integers(0, 60))) / 100,
        maintenance_per_year=Decimal(draw(st.integers(0, 80))),
        residual_value=Decimal(draw(st.integers(0, MAX_RESIDUAL))),
        carbon_price_per_tonne=Decimal(draw(st.integers(0, 300))),
    )
    return make_tender(
        award,
        parts[1:],
        knock_out,
        price_weight=parts[0],
        price_rule=draw(st.sampled_from(list(PriceRule))),
        costs=costs,
        lots=lots,
    )


# --- random offers ----------------------------------------------------------------------------------


def any_answer(requirement: content.Requirement) -> st.SearchStrategy[Any]:
    match requirement.data_type:
        case DataType.BOOLEAN:
            return st.booleans()
        case DataType.ENUMERATION:
            return st.sampled_from(requirement.options)
        case DataType.INTEGER:
            return st.integers(0, 120)
        case _:
            top = 800 if requirement.id == FOOTPRINT else 120
            return st.one_of(st.integers(0, top).map(float), st.floats(0, top, allow_subnormal=False))


def passing_answer(requirement: content.Requirement) -> st.SearchStrategy[Any]:
    match requirement.data_type:
        case DataType.BOOLEAN:
            return st.just(requirement.expected_value)
        case DataType.ENUMERATION:
            return st.sampled_from(requirement.allowed_answers)
        case _:
            low = int(requirement.min_value or 0)
            high = int(requirement.max_value) if requirement.max_value is not None else 120
            return st.integers(low, high).map(float if requirement.data_type == DataType.NUMBER else int)


@st.composite
def line_answers(draw: st.DrawFn, tender: Tender, lower_answered: bool = False) -> dict[str, Any]:
    """Award answers at random, about one in eight missing; specifications mostly met, so that offers
    compete. ``lower_answered``: every proportional better-lower requirement answered within its
    threshold (the engine mis-scores the others: see ``test_a_missing_footprint_earns_no_carbon_points``).
    """
    requirements = list(tender.requirements.values())
    full = (1 << len(requirements)) - 1

    def rare() -> int:  # a bit mask, each bit set one time in eight; shrinks to "none"
        return draw(st.integers(0, full)) & draw(st.integers(0, full)) & draw(st.integers(0, full))

    missing, unusual = rare(), rare()
    answers: dict[str, Any] = {}
    for bit, requirement in enumerate(requirements):
        # specifications are met, but one time in eight answered anyhow or not at all
        meet = (
            not unusual >> bit & 1
            if requirement.id in tender.knock_out_ids
            else lower_answered and proportional_lower(requirement)
        )
        if meet:
            answers[requirement.id] = draw(passing_answer(requirement))
        elif not missing >> bit & 1:
            answers[requirement.id] = draw(any_answer(requirement))
    return answers


PRICES = st.one_of(st.integers(PRICE_FLOOR, 3000).map(float), st.floats(PRICE_FLOOR, 3000))


@st.composite
def product_line(
    draw: st.DrawFn, tender: Tender, line_id: str, lot: int = 1, lower_answered: bool = False
) -> ProductLine:
    return ProductLine(
        lot=lot,
        line_id=line_id,
        manufacturer="Acme",
        model=f"Model {line_id}",
        quantity=draw(st.integers(1, 50)),
        unit_price=draw(PRICES),
        yearly_kwh=draw(st.one_of(st.none(), st.floats(0, 200, allow_subnormal=False))),
        labels=[],
        answers=draw(line_answers(tender, lower_answered)),
    )


def offer(name: str, lines: list[ProductLine]) -> OfferFile:
    return OfferFile(
        tender_reference="PROP-1", lines=lines, company={}, supplier=name, filename=f"{name}.xlsx"
    )


@st.composite
def offer_files(
    draw: st.DrawFn,
    tender: Tender,
    *,
    count: tuple[int, int] = (2, 6),
    lines: tuple[int, int] = (1, 3),
    lower_answered: bool = False,
) -> list[OfferFile]:
    lots = [lot.number for lot in tender.spec.lots]
    files = []
    for n in range(draw(st.integers(*count))):
        size = draw(st.integers(*lines))
        files.append(
            offer(
                f"S{n}",
                [
                    draw(product_line(tender, f"L{k + 1}", draw(st.sampled_from(lots)), lower_answered))
                    for k in range(size)
                ],
            )
        )
    return files


@dataclass(frozen=True)
class Case:
    tender: Tender
    offers: list[OfferFile]


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    carbon: bool | None = None,
    lots: int = 1,
    lines: tuple[int, int] = (1, 3),
    lower_answered: bool = False,
) -> Case:
    tender = draw(tenders(carbon=carbon, lots=lots))
    return Case(tender, draw(offer_files(tender, lines=lines, lower_answered=lower_answered)))


# --- reading results ----------------------------------------------------------------------------------


def evaluate_one(tender: Tender, offers: list[OfferFile]) -> LotResult:
    [result] = evaluate(tender.spec, offers)
    return result


def by_offer(result: LotResult) -> dict[str, OfferResult]:
    return {r.offer: r for r in result.offers}


def total_key(result: OfferResult) -> float:
    """An offer not ranked counts as the lowest total."""
    return -math.inf if math.isnan(result.total) else result.total


def rank_key(result: OfferResult) -> float:
    """Rank 1 is best; an offer not ranked (rank 0) counts as the worst."""
    return result.rank or math.inf


def meets(requirement: content.Requirement, answer: Any) -> bool:
    """By hand: does a declared answer meet the requirement's own threshold?"""
    if answer is None:
        return False
    if requirement.data_type == DataType.BOOLEAN:
        return bool(answer == requirement.expected_value)
    if requirement.data_type == DataType.ENUMERATION:
        return answer in requirement.allowed_answers
    value = float(answer)
    if requirement.expected_value is not None and value != float(requirement.expected_value):
        return False
    if requirement.min_value is not None and value < requirement.min_value:
        return False
    return not (requirement.max_value is not None and value > requirement.max_value)


def line_fails(tender: Tender, line: ProductLine) -> bool:
    """By hand: the line misses a technical specification (one group per criterion: all must be met)."""
    return any(not all(meets(r, line.answers.get(r.id)) for r in c.requirements) for c in tender.knock_out)


def unit_cost_by_hand(lot: LotSpec, line: ProductLine) -> float:
    method = lot.award_method
    if method.price_rule == PriceRule.PRICE:
        return line.unit_price
    costs = method.costs
    years = costs.service_life_years
    cost = (
        line.unit_price
        + (line.yearly_kwh or 0.0) * float(costs.energy_price_per_kwh) * years
        + float(costs.maintenance_per_year) * years
        - float(costs.residual_value)
    )
    if method.uses_carbon_price and method.carbon_requirement is not None:
        cost += (
            float(line.answers.get(method.carbon_requirement) or 0.0)
            / 1000
            * float(costs.carbon_price_per_tonne)
        )
    return cost


def rows_of(result: LotResult, index: int) -> list[int]:
    return [row for row, (offer_index, _line) in enumerate(result.lines) if offer_index == index]


def with_line(offers: list[OfferFile], index: int, row: int, **changes: Any) -> list[OfferFile]:
    """A copy of the offers where one line of one offer differs."""
    copied = [replace(o, lines=list(o.lines)) for o in offers]
    copied[index].lines[row] = replace(copied[index].lines[row], **changes)
    return copied


def improved(requirement: content.Requirement, answer: Any, step: int) -> Any:
    """A strictly better answer in the requirement's declared direction, or None where there is none.

    Yes/no: the expected answer is the better one. Enumerations: an earlier option where better is
    lower, a later one where it is higher. Numbers: ``step`` up or down (never below 0).
    """
    if requirement.data_type == DataType.BOOLEAN:
        return None if answer == requirement.expected_value else requirement.expected_value
    higher = requirement.better == Better.HIGHER
    if requirement.data_type == DataType.ENUMERATION:
        position = requirement.options.index(answer)
        target = min(position + step, len(requirement.options) - 1) if higher else max(position - step, 0)
        return None if target == position else requirement.options[target]
    if higher:
        return answer + step
    return None if answer <= 0 else max(answer - step, 0)


def improvable(case: Case) -> list[tuple[int, int, str]]:
    requirements = case.tender.requirements
    return [
        (index, row, code)
        for index, o in enumerate(case.offers)
        for row, line in enumerate(o.lines)
        for code, answer in sorted(line.answers.items())
        if improved(requirements[code], answer, 1) is not None
    ]


def assert_no_worse_for(name: str, before: LotResult, after: LotResult) -> None:
    """``name`` neither loses points nor rank places; no other offer gains points."""
    old, new = by_offer(before), by_offer(after)
    assert total_key(new[name]) >= total_key(old[name]) - TOLERANCE, (old[name], new[name])
    assert rank_key(new[name]) <= rank_key(old[name]), (old[name], new[name])
    for other in old:
        if other != name:
            assert total_key(new[other]) <= total_key(old[other]) + TOLERANCE, (other, old[other], new[other])


# --- a) a better answer or a lower price never hurts -----------------------------------------------


def _hand_case(
    requirement: dict[str, Any], answers_a: list[float | None], answers_b: list[float | None]
) -> Case:
    """Two offers, one award criterion (40 points) on one number, price (60 points) on 1000 a line."""
    award = criterion(
        "ac-c0", "award_criterion", [{"id": "r0", "data_type": "number", "unit": "u", **requirement}]
    )
    tender = make_tender([award], [40], [], price_weight=60)

    def lines(values: list[float | None]) -> list[ProductLine]:
        return [
            ProductLine(
                1, f"L{n + 1}", "Acme", "M", 1, 1000.0, None, [], {} if v is None else {"ac-c0.r0": v}
            )
            for n, v in enumerate(values)
        ]

    return Case(tender, [offer("A", lines(answers_a)), offer("B", lines(answers_b))])


#: Bug 1 (fixed: offers are now compared as wholes). Proportional, better higher. A has two lines at 10, B one at 5. A raises its first line to 20:
#: that line becomes the best of all lines, A's other line now earns 10/20 instead of 10/10, and A's
#: total falls from 70 to 60 (quality 40 → 30).
MULTI_LINE_PROPORTIONAL = _hand_case(
    {"min_value": 0, "better": "higher", "scoring": {"rule": "proportional"}}, [10.0, 10.0], [5.0]
)
#: Bug 2 (fixed: a missing answer earns nothing). Proportional, better lower, at most 60. B answers nothing; A answers 61 (over the limit) and
#: improves to 60: B's points jump from 0 to all 40, because a missing or failing answer scores as the
#: best under "better: lower" once any eligible line meets the requirement.
MISSING_ANSWER_PROPORTIONAL_LOWER = _hand_case(
    {"max_value": 60, "better": "lower", "scoring": {"rule": "proportional"}}, [61.0], [None]
)


def check_improvement(case: Case, pick: int, step: int) -> None:
    slots = improvable(case)
    if not slots:
        return
    index, row, code = slots[pick % len(slots)]
    line = case.offers[index].lines[row]
    answers = line.answers | {code: improved(case.tender.requirements[code], line.answers[code], step)}
    better = with_line(case.offers, index, row, answers=answers)

    before, after = evaluate_one(case.tender, case.offers), evaluate_one(case.tender, better)
    assert_no_worse_for(case.offers[index].supplier, before, after)


@properties(80)
@example(case=MULTI_LINE_PROPORTIONAL, pick=0, step=10)
@example(case=MISSING_ANSWER_PROPORTIONAL_LOWER, pick=0, step=1)
@given(case=cases(), pick=st.integers(0, 10**6), step=st.integers(1, 60))
def test_improving_an_answer_never_lowers_the_offer_nor_raises_the_others(
    case: Case, pick: int, step: int
) -> None:
    check_improvement(case, pick, step)


@properties(100)
@given(case=cases(lines=(1, 1), lower_answered=True), pick=st.integers(0, 10**6), step=st.integers(1, 60))
def test_improving_an_answer_of_a_one_line_offer_never_hurts(case: Case, pick: int, step: int) -> None:
    """The property above, drawn where every offer has one line and every proportional better-lower
    requirement is answered within its threshold: where line and offer rankings coincide."""
    check_improvement(case, pick, step)


@properties(60)
@given(case=cases(), pick=st.integers(0, 10**6), cut=st.floats(0.0, 0.999))
def test_lowering_a_price_never_lowers_the_offer_nor_raises_the_others(
    case: Case, pick: int, cut: float
) -> None:
    slots = [(i, row) for i, o in enumerate(case.offers) for row in range(len(o.lines))]
    index, row = slots[pick % len(slots)]
    price = case.offers[index].lines[row].unit_price
    cheaper = with_line(case.offers, index, row, unit_price=PRICE_FLOOR + (price - PRICE_FLOOR) * cut)

    before, after = evaluate_one(case.tender, case.offers), evaluate_one(case.tender, cheaper)
    assert_no_worse_for(case.offers[index].supplier, before, after)


def test_a_cost_that_comes_out_non_positive_does_not_drop_a_cheaper_offer() -> None:
    case = _hand_case(
        {"min_value": 0, "better": "higher", "scoring": {"rule": "proportional"}}, [10.0], [10.0]
    )
    costs = CostParameters(service_life_years=5, energy_price_per_kwh=Decimal(0), residual_value=Decimal(300))
    tender = make_tender(
        case.tender.award, [40], [], price_weight=60, price_rule=PriceRule.LIFE_CYCLE_COST, costs=costs
    )
    at_400 = with_line(case.offers, 0, 0, unit_price=400.0)  # life-cycle cost 100: ranked first
    at_300 = with_line(case.offers, 0, 0, unit_price=300.0)  # life-cycle cost 0
    assert by_offer(evaluate_one(tender, at_400))["A"].rank == 1
    assert_no_worse_for("A", evaluate_one(tender, at_400), evaluate_one(tender, at_300))


# --- b) the order of files and lines decides nothing --------------------------------------------------


@properties(60)
@given(case=cases(), seed=st.integers(0, 2**32))
def test_the_order_of_offers_and_lines_does_not_matter(case: Case, seed: int) -> None:
    shuffle = random.Random(seed)
    shuffled = [replace(o, lines=shuffle.sample(o.lines, len(o.lines))) for o in case.offers]
    shuffled = shuffle.sample(shuffled, len(shuffled))

    first, second = (
        by_offer(evaluate_one(case.tender, case.offers)),
        by_offer(evaluate_one(case.tender, shuffled)),
    )
    assert first.keys() == second.keys()
    for name, one in first.items():
        other = second[name]
        assert (one.eligible, one.rank, one.excluded_lines) == (
            other.eligible,
            other.rank,
            other.excluded_lines,
        )
        assert one.total == pytest.approx(other.total, abs=TOLERANCE, nan_ok=True)
        assert one.criterion_points == pytest.approx(other.criterion_points, abs=TOLERANCE)


# --- c) a failed specification excludes the offer whole -----------------------------------------------


@properties(80)
@given(case=cases())
def test_an_offer_with_a_line_that_fails_a_specification_is_excluded_whole(case: Case) -> None:
    result = evaluate_one(case.tender, case.offers)
    document = to_json(case.tender.spec, [result], evaluated_on=date(2026, 1, 1))["lots"][0]
    results = by_offer(result)
    for index, o in enumerate(case.offers):
        failing = [line for line in o.lines if line_fails(case.tender, line)]
        outcome = results[o.supplier]
        rows = rows_of(result, index)
        assert outcome.excluded_lines == len(failing)
        if failing:
            assert (outcome.eligible, outcome.rank) == (False, 0)
            assert math.isnan(outcome.total)
            for row in rows:
                assert not result.checked.eligible[row]
                assert math.isnan(result.scored.total[row]) and result.scored.rank[row] == 0
                assert (document["lines"][row]["eligible"], document["lines"][row]["total"]) == (False, None)
        else:  # every life-cycle cost is positive here, so a compliant offer is ranked
            assert outcome.eligible and outcome.rank > 0
            assert all(result.checked.eligible[row] for row in rows)


# --- d) no lines in a lot is a "no bid" there, not an exclusion -----------------------------------------


@st.composite
def two_lot_cases(draw: st.DrawFn) -> Case:
    tender = draw(tenders(lots=2))
    files = draw(offer_files(tender, count=(2, 6), lines=(0, 3)))
    if not any(o.lines for o in files):
        files[0].lines.append(draw(product_line(tender, "L1", 1)))
    return Case(tender, files)


@properties(60)
@given(case=two_lot_cases())
def test_an_offer_without_lines_in_a_lot_is_no_bid_there(case: Case) -> None:
    results = evaluate(case.tender.spec, case.offers)
    assert {r.lot.number for r in results} == {line.lot for o in case.offers for line in o.lines}
    for result in results:
        for o, outcome in zip(case.offers, result.offers, strict=True):
            assert outcome.offer == o.supplier
            lines = [line for line in o.lines if line.lot == result.lot.number]
            assert outcome.bid == bool(lines) and outcome.lines == len(lines)
            if not lines:
                assert (outcome.rank, outcome.eligible, outcome.excluded_lines) == (0, False, 0)


# --- e) offer totals follow the stated rule from the line results -----------------------------------------


@properties(80)
@given(case=cases())
def test_offer_totals_follow_the_stated_rule_from_the_lines(case: Case) -> None:
    result = evaluate_one(case.tender, case.offers)
    lot = case.tender.lot
    method = result.method
    scored = result.scored
    quantity = [float(line.quantity) for _i, line in result.lines]
    for row, (_index, line) in enumerate(result.lines):  # cost per unit by the stated formula
        assert scored.life_cycle_cost[row] == pytest.approx(unit_cost_by_hand(lot, line), rel=1e-12)

    cost, eligible = {}, {}
    for index, o in enumerate(case.offers):
        rows = rows_of(result, index)
        cost[o.supplier] = sum(quantity[r] * scored.life_cycle_cost[r] for r in rows)
        eligible[o.supplier] = bool(rows) and not any(line_fails(case.tender, line) for line in o.lines)
    lowest = min((max(cost[n], MIN_COST) for n in cost if eligible[n]), default=math.nan)
    quality_by_hand = offer_quality_by_hand(case, result, eligible)

    expected: dict[str, tuple[float, float]] = {}
    for o in case.offers:
        name = o.supplier
        outcome = by_offer(result)[name]
        assert outcome.eligible == eligible[name]
        assert outcome.life_cycle_cost == pytest.approx(cost[name], rel=1e-12)
        if not eligible[name]:
            assert math.isnan(outcome.total) and outcome.rank == 0
            continue
        price = float(method.price_weight) * lowest / max(cost[name], MIN_COST)
        breakdown = quality_by_hand[name]
        quality = sum(breakdown.values())
        assert outcome.price_points == pytest.approx(price, rel=1e-12)
        assert outcome.quality_points == pytest.approx(quality, rel=1e-9, abs=1e-12)
        assert outcome.total == pytest.approx(price + quality, rel=1e-9)
        assert outcome.criterion_points == pytest.approx(breakdown, rel=1e-9, abs=1e-12)
        expected[name] = (price + quality, cost[name])

    # ranks: the higher total first, ties to the lower cost, then the name
    order = sorted(expected, key=lambda n: (-round(expected[n][0], 9), round(expected[n][1], 9), n))
    assert {n: r.rank for n, r in by_offer(result).items() if r.rank} == {
        n: k for k, n in enumerate(order, 1)
    }


# --- f) points stay within their weights -----------------------------------------------------------


@properties(60)
@given(case=cases())
def test_points_stay_within_their_weights(case: Case) -> None:
    result = evaluate_one(case.tender, case.offers)
    weights = result.method.weights
    assert float(result.method.price_weight) + sum(weights.values()) == pytest.approx(100)
    points = result.scored.criterion_points
    for i, code in enumerate(result.scored.award_criteria):
        assert (points[:, i] >= 0).all() and (points[:, i] <= weights[code] + TOLERANCE).all()
    for outcome in result.offers:
        for code, value in outcome.criterion_points.items():
            assert -TOLERANCE <= value <= weights[code] + TOLERANCE
        assert 0 <= outcome.price_points <= float(result.method.price_weight) + TOLERANCE
        if outcome.eligible:
            assert 0 <= outcome.total <= 100 + TOLERANCE


# --- g) the carbon regression: a lower footprint is better ------------------------------------------


@st.composite
def carbon_pairs(draw: st.DrawFn) -> tuple[Case, str, str]:
    """A random tender with the carbon criterion, random offers, and two offers identical but for
    their declared footprints (every line of ``low`` at most that of ``high``, one strictly lower)."""
    case = draw(cases(carbon=True))
    size = draw(st.integers(1, 3))
    lines = [draw(product_line(case.tender, f"L{k + 1}")) for k in range(size)]
    high = [
        replace(line, answers=line.answers | {FOOTPRINT: float(draw(st.integers(1, 800)))}) for line in lines
    ]
    cuts = draw(st.lists(st.floats(0.0, 1.0), min_size=size, max_size=size))
    cuts[draw(st.integers(0, size - 1))] = draw(st.floats(0.0, 0.99))
    low = [
        replace(line, answers=line.answers | {FOOTPRINT: line.answers[FOOTPRINT] * cut})
        for line, cut in zip(high, cuts, strict=True)
    ]
    names = draw(st.permutations(["Low", "High"]))  # so that the name breaks a tie either way
    files = [*case.offers, offer(names[0], low), offer(names[1], high)]
    return Case(case.tender, draw(st.permutations(files))), names[0], names[1]


@properties(80)
@given(pair=carbon_pairs())
def test_a_lower_footprint_never_earns_fewer_carbon_points_nor_ranks_worse(
    pair: tuple[Case, str, str],
) -> None:
    case, low_name, high_name = pair
    results = by_offer(evaluate_one(case.tender, case.offers))
    low, high = results[low_name], results[high_name]
    assert low.eligible == high.eligible  # the footprint is scored, never a knock-out
    if not low.eligible:
        return
    assert low.criterion_points[CARBON] >= high.criterion_points[CARBON] - TOLERANCE
    assert low.total >= high.total - TOLERANCE
    assert low.life_cycle_cost <= high.life_cycle_cost + TOLERANCE
    if low.rank > high.rank:  # only a full tie (points and cost) goes to the name
        assert round(low.total, 9) == round(high.total, 9)
        assert round(low.life_cycle_cost, 9) == round(high.life_cycle_cost, 9)
        assert low.offer > high.offer


# --- h) line points follow the declared rules, recomputed by hand ---------------------------------


def offer_quality_by_hand(
    case: Case, result: LotResult, eligible: dict[str, bool]
) -> dict[str, dict[str, float]]:
    """Each eligible offer's points per award criterion by the stated rule, offers compared as wholes.

    A proportional requirement compares the offer's quantity-weighted mean answer with the best
    offer's (a line without a valid answer counts as 0 where higher is better; where lower is better
    the offer then earns no share); other rules average the lines' own shares by quantity; an unmet
    condition on any line leaves the criterion without points.
    """
    weights = result.method.weights
    offers = {o.supplier: o for o in case.offers}
    lines_of = {
        name: [line for line in o.lines if line.lot == case.tender.lot.number] for name, o in offers.items()
    }
    points: dict[str, dict[str, float]] = {name: {} for name in offers if eligible[name]}
    for award in case.tender.award:
        if award.id not in weights:
            continue
        scored = [r for r in award.requirements if r.scoring and r.scoring.rule != ScoringRule.CONDITION]
        conditions = [r for r in award.requirements if r.scoring and r.scoring.rule == ScoringRule.CONDITION]
        means: dict[str, dict[str, float | None]] = {}
        for name in points:
            units = sum(line.quantity for line in lines_of[name])
            means[name] = {}
            for r in scored:
                if r.scoring is None or r.scoring.rule != ScoringRule.PROPORTIONAL:
                    continue
                valid = [meets(r, line.answers.get(r.id)) for line in lines_of[name]]
                if r.better != Better.HIGHER and not all(valid):
                    means[name][r.id] = None
                    continue
                total = sum(
                    line.quantity * float(line.answers[r.id])
                    for line, ok in zip(lines_of[name], valid, strict=True)
                    if ok
                )
                means[name][r.id] = total / units
        for name in points:
            lines = lines_of[name]
            if not all(meets(r, line.answers.get(r.id)) for r in conditions for line in lines):
                points[name][award.id] = 0.0
                continue
            units = sum(line.quantity for line in lines)
            shares = []
            for r in scored:
                assert r.scoring is not None
                if r.scoring.rule == ScoringRule.PROPORTIONAL:
                    mine = means[name][r.id]
                    pool = [m[r.id] for m in means.values() if m[r.id] is not None]
                    if mine is None or not pool:
                        share = 0.0
                    elif r.better == Better.HIGHER:
                        best = max(max(pool), 0.0)  # type: ignore[type-var]
                        share = max(mine, 0.0) / best if best > 0 else 0.0
                    else:
                        best = max(min(pool), 0.0)  # type: ignore[type-var]
                        share = min(1.0, best / mine) if mine > 0 else 1.0
                else:
                    share = (
                        sum(line.quantity * share_by_hand(r, line.answers.get(r.id), []) for line in lines)
                        / units
                    )
                shares.append((r.scoring.weight, share))
            points[name][award.id] = (
                weights[award.id] * sum(w * x for w, x in shares) / sum(w for w, _x in shares)
            )
    return points


def share_by_hand(requirement: content.Requirement, answer: Any, pool: list[float]) -> float:
    """0…1 for one answer by its declared rule, as the award method states it; ``pool`` holds the
    answers of the eligible lines that meet the requirement (for the proportional rule)."""
    scoring = requirement.scoring
    assert scoring is not None
    if not meets(requirement, answer):
        return 0.0
    if scoring.rule in {ScoringRule.MET, ScoringRule.CONDITION}:
        return 1.0
    if scoring.rule == ScoringRule.OPTION_POINTS:
        return scoring.option_points.get(answer, 0.0)
    value, higher = float(answer), requirement.better == Better.HIGHER
    if scoring.rule == ScoringRule.LINEAR:
        assert scoring.zero_at is not None and scoring.full_at is not None
        return min(1.0, max(0.0, (value - scoring.zero_at) / (scoring.full_at - scoring.zero_at)))
    if scoring.rule == ScoringRule.BANDS:
        reached = [
            band.share
            for band in scoring.bands
            if (value >= band.at_least if higher else value <= band.at_most)  # type: ignore[operator]
        ]
        return max(reached, default=0.0)
    if higher:  # proportional: the best answer earns all
        return value / max(pool) if max(pool) > 0 else 0.0
    return min(pool) / value if value > 0 else 1.0


@properties(60)
@given(case=cases(lines=(1, 1), lower_answered=True))
def test_line_points_follow_the_declared_rules(case: Case) -> None:
    """Each criterion's points: weight × the scoring-weighted mean of its requirements' shares, and
    nothing where a condition is unmet. One line per offer, so that "best line" and "best offer" agree
    (bug 1), and proportional better-lower answers given (bug 2)."""
    result = evaluate_one(case.tender, case.offers)
    weights = result.method.weights
    lines = [line for _index, line in result.lines]
    eligible = [not line_fails(case.tender, line) for line in lines]
    for award in case.tender.award:
        column = result.scored.award_criteria.index(award.id)
        scored = [r for r in award.requirements if r.scoring and r.scoring.rule != ScoringRule.CONDITION]
        conditions = [r for r in award.requirements if r.scoring and r.scoring.rule == ScoringRule.CONDITION]
        pools = {  # the proportional rule's pool: answers of eligible lines that meet the requirement
            r.id: [
                float(line.answers[r.id])
                for line, ok in zip(lines, eligible, strict=True)
                if ok and meets(r, line.answers.get(r.id))
            ]
            for r in scored
            if r.scoring and r.scoring.rule == ScoringRule.PROPORTIONAL
        }
        for row, line in enumerate(lines):
            points = result.scored.criterion_points[row, column]
            if not eligible[row] or not all(meets(r, line.answers.get(r.id)) for r in conditions):
                assert points == 0
                continue
            shares = [
                (r.scoring.weight, share_by_hand(r, line.answers.get(r.id), pools.get(r.id, [])))
                for r in scored
            ]  # type: ignore[union-attr]
            expected = weights[award.id] * sum(w * s for w, s in shares) / sum(w for w, _s in shares)
            assert points == pytest.approx(expected, rel=1e-9, abs=1e-12), (award.id, row, line.answers)


# --- the real framework: the exact case -------------------------------------------------------


def passing_value(requirement: content.Requirement) -> Any:
    """An answer that meets a framework requirement."""
    if requirement.data_type == DataType.BOOLEAN:
        return requirement.expected_value
    if requirement.data_type == DataType.ENUMERATION:
        return requirement.allowed_answers[0]
    if requirement.data_type == DataType.STRING:
        return "declared"
    if requirement.data_type == DataType.DATE:
        return str(requirement.expected_value or "2030-01-01")
    if requirement.expected_value is not None:
        return float(requirement.expected_value)
    bound = requirement.min_value if requirement.min_value is not None else requirement.max_value
    assert bound is not None
    return float(bound)


def notebooks_lot(framework: content.Framework) -> tuple[TenderSpec, LotSpec, dict[str, Any]]:
    spec = build_spec(
        framework, product_groups=["notebooks"], categories={ImpactCategory.CARBON: Ambition.AMBITIOUS}
    )
    lot = spec.lots[0]
    answers = {
        r.id: passing_value(r)
        for c in lot.criteria
        if c.type in {CriterionType.TECHNICAL_SPECIFICATION, CriterionType.AWARD_CRITERION}
        for r in c.criterion.requirements
    }
    answers["pc-energy-tec-a.below-limit"] = 20.0
    return spec, lot, answers


def notebook_offer(name: str, answers: dict[str, Any]) -> OfferFile:
    line = ProductLine(1, "nb-1", "Acme", "Book 14", 100, 900.0, 18.0, [], answers)
    return OfferFile(tender_reference="DRAFT", lines=[line], company={}, supplier=name)


def test_the_lower_footprint_wins_the_carbon_points_in_the_real_framework(
    framework_content: content.Framework,
) -> None:
    """The issue: a notebook at 250 kg CO2e ranked below one at 400 kg (direction guessed from min 0)."""
    spec, lot, answers = notebooks_lot(framework_content)
    assert lot.award_method.requirement("wc-carbon-footprint-a.footprint").better == Better.LOWER  # type: ignore[union-attr]
    offers = [
        notebook_offer("Heavy", answers | {"wc-carbon-footprint-a.footprint": 400.0}),
        notebook_offer("Light", answers | {"wc-carbon-footprint-a.footprint": 250.0}),
    ]
    [result] = evaluate(spec, offers)
    heavy, light = by_offer(result)["Heavy"], by_offer(result)["Light"]

    assert light.eligible and heavy.eligible
    assert light.criterion_points["wc-carbon-footprint-a"] == pytest.approx(15.0)
    assert heavy.criterion_points["wc-carbon-footprint-a"] == pytest.approx(15.0 * 250 / 400)  # 9.375
    assert (light.rank, heavy.rank) == (1, 2)
    assert light.total - heavy.total == pytest.approx(15.0 - 9.375)


def test_an_enumeration_specification_is_met_only_by_its_allowed_answers(
    framework_content: content.Framework,
) -> None:
    spec, _lot, answers = notebooks_lot(framework_content)
    code = "pc-repair-design-b.repair-level"
    offers = [
        notebook_offer(level, answers | {code: level})
        for level in ("proprietary-tools", "common-tools", "tool-free")
    ]
    [result] = evaluate(spec, offers)
    column = [rule.requirement for rule in result.rules].index(code)
    statuses = [Status(int(result.checked.status[row, column])) for row in range(len(result.lines))]
    outcomes = by_offer(result)

    assert statuses == [Status.FAIL, Status.PASS, Status.PASS]
    assert (outcomes["proprietary-tools"].eligible, outcomes["proprietary-tools"].rank) == (False, 0)
    assert outcomes["proprietary-tools"].excluded_lines == 1
    assert outcomes["common-tools"].eligible and outcomes["tool-free"].eligible
    assert {outcomes["common-tools"].rank, outcomes["tool-free"].rank} == {1, 2}


def test_a_missing_footprint_earns_no_carbon_points(framework_content: content.Framework) -> None:
    spec, _lot, answers = notebooks_lot(framework_content)
    code = "wc-carbon-footprint-a.footprint"
    silent = {key: value for key, value in answers.items() if key != code}
    offers = [notebook_offer("Declared", answers | {code: 250.0}), notebook_offer("Silent", silent)]
    [result] = evaluate(spec, offers)
    outcomes = by_offer(result)

    assert outcomes["Declared"].criterion_points["wc-carbon-footprint-a"] == pytest.approx(15.0)
    assert outcomes["Silent"].criterion_points["wc-carbon-footprint-a"] == 0.0
