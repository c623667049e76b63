"""The impact method's document in the five languages: a translation says the same method.

``docs/impact-method.md`` is the reference; ``docs/impact-method.<language>.md`` its translations. A
translation must keep the document's structure (the same headings at the same levels, so that the
English anchors other pages link to land on the same section), every figure (the digits of every
number, whatever the language's decimal and thousands marks), every code span (formulas, field names)
and every link. The page shows the reader's translation, or English with a notice where none exists.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from cfit.monitoring import method

ENGLISH = method.METHOD_DOCUMENT
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]

pytestmark = pytest.mark.skipif(not ENGLISH.exists(), reason="docs/impact-method.md is not in this checkout")

#: A number: digits, possibly with decimal or thousands marks (no ordinary space: "2023 5" is two).
NUMBER = re.compile(r"\d[\d.,\u00a0\u202f]*\d|\d")


def _without_code(text: str) -> str:
    return re.sub(r"```.*?```", "", re.sub(r"`[^`]*`", "", text, flags=re.S), flags=re.S)


def headings(text: str) -> list[int]:
    return [len(m.group(1)) for m in re.finditer(r"^(#{1,6})\s", _fenced_out(text), re.M)]


def _fenced_out(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def figures(text: str) -> Counter[str]:
    """The digits of every number outside code (code is compared as it is)."""
    return Counter(re.sub(r"\D", "", n) for n in NUMBER.findall(_without_code(text)))


def code_spans(text: str) -> Counter[str]:
    """Inline code (which may run over lines: compared with its whitespace collapsed) and code blocks."""
    inline = (re.sub(r"\s+", " ", span) for span in re.findall(r"`([^`]+)`", _fenced_out(text)))
    return Counter(inline) + Counter(re.findall(r"^```.*?^```", text, flags=re.S | re.M))


def links(text: str) -> Counter[str]:
    return Counter(re.findall(r"\]\((https?://[^)\s]+)\)", text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_translation_says_the_same_method(language: str) -> None:
    path = method.translation_of(language)
    assert path.exists(), f"{path.name} is missing: the method page would be English for {language}"
    english, translated = ENGLISH.read_text(encoding="utf-8"), path.read_text(encoding="utf-8")
    assert headings(translated) == headings(english)
    assert figures(translated) == figures(english), (
        f"figures differ: only English {figures(english) - figures(translated)}, "
        f"only {language} {figures(translated) - figures(english)}"
    )
    assert code_spans(translated) == code_spans(english)
    assert links(translated) == links(english)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_is_in_the_readers_language_with_the_english_anchors(language: str) -> None:
    english_ids = re.findall(r'<h\d id="([^"]+)"', method.method_html("en").html)  # type: ignore[union-attr]
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/monitoring/method/").content.decode()
    assert f'<article id="method" class="prose" lang="{language}">' in page
    assert re.findall(r'<h\d id="([^"]+)"', page.split('<article id="method"')[1]) == english_ids
    assert "not yet translated" not in page


def test_a_language_without_a_translation_reads_english_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(method, "translation_of", lambda language: Path("/nonexistent/impact-method.md"))
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = client.get("/monitoring/method/").content.decode()
    assert '<article id="method" class="prose" lang="en">' in page
    with translation.override("de"):
        notice = escape(
            gettext("This document is not yet translated into your language; it is shown in English.")
        )
    assert notice in page
    assert "not yet translated" not in Client().get("/monitoring/method/").content.decode()
