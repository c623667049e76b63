"""A disposal partner's report read and checked: per asset, when the partner received it, where it went
and how its data was wiped, or every problem.

An IT asset disposition (ITAD) or refurbishing partner returns, per asset tag or serial number, the date
it received the device, the data sanitisation method (NIST SP 800-88 Clear, Purge or Destroy; IEEE 2883
Clear, Purge or Destruct) and its certificate number, and the final destination (resold, refurbished,
recycled, destroyed). The report is read through the register's reader (``register.read_raw``: one
reader for every untrusted table), its headers guessed from the register's word lists, its words
(destinations, methods) looked up in them too, each cell checked, and every problem named by row and
column as the file calls it. Plain Python, no Django: whether a key is the organisation's is for the
caller to say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from cfit.impact.problems import ProblemGroup, group, refused
from cfit.impact.register import (
    DATE_EXAMPLES,
    DATE_FORMATS,
    MAX_TEXT,
    RawTable,
    Route,
    SanitisationMethod,
    checked_mapping,
    date_formats,
    guess_mapping,
)
from cfit.impact.vocabulary import Vocabulary, load_vocabulary, normalise_word

#: The columns of a disposal report, by their register names: the date the partner received a device
#: is the date the organisation retired it.
COLUMNS = ("asset_key", "retired_date", "end_of_use_route", "sanitisation_method", "sanitisation_certificate")
REQUIRED = ("asset_key", "retired_date", "end_of_use_route")
#: The coded columns: each distinct word is shown with the code it stands for, to confirm or correct.
CODED: dict[str, tuple[str, ...]] = {
    "end_of_use_route": tuple(r.value for r in Route),
    "sanitisation_method": tuple(m.value for m in SanitisationMethod),
}
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_EXPORT_QUOTE = re.compile(r"^'([=+\-@])")


def guess_columns(headers: list[str], vocabulary: Vocabulary | None = None) -> dict[str, str]:
    """Which report column each header holds, from the register's word lists in five languages."""
    return guess_mapping(headers, vocabulary=vocabulary, columns=COLUMNS)


@dataclass(frozen=True)
class Word:
    """A distinct word of a coded column and the code it stands for (None: nobody knows yet)."""

    column: str
    value: str  #: as the file first writes it
    count: int  #: rows that hold it
    code: str | None


@dataclass(frozen=True)
class DisposalLine:
    """One checked row of a report."""

    row: int  #: as the file numbers it
    asset_key: str
    on: date  #: the date the partner received the device
    route: str  #: a ``Route`` code
    method: str  #: a ``SanitisationMethod`` code, or ""
    certificate: str


def _cells(raw: RawTable, header: str | None) -> list[str]:
    if header is None:
        return [""] * raw.frame.height
    return ["" if v is None else str(v).strip() for v in raw.frame.get_column(header).to_list()]


def _rows(raw: RawTable) -> list[int]:
    if raw.row_numbers is not None:
        return [int(r) for r in raw.row_numbers.to_list()]
    return list(range(raw.first_row, raw.first_row + raw.frame.height))


def words(
    raw: RawTable,
    mapping: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]] | None = None,
    vocabulary: Vocabulary | None = None,
) -> dict[str, list[Word]]:
    """Per coded column the report maps, each distinct word (spellings that normalise alike are one),
    most frequent first, with the code the organisation's own words (``values``: column → normalised
    word → code) or the shipped lists give it."""
    vocabulary = vocabulary or load_vocabulary()
    header_of = {target: header for header, target in mapping.items()}
    out: dict[str, list[Word]] = {}
    for column in CODED:
        if column not in header_of:
            continue
        found: dict[str, tuple[str, int]] = {}
        for cell in _cells(raw, header_of[column]):
            if not cell:
                continue
            key = normalise_word(cell)
            first, count = found.get(key, (cell, 0))
            found[key] = (first, count + 1)
        own = (values or {}).get(column, {})
        listed = [
            Word(column, value, count, _known(vocabulary.code(column, value, own), column))
            for value, count in found.values()
        ]
        out[column] = sorted(listed, key=lambda w: (-w.count, w.value))
    return out


def _known(code: str | None, column: str) -> str | None:
    return code if code in CODED[column] else None


def parse_date(text: str, formats: tuple[str, ...] = DATE_FORMATS) -> date | None:
    """A date in one of the register's formats (a time of day is ignored), or None; ``formats`` are
    those its column is read in (``register.date_formats``: a US report writes the month first)."""
    bare = _TIME.sub("", text.strip())
    for pattern in formats:
        try:
            return datetime.strptime(bare, pattern).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    return None


class _Problems:
    """Problems grouped by code and column, each with its rows and a few of the values."""

    def __init__(self, header_of: Mapping[str, str]) -> None:
        self.header_of = header_of
        self.found: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[tuple[int, str]]] = {}

    def add(self, code: str, column: str, row: int, value: str = "", **params: str) -> None:
        key = (code, column, tuple(params.items()))
        self.found.setdefault(key, []).append((row, value))

    def groups(self) -> list[ProblemGroup]:
        out = [
            group(
                code,
                dict(params),
                column=column,
                header=self.header_of.get(column, column),
                count=len(hits),
                rows=[row for row, _ in hits],
                examples=list(dict.fromkeys(v[:60] for _, v in hits if v)),
            )
            for (code, column, params), hits in self.found.items()
        ]
        return sorted(out, key=lambda g: (g.rows[0] if g.rows else 0, g.column))


def read_report(
    raw: RawTable,
    mapping: Mapping[str, str],
    *,
    today: date,
    values: Mapping[str, Mapping[str, str]] | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[DisposalLine]:
    """Every row of a report checked, or ``RegisterRefused`` naming each bad row and column (nothing is
    half-read): an asset key, a date received (a date, not in the future), a known destination and,
    where given, a known sanitisation method; a certificate of at most 200 characters; no key twice.
    Rows whose every cell is empty are left out."""
    vocabulary = vocabulary or load_vocabulary()
    header_of = checked_mapping(raw, mapping, REQUIRED, COLUMNS)
    problems = _Problems(header_of)
    cells = {column: _cells(raw, header_of.get(column)) for column in COLUMNS}
    every = [_cells(raw, header) for header in raw.headers]
    rows = _rows(raw)
    received = cells["retired_date"]
    formats = date_formats(pl.Series([_TIME.sub("", t.strip()) for t in received], dtype=pl.String))
    lines: list[DisposalLine] = []
    seen: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if all(not column[index] for column in every):
            continue
        key = _EXPORT_QUOTE.sub(r"\1", cells["asset_key"][index])
        certificate = cells["sanitisation_certificate"][index]
        bad = False
        for column, text in (("asset_key", key), ("sanitisation_certificate", certificate)):
            if len(text) > MAX_TEXT:
                problems.add("too_long", column, row, limit=str(MAX_TEXT))
                bad = True
        if not key:
            problems.add("required", "asset_key", row)
            bad = True
        else:
            seen.setdefault(key, []).append(row)
        text = cells["retired_date"][index]
        on = parse_date(text, formats) if text else None
        if not text:
            problems.add("required", "retired_date", row)
            bad = True
        elif on is None:
            problems.add("not_date", "retired_date", row, text, formats=", ".join(DATE_EXAMPLES))
            bad = True
        elif on > today:
            problems.add("future", "retired_date", row, text)
            bad = True
        elif on < date(1980, 1, 1):
            problems.add("before_1980", "retired_date", row, text)
            bad = True
        coded: dict[str, str] = {}
        for column, codes in CODED.items():
            word = cells[column][index]
            if not word:
                if column in REQUIRED:
                    problems.add("required", column, row)
                    bad = True
                coded[column] = ""
                continue
            own = (values or {}).get(column, {})
            code = _known(vocabulary.code(column, word, own), column)
            if code is None:
                problems.add("unknown_value", column, row, word, codes=", ".join(codes))
                bad = True
            coded[column] = code or ""
        if not bad and on is not None:
            lines.append(
                DisposalLine(
                    row, key, on, coded["end_of_use_route"], coded["sanitisation_method"], certificate
                )
            )
    for key, at in seen.items():
        if len(at) > 1:
            for row in at:
                problems.add("duplicate_key", "asset_key", row, key)
    found = problems.groups()
    if found:
        raise refused(raw.filename, found)
    return lines
