"""The reviewed glossary of the field's terms in the framework's five languages, and its check.

`glossary.yaml` holds, per term and language, the approved term with its inflections, the accepted
variants and the forbidden ones. `Glossary.check` compares an English text with its translation: a
forbidden variant is always reported; a term the English uses must come back as the approved term or
an accepted variant. The framework texts and the UI catalogues are checked against it by
tests/test_glossary.py, so that a word a native procurer would stop at ("Schmelzen" for smelters)
cannot come back. Plain Python, no Django: the loader is used by tests and may be by tools.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from cfit.criteria.content import REFERENCE

LANGUAGES = ("en", "nl", "fr", "de", "nb")
GLOSSARY_FILE = Path(__file__).with_name("glossary.yaml")


class GlossaryError(ValueError):
    """The glossary file is malformed; the message names the term."""


class FindingKind(StrEnum):
    #: a variant the glossary forbids in this language
    FORBIDDEN = "forbidden"
    #: the English uses the term, the translation neither the approved term nor an accepted variant
    MISSING = "missing"


@dataclass(frozen=True)
class Wording:
    """How one language says one term."""

    term: str
    match: tuple[re.Pattern[str], ...]
    allow: tuple[re.Pattern[str], ...] = ()
    forbidden: tuple[re.Pattern[str], ...] = ()
    mask: tuple[re.Pattern[str], ...] = ()
    note: str = ""

    def masked(self, text: str) -> str:
        """The text without the spans this term ignores (proper names, fixed phrases)."""
        for pattern in self.mask:
            text = pattern.sub(" ", text)
        return text

    def is_used_in(self, text: str) -> bool:
        masked = self.masked(text)
        return any(pattern.search(masked) for pattern in (*self.match, *self.allow))

    def forbidden_in(self, text: str) -> list[str]:
        masked = self.masked(text)
        return [found.group(0) for pattern in self.forbidden for found in pattern.finditer(masked)]


@dataclass(frozen=True)
class Term:
    id: str
    domain: str
    source: str
    wordings: Mapping[str, Wording]

    @property
    def english(self) -> Wording:
        return self.wordings["en"]


@dataclass(frozen=True)
class Finding:
    term: str
    language: str
    kind: FindingKind
    #: the forbidden text found, or the English term the translation is missing
    found: str
    approved: str

    def __str__(self) -> str:
        if self.kind is FindingKind.FORBIDDEN:
            return f"{self.language}: '{self.found}' is forbidden for {self.term}; use '{self.approved}'"
        return f"{self.language}: {self.term} ('{self.found}') not rendered as '{self.approved}'"


@dataclass(frozen=True)
class Glossary:
    version: str
    terms: tuple[Term, ...]

    def check(self, english: str, translation: str, language: str) -> list[Finding]:
        """What in `translation` (of the English `english`) departs from the glossary.

        References to a requirement's value (``{{net-repair-b.spare-years|min}}``) are ids, not words:
        they are left out on both sides, or "repair" in an id would ask for "Reparatur" in German."""
        english, translation = REFERENCE.sub(" ", english), REFERENCE.sub(" ", translation)
        findings: list[Finding] = []
        for term in self.terms:
            wording = term.wordings[language]
            for found in wording.forbidden_in(translation):
                findings.append(Finding(term.id, language, FindingKind.FORBIDDEN, found, wording.term))
            source = term.english.masked(english)
            used = next((m.group(0) for p in term.english.match if (m := p.search(source))), None)
            if used is not None and not wording.is_used_in(translation):
                findings.append(Finding(term.id, language, FindingKind.MISSING, used, wording.term))
        return findings


def _patterns(term_id: str, raw: object) -> tuple[re.Pattern[str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise GlossaryError(f"{term_id}: expected a list of regular expressions, got {raw!r}")
    try:
        return tuple(re.compile(item, re.IGNORECASE) for item in raw)
    except re.error as error:
        raise GlossaryError(f"{term_id}: {error}") from error


def _wording(term_id: str, language: str, raw: object) -> Wording:
    if not isinstance(raw, dict) or not raw.get("term") or not raw.get("match"):
        raise GlossaryError(f"{term_id}: '{language}' needs a term and at least one match pattern")
    unknown = set(raw) - {"term", "match", "allow", "forbidden", "mask", "note"}
    if unknown:
        raise GlossaryError(f"{term_id}: '{language}' has unknown keys {sorted(unknown)}")
    wording = Wording(
        term=str(raw["term"]),
        match=_patterns(term_id, raw["match"]),
        allow=_patterns(term_id, raw.get("allow")),
        forbidden=_patterns(term_id, raw.get("forbidden")),
        mask=_patterns(term_id, raw.get("mask")),
        note=str(raw.get("note", "")),
    )
    # An approved term that its own rules forbid could never pass: a review mistake, caught here.
    if wording.forbidden_in(wording.term):
        raise GlossaryError(f"{term_id}: '{language}' forbids its own approved term {wording.term!r}")
    if not wording.is_used_in(wording.term):
        raise GlossaryError(f"{term_id}: '{language}' match patterns do not find {wording.term!r}")
    return wording


def parse_glossary(data: Mapping[str, object]) -> Glossary:
    raw_terms = data.get("terms")
    if not isinstance(raw_terms, list):
        raise GlossaryError("the glossary needs a list of terms")
    terms: list[Term] = []
    seen: set[str] = set()
    for raw in raw_terms:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise GlossaryError(f"a term needs an id: {raw!r}")
        term_id = raw["id"]
        if term_id in seen:
            raise GlossaryError(f"{term_id}: duplicate id")
        seen.add(term_id)
        if not raw.get("source"):
            raise GlossaryError(f"{term_id}: a term needs a source")
        terms.append(
            Term(
                id=term_id,
                domain=str(raw.get("domain", "")),
                source=str(raw["source"]),
                wordings={language: _wording(term_id, language, raw.get(language)) for language in LANGUAGES},
            )
        )
    return Glossary(version=str(data.get("version", "")), terms=tuple(terms))


def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise GlossaryError(f"{path}: not a mapping")
    return parse_glossary(data)


DOMAIN_TITLES = {
    "procurement": "Public procurement",
    "pact": "The pact's own terms",
    "due_diligence": "Due diligence and responsible minerals",
    "circularity": "Circularity",
    "carbon": "Carbon and energy",
    "chemicals": "Chemicals",
}


def readable(pattern: re.Pattern[str]) -> str:
    """A forbidden pattern as a reader would write the word: 'unabhängige monitor(e|en)', not the regex."""
    text = (
        pattern.pattern.removeprefix("(?-i:").removesuffix(")")
        if pattern.pattern.startswith("(?-i:")
        else pattern.pattern
    )
    return re.sub(r"\\b|\\w\*|\?", "", text)


def _cell(wording: Wording) -> str:
    cell = f"**{wording.term}**"
    if wording.forbidden:
        cell += "<br>not: " + ", ".join(f"*{readable(pattern)}*" for pattern in wording.forbidden)
    return cell.replace("|", "\\|")


def render_markdown(glossary: Glossary) -> str:
    """docs/glossary.md: the table for people, generated so that it cannot drift from the data."""
    lines = [
        "# Glossary",
        "",
        "The reviewed terms of the criteria framework and the UI in the framework's five languages,",
        "generated from `cfit/criteria/glossary.yaml` (`python -m cfit.criteria.glossary > docs/glossary.md`).",
        "`tests/test_glossary.py` applies it to every framework text and every UI message: a variant",
        "listed under *not* fails, and so does a translation that drops a term the English uses.",
        f"Version {glossary.version}, {len(glossary.terms)} terms.",
    ]
    for domain, title in DOMAIN_TITLES.items():
        terms = [term for term in glossary.terms if term.domain == domain]
        if not terms:
            continue
        lines += ["", f"## {title}", "", "| " + " | ".join(LANGUAGES) + " | source |"]
        lines.append("|" + "---|" * (len(LANGUAGES) + 1))
        for term in terms:
            cells = [_cell(term.wordings[language]) for language in LANGUAGES]
            lines.append("| " + " | ".join([*cells, term.source.replace("|", "\\|")]) + " |")
    notes = [
        (term.id, language, term.wordings[language].note)
        for term in glossary.terms
        for language in LANGUAGES
        if term.wordings[language].note
    ]
    lines += ["", "## Notes for reviewers", ""]
    lines += [f"- **{term_id}** ({language}): {note}" for term_id, language, note in notes]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates docs/glossary.md
    print(render_markdown(load_glossary()), end="")
