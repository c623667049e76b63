"""A tender as the document and open-data exporters see it, saved or not.

`cfit tender build` makes one from command-line choices without touching the database; a saved
tender makes one with ``actions.tender_spec``. Every exporter reads only this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from cfit.criteria import content
from cfit.criteria.content import Ambition, CriterionType, ImpactCategory
from cfit.tenders import selection
from cfit.tenders.award import AwardChoice, CostParameters, LotAwardMethod, PriceRule, build_award_method


@dataclass(frozen=True)
class ChosenCriterion:
    criterion: content.Criterion
    type: CriterionType
    weight: Decimal = Decimal(0)


@dataclass(frozen=True)
class LotSpec:
    number: int
    title: str
    product_group: content.ProductGroup
    quantity: int
    estimated_value: Decimal
    cpv: str
    service_life_years: int
    price_weight: Decimal
    criteria: Sequence[ChosenCriterion]
    ambitions: Mapping[ImpactCategory, Ambition] = field(default_factory=dict)
    price_rule: PriceRule = PriceRule.LIFE_CYCLE_COST
    costs: CostParameters | None = None  #: None: the defaults, with this lot's service life

    def of_type(self, kind: CriterionType) -> list[ChosenCriterion]:
        return [c for c in self.criteria if c.type == kind]

    @property
    def award_method(self) -> LotAwardMethod:
        """The one object the engine scores from and every document states."""
        return build_award_method(
            self.number,
            [
                AwardChoice(c.criterion.id, c.criterion.title, c.type, c.weight, c.criterion.requirements)
                for c in self.criteria
            ],
            price_rule=self.price_rule,
            price_weight=self.price_weight,
            costs=self.costs or CostParameters(service_life_years=self.service_life_years),
        )


@dataclass(frozen=True)
class BuyerDetails:
    """What the buyer organisation entered once for all its notices (``Organisation.NOTICE_DETAILS``):
    codes of the eForms lists and plain texts, each empty if not filled in."""

    legal_type: str = ""  #: BT-11, code list buyer-legal-type
    main_activity: str = ""  #: BT-10, code list authority-activity
    registration_number: str = ""  #: BT-501
    street: str = ""  #: BT-510(a)
    post_code: str = ""  #: BT-512
    town: str = ""  #: BT-513
    nuts_code: str = ""  #: BT-507, NUTS level 3
    telephone: str = ""  #: BT-503


@dataclass(frozen=True)
class TenderSpec:
    title: str
    reference: str
    language: str
    procedure: str
    framework_version: str
    buyer: str
    buyer_country: str
    lots: Sequence[LotSpec]
    labels: Mapping[str, content.Label]
    status: str = "draft"
    issued: date = field(default_factory=date.today)
    identifier: str = ""  #: the OCDS ocid suffix; the database id for saved tenders
    offers_deadline: datetime | None = None  #: the end of the submission window (OCDS tenderPeriod)
    buyer_email: str = ""  #: the buyer's contact for the notice (eForms BT-506): who created the tender
    #: the buyer organisation's notice details (legal type, address, telephone…); empty if not filled in
    buyer_details: BuyerDetails = field(default_factory=BuyerDetails)

    def risks(self) -> list[selection.Risk]:
        return selection.assess_risks(
            [
                selection.LotChoice(
                    lot.number, [(c.criterion, c.type, c.weight) for c in lot.criteria], lot.price_weight
                )
                for lot in self.lots
            ]
        )


class UnknownProductGroup(ValueError):
    """Raised if a product group id is not in the framework."""


def build_spec(
    framework: content.Framework,
    *,
    product_groups: Sequence[str],
    ambition: Ambition = Ambition.BASELINE,
    categories: Mapping[ImpactCategory, Ambition] | None = None,
    language: str = "en",
    title: str = "",
    reference: str = "DRAFT",
    buyer: str = "",
    buyer_country: str = "",
    quantities: Mapping[str, int] | None = None,
    quality_share: Decimal = Decimal(30),
) -> TenderSpec:
    """A tender with one lot per product group and the default criteria of the ambition chosen.

    The criteria's texts are rendered (references to requirements replaced by their values): a
    spec is what documents and exports show to people.
    """
    from cfit.criteria.rendering import (
        rendered_criterion,  # Django's translations; spec stays importable without
    )

    groups = {g.id: g for g in framework.product_groups}
    unknown = [g for g in product_groups if g not in groups]
    if unknown:
        raise UnknownProductGroup(
            f"unknown product group(s) {', '.join(unknown)}; known: {', '.join(sorted(groups))}"
        )
    ambitions = {category: ambition for category in ImpactCategory}
    ambitions.update(categories or {})
    lots = []
    for number, code in enumerate(product_groups, start=1):
        chosen = selection.select_criteria(framework.criteria, code, ambitions)
        price_weight, weights = selection.default_weights(chosen, quality_share)
        group = groups[code]
        lots.append(
            LotSpec(
                number=number,
                title=group.name[language],
                product_group=group,
                quantity=(quantities or {}).get(code, 1),
                estimated_value=Decimal(0),
                cpv=group.cpv,
                service_life_years=5,
                price_weight=price_weight,
                criteria=[
                    ChosenCriterion(rendered_criterion(c), c.type, weights.get(c.id, Decimal(0)))
                    for c in chosen
                ],
                ambitions=ambitions,
            )
        )
    return TenderSpec(
        title=title or ", ".join(lot.title for lot in lots),
        reference=reference,
        language=language,
        procedure="open",
        framework_version=framework.version,
        buyer=buyer,
        buyer_country=buyer_country,
        lots=lots,
        labels={label.id: label for label in framework.labels},
    )
