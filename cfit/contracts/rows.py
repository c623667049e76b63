"""Small imports of one row per record (contracts, factory disclosures): read through ``cfit.tabular``,
every problem a code with parameters naming its row and column, all or nothing. Plain Python.

The pages render the codes in the user's language (``cfit.contracts.problems``); the command line and
the API say them in English (``MESSAGES``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cfit.impact.problems import MESSAGES as REGISTER_MESSAGES
from cfit.impact.register import DATE_EXAMPLES, DATE_FORMATS
from cfit.tabular import cell_text, read_table, sheet_headers
from cfit.uploads import ImportRefused, is_formula

#: Every code and its English message; ``{name}`` marks a parameter.
MESSAGES: dict[str, str] = {
    "refused_file": "{text}",
    "required_column": "required column missing",
    "required": "required: the cell is empty",
    "too_long": "longer than {limit} characters",
    "formula": "a formula: type the value",
    "more_cells": "more cells than the header has columns",
    "too_many_rows": "more than {limit} rows",
    "no_rows": "the file has no rows to import",
    "not_country": "not a two-letter ISO 3166 country code",
    "unknown_value": "unknown value (use one of {codes})",
    "not_whole": "not a whole number",
    "not_number": "not a number",
    "out_of_range": "out of range ({low} to {high})",
    "not_date": "not a date: write it as one of {formats}",
    "not_currency": "not a three-letter ISO 4217 currency code",
    "ends_before_start": "the contract ends before it starts",
    "duplicate_row": "the same record is on row {other}",
    "exists": "already on the platform: {what}",
    "unknown_version": "no published framework version {version}",
    "unknown_criterion": "no criterion {codes} in framework version {version}",
    "factory_has_other_id": "{factory} has another Open Supply Hub id: {os_id}",
    "no_sheet_with_columns": "no sheet holds the columns {columns} (sheets: {sheets})",
    "several_sheets": "the sheets {sheets} all hold the columns {columns}: choose the sheet to read",
}
#: Problems listed of a refused file (all are counted).
MAX_LISTED = 200


def english(code: str, params: Mapping[str, Any]) -> str:
    """A code's English message; the file-level codes of ``cfit.tabular`` are the register's."""
    template = MESSAGES.get(code) or REGISTER_MESSAGES.get(code)
    try:
        return template.format(**params) if template is not None else str(params.get("text", code))
    except KeyError:
        return str(params.get("text", code))


def _refused(filename: str, error: ImportRefused, sheet: str = "") -> RowsRefused:
    """A file ``cfit.tabular`` could not read: its code where it has one, else its words."""
    if error.code:
        params = (*((k, str(v)) for k, v in error.params.items()), ("text", str(error.problems[0])))
        return RowsRefused(filename, [RowProblem(0, "-", error.code, params, sheet)])
    return RowsRefused(
        filename, [RowProblem(0, "-", "refused_file", (("text", str(p)),), sheet) for p in error.problems]
    )


@dataclass(frozen=True)
class RowProblem:
    """One problem: the file row (0 for the file as a whole), the column ("-" for none), a code, and the
    workbook's sheet it was found in ("" for a CSV file)."""

    row: int
    field: str
    code: str
    params: tuple[tuple[str, str], ...] = ()
    sheet: str = ""

    @property
    def where(self) -> str:
        if self.sheet:
            return f"sheet {self.sheet}, row {self.row}" if self.row else f"sheet {self.sheet}"
        return f"row {self.row}" if self.row else "file"

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {english(self.code, dict(self.params))}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet, "row": self.row, "field": self.field, "code": self.code,
            "params": dict(self.params),
        }  # fmt: skip


class RowsRefused(Exception):
    """The file was refused: nothing was imported. ``problems`` are the first ``MAX_LISTED``."""

    def __init__(self, filename: str, problems: Sequence[RowProblem], count: int | None = None) -> None:
        self.filename = filename
        self.problems = list(problems)
        self.count = max(count or 0, len(self.problems))
        shown = "\n".join(f"{filename}: {p}" for p in self.problems[:50])
        super().__init__(f"{filename}: refused, {self.count} problem(s), nothing imported\n{shown}")


class Collector:
    """The problems of one file as they are found; ``sheet`` is the workbook's sheet read ("" for CSV)."""

    def __init__(self, filename: str, sheet: str = "") -> None:
        self.filename = filename
        self.sheet = sheet
        self.found: list[RowProblem] = []
        self.count = 0

    def add(self, row: int, field: str, code: str, **params: Any) -> None:
        self.count += 1
        if len(self.found) < MAX_LISTED:
            params_text = tuple((k, str(v)) for k, v in params.items())
            self.found.append(RowProblem(row, field, code, params_text, self.sheet))

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self.count:
            raise RowsRefused(self.filename, self.found, self.count)


def header_key(text: str) -> str:
    """A header as a column name: "Factory name", "factory-name" and "FACTORY_NAME" are one."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def read_rows(
    source: bytes | Path,
    filename: str,
    *,
    columns: Mapping[str, str],
    required: Sequence[str],
    max_rows: int,
    sheet: str | None = None,
) -> tuple[list[tuple[int, dict[str, Any]]], Collector]:
    """The rows of a CSV or XLSX file as {column: cell}, with the problems found so far.

    ``columns`` maps each accepted header (as ``header_key`` reads it) to its column; other columns are
    ignored. A workbook is read from ``sheet`` if named, else from its one sheet holding every required
    column (refused, naming its sheets, when none or several do); the collector's ``sheet`` says which.
    A file that cannot be read at all (size, zip bomb, no header…) is refused at once."""
    if sheet is None and filename.lower().endswith(".xlsx"):
        sheet = _sheet_with_columns(source, filename, columns, required)
    problems = Collector(filename, sheet or "")
    try:
        table = read_table(source, filename, formulas="keep", sheet=sheet)
    except ImportRefused as error:
        raise _refused(filename, error, sheet or "") from None
    rows: list[tuple[int, dict[str, Any]]] = []
    with table:
        mapped = {i: columns[header_key(h)] for i, h in enumerate(table.headers) if header_key(h) in columns}
        for column in required:
            if column not in mapped.values():
                problems.add(1, column, "required_column")
        if problems:
            problems.raise_if_any()
        try:
            for number, cells in table.rows:
                if len(rows) >= max_rows:
                    problems.add(number, "-", "too_many_rows", limit=max_rows)
                    break
                record: dict[str, Any] = {}
                for index, column in mapped.items():
                    value = cells[index]
                    if is_formula(value):
                        problems.add(number, column, "formula")
                        value = FORMULA
                    record[column] = value
                rows.append((number, record))
        except ImportRefused as error:
            raise _refused(filename, error, sheet or "") from None
        for found in table.problems.found:
            row = re.search(r"row (\d+)", found.where)
            problems.add(int(row.group(1)) if row else 0, "-", "more_cells")
    if not rows and not problems:
        problems.add(0, "-", "no_rows")
    return rows, problems


def _sheet_with_columns(
    source: bytes | Path, filename: str, columns: Mapping[str, str], required: Sequence[str]
) -> str:
    """The name of the workbook's sheet to read: its only sheet, or the one sheet whose header holds
    every required column. None or several such sheets is a refusal: reading the first sheet of a
    workbook whose contracts are on another (a cover sheet, an instructions sheet) would report its
    rows as wrong, and choosing between two sheets of contracts would import half without saying so."""
    try:
        sheets = sheet_headers(source, filename)
    except ImportRefused as error:
        raise _refused(filename, error) from None
    names = list(sheets)
    if len(names) == 1:
        return names[0]
    holding = [
        name
        for name, headers in sheets.items()
        if set(required) <= {columns[header_key(h)] for h in headers if header_key(h) in columns}
    ]
    if len(holding) == 1:
        return holding[0]
    wanted = ", ".join(required)
    if not holding:
        problem = RowProblem(
            0, "-", "no_sheet_with_columns", (("columns", wanted), ("sheets", ", ".join(names)))
        )
    else:
        problem = RowProblem(0, "-", "several_sheets", (("sheets", ", ".join(holding)), ("columns", wanted)))
    raise RowsRefused(filename, [problem])


class _Formula:
    """A formula cell, already named as a problem: read as empty, and not named again as missing."""


FORMULA = _Formula()


def text(record: Mapping[str, Any], column: str) -> str:
    value = record.get(column)
    return "" if value is FORMULA else cell_text(value)


def required_text(
    record: Mapping[str, Any], column: str, number: int, problems: Collector, limit: int = 200
) -> str:
    value = text(record, column)
    if not value and record.get(column) is not FORMULA:
        problems.add(number, column, "required")
    elif len(value) > limit:
        problems.add(number, column, "too_long", limit=limit)
        return ""
    return value


def parse_date(value: Any) -> date | None:
    """A date cell: a spreadsheet date, or text in one of the register's formats; None if neither."""
    if value is FORMULA:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    written = cell_text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(written, pattern).date()
        except ValueError:
            continue
    return None


DATE_HINT = ", ".join(DATE_EXAMPLES)
