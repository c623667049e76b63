"""What a contract's obligations ask for and when, derived from the criteria it carries. Plain Python.

The framework states what a supplier hands in to verify a criterion (``verification.documents``) and
what each requirement asks, but not how often: a clause's text says "every year" in words, not in
data. So the frequency is a documented default the buyer can change per criterion:

* a contract performance clause is reported **yearly** (the clauses of the framework that name a
  period all name a year: CMRT, smelter shares, take-back and end-destination reports, EED indicators);
* a technical specification is proved **once**, after delivery (the products delivered are those offered);
* **per delivery** is the buyer's choice, for evidence that follows each delivery (delivery reports).

Due dates never fall outside the contract period: a yearly obligation is due on the last day of each
contract year that has started (the last year may be cut short by the contract's end), a one-off
obligation ``ONCE_AFTER_DAYS`` after the start (CMRT clauses ask for the first template "within 3
months of contract signature") or on the end date if the contract is shorter.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: Days after the contract's start within which a one-off obligation is due (the framework's CMRT
#: clauses: "within 3 months of contract signature").
ONCE_AFTER_DAYS = 90
#: Days after a delivery within which its evidence is due.
PER_DELIVERY_AFTER_DAYS = 30


class Frequency(StrEnum):
    ONCE = "once"
    YEARLY = "yearly"
    PER_DELIVERY = "per_delivery"


class Kind(StrEnum):
    """What the supplier hands in."""

    DOCUMENT = "document"  #: a file: a report, a certificate, a completed template
    FIGURE = "figure"  #: one or more numbers with their units
    DECLARATION = "declaration"  #: a signed statement that the clause is met


class CriterionKind(StrEnum):
    """The criterion types that produce obligations (the framework's own values)."""

    TECHNICAL_SPECIFICATION = "technical_specification"
    CONTRACT_PERFORMANCE_CLAUSE = "contract_performance_clause"


@dataclass(frozen=True)
class FigureField:
    """A number the supplier fills in: its key, its label (English; ``cfit.contracts.labels`` shows it in the user's language) and its unit."""

    key: str
    label: str
    unit: str


#: Figures the pact follows for a clause topic, where the clause's requirements hold no number to
#: report (their requirements are yes/no commitments). The issue's list: take-back volumes in units
#: and kg, spare-parts availability, repairs. The topic is the criterion's ``topic`` in the framework.
TOPIC_FIGURES: dict[str, tuple[FigureField, ...]] = {
    "take-back": (
        FigureField("taken_back_units", "Devices taken back", "units"),
        FigureField("taken_back_kg", "Mass taken back", "kg"),
    ),
    "end-destination": (
        FigureField("reused_units", "Devices prepared for reuse", "units"),
        FigureField("recycled_kg", "Mass recycled", "kg"),
    ),
    "service-agreement": (
        FigureField("repairs", "Repairs carried out", "repairs"),
        FigureField("spare_parts_days", "Spare parts: average days to deliver", "days"),
    ),
    "lifetime-support": (FigureField("spare_parts_available", "Spare parts available", "%"),),
}
#: Figures in these units are counted: whole numbers ("1,5 devices" is a typing error).
WHOLE_UNITS = frozenset({"units", "repairs"})
#: Figures in these units are shares of a whole: from 0 to 100.
PERCENT_UNITS = frozenset({"%", "% w/w"})
#: A requirement with one of these units is a commitment (a period, a delay) proved by a document,
#: not a figure measured during the contract.
COMMITMENT_UNITS = frozenset({"years", "months", "working days", "days", "per year"})


@dataclass(frozen=True)
class RequirementView:
    id: str
    data_type: str  #: the framework's DataType value
    unit: str


@dataclass(frozen=True)
class Due:
    """What one criterion asks of the supplier during the contract."""

    kind: Kind
    frequency: Frequency
    figures: tuple[FigureField, ...]


def figures_for(topic: str, requirements: Iterable[RequirementView]) -> tuple[FigureField, ...]:
    """The figures a clause asks for: its measured numeric requirements, else its topic's figures."""
    measured = tuple(
        FigureField(r.id, r.id, r.unit)
        for r in requirements
        if r.data_type == "number" and r.unit and r.unit not in COMMITMENT_UNITS
    )
    if measured:
        return measured
    for key, figures in TOPIC_FIGURES.items():
        if key in topic:
            return figures
    return ()


def what_is_due(
    criterion_kind: CriterionKind, topic: str, requirements: Sequence[RequirementView], *, has_labels: bool
) -> Due:
    """Derive the obligation of a criterion carried by a contract (see the module's rules)."""
    if criterion_kind == CriterionKind.CONTRACT_PERFORMANCE_CLAUSE:
        figures = figures_for(topic, requirements)
        if figures:
            return Due(Kind.FIGURE, Frequency.YEARLY, figures)
        # Commitments ("shall report", "shall not export"): the report the verification names.
        return Due(Kind.DOCUMENT, Frequency.YEARLY, ())
    # A specification proved by a label: the supplier declares the delivered models carry it (the
    # buyer checks the label's register); otherwise the verification documents.
    return Due(Kind.DECLARATION if has_labels else Kind.DOCUMENT, Frequency.ONCE, ())


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def years_started(start: date, end: date) -> int:
    """Contract years that begin on or before ``end`` (a contract of one day has one)."""
    if end < start:
        return 0
    count = 0
    while add_years(start, count) <= end:
        count += 1
    return count


def due_dates(
    frequency: Frequency,
    start: date,
    end: date,
    *,
    deliveries: Sequence[date] = (),
    once_after_days: int = ONCE_AFTER_DAYS,
) -> list[date]:
    """The due dates of an obligation over the contract period [start, end], each inside it.

    Yearly: one per contract year started, due on the year's last day or on ``end``. Once: one,
    ``once_after_days`` after the start or on ``end``. Per delivery: one per delivery inside the period,
    ``PER_DELIVERY_AFTER_DAYS`` after it or on ``end``.
    """
    if end < start:
        raise ValueError("the contract ends before it starts")
    match frequency:
        case Frequency.YEARLY:
            return [
                min(add_years(start, year + 1) - timedelta(days=1), end)
                for year in range(years_started(start, end))
            ]
        case Frequency.ONCE:
            return [min(start + timedelta(days=once_after_days), end)]
        case Frequency.PER_DELIVERY:
            return [
                min(day + timedelta(days=PER_DELIVERY_AFTER_DAYS), end)
                for day in sorted(deliveries)
                if start <= day <= end
            ]
