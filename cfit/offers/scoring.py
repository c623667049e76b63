"""Award scoring: life-cycle cost and weighted points, over all lines at once. No Django.

Life-cycle cost per unit = purchase price + yearly energy × energy price × service life
+ maintenance per year × service life − residual value + declared kg CO2e / 1000 × shadow carbon
price. Every parameter is the tender's; the defaults add nothing, so a tender that sets none scores
on price alone.

Points: each award criterion's weight times the mean of its requirement scores (0…1), and the
price weight times lowest cost / own cost. Scores are relative to the best eligible line, or, on the
absolute scale, between the requirement's threshold and a target the tender sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from cfit.offers.engine import Catalogue, Checked, Codes, Floats, Role, Rule, Status


class Scale(StrEnum):
    RELATIVE = "relative"  #: the best eligible line earns full points
    ABSOLUTE = "absolute"  #: full points at the tender's target value, none at the threshold


@dataclass(frozen=True)
class CostModel:
    service_life_years: float = 4.0
    energy_price_per_kwh: float = 0.0
    maintenance_per_year: float = 0.0
    residual_value: float = 0.0
    carbon_price_per_tonne: float = 0.0
    carbon_requirement: str | None = None  #: requirement whose answer is the kg CO2e per unit

    def life_cycle_cost(self, catalogue: Catalogue) -> Floats:
        size = len(catalogue)
        price = _or_zero(catalogue.unit_price, size)
        energy = _or_zero(catalogue.yearly_kwh, size) * self.energy_price_per_kwh * self.service_life_years
        cost = price + energy + self.maintenance_per_year * self.service_life_years - self.residual_value
        if self.carbon_requirement and self.carbon_price_per_tonne:
            carbon = _or_zero(catalogue.numbers.get(self.carbon_requirement), size)
            cost = cost + carbon / 1000.0 * self.carbon_price_per_tonne
        return cost


@dataclass(frozen=True)
class AwardMethod:
    price_weight: float
    weights: Mapping[str, float]  #: award criterion id → points
    scale: Scale = Scale.RELATIVE
    targets: Mapping[str, float] = field(default_factory=dict)  #: requirement id → value for full points
    costs: CostModel = CostModel()


@dataclass
class Scored:
    life_cycle_cost: Floats
    price_points: Floats
    award_criteria: list[str]
    criterion_points: Floats  #: lines × award criteria
    total: Floats  #: NaN for excluded lines
    rank: Codes  #: 1 = best; 0 for excluded lines


def _or_zero(values: Floats | None, size: int) -> Floats:
    if values is None:
        return np.zeros(size)
    return np.asarray(np.nan_to_num(values, nan=0.0), np.float64)


def requirement_score(
    rule: Rule, column: int, checked: Checked, catalogue: Catalogue, method: AwardMethod
) -> Floats:
    """0…1 per line for one award requirement."""
    passed = checked.status[:, column] == Status.PASS
    values = catalogue.numbers.get(rule.requirement)
    if rule.is_text or values is None or rule.expected is not None:
        return np.asarray(passed, np.float64)
    threshold = rule.minimum if rule.higher_is_better else rule.maximum
    # A label proves the threshold without a number: score it at the threshold.
    values = np.where(np.isnan(values) & passed, threshold if threshold is not None else np.nan, values)
    values = np.where(passed, values, np.nan)
    pool = values[checked.eligible & ~np.isnan(values)]
    target = method.targets.get(rule.requirement)
    if (
        method.scale == Scale.ABSOLUTE
        and target is not None
        and threshold is not None
        and target != threshold
    ):
        score = (values - threshold) / (target - threshold)
    elif pool.size == 0:
        return np.asarray(passed, np.float64)
    elif rule.higher_is_better:
        best = pool.max()
        score = values / best if best > 0 else passed.astype(np.float64)
    else:
        best = pool.min()
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(values > 0, best / values, 1.0)
    return np.asarray(np.clip(np.nan_to_num(score, nan=0.0), 0.0, 1.0), np.float64)


def score(checked: Checked, catalogue: Catalogue, method: AwardMethod) -> Scored:
    size = len(catalogue)
    lcc = method.costs.life_cycle_cost(catalogue)
    eligible = checked.eligible & (lcc > 0)
    lowest = lcc[eligible].min() if eligible.any() else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        price_points = np.where(eligible, method.price_weight * lowest / lcc, 0.0)
    award = [c for c in checked.criteria if c in method.weights]
    points = np.zeros((size, len(award)))
    for i, code in enumerate(award):
        columns = [
            j for j, rule in enumerate(checked.rules) if rule.criterion == code and rule.role == Role.AWARD
        ]
        if not columns:
            continue
        scores = np.column_stack(
            [requirement_score(checked.rules[j], j, checked, catalogue, method) for j in columns]
        )
        points[:, i] = method.weights[code] * scores.mean(axis=1)
    total = np.where(eligible, price_points + points.sum(axis=1), np.nan)
    return Scored(lcc, price_points, award, points, total, _rank(total, lcc))


def _rank(total: Floats, tie_break: Floats) -> Codes:
    """1 for the highest total; ties go to the lower life-cycle cost; 0 for excluded lines."""
    rank = np.zeros(total.shape[0], np.int32)
    ranked = np.flatnonzero(~np.isnan(total))
    order = ranked[np.lexsort((tie_break[ranked], -total[ranked]))]
    rank[order] = np.arange(1, order.size + 1, dtype=np.int32)
    return rank


@dataclass(frozen=True)
class OfferResult:
    offer: str
    eligible: bool
    lines: int
    life_cycle_cost: float  #: quantity × cost over the offer's lines
    price_points: float
    quality_points: float
    total: float
    rank: int
    criterion_points: dict[str, float] = field(default_factory=dict)  #: award criterion → points


def rank_offers(
    checked: Checked, scored: Scored, catalogue: Catalogue, method: AwardMethod
) -> list[OfferResult]:
    """Offers as wholes: excluded if any line is; quality is the quantity-weighted mean of its lines."""
    quantity = _or_zero(catalogue.quantity, len(catalogue))
    quantity = np.where(quantity > 0, quantity, 1.0)
    offer = catalogue.offer_of_line
    count = len(catalogue.offers)
    lines = np.bincount(offer, minlength=count)
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
        price = float(method.price_weight * lowest / cost[index]) if ok else 0.0
        mean_quality = float(weighted[index] / units[index]) if units[index] else 0.0
        total = price + mean_quality if ok else float("nan")
        breakdown = {
            code: float(per_criterion[i][index] / units[index]) if ok and units[index] else 0.0
            for i, code in enumerate(scored.award_criteria)
        }
        results.append(
            OfferResult(
                name, ok, int(lines[index]), float(cost[index]), price, mean_quality, total, 0, breakdown
            )
        )
    ordered = sorted((r for r in results if r.eligible), key=lambda r: (-r.total, r.life_cycle_cost))
    ranks = {r.offer: position for position, r in enumerate(ordered, start=1)}
    return [
        OfferResult(**{**r.__dict__, "rank": ranks.get(r.offer, 0)})  # frozen: rebuild with the rank
        for r in results
    ]
