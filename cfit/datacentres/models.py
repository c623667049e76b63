"""Data centres, their yearly EED reports, and the lots they serve.

A facility belongs to the organisation that operates it and is reached through the scoped manager:
a provider (supplier) registers the data centres where it hosts customers (colocation, hosting,
cloud); a buyer registers the data centres it runs itself for its own IT (public bodies own and
operate data centres and report them under Article 12 of the EED, and the EU GPP criteria cover
building and running one). A buyer never registers a provider's data centre: it reaches one only
through ``cfit.datacentres.access``, once it linked it to a lot of one of its tenders with the code
the provider gave.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import OrganisationOwned
from cfit.datacentres.indicators import FIGURE_KEYS, Figures, Indicator
from cfit.joining.countries import country_name


def new_facility_code() -> str:
    """The code a provider gives a buyer (in its offer) so that the buyer can link the facility to a lot.

    Unguessable (48 random bits): knowing it is what lets a buyer link the facility, so it is shared on purpose.
    """
    return "DC-" + secrets.token_hex(6).upper()


class Facility(OrganisationOwned):
    """A data centre operated by the organisation that owns it here (``organisation``)."""

    class Operator(models.TextChoices):
        """Who runs it, and for whom: Delegated Regulation (EU) 2024/1364 tells an enterprise data centre
        from colocation and co-hosting ones."""

        #: an enterprise data centre: the organisation runs it for its own IT (a buyer's, or a provider's)
        OWN = "own", _("Our own: we run it for our own IT")
        #: colocation, hosting or cloud: a provider runs it for its customers (only providers register these)
        SERVICE = "service", _("A provider's: it hosts customers (colocation, hosting or cloud)")

    class Climate(models.TextChoices):
        #: the Climate Neutral Data Centre Pact's PUE target is 1.3 in cool and 1.4 in warm climates
        COOL = "cool", _("Cool climate")
        WARM = "warm", _("Warm climate")

    class EuDatabase(models.TextChoices):
        #: Article 12 of Directive (EU) 2023/1791: data centres of 500 kW installed IT power or more
        REPORTS = "reports", _("Reports to the European database on data centres")
        BELOW_THRESHOLD = "below_threshold", _("Below 500 kW: not required to report")
        NOT_YET = "not_yet", _("Required, not reported yet")

    name = models.TextField(_("name"))
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. NL."))
    operator = models.CharField(
        _("operated"),
        max_length=8,
        choices=Operator.choices,
        default=Operator.SERVICE,
        help_text=_(
            "A buyer registers only the data centres it runs itself; a provider's data centre is linked to a "
            "lot with the code the provider gives."
        ),
    )
    climate = models.CharField(_("climate"), max_length=8, choices=Climate.choices, default=Climate.COOL)
    operating_since = models.PositiveSmallIntegerField(
        _("in operation since (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text=_("Decides whether the Pact's targets for new or for existing data centres apply."),
    )
    eu_database = models.CharField(
        _("EED reporting status"), max_length=16, choices=EuDatabase.choices, default=EuDatabase.REPORTS
    )
    code = models.CharField(
        _("facility code"),
        max_length=20,
        unique=True,
        default=new_facility_code,
        help_text=_("Give it to a buyer (in your offer) so that it can link this data centre to its tender."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta(OrganisationOwned.Meta):
        ordering = ["name"]
        verbose_name = _("data centre")
        verbose_name_plural = _("data centres")

    def __str__(self) -> str:
        return self.name

    @property
    def country_name(self) -> str:
        """The country as the reader's language names it (the pages; files and the API keep the code)."""
        return country_name(self.country)


class FacilityReport(models.Model):
    """One calendar year's values of a facility, in the units of Delegated Regulation (EU) 2024/1364.

    Empty is "not reported", never zero. The Annex III indicators are derived (``figures()``), not
    stored; ``stated_*`` keep what the provider states itself, only to compare.
    """

    class Via(models.TextChoices):
        FORM = "form", _("Form")
        TEMPLATE = "template", _("Spreadsheet template")
        API = "api", _("API")

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(
        _("reporting year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    # -- Annex I and II values (units as the Regulation)
    installed_it_power_kw = models.FloatField(_("installed IT power demand (kW)"), null=True, blank=True)
    total_floor_area_m2 = models.FloatField(_("total floor area (m²)"), null=True, blank=True)
    computer_room_floor_area_m2 = models.FloatField(_("computer room floor area (m²)"), null=True, blank=True)
    total_energy_kwh = models.FloatField(_("total energy consumption (kWh)"), null=True, blank=True)
    it_energy_kwh = models.FloatField(_("energy consumption of IT equipment (kWh)"), null=True, blank=True)
    water_input_m3 = models.FloatField(_("total water input (m³)"), null=True, blank=True)
    potable_water_input_m3 = models.FloatField(_("potable water input (m³)"), null=True, blank=True)
    waste_heat_reused_kwh = models.FloatField(_("waste heat reused (kWh)"), null=True, blank=True)
    renewable_energy_kwh = models.FloatField(_("renewable energy consumption (kWh)"), null=True, blank=True)
    incoming_traffic_eb = models.FloatField(_("incoming data traffic (EB)"), null=True, blank=True)
    outgoing_traffic_eb = models.FloatField(_("outgoing data traffic (EB)"), null=True, blank=True)
    data_stored_pb = models.FloatField(_("data stored (PB)"), null=True, blank=True)
    refrigerant_gwp = models.FloatField(
        _("highest GWP of the refrigerants used (kgCO2e/kg)"), null=True, blank=True
    )
    # -- the provider's own statement of the indicators, compared with the derivation
    stated_pue = models.FloatField(_("PUE as you state it"), null=True, blank=True)
    stated_wue = models.FloatField(_("WUE as you state it (L/kWh)"), null=True, blank=True)
    stated_erf = models.FloatField(_("ERF as you state it (%)"), null=True, blank=True)
    stated_ref = models.FloatField(_("REF as you state it (%)"), null=True, blank=True)
    # -- filing
    via = models.CharField(_("filed by"), max_length=16, choices=Via.choices, default=Via.FORM)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed = models.DateTimeField(_("filed on"), auto_now=True)

    class Meta:
        ordering = ["facility", "year"]
        verbose_name = _("data-centre report")
        verbose_name_plural = _("data-centre reports")
        constraints = [
            models.UniqueConstraint(fields=["facility", "year"], name="one_report_per_facility_year")
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.year}"

    def figures(self) -> Figures:
        stated = {
            indicator: value
            for indicator, value in (
                (Indicator.PUE, self.stated_pue),
                (Indicator.WUE, self.stated_wue),
                (Indicator.ERF, self.stated_erf),
                (Indicator.REF, self.stated_ref),
            )
            if value is not None
        }
        values: dict[str, Any] = {key: getattr(self, key) for key in FIGURE_KEYS}
        return Figures(**values, stated=stated)


#: The report fields a provider fills: the Regulation's values and its own statements.
STATED_KEYS = ("stated_pue", "stated_wue", "stated_erf", "stated_ref")
REPORT_KEYS = (*FIGURE_KEYS, *STATED_KEYS)


class FacilityLot(models.Model):
    """A facility used to deliver a tender's lot: set by the buyer with the code the provider gave it.

    This link is what lets the buyer's members read the facility's reports; nothing else does.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="lot_links")
    lot = models.ForeignKey("tenders.Lot", on_delete=models.CASCADE, related_name="facility_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data centre used for a lot")
        verbose_name_plural = _("data centres used for lots")
        constraints = [models.UniqueConstraint(fields=["facility", "lot"], name="facility_once_per_lot")]

    def __str__(self) -> str:
        return f"{self.facility} → {self.lot}"
