"""The indicators of a yearly monitoring report, with their definitions, units and dimensions.

One definition for everyone, so that figures are comparable across countries: the same meaning, the
same unit, the same breakdown. An indicator is broken down by a *dimension* (none, product group,
hardware group, impact category × ambition, end-of-use route) and aggregated across participants in
one stated way: summed, or averaged with a stated weight. Emissions carry their low and high bounds,
which add up like the figure (see ``docs/disclosure-control.md`` and ``docs/impact-method.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Dimension(StrEnum):
    NONE = "none"
    PRODUCT_GROUP = "product_group"  #: goods and services bought
    HARDWARE = "hardware"  #: devices in the register
    CRITERIA = "criteria"  #: impact category / ambition
    ROUTE = "route"  #: end-of-use route


class Kind(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    PERCENT = "percent"
    TEXT = "text"


class Aggregation(StrEnum):
    SUM = "sum"
    WEIGHTED = "weighted"  #: an average weighted by another indicator (``weight``)
    NONE = "none"  #: texts: shown, never added up


PRODUCT_GROUPS = (
    "notebooks", "desktops", "thin-clients", "monitors", "tablets", "smartphones", "servers", "printers",
    "data-centre-services", "cloud-services", "other-ict",
)  # fmt: skip
HARDWARE = (
    "notebooks",
    "desktops",
    "thin-clients",
    "monitors",
    "tablets",
    "smartphones",
    "servers",
    "printers",
)
CATEGORIES = ("circularity", "due_diligence", "carbon", "chemicals")
AMBITIONS = ("baseline", "ambitious")
CRITERIA_KEYS = tuple(f"{c}/{a}" for c in CATEGORIES for a in AMBITIONS)
ROUTES = ("internal_reuse", "reuse", "refurbished", "recycled", "lost")

KEYS: dict[Dimension, tuple[str, ...]] = {
    Dimension.NONE: ("",),
    Dimension.PRODUCT_GROUP: PRODUCT_GROUPS,
    Dimension.HARDWARE: HARDWARE,
    Dimension.CRITERIA: CRITERIA_KEYS,
    Dimension.ROUTE: ROUTES,
}


#: The largest figure of any report: 15 digits, what a spreadsheet and the database's floats keep exactly
#: (a longer one would be stored, and shown back, as another number).
LARGEST = 999_999_999_999_999


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise | str
    unit: Promise | str
    definition: Promise | str
    kind: Kind
    dimension: Dimension
    aggregation: Aggregation = Aggregation.SUM
    #: for WEIGHTED: the indicator whose value (same key, or "" for a whole-report weight) weighs it
    weight: str = ""
    maximum: float | None = None
    #: a figure with a low and a high bound (emissions of the impact method)
    bounded: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return KEYS[self.dimension]

    @property
    def largest(self) -> float:
        """The largest figure a report may give: the indicator's maximum, else ``LARGEST``."""
        return self.maximum if self.maximum is not None else LARGEST

    @property
    def has_total(self) -> bool:
        """Whether collective results add the breakdown up (key ``TOTAL``): sums of devices, spend and
        mass do; tenders per impact category do not (a tender counts in each category it used)."""
        return self.aggregation == Aggregation.SUM and self.dimension not in (
            Dimension.NONE,
            Dimension.CRITERIA,
        )


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "users_served", _("Users served"), _("people"),
        _("End users of the organisation's ICT at the end of the year (employees, students, others with a workplace)."),
        Kind.INTEGER, Dimension.NONE,
    ),
    Indicator(
        "ict_spend_eur", _("ICT spend"), "EUR",
        _("Spend on ICT goods and services in the year, excluding VAT, by product group."),
        Kind.NUMBER, Dimension.PRODUCT_GROUP,
    ),
    Indicator(
        "units_new", _("Devices bought new"), _("devices"),
        _("Devices bought new and taken into use in the year."),
        Kind.INTEGER, Dimension.HARDWARE,
    ),
    Indicator(
        "units_refurbished", _("Devices bought refurbished"), _("devices"),
        _("Devices bought refurbished or remanufactured and taken into use in the year."),
        Kind.INTEGER, Dimension.HARDWARE,
    ),
    Indicator(
        "units_leased", _("Devices leased or as a service"), _("devices"),
        _("New devices leased or used as a service, taken into use in the year."),
        Kind.INTEGER, Dimension.HARDWARE,
    ),
    Indicator(
        "tenders_run", _("ICT tenders run"), _("tenders"),
        _("Tenders (and mini-competitions) for ICT goods or services published in the year."),
        Kind.INTEGER, Dimension.NONE,
    ),
    Indicator(
        "tenders_with_criteria", _("Tenders using criteria"), _("tenders"),
        _("Tenders of the year that used at least one CFIT criterion of the impact category at that ambition level."),
        Kind.INTEGER, Dimension.CRITERIA,
    ),
    Indicator(
        "spend_covered_share", _("Spend covered by criteria"), "%",
        _("Share of the year's ICT spend under contracts that used CFIT criteria (or equivalent)."),
        Kind.PERCENT, Dimension.NONE, Aggregation.WEIGHTED, "ict_spend_total", 100,
    ),
    Indicator(
        "retired_units", _("Devices retired"), _("devices"),
        _("Devices that left the organisation's use in the year, whatever their route."),
        Kind.INTEGER, Dimension.HARDWARE,
    ),
    Indicator(
        "service_life_mean", _("Average service life of retired devices"), _("years"),
        _("Average years from purchase to retirement of the devices retired in the year."),
        Kind.NUMBER, Dimension.HARDWARE, Aggregation.WEIGHTED, "retired_units", 30,
    ),
    Indicator(
        "service_life_median", _("Median service life of retired devices"), _("years"),
        _("Median years from purchase to retirement of the devices retired in the year. Across participants: the average of the medians, weighted by devices retired."),
        Kind.NUMBER, Dimension.HARDWARE, Aggregation.WEIGHTED, "retired_units", 30,
    ),
    Indicator(
        "end_of_use_units", _("Devices per end-of-use route"), _("devices"),
        _("Devices retired in the year, by where they went: reused internally, sold or donated for reuse, refurbished by a partner, recycled, lost."),
        Kind.INTEGER, Dimension.ROUTE,
    ),
    Indicator(
        "end_of_use_kg", _("Mass per end-of-use route"), "kg",
        _("Mass of the devices retired in the year, by end-of-use route."),
        Kind.NUMBER, Dimension.ROUTE,
    ),
    Indicator(
        "embodied_tco2e", _("Embodied emissions of the year's purchases"), "tCO2e",
        _("Manufacturing, transport and end-of-life emissions of the devices bought in the year (cfit impact method)."),
        Kind.NUMBER, Dimension.NONE, bounded=True,
    ),
    Indicator(
        "use_tco2e", _("Use-phase emissions of the fleet"), "tCO2e",
        _("Emissions of the electricity the devices in use consumed in the year."),
        Kind.NUMBER, Dimension.NONE, bounded=True,
    ),
    Indicator(
        "fleet_annual_tco2e", _("Fleet emissions per year of service"), "tCO2e",
        _("Embodied emissions spread over the service life plus the use phase, for the devices owned at the end of the year."),
        Kind.NUMBER, Dimension.NONE, bounded=True,
    ),
    Indicator(
        "cloud_tco2e", _("Emissions of cloud use"), "tCO2e",
        _("Energy of the cloud services used in the year (compute, memory, storage, network, with the providers' data-centre efficiency) times the grid of each region's country, plus the servers' manufacture, from the providers' FOCUS exports (cfit cloud method)."),
        Kind.NUMBER, Dimension.NONE, bounded=True,
    ),
    Indicator(
        "suppliers_due_diligence_share", _("Main suppliers with due diligence"), "%",
        _("Share of the spend with main ICT suppliers that have a due-diligence policy (OECD) and a current CMRT/EMRT."),
        Kind.PERCENT, Dimension.NONE, Aggregation.WEIGHTED, "ict_spend_total", 100,
    ),
    Indicator(
        "contracts_dd_clauses", _("Contracts with due-diligence clauses"), _("contracts"),
        _("Contracts in force in the year that carry at least one contract performance clause of the due-diligence category (responsible minerals, factory disclosure, worker rights)."),
        Kind.INTEGER, Dimension.NONE,
    ),
    Indicator(
        "obligations_due", _("Contract obligations due"), _("obligations"),
        _("Obligations of the organisation's contracts (documents, figures, declarations) that fell due in the year."),
        Kind.INTEGER, Dimension.NONE,
    ),
    Indicator(
        "obligations_on_time_share", _("Obligations delivered on time"), "%",
        _("Share of the obligations due in the year that the supplier delivered by their due date."),
        Kind.PERCENT, Dimension.NONE, Aggregation.WEIGHTED, "obligations_due", 100,
    ),
    Indicator(
        "smelters_reported", _("Smelters reported by suppliers"), _("smelters"),
        _("Distinct identified smelters, per metal, in the CMRT and EMRT templates suppliers delivered for the year (effective date) under the organisation's contracts."),
        Kind.INTEGER, Dimension.NONE,
    ),
    Indicator(
        "smelters_conformant_share", _("RMAP-conformant smelters"), "%",
        _("Share of the smelters reported for the year that RMI's Responsible Minerals Assurance Process lists as conformant (the conformance list the secretariat imported, in force on each template's effective date)."),
        Kind.PERCENT, Dimension.NONE, Aggregation.WEIGHTED, "smelters_reported", 100,
    ),
    Indicator(
        "corrective_actions_open", _("Open corrective actions"), _("corrective actions"),
        _("Corrective actions of findings under the organisation's contracts (audit results, non-conformant smelters, missing disclosures, complaints) still open at the end of the year."),
        Kind.INTEGER, Dimension.NONE,
    ),
    Indicator(
        "lessons", _("Case studies and lessons"), "",
        _("What worked, what did not, and what others could reuse."),
        Kind.TEXT, Dimension.NONE, Aggregation.NONE,
    ),
)  # fmt: skip
# -- factories disclosed (pre-filled by ``cfit.factories.indicators``); a block of its own
INDICATORS += (
    Indicator(
        "contracts_factories_disclosed", _("Contracts with factories disclosed"), _("contracts"),
        _("Contracts in force in the year whose supplier disclosed the final-assembly factory of every model delivered (or, where the models are not known, at least one final-assembly factory)."),
        Kind.INTEGER, Dimension.NONE,
    ),
    Indicator(
        "factories_disclosed_share", _("Share of contracts with factories disclosed"), "%",
        _("Share of the contracts in force in the year whose supplier disclosed its final-assembly factories, as counted for the contracts with factories disclosed."),
        Kind.PERCENT, Dimension.NONE, Aggregation.WEIGHTED, "ict_spend_total", 100,
    ),
)  # fmt: skip
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
#: Indicators whose collective results add their breakdown up.
WITH_TOTAL = tuple(i.code for i in INDICATORS if i.has_total)
#: Not reported: derived from ``ict_spend_eur`` when a report is saved, to weigh the percentages.
DERIVED_WEIGHTS = ("ict_spend_total",)
