"""Which criteria a lot uses, and what is risky about a choice. Plain Python, no Django.

The one-click default: for each impact category the procurer picks baseline or ambitious. Baseline
takes the baseline criteria of the product group. Ambitious takes, topic by topic, the ambitious
variant where one exists (it replaces the baseline criterion of the same topic) and keeps the baseline
criterion where a topic has no ambitious variant, so an ambitious lot never asks less than a baseline one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from cfit.criteria.content import Ambition, Criterion, CriterionType, ImpactCategory, LifecycleStage

#: A criterion's type may change only between these two: a specification can be scored instead.
CONVERTIBLE_TYPES = {CriterionType.TECHNICAL_SPECIFICATION, CriterionType.AWARD_CRITERION}
#: Above this share of the points, price decides the award whatever the quality.
PRICE_DOMINATES_ABOVE = Decimal("80")
WEIGHT_TOTAL = Decimal("100")


def select_criteria(
    criteria: Iterable[Criterion], product_group: str, ambitions: Mapping[ImpactCategory, Ambition]
) -> list[Criterion]:
    """The default criteria of a lot, in framework order."""
    of_group = [c for c in criteria if product_group in c.product_groups]
    ambitious_topics = {(c.impact_category, c.topic) for c in of_group if c.ambition == Ambition.AMBITIOUS}
    chosen = []
    for criterion in of_group:
        level = ambitions.get(criterion.impact_category, Ambition.BASELINE)
        key = (criterion.impact_category, criterion.topic)
        if criterion.ambition == Ambition.BASELINE:
            if level == Ambition.BASELINE or key not in ambitious_topics:
                chosen.append(criterion)
        elif level == Ambition.AMBITIOUS:
            chosen.append(criterion)
    return chosen


@dataclass(frozen=True)
class AmbitionEffect:
    """What switching one impact category to ambitious does to a lot, for the builder's preview."""

    category: ImpactCategory
    baseline: int
    ambitious: int
    added: list[str] = field(default_factory=list)  #: criterion ids the ambitious choice adds
    removed: list[str] = field(default_factory=list)  #: baseline criteria it replaces


def ambition_effects(criteria: Sequence[Criterion], product_group: str) -> list[AmbitionEffect]:
    effects = []
    for category in ImpactCategory:
        base = {
            c.id
            for c in select_criteria(criteria, product_group, {category: Ambition.BASELINE})
            if c.impact_category == category
        }
        high = {
            c.id
            for c in select_criteria(criteria, product_group, {category: Ambition.AMBITIOUS})
            if c.impact_category == category
        }
        effects.append(
            AmbitionEffect(category, len(base), len(high), sorted(high - base), sorted(base - high))
        )
    return effects


class WarningCode(StrEnum):
    PRICE_DOMINATES = "price_dominates"
    WEIGHTS_DO_NOT_ADD_UP = "weights_do_not_add_up"
    NO_END_OF_USE = "no_end_of_use"
    FEW_PRODUCTS_MEET = "few_products_meet"
    NO_AWARD_CRITERIA = "no_award_criteria"
    PROPOSED_THRESHOLDS = "proposed_thresholds"


@dataclass(frozen=True)
class Risk:
    code: WarningCode
    lot: int
    detail: str = ""  #: e.g. the criterion ids concerned


@dataclass(frozen=True)
class LotChoice:
    """A lot as the risk check sees it: its criteria with the type and weight chosen for the tender."""

    number: int
    criteria: Sequence[tuple[Criterion, CriterionType, Decimal]]
    price_weight: Decimal


def weights_add_up(lot: LotChoice) -> bool:
    award = sum((w for _, t, w in lot.criteria if t == CriterionType.AWARD_CRITERION), Decimal(0))
    return award + lot.price_weight == WEIGHT_TOTAL


def assess_risks(lots: Sequence[LotChoice]) -> list[Risk]:
    """Warnings for the review step; none of them blocks a draft, the weights block publishing."""
    risks = []
    for lot in lots:
        if not weights_add_up(lot):
            risks.append(Risk(WarningCode.WEIGHTS_DO_NOT_ADD_UP, lot.number))
        if lot.price_weight > PRICE_DOMINATES_ABOVE:
            risks.append(Risk(WarningCode.PRICE_DOMINATES, lot.number, f"{lot.price_weight}"))
        if not any(c.lifecycle_stage == LifecycleStage.END_OF_USE for c, _, _ in lot.criteria):
            risks.append(Risk(WarningCode.NO_END_OF_USE, lot.number))
        if not any(t == CriterionType.AWARD_CRITERION for _, t, _ in lot.criteria):
            risks.append(Risk(WarningCode.NO_AWARD_CRITERIA, lot.number))
        # Ambitious technical specifications exclude every product that misses them.
        strict = [
            c.id
            for c, t, _ in lot.criteria
            if c.ambition == Ambition.AMBITIOUS and t == CriterionType.TECHNICAL_SPECIFICATION
        ]
        if strict:
            risks.append(Risk(WarningCode.FEW_PRODUCTS_MEET, lot.number, ", ".join(strict)))
        proposals = [c.id for c, _, _ in lot.criteria if c.threshold_origin.value == "proposal"]
        if proposals:
            risks.append(Risk(WarningCode.PROPOSED_THRESHOLDS, lot.number, ", ".join(proposals)))
    return risks


def default_weights(
    criteria: Sequence[Criterion], quality_share: Decimal = Decimal(30)
) -> tuple[Decimal, dict[str, Decimal]]:
    """Default award weights for criteria of their own type (see ``split_quality_points``)."""
    return split_quality_points(
        [c.id for c in criteria if c.type == CriterionType.AWARD_CRITERION], quality_share
    )


def split_quality_points(
    award_criteria: Sequence[str], quality_share: Decimal = Decimal(30)
) -> tuple[Decimal, dict[str, Decimal]]:
    """Split ``quality_share`` points evenly over the award criteria; price gets the rest.

    Weights are whole points; the remainder of the division goes to the first criteria so the total is exact.
    With no award criterion, price gets all 100 points.
    """
    if not award_criteria:
        return WEIGHT_TOTAL, {}
    base, remainder = divmod(int(quality_share), len(award_criteria))
    weights = {code: Decimal(base + (1 if i < remainder else 0)) for i, code in enumerate(award_criteria)}
    return WEIGHT_TOTAL - quality_share, weights
