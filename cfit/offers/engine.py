"""Check offers against the criteria and score them: columnar, no Django.

A catalogue of product lines is held column by column: one numpy array per requirement (numbers,
yes/no and dates as ``float64`` with NaN for "not answered"; lists and texts as ``int32`` codes with
-1 for "not answered") and a bit mask of the labels each line holds. Checking then costs one
vector operation per requirement over all lines at once, which is what lets a national catalogue of
100,000 lines be checked in about a second (``python -m bench.offers``); a loop per line and
requirement is two orders of magnitude slower.

The rules come from the tender: a technical specification is a knock-out (a line that fails it is
excluded), an award criterion is scored, and everything else is informative. A label that the
framework says covers a requirement proves it ("by label"), whatever the declared value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

from cfit.criteria.content import Better, CriterionType, DataType, Requirement, Scoring
from cfit.tenders.award import scored_requirement

#: 2: declared directions and scoring rules, allowed answers, offer-level exclusion of lines.
METHOD_VERSION = "cfit-offers-2"

Floats = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]


class Status(IntEnum):
    NOT_ANSWERED = 0
    PASS = 1
    FAIL = 2


class Evidence(IntEnum):
    NONE = 0
    DECLARED = 1  #: the value the supplier declared
    LABEL = 2  #: a label certificate that covers the requirement
    OVERRIDE = 3  #: the procurer's decision, with a justification kept elsewhere


class Role(StrEnum):
    KNOCK_OUT = "knock_out"  #: technical specifications: a failed or unanswered one excludes the line
    AWARD = "award"  #: award criteria: scored, never excluding
    INFO = "info"  #: selection criteria and contract clauses: checked, shown, not scored

    @classmethod
    def of(cls, criterion_type: CriterionType) -> Role:
        if criterion_type == CriterionType.TECHNICAL_SPECIFICATION:
            return cls.KNOCK_OUT
        if criterion_type == CriterionType.AWARD_CRITERION:
            return cls.AWARD
        return cls.INFO


TEXT_TYPES = {DataType.ENUMERATION, DataType.STRING}


@dataclass(frozen=True)
class Rule:
    """One requirement as the tender applies it."""

    requirement: str
    criterion: str
    role: Role
    data_type: DataType
    expected: bool | float | str | None = None
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()  #: the options that meet an enumeration; empty for other types
    labels: frozenset[str] = frozenset()
    group: str = "1"
    better: Better | None = None  #: declared; for award rules always set
    scoring: Scoring | None = None  #: the rule an award requirement is scored by (declared or stated default)

    @classmethod
    def of(cls, criterion: str, criterion_type: CriterionType, requirement: Requirement) -> Rule:
        expected = requirement.expected_value
        if requirement.data_type == DataType.DATE and expected is not None:
            expected = float(day_number(str(expected)))
        elif requirement.data_type in {DataType.NUMBER, DataType.INTEGER} and expected is not None:
            expected = float(expected)
        role = Role.of(criterion_type)
        better, scoring = requirement.better, requirement.scoring
        if role == Role.AWARD:
            scored = scored_requirement(requirement)
            better, scoring = scored.better, scored.scoring
        return cls(
            requirement=requirement.id,
            criterion=criterion,
            role=role,
            data_type=requirement.data_type,
            expected=expected,
            minimum=requirement.min_value,
            maximum=requirement.max_value,
            options=tuple(requirement.options),
            allowed=tuple(requirement.allowed_answers)
            if requirement.data_type == DataType.ENUMERATION
            else (),
            labels=frozenset(requirement.satisfied_by_labels),
            group=requirement.group,
            better=better,
            scoring=scoring,
        )

    @property
    def is_text(self) -> bool:
        return self.data_type in TEXT_TYPES

    @property
    def worst_passing(self) -> float | None:
        """The least good value that still meets the requirement: what a label proves without a number."""
        if self.better == Better.HIGHER:
            return self.minimum
        if self.better == Better.LOWER:
            return self.maximum
        return None


def day_number(value: str) -> int:
    return date.fromisoformat(value).toordinal()


@dataclass
class Catalogue:
    """Product lines of one or more offers, column by column."""

    line_ids: list[str]
    offer_of_line: Codes  #: index into ``offers`` per line
    offers: list[str]
    labels: npt.NDArray[np.uint64]  #: bit ``label_bits[label]`` set when the line holds the label
    label_bits: dict[str, int]
    numbers: dict[str, Floats] = field(default_factory=dict)
    texts: dict[str, tuple[Codes, list[str]]] = field(default_factory=dict)
    unit_price: Floats | None = None
    yearly_kwh: Floats | None = None
    quantity: Floats | None = None

    def __len__(self) -> int:
        return len(self.line_ids)

    def label_mask(self, labels: Iterable[str]) -> np.uint64:
        mask = 0
        for label in labels:
            if label in self.label_bits:
                mask |= 1 << self.label_bits[label]
        return np.uint64(mask)

    def line_labels(self, index: int) -> list[str]:
        held = int(self.labels[index])
        return sorted(label for label, bit in self.label_bits.items() if held >> bit & 1)


@dataclass
class Checked:
    """Every requirement of every line: status, evidence, and what follows for criteria and lines."""

    rules: list[Rule]
    status: npt.NDArray[np.int8]  #: lines × rules
    evidence: npt.NDArray[np.int8]  #: lines × rules
    criteria: list[str]
    criterion_met: Bools  #: lines × criteria
    eligible: Bools  #: lines: the line and every other line of its offer meet every knock-out criterion
    line_eligible: Bools = field(default_factory=lambda: np.zeros(0, np.bool_))  #: the line's own result

    def counts(self) -> dict[str, int]:
        return {
            "pass": int((self.status == Status.PASS).sum()),
            "fail": int((self.status == Status.FAIL).sum()),
            "not_answered": int((self.status == Status.NOT_ANSWERED).sum()),
            "by_label": int((self.evidence == Evidence.LABEL).sum()),
            "eligible_lines": int(self.eligible.sum()),
        }


def answered_and_met(rule: Rule, catalogue: Catalogue) -> tuple[Bools, Bools]:
    """Which lines answered the requirement, and which of the answers meet it."""
    size = len(catalogue)
    if rule.is_text:
        codes, categories = catalogue.texts.get(rule.requirement, (np.full(size, -1, np.int32), []))
        answered = codes >= 0
        if rule.data_type == DataType.STRING:
            return answered, answered
        # An enumeration is met only by its declared allowed answers, never by any listed option.
        wanted = np.array([code for code, value in enumerate(categories) if value in rule.allowed], np.int32)
        return answered, np.isin(codes, wanted) & answered
    values = catalogue.numbers.get(rule.requirement)
    if values is None:
        none = np.zeros(size, np.bool_)
        return none, none
    answered = ~np.isnan(values)
    met = answered.copy()
    if rule.expected is not None:
        met &= values == float(rule.expected)
    if rule.minimum is not None:
        met &= values >= rule.minimum
    if rule.maximum is not None:
        met &= values <= rule.maximum
    return answered, met


def check(
    rules: Sequence[Rule],
    catalogue: Catalogue,
    overrides: Mapping[tuple[int, int], Status] | None = None,
) -> Checked:
    """Evaluate every rule over every line; ``overrides`` maps (line index, rule index) to a status."""
    size = len(catalogue)
    status = np.zeros((size, len(rules)), np.int8)
    evidence = np.zeros((size, len(rules)), np.int8)
    for j, rule in enumerate(rules):
        answered, met = answered_and_met(rule, catalogue)
        mask = catalogue.label_mask(rule.labels)
        by_label = (catalogue.labels & mask) != 0 if mask else np.zeros(size, np.bool_)
        passed = by_label | met
        status[:, j] = np.where(passed, Status.PASS, np.where(answered, Status.FAIL, Status.NOT_ANSWERED))
        evidence[:, j] = np.where(
            by_label, Evidence.LABEL, np.where(answered, Evidence.DECLARED, Evidence.NONE)
        )
    for (line, j), decided in (overrides or {}).items():
        status[line, j] = decided
        evidence[line, j] = Evidence.OVERRIDE
    criteria, criterion_met = _criteria(rules, status)
    knock_out = [i for i, code in enumerate(criteria) if _role_of(rules, code) == Role.KNOCK_OUT]
    line_eligible = np.asarray(
        criterion_met[:, knock_out].all(axis=1) if knock_out else np.ones(size, np.bool_), np.bool_
    )
    # An offer is taken or excluded whole: one line that misses a specification excludes its offer,
    # and then none of its lines is eligible (nor scored, nor ranked).
    offers = max(len(catalogue.offers), int(catalogue.offer_of_line.max()) + 1 if size else 0)
    failed = np.bincount(
        catalogue.offer_of_line, weights=(~line_eligible).astype(np.float64), minlength=offers
    )
    eligible = line_eligible & (failed[catalogue.offer_of_line] == 0) if size else line_eligible
    return Checked(list(rules), status, evidence, criteria, criterion_met, eligible, line_eligible)


def _role_of(rules: Sequence[Rule], criterion: str) -> Role:
    return next(rule.role for rule in rules if rule.criterion == criterion)


def _criteria(rules: Sequence[Rule], status: npt.NDArray[np.int8]) -> tuple[list[str], Bools]:
    """A criterion is met when all requirements of at least one of its groups pass (OCDS semantics)."""
    criteria = list(dict.fromkeys(rule.criterion for rule in rules))
    met = np.zeros((status.shape[0], len(criteria)), np.bool_)
    passed = status == Status.PASS
    for i, code in enumerate(criteria):
        groups: dict[str, list[int]] = {}
        for j, rule in enumerate(rules):
            if rule.criterion == code:
                groups.setdefault(rule.group, []).append(j)
        for columns in groups.values():
            met[:, i] |= passed[:, columns].all(axis=1)
    return criteria, met
