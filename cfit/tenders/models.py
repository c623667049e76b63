"""Tenders: an organisation's procurement, its lots and the criteria each lot uses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import OrganisationOwned, ScopedManager, ScopedQuerySet
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion, ProductGroup
from cfit.tenders import spec

#: The most days an offer may have to stay valid (eForms BT-98): two years. Offers are usually asked to
#: stay valid for 60 to 180 days; more than two years is a typo, not a term.
MAX_OFFER_VALIDITY_DAYS = 730
#: The longest contract in months (eForms BT-36): 100 years. Long concessions run 30 to 50 years;
#: more than 1200 months is a typo (a year typed as months, a digit too many).
MAX_CONTRACT_MONTHS = 1200
#: The most units a lot buys: what an integer column holds on every database (2**31 - 1).
MAX_LOT_QUANTITY = 2_147_483_647
#: A lot's expected service life, in whole years (the life-cycle cost counts energy over it).
MAX_SERVICE_LIFE_YEARS = 20


class TenderFrozen(ValidationError):
    """Raised if something tries to change the criteria of a tender that is no longer a draft."""


class TenderQuerySet(ScopedQuerySet):
    def drafts(self) -> TenderQuerySet:
        return self.filter(status=Tender.Status.DRAFT)


#: Scoped like every organisation-owned manager, with the tender queryset's methods (at module level
#: so django-stubs can resolve the manager type).
TenderManager = ScopedManager.from_queryset(TenderQuerySet)


class Tender(OrganisationOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        AWARDED = "awarded", _("Awarded")
        CLOSED = "closed", _("Closed")

    class Procedure(models.TextChoices):
        OPEN = "open", _("Open procedure")
        RESTRICTED = "restricted", _("Restricted procedure")
        NEGOTIATED = "neg-w-call", _("Competitive procedure with negotiation")
        COMP_DIAL = "comp-dial", _("Competitive dialogue")
        MINI_COMPETITION = "mini-competition", _("Mini-competition under a framework agreement")

    #: Allowed status changes; anything else is refused.
    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.DRAFT: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.AWARDED, Status.CLOSED},
        Status.AWARDED: {Status.CLOSED},
    }

    title = models.TextField(_("title"))
    reference = models.CharField(_("reference"), max_length=64, help_text=_("The buyer's own file number."))
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="en")
    procedure = models.CharField(
        _("procedure"), max_length=32, choices=Procedure.choices, default=Procedure.OPEN
    )
    framework_version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.PROTECT,
        related_name="tenders",
        verbose_name=_("framework version"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The submission window (OCDS tender.tenderPeriod): offers are received until the deadline and
    # sealed until then; the buyer sees how many arrived, not what they hold.
    offers_deadline = models.DateTimeField(
        _("deadline for offers"),
        null=True,
        blank=True,
        help_text=_("Offers are received until this moment and opened after it."),
    )

    # -- the notice's terms beyond lots and criteria (``spec.NoticeTerms``): answered once per tender
    # by its procurers; what is not answered the notice leaves out for the buyer's eSender.
    class ElectronicMeans(models.TextChoices):
        REQUIRED = spec.ElectronicMeans.REQUIRED.value, _("Required")
        ALLOWED = spec.ElectronicMeans.ALLOWED.value, _("Allowed")
        NOT_ALLOWED = spec.ElectronicMeans.NOT_ALLOWED.value, _("Not allowed")

    class NonElectronicJustification(models.TextChoices):
        """Directive 2014/24/EU, Article 22(1): the grounds for not requiring electronic submission."""

        TOOLS = (
            spec.NonElectronicJustification.TOOLS.value,
            _("Specialised tools, devices or file formats not generally available"),
        )
        LICENSED_FORMATS = (
            spec.NonElectronicJustification.LICENSED_FORMATS.value,
            _("File formats under licences the buyer cannot make available"),
        )
        OFFICE_EQUIPMENT = (
            spec.NonElectronicJustification.OFFICE_EQUIPMENT.value,
            _("Specialised office equipment the buyer does not have"),
        )
        PHYSICAL_MODEL = (
            spec.NonElectronicJustification.PHYSICAL_MODEL.value,
            _("A physical or scale model must be submitted"),
        )
        SENSITIVE = (
            spec.NonElectronicJustification.SENSITIVE.value,
            _("Information too sensitive for the electronic means available"),
        )

    class PerformancePlace(models.TextChoices):
        BUYER = spec.PerformancePlace.BUYER.value, _("At the buyer's address")
        COUNTRY = spec.PerformancePlace.COUNTRY.value, _("Anywhere in the buyer's country")
        EEA = spec.PerformancePlace.EEA.value, _("Anywhere in the European Economic Area")
        ANYWHERE = spec.PerformancePlace.ANYWHERE.value, _("Anywhere")

    class ReservedParticipation(models.TextChoices):
        NONE = spec.ReservedParticipation.NONE.value, _("Not reserved")
        SHELTERED = (
            spec.ReservedParticipation.SHELTERED.value,
            _("Sheltered workshops and economic operators aiming at social integration (Article 20)"),
        )
        PUBLIC_SERVICE = (
            spec.ReservedParticipation.PUBLIC_SERVICE.value,
            _("Organisations with a public service mission (Article 77)"),
        )

    class FrameworkAgreement(models.TextChoices):
        NONE = spec.FrameworkAgreement.NONE.value, _("No framework agreement")
        WITHOUT_REOPENING = (
            spec.FrameworkAgreement.WITHOUT_REOPENING.value,
            _("Framework agreement, without reopening of competition"),
        )
        WITH_REOPENING = (
            spec.FrameworkAgreement.WITH_REOPENING.value,
            _("Framework agreement, with reopening of competition"),
        )
        MIXED = (
            spec.FrameworkAgreement.MIXED.value,
            _("Framework agreement, partly with reopening of competition"),
        )

    documents_url = models.URLField(
        _("address of the procurement documents"),
        blank=True,
        help_text=_("Where anyone can read the procurement documents free of charge (eForms BT-15)."),
    )
    submission_url = models.URLField(
        _("address for submitting offers"),
        blank=True,
        help_text=_("Where offers are submitted: your eSender or tender platform (eForms BT-18)."),
    )
    electronic_submission = models.CharField(
        _("electronic submission"), max_length=16, choices=ElectronicMeans.choices, blank=True
    )
    nonelectronic_justification = models.CharField(
        _("why offers are not submitted electronically"),
        max_length=16,
        choices=NonElectronicJustification.choices,
        blank=True,
        help_text=_("Only where electronic submission is not allowed (eForms BT-19)."),
    )
    nonelectronic_description = models.TextField(
        _("how offers are submitted otherwise"),
        blank=True,
        help_text=_(
            "Where electronic submission is allowed or not allowed: how else offers reach you, in the "
            "language of the documents (eForms BT-745)."
        ),
    )
    offer_validity_days = models.PositiveSmallIntegerField(
        _("offers valid for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_OFFER_VALIDITY_DAYS)],
        help_text=_("How long an offer must stay valid after the deadline for offers (eForms BT-98)."),
    )
    contract_months = models.PositiveSmallIntegerField(
        _("contract duration (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CONTRACT_MONTHS)],
        help_text=_("The duration of each lot's contract (eForms BT-36)."),
    )
    performance_place = models.CharField(
        _("place of performance"), max_length=16, choices=PerformancePlace.choices, blank=True
    )
    eu_funded = models.BooleanField(_("funded by EU funds"), null=True, blank=True)
    reserved_participation = models.CharField(
        _("reserved participation"), max_length=16, choices=ReservedParticipation.choices, blank=True
    )
    reserved_execution = models.BooleanField(
        _("execution reserved to sheltered employment programmes"), null=True, blank=True
    )
    e_invoicing = models.CharField(
        _("electronic invoicing"), max_length=16, choices=ElectronicMeans.choices, blank=True
    )
    e_catalogue = models.CharField(
        _("electronic catalogues"), max_length=16, choices=ElectronicMeans.choices, blank=True
    )
    framework_agreement = models.CharField(
        _("framework agreement"), max_length=16, choices=FrameworkAgreement.choices, blank=True
    )
    framework_duration_justification = models.TextField(
        _("why the framework agreement runs beyond four years"),
        blank=True,
        help_text=_(
            "A framework agreement lasts four years at most, save in exceptional cases duly justified "
            "(Directive 2014/24/EU, Article 33(1)); in the language of the documents (eForms BT-109)."
        ),
    )
    e_ordering = models.BooleanField(_("electronic ordering"), null=True, blank=True)
    e_payment = models.BooleanField(_("electronic payment"), null=True, blank=True)
    gpa = models.BooleanField(_("covered by the WTO Government Procurement Agreement"), null=True, blank=True)

    #: The notice terms, in the order of the form.
    NOTICE_TERMS = (
        "documents_url",
        "submission_url",
        "electronic_submission",
        "nonelectronic_justification",
        "nonelectronic_description",
        "offer_validity_days",
        "contract_months",
        "performance_place",
        "framework_agreement",
        "framework_duration_justification",
        "eu_funded",
        "reserved_participation",
        "reserved_execution",
        "e_invoicing",
        "e_catalogue",
        "e_ordering",
        "e_payment",
        "gpa",
    )

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[TenderManager[Self]] = TenderManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["-created"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="tender_reference_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def notice_terms(self) -> spec.NoticeTerms:
        """The notice terms as the notice writers read them: each unanswered one empty or None."""

        def coded(value: str, enum: type[Any]) -> Any:
            return enum(value) if value else None

        return spec.NoticeTerms(
            documents_url=self.documents_url,
            submission_url=self.submission_url,
            electronic_submission=coded(self.electronic_submission, spec.ElectronicMeans),
            nonelectronic_justification=coded(
                self.nonelectronic_justification, spec.NonElectronicJustification
            ),
            nonelectronic_description=self.nonelectronic_description,
            offer_validity_days=self.offer_validity_days,
            contract_months=self.contract_months,
            performance_place=coded(self.performance_place, spec.PerformancePlace),
            eu_funded=self.eu_funded,
            reserved_participation=coded(self.reserved_participation, spec.ReservedParticipation),
            reserved_execution=self.reserved_execution,
            e_invoicing=coded(self.e_invoicing, spec.ElectronicMeans),
            e_catalogue=coded(self.e_catalogue, spec.ElectronicMeans),
            framework_agreement=coded(self.framework_agreement, spec.FrameworkAgreement),
            framework_duration_justification=self.framework_duration_justification,
            e_ordering=self.e_ordering,
            e_payment=self.e_payment,
            gpa=self.gpa,
        )

    @property
    def _framework_beyond_four_years(self) -> bool:
        """A framework agreement longer than Article 33(1)'s four years, which needs its justification."""
        framework = self.framework_agreement not in ("", self.FrameworkAgreement.NONE)
        return framework and (self.contract_months or 0) > spec.FRAMEWORK_MONTHS

    def _notice_term_applies(self, name: str) -> bool:
        """Whether a term is asked at all, given the other answers (the SDK forbids it otherwise)."""
        means = self.electronic_submission
        if name == "submission_url":
            return means != self.ElectronicMeans.NOT_ALLOWED
        if name == "nonelectronic_justification":
            return means == self.ElectronicMeans.NOT_ALLOWED
        if name == "nonelectronic_description":
            return means == self.ElectronicMeans.NOT_ALLOWED  # asked then; merely allowed otherwise
        if name == "framework_duration_justification":
            return self._framework_beyond_four_years
        return True

    def missing_notice_term_names(self) -> list[str]:
        """The notice terms not answered yet, by field name: those that apply, given the other answers
        (no submission address where offers are not submitted electronically, no justification of
        the framework agreement's duration within four years…)."""
        return [
            name
            for name in self.NOTICE_TERMS
            if getattr(self, name) in (None, "") and self._notice_term_applies(name)
        ]

    def clean(self) -> None:
        """The notice terms that contradict each other (a notice could not state them together), and
        Article 33(1)'s justification of a framework agreement beyond four years."""
        super().clean()
        problems: dict[str, ValidationError] = {}
        means = self.electronic_submission
        if self.submission_url and means == self.ElectronicMeans.NOT_ALLOWED:
            problems["submission_url"] = ValidationError(
                _(
                    "Offers may not be submitted electronically: leave the address for submitting offers empty."
                ),
                code="submission_url_not_electronic",
            )
        if self.nonelectronic_justification and means != self.ElectronicMeans.NOT_ALLOWED:
            problems["nonelectronic_justification"] = ValidationError(
                _(
                    "A reason for not submitting electronically is given only where electronic submission is not allowed."
                ),
                code="justification_not_needed",
            )
        if self.nonelectronic_description and means == self.ElectronicMeans.REQUIRED:
            problems["nonelectronic_description"] = ValidationError(
                _("Electronic submission is required: offers are not submitted otherwise."),
                code="description_not_allowed",
            )
        if self._framework_beyond_four_years and not self.framework_duration_justification.strip():
            problems["framework_duration_justification"] = ValidationError(
                _(
                    "A framework agreement of more than four years needs its justification "
                    "(Directive 2014/24/EU, Article 33(1))."
                ),
                code="framework_duration_unjustified",
            )
        if problems:
            raise ValidationError(problems)

    def missing_notice_terms(self) -> list[str]:
        """The names of the notice terms not answered yet, as a reader calls them."""
        fields = {field.name: field for field in self._meta.concrete_fields}
        return [str(fields[name].verbose_name) for name in self.missing_notice_term_names()]

    def check_editable(self) -> None:
        if not self.is_draft:
            raise TenderFrozen(
                _("Tender %(ref)s is %(status)s: its criteria are frozen."),
                code="frozen",
                params={"ref": self.reference, "status": self.get_status_display()},
            )


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"))
    title = models.TextField(_("title"), blank=True)
    product_group = models.ForeignKey(
        ProductGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("product group")
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_LOT_QUANTITY)]
    )
    estimated_value = models.DecimalField(
        _("estimated value (EUR)"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    cpv = models.CharField(_("CPV code"), max_length=8)
    service_life_years = models.PositiveSmallIntegerField(
        _("expected service life (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SERVICE_LIFE_YEARS)],
    )
    price_weight = models.DecimalField(
        _("price weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        help_text=_("Points for price, out of 100."),
    )

    class PriceRule(models.TextChoices):
        PRICE = "price", _("Price only")
        LIFE_CYCLE_COST = "life_cycle_cost", _("Life-cycle cost")

    # How offers are scored beyond the weights: the price rule and its life-cycle cost parameters.
    price_rule = models.CharField(
        _("price or cost"),
        max_length=16,
        choices=PriceRule.choices,
        default=PriceRule.LIFE_CYCLE_COST,
        help_text=_("What the price points compare: the unit price, or the life-cycle cost per unit."),
    )
    energy_price = models.DecimalField(
        _("energy price (EUR per kWh)"), max_digits=6, decimal_places=4, default=Decimal("0.25")
    )
    maintenance_per_year = models.DecimalField(
        _("maintenance per unit and year (EUR)"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    residual_value = models.DecimalField(
        _("residual value per unit (EUR)"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    carbon_price = models.DecimalField(
        _("shadow carbon price (EUR per tonne CO2e)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("0 leaves emissions out of the life-cycle cost."),
    )
    ambitions = models.JSONField(
        _("ambition per impact category"),
        default=dict,
        help_text=_("{impact category: baseline|ambitious}, the one-click default."),
    )
    # A draft tender moves to a newer framework version lot by lot; until every lot has moved, a
    # moved lot names its own version. Empty: the tender's.
    framework_version = models.ForeignKey(
        FrameworkVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("framework version"),
        help_text=_("Set while the tender moves to a newer version lot by lot; empty means the tender's."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title or self.product_group}"

    @property
    def version(self) -> FrameworkVersion:
        """The framework version this lot's criteria come from."""
        return self.framework_version or self.tender.framework_version

    def award_weight_total(self) -> Decimal:
        return self.price_weight + sum(
            (c.weight for c in self.lot_criteria.all() if c.type == CriterionType.AWARD_CRITERION), Decimal(0)
        )


class LotCriterion(models.Model):
    """A criterion as a lot uses it: possibly with another type (a specification scored instead) and a weight."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="lot_criteria")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(_("type in this tender"), max_length=32, choices=CriterionType.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal(0))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["lot", "criterion"], name="criterion_once_per_lot")]

    def __str__(self) -> str:
        return f"{self.lot}: {self.criterion.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.lot.tender.check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self.lot.tender.check_editable()
        return super().delete(*args, **kwargs)
