"""The typography of the framework's texts, which buyers paste into binding tenders.

Plain Python with no Django import. French puts a no-break space (U+00A0) before ":" and inside
guillemets, and a narrow no-break space (U+202F) before ";", "?" and "!", so that a line never breaks
between a word and its sign. Every language: no double space, no space before "," or ".".
``problems`` says what a text gets wrong; ``french`` puts French spacing right.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"

#: What every language gets wrong, as (pattern, what it is).
_EVERY_LANGUAGE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<=\S) {2,}(?=\S)"), "double space"),
    # "0 ,5" never, but ". ." of an ellipsis typed apart and ".NET" are not a space before a point
    (re.compile(r"(?<=\w) [,.](?=\s|$)"), "space before a comma or full stop"),
]
#: French spacing, as (pattern, what it is, what it becomes): a sign with a plain space or none
#: before it. A sign not followed by a space is no punctuation (10:30, ISO 14067:2018, a web address).
_FRENCH: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"(?<!\u00a0) ?:(?=\s|$)"), "no no-break space (U+00A0) before “:”", NBSP + ":"),
    (
        re.compile(r"(?<![\u202f;?!]) ?([;?!])(?=\s|$)"),
        "no narrow no-break space (U+202F) before “;”, “?” or “!”",
        NNBSP + r"\1",
    ),
    (re.compile(r"« ?(?=[^\u00a0])"), "no no-break space (U+00A0) after “«”", "«" + NBSP),
    (re.compile(r"(?<=[^\u00a0]) ?»"), "no no-break space (U+00A0) before “»”", NBSP + "»"),
]


def problems(text: str, lang: str) -> list[str]:
    """What ``text`` in ``lang`` gets wrong, each with the words around it: [] when it is right."""
    rules = _EVERY_LANGUAGE + [(pattern, what) for pattern, what, _fixed in _FRENCH if lang == "fr"]
    found = []
    for pattern, what in rules:
        for match in pattern.finditer(text):
            found.append(f"{what}: …{text[max(0, match.start() - 20) : match.end() + 20]}…")
    return found


def french(text: str) -> str:
    """``text`` with French spacing: the no-break space each of ":", ";", "?", "!", "«" and "»" takes,
    in place of a plain space or where there was none."""
    for pattern, _what, fixed in _FRENCH:
        text = pattern.sub(fixed, text)
    return text


def semicolon(lang: str) -> str:
    """What separates the items of a list in ``lang``: "; ", with a narrow no-break space before it in
    French."""
    return NNBSP + "; " if lang == "fr" else "; "
