"""The award method of a lot, written once: the engine scores from it and every document states it.

One ``LotAwardMethod`` per lot holds the price or cost rule with its parameters, every award
criterion with its weight, and each of its requirements with its declared direction and scoring rule.
The offers engine (``cfit.offers.scoring``) computes points from this object; the annex, the supplier
template's instructions, the eForms award fields and the OCDS ``awardCriteriaDetails`` are rendered
from it (``cfit.tenders.award_text``). Nothing here is guessed: a requirement scored without a rule
of its own (a technical specification a procurer turned into an award criterion) takes the rule that
``default_scoring`` states, and that rule is written into the documents like any other. Plain Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from cfit.criteria.content import (
    NUMERIC_TYPES,
    Better,
    CriterionType,
    DataType,
    Requirement,
    Scoring,
    ScoringRule,
    Translated,
)

#: The points a lot hands out: price (or cost) plus every award criterion.
POINTS_TOTAL = Decimal(100)
CARBON_UNITS = frozenset({"kgco2e", "kg co2e"})


class PriceRule(StrEnum):
    PRICE = "price"  #: price points compare the unit price
    LIFE_CYCLE_COST = "life_cycle_cost"  #: price points compare the life-cycle cost per unit


@dataclass(frozen=True)
class CostParameters:
    """The life-cycle cost parameters a lot declares (EUR, per unit)."""

    service_life_years: int = 5
    energy_price_per_kwh: Decimal = Decimal("0.25")
    maintenance_per_year: Decimal = Decimal(0)
    residual_value: Decimal = Decimal(0)
    carbon_price_per_tonne: Decimal = Decimal(0)  #: 0 leaves emissions out of the cost


@dataclass(frozen=True)
class ScoredRequirement:
    """One requirement of an award criterion, with the rule that turns its answer into points."""

    id: str
    title: Translated
    data_type: DataType
    unit: str
    better: Better
    scoring: Scoring
    minimum: float | None = None
    maximum: float | None = None
    declared: bool = True  #: False where the rule is ``default_scoring``'s, not the framework's
    options: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()

    @property
    def is_numeric(self) -> bool:
        return self.data_type.value in NUMERIC_TYPES


@dataclass(frozen=True)
class ScoredCriterion:
    """An award criterion of the lot: its weight is split equally over its requirements."""

    id: str
    title: Translated
    weight: Decimal
    requirements: tuple[ScoredRequirement, ...]


@dataclass(frozen=True)
class LotAwardMethod:
    lot: int
    price_rule: PriceRule
    price_weight: Decimal
    costs: CostParameters
    criteria: tuple[ScoredCriterion, ...]
    carbon_requirement: str | None = None  #: whose answer (kg CO2e per unit) the carbon price applies to
    points_total: Decimal = POINTS_TOTAL
    quality_weight: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quality_weight", sum((c.weight for c in self.criteria), Decimal(0)))

    @property
    def weights(self) -> dict[str, float]:
        return {c.id: float(c.weight) for c in self.criteria}

    @property
    def uses_carbon_price(self) -> bool:
        return (
            self.price_rule == PriceRule.LIFE_CYCLE_COST
            and self.costs.carbon_price_per_tonne > 0
            and self.carbon_requirement is not None
        )

    def requirement(self, code: str) -> ScoredRequirement | None:
        return next((r for c in self.criteria for r in c.requirements if r.id == code), None)


def default_scoring(requirement: Requirement) -> tuple[Better, Scoring]:
    """The rule of a requirement that declares none (a specification scored as an award criterion).

    Numbers and dates: proportional to the best offer, in the requirement's declared direction (the
    loader refuses a number without one). Yes/no and enumerations: all points when the answer meets
    the requirement.
    """
    if requirement.data_type.value in NUMERIC_TYPES:
        if requirement.better is None:  # the framework loader refuses this; an edited draft may not
            raise ValueError(f"{requirement.id} declares no direction (better: higher or lower)")
        return requirement.better, Scoring(rule=ScoringRule.PROPORTIONAL)
    if requirement.data_type == DataType.BOOLEAN:
        return (Better.HIGHER if requirement.expected_value is not False else Better.LOWER), Scoring(
            rule=ScoringRule.MET
        )
    return requirement.better or Better.LOWER, Scoring(rule=ScoringRule.MET)


def scored_requirement(requirement: Requirement) -> ScoredRequirement:
    declared = requirement.scoring is not None and requirement.better is not None
    if declared:
        assert requirement.better is not None and requirement.scoring is not None
        better, scoring = requirement.better, requirement.scoring
    else:
        better, scoring = default_scoring(requirement)
    return ScoredRequirement(
        id=requirement.id,
        title=requirement.title,
        data_type=requirement.data_type,
        unit=requirement.unit,
        better=better,
        scoring=scoring,
        minimum=requirement.min_value,
        maximum=requirement.max_value,
        declared=declared,
        options=tuple(requirement.options),
        allowed=tuple(requirement.allowed_answers),
    )


@dataclass(frozen=True)
class AwardChoice:
    """What a lot says about one criterion: the framework criterion, its type in the tender, its weight."""

    id: str
    title: Translated
    type: CriterionType
    weight: Decimal
    requirements: Sequence[Requirement]


def carbon_requirement(choices: Sequence[AwardChoice]) -> str | None:
    """The requirement whose answer is a unit's carbon footprint (kg CO2e), for the carbon price."""
    for choice in choices:
        for requirement in choice.requirements:
            if requirement.unit.lower() in CARBON_UNITS:
                return requirement.id
    return None


def build_award_method(
    lot: int,
    choices: Sequence[AwardChoice],
    *,
    price_rule: PriceRule,
    price_weight: Decimal,
    costs: CostParameters,
) -> LotAwardMethod:
    """The lot's award method from its criteria as the tender uses them (award criteria with a weight)."""
    criteria = tuple(
        ScoredCriterion(
            id=choice.id,
            title=choice.title,
            weight=choice.weight,
            requirements=tuple(scored_requirement(r) for r in choice.requirements),
        )
        for choice in choices
        if choice.type == CriterionType.AWARD_CRITERION and choice.weight > 0
    )
    return LotAwardMethod(
        lot=lot,
        price_rule=price_rule,
        price_weight=price_weight,
        costs=costs,
        criteria=criteria,
        carbon_requirement=carbon_requirement(choices),
    )


def _number(value: Decimal | float | None) -> float | int | None:
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def method_json(method: LotAwardMethod) -> dict[str, object]:
    """The award method as data: the JSON evaluation, the API and the OCDS release carry this."""
    costs = method.costs
    return {
        "lot": method.lot,
        "points_total": _number(method.points_total),
        "price_rule": method.price_rule.value,
        "price_weight": _number(method.price_weight),
        "costs": {
            "service_life_years": costs.service_life_years,
            "energy_price_per_kwh": _number(costs.energy_price_per_kwh),
            "maintenance_per_year": _number(costs.maintenance_per_year),
            "residual_value": _number(costs.residual_value),
            "carbon_price_per_tonne": _number(costs.carbon_price_per_tonne),
            "carbon_requirement": method.carbon_requirement if method.uses_carbon_price else None,
        }
        if method.price_rule == PriceRule.LIFE_CYCLE_COST
        else None,
        "criteria": [
            {
                "id": criterion.id,
                "weight": _number(criterion.weight),
                "requirements": [
                    {
                        "id": r.id,
                        "better": r.better.value,
                        "scoring": r.scoring.model_dump(mode="json", exclude_defaults=True),
                        "declared": r.declared,
                        "unit": r.unit,
                    }
                    for r in criterion.requirements
                ],
            }
            for criterion in method.criteria
        ],
    }
