"""A tender as the document and open-data exporters see it, saved or not.

`cfit tender build` makes one from command-line choices without touching the database; a saved
tender makes one with ``actions.tender_spec``. Every exporter reads only this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

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
class ReviewBody:
    """The review body of the buyer's country, as the buyer's notice details name it once: an
    organisation of the notice (in the buyer's country) and the review deadlines national law sets."""

    name: str = ""  #: BT-500
    registration_number: str = ""  #: BT-501
    town: str = ""  #: BT-513
    post_code: str = ""  #: BT-512
    nuts_code: str = ""  #: BT-507, NUTS level 3
    email: str = ""  #: BT-506
    deadlines: str = ""  #: BT-99, the review deadlines (in the notice's language)

    @property
    def given(self) -> bool:
        return bool(self.name)


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
    #: The body that hears review procedures against the buyer's decisions (OPT-301-Lot-Review)
    review_body: ReviewBody = field(default_factory=ReviewBody)


class ElectronicMeans(StrEnum):
    """Whether electronic means are required, allowed or not allowed: an answer of the eForms lists
    esubmission, einvoicing and ecatalog-submission."""

    REQUIRED = "required"
    ALLOWED = "allowed"
    NOT_ALLOWED = "not-allowed"


class NonElectronicJustification(StrEnum):
    """BT-19, code list no-esubmission-justification: why offers may not be submitted electronically,
    the grounds of Directive 2014/24/EU, Art. 22(1) (second and fourth subparagraphs)."""

    TOOLS = "tdf-non-av"  #: tools, devices or file formats not generally available (point a)
    LICENSED_FORMATS = "ipr-iss"  #: file formats under licences the buyer cannot offer (point b)
    OFFICE_EQUIPMENT = "sp-of-eq"  #: specialised office equipment the buyer lacks (point c)
    PHYSICAL_MODEL = "phy-mod"  #: a physical or scale model is required (point d)
    SENSITIVE = "sen-info"  #: information too sensitive for the electronic means at hand


class PerformancePlace(StrEnum):
    """Where the contract is performed (BT-727 other-place-service, or the buyer's own address)."""

    BUYER = "buyer"  #: at the buyer's address (its town, post code, NUTS region and country)
    COUNTRY = "anyw-cou"  #: anywhere in the buyer's country
    EEA = "anyw-eea"  #: anywhere in the European Economic Area
    ANYWHERE = "anyw"


class ReservedParticipation(StrEnum):
    """BT-71, code list reserved-procurement (Directive 2014/24/EU, Articles 20 and 77)."""

    NONE = "none"
    SHELTERED = "res-ws"  #: sheltered workshops and operators whose aim is social integration (Art. 20)
    PUBLIC_SERVICE = "res-pub-ser"  #: public service mission organisations (Art. 77)


class FrameworkAgreement(StrEnum):
    """BT-765, code list framework-agreement."""

    NONE = "none"
    WITHOUT_REOPENING = "fa-wo-rc"  #: without reopening of competition
    WITH_REOPENING = "fa-w-rc"  #: with reopening of competition
    MIXED = "fa-mix"  #: partly without, partly with


#: A framework agreement lasts four years at most, save in exceptional cases duly justified (Directive
#: 2014/24/EU, Art. 33(1)); beyond them the notice states the justification (BT-109).
FRAMEWORK_MONTHS = 48


@dataclass(frozen=True)
class NoticeTerms:
    """The terms of a tender that its contract notice states beyond its lots and criteria, answered
    by the buyer once per tender and applying to every lot. Each is empty (or None) until answered;
    the notice then leaves it out for the buyer's eSender to complete."""

    documents_url: str = ""  #: BT-15, where the procurement documents can be read
    submission_url: str = ""  #: BT-18, where offers are submitted
    electronic_submission: ElectronicMeans | None = None  #: BT-17
    #: BT-19 and BT-745, which the SDK requires when electronic submission is not allowed (and
    #: forbids, BT-19, otherwise): the ground and how offers are submitted instead
    nonelectronic_justification: NonElectronicJustification | None = None
    nonelectronic_description: str = ""  #: BT-745, in the notice's language
    offer_validity_days: int | None = None  #: BT-98, how long an offer must stay valid
    contract_months: int | None = None  #: BT-36, the duration of each lot's contract
    performance_place: PerformancePlace | None = None  #: BT-727 / BT-5141 and the address
    eu_funded: bool | None = None  #: BT-60
    reserved_participation: ReservedParticipation | None = None  #: BT-71
    reserved_execution: bool | None = None  #: BT-736, execution reserved to sheltered employment
    e_invoicing: ElectronicMeans | None = None  #: BT-743
    e_catalogue: ElectronicMeans | None = None  #: BT-764
    framework_agreement: FrameworkAgreement | None = None  #: BT-765
    #: BT-109, why a framework agreement runs beyond four years (Directive 2014/24/EU, Art. 33(1)):
    #: the SDK requires it then and forbids it otherwise; in the notice's language
    framework_duration_justification: str = ""
    e_ordering: bool | None = None  #: BT-92
    e_payment: bool | None = None  #: BT-93
    gpa: bool | None = None  #: BT-115, covered by the WTO Government Procurement Agreement


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
    #: what the buyer answered of the notice's terms (submission, durations, place, funding…)
    notice_terms: NoticeTerms = field(default_factory=NoticeTerms)

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
