"""The anonymised summary of a market consultation's answers, under the pact's disclosure rules.

Plain Python, no Django. For each structured question, the suppliers' answers are counted per category
(yes/no, each choice, each range of a number question); a count is a cell of a one-scope table whose
contributors are the suppliers who gave that answer, and ``cfit.monitoring.disclosure.protect`` decides
which cells may be shown: never a count that fewer than three suppliers give (threshold rule), and no
count that could be worked back from the shown ones and the number who answered (secondary suppression).
A category nobody chose is hidden as well: "0 said no" next to a hidden "yes" would tell what the few
who answered said. Free-text answers are never summarised; only how many answered, under the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cfit.monitoring.disclosure import TOTAL, Rules, Table, protect

YES_NO = "yes_no"
NUMBER = "number"
CHOICE = "choice"
TEXT = "text"
YES, NO = "yes", "no"
SCOPE = "consultation"


@dataclass(frozen=True)
class QuestionShape:
    kind: str
    #: the choices of a choice question; the range limits (ascending numbers) of a number question
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Count:
    category: str  #: "yes", "no", a choice, or a range such as "10–100"
    count: int | None  #: None: hidden under the disclosure rules


@dataclass(frozen=True)
class QuestionSummary:
    answered: int | None  #: None: hidden (fewer than three answered)
    counts: tuple[Count, ...]


def _edges(shape: QuestionShape) -> list[float]:
    return sorted(float(edge) for edge in shape.options)


def _number(value: float) -> str:
    return f"{value:g}"


def categories(shape: QuestionShape) -> list[str]:
    """Every category of the question in order, those nobody chose included."""
    if shape.kind == YES_NO:
        return [YES, NO]
    if shape.kind == CHOICE:
        return list(shape.options)
    if shape.kind == NUMBER:
        edges = _edges(shape)
        if not edges:
            return []
        inner = [f"{_number(low)}–{_number(high)}" for low, high in zip(edges, edges[1:], strict=False)]
        return [f"< {_number(edges[0])}", *inner, f"≥ {_number(edges[-1])}"]
    return []


def category_of(shape: QuestionShape, value: str) -> str | None:
    """The category an answer counts in; None for free text or an answer outside the categories."""
    if shape.kind in (YES_NO, CHOICE):
        return value if value in categories(shape) else None
    if shape.kind == NUMBER:
        edges = _edges(shape)
        if not edges:
            return None
        number = float(value)
        names = categories(shape)
        position = sum(1 for edge in edges if number >= edge)
        return names[position]
    return None


def summarise(
    shape: QuestionShape, answers: Mapping[str, str], rules: Rules | None = None
) -> QuestionSummary:
    """``answers`` maps each supplier to its answer; the summary shows only what the rules allow."""
    rules = rules or Rules()
    contributions = {}
    for supplier, value in answers.items():
        category = category_of(shape, value)
        # Free text and uncategorised numbers still count among those who answered.
        contributions[(supplier, category if category is not None else TOTAL + ":other")] = (1.0,)
    if not contributions:
        return QuestionSummary(None, tuple(Count(c, None) for c in categories(shape)))
    table = Table({SCOPE: frozenset(answers)}, contributions, totals=True)
    decisions = protect(table, rules)
    given: dict[str, int] = {}
    for _supplier, category in contributions:
        given[category] = given.get(category, 0) + 1
    total = decisions[(SCOPE, TOTAL)]
    return QuestionSummary(
        len(answers) if total.published else None,
        tuple(
            Count(c, given[c] if c in given and decisions[(SCOPE, c)].published else None)
            for c in categories(shape)
        ),
    )


def summarise_all(
    shapes: Sequence[tuple[str, QuestionShape]],
    answers: Mapping[str, Mapping[str, str]],
    rules: Rules | None = None,
) -> dict[str, QuestionSummary]:
    """Per question key: ``answers`` maps each supplier to its answers by question key; ``rules``: the
    pact's disclosure rules in force (the defaults if not given)."""
    return {
        key: summarise(
            shape, {s: given[key] for s, given in answers.items() if given.get(key, "") != ""}, rules
        )
        for key, shape in shapes
    }
