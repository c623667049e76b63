"""The glossary applied to every framework text and every UI message, in every language.

A buyer copies the framework's texts into binding tender documents: a forbidden variant ("Schmelzen"
for smelters, "Vertragsausführungsklausel" for a contract performance clause) fails here, and so does
a translation that drops a glossary term the English uses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cfit.criteria.glossary import (
    LANGUAGES,
    Finding,
    FindingKind,
    GlossaryError,
    Term,
    load_glossary,
    parse_glossary,
    render_markdown,
)
from tests.test_translations import read_po

ROOT = Path(__file__).resolve().parents[1] / "cfit"
FRAMEWORK = sorted((ROOT / "criteria" / "framework").glob("*.yaml"))
LOCALE = ROOT / "locale"
DOCS = ROOT.parent / "docs" / "glossary.md"
TRANSLATED = [language for language in LANGUAGES if language != "en"]

GLOSSARY = load_glossary()

# Placeholders are code, not words: "%(supplier)s" is a name, "{impact category: ...}" a template.
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdfr]|%[sd]|\{[^{}]*\}")


def framework_texts(path: Path) -> list[dict[str, str]]:
    """Every five-language text of a framework file (titles, texts, rationales, documents)."""
    found: list[dict[str, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if all(isinstance(node.get(language), str) for language in LANGUAGES):
                found.append({language: node[language] for language in LANGUAGES})
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def report(findings: list[tuple[Finding, str]]) -> str:
    return "\n".join(f"{finding}\n    in: {text[:160]}" for finding, text in findings)


# --- the table itself --------------------------------------------------------------------------------


def test_the_glossary_holds_the_fields_terms_in_five_languages() -> None:
    ids = {term.id for term in GLOSSARY.terms}

    assert 40 <= len(GLOSSARY.terms) <= 80
    assert {
        "award-criterion",
        "technical-specification",
        "selection-criterion",
        "contract-performance-clause",
        "exclusion-ground",
        "smelter",
        "refurbished",
        "reuse",
        "take-back",
        "data-sanitisation",
        "life-cycle-cost",
        "carbon-footprint",
        "framework-agreement",
        "lot",
    } <= ids
    for term in GLOSSARY.terms:
        assert term.source, term.id
        assert set(term.wordings) == set(LANGUAGES), term.id


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Die Schmelzen und Raffinerien in der Lieferkette"),
        ("de", "Vertragsausführungsklausel"),
        ("de", "Zugang für unabhängige Monitore"),
        ("de", "bis zu 10 Zuschlagspunkte"),
        ("nl", "de koolstofvoetafdruk van het product"),
        ("nb", "gjenbruk av bærbare datamaskiner"),
        ("nb", "livsløpskostnad"),
    ],
)
def test_the_variants_the_issue_names_are_forbidden(language: str, text: str) -> None:
    findings = GLOSSARY.check("", text, language)

    assert [finding.kind for finding in findings] == [FindingKind.FORBIDDEN]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Kunststoffe schmelzen bei dieser Temperatur"),  # the verb, not the noun
        ("de", "die Blätter Declaration und Smelter List des CMRT"),  # a sheet's proper name
        ("nb", "gjenbruk av overskuddsvarme fra datasenteret"),  # heat, not products
        ("nl", "draagbare batterijen in de zin van de Batterijverordening"),  # the regulation's term
    ],
)
def test_legitimate_uses_near_a_forbidden_variant_pass(language: str, text: str) -> None:
    assert [f for f in GLOSSARY.check("", text, language) if f.kind is FindingKind.FORBIDDEN] == []


def test_a_translation_that_drops_the_term_is_reported_and_an_inflection_is_not() -> None:
    english = "The smelters in the supply chain shall be audited."

    missing = GLOSSARY.check(english, "Die Hersteller in der Lieferkette werden geprüft.", "de")
    inflected = GLOSSARY.check(english, "Die Schmelzhütten in der Lieferkette werden geprüft.", "de")

    assert [(f.term, f.kind) for f in missing] == [("smelter", FindingKind.MISSING)]
    assert inflected == []


def test_a_glossary_that_forbids_its_own_approved_term_is_refused() -> None:
    wording = {"term": "Schmelzen", "match": ["schmelz"], "forbidden": ["schmelzen"]}
    term = {"id": "smelter", "source": "test", **{language: wording for language in LANGUAGES}}

    with pytest.raises(GlossaryError, match="forbids its own approved term"):
        parse_glossary({"terms": [term]})


# Filler that cannot spell a word: the property is about the term, not about what surrounds it.
FILLER = st.text(alphabet=" 0123456789,;()-", max_size=30)


@given(
    term=st.sampled_from(GLOSSARY.terms),
    language=st.sampled_from(TRANSLATED),
    before=FILLER,
    after=FILLER,
)
def test_the_approved_term_always_passes_wherever_it_stands(
    term: Term, language: str, before: str, after: str
) -> None:
    """Whatever the English says with the term, a translation using the approved term is never reported."""
    english = f"{before}{term.english.term}{after}"
    translation = f"{before}{term.wordings[language].term}{after}"

    assert [f for f in GLOSSARY.check(english, translation, language) if f.term == term.id] == []


def test_the_readable_glossary_is_generated_from_the_data() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown(GLOSSARY), (
        "run `python -m cfit.criteria.glossary > docs/glossary.md`"
    )


# --- applied to the framework and the UI ---------------------------------------------------------------


@pytest.mark.parametrize("path", FRAMEWORK, ids=lambda path: path.name)
@pytest.mark.parametrize("language", TRANSLATED)
def test_framework_texts_follow_the_glossary(path: Path, language: str) -> None:
    findings = [
        (finding, text[language])
        for text in framework_texts(path)
        for finding in GLOSSARY.check(text["en"], text[language], language)
    ]

    assert findings == [], report(findings)


LITERAL = re.compile(r"(?<!\w)'\w+'(?!\w)|\b\w+(?:[._]\w+)+\b")
#: The columns an import help text lists by their (English) names.
COLUMNS = re.compile(r"\b(?:reference|title|supplier|value|lot|currency)\b")


@pytest.mark.parametrize("language", TRANSLATED)
def test_ui_messages_follow_the_glossary(language: str) -> None:
    entries, _fuzzy = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    findings = []
    for key, translation in entries.items():
        if not translation:
            continue  # untranslated messages are test_translations' to report
        # names the software reads stay English in every language: quoted words ('lots'), fields and
        # columns (tender.id, start_date) and the column lists of import help texts
        english = LITERAL.sub(" ", PLACEHOLDER.sub(" ", key.split("\x04")[-1]))
        text = LITERAL.sub(" ", PLACEHOLDER.sub(" ", translation))
        if "start_date" in key:  # a list of column names
            english, text = COLUMNS.sub(" ", english), COLUMNS.sub(" ", text)
        findings += [(finding, translation) for finding in GLOSSARY.check(english, text, language)]

    assert findings == [], report(findings)
