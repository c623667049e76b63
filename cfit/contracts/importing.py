"""Existing contracts as a table (CSV or XLSX), one row per contract, read into rows or refused with every
problem by row and column. Plain Python; ``actions.import_contracts`` checks what needs the database
(references taken, framework versions, criteria, the supplier's organisation) and stores all or nothing.

Columns: ``reference``, ``title``, ``supplier`` (its name; matched to a supplier organisation on the
platform by name), ``value``, ``start_date``, ``end_date``, and optionally ``lot`` (added to the
title), ``currency`` (EUR by default), ``framework_version`` (the latest published by default) and
``criteria`` (criterion codes, separated by spaces, commas or semicolons).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from cfit.contracts.rows import (
    DATE_HINT,
    Collector,
    parse_date,
    read_rows,
    required_text,
    text,
)
from cfit.tabular import NotANumber, parse_number

COLUMNS = {
    "reference": "reference",
    "contract_reference": "reference",
    "title": "title",
    "lot": "lot",
    "supplier": "supplier",
    "supplier_name": "supplier",
    "value": "value",
    "value_eur": "value",
    "currency": "currency",
    "start": "start_date",
    "start_date": "start_date",
    "end": "end_date",
    "end_date": "end_date",
    "framework_version": "framework_version",
    "version": "framework_version",
    "criteria": "criteria",
    "criteria_codes": "criteria",
}
REQUIRED = ("reference", "title", "supplier", "value", "start_date", "end_date")
MAX_ROWS = 2000  #: a buyer's contracts; a register of more is not a contract list
MAX_VALUE = Decimal("999999999999.99")  #: what the value column holds
_CODES = re.compile(r"[\s,;]+")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class ContractRow:
    row: int
    reference: str
    title: str
    supplier: str
    value: Decimal
    currency: str
    start_date: date
    end_date: date
    framework_version: str  #: "" for the latest published
    criteria: tuple[str, ...]


def read_contracts(
    source: bytes | Path, filename: str, *, sheet: str | None = None
) -> tuple[list[ContractRow], Collector]:
    """The rows of a contract file and the problems found (the caller adds its own, then raises). A
    workbook is read from ``sheet``, else from the one sheet holding the required columns
    (``problems.sheet`` names the sheet read)."""
    records, problems = read_rows(
        source, filename, columns=COLUMNS, required=REQUIRED, max_rows=MAX_ROWS, sheet=sheet
    )
    rows: list[ContractRow] = []
    seen: dict[str, int] = {}
    for number, record in records:
        before = problems.count
        reference = required_text(record, "reference", number, problems, limit=64)
        title = required_text(record, "title", number, problems, limit=500)
        lot = text(record, "lot")
        supplier = required_text(record, "supplier", number, problems)
        value = _value(record, number, problems)
        currency = text(record, "currency").upper() or "EUR"
        if not _CURRENCY.match(currency):
            problems.add(number, "currency", "not_currency")
        start, end = (_date(record, column, number, problems) for column in ("start_date", "end_date"))
        if start and end and end < start:
            problems.add(number, "end_date", "ends_before_start")
        version = text(record, "framework_version")
        codes = tuple(c for c in _CODES.split(text(record, "criteria")) if c)
        if reference and reference in seen:
            problems.add(number, "reference", "duplicate_row", other=seen[reference])
        seen.setdefault(reference, number)
        if problems.count > before or value is None or start is None or end is None:
            continue
        rows.append(
            ContractRow(
                number, reference, f"{title}: {lot}" if lot else title, supplier, value, currency, start, end,
                version, codes,
            )
        )  # fmt: skip
    return rows, problems


def _value(record: dict[str, object], number: int, problems: Collector) -> Decimal | None:
    written = text(record, "value")
    if not written:
        problems.add(number, "value", "required")
        return None
    try:
        value = Decimal(repr(parse_number(written))).quantize(Decimal("0.01"))
    except NotANumber:
        problems.add(number, "value", "not_number")
        return None
    if not Decimal(0) <= value <= MAX_VALUE:
        problems.add(number, "value", "out_of_range", low=0, high=MAX_VALUE)
        return None
    return value


def _date(record: dict[str, object], column: str, number: int, problems: Collector) -> date | None:
    written = text(record, column)
    if not written:
        problems.add(number, column, "required")
        return None
    found = parse_date(record.get(column))
    if found is None:
        problems.add(number, column, "not_date", formats=DATE_HINT)
    return found
