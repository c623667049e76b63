"""Offer checking and scoring at the scale of a national framework catalogue.

``python -m bench.offers --lines 100000 --requirements 80`` builds a synthetic catalogue and a lot's
award method, runs the columnar engine (check, score and rank the offers; median of ``--repeat`` runs)
and a straightforward per-line Python loop over the same data in the same run, checks that both give
the same statuses, eligibility, line totals and offer totals, and prints one JSON line: lines,
requirements, seconds, lines_per_second, loop_seconds, speedup, eligible_lines, eligible_offers, repeat.

The semantics are the engine's (``cfit.offers.engine``, ``cfit.offers.scoring``): a technical
specification is a knock-out, and one line that misses one excludes its whole offer; award
requirements declare ``better: higher`` and the proportional rule (the best answer among eligible
lines earns the criterion's points, the others value ÷ best; an answer under the requirement's own
minimum earns nothing); price points compare the life-cycle cost per unit (lines) and the total cost
of the offer (offers), and an offer's quality is the quantity-weighted mean of its lines'.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from cfit.criteria.content import Better, DataType, Scoring, ScoringRule
from cfit.offers.engine import Catalogue, Role, Rule, Status, check
from cfit.offers.scoring import rank_offers, score
from cfit.tenders.award import (
    CostParameters,
    LotAwardMethod,
    PriceRule,
    ScoredCriterion,
    ScoredRequirement,
)

LABELS = [f"label-{n}" for n in range(25)]
OPTIONS = ("A", "B", "C", "D")
ALLOWED = ("A", "B")  #: the options that meet the synthetic list requirements
PROPORTIONAL = Scoring(rule=ScoringRule.PROPORTIONAL)
SLOPPY_OFFERS = 0.25  #: the share of offers whose lines may miss or fail specifications


def synthetic_rules(count: int, rng: np.random.Generator) -> list[Rule]:
    """A tender's rules: knock-out numbers, some yes/no and lists, the last quarter scored."""
    rules = []
    for n in range(count):
        criterion = f"c{n // 2}"  # two requirements per criterion
        labels = frozenset(rng.choice(LABELS, size=2, replace=False).tolist()) if n % 3 == 0 else frozenset()
        if n % 8 == 6:
            rules.append(
                Rule(
                    f"{criterion}.r{n}",
                    criterion,
                    Role.KNOCK_OUT,
                    DataType.BOOLEAN,
                    expected=True,
                    labels=labels,
                )
            )
        elif n % 8 == 7:
            rules.append(
                Rule(
                    f"{criterion}.r{n}",
                    criterion,
                    Role.KNOCK_OUT,
                    DataType.ENUMERATION,
                    options=OPTIONS,
                    allowed=ALLOWED,
                    better=Better.LOWER,
                )
            )
        elif n >= count * 3 // 4:
            rules.append(
                Rule(
                    f"{criterion}.r{n}",
                    f"award-{criterion}",
                    Role.AWARD,
                    DataType.NUMBER,
                    minimum=10.0,
                    better=Better.HIGHER,
                    scoring=PROPORTIONAL,
                )
            )
        else:
            rules.append(
                Rule(
                    f"{criterion}.r{n}",
                    criterion,
                    Role.KNOCK_OUT,
                    DataType.NUMBER,
                    minimum=2.0,
                    labels=labels,
                    better=Better.HIGHER,
                )
            )
    return rules


def award_method(rules: Sequence[Rule]) -> LotAwardMethod:
    """Price (life-cycle cost) 60 points; 40 points shared equally by the award criteria."""
    award: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.role == Role.AWARD:
            award.setdefault(rule.criterion, []).append(rule)
    return LotAwardMethod(
        lot=1,
        price_rule=PriceRule.LIFE_CYCLE_COST,
        price_weight=Decimal(60),
        costs=CostParameters(service_life_years=5, energy_price_per_kwh=Decimal("0.30")),
        criteria=tuple(
            ScoredCriterion(
                id=code,
                title={"en": code},
                weight=Decimal(40) / len(award),
                requirements=tuple(
                    ScoredRequirement(
                        id=rule.requirement,
                        title={"en": rule.requirement},
                        data_type=rule.data_type,
                        unit="u",
                        better=Better.HIGHER,
                        scoring=PROPORTIONAL,
                        minimum=rule.minimum,
                    )
                    for rule in members
                ),
            )
            for code, members in sorted(award.items())
        ),
    )


def synthetic_catalogue(lines: int, rules: Sequence[Rule], rng: np.random.Generator) -> Catalogue:
    """About 500 lines an offer. A quarter of the offers are sloppy: their lines miss or fail a
    specification now and then (and so exclude their offer); the others meet every specification."""
    offers = [f"offer-{n}" for n in range(max(1, lines // 500))]
    offer_of_line = rng.integers(0, len(offers), lines).astype(np.int32)
    sloppy = (rng.random(len(offers)) < SLOPPY_OFFERS)[offer_of_line]
    catalogue = Catalogue(
        line_ids=[f"L{n}" for n in range(lines)],
        offer_of_line=offer_of_line,
        offers=offers,
        labels=rng.integers(0, 1 << len(LABELS), lines, dtype=np.uint64)
        & rng.integers(0, 1 << 25, lines, dtype=np.uint64),
        label_bits={label: bit for bit, label in enumerate(LABELS)},
        unit_price=rng.uniform(400, 1600, lines),
        yearly_kwh=rng.uniform(10, 60, lines),
        quantity=rng.integers(1, 50, lines).astype(np.float64),
    )
    for rule in rules:
        knock_out = rule.role == Role.KNOCK_OUT
        # a few gaps, as in real offers: anywhere in award answers, only in sloppy offers' specifications
        missing = (rng.random(lines) < 0.005) & (sloppy if knock_out else True)
        if rule.is_text:
            codes = rng.choice(np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 2], np.int32), lines).astype(np.int32)
            codes = np.where(sloppy | (codes < len(ALLOWED)), codes, 0).astype(np.int32)
            catalogue.texts[rule.requirement] = (np.where(missing, -1, codes).astype(np.int32), list(OPTIONS))
        elif rule.data_type == DataType.BOOLEAN:
            values = ((rng.random(lines) < 0.995) | ~sloppy).astype(np.float64)
            catalogue.numbers[rule.requirement] = np.where(missing, np.nan, values)
        else:
            low = np.where(sloppy, 1.9, 2.0) if knock_out else 5.0
            catalogue.numbers[rule.requirement] = np.where(missing, np.nan, rng.uniform(low, 40.0, lines))
    return catalogue


def loop(
    rules: Sequence[Rule], catalogue: Catalogue, method: LotAwardMethod
) -> tuple[list[list[int]], list[bool], list[float], list[float]]:
    """The same semantics, line by line and requirement by requirement, as a reference.

    Returns the statuses (lines × rules), eligibility and total per line, and the total per offer.
    """
    size = len(catalogue)
    masks = [sum(1 << catalogue.label_bits[label] for label in rule.labels) for rule in rules]
    statuses: list[list[int]] = []
    meets_specifications: list[bool] = []
    for i in range(size):
        held = int(catalogue.labels[i])
        row = []
        for rule, mask in zip(rules, masks, strict=True):
            if rule.is_text:
                codes, categories = catalogue.texts[rule.requirement]
                code = int(codes[i])
                answered = code >= 0
                met = answered and categories[code] in rule.allowed
            else:
                value = float(catalogue.numbers[rule.requirement][i])
                answered = not math.isnan(value)
                met = answered
                if met and rule.expected is not None:
                    met = value == float(rule.expected)
                if met and rule.minimum is not None:
                    met = value >= rule.minimum
                if met and rule.maximum is not None:
                    met = value <= rule.maximum
            if held & mask or met:
                row.append(Status.PASS)
            else:
                row.append(Status.FAIL if answered else Status.NOT_ANSWERED)
        criteria: dict[str, bool] = {}  # one requirement group per criterion: all must pass
        for rule, status in zip(rules, row, strict=True):
            if rule.role == Role.KNOCK_OUT:
                criteria[rule.criterion] = criteria.get(rule.criterion, True) and status == Status.PASS
        statuses.append(row)
        meets_specifications.append(all(criteria.values()))

    # an offer is taken or excluded whole
    offer_of_line = [int(o) for o in catalogue.offer_of_line]
    failing = {o for o, ok in zip(offer_of_line, meets_specifications, strict=True) if not ok}
    eligible = [ok and o not in failing for o, ok in zip(offer_of_line, meets_specifications, strict=True)]

    costs = method.costs
    years = costs.service_life_years
    assert catalogue.unit_price is not None and catalogue.yearly_kwh is not None
    assert catalogue.quantity is not None
    lcc = [
        float(catalogue.unit_price[i])
        + float(catalogue.yearly_kwh[i]) * float(costs.energy_price_per_kwh) * years
        + float(costs.maintenance_per_year) * years
        - float(costs.residual_value)
        for i in range(size)
    ]
    lowest = min(c for c, ok in zip(lcc, eligible, strict=True) if ok)
    award = [(j, rule) for j, rule in enumerate(rules) if rule.role == Role.AWARD]
    best: dict[str, float] = {}
    for j, rule in award:  # proportional, better higher: the best meeting answer among eligible lines
        answers = [
            float(catalogue.numbers[rule.requirement][i])
            for i in range(size)
            if eligible[i] and statuses[i][j] == Status.PASS
        ]
        best[rule.requirement] = max(max(answers, default=0.0), 0.0)
    weights = method.weights
    price_weight = float(method.price_weight)
    totals, qualities = [], []
    for i in range(size):
        if not eligible[i]:
            totals.append(math.nan)
            qualities.append(0.0)
            continue
        per_criterion: dict[str, list[float]] = {}
        for j, rule in award:
            value = float(catalogue.numbers[rule.requirement][i])
            top = best[rule.requirement]
            ok = statuses[i][j] == Status.PASS and top > 0
            per_criterion.setdefault(rule.criterion, []).append(
                min(1.0, max(value, 0.0) / top) if ok else 0.0
            )
        quality = sum(weights[c] * sum(s) / len(s) for c, s in per_criterion.items())
        qualities.append(quality)
        totals.append(price_weight * lowest / lcc[i] + quality)

    # offers: price points from the total cost, quality the quantity-weighted mean of the lines
    count = len(catalogue.offers)
    cost, weighted, units, lines = [0.0] * count, [0.0] * count, [0.0] * count, [0] * count
    for i in range(size):
        o, quantity = offer_of_line[i], float(catalogue.quantity[i])
        cost[o] += quantity * lcc[i]
        weighted[o] += quantity * qualities[i]
        units[o] += quantity
        lines[o] += 1
    taken = [lines[o] > 0 and o not in failing and cost[o] > 0 for o in range(count)]
    cheapest = min(c for c, ok in zip(cost, taken, strict=True) if ok)
    offer_totals = [
        price_weight * cheapest / cost[o] + weighted[o] / units[o] if taken[o] else math.nan
        for o in range(count)
    ]
    return statuses, eligible, totals, offer_totals


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--requirements", type=int, default=80)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    rules = synthetic_rules(args.requirements, rng)
    catalogue = synthetic_catalogue(args.lines, rules, rng)
    method = award_method(rules)

    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        checked = check(rules, catalogue)
        scored = score(checked, catalogue, method)
        offers = rank_offers(checked, scored, catalogue, method)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    statuses, eligible, totals, offer_totals = loop(rules, catalogue, method)
    loop_seconds = time.perf_counter() - started

    assert np.array_equal(checked.status, np.array(statuses, np.int8)), "engine and loop disagree on statuses"
    assert np.array_equal(checked.eligible, np.array(eligible)), "engine and loop disagree on eligibility"
    assert np.allclose(scored.total, np.array(totals), equal_nan=True), "engine and loop disagree on totals"
    assert np.allclose(np.array([r.total for r in offers]), np.array(offer_totals), equal_nan=True), (
        "engine and loop disagree on offer totals"
    )
    seconds = statistics.median(timings)
    print(
        json.dumps(
            {
                "lines": args.lines,
                "requirements": args.requirements,
                "seconds": round(seconds, 4),
                "lines_per_second": round(args.lines / seconds),
                "loop_seconds": round(loop_seconds, 3),
                "speedup": round(loop_seconds / seconds, 1),
                "eligible_lines": int(checked.eligible.sum()),
                "eligible_offers": sum(r.eligible for r in offers),
                "repeat": args.repeat,
            }
        )
    )


if __name__ == "__main__":
    main()
