"""Where the supplier response template puts what: shared by its writer and the offer import.

The writer (``response_template``) renders words through Django's translations; the offer import
(``cfit.offers.reader``) is part of the plain-Python core and must not import Django. Both read the
layout from here, so the two sides cannot drift apart.
"""

from __future__ import annotations

from cfit.criteria.content import CriterionType, Requirement
from cfit.tenders.spec import LotSpec, TenderSpec

TEMPLATE_FORMAT = "cfit-response-1"
ID_ROW = 3
FIRST_DATA_ROW = 4
LAST_DATA_ROW = 1003  #: validation ranges cover this many product lines
PRODUCT_TYPES = {CriterionType.TECHNICAL_SPECIFICATION, CriterionType.AWARD_CRITERION}
COMPANY_TYPES = {CriterionType.SELECTION_CRITERION, CriterionType.CONTRACT_PERFORMANCE_CLAUSE}


def product_requirements(lot: LotSpec) -> list[tuple[str, Requirement]]:
    """(criterion id, requirement) of the columns a lot sheet has after the fixed columns."""
    return [
        (c.criterion.id, r) for c in lot.criteria if c.type in PRODUCT_TYPES for r in c.criterion.requirements
    ]


def company_requirements(spec: TenderSpec) -> list[tuple[str, str, Requirement]]:
    """(criterion id, criterion title, requirement) of the rows of the 'Company' sheet, each once."""
    seen: set[str] = set()
    rows = []
    for lot in spec.lots:
        for chosen in lot.criteria:
            if chosen.type in COMPANY_TYPES:
                for requirement in chosen.criterion.requirements:
                    if requirement.id not in seen:
                        seen.add(requirement.id)
                        rows.append((chosen.criterion.id, chosen.criterion.title[spec.language], requirement))
    return rows
