"""Translation state per field and language, as pure rules (no database), and the typed-number check.

A criterion's text exists in five languages. When one language changes (or a threshold the texts
quote), the languages that were not edited may now say something else: they "need review" until a
secretariat member marks them reviewed. The rules are pure functions so that a property test can
run any sequence of edits and reviews through them; ``actions.py`` stores their result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from cfit.criteria import content

NEEDS_REVIEW = "needs_review"
REVIEWED = "reviewed"
UPDATED = "updated"


@dataclass(frozen=True)
class LanguageState:
    """Where one language of one field stands after a change of its source."""

    state: str
    source_language: str = ""  #: "" when the change was a threshold, which has no language
    source_before: str = ""
    source_after: str = ""


States = Mapping[str, LanguageState | None]


def source_language(changed: Iterable[str]) -> str:
    """The language a change is read from: English if it changed, else the first in framework order."""
    changed = set(changed)
    return next((lang for lang in content.LANGUAGES if lang in changed), "")


def after_edit(
    states: States, *, edited: Iterable[str], source_language: str, source_before: str, source_after: str
) -> dict[str, LanguageState | None]:
    """The states once the source of a field changed and the languages in ``edited`` were rewritten.

    Every other language needs review, whatever it was before: an earlier review was a review of
    the earlier source. A language that already needed review keeps the source it last followed as
    ``source_before``, so the translator sees the whole change, not only its last step.
    """
    edited = set(edited)
    result: dict[str, LanguageState | None] = {}
    for lang in content.LANGUAGES:
        current = states.get(lang)
        if lang in edited:
            result[lang] = LanguageState(UPDATED)
        elif current is not None and current.state == NEEDS_REVIEW:
            result[lang] = replace(current, source_language=source_language, source_after=source_after)
        else:
            result[lang] = LanguageState(NEEDS_REVIEW, source_language, source_before, source_after)
    return result


class NotNeedingReview(ValueError):
    """Raised when marking reviewed a language that is not waiting for review."""


def after_review(states: States, language: str) -> dict[str, LanguageState | None]:
    current = states.get(language)
    if current is None or current.state != NEEDS_REVIEW:
        raise NotNeedingReview(language)
    return {**states, language: replace(current, state=REVIEWED)}


# ---------------------------------------------------------------------------
# Thresholds typed into texts
# ---------------------------------------------------------------------------

# A number as texts write it: 300, 1,000, 1 000, 1.95 or 1,95; not part of a word or an id: not
# the "3" of IEC 61960-3 or the "424" of Regulation (EU) 2019/424 (glued to a number by - or /), not
# the "3" of 3TG (glued to letters).
_NOT_AFTER = r"(?<![\w.,])(?<!\d[-/])"
_NUMBER = re.compile(
    _NOT_AFTER
    + r"\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?![\d\w])|"
    + _NOT_AFTER
    + r"\d+(?:[.,]\d+)?(?![\d\w]|[.,]\d)"
)


def _as_number(token: str) -> float | None:
    cleaned = re.sub(r"[ \u00a0\u202f]", "", token)
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", cleaned):
        cleaned = re.sub(r"[,.]", "", cleaned)
    try:
        return float(cleaned.replace(",", "."))
    except ValueError:
        return None


def numbers_in(text: str) -> set[float]:
    """The numbers typed in ``text``; references to requirements (``{{id|min}}``) are not typed numbers."""
    typed = content.REFERENCE.sub(" ", text)
    return {n for token in _NUMBER.findall(typed) if (n := _as_number(token)) is not None}


#: The texts that may quote a threshold.
QUOTING_FIELDS = ("title", "text", "rationale")


@dataclass(frozen=True)
class TypedThreshold:
    """A requirement's threshold written as a number in a criterion text instead of referred to."""

    criterion: str
    requirement: str
    field: str
    value: float
    languages: tuple[str, ...]  #: the languages whose text has the number

    @property
    def disagrees(self) -> bool:
        """True if some languages have the number and others do not: one of them may be stale."""
        return len(self.languages) != len(content.LANGUAGES)


def typed_thresholds(criteria: Iterable[content.Criterion]) -> list[TypedThreshold]:
    """Every threshold (minimum or maximum) that a criterion's title, text or rationale repeats as a number.

    A text refers to a requirement's value with ``{{requirement-id|min}}`` (``content.REFERENCE``);
    each of these is a number typed instead, which can disagree with the requirement when only the
    requirement or one language is edited. Some are another text's figure that equals ours (a law's
    minimum quoted in a rationale) and stay typed on purpose.
    """
    found = []
    for criterion in criteria:
        for field in QUOTING_FIELDS:
            texts: dict[str, str] = getattr(criterion, field)
            numbers = {lang: numbers_in(texts.get(lang, "")) for lang in content.LANGUAGES}
            for requirement in criterion.requirements:
                bounds = {requirement.min_value, requirement.max_value}
                for value in sorted(v for v in bounds if v is not None):
                    languages = tuple(lang for lang in content.LANGUAGES if value in numbers[lang])
                    if languages:
                        found.append(
                            TypedThreshold(criterion.id, requirement.id, field, float(value), languages)
                        )
    return found
