"""Offers received for a tender, their product lines, and the procurer's overrides of results.

An offer is the buying organisation's confidential data: it is owned by the tender's organisation
and reached only through the scoped manager, so no other organisation, coordinator or supplier
sees it. A supplier who submits through an upload link sees only what it sent, through that link.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import OrganisationOwned, ScopedManager, ScopedQuerySet
from cfit.tenders.models import Tender


class OfferQuerySet(ScopedQuerySet):
    def for_tender(self, tender: Tender) -> OfferQuerySet:
        return self.filter(tender=tender)


#: Scoped like every organisation-owned manager, with the queryset's methods (declared here so
#: django-stubs can resolve the manager's type).
OfferManager = ScopedManager.from_queryset(OfferQuerySet)


class Offer(OrganisationOwned):
    class Via(models.TextChoices):
        IMPORT = "import", _("Imported by the buyer")
        UPLOAD_LINK = "upload_link", _("Uploaded by the supplier")
        API = "api", _("Sent through the API")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="offers")
    supplier = models.CharField(_("supplier"), max_length=200)
    via = models.CharField(_("received"), max_length=16, choices=Via.choices, default=Via.IMPORT)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    company = models.JSONField(_("company declarations"), default=dict)
    line_count = models.PositiveIntegerField(_("product lines"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted = models.DateTimeField(_("received on"), auto_now_add=True)

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[OfferManager[Self]] = OfferManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["supplier"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [models.UniqueConstraint(fields=["tender", "supplier"], name="one_offer_per_supplier")]

    def __str__(self) -> str:
        return f"{self.supplier} ({self.tender.reference})"


class OfferLine(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="lines")
    lot = models.PositiveSmallIntegerField(_("lot"))
    line_id = models.CharField(_("product line id"), max_length=200)
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    model = models.CharField(_("model"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.FloatField(_("unit price (EUR)"))
    yearly_kwh = models.FloatField(_("energy use (kWh per year)"), null=True, blank=True)
    labels = models.JSONField(_("labels"), default=list)
    answers = models.JSONField(_("answers"), default=dict)
    source_row = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["lot", "id"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "lot", "line_id"], name="line_id_unique_per_offer_lot")
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.manufacturer} {self.model}"


class ResultOverride(models.Model):
    """The procurer's decision on one requirement of one line; append-only, the latest applies."""

    class Decision(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    line = models.ForeignKey(OfferLine, on_delete=models.CASCADE, related_name="overrides")
    requirement = models.CharField(_("requirement"), max_length=200)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    justification = models.TextField(_("justification"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided on"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")

    def __str__(self) -> str:
        return f"{self.line.line_id} {self.requirement}: {self.decision}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class UploadLink(OrganisationOwned):
    """A secret link the tender owner gives one supplier, to upload its own offer."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="upload_links")
    supplier = models.CharField(_("supplier"), max_length=200)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    offer = models.OneToOneField(
        Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="upload_link"
    )

    class Meta(OrganisationOwned.Meta):
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["tender", "supplier"], name="one_link_per_supplier")]

    def __str__(self) -> str:
        return f"{self.supplier} ({self.tender.reference})"

    @property
    def is_valid(self) -> bool:
        return timezone.now() < self.expires_at

    @staticmethod
    def default_expiry(days: int = 30) -> Any:
        return timezone.now() + timedelta(days=days)


class OfferReceipt(OrganisationOwned):
    """Proof that a file arrived: kept for every upload, also for one that a later upload replaced.

    The supplier keeps the time and the SHA-256 of what it sent; the evaluation report lists them.
    """

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="receipts")
    supplier = models.CharField(_("supplier"), max_length=200)
    via = models.CharField(_("received"), max_length=16, choices=Offer.Via.choices)
    link = models.ForeignKey(
        UploadLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    filename = models.CharField(_("file"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    received_at = models.DateTimeField(_("received on"), auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[ScopedManager[Self]] = ScopedManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["received_at", "id"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"{self.supplier} {self.received_at:%Y-%m-%d %H:%M} {self.sha256[:12]}"


class Clarification(OrganisationOwned):
    """A supplier's question on a tender and the buyer's answer, published to every invited supplier.

    The answer is shown without saying who asked.
    """

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    asked_through = models.ForeignKey(
        UploadLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[ScopedManager[Self]] = ScopedManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["asked_at", "id"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")

    def __str__(self) -> str:
        return self.question[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class EvaluationSignOff(OrganisationOwned):
    """The four-eyes approval of an evaluation: prepared by one member, approved by another.

    ``digest`` is the SHA-256 of the evaluation as it was approved; a later override changes the
    evaluation, and the sign-off no longer matches it.
    """

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="sign_offs")
    digest = models.CharField(_("evaluation digest (SHA-256)"), max_length=64)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared on"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[ScopedManager[Self]] = ScopedManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["-prepared_at", "-id"]
        verbose_name = _("evaluation sign-off")
        verbose_name_plural = _("evaluation sign-offs")

    def __str__(self) -> str:
        return f"{self.tender.reference}: {self.digest[:12]}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None
