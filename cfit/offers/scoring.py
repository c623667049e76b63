"""Award scoring over all lines at once, from the lot's award method. No Django.

Everything this module applies is read from ``cfit.tenders.award.LotAwardMethod``, the object the
tender documents are rendered from, so bidders read exactly the method applied here:

- cost per unit: the unit price, or under the life-cycle cost rule: price + yearly kWh × energy price
  × service life + maintenance per year × service life − residual value (+ declared kg CO2e ÷ 1000 ×
  carbon price);
- price points: price weight × lowest cost ÷ own cost (a cost below one cent counts as one cent);
- points of an award criterion: its weight × the weighted mean of its requirements' shares (0…1),
  each share from the requirement's declared direction and scoring rule (proportional, linear,
  bands, met, option points), and nothing where one of its conditions is not met;
- offers are ranked as wholes: price points from the offer's total cost (quantity × cost per unit
  over its lines in the lot) against the lowest total; a proportional requirement compares the
  offer's quantity-weighted mean answer with the best offer's; other rules average the lines' own
  shares by quantity; an offer is excluded whole when one of its lines misses a technical
  specification;
- lines are also ranked among all eligible lines (a catalogue's products), each against the best
  line, by the same rules.

Totals are rounded to 1e-9 points before ranking, so that the order in which offers or lines arrive
never decides a tie through floating-point noise; ties go to the lower cost, then to the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from cfit.criteria.content import Better, ScoringRule
from cfit.offers.engine import Bools, Catalogue, Checked, Codes, Floats, Role, Rule, Status
from cfit.tenders.award import LotAwardMethod, PriceRule

#: Points are compared after rounding to this many decimals (see the module's docstring).
TIE_DECIMALS = 9
#: A cost per unit below one cent counts as one cent, so that the price formula (lowest ÷ own) stays
#: defined when a residual value reaches the price; the cheapest then earns all price points.
MIN_COST = 0.01


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


def answer_values(rule: Rule, column: int, checked: Checked, catalogue: Catalogue) -> Floats:
    """A numeric requirement's answers where they meet it, NaN elsewhere (not met, not answered).

    A label that proves the requirement without a declared value counts as the least good answer
    that meets it (the threshold).
    """
    passed = checked.status[:, column] == Status.PASS
    values = catalogue.numbers.get(rule.requirement)
    if values is None:
        values = np.full(len(catalogue), np.nan)
    worst = rule.worst_passing
    values = np.where(np.isnan(values) & passed, np.nan if worst is None else worst, values)
    return np.asarray(np.where(passed, values, np.nan), np.float64)


def absolute_share(rule: Rule, column: int, checked: Checked, catalogue: Catalogue) -> Floats:
    """0…1 per line for a rule that reads the line's own answer only (met, option points, linear, bands)."""
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
    values = answer_values(rule, column, checked, catalogue)
    higher = rule.better == Better.HIGHER
    if scoring.rule == ScoringRule.LINEAR:
        assert scoring.zero_at is not None and scoring.full_at is not None
        share = (values - scoring.zero_at) / (scoring.full_at - scoring.zero_at)
    else:  # bands, listed from the fewest to the most points
        share = np.zeros(len(catalogue))
        for band in scoring.bands:
            bound = band.at_least if higher else band.at_most
            assert bound is not None
            share = np.where(values >= bound if higher else values <= bound, band.share, share)
    return np.asarray(np.clip(np.nan_to_num(share, nan=0.0), 0.0, 1.0), np.float64)


def proportional_share(values: Floats, pool: Bools, better: Better | None) -> Floats:
    """0…1 per unit (a line, or an offer) against the best value among the ``pool`` units.

    Higher is better: value ÷ best. Lower is better: best ÷ value, and a value of 0 earns all.
    A unit without a valid value (NaN) earns nothing.
    """
    valid = ~np.isnan(values)
    candidates = values[pool & valid]
    if candidates.size == 0:
        return np.zeros(values.shape[0])
    clipped = np.maximum(np.nan_to_num(values, nan=0.0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if better == Better.HIGHER:
            best = max(float(candidates.max()), 0.0)
            share = clipped / best if best > 0 else np.zeros(values.shape[0])
        else:
            best = max(float(candidates.min()), 0.0)
            share = np.where(clipped > 0, best / clipped, 1.0)
    return np.asarray(np.where(valid, np.clip(share, 0.0, 1.0), 0.0), np.float64)


def requirement_share(rule: Rule, column: int, checked: Checked, catalogue: Catalogue) -> Floats:
    """0…1 per line for one award requirement, comparing lines with the best eligible line."""
    if rule.scoring is not None and rule.scoring.rule == ScoringRule.PROPORTIONAL:
        values = answer_values(rule, column, checked, catalogue)
        return proportional_share(values, checked.eligible, rule.better)
    return absolute_share(rule, column, checked, catalogue)


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


def offer_criterion_share(
    columns: list[int], checked: Checked, catalogue: Catalogue, quantity: Floats, eligible_offers: Bools
) -> Floats:
    """0…1 per offer for one award criterion, the offer taken as a whole.

    Proportional requirements compare the offer's quantity-weighted mean answer with the best
    offer's: for higher is better a line without a valid answer counts as 0; for lower is better an
    offer with such a line earns nothing. Other rules read each line's own answer, and the offer's
    share is the quantity-weighted mean of its lines' shares. A condition unmet on any line leaves
    the criterion without points. Comparing offers (not lines) keeps the rule that improving any
    answer never lowers the offer's score.
    """
    offer = catalogue.offer_of_line
    count = len(catalogue.offers)
    units = np.bincount(offer, weights=quantity, minlength=count)
    units = np.where(units > 0, units, 1.0)
    total = np.zeros(count)
    weight_sum = 0.0
    gate = np.ones(count, np.bool_)
    for j in columns:
        rule = checked.rules[j]
        scoring = rule.scoring
        if scoring is not None and scoring.rule == ScoringRule.CONDITION:
            unmet = np.bincount(
                offer, weights=(checked.status[:, j] != Status.PASS).astype(np.float64), minlength=count
            )
            gate &= unmet == 0
            continue
        weight = scoring.weight if scoring is not None else 1.0
        if scoring is not None and scoring.rule == ScoringRule.PROPORTIONAL:
            values = answer_values(rule, j, checked, catalogue)
            missing = np.isnan(values)
            mean = (
                np.bincount(offer, weights=quantity * np.nan_to_num(values, nan=0.0), minlength=count) / units
            )
            if rule.better != Better.HIGHER:
                gaps = np.bincount(offer, weights=missing.astype(np.float64), minlength=count)
                mean = np.where(gaps > 0, np.nan, mean)
            share = proportional_share(mean, eligible_offers, rule.better)
        else:
            line_share = absolute_share(rule, j, checked, catalogue)
            share = np.bincount(offer, weights=quantity * line_share, minlength=count) / units
        total += weight * share
        weight_sum += weight
    share = total / weight_sum if weight_sum else np.zeros(count)
    return np.asarray(np.where(gate, share, 0.0), np.float64)


def _award_columns(checked: Checked, method: LotAwardMethod) -> list[tuple[str, list[int]]]:
    weights = method.weights
    return [
        (
            code,
            [j for j, rule in enumerate(checked.rules) if rule.criterion == code and rule.role == Role.AWARD],
        )
        for code in checked.criteria
        if code in weights
    ]


def price_points(weight: float, cost: Floats, eligible: Bools) -> Floats:
    """weight × lowest cost ÷ own cost among the eligible units; a cost below MIN_COST counts as MIN_COST."""
    floored = np.maximum(cost, MIN_COST)
    lowest = floored[eligible].min() if eligible.any() else np.nan
    return np.asarray(np.where(eligible, weight * lowest / floored, 0.0), np.float64)


def score(checked: Checked, catalogue: Catalogue, method: LotAwardMethod) -> Scored:
    size = len(catalogue)
    cost = unit_cost(method, catalogue)
    eligible = checked.eligible
    price = price_points(float(method.price_weight), cost, eligible)
    weights = method.weights
    award = _award_columns(checked, method)
    points = np.zeros((size, len(award)))
    for i, (code, columns) in enumerate(award):
        if columns:
            points[:, i] = np.where(
                eligible, weights[code] * criterion_share(columns, checked, catalogue), 0.0
            )
    total = np.where(eligible, price + points.sum(axis=1), np.nan)
    return Scored(cost, price, [code for code, _ in award], points, total, _rank(total, cost, catalogue))


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
    """Offers as wholes: excluded if any line is; cost and quality compared offer with offer.

    Price (or cost) points compare the offer's total, quantity × cost per unit over its lines, with
    the lowest total; quality points per criterion come from ``offer_criterion_share``.
    """
    quantity = _or_zero(catalogue.quantity, len(catalogue))
    quantity = np.where(quantity > 0, quantity, 1.0)
    offer = catalogue.offer_of_line
    count = len(catalogue.offers)
    lines = np.bincount(offer, minlength=count)
    own_failures = checked.line_eligible if checked.line_eligible.size == len(catalogue) else checked.eligible
    failed = np.bincount(offer, weights=(~own_failures).astype(np.float64), minlength=count)
    excluded = np.bincount(offer, weights=(~checked.eligible).astype(np.float64), minlength=count) > 0
    cost = np.asarray(
        np.bincount(offer, weights=quantity * scored.life_cycle_cost, minlength=count), np.float64
    )
    eligible = ~excluded & (lines > 0)
    price = price_points(float(method.price_weight), cost, eligible)
    weights = method.weights
    per_criterion = [
        np.where(
            eligible,
            weights[code] * offer_criterion_share(columns, checked, catalogue, quantity, eligible),
            0.0,
        )
        if columns
        else np.zeros(count)
        for code, columns in _award_columns(checked, method)
    ]
    results = []
    for index, name in enumerate(catalogue.offers):
        ok = bool(eligible[index])
        breakdown = {code: float(per_criterion[i][index]) for i, code in enumerate(scored.award_criteria)}
        quality = float(sum(breakdown.values()))
        results.append(
            OfferResult(
                name,
                ok,
                int(lines[index]),
                float(cost[index]),
                float(price[index]),
                quality if ok else 0.0,
                float(price[index]) + quality if ok else float("nan"),
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
