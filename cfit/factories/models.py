"""Factories that make the product models suppliers deliver, as the suppliers disclose them, and each
participant's agreement to share its figures on the factories it depends on.

A factory is a shared entity: one row however many suppliers disclose it (``core.factory_key``: the
same Open Supply Hub id, or the same normalised name in the same country). What a supplier discloses is
a ``DisclosedProduct``: this factory makes (assembles, or makes a component of) this model. The links to
the models in registers, offers and contracts are computed from them (``cfit.factories.links``), never
stored, so a new disclosure or a new register line links at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.joining.countries import country_name


class Factory(models.Model):
    """A factory (a production site) of ICT products or their components."""

    name = models.CharField(_("name"), max_length=200)
    #: ``core.factory_key(name)``: with the country, the factory's identity
    name_key = models.CharField(max_length=200, editable=False)
    address = models.TextField(_("address"))
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 two-letter code."))
    os_id = models.CharField(
        _("Open Supply Hub id"), max_length=40, blank=True,
        help_text=_("The factory's id in the Open Supply Hub, where the supplier knows it."),
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("factory")
        verbose_name_plural = _("factories")
        constraints = [
            models.UniqueConstraint(fields=["name_key", "country"], name="factory_once_per_name_and_country"),
            models.UniqueConstraint(fields=["os_id"], condition=~Q(os_id=""), name="factory_os_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def country_name(self) -> str:
        """The factory's country as the reader's language names it (the pages; files keep the code)."""
        return country_name(self.country)


class DisclosedProduct(models.Model):
    """A supplier's disclosure: this factory makes (final assembly, or a component of) this model."""

    class Kind(models.TextChoices):
        FINAL_ASSEMBLY = "final_assembly", _("Final assembly")
        COMPONENT = "component", _("Component")

    class Source(models.TextChoices):
        FORM = "form", _("Entered in the form")
        UPLOAD = "upload", _("Uploaded file")

    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="disclosed_products",
        verbose_name=_("supplier"),
    )  # fmt: skip
    factory = models.ForeignKey(Factory, on_delete=models.PROTECT, related_name="products")
    kind = models.CharField(_("factory type"), max_length=16, choices=Kind.choices)
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    model = models.CharField(_("model"), max_length=300)
    product_group = models.CharField(
        _("product group"), max_length=20, blank=True, help_text=_("Empty: the model in any product group.")
    )
    workers = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    source = models.CharField(_("disclosed through"), max_length=8, choices=Source.choices)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disclosed_at = models.DateTimeField(_("disclosed on"), default=timezone.now)

    class Meta:
        ordering = ["manufacturer", "model", "kind", "id"]
        verbose_name = _("disclosed product")
        verbose_name_plural = _("disclosed products")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "factory", "kind", "manufacturer", "model"],
                name="disclosed_product_once_per_supplier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.model} @ {self.factory}"


class SharingConsent(models.Model):
    """A participant's agreement that its figures on factories (units, spend) count in the factory totals
    shown to other participants even where the disclosure rules would hide them."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="factory_sharing"
    )
    agreed = models.BooleanField(_("agrees to share"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("changed by"),
    )  # fmt: skip
    changed_at = models.DateTimeField(_("changed on"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement to share factory figures")
        verbose_name_plural = _("agreements to share factory figures")

    def __str__(self) -> str:
        return f"{self.organisation}: {'agreed' if self.agreed else 'not agreed'}"
