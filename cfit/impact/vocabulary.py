"""The words registers use: headers for the standard columns, words for the codes, country names.

The word lists are reviewed data files in ``vocabulary/`` (``headers.yaml``, ``values.yaml``,
``countries.yaml``, ``totals.yaml``), in the platform's five languages and common English variants. Words are compared
after ``normalise_word``; an organisation's own words (mapped once in the import's value step) are
passed in beside them and take precedence. Plain Python, no Django; read when first asked for, not at
import.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
import yaml

VOCABULARY_DIR = Path(__file__).parent / "vocabulary"
#: The coded columns whose words are looked up; ``country`` takes ISO codes and country names.
CODED = ("product_group", "condition", "acquisition", "status", "end_of_use_route", "country")


def normalise_word(text: str) -> str:
    """Lower case, text in brackets dropped; spaces, hyphens, dots, slashes and apostrophes become ``_``."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text).strip()
    return re.sub(r"[\s\-./'’_]+", "_", text).strip("_")


@dataclass(frozen=True)
class Vocabulary:
    headers: Mapping[str, str]  #: normalised header -> standard column
    values: Mapping[str, Mapping[str, str]]  #: column -> normalised word -> code
    countries: frozenset[str]  #: ISO 3166-1 alpha-2 codes
    #: Normalised words that open a totals row under a table ("Total : 1 234", "Summe").
    totals: frozenset[str] = frozenset()

    def is_totals(self, cell: str) -> bool:
        """Whether a row's first filled cell says the row sums the lines above: a totals word, then
        nothing, a colon or a space and more ("Total : 1 234", "Totaal 2025", "Sous-total")."""
        key = normalise_word(re.split(r"[:=]|\d", cell, maxsplit=1)[0])
        return bool(key) and key in self.totals

    def code(self, column: str, word: str, own: Mapping[str, str] | None = None) -> str | None:
        """The code a word stands for in a coded column (the organisation's ``own`` words first), or
        None for an unknown word."""
        key = normalise_word(word)
        if own and key in own:
            return own[key]
        if column == "country":
            upper = word.strip().upper()
            if upper in self.countries:
                return upper
        return self.values.get(column, {}).get(key)

    def country(self, word: str) -> str | None:
        """The ISO 3166-1 alpha-2 code of a country however it is written: a code (alpha-2 or -3), a
        name of ``countries.yaml`` (the pact's languages, RMI's look-up list spellings), or an ISO 3166
        name, official or common name (pycountry); accents and curly apostrophes aside, and "Bolivia
        (Plurinational State of)" read as "Bolivia, Plurinational State of". None if unknown. The one
        reader of a written country: registers, factory disclosures, CMRT/EMRT smelter lists."""
        word = word.strip()
        if not word:
            return None
        if len(word) == 2:
            return self.code("country", word)
        folded = _folded(word)
        turned = re.sub(r"\s*\((.*?)\)\s*", r", \1 ", folded).strip().rstrip(",")
        for candidate in dict.fromkeys([word, folded, turned]):
            if "(" not in candidate and (found := self.code("country", candidate)) is not None:
                return found
            try:
                return str(pycountry.countries.lookup(candidate).alpha_2)
            except LookupError:
                pass
        return self.code("country", word)  # what is in brackets dropped: "Netherlands (the)"

    def suggestions(self, column: str, word: str, count: int = 3) -> list[str]:
        """The codes of the known words closest to an unknown one, best first."""
        words = self.values.get(column, {})
        key = normalise_word(word)
        # A known word inside the unknown one first (German compounds: "Mitarbeiterverkauf"), then
        # the words that are spelled alike.
        inside = sorted((w for w in words if len(w) >= 4 and w in key), key=len, reverse=True)
        close = difflib.get_close_matches(key, list(words), n=10, cutoff=0.6)
        out: list[str] = []
        for match in [*inside, *close]:
            if words[match] not in out:
                out.append(words[match])
        return out[:count]

    def codes(self, column: str) -> list[str]:
        if column == "country":
            return sorted(self.countries)
        return sorted(set(self.values.get(column, {}).values()))


def _folded(text: str) -> str:
    """Accents dropped and typographic apostrophes straightened: "CÔTE D’IVOIRE" → "COTE D'IVOIRE"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[’‘`´]", "'", plain).split())


def _words(entry: Mapping[str, Any], where: str) -> list[str]:
    words: list[str] = []
    for language, listed in entry.items():
        if not isinstance(listed, list) or not all(isinstance(w, str) for w in listed):
            raise ValueError(f"{where}, {language}: a list of words (quote words YAML reads as yes or no)")
        words.extend(listed)
    return words


def _add(table: dict[str, str], word: str, target: str, where: str) -> None:
    key = normalise_word(word)
    if table.get(key, target) != target:
        raise ValueError(f"{where}: {word!r} is listed for {table[key]!r} and {target!r}")
    table[key] = target


#: libyaml's loader where PyYAML was built with it: the word lists are read at the start of every
#: import, and the pure-Python loader takes a tenth of a million-line register's check to read them.
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506 (a safe loader)


@lru_cache(maxsize=4)
def load_vocabulary(directory: Path = VOCABULARY_DIR) -> Vocabulary:
    """The shipped word lists; ``ValueError`` if a word is listed for two targets."""
    headers_file = _read(directory / "headers.yaml")
    values_file = _read(directory / "values.yaml")
    countries_file = _read(directory / "countries.yaml")
    headers: dict[str, str] = {}
    for column, entry in headers_file.items():
        _add(headers, column, column, "headers.yaml")
        for word in _words(entry, f"headers.yaml, {column}"):
            _add(headers, word, column, f"headers.yaml, {column}")
    values: dict[str, dict[str, str]] = {}
    for column, codes in values_file.items():
        table = values.setdefault(column, {})
        for code, entry in codes.items():
            _add(table, code, code, f"values.yaml, {column}")
            for word in _words(entry, f"values.yaml, {column}, {code}"):
                _add(table, word, code, f"values.yaml, {column}, {code}")
    countries = frozenset(str(c) for c in countries_file["codes"])
    table = values.setdefault("country", {})
    for alias, code in countries_file["aliases"].items():
        _add(table, str(alias), str(code), "countries.yaml, aliases")
    for code, names in countries_file["names"].items():
        if code not in countries:
            raise ValueError(f"countries.yaml: {code!r} is not a listed code")
        for name in names:
            _add(table, str(name), str(code), f"countries.yaml, {code}")
    totals = frozenset(normalise_word(w) for w in _words(_read(directory / "totals.yaml"), "totals.yaml"))
    return Vocabulary(headers, values, countries, totals)
