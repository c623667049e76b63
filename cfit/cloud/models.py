"""An organisation's cloud use as it was imported: one FOCUS export and its computed footprint.

The figures are stored with the method version and the factors' sources they were computed with,
so that a published or reported figure stays traceable after the coefficients change.
"""

from __future__ import annotations

from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import OrganisationOwned, ScopedManager, ScopedQuerySet
from cfit.impact.figures import Span


class CloudUsageQuerySet(ScopedQuerySet):
    def in_year(self, year: int) -> CloudUsageQuerySet:
        """Exports whose usage months fall in ``year`` (an export that spans two years counts in both)."""
        return self.filter(first_month__lte=f"{year}-12", last_month__gte=f"{year}-01")


#: The scoped manager and the unscoped one, both with the queryset's methods (declared here so
#: django-stubs can resolve their types).
CloudUsageManager = ScopedManager.from_queryset(CloudUsageQuerySet)
UnscopedCloudUsageManager = models.Manager.from_queryset(CloudUsageQuerySet)


class CloudUsage(OrganisationOwned):
    """One FOCUS export of an organisation's cloud use, read and computed."""

    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64, help_text=_("The same export is not counted twice."))
    uploaded_at = models.DateTimeField(_("imported"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    focus_version = models.CharField(_("FOCUS version"), max_length=10)
    method = models.CharField(_("method"), max_length=30)
    first_month = models.CharField(_("first month"), max_length=7, help_text="YYYY-MM")
    last_month = models.CharField(_("last month"), max_length=7, help_text="YYYY-MM")
    rows = models.PositiveIntegerField(_("rows"))
    counted_rows = models.PositiveIntegerField(_("usage rows counted"))
    energy_kwh_low = models.FloatField()
    energy_kwh = models.FloatField(_("energy (kWh)"))
    energy_kwh_high = models.FloatField()
    emissions_kgco2e_low = models.FloatField()
    emissions_kgco2e = models.FloatField(_("emissions (kgCO2e)"))
    emissions_kgco2e_high = models.FloatField()
    #: The whole computed footprint (``CloudFootprint.as_dict()``): per kind, service, region, month,
    #: what was not counted and why, and the sources.
    result = models.JSONField()
    #: The usage summed per provider, region and service (``cfit.cloud.compare.workload_table``): what
    #: comparing places needs, without keeping the file.
    workload = models.JSONField(default=list)

    objects: ClassVar[CloudUsageManager[Self]] = CloudUsageManager()
    #: For permission-scoped getters and system work only; never in a view.
    unscoped: ClassVar[UnscopedCloudUsageManager[Self]] = UnscopedCloudUsageManager()

    class Meta(OrganisationOwned.Meta):
        verbose_name = _("cloud usage export")
        verbose_name_plural = _("cloud usage exports")
        ordering = ["-first_month", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sha256"], name="cloud_usage_once_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.first_month}–{self.last_month})"

    @property
    def energy(self) -> Span:
        return Span(self.energy_kwh_low, self.energy_kwh, self.energy_kwh_high)

    @property
    def emissions(self) -> Span:
        return Span(self.emissions_kgco2e_low, self.emissions_kgco2e, self.emissions_kgco2e_high)
