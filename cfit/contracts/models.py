"""Contracts awarded (or entered) by a buyer, the obligations their criteria produce, and the trail of each.

A contract belongs to the buyer (``OrganisationOwned``: the scoped manager shows it only to the
buyer's members). The supplier organisation reaches its own contracts through
``cfit.contracts.access``, never through the scoped manager, and sees obligations and their trail,
never the buyer's offers or evaluation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import OrganisationOwned, ScopedManager, ScopedQuerySet
from cfit.contracts.schedule import Frequency, Kind
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion


class ContractQuerySet(ScopedQuerySet):
    def of_supplier(self, organisation_ids: Any) -> ContractQuerySet:
        return self.filter(supplier_organisation_id__in=organisation_ids)


#: Scoped like every organisation-owned manager, with the queryset's methods (declared here so
#: django-stubs can resolve the manager's type).
ContractManager = ScopedManager.from_queryset(ContractQuerySet)


class Contract(OrganisationOwned):
    """A contract of one lot with one supplier, or one entered by hand; ``organisation`` is the buyer."""

    # -- where it comes from
    tender = models.ForeignKey(
        "tenders.Tender", null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts"
    )
    lot = models.ForeignKey("tenders.Lot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(_("reference"), max_length=64, help_text=_("The buyer's contract number."))
    title = models.TextField(_("title"))
    # -- the supplier: its name as awarded, and its organisation on the platform if it has one
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supplied_contracts",
        verbose_name=_("supplier's organisation"),
        help_text=_("Its members see this contract's obligations and deliver the evidence."),
    )
    # -- terms
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR", help_text=_("ISO 4217 code."))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("framework version")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(
        _("last change"),
        default=timezone.now,
        help_text=_("When the contract or one of its obligations, deliveries or findings last changed."),
    )

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[ContractManager[Self]] = ContractManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["-start_date", "reference"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="contract_reference_unique_per_buyer"
            ),
            # An awarded lot becomes one contract per supplier.
            models.UniqueConstraint(
                fields=["lot", "supplier_name"],
                condition=Q(lot__isnull=False),
                name="one_contract_per_lot_supplier",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="contract_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.supplier_name}"

    def delivery_date_refusal(self, day: date) -> str | None:
        """Why a delivery on ``day`` cannot be recorded (in the user's language), or None if it can: a
        delivery lies within the contract period and is recorded once made, never ahead (its obligations
        would fall due for goods not delivered)."""
        if not self.start_date <= day <= self.end_date:
            return str(_("The delivery date lies outside the contract period."))
        today = timezone.localdate()
        if day > today:
            return str(
                _(
                    "A delivery is recorded once it has been made: give a date no later than today (%(today)s)."
                )
            ) % {"today": formats.date_format(today, "SHORT_DATE_FORMAT")}
        return None


class ContractCriterion(models.Model):
    """A criterion the contract carries, with its type in the tender and how often it is reported."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(_("type"), max_length=32, choices=CriterionType.choices)
    frequency = models.CharField(
        _("how often"),
        max_length=16,
        choices=[
            (Frequency.ONCE.value, _("Once")),
            (Frequency.YEARLY.value, _("Yearly")),
            (Frequency.PER_DELIVERY.value, _("Per delivery")),
        ],
        help_text=_("Derived from the criterion's type; the buyer can change it."),
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "criterion"], name="criterion_once_per_contract")
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.criterion.code}"


class Delivery(models.Model):
    """A delivery under the contract: per-delivery obligations fall due after it."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField(_("delivered on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.delivered_on}"


KIND_CHOICES = [
    (Kind.DOCUMENT.value, _("Document")),
    (Kind.FIGURE.value, _("Figures")),
    (Kind.DECLARATION.value, _("Declaration")),
]


class ObligationQuerySet(models.QuerySet):
    def open(self) -> ObligationQuerySet:
        """Waiting for the supplier: due (or returned) and not yet delivered again."""
        return self.filter(status__in=Obligation.OPEN)

    def late(self, today: date) -> ObligationQuerySet:
        return self.open().filter(due_date__lt=today)


class Obligation(models.Model):
    """What the supplier owes for one criterion and one period: a document, figures or a declaration."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")  #: waiting for the supplier
        DELIVERED = "delivered", _("Delivered")  #: the supplier delivered; the buyer checks
        ACCEPTED = "accepted", _("Accepted")  #: the buyer accepted the evidence
        RETURNED = "returned", _("Returned")  #: the buyer returned it with a comment; due again
        DISPUTED = "disputed", _("Disputed")  #: the supplier disputes a return; the buyer decides

    #: States in which the supplier owes something (late once the due date has passed).
    OPEN = (Status.DUE, Status.RETURNED)
    #: States in which the buyer decides.
    TO_CHECK = (Status.DELIVERED, Status.DISPUTED)

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="obligations")
    contract_criterion = models.ForeignKey(
        ContractCriterion, on_delete=models.CASCADE, related_name="obligations"
    )
    kind = models.CharField(_("what is due"), max_length=16, choices=KIND_CHOICES)
    #: [{key, label, unit}] for figures (``cfit.contracts.schedule.FigureField``), else [].
    figures = models.JSONField(_("figures asked"), default=list, blank=True)
    period = models.PositiveSmallIntegerField(
        _("period"), default=1, help_text=_("1 for the first year or delivery.")
    )
    due_date = models.DateField(_("due on"))
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("checked by"),
    )
    status = models.CharField(_("state"), max_length=16, choices=Status.choices, default=Status.DUE)
    changed = models.DateTimeField(_("last change"), default=timezone.now)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.UniqueConstraint(
                fields=["contract_criterion", "period"], name="one_obligation_per_criterion_period"
            )
        ]
        # The reminder command looks for open obligations by due date.
        indexes = [models.Index(fields=["status", "due_date"], name="obligation_open_by_due")]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.contract_criterion.criterion.code} #{self.period}"

    def is_late(self, today: date | None = None) -> bool:
        return self.status in self.OPEN and self.due_date < (today or timezone.localdate())

    @property
    def state(self) -> str:
        """The state as shown: "late" for a due obligation past its due date; a returned one stays
        "returned" (the supplier sees the buyer's comment first), though reminders treat it as late."""
        return "late" if self.status == self.Status.DUE and self.is_late() else self.status

    def figures_shown(self) -> list[dict[str, str]]:
        """The figures asked, labelled in the active language (``cfit.contracts.labels``)."""
        from cfit.contracts.labels import shown

        return [shown(field) for field in self.figures]

    def state_label(self) -> str:
        return str(_("Late")) if self.state == "late" else self.get_status_display()

    def current_submission(self) -> Submission | None:
        """The delivery that stands (neither replaced nor withdrawn), from the prefetched submissions."""
        current = [s for s in self.submissions.all() if not s.set_aside]
        return max(current, key=lambda s: (s.submitted_at, s.pk), default=None)


class SubmissionQuerySet(models.QuerySet):
    def current(self) -> SubmissionQuerySet:
        """What stands as delivered: neither replaced nor withdrawn by the supplier."""
        return self.filter(set_aside="")


class Submission(models.Model):
    """What the supplier delivered for an obligation: a file, figures, a declaration; kept for good.

    Until the buyer decides on it, the supplier may replace a delivery (a corrected file) or withdraw it:
    it is then set aside, never deleted, and the trail says who did it, when and why."""

    class SetAside(models.TextChoices):
        REPLACED = "replaced", _("Replaced")  #: by a later delivery of the supplier
        WITHDRAWN = "withdrawn", _("Withdrawn")  #: by the supplier, before the buyer decided

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="submissions")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("delivered on"), auto_now_add=True)
    # -- a file, kept in the database with its checksum (evidence is small: ``uploads.MAX_IMPORT_BYTES``)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    data = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    #: {figure key: number as text}; the units are the obligation's.
    values = models.JSONField(_("figures"), default=dict, blank=True)
    declared = models.BooleanField(_("declared met"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    # -- replaced or withdrawn by the supplier before the buyer decided; kept, with the trail's event
    set_aside = models.CharField(_("set aside"), max_length=16, choices=SetAside.choices, blank=True)
    set_aside_at = models.DateTimeField(_("set aside on"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("delivery of evidence")
        verbose_name_plural = _("deliveries of evidence")

    def __str__(self) -> str:
        return f"{self.obligation} {self.submitted_at:%Y-%m-%d}"

    def values_shown(self) -> list[dict[str, str]]:
        """The figures delivered with their labels and units in the active language."""
        from cfit.contracts.labels import shown

        fields = {f["key"]: f for f in self.obligation.figures}
        return [
            {**shown(fields.get(key, {"key": key, "label": key})), "value": _number_shown(value)}
            for key, value in self.values.items()
        ]


def _number_shown(value: str) -> str:
    """A stored figure ("1234", "12.5") as the reader's language writes it ("1.234", "12,5")."""
    from decimal import Decimal, InvalidOperation

    from django.utils import formats

    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return formats.number_format(number, use_l10n=True, force_grouping=True)


class ObligationEvent(models.Model):
    """The audit trail: every delivery, acceptance, return and dispute, with who, when and why."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        DELIVERED = "delivered", _("Delivered")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        DISPUTED = "disputed", _("Disputed")
        FREQUENCY = "frequency", _("Frequency changed")
        REPLACED = "replaced", _("Delivery replaced")  #: by the supplier, before the buyer decided
        WITHDRAWN = "withdrawn", _("Delivery withdrawn")  #: by the supplier, before the buyer decided

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("why"), blank=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("obligation event")
        verbose_name_plural = _("obligation events")

    def __str__(self) -> str:
        return f"{self.obligation} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Notice(models.Model):
    """A reminder or escalation mail sent for one obligation and stage: at most one each (idempotent)."""

    class Stage(models.TextChoices):
        REMINDER = "reminder", _("Reminder before the due date")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalated to the buyer's administrators")

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="notices")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    # The due date the notice was for: a returned obligation's new period may be reminded again.
    due_date = models.DateField()
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["obligation", "stage", "due_date"], name="one_notice_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.obligation} {self.stage}"


class Finding(models.Model):
    """Something wrong found under a contract; it opens a corrective action the supplier owns."""

    class Kind(models.TextChoices):
        AUDIT_RESULT = "audit_result", _("Audit result")
        NON_CONFORMANT_SMELTER = "non_conformant_smelter", _("Smelter not conformant")
        MISSING_DISCLOSURE = "missing_disclosure", _("Missing disclosure")
        COMPLAINT = "complaint", _("Complaint")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")  #: the corrective action is under way
        CLOSED = "closed", _("Closed")  #: closed with evidence

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="findings")
    obligation = models.ForeignKey(
        Obligation, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    kind = models.CharField(_("finding"), max_length=32, choices=Kind.choices)
    description = models.TextField(_("what was found"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised on"), default=timezone.now)
    # -- the corrective action
    action = models.TextField(_("corrective action"), help_text=_("What the supplier must do."))
    owner = models.TextField(_("owner"), help_text=_("Who at the supplier carries it out."))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("state"), max_length=16, choices=Status.choices, default=Status.OPEN)
    # -- closing needs evidence: a file, kept with its checksum, and a note
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("how it was remedied"), blank=True)
    evidence_name = models.CharField(_("evidence"), max_length=255, blank=True)
    evidence = models.BinaryField(null=True, blank=True, editable=False)
    evidence_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["status", "deadline", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            # A closed finding always has its evidence and who closed it.
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(evidence_sha256="")),
                name="finding_closed_with_evidence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.get_kind_display()}"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status == self.Status.OPEN and self.deadline < (today or timezone.localdate())
