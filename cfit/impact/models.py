"""The impact engine's editable reference data: manufacturers' footprints, grid intensity, the fitted
estimator. Pact-wide data, not owned by an organisation: everyone computes with the same factors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FootprintDataset(models.Model):
    """One import of manufacturers' product carbon footprints (e.g. the Boavizta data set)."""

    title = models.TextField(_("title"), help_text=_("Shown as the source of every footprint it holds."))
    filename = models.CharField(_("file"), max_length=255)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    rows = models.PositiveIntegerField(_("footprints kept"), default=0)
    report = models.JSONField(
        _("import report"), default=dict, help_text=_("Rows kept and skipped per group.")
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported = models.DateTimeField(_("imported on"), auto_now_add=True)

    class Meta:
        ordering = ["-imported"]
        verbose_name = _("footprint data set")
        verbose_name_plural = _("footprint data sets")

    def __str__(self) -> str:
        return f"{self.title} ({self.rows})"


class ProductFootprint(models.Model):
    """A manufacturer's declared footprint of one model; ``embodied`` excludes the use phase."""

    dataset = models.ForeignKey(FootprintDataset, on_delete=models.CASCADE, related_name="footprints")
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    model = models.CharField(_("model"), max_length=300)
    product_group = models.CharField(_("product group"), max_length=40, db_index=True)
    gwp_total = models.FloatField(_("declared total (kgCO2e)"))
    use_ratio = models.FloatField(_("use share"), null=True, blank=True)
    use_ratio_assumed = models.BooleanField(_("use share assumed"), default=False)
    embodied = models.FloatField(_("embodied (kgCO2e)"))
    error_ratio = models.FloatField(_("declared error"), null=True, blank=True)
    yearly_kwh = models.FloatField(_("energy (kWh per year)"), null=True, blank=True)
    lifetime = models.FloatField(_("assumed lifetime (years)"), null=True, blank=True)
    weight_kg = models.FloatField(null=True, blank=True)
    screen_size_in = models.FloatField(null=True, blank=True)
    memory_gb = models.FloatField(null=True, blank=True)
    storage_gb = models.FloatField(null=True, blank=True)
    number_cpu = models.FloatField(null=True, blank=True)
    year = models.FloatField(null=True, blank=True)
    use_location = models.CharField(max_length=40, blank=True)
    source_url = models.TextField(_("source"), blank=True)
    document = models.CharField(max_length=200, blank=True, help_text=_("Identifies the PCF sheet."))
    source_row = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["manufacturer", "model"]
        verbose_name = _("product footprint")
        verbose_name_plural = _("product footprints")

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.model}"


class GridIntensity(models.Model):
    """Carbon intensity of a country's electricity in a year, with a range across sources."""

    country = models.CharField(
        _("country"), max_length=8, help_text=_("ISO 3166-1 alpha-2 code; WORLD and EU for the aggregates.")
    )
    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("gCO2e per kWh"))
    low = models.FloatField(_("low"))
    high = models.FloatField(_("high"))
    source = models.CharField(
        _("source"), max_length=200, help_text=_("Source ids joined with +, e.g. ember+electricity-maps.")
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("Why an edited value differs from its source.")
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "-year"]
        verbose_name = _("grid carbon intensity")
        verbose_name_plural = _("grid carbon intensities")
        constraints = [
            models.UniqueConstraint(fields=["country", "year"], name="one_intensity_per_country_year"),
            models.CheckConstraint(
                condition=models.Q(low__lte=models.F("value")) & models.Q(value__lte=models.F("high")),
                name="intensity_within_its_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.year}: {self.value:g} g/kWh"


class EstimatorFit(models.Model):
    """The spec-based estimator fitted on a footprint data set, with its out-of-fold accuracy."""

    dataset = models.ForeignKey(FootprintDataset, on_delete=models.CASCADE, related_name="fits")
    models_json = models.JSONField(_("fitted models"))
    validation = models.JSONField(_("out-of-fold accuracy"), default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        get_latest_by = "created"
        verbose_name = _("estimator fit")
        verbose_name_plural = _("estimator fits")

    def __str__(self) -> str:
        return f"{self.dataset.title} ({self.created:%Y-%m-%d})"
