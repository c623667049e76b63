"""The labels of the framework's units, enumeration options and topics, in the five languages.

The framework files carry codes ("working days", ``tool-free``, ``battery-endurance``); people read
labels. ``vocabulary.yaml`` defines every code once with its label per language, and this module is
the one way to turn a code into words: criterion and library pages, the tender annex, the supplier
template and the exports for people all ask it. ``missing_labels`` lists the codes a framework uses
that the file does not define, so that a test (and the loader) fail on a unit, option or topic that
would print raw. Plain Python, no Django; the file is read when first asked for, not at import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cfit.criteria.content import LANGUAGES, Criterion

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")


class Kind(StrEnum):
    UNIT = "units"
    OPTION = "options"
    TOPIC = "topics"


class VocabularyError(ValueError):
    """Raised if ``vocabulary.yaml`` is malformed; the message names the section and code."""


@dataclass(frozen=True)
class Entry:
    """How one code reads in each language: ``many`` after a number (or alone), ``one`` after 1."""

    code: str
    many: Mapping[str, str]
    one: Mapping[str, str]

    def label(self, language: str, *, count: float | None = None) -> str:
        words = self.one if count == 1 and self.one else self.many
        return words.get(language) or words["en"]


@dataclass(frozen=True)
class Vocabulary:
    version: str
    entries: Mapping[Kind, Mapping[str, Entry]]

    def label(self, kind: Kind, code: str, language: str, *, count: float | None = None) -> str:
        """The label of ``code`` in ``language`` ("en" for an unknown language); an unknown code is
        shown as it is (the framework test makes sure none is)."""
        entry = self.entries[kind].get(code)
        return entry.label(language.split("-")[0], count=count) if entry else code

    def unit(self, code: str, language: str, *, count: float | None = None) -> str:
        return self.label(Kind.UNIT, code, language, count=count) if code else ""

    def option(self, code: str, language: str) -> str:
        return self.label(Kind.OPTION, code, language)

    def topic(self, code: str, language: str) -> str:
        return self.label(Kind.TOPIC, code, language)

    def option_code(self, answer: str, options: Iterable[str]) -> str | None:
        """The option an answer stands for: its code, or its label in any language (case aside)."""
        wanted = answer.strip().casefold()
        for option in options:
            entry = self.entries[Kind.OPTION].get(option)
            labels = {option, *(entry.many.values() if entry else ())}
            if wanted in {label.casefold() for label in labels}:
                return option
        return None

    def codes(self, kind: Kind) -> frozenset[str]:
        return frozenset(self.entries[kind])


def _translated(where: str, raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: expected {{language: label}}, got {raw!r}")
    labels = {lang: raw.get(lang) for lang in LANGUAGES}
    missing = [lang for lang, text in labels.items() if not isinstance(text, str) or not text.strip()]
    if missing:
        raise VocabularyError(f"{where}: no label in {', '.join(missing)}")
    unknown = sorted(set(raw) - set(LANGUAGES) - {"one"})
    if unknown:
        raise VocabularyError(f"{where}: unknown language(s) {', '.join(map(str, unknown))}")
    return {lang: str(text).strip() for lang, text in labels.items()}


def _section(kind: Kind, raw: Any) -> dict[str, Entry]:
    if not isinstance(raw, dict):
        raise VocabularyError(f"{kind}: expected a mapping")
    entries: dict[str, Entry] = {}
    # Symbols (units) and names (options) read the same in every language: listed once.
    same = raw.get("symbols" if kind == Kind.UNIT else "names", []) if kind != Kind.TOPIC else []
    words = raw.get("words", {}) if kind != Kind.TOPIC else raw
    for code in same:
        entries[str(code)] = Entry(str(code), dict.fromkeys(LANGUAGES, str(code)), {})
    for code, labels in words.items():
        where = f"{kind}.{code}"
        if str(code) in entries:
            raise VocabularyError(f"{where}: defined twice")
        one = (
            _translated(f"{where}.one", labels["one"]) if isinstance(labels, dict) and "one" in labels else {}
        )
        entries[str(code)] = Entry(str(code), _translated(where, labels), one)
    return entries


def parse_vocabulary(raw: Any) -> Vocabulary:
    if not isinstance(raw, dict) or tuple(raw.get("languages", ())) != LANGUAGES:
        raise VocabularyError(f"the vocabulary must list the languages {', '.join(LANGUAGES)}")
    return Vocabulary(
        version=str(raw.get("version", "")),
        entries={kind: _section(kind, raw.get(kind.value, {})) for kind in Kind},
    )


@lru_cache(maxsize=1)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    with path.open(encoding="utf-8") as handle:
        return parse_vocabulary(yaml.safe_load(handle))


def used_codes(criteria: Iterable[Criterion]) -> dict[Kind, set[str]]:
    """The units, options and topics a set of criteria uses."""
    used: dict[Kind, set[str]] = {kind: set() for kind in Kind}
    for criterion in criteria:
        used[Kind.TOPIC].add(criterion.topic)
        for requirement in criterion.requirements:
            if requirement.unit:
                used[Kind.UNIT].add(requirement.unit)
            used[Kind.OPTION].update(requirement.options)
    return used


def missing_labels(criteria: Iterable[Criterion], vocabulary: Vocabulary | None = None) -> list[str]:
    """``'units: kWh/day'`` for every code the criteria use that has no label, sorted."""
    vocabulary = vocabulary or load_vocabulary()
    return sorted(
        f"{kind.value}: {code}"
        for kind, codes in used_codes(criteria).items()
        for code in codes - vocabulary.codes(kind)
    )
