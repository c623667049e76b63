"""Offers received for a tender, their product lines, and the procurer's overrides of results.

An offer is the buying organisation's confidential data: it is owned by the tender's organisation
and reached only through the scoped manager, so no other organisation, coordinator or supplier
sees it. A supplier who submits through an upload link sees only what it sent, through that link.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import OrganisationOwned, ScopedManager, ScopedQuerySet
from cfit.tenders.models import Tender


class OfferQuerySet(ScopedQuerySet):
    def for_tender(self, tender: Tender) -> OfferQuerySet:
        return self.filter(tender=tender)


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

    unscoped = models.Manager()
    objects = ScopedManager.from_queryset(OfferQuerySet)()

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
