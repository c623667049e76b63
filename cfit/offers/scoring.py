"""Award scoring over all lines at once, from the lot's award method. No Django.

Everything this module applies is read from ``cfit.tenders.award.LotAwardMethod``, the object the
tender documents are rendered from, so bidders read exactly the method applied here:

- cost per unit: the unit price, or under the life-cycle cost rule: price + yearly kWh × energy price
  × service life + maintenance per year × service life − residual value (+ declared kg CO2e ÷ 1000 ×
  carbon price);
- price points of a line: price weight × lowest cost per unit among eligible lines ÷ its own;
- points of an award criterion: its weight × the weighted mean of its requirements' shares (0…1),
  each share from the requirement's declared direction and scoring rule (proportional, linear,
  bands, met, option points), and nothing where one of its conditions is not met;
- an offer: price points from its total cost (quantity × cost per unit over its lines in the lot)
  against the lowest total; quality points the quantity-weighted mean of its lines' quality points;
  excluded whole when one of its lines misses a technical specification.

Totals are rounded to 1e-9 points before ranking, so that the order in which offers or lines arrive
never decides a tie through floating-point noise; ties go to the lower cost, then to the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from cfit.criteria.content import Better, ScoringRule
from cfit.offers.engine import Catalogue, Checked, Codes, Floats, Role, Rule, Status
from cfit.tenders.award import LotAwardMethod, PriceRule

#: Points are compared after rounding to this many decimals (see the module's docstring).
TIE_DECIMALS = 9


def unit_cost(method: LotAwardMethod, catalogue: Catalogue) -> Floats:
    """The cost per unit that price points compare, per line (EUR)."""
    size = len(catalogue)
    price = _or_zero(catalogue.unit_price, size)
    if method.price_rule == PriceRule.PRICE:
        return price
    costs = method.costs
    years = float(costs.service_life_years)
    energy = _or_zero(catalogue.yearly_kwh, size) * float(costs.energy_price_per_kwh) * years
    cost = price + energy + float(costs.maintenance_per_year) * years - float(costs.residual_value)
    if method.uses_carbon_price and method.carbon_requirement is not None:
        carbon = _or_zero(catalogue.numbers.get(method.carbon_requirement), size)
        cost = cost + carbon / 1000.0 * float(costs.carbon_price_per_tonne)
    return np.asarray(cost, np.float64)


@dataclass
class Scored:
    life_cycle_cost: Floats  #: the cost per unit that price points compare (the unit price under "price")
    price_points: Floats
    award_criteria: list[str]
    criterion_points: Floats  #: lines × award criteria
    total: Floats  #: NaN for excluded lines
    rank: Codes  #: 1 = best; 0 for excluded lines


def _or_zero(values: Floats | None, size: int) -> Floats:
    if values is None:
        return np.zeros(size)
    return np.asarray(np.nan_to_num(values, nan=0.0), np.float64)


def requirement_share(rule: Rule, column: int, checked: Checked, catalogue: Catalogue) -> Floats:
    """0…1 per line for one award requirement, by its declared direction and scoring rule.

    An answer that does not meet the requirement's own threshold earns nothing. A label that proves
    the requirement without a declared value counts as the least good answer that meets it.
    """
    passed = checked.status[:, column] == Status.PASS
    scoring = rule.scoring
    if scoring is None or scoring.rule in {ScoringRule.MET, ScoringRule.CONDITION}:
        return np.asarray(passed, np.float64)
    if scoring.rule == ScoringRule.OPTION_POINTS:
        codes, categories = catalogue.texts.get(rule.requirement, (np.full(len(catalogue), -1, np.int32), []))
        points = scoring.option_points
        table = np.array([points.get(value, 0.0) for value in categories] + [0.0], np.float64)
        floor = min((points.get(value, 0.0) for value in rule.allowed), default=0.0)
        shares = np.where(codes >= 0, table[codes], floor)  # index -1 reads the trailing 0, then floor
        return np.asarray(np.where(passed, shares, 0.0), np.float64)
    values = catalogue.numbers.get(rule.requirement)
    if values is None:
        values = np.full(len(catalogue), np.nan)
    worst = rule.worst_passing
    values = np.where(np.isnan(values) & passed, np.nan if worst is None else worst, values)
    values = np.where(passed, values, np.nan)
    higher = rule.better == Better.HIGHER
    if scoring.rule == ScoringRule.LINEAR:
        assert scoring.zero_at is not None and scoring.full_at is not None
        share = (values - scoring.zero_at) / (scoring.full_at - scoring.zero_at)
    elif scoring.rule == ScoringRule.BANDS:
        share = np.zeros(len(catalogue))
        for band in scoring.bands:  # listed from the fewest to the most points
            bound = band.at_least if higher else band.at_most
            assert bound is not None
            reached = values >= bound if higher else values <= bound
            share = np.where(reached, band.share, share)
    else:  # proportional to the best answer among eligible lines
        pool = values[checked.eligible & ~np.isnan(values)]
        if pool.size == 0:
            return np.zeros(len(catalogue))
        clipped = np.maximum(values, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            if higher:
                best = max(float(pool.max()), 0.0)
                share = clipped / best if best > 0 else np.zeros(len(catalogue))
            else:
                best = max(float(pool.min()), 0.0)
                share = np.where(clipped > 0, best / clipped, 1.0)
    return np.asarray(np.clip(np.nan_to_num(share, nan=0.0), 0.0, 1.0), np.float64)


def criterion_share(columns: list[int], checked: Checked, catalogue: Catalogue) -> Floats:
    """0…1 per line for one award criterion: the weighted mean of its requirements' shares, and
    nothing at all where one of its conditions is not met."""
    size = len(catalogue)
    total = np.zeros(size)
    weight_sum = 0.0
    gate = np.ones(size, np.bool_)
    for j in columns:
        rule = checked.rules[j]
        if rule.scoring is not None and rule.scoring.rule == ScoringRule.CONDITION:
            gate &= checked.status[:, j] == Status.PASS
            continue
        weight = rule.scoring.weight if rule.scoring is not None else 1.0
        total += weight * requirement_share(rule, j, checked, catalogue)
        weight_sum += weight
    share = total / weight_sum if weight_sum else np.zeros(size)
    return np.asarray(np.where(gate, share, 0.0), np.float64)


def score(checked: Checked, catalogue: Catalogue, method: LotAwardMethod) -> Scored:
    size = len(catalogue)
    cost = unit_cost(method, catalogue)
    eligible = checked.eligible & (cost > 0)
    lowest = cost[eligible].min() if eligible.any() else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        price_points = np.where(eligible, float(method.price_weight) * lowest / cost, 0.0)
    weights = method.weights
    award = [c for c in checked.criteria if c in weights]
    points = np.zeros((size, len(award)))
    for i, code in enumerate(award):
        columns = [
            j for j, rule in enumerate(checked.rules) if rule.criterion == code and rule.role == Role.AWARD
        ]
        if not columns:
            continue
        points[:, i] = np.where(eligible, weights[code] * criterion_share(columns, checked, catalogue), 0.0)
    total = np.where(eligible, price_points + points.sum(axis=1), np.nan)
    return Scored(cost, price_points, award, points, total, _rank(total, cost, catalogue))


def _rank(total: Floats, tie_break: Floats, catalogue: Catalogue) -> Codes:
    """1 for the highest total; ties go to the lower cost, then the offer's name and the line id."""
    rank = np.zeros(total.shape[0], np.int32)
    ranked = np.flatnonzero(~np.isnan(total))
    if ranked.size == 0:
        return rank
    names = np.array(catalogue.offers, dtype=str)[catalogue.offer_of_line[ranked]]
    lines = np.array(catalogue.line_ids, dtype=str)[ranked]
    # np.lexsort sorts by the last key first.
    keys = np.lexsort(
        (
            lines,
            names,
            np.round(tie_break[ranked], TIE_DECIMALS),
            -np.round(total[ranked], TIE_DECIMALS),
        )
    )
    rank[ranked[keys]] = np.arange(1, ranked.size + 1, dtype=np.int32)
    return rank


@dataclass(frozen=True)
class OfferResult:
    offer: str
    eligible: bool
    lines: int
    life_cycle_cost: float  #: quantity × cost per unit over the offer's lines
    price_points: float
    quality_points: float
    total: float
    rank: int
    criterion_points: dict[str, float] = field(default_factory=dict)  #: award criterion → points
    bid: bool = True  #: False when the offer holds no line for this lot ("no bid", never "excluded")
    excluded_lines: int = 0  #: lines that miss a technical specification themselves


def rank_offers(
    checked: Checked, scored: Scored, catalogue: Catalogue, method: LotAwardMethod
) -> list[OfferResult]:
    """Offers as wholes: excluded if any line is; quality is the quantity-weighted mean of its lines."""
    quantity = _or_zero(catalogue.quantity, len(catalogue))
    quantity = np.where(quantity > 0, quantity, 1.0)
    offer = catalogue.offer_of_line
    count = len(catalogue.offers)
    lines = np.bincount(offer, minlength=count)
    own_failures = checked.line_eligible if checked.line_eligible.size == len(catalogue) else checked.eligible
    failed = np.bincount(offer, weights=(~own_failures).astype(np.float64), minlength=count)
    excluded = np.bincount(offer, weights=(~checked.eligible).astype(np.float64), minlength=count) > 0
    cost = np.bincount(offer, weights=quantity * scored.life_cycle_cost, minlength=count)
    quality = scored.criterion_points.sum(axis=1)
    weighted = np.bincount(offer, weights=quantity * quality, minlength=count)
    units = np.bincount(offer, weights=quantity, minlength=count)
    per_criterion = [
        np.bincount(offer, weights=quantity * scored.criterion_points[:, i], minlength=count)
        for i in range(len(scored.award_criteria))
    ]
    eligible = ~excluded & (lines > 0) & (cost > 0)
    lowest = cost[eligible].min() if eligible.any() else np.nan
    results = []
    for index, name in enumerate(catalogue.offers):
        ok = bool(eligible[index])
        price = float(float(method.price_weight) * lowest / cost[index]) if ok else 0.0
        mean_quality = float(weighted[index] / units[index]) if ok and units[index] else 0.0
        total = price + mean_quality if ok else float("nan")
        breakdown = {
            code: float(per_criterion[i][index] / units[index]) if ok and units[index] else 0.0
            for i, code in enumerate(scored.award_criteria)
        }
        results.append(
            OfferResult(
                name,
                ok,
                int(lines[index]),
                float(cost[index]),
                price,
                mean_quality,
                total,
                0,
                breakdown,
                bid=bool(lines[index] > 0),
                excluded_lines=int(failed[index]),
            )
        )
    ordered = sorted(
        (r for r in results if r.eligible),
        key=lambda r: (-round(r.total, TIE_DECIMALS), round(r.life_cycle_cost, TIE_DECIMALS), r.offer),
    )
    ranks = {r.offer: position for position, r in enumerate(ordered, start=1)}
    return [replace(r, rank=ranks.get(r.offer, 0)) for r in results]
