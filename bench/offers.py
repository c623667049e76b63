"""Offer checking and scoring at the scale of a national framework catalogue.

``python -m bench.offers --lines 100000 --requirements 80`` builds a synthetic catalogue, runs the
columnar engine (median of ``--repeat`` runs) and a straightforward per-line Python loop over the same
data in the same run, checks that both give the same statuses, eligibility and totals, and prints
one JSON line: lines, requirements, seconds, lines_per_second, loop_seconds, speedup.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Sequence

import numpy as np

from cfit.criteria.content import DataType
from cfit.offers.engine import Catalogue, Role, Rule, Status, check
from cfit.offers.scoring import AwardMethod, CostModel, score

LABELS = [f"label-{n}" for n in range(25)]
OPTIONS = ("A", "B", "C", "D")


def synthetic_rules(count: int, rng: np.random.Generator) -> list[Rule]:
    """A tender's rules: half knock-out numbers, some yes/no and lists, a quarter scored."""
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
                    expected="A",
                    options=OPTIONS,
                )
            )
        elif n >= count * 3 // 4:
            rules.append(
                Rule(f"{criterion}.r{n}", f"award-{criterion}", Role.AWARD, DataType.NUMBER, minimum=10.0)
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
                )
            )
    return rules


def synthetic_catalogue(lines: int, rules: Sequence[Rule], rng: np.random.Generator) -> Catalogue:
    offers = [f"offer-{n}" for n in range(max(1, lines // 500))]
    catalogue = Catalogue(
        line_ids=[f"L{n}" for n in range(lines)],
        offer_of_line=rng.integers(0, len(offers), lines).astype(np.int32),
        offers=offers,
        labels=rng.integers(0, 1 << len(LABELS), lines, dtype=np.uint64)
        & rng.integers(0, 1 << 25, lines, dtype=np.uint64),
        label_bits={label: bit for bit, label in enumerate(LABELS)},
        unit_price=rng.uniform(400, 1600, lines),
        yearly_kwh=rng.uniform(10, 60, lines),
        quantity=rng.integers(1, 50, lines).astype(np.float64),
    )
    for rule in rules:
        missing = rng.random(lines) < 0.005  # a few gaps, as in real offers
        if rule.is_text:
            codes = rng.choice(np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], np.int32), lines).astype(np.int32)
            catalogue.texts[rule.requirement] = (np.where(missing, -1, codes).astype(np.int32), list(OPTIONS))
        elif rule.data_type == DataType.BOOLEAN:
            values = (rng.random(lines) < 0.995).astype(np.float64)
            catalogue.numbers[rule.requirement] = np.where(missing, np.nan, values)
        else:
            low = 1.9 if rule.role == Role.KNOCK_OUT else 5.0
            catalogue.numbers[rule.requirement] = np.where(missing, np.nan, rng.uniform(low, 40.0, lines))
    return catalogue


def loop(
    rules: Sequence[Rule], catalogue: Catalogue, method: AwardMethod
) -> tuple[list[list[int]], list[bool], list[float]]:
    """The same semantics, line by line and requirement by requirement, as a reference."""
    masks = [sum(1 << catalogue.label_bits[label] for label in rule.labels) for rule in rules]
    statuses: list[list[int]] = []
    eligible: list[bool] = []
    for i in range(len(catalogue)):
        held = int(catalogue.labels[i])
        row = []
        for rule, mask in zip(rules, masks, strict=True):
            if rule.is_text:
                code, categories = (
                    catalogue.texts[rule.requirement][0][i],
                    catalogue.texts[rule.requirement][1],
                )
                answered = code >= 0
                met = answered and (rule.expected is None or categories[code] == rule.expected)
            else:
                value = catalogue.numbers[rule.requirement][i]
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
        groups: dict[str, bool] = {}
        for rule, status in zip(rules, row, strict=True):
            if rule.role == Role.KNOCK_OUT:
                groups[rule.criterion] = groups.get(rule.criterion, True) and status == Status.PASS
        statuses.append(row)
        eligible.append(all(groups.values()))
    costs = method.costs
    lcc = [
        float(catalogue.unit_price[i])
        + float(catalogue.yearly_kwh[i]) * costs.energy_price_per_kwh * costs.service_life_years
        for i in range(len(catalogue))
    ]
    lowest = min(c for c, ok in zip(lcc, eligible, strict=True) if ok)
    award = [(j, rule) for j, rule in enumerate(rules) if rule.role == Role.AWARD]
    best = {
        rule.requirement: max(
            catalogue.numbers[rule.requirement][i]
            for i in range(len(catalogue))
            if eligible[i]
            and statuses[i][j] == Status.PASS
            and not math.isnan(catalogue.numbers[rule.requirement][i])
        )
        for j, rule in award
    }
    totals = []
    for i in range(len(catalogue)):
        if not eligible[i]:
            totals.append(math.nan)
            continue
        per_criterion: dict[str, list[float]] = {}
        for j, rule in award:
            value = catalogue.numbers[rule.requirement][i]
            ok = statuses[i][j] == Status.PASS and not math.isnan(value)
            per_criterion.setdefault(rule.criterion, []).append(
                min(1.0, value / best[rule.requirement]) if ok else 0.0
            )
        quality = sum(method.weights[c] * sum(s) / len(s) for c, s in per_criterion.items())
        totals.append(method.price_weight * lowest / lcc[i] + quality)
    return statuses, eligible, totals


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
    award = sorted({rule.criterion for rule in rules if rule.role == Role.AWARD})
    method = AwardMethod(
        price_weight=60.0,
        weights={code: 40.0 / len(award) for code in award},
        costs=CostModel(service_life_years=5, energy_price_per_kwh=0.30),
    )

    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        checked = check(rules, catalogue)
        scored = score(checked, catalogue, method)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    statuses, eligible, totals = loop(rules, catalogue, method)
    loop_seconds = time.perf_counter() - started

    assert np.array_equal(checked.status, np.array(statuses, np.int8)), "engine and loop disagree on statuses"
    assert np.array_equal(checked.eligible, np.array(eligible)), "engine and loop disagree on eligibility"
    assert np.allclose(scored.total, np.array(totals), equal_nan=True), "engine and loop disagree on totals"
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
                "repeat": args.repeat,
            }
        )
    )


if __name__ == "__main__":
    main()
