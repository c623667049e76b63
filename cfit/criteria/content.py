"""The shape of the criteria framework's data files, with no Django import.

The framework lives in ``cfit/criteria/framework/*.yaml`` and is reviewed like code. This module
validates those files (and edited exports) so that the loader, the import command and the
content authors all apply one set of rules. ``python -m cfit.criteria.content [FILE ...]`` checks
files and prints the coverage table.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

#: The languages every text of the framework must be written in (bokmål as ``nb``).
LANGUAGES: tuple[str, ...] = ("en", "nl", "fr", "de", "nb")

FRAMEWORK_DIR = Path(__file__).resolve().parent / "framework"

CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
REQUIREMENT_CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$"


class ImpactCategory(StrEnum):
    CIRCULARITY = "circularity"  #: circularity and critical raw materials
    DUE_DILIGENCE = "due_diligence"  #: due diligence and transparency
    CARBON = "carbon"  #: carbon and climate
    CHEMICALS = "chemicals"  #: chemicals of concern


class LifecycleStage(StrEnum):
    PROCUREMENT = "procurement"
    CONTRACT_MANAGEMENT = "contract_management"
    OPERATIONAL_MANAGEMENT = "operational_management"
    END_OF_USE = "end_of_use"


class Strategy(StrEnum):
    BUY_LESS = "buy_less"
    BUY_BETTER = "buy_better"
    USE_BETTER = "use_better"
    USE_LONGER = "use_longer"


class CriterionType(StrEnum):
    SELECTION_CRITERION = "selection_criterion"
    TECHNICAL_SPECIFICATION = "technical_specification"
    AWARD_CRITERION = "award_criterion"
    CONTRACT_PERFORMANCE_CLAUSE = "contract_performance_clause"


class Ambition(StrEnum):
    BASELINE = "baseline"
    AMBITIOUS = "ambitious"


class DataType(StrEnum):
    BOOLEAN = "boolean"
    NUMBER = "number"
    INTEGER = "integer"
    STRING = "string"
    ENUMERATION = "enumeration"
    DATE = "date"


class ProductGroupKind(StrEnum):
    WORKPLACE = "workplace"
    DATA_CENTRE = "data_centre"
    SERVICE = "service"


class Better(StrEnum):
    """Which way an answer is better, declared per requirement and never guessed from its bounds.

    Numbers and dates: by value. Yes/no: ``higher`` when "yes" is the better answer. Enumerations:
    by the position in ``options``; ``lower`` when the options are listed best first (A before G).
    """

    HIGHER = "higher"
    LOWER = "lower"


class ScoringRule(StrEnum):
    """How an award requirement turns an answer into a share (0…1) of its criterion's points."""

    PROPORTIONAL = "proportional"  #: the best answer offered earns all; others value ÷ best or best ÷ value
    LINEAR = "linear"  #: none at ``zero_at``, all at ``full_at``, linear between and clipped
    BANDS = "bands"  #: a declared share per band of values (e.g. EU GPP AC1 battery cycles)
    MET = "met"  #: all when the answer meets the requirement, none otherwise
    OPTION_POINTS = "option_points"  #: a declared share per answer of an enumeration
    CONDITION = "condition"  #: earns nothing itself; unmet, the whole criterion earns nothing


class ThresholdOrigin(StrEnum):
    PUBLISHED = "published"  #: the threshold is taken from the cited source
    PROPOSAL = "proposal"  #: our proposal where no source sets a number
    LEGAL_FLOOR = "legal_floor"  #: restates a legal minimum (e.g. EU ecodesign)
    NONE = "none"  #: no numeric threshold (yes/no or disclosure)


def _check_languages(value: dict[str, str], *, where: str) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not (value.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"{where}: missing language(s) {', '.join(missing)}")
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ValueError(f"{where}: unknown language(s) {', '.join(unknown)}")
    return {lang: value[lang].strip() for lang in LANGUAGES}


def _label_set(value: list[str]) -> list[str]:
    """Labels are a set: kept sorted, so that a version read back from the database equals its files."""
    return sorted(set(value))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


#: Links of the framework are shown as clickable links on public pages: only web addresses, never
#: ``javascript:``, ``data:`` or ``file:`` (a link imported from a spreadsheet would run in the reader's
#: browser).
WEB_SCHEMES = frozenset({"http", "https"})


def is_web_address(value: str) -> bool:
    """True for an absolute http(s) address without spaces or control characters."""
    if not value or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def check_web_address(value: str) -> str:
    """An empty or http(s) link, trimmed; anything else is refused with its reason."""
    address = value.strip()
    if address and not is_web_address(address):
        raise ValueError("not a web address: a link must start with http:// or https://")
    return address


WebAddress = Annotated[str, AfterValidator(check_web_address)]


Translated = dict[str, str]


class Source(Strict):
    title: str = Field(min_length=3)
    url: WebAddress = ""
    ref: str = ""  #: the clause inside the source, e.g. "TS1" or "Annex II B.1.1"


class Label(Strict):
    id: Annotated[str, Field(pattern=CODE_PATTERN)]
    #: the name as its issuer gives it in English, read in every language without its own name
    name: str
    issuer: str
    url: WebAddress = ""
    #: the name in a language that names the label otherwise: its official name there (the EU Ecolabel is
    #: "EU-milieukeur" in Dutch), or its explanation translated; a brand keeps its one name
    names: dict[str, str] = Field(default_factory=dict)

    @field_validator("names")
    @classmethod
    def _known_languages(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"label name: unknown language(s) {', '.join(unknown)}")
        return {lang: text.strip() for lang, text in value.items() if text.strip()}

    def name_in(self, lang: str) -> str:
        """The label's name as a reader of ``lang`` reads it."""
        return self.names.get(lang) or self.name


class ProductGroup(Strict):
    id: Annotated[str, Field(pattern=CODE_PATTERN)]
    kind: ProductGroupKind
    cpv: str = Field(pattern=r"^\d{8}$")
    name: Translated
    description: Translated

    @field_validator("name", "description")
    @classmethod
    def _languages(cls, value: Translated) -> Translated:
        return _check_languages(value, where="product group text")


class Band(Strict):
    """One band of a banded scoring rule: answers at least (or at most) this value earn ``share``."""

    at_least: float | None = None  #: for ``better: higher``
    at_most: float | None = None  #: for ``better: lower``
    share: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _one_bound(self) -> Band:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("a band needs exactly one of at_least or at_most")
        return self


class Scoring(Strict):
    """The declared scoring rule of an award requirement; the engine and every document read this."""

    rule: ScoringRule
    zero_at: float | None = None  #: linear: the answer that earns nothing
    full_at: float | None = None  #: linear: the answer that earns all the points
    bands: list[Band] = Field(default_factory=list)  #: bands: from the least to the most points
    option_points: dict[str, float] = Field(default_factory=dict)  #: option_points: answer → share
    #: the requirement's part of its criterion's points, relative to the criterion's other scored
    #: requirements (EU GPP AC2: drop 2, shock 2, vibration 2, screen 1, temperature 1 → X/4 … X/8)
    weight: float = Field(default=1, gt=0)


NUMERIC_TYPES = frozenset({"number", "integer", "date"})


class LegalFloor(Strict):
    """A legal minimum that binds a requirement: no criterion may ask less than the law already does.

    ``value`` is in the requirement's unit and direction: for ``better: higher`` the least a
    requirement may ask (years of updates), for ``better: lower`` the most it may allow (days to
    deliver a spare part); for a yes/no requirement ``true``.
    """

    regulation: str = Field(min_length=3)  #: e.g. "Commission Regulation (EU) 2023/1670"
    article: str = Field(min_length=1)  #: e.g. "Annex II, point B.1(1)(b)"
    value: float | bool
    applies_from: date  #: date of application
    applies_until: date | None = None
    scope: str = Field(min_length=3)  #: to what and when it applies, in the regulation's words
    url: WebAddress = ""

    def in_force(self, on: date) -> bool:
        return self.applies_from <= on and (self.applies_until is None or on <= self.applies_until)


class Requirement(Strict):
    id: Annotated[str, Field(pattern=REQUIREMENT_CODE_PATTERN)]
    title: Translated
    data_type: DataType
    expected_value: bool | int | float | str | None = None
    min_value: float | None = None
    max_value: float | None = None
    options: list[str] = Field(default_factory=list)  #: the answers a tenderer may give (an enumeration)
    allowed: list[str] = Field(default_factory=list)  #: the options that meet the requirement
    unit: str = ""
    group: str = "1"  #: OCDS requirement group; groups are alternatives, requirements in a group all apply
    satisfied_by_labels: list[str] = Field(default_factory=list)  #: label ids whose certificate proves it
    better: Better | None = None  #: required for numbers and dates, and on every award requirement
    scoring: Scoring | None = None  #: required on every requirement of an award criterion
    legal_floors: list[LegalFloor] = Field(default_factory=list)  #: the legal minimums that bind it

    @field_validator("title")
    @classmethod
    def _languages(cls, value: Translated) -> Translated:
        braced = [lang for lang, text in value.items() if "{{" in text or "}}" in text]
        if braced:
            # Shown beside its threshold everywhere, so it has no reference to render.
            raise ValueError(
                f"requirement title ({', '.join(braced)}): a reference belongs in the criterion's texts"
            )
        return _check_languages(value, where="requirement title")

    @field_validator("satisfied_by_labels")
    @classmethod
    def _label_set(cls, value: list[str]) -> list[str]:
        return _label_set(value)

    @model_validator(mode="after")
    def _threshold_fits_type(self) -> Requirement:
        has_range = self.min_value is not None or self.max_value is not None
        match self.data_type:
            case DataType.BOOLEAN:
                if not isinstance(self.expected_value, bool) or has_range:
                    raise ValueError(
                        "a boolean requirement needs expected_value true or false, and no min/max"
                    )
            case DataType.NUMBER | DataType.INTEGER:
                if self.expected_value is None and not has_range:
                    # coded: the edit form says these three in the user's language, by the field
                    raise PydanticCustomError(
                        "needs_threshold",
                        "a {data_type} requirement needs min_value, max_value or expected_value",
                        {"data_type": str(self.data_type)},
                    )
                if self.expected_value is not None and (
                    isinstance(self.expected_value, bool | str) or has_range
                ):
                    raise ValueError("expected_value must be a number, and not combined with min/max")
                if self.data_type == DataType.INTEGER:
                    for bound in (self.min_value, self.max_value, self.expected_value):
                        if isinstance(bound, float) and not bound.is_integer():
                            raise PydanticCustomError(
                                "whole_bounds", "an integer requirement needs whole-number bounds"
                            )
                if (
                    self.min_value is not None
                    and self.max_value is not None
                    and self.min_value > self.max_value
                ):
                    raise PydanticCustomError("min_above_max", "min_value is greater than max_value")
                if not self.unit:
                    raise ValueError("a numeric requirement needs a unit")
            case DataType.ENUMERATION:
                if len(self.options) < 2:
                    raise ValueError("an enumeration needs at least two options")
                if len(set(self.options)) != len(self.options):
                    raise ValueError("an option is listed twice")
                expected = self.expected_value
                if expected is not None and str(expected) not in self.options:
                    raise ValueError(f"expected_value {expected!r} is not one of the options")
                if has_range:
                    raise ValueError("an enumeration takes no min/max")
                unknown = [a for a in self.allowed if a not in self.options]
                if unknown:
                    raise ValueError(f"allowed answer(s) {', '.join(unknown)} are not options")
                if expected is not None and self.allowed and self.allowed != [str(expected)]:
                    raise ValueError("give expected_value or allowed, not both")
                if expected is None and not self.allowed:
                    raise ValueError(
                        "an enumeration declares which options meet it: allowed (or expected_value)"
                    )
            case DataType.STRING:
                if has_range:
                    raise ValueError("a string takes no min/max")
            case DataType.DATE:
                if self.expected_value is not None:
                    date.fromisoformat(str(self.expected_value))
        if self.data_type != DataType.ENUMERATION and (self.options or self.allowed):
            raise ValueError("options and allowed answers are only for enumerations")
        self._check_direction()
        if self.scoring is not None:
            self._check_scoring(self.scoring)
        for floor in self.legal_floors:
            if isinstance(floor.value, bool) != (self.data_type == DataType.BOOLEAN):
                raise ValueError("a legal floor's value is true for a yes/no requirement, a number otherwise")
            if floor.applies_until is not None and floor.applies_until < floor.applies_from:
                raise ValueError("a legal floor ends before it applies")
        return self

    def below_floor(self, floor: LegalFloor) -> bool:
        """Whether this requirement asks less than the floor (accepts an answer the law does not)."""
        if isinstance(floor.value, bool):
            return floor.value is True and self.expected_value is not True
        if self.better == Better.HIGHER:
            asked = self.min_value if self.min_value is not None else self.expected_value
            return not isinstance(asked, int | float) or isinstance(asked, bool) or asked < floor.value
        if self.better == Better.LOWER:
            allowed = self.max_value if self.max_value is not None else self.expected_value
            return not isinstance(allowed, int | float) or isinstance(allowed, bool) or allowed > floor.value
        return False

    @property
    def allowed_answers(self) -> list[str]:
        """The options that meet an enumeration requirement (``expected_value`` is a one-option list)."""
        if self.allowed:
            return list(self.allowed)
        return [str(self.expected_value)] if self.expected_value is not None else []

    def _check_direction(self) -> None:
        if self.data_type.value in NUMERIC_TYPES and self.better is None:
            raise ValueError(f"a {self.data_type} requirement declares better: higher or lower")
        if self.data_type == DataType.BOOLEAN and self.better is not None:
            wanted = Better.HIGHER if self.expected_value is True else Better.LOWER
            if self.better != wanted:
                raise ValueError(f"expected_value {self.expected_value} means better: {wanted}")
        if self.data_type == DataType.STRING and self.better is not None:
            raise ValueError("a text answer has no direction")

    def _check_scoring(self, scoring: Scoring) -> None:
        numeric = self.data_type.value in NUMERIC_TYPES
        rule = scoring.rule
        if self.better is None:
            raise ValueError("a scored requirement declares better: higher or lower")
        if rule in {ScoringRule.PROPORTIONAL, ScoringRule.LINEAR, ScoringRule.BANDS} and not numeric:
            raise ValueError(f"scoring rule {rule} needs a number or a date")
        if rule == ScoringRule.OPTION_POINTS and self.data_type != DataType.ENUMERATION:
            raise ValueError("scoring rule option_points needs an enumeration")
        if rule == ScoringRule.CONDITION and scoring.weight != 1:
            raise ValueError("a condition earns no points of its own, so it takes no weight")
        if rule != ScoringRule.LINEAR and (scoring.zero_at is not None or scoring.full_at is not None):
            raise ValueError("zero_at and full_at belong to the linear rule")
        if rule != ScoringRule.BANDS and scoring.bands:
            raise ValueError("bands belong to the bands rule")
        if rule != ScoringRule.OPTION_POINTS and scoring.option_points:
            raise ValueError("option_points belong to the option_points rule")
        higher = self.better == Better.HIGHER
        if rule == ScoringRule.LINEAR:
            if scoring.zero_at is None or scoring.full_at is None or scoring.zero_at == scoring.full_at:
                raise ValueError("the linear rule needs two different values, zero_at and full_at")
            if (scoring.full_at > scoring.zero_at) != higher:
                raise ValueError(
                    f"with better: {self.better}, full_at must lie on the better side of zero_at"
                )
        if rule == ScoringRule.BANDS:
            if not scoring.bands:
                raise ValueError("the bands rule needs at least one band")
            bounds = [b.at_least if higher else b.at_most for b in scoring.bands]
            if any(bound is None for bound in bounds):
                word = "at_least" if higher else "at_most"
                raise ValueError(f"with better: {self.better}, every band gives {word}")
            shares = [b.share for b in scoring.bands]
            steps = list(zip(bounds, bounds[1:], strict=False))
            if any((b >= a) != higher or a == b for a, b in steps if a is not None and b is not None):
                raise ValueError("bands are listed from the least to the most points, bounds strictly moving")
            if shares != sorted(shares) or len(set(shares)) != len(shares):
                raise ValueError("band shares rise from the first band to the last")
            if shares[-1] != 1:
                raise ValueError("the last band earns all the points (share 1)")
        if rule == ScoringRule.OPTION_POINTS:
            points = scoring.option_points
            unknown = [o for o in points if o not in self.options]
            if unknown:
                raise ValueError(f"option_points name unknown option(s) {', '.join(unknown)}")
            if any(not 0 <= share <= 1 for share in points.values()) or max(points.values(), default=0) != 1:
                raise ValueError("option_points are shares from 0 to 1, the best answer earning 1")
            ordered = [points.get(o, 0.0) for o in self.options]
            if ordered != sorted(ordered, reverse=self.better == Better.LOWER):
                raise ValueError(
                    f"with better: {self.better}, option_points must not fall towards the better end"
                )


# ---------------------------------------------------------------------------
# References from a criterion's texts to its requirements' values
# ---------------------------------------------------------------------------

#: A text refers to a requirement's value instead of typing it, so that five languages cannot
#: disagree with the requirement: ``{{nb-battery-cycles-b.cycles}}`` reads as the whole expected
#: answer ("≥ 300 cycles"), ``{{nb-battery-cycles-b.cycles|min}}`` as the bare number ("300");
#: ``|max`` and ``|value`` give the maximum and a numeric expected value.
REFERENCE = re.compile(r"\{\{\s*([a-z0-9.-]+)\s*(?:\|\s*([a-z]+)\s*)?\}\}")

#: The forms a reference may take, and the requirement field each reads ("" = the whole answer).
REFERENCE_FORMS: dict[str, str] = {"": "", "min": "min_value", "max": "max_value", "value": "expected_value"}

#: The criterion texts that may refer to requirements.
REFERRING_FIELDS = ("title", "text", "rationale", "verification")


def references_in(text: str) -> list[tuple[str, str]]:
    """The ``(requirement id, form)`` of every reference in ``text``, in order (form "" for the whole answer)."""
    return [(match[1], match[2] or "") for match in REFERENCE.finditer(text)]


def reference_problems(text: str, requirements: Mapping[str, Any]) -> list[str]:
    """Why the references of ``text`` cannot be rendered with ``requirements``: [] when they can.

    Refused: an unknown requirement, an unknown form, a bound the requirement does not have, and
    any ``{{`` or ``}}`` that is not a whole reference (it would be printed as is).
    """
    return [
        REFERENCE_MESSAGES[code].format(**params) for code, params in reference_findings(text, requirements)
    ]


#: Why a reference cannot be rendered, by code (``reference_findings``), in English; the edit form
#: says the same codes in the user's language.
REFERENCE_MESSAGES = {
    "unknown_form": "{reference}: unknown form |{form} (use |min, |max or |value)",
    "no_requirement": "{reference} refers to a requirement this criterion does not have",
    "no_number": "{reference}: {requirement} has no numeric {bound}",
    "unfinished": "an unfinished reference: write {{{{requirement-id}}}} or {{{{requirement-id|min}}}}",
}


def reference_findings(text: str, requirements: Mapping[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """``reference_problems`` as codes of ``REFERENCE_MESSAGES`` with their parameters."""
    found: list[tuple[str, dict[str, str]]] = []
    for code, form in references_in(text):
        requirement = requirements.get(code)
        if form not in REFERENCE_FORMS:
            found.append(("unknown_form", {"reference": f"{{{{{code}|{form}}}}}", "form": form}))
        elif requirement is None:
            found.append(("no_requirement", {"reference": f"{{{{{code}}}}}"}))
        elif form and not _is_number(getattr(requirement, REFERENCE_FORMS[form])):
            found.append(
                (
                    "no_number",
                    {
                        "reference": f"{{{{{code}|{form}}}}}",
                        "requirement": code,
                        "bound": REFERENCE_FORMS[form],
                    },
                )
            )
    rest = REFERENCE.sub("", text)
    if "{{" in rest or "}}" in rest:
        found.append(("unfinished", {}))
    return found


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Verification(Strict):
    labels: list[str] = Field(default_factory=list)  #: labels accepted as proof, "or equivalent"
    documents: Translated  #: what else the supplier hands in

    @field_validator("documents")
    @classmethod
    def _languages(cls, value: Translated) -> Translated:
        return _check_languages(value, where="verification documents")

    @field_validator("labels")
    @classmethod
    def _label_set(cls, value: list[str]) -> list[str]:
        return _label_set(value)


class Criterion(Strict):
    id: Annotated[str, Field(pattern=CODE_PATTERN)]
    topic: Annotated[str, Field(pattern=CODE_PATTERN)]  #: pairs baseline and ambitious variants
    product_groups: list[str] = Field(min_length=1)
    impact_category: ImpactCategory
    lifecycle_stage: LifecycleStage
    strategies: list[Strategy] = Field(min_length=1)
    type: CriterionType
    ambition: Ambition
    title: Translated
    text: Translated
    rationale: Translated
    verification: Verification
    sources: list[Source] = Field(min_length=1)
    threshold_origin: ThresholdOrigin
    requirements: list[Requirement] = Field(min_length=1)

    @field_validator("title", "text", "rationale")
    @classmethod
    def _languages(cls, value: Translated) -> Translated:
        return _check_languages(value, where="criterion text")

    def texts(self, field: str) -> Translated:
        """A referring field's {language: text}: ``verification`` is the verification documents."""
        return self.verification.documents if field == "verification" else getattr(self, field)

    def _check_references(self) -> None:
        requirements = {r.id: r for r in self.requirements}
        found = [
            (field, lang, code, params)
            for field in REFERRING_FIELDS
            for lang, text in self.texts(field).items()
            for code, params in reference_findings(text, requirements)
        ]
        if found:
            # ``problems`` (field, language, code, parameters) lets the edit form say each one in the
            # user's language beside the field it is in; ``detail`` is the English of the files' checks.
            raise PydanticCustomError(
                "references",
                "{detail}",
                {
                    "detail": "; ".join(
                        f"criterion {self.id}, {field} ({lang}): {REFERENCE_MESSAGES[code].format(**params)}"
                        for field, lang, code, params in found
                    ),
                    "problems": tuple(found),
                },
            )

    @model_validator(mode="after")
    def _requirements_belong(self) -> Criterion:
        for requirement in self.requirements:
            if not requirement.id.startswith(self.id + "."):
                raise ValueError(f"requirement {requirement.id} must start with '{self.id}.'")
        ids = [r.id for r in self.requirements]
        duplicated = sorted(code for code, n in Counter(ids).items() if n > 1)
        if duplicated:
            raise ValueError(f"duplicated requirement id(s): {', '.join(duplicated)}")
        if len(set(self.product_groups)) != len(self.product_groups):
            raise ValueError("a product group is listed twice")
        self._check_references()
        if self.type == CriterionType.AWARD_CRITERION:
            unscored = [r.id for r in self.requirements if r.scoring is None or r.better is None]
            if unscored:
                raise ValueError(
                    f"award criterion {self.id}: requirement(s) {', '.join(unscored)} declare no better and scoring"
                )
            if all(r.scoring and r.scoring.rule == ScoringRule.CONDITION for r in self.requirements):
                raise ValueError(f"award criterion {self.id}: at least one requirement earns points")
        return self


class CriteriaFile(Strict):
    criteria: list[Criterion]


class Framework(Strict):
    """The whole framework: reference lists and criteria, checked for cross-references."""

    version: str
    product_groups: list[ProductGroup]
    labels: list[Label]
    criteria: list[Criterion]

    @model_validator(mode="after")
    def _references(self) -> Framework:
        groups = {g.id for g in self.product_groups}
        labels = {label.id for label in self.labels}
        problems: list[str] = []
        for kind, ids in (
            ("product group", [g.id for g in self.product_groups]),
            ("label", [label.id for label in self.labels]),
            ("criterion", [c.id for c in self.criteria]),
            ("requirement", [r.id for c in self.criteria for r in c.requirements]),
        ):
            for code, n in Counter(ids).items():
                if n > 1:
                    problems.append(f"{kind} id {code} is used {n} times")
        for criterion in self.criteria:
            for group in criterion.product_groups:
                if group not in groups:
                    problems.append(f"criterion {criterion.id}: unknown product group {group}")
            claimed = [*criterion.verification.labels]
            for requirement in criterion.requirements:
                claimed.extend(requirement.satisfied_by_labels)
            for label in claimed:
                if label not in labels:
                    problems.append(f"criterion {criterion.id}: unknown label {label}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


#: libyaml's safe loader where it is installed: the same documents, ten times faster (the notice
#: reader reads the framework at every start).
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)


def load_framework_dir(directory: Path = FRAMEWORK_DIR) -> Framework:
    """Read and check the framework files of a folder (``framework.yaml`` plus criteria files)."""
    meta = read_yaml(directory / "framework.yaml")
    criteria: list[Criterion] = []
    for path in sorted(directory.glob("criteria-*.yaml")):
        data = read_yaml(path)
        try:
            criteria.extend(CriteriaFile.model_validate(data).criteria)
        except ValidationError as error:
            raise ContentError(path.name, error, data) from error
    try:
        return Framework.model_validate({**meta, "criteria": [c.model_dump() for c in criteria]})
    except ValidationError as error:
        raise ContentError("framework.yaml", error) from error


#: Floors that come into force within this many days are announced before they bind.
FLOOR_NOTICE_DAYS = 365


@dataclass(frozen=True)
class FloorFinding:
    """A requirement that asks less than a legal floor: in force (an error) or coming (a warning)."""

    criterion: str
    requirement: str
    floor: LegalFloor
    in_force: bool

    def describe(self) -> str:
        when = "applies since" if self.in_force else "applies from"
        return (
            f"{self.requirement} ({self.criterion}) asks less than {self.floor.regulation}, "
            f"{self.floor.article} (value {self.floor.value}), which {when} {self.floor.applies_from.isoformat()}"
        )


def floor_findings(framework: Framework | Iterable[Criterion], on: date) -> list[FloorFinding]:
    """Every requirement below a floor in force on ``on``, or coming into force within a year of it."""
    criteria = framework.criteria if isinstance(framework, Framework) else list(framework)
    return [
        finding
        for criterion in criteria
        for requirement in criterion.requirements
        for finding in requirement_floor_findings(criterion.id, requirement, on)
    ]


def requirement_floor_findings(criterion: str, requirement: Requirement, on: date) -> list[FloorFinding]:
    """``floor_findings`` of one requirement of the criterion ``criterion`` (its id)."""
    horizon = date.fromordinal(on.toordinal() + FLOOR_NOTICE_DAYS)
    return [
        FloorFinding(criterion, requirement.id, floor, floor.in_force(on))
        for floor in requirement.legal_floors
        if (floor.in_force(on) or on < floor.applies_from <= horizon) and requirement.below_floor(floor)
    ]


@dataclass(frozen=True)
class FloorRaise:
    """One field of a requirement raised to a legal floor in force: before → after, and which floor."""

    requirement: str
    field: str  #: min_value, max_value, expected_value or better
    before: float | bool | str | None
    after: float | bool | str | None
    floor: LegalFloor

    @property
    def reason(self) -> str:
        return f"{self.floor.regulation}, {self.floor.article} (applies from {self.floor.applies_from.isoformat()})"


#: The data types a floor can raise: numbers by their bound, yes/no to "yes".
RAISABLE_TYPES = frozenset({DataType.NUMBER, DataType.INTEGER, DataType.BOOLEAN})


def _lift(requirement: Requirement, floor: LegalFloor) -> dict[str, Any]:
    """The fields to change so that ``requirement`` asks at least what ``floor`` asks."""
    if isinstance(floor.value, bool):
        changes: dict[str, Any] = {"expected_value": True}
        if requirement.better == Better.LOWER:
            changes["better"] = Better.HIGHER
        return changes
    higher = requirement.better == Better.HIGHER
    value = float(floor.value)
    if requirement.data_type == DataType.INTEGER:
        # a whole-number requirement takes the nearest whole number on the law's side
        value = float(math.ceil(value) if higher else math.floor(value))
    own, other = ("min_value", "max_value") if higher else ("max_value", "min_value")
    if getattr(requirement, own) is None and isinstance(requirement.expected_value, int | float):
        exact = int(value) if requirement.data_type == DataType.INTEGER else value
        return {"expected_value": exact}
    changes = {own: value}
    bound = getattr(requirement, other)
    if bound is not None and (bound < value if higher else bound > value):
        changes[other] = value  # the range would be empty otherwise
    return changes


def floor_raises(requirement: Requirement, on: date) -> list[FloorRaise]:
    """What to change so that ``requirement`` asks no less than any floor in force on ``on``.

    Fields are only ever raised towards the law (a minimum up, a maximum down, "no" to "yes"); a
    requirement at or above every floor gives nothing. A field raised by two floors is listed once,
    with its first value before and its last after, naming the floor that set it. Enumerations,
    texts and dates cannot be raised by a number and give nothing (the loader reports them).
    """
    if requirement.data_type not in RAISABLE_TYPES:
        return []
    current, raised = requirement, dict[str, FloorRaise]()
    for floor in requirement.legal_floors:
        if not floor.in_force(on) or not current.below_floor(floor):
            continue
        changes = _lift(current, floor)
        for field, after in changes.items():
            before = raised[field].before if field in raised else getattr(current, field)
            raised[field] = FloorRaise(requirement.id, field, before, after, floor)
        current = Requirement.model_validate({**current.model_dump(), **changes})
    return [r for r in raised.values() if r.before != r.after]


def raised_to_floors(requirement: Requirement, on: date) -> Requirement:
    """``requirement`` with every field of ``floor_raises`` applied (itself when nothing is raised)."""
    changes = {r.field: r.after for r in floor_raises(requirement, on)}
    return Requirement.model_validate({**requirement.model_dump(), **changes}) if changes else requirement


class BelowLegalFloor(Exception):
    """Raised if a requirement asks less than a legal floor in force; the message names each one."""

    def __init__(self, findings: list[FloorFinding]) -> None:
        self.findings = findings
        super().__init__("\n".join(f.describe() for f in findings))


def check_legal_floors(framework: Framework, on: date) -> list[FloorFinding]:
    """Refuse a framework below a floor in force; return the floors coming within a year (warnings)."""
    findings = floor_findings(framework, on)
    errors = [f for f in findings if f.in_force]
    if errors:
        raise BelowLegalFloor(errors)
    return findings


class ContentError(Exception):
    """Raised if a framework file breaks the schema; the message names the file, item and field."""

    def __init__(self, filename: str, error: ValidationError, data: Any = None) -> None:
        self.filename = filename
        self.messages = [describe_error(filename, e, data) for e in error.errors()]
        super().__init__("\n".join(self.messages))


def describe_error(filename: str, error: Any, data: Any = None) -> str:
    """``file: criteria[wc-carbon-footprint-a].requirements[wc-carbon-footprint-a.footprint]: message``.

    List positions are replaced by the item's id where the file gives one, so an author finds it.
    """
    parts: list[str] = []
    node = data
    for part in error["loc"]:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            code = node.get("id") if isinstance(node, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{code if code else part}]"]
            continue
        node = node.get(part) if isinstance(node, dict) else None
        parts.append(str(part))
    return f"{filename}: {'.'.join(parts)}: {error['msg']}"


def coverage(framework: Framework) -> dict[str, dict[str, int]]:
    """Count criteria per product group and (impact category, ambition) cell."""
    table: dict[str, dict[str, int]] = {}
    for group in framework.product_groups:
        row = {f"{c.value}/{a.value}": 0 for c in ImpactCategory for a in Ambition}
        row.update({f"stage:{s.value}": 0 for s in LifecycleStage})
        table[group.id] = row
    for criterion in framework.criteria:
        for code in criterion.product_groups:
            table[code][f"{criterion.impact_category.value}/{criterion.ambition.value}"] += 1
            table[code][f"stage:{criterion.lifecycle_stage.value}"] += 1
    return table


def coverage_markdown(framework: Framework) -> str:
    """The coverage table as Markdown: criteria per product group × impact category × ambition."""
    table = coverage(framework)
    categories = list(ImpactCategory)
    header = (
        "| product group | "
        + " | ".join(f"{c.value} B/A" for c in categories)
        + " | stages P/CM/OM/EoU | total |"
    )
    lines = [header, "|" + "---|" * (len(categories) + 3)]
    for group, row in table.items():
        cells = [f"{row[f'{c.value}/baseline']}/{row[f'{c.value}/ambitious']}" for c in categories]
        stages = "/".join(str(row[f"stage:{s.value}"]) for s in LifecycleStage)
        total = sum(1 for c in framework.criteria if group in c.product_groups)
        lines.append(f"| {group} | " + " | ".join(cells) + f" | {stages} | {total} |")
    return "\n".join(lines)


def _print_coverage(framework: Framework, out: Iterable[str] = ()) -> None:
    table = coverage(framework)
    columns = list(next(iter(table.values())))
    print(
        "group".ljust(22)
        + " ".join(c.split("/")[0][:5] + "/" + c.split("/")[-1][:1] if "/" in c else c[6:11] for c in columns)
    )
    for group, row in table.items():
        print(group.ljust(22) + " ".join(str(row[c]).rjust(7) for c in columns))
    print(
        f"{len(framework.criteria)} criteria, {sum(len(c.requirements) for c in framework.criteria)} requirements"
    )


if __name__ == "__main__":  # pragma: no cover - a content author's tool
    try:
        if len(sys.argv) > 1:
            for name in sys.argv[1:]:
                CriteriaFile.model_validate(read_yaml(Path(name)))
                print(f"{name}: ok")
        fw = load_framework_dir()
        _print_coverage(fw)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    except ValidationError as exc:
        for e in exc.errors():
            print(describe_error(sys.argv[-1], e), file=sys.stderr)
        sys.exit(1)
