"""The framework's texts, which buyers paste into binding tenders, are typeset as their language wants.

French puts a no-break space before ":" and inside « », a narrow one before ";", "?" and "!"; no
language has double spaces or a space before "," or ".". Checked over every text of the framework files
and over the French tender annex, so that a plain space there cannot come back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfit.criteria import content, typography
from cfit.criteria.content import Ambition
from cfit.tenders import annex
from cfit.tenders.spec import build_spec


def framework_texts(framework: content.Framework) -> Iterator[tuple[str, str, str]]:
    """(where, language, text) of every text of the framework in every language."""
    for group in framework.product_groups:
        for field in ("name", "description"):
            for lang, text in getattr(group, field).items():
                yield f"product group {group.id} {field}", lang, text
    for label in framework.labels:
        yield f"label {label.id} name", "en", label.name
        for lang, text in label.names.items():
            yield f"label {label.id} name", lang, text
    for criterion in framework.criteria:
        for field in ("title", "text", "rationale"):
            for lang, text in criterion.texts(field).items():
                yield f"{criterion.id} {field}", lang, text
        for lang, text in criterion.verification.documents.items():
            yield f"{criterion.id} verification", lang, text
        for requirement in criterion.requirements:
            for lang, text in requirement.title.items():
                yield f"{requirement.id} title", lang, text


def test_every_text_of_the_framework_is_typeset_for_its_language(
    framework_content: content.Framework,
) -> None:
    found = [
        f"{where} ({lang}): {problem}"
        for where, lang, text in framework_texts(framework_content)
        for problem in typography.problems(text, lang)
    ]
    assert sum(1 for _ in framework_texts(framework_content)) > 5000
    assert found == []


def _annex_texts(document: annex.Document) -> Iterator[str]:
    """Every text of the annex: the framework's, the catalogue's wording and the values between."""
    yield document.title
    for block in document.blocks:
        if isinstance(block, annex.Table):
            yield from block.header
            yield from (cell for row in block.rows for cell in row)
        elif isinstance(block, annex.Paragraph):
            yield from (block.bold_lead, block.text)
        else:
            yield block.text


@pytest.mark.parametrize("ambition", [Ambition.BASELINE, Ambition.AMBITIOUS])
def test_the_french_annex_keeps_french_spacing(framework_content: content.Framework, ambition: Any) -> None:
    groups = [g.id for g in framework_content.product_groups]
    spec = build_spec(framework_content, product_groups=groups, ambition=ambition, language="fr")

    texts = list(_annex_texts(annex.build_annex(spec)))

    assert len(texts) > 500
    assert [p for text in texts for p in typography.problems(text, "fr")] == []


def test_a_plain_space_in_french_is_found_and_put_right() -> None:
    text = "Le soumissionnaire indique : la durée ; la portée « Produit » ? Oui !"

    assert len(typography.problems(text, "fr")) == 6
    fixed = typography.french(text)
    assert fixed == (
        "Le soumissionnaire indique\u00a0: la durée\u202f; la portée «\u00a0Produit\u00a0»\u202f? Oui\u202f!"
    )
    assert typography.problems(fixed, "fr") == []
    # what is no punctuation stays: times, standards, web addresses
    assert typography.problems("ISO 14067:2018, 10:30, https://example.org/?a=1", "fr") == []
    assert typography.problems("Two  spaces , and a stop .", "en") != []


#: What French text puts between its words, typed right or wrong.
SEPARATORS = [" ", " : ", ": ", " ; ", "; ", " ? ", "? ", " ! ", " « ", " » ", "\u00a0: ", "\u202f; ", ", "]


@given(
    st.lists(
        st.tuples(st.sampled_from(["le", "prix", "10:30", "ISO 14067:2018"]), st.sampled_from(SEPARATORS))
    )
)
def test_french_spacing_is_put_right_once_and_for_all(words: list[tuple[str, str]]) -> None:
    text = "".join(word + separator for word, separator in words)
    once = typography.french(text)

    assert typography.french(once) == once
    assert [c for c in once if not c.isspace()] == [c for c in text if not c.isspace()]
    assert not [p for p in typography.problems(once, "fr") if "no-break" in p]
