"""A facility's reports checked against the data-centre criteria of a buyer's tender and the Pact's targets.

The limits come from the tender's stored criteria (the requirements of each lot's criteria, as the
framework version the lot uses defines them), never from this code; the code only says which
requirement limits which indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cfit.datacentres.indicators import (
    CheckResult,
    Derived,
    Figures,
    Finding,
    Indicator,
    Threshold,
    check_all,
    cndcp_targets,
    derive,
    find_problems,
)
from cfit.datacentres.models import Facility, FacilityReport
from cfit.tenders.models import Lot

#: Which requirement of the framework's data-centre criteria limits which value (and for which climate).
#: Requirements that only bound an answer's range (an award criterion's 0–100 %) limit nothing and are
#: not listed. See criteria-data-centres.yaml.
REQUIREMENT_LIMITS: dict[str, tuple[str, str | None]] = {
    "dc-pue-a.pue-cool-climate": (Indicator.PUE, "cool"),
    "dc-pue-a.pue-warm-climate": (Indicator.PUE, "warm"),
    "dc-ref-a.share": (Indicator.REF, None),
    "dc-water-a.wue": (Indicator.WUE, None),
    "dc-refrigerant-b.gwp": ("refrigerant_gwp", None),
    "dc-refrigerant-a.gwp": ("refrigerant_gwp", None),
}


def lot_thresholds(lot: Lot, facility: Facility) -> list[Threshold]:
    """The limits the lot's stored criteria set on this facility's values, each naming its requirement."""
    found = []
    for lot_criterion in lot.lot_criteria.all():
        criterion = lot_criterion.criterion
        for requirement in criterion.requirements.all():
            target = REQUIREMENT_LIMITS.get(requirement.code)
            if target is None:
                continue
            field, climate = target
            if climate is not None and climate != facility.climate:
                continue
            at_most = requirement.max_value is not None
            limit = requirement.max_value if at_most else requirement.min_value
            if limit is None:
                continue
            found.append(
                Threshold(
                    str(field),
                    float(limit),
                    at_most,
                    requirement.unit,
                    # shown on the facility's page, in the reader's language
                    _("%(tender)s, lot %(lot)s: %(criterion)s (%(requirement)s)")
                    % {
                        "tender": lot.tender.reference,
                        "lot": lot.number,
                        "criterion": criterion.code,
                        "requirement": requirement.code,
                    },
                )
            )
    return found


@dataclass(frozen=True)
class YearView:
    """What a page shows of one year: the values, derived indicators, findings and checks."""

    report: FacilityReport
    figures: Figures
    derived: dict[Indicator, Derived]
    findings: list[Finding]
    pact: list[CheckResult]
    tender: list[CheckResult]


def year_views(facility: Facility, reports: list[FacilityReport], lots: list[Lot]) -> list[YearView]:
    """Each year's figures checked (newest first); ``lots`` are the buyer's linked lots (none for a provider)."""
    thresholds = [t for lot in lots for t in lot_thresholds(lot, facility)]
    views = []
    for report in sorted(reports, key=lambda r: -r.year):
        figures = report.figures()
        views.append(
            YearView(
                report,
                figures,
                derive(figures),
                find_problems(figures),
                check_all(
                    figures,
                    cndcp_targets(facility.climate, facility.operating_since, report.year),
                    report.year,
                ),
                check_all(figures, thresholds, report.year),
            )
        )
    return views
