"""A fleet file read and checked: the standard columns of the device register, typed, or every problem.

A register file (CSV or XLSX) has one row per asset line; a line may stand for many identical devices
(``quantity``). Its columns are mapped onto the standard names below (``guess_mapping`` proposes a
mapping from the file's own headers, in the five languages of the platform), then every cell is
checked at once, column by column: the result is either a typed polars frame or the list of problems,
each naming the row and the column as the file calls it. Plain Python, no Django.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from cfit.impact.problems import MESSAGES, ProblemGroup, RegisterRefused, group, refused
from cfit.impact.vocabulary import CODED, Vocabulary, load_vocabulary, normalise_word
from cfit.tabular import cell_text, header_index, read_csv_typed, read_whole_frame, table_heads
from cfit.uploads import (
    MAX_IMPORT_BYTES,
    ImportRefused,
    Problem,
)

#: The standard columns, in the order of a template; the first four are required.
STANDARD_COLUMNS = (
    "product_group",
    "manufacturer",
    "model",
    "quantity",
    "purchase_date",
    "condition",
    "acquisition",
    "country",
    "status",
    "retired_date",
    "end_of_use_route",
    "weight_kg",
    "screen_size_in",
    "memory_gb",
    "storage_gb",
    "number_cpu",
    "yearly_kwh",
)
#: Optional columns beyond the standard: a stable key for re-imports, and the wiping certificate.
EXTRA_COLUMNS = ("asset_key", "sanitisation_certificate")
ALL_COLUMNS = STANDARD_COLUMNS + EXTRA_COLUMNS
REQUIRED = ("product_group", "manufacturer", "model", "purchase_date")
MAX_PROBLEMS = 200  #: a file with more problems lists the first ones and says how many there are
MAX_GROUP_ROWS = 20  #: rows named per group of problems
MAX_TEXT = 200


class ProductGroup(StrEnum):
    NOTEBOOKS = "notebooks"
    DESKTOPS = "desktops"
    THIN_CLIENTS = "thin-clients"
    MONITORS = "monitors"
    TABLETS = "tablets"
    SMARTPHONES = "smartphones"
    SERVERS = "servers"
    PRINTERS = "printers"


class Condition(StrEnum):
    NEW = "new"
    REFURBISHED = "refurbished"


class Acquisition(StrEnum):
    BOUGHT = "bought"
    LEASED = "leased"
    SERVICE = "service"  #: device as a service


class Status(StrEnum):
    IN_USE = "in_use"
    IN_STOCK = "in_stock"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


class Route(StrEnum):
    """Where a retired device went; the order is the waste hierarchy, best first."""

    INTERNAL_REUSE = "internal_reuse"
    REUSE = "reuse"  #: sold or donated for reuse
    REFURBISHED = "refurbished"  #: refurbished by a partner
    RECYCLED = "recycled"
    LOST = "lost"


class SanitisationMethod(StrEnum):
    """How a device's data was wiped before it left: the standard and its level (NIST SP 800-88 Rev. 1,
    IEEE 2883-2022), or another method."""

    NIST_CLEAR = "nist_clear"
    NIST_PURGE = "nist_purge"
    NIST_DESTROY = "nist_destroy"
    IEEE_CLEAR = "ieee_clear"
    IEEE_PURGE = "ieee_purge"
    IEEE_DESTRUCT = "ieee_destruct"
    OTHER = "other"


#: The routes by which a device leaves the organisation for another user: its data must be wiped,
#: and the wiping evidenced (the Pact's end-of-use strategy).
LEAVING_ROUTES = (Route.REUSE, Route.REFURBISHED)


ENUMS: dict[str, type[StrEnum]] = {
    "product_group": ProductGroup,
    "condition": Condition,
    "acquisition": Acquisition,
    "status": Status,
    "end_of_use_route": Route,
}
DEFAULTS = {"condition": "new", "acquisition": "bought", "status": "in_use", "quantity": "1"}

#: (column, lowest, highest, whole numbers only)
NUMBERS: tuple[tuple[str, float, float, bool], ...] = (
    ("quantity", 1, 1_000_000, True),
    ("weight_kg", 0.01, 2000, False),
    ("screen_size_in", 1, 120, False),
    ("memory_gb", 0.1, 65_536, False),
    ("storage_gb", 0, 10_000_000, False),
    ("number_cpu", 1, 16, True),
    ("yearly_kwh", 0, 100_000, False),
)
#: The columns of whole numbers.
WHOLE = frozenset(name for name, _low, _high, whole in NUMBERS if whole)
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y")
#: The accepted date formats as a person reads them: 31 March 2024 in each (a time of day is ignored).
DATE_EXAMPLES = ("2024-03-31", "31-03-2024", "31/03/2024", "2024/03/31", "31.03.2024")
#: The day-first formats and their month-first forms (``date_formats``).
MONTH_FIRST = {"%d-%m-%Y": "%m-%d-%Y", "%d/%m/%Y": "%m/%d/%Y", "%d.%m.%Y": "%m.%d.%Y"}
#: The same examples, month first (31 March 2024 as a US tool writes it).
MONTH_FIRST_EXAMPLES = ("2024-03-31", "03-31-2024", "03/31/2024", "2024/03/31", "03.31.2024")


class DateOrder(StrEnum):
    """How a file's numeric dates ("03/04/2021") are read: chosen by the user, or found from the
    column (``AUTO``: day first as Europe writes them, month first where the column shows it)."""

    AUTO = "auto"
    DAY_FIRST = "day_first"
    MONTH_FIRST = "month_first"


@dataclass(frozen=True)
class DateReading:
    """How one date column is read (``date_reading``)."""

    formats: tuple[str, ...]
    month_first: bool
    #: Cells written with a day and a month in numbers ("03/04/2021"), and whether one of them shows
    #: the order (a part over 12): a column of only "03/04/2021"-like dates could be either.
    numeric: int
    shown: bool


def date_reading(cells: pl.Series, order: DateOrder = DateOrder.AUTO) -> DateReading:
    """How a date column's cells (those not in ISO form) are read: ``DATE_FORMATS``, whose numeric
    dates put the day first as Europe writes them ("04/03/2021" is 4 March); or the month first, if
    the user says so (``order``) or, by default, if the column writes its days second: some cell's
    second number is over 12 and no cell's first one is (a US export's "12/31/2021"; its
    "03/04/2021" is then 4 March too). A column is read in one order, never cell by cell: a column
    with both kinds keeps the day first, and its cells that do not read so are refused as not dates."""
    parts = cells.str.extract_groups(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.]\d{4}")
    first = parts.struct.field("1").cast(pl.Int64, strict=False)
    second = parts.struct.field("2").cast(pl.Int64, strict=False)
    numeric = int(first.is_not_null().sum())
    days_first, days_second = bool((first > 12).any()), bool((second > 12).any())
    if order == DateOrder.AUTO:
        month_first = days_second and not days_first
    else:
        month_first = order == DateOrder.MONTH_FIRST
    formats = tuple(MONTH_FIRST.get(f, f) for f in DATE_FORMATS) if month_first else DATE_FORMATS
    return DateReading(formats, month_first, numeric, days_first or days_second)


def date_formats(cells: pl.Series, order: DateOrder = DateOrder.AUTO) -> tuple[str, ...]:
    """The formats a date column's cells are read in (``date_reading``)."""
    return date_reading(cells, order).formats


def date_examples(order: DateOrder) -> str:
    """The accepted formats as a person reads them, in the order the dates are read."""
    return ", ".join(MONTH_FIRST_EXAMPLES if order == DateOrder.MONTH_FIRST else DATE_EXAMPLES)


#: What the embodied estimate needs of a line; ``check_register(purpose="estimate")`` asks no more.
REQUIRED_FOR_ESTIMATE = ("product_group", "manufacturer", "model")


def guess_mapping(
    headers: list[str],
    saved: Mapping[str, str] | None = None,
    vocabulary: Vocabulary | None = None,
    *,
    columns: tuple[str, ...] = ALL_COLUMNS,
) -> dict[str, str]:
    """Propose which standard column each of the file's headers holds (unknown headers are left out):
    the organisation's ``saved`` choices first (by normalised header), then the shipped word lists.
    ``columns``: the columns this kind of file has (a disposal report has a few of the register's)."""
    words = (vocabulary or load_vocabulary()).headers
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = normalise_word(header)
        name = (saved or {}).get(key) or words.get(key, "")
        if name not in columns:
            name = words.get(key, "")  # a saved choice of another kind of file: the word lists then
        if name in columns and name not in taken:
            mapping[header] = name
            taken.add(name)
    return mapping


@dataclass(frozen=True)
class RawTable:
    """A file's cells as text, with its own headers and the file row of each data row."""

    filename: str
    headers: list[str]
    frame: pl.DataFrame  #: one text column per header, named as in the file
    first_row: int  #: the file row of the frame's first row (CSV: 2, after the header line)
    #: The file row of each frame row where they are not consecutive (a workbook's blank rows are left out).
    row_numbers: pl.Series | None = None
    sheet: str = ""  #: the workbook's sheet read ("" for a CSV)
    header_row: int = 1  #: the file row of the header (a title may stand above it)


def locate_table(source: bytes | Path, filename: str, *, limit: int = MAX_IMPORT_BYTES) -> tuple[str, int]:
    """Where a register file's table is: (the sheet, "" for a CSV; the file row of its header).

    An export puts a title, a date and a blank row above the header, and a workbook may hold an
    explanation sheet before the data: the header is the first of the first rows that fills about as
    many cells as the fullest (``tabular.header_index``), and the sheet is the one whose header names
    the most standard columns in any of the five languages (then the widest; the first on a tie)."""
    sheet, row, _headers = _located(source, filename, limit)
    return sheet, row


def _located(source: bytes | Path, filename: str, limit: int) -> tuple[str, int, list[str]]:
    try:
        heads = table_heads(source, filename, limit=limit)
    except RegisterRefused:
        raise
    except ImportRefused as error:
        raise _coded(filename, error) from error
    best: tuple[int, int] = (-1, -1)
    found: tuple[str, int, list[str]] = ("", 1, [])
    for sheet, rows in heads.items():
        at = header_index(rows)
        headers = [cell_text(v) for v in rows[at]] if rows else []
        score = (len(guess_mapping(headers)), sum(1 for h in headers if h))
        if score > best:
            best, found = score, (sheet, at + 1, headers)
    return found


def table_headers(source: bytes | Path, filename: str, *, limit: int = MAX_IMPORT_BYTES) -> list[str]:
    """The headers of a register file's table, where ``locate_table`` finds it, without reading its
    rows (as written: ``read_raw`` checks them)."""
    return _located(source, filename, limit)[2]


def line_count(raw: RawTable, vocabulary: Vocabulary | None = None) -> int:
    """How many asset lines a file holds, as the import's first page says it: its rows without the
    totals rows at its end (which the check leaves out; see ``_Checker.without_blank_rows``)."""
    words = vocabulary or load_vocabulary()
    count = raw.frame.height
    for cells in reversed(raw.frame.tail(5).rows()):
        first = next((c.strip() for c in cells if c and c.strip()), "")
        if not words.is_totals(first):
            break
        count -= 1
    return count


def read_raw(
    source: bytes | Path,
    filename: str,
    *,
    limit: int = MAX_IMPORT_BYTES,
    strip: bool = True,
    sheet: str | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read a CSV or XLSX register file as text cells, through the one reader of every import
    (``cfit.tabular``: encodings, separators, size and zip-bomb limits, broken workbooks); its refusals
    are coded here so that the register's pages say them in the user's language. A CSV's formulas stay
    text (they are data, the check flags nothing), a workbook's are refused: the value is wanted.

    ``strip=False`` leaves a CSV's cells as written, spaces included (and rows of spaces only), for
    ``check_register``, which strips what it reads: a large file is then not copied once more.

    ``sheet`` and ``header_row`` say where the table is, as ``locate_table`` found it before (an
    import keeps them): by default it is looked for."""
    workbook = filename.lower().endswith(".xlsx")
    if not workbook and not filename.lower().endswith((".csv", ".txt")):
        raise refused(filename, [group("file_type")])
    if sheet is None or header_row is None:
        sheet, header_row = locate_table(source, filename, limit=limit)
    try:
        headers, frame, rows = read_whole_frame(
            source,
            filename,
            limit=limit,
            formulas="refuse" if workbook else "keep",
            strip=strip,
            sheet=sheet or None,
            header_row=header_row,
        )
    except RegisterRefused:
        raise
    except ImportRefused as error:
        raise _coded(filename, error) from error
    return RawTable(
        filename,
        headers,
        frame,
        first_row=header_row + 1,
        row_numbers=rows,
        sheet=sheet,
        header_row=header_row,
    )


#: The reader's whole-file refusals that the register says with a message of its own.
_SAME_AS = {
    "not_text": "unreadable_csv",
    "cell_too_long": "unreadable_csv",
    "too_many_columns": "unreadable_csv",
    "unreadable_file": "unreadable_csv",
}


def _rows_of(where: str) -> list[int]:
    found = re.search(r"row (\d+)$", where)
    return [int(found.group(1))] if found else []


def _coded(filename: str, error: ImportRefused) -> RegisterRefused:
    """The reader's refusal as the register's coded problem groups (rendered in the user's language)."""
    if error.code:  # the file as a whole
        code = _SAME_AS.get(error.code, error.code)
        params = error.params if code == error.code else {"detail": error.problems[0].message}
        if code not in MESSAGES:
            code, params = "unreadable_csv", {"detail": error.problems[0].message}
        return refused(filename, [group(code, params, rows=_rows_of(error.problems[0].where))])
    by_message: dict[tuple[str, str], list[int]] = {}
    for problem in error.problems:
        by_message.setdefault((problem.field, problem.message), []).extend(_rows_of(problem.where))
    coded = [
        group("formula", header=field, count=len(rows), rows=rows)
        if message == MESSAGES["formula"]
        else group("unreadable_csv", {"detail": message}, count=len(rows), rows=rows)
        for (field, message), rows in by_message.items()
    ]
    listed = [Problem(re.sub(r"^sheet [^,]*, ", "", p.where), p.field, p.message) for p in error.problems]
    return RegisterRefused(filename, listed, coded)


def checked_mapping(
    raw: RawTable,
    mapping: Mapping[str, str],
    required: tuple[str, ...],
    columns: tuple[str, ...] = ALL_COLUMNS,
) -> dict[str, str]:
    """The standard column -> file header of a mapping, or ``RegisterRefused`` with its problems."""
    groups: list[ProblemGroup] = []
    for target in sorted({t for t in mapping.values() if t not in columns}):
        groups.append(group("not_standard", column=target))
    targets = list(mapping.values())
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        groups.append(group("mapped_twice", column=target))
    for name in required:
        if name not in targets:
            groups.append(group("required_column", column=name, rows=[1]))
    if groups:
        raise refused(raw.filename, groups)
    return {target: header for header, target in mapping.items()}


def check_register(
    raw: RawTable,
    mapping: Mapping[str, str] | None = None,
    *,
    default_country: str = "",
    today: date | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    purpose: str = "register",
    vocabulary: Vocabulary | None = None,
    date_order: DateOrder = DateOrder.AUTO,
    notes: list[ProblemGroup] | None = None,
) -> pl.DataFrame:
    """The typed register, or ``RegisterRefused`` naming every bad row and column (nothing half-read).

    ``mapping`` goes from the file's headers to standard column names; by default it is guessed.
    ``values`` are an organisation's own words for codes (column -> normalised word -> code), looked
    up before the shipped word lists. ``purpose="estimate"`` asks only for what the embodied estimate
    needs: product group, manufacturer and model (a purchase date, a country and a consistent life
    cycle are checked only where given). A screen size of 0 means no screen.

    ``date_order``: how numeric dates are read (``date_reading``). ``notes``, if given, receives what
    the reader did that the user should know though nothing is wrong (``NOTES``): a totals row left
    out, dates read month first, or day first where no date shows the order.
    """
    mapping = dict(mapping) if mapping is not None else guess_mapping(raw.headers)
    required = REQUIRED_FOR_ESTIMATE if purpose == "estimate" else REQUIRED
    header_of = checked_mapping(raw, mapping, required)
    checker = _Checker(
        raw,
        header_of,
        default_country,
        today or date.today(),
        values or {},
        vocabulary or load_vocabulary(),
        estimate_only=purpose == "estimate",
        date_order=date_order,
    )
    register = checker.run()
    if notes is not None:
        notes.extend(checker.notes)
    return register


#: How the reader parses a number column of a register while reading it (``read_register``).
_READ_AS: dict[str, pl.DataType] = {
    name: pl.Int64() if whole else pl.Float64() for name, _low, _high, whole in NUMBERS
}


class _TextNeeded(Exception):
    """A file read with typed columns holds what only its text can tell (a blank or totals row)."""


def read_register(
    source: bytes | Path,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    *,
    limit: int = MAX_IMPORT_BYTES,
    sheet: str | None = None,
    header_row: int | None = None,
    default_country: str = "",
    today: date | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    purpose: str = "register",
    vocabulary: Vocabulary | None = None,
    date_order: DateOrder = DateOrder.AUTO,
    notes: list[ProblemGroup] | None = None,
) -> pl.DataFrame:
    """A register file read and checked: ``check_register(read_raw(...))``, with the same result or
    the same refusal, in less time for the usual file.

    A CSV whose header is its first line is first read with its number columns parsed by polars'
    reader (``tabular.read_csv_typed``) instead of read as text and cast: the check then has fewer
    cells to parse. Wherever that is not the same, the file is read as text, which names every problem:
    a number the reader does not parse as the check would ("1.000", "1,5", "12 "), any problem
    the check finds, a blank or totals row. ``sheet`` and ``header_row`` as for ``read_raw``.
    """
    options: dict[str, Any] = {
        "default_country": default_country,
        "today": today,
        "values": values,
        "purpose": purpose,
        "vocabulary": vocabulary,
        "date_order": date_order,
    }
    # The typed try's notes count only if it is the way taken (else the text way says them again).
    tried: list[ProblemGroup] = []
    typed = _read_typed(source, filename, mapping, limit, sheet, header_row, {**options, "notes": tried})
    if typed is not None:
        if notes is not None:
            notes.extend(tried)
        return typed
    raw = read_raw(source, filename, limit=limit, strip=False, sheet=sheet, header_row=header_row)
    return check_register(raw, mapping, **options, notes=notes)


def _read_typed(
    source: bytes | Path,
    filename: str,
    mapping: Mapping[str, str] | None,
    limit: int,
    sheet: str | None,
    header_row: int | None,
    options: dict[str, Any],
) -> pl.DataFrame | None:
    """``read_register``'s first try: the register, or None for the text path."""
    if not filename.lower().endswith((".csv", ".txt")) or sheet or (header_row or 1) != 1:
        return None
    try:
        if header_row is None and locate_table(source, filename, limit=limit)[1] != 1:
            return None
    except ImportRefused:
        return None
    chosen: dict[str, str] = {}

    def types_of(headers: list[str]) -> dict[str, pl.DataType]:
        chosen.update(mapping if mapping is not None else guess_mapping(headers))
        return {header: _READ_AS[name] for header, name in chosen.items() if name in _READ_AS}

    read = read_csv_typed(source, filename, limit=limit, typed=types_of)
    if read is None:
        return None
    headers, frame, rows = read
    raw = RawTable(filename, headers, frame, first_row=2, row_numbers=rows)
    try:
        return check_register(raw, chosen, **options)
    except (ImportRefused, _TextNeeded):
        return None


def annotate(
    raw: RawTable,
    mapping: Mapping[str, str],
    *,
    default_country: str = "",
    today: date | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    purpose: str = "register",
    vocabulary: Vocabulary | None = None,
    date_order: DateOrder = DateOrder.AUTO,
) -> tuple[list[tuple[str, dict[str, str], str]], dict[int, list[int]]]:
    """What each row of a file breaks, to annotate a refused file: the checks (code, parameters, the
    column as the file calls it) and, per row of ``raw.frame`` (0-based), the checks it breaks."""
    header_of = checked_mapping(raw, mapping, REQUIRED_FOR_ESTIMATE if purpose == "estimate" else REQUIRED)
    checker = _Checker(
        raw,
        header_of,
        default_country,
        today or date.today(),
        values or {},
        vocabulary or load_vocabulary(),
        estimate_only=purpose == "estimate",
        date_order=date_order,
    )
    marks = checker.problem_rows()
    checks = [(f.code, dict(f.params), header_of.get(f.column, f.column)) for f, _ in checker.flags]
    return checks, {int(i): list(flags) for i, flags in marks.select("_index", "flags").iter_rows()}


@dataclass(frozen=True)
class UnknownValue:
    """A word of a coded column that neither the word lists nor the organisation know."""

    value: str  #: as the file writes it (its first spelling)
    count: int  #: rows that hold it
    suggestions: tuple[str, ...]  #: likely codes, best first


def unknown_values(
    raw: RawTable,
    mapping: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]] | None = None,
    vocabulary: Vocabulary | None = None,
) -> dict[str, list[UnknownValue]]:
    """Per coded column the file maps (product group, condition, acquisition, status, end-of-use
    route, country), each value nobody knows yet, once, with how many rows hold it: what the
    import's value step asks the user to map. Blank cells are not unknown (they take the default)."""
    vocabulary = vocabulary or load_vocabulary()
    header_of = {target: header for header, target in mapping.items()}
    out: dict[str, list[UnknownValue]] = {}
    for column in CODED:
        header = header_of.get(column)
        if header is None or header not in raw.frame.columns:
            continue
        counts = (
            raw.frame.select(pl.col(header).fill_null("").str.strip_chars().alias("value"))
            .filter(pl.col("value") != "")
            .group_by("value")
            .len()
            .sort("len", "value", descending=[True, False])
        )
        own = (values or {}).get(column, {})
        found: dict[str, UnknownValue] = {}
        for value, count in counts.iter_rows():
            if vocabulary.code(column, value, own) is not None:
                continue
            key = normalise_word(value)
            if key in found:  # "Leihgerät" and "leihgerät " are one value
                first = found[key]
                found[key] = UnknownValue(first.value, first.count + count, first.suggestions)
            else:
                found[key] = UnknownValue(value, count, tuple(vocabulary.suggestions(column, value)))
        if found:
            out[column] = list(found.values())
    return out


@dataclass(frozen=True)
class _Flag:
    column: str  #: standard name of the column the problem is reported on
    code: str  #: the problem's code (``problems.MESSAGES``)
    params: tuple[tuple[str, str], ...]
    value: str | None  #: the standard column whose raw text the message quotes, if any
    #: For a duplicate check on hashes: the column whose exact values confirm the candidates.
    confirm_duplicates: str | None = None
    #: The rows that break it, when known without looking at each row (counted on distinct words).
    count: int | None = None

    @property
    def message(self) -> str:
        return ProblemGroup(self.code, self.params).message


class _Checker:
    """Checks every cell of a raw table in one polars query: typed columns and problem flags together.

    Each check is an expression; the query runs them in parallel, once over the data. Only where a
    flag is raised are the rows looked up to name them. Distinct values (a handful per column in a
    register) are mapped in Python, the cells by a look-up.
    """

    def __init__(
        self,
        raw: RawTable,
        header_of: dict[str, str],
        default_country: str,
        today: date,
        values: Mapping[str, Mapping[str, str]],
        vocabulary: Vocabulary,
        *,
        estimate_only: bool = False,
        date_order: DateOrder = DateOrder.AUTO,
    ) -> None:
        self.raw = raw
        self.header_of = header_of
        self.default_country = default_country.strip().upper()
        self.today = today
        self.values = values
        self.vocabulary = vocabulary
        self.estimate_only = estimate_only
        self.required = REQUIRED_FOR_ESTIMATE if estimate_only else REQUIRED
        self.flags: list[tuple[_Flag, pl.Expr]] = []
        #: Per coded column, its word in each distinct combination of the coded columns' words.
        self.words: dict[str, list[str]] = {}
        self.combination_rows: list[int] = []  #: the rows holding each combination
        self.date_order = date_order
        #: How each date column's numeric dates were read (``second_look``), for its messages.
        self.date_orders: dict[str, DateOrder] = {}
        #: What the reader did that the user should know (``check_register``'s ``notes``).
        self.notes: list[ProblemGroup] = []

    def text(self, name: str) -> pl.Expr:
        header = self.header_of.get(name)
        if header is None:
            return pl.lit("", pl.String)
        return pl.col(header).fill_null("")

    def flag(
        self,
        column: str,
        bad: pl.Expr,
        code: str,
        value: str | None = None,
        confirm: str | None = None,
        count: int | None = None,
        **params: Any,
    ) -> None:
        """Register a rule: ``bad`` is true on the rows that break it (``count`` of them, if known)."""
        coded = tuple((k, str(v)) for k, v in params.items())
        self.flags.append((_Flag(column, code, coded, value, confirm, count), bad.fill_null(False)))

    def by_word(self, outcome: list[Any], dtype: pl.DataType) -> pl.Expr:
        """An ``outcome`` per combination of words spread to the rows (a look-up by the row's)."""
        return pl.lit(pl.Series(outcome, dtype=dtype)).gather(pl.col("_combination"))

    def word_flag(
        self,
        name: str,
        broken: list[bool],
        code: str,
        value: str | None = None,
        *,
        unmapped: bool = False,
        **params: Any,
    ) -> None:
        """A rule on a coded column's words (``broken``, per word): counted on the distinct words,
        looked up per row only to name the rows. ``unmapped``: whether every row breaks it when the
        file has no such column."""
        if name not in self.words:
            self.flag(name, pl.lit(unmapped), code, value, **params)
            return
        count = sum(n for n, bad in zip(self.combination_rows, broken, strict=True) if bad)
        self.flag(name, self.by_word(broken, pl.Boolean()), code, value, count=count, **params)

    def run(self) -> pl.DataFrame:
        checked = self.parse()
        # Pass 2, over the parsed values: every rule counted in one query; rows are looked up only
        # for the rules that some row breaks.
        self.rules()
        if not self.estimate_only:
            self.cross_rules(checked)
        problems, total, groups = self._problems(checked)
        if problems:
            if total > len(problems):
                problems.append(Problem("file", "-", f"{total - len(problems)} more problem(s) not listed"))
            raise RegisterRefused(self.raw.filename, problems, groups)
        typed = checked.lazy().with_columns(self.typed()).collect()
        return self.keys(typed).select(list(REGISTER_SCHEMA))

    def parse(self) -> pl.DataFrame:
        """Pass 1, over the text: the fast parse of every cell, then a second look at the few cells
        that need one."""
        frame = self.raw.frame
        numbers = self.raw.row_numbers
        first: list[pl.Expr] = [
            pl.int_range(pl.len()).alias("_index"),
            (
                pl.lit(numbers)
                if numbers is not None
                else pl.int_range(self.raw.first_row, self.raw.first_row + pl.len())
            ).alias("row"),
        ]
        for name in ("manufacturer", "model", "asset_key", "sanitisation_certificate"):
            first.append(self.text(name).str.strip_chars().alias(name))
        combination = self.combinations(frame)
        if combination is not None:
            first.append(pl.lit(combination).alias("_combination"))
        for name in ("purchase_date", "retired_date"):
            first.extend(self.fast_date(name))
        for name, *_ in NUMBERS:
            first.extend(self.fast_number(name))
        checked = frame.lazy().select(first).collect()
        checked = checked.with_columns(
            *(self.enumeration(name) for name in ENUMS),
            self.country(),
            self.given("status").alias("status_given"),
        )
        checked = self.without_export_quotes(checked)
        checked = self.without_blank_rows(checked)
        checked = self.second_look(checked)
        # A screen size of 0 says the device has none (a desktop, a server), not a tiny screen.
        screen = pl.col("screen_size_in")
        return checked.with_columns(pl.when(screen == 0).then(None).otherwise(screen).alias("screen_size_in"))

    def problem_rows(self) -> pl.DataFrame:
        """Every row with a problem and the indices of its flags (``self.flags``): for a refused
        file annotated row by row. The rules must have been added (``run`` does)."""
        checked = self.parse()
        self.rules()
        if not self.estimate_only:
            self.cross_rules(checked)
        marks = checked.lazy().select(
            "_index",
            "row",
            pl.concat_list(
                [
                    pl.when(bad).then(pl.lit(i)).otherwise(pl.lit(None, pl.Int64))
                    for i, (_, bad) in enumerate(self.flags)
                ]
            )
            .list.drop_nulls()
            .alias("flags"),
        )
        return marks.filter(pl.col("flags").list.len() > 0).collect()

    def without_export_quotes(self, checked: pl.DataFrame) -> pl.DataFrame:
        """Undo the apostrophe that our exports put before a text a spreadsheet would run as a formula,
        so that an exported register imports back as it was."""
        fixes = []
        for name in ("manufacturer", "model", "asset_key", "sanitisation_certificate"):
            column = checked.get_column(name)
            if column.str.starts_with("'").any():
                fixes.append(column.str.replace(r"^'([=+\-@])", "${1}"))
        return checked.with_columns(fixes) if fixes else checked

    def without_blank_rows(self, checked: pl.DataFrame) -> pl.DataFrame:
        """Drop rows whose every cell is empty (a spreadsheet's trailing lines, a separating line) and
        totals rows (``Vocabulary.is_totals``): they are not asset lines. Only rows without the
        required cells are looked at."""
        # Every purpose requires a manufacturer and a model: a row without both is a suspect.
        suspects = checked.filter((pl.col("manufacturer") == "") & (pl.col("model") == "")).get_column(
            "_index"
        )
        if suspects.is_empty():
            return checked
        if any(dtype != pl.String for dtype in self.raw.frame.dtypes):
            raise _TextNeeded  # the cells of typed columns are not their text any more
        cells = self.raw.frame[suspects.to_list()]
        blank = cells.select(
            pl.all_horizontal(pl.col(c).fill_null("").str.strip_chars() == "" for c in cells.columns)
        ).to_series()
        # A totals row ("Total : 1 234" under the table of an export) sums the lines: it is not one.
        firsts = cells.select(
            pl.coalesce(
                pl.when(pl.col(c).fill_null("").str.strip_chars() != "").then(pl.col(c).str.strip_chars())
                for c in cells.columns
            )
        ).to_series()
        totals = pl.Series([self.vocabulary.is_totals(c or "") for c in firsts.to_list()], dtype=pl.Boolean)
        dropped = set(suspects.filter(blank | totals).to_list())
        if totals.any():
            where = totals.arg_true()
            rows = checked.filter(pl.col("_index").is_in(suspects.gather(where).to_list())).get_column("row")
            texts = firsts.gather(where).to_list()
            self.notes.append(
                group(
                    "totals_left_out",
                    {},
                    count=len(where),
                    rows=rows.to_list(),
                    examples=list(dict.fromkeys(str(t)[:60] for t in texts if t)),
                )
            )
        if not dropped:
            return checked
        checked = checked.filter(~pl.col("_index").is_in(sorted(dropped)))
        if self.words:  # the combinations' rows, without the blank rows
            at = checked.get_column("_combination").to_numpy()
            self.combination_rows = np.bincount(at, minlength=len(self.combination_rows)).tolist()
        return checked

    def _problems(self, checked: pl.DataFrame) -> tuple[list[Problem], int, list[ProblemGroup]]:
        # Only the rules whose count is not known already are counted, all in one query.
        unknown = [i for i, (flag, _) in enumerate(self.flags) if flag.count is None]
        sums = (
            checked.lazy().select(self.flags[i][1].sum().alias(str(i)) for i in unknown).collect().row(0)
            if unknown
            else ()
        )
        counted = dict(zip(unknown, sums, strict=True))
        counts = [counted.get(i, flag.count) for i, (flag, _) in enumerate(self.flags)]
        problems: list[Problem] = []
        groups: list[ProblemGroup] = []
        total = 0
        for (flag, bad), count in zip(self.flags, counts, strict=True):
            if not count:
                continue
            hits = checked.lazy().filter(bad)
            if flag.confirm_duplicates:
                # The candidates share a hash: keep those that share the exact value.
                hits = hits.filter(pl.col(flag.confirm_duplicates).is_duplicated())
                count = hits.select(pl.len()).collect().item()
                if not count:
                    continue
            total += int(count)
            room = max(MAX_PROBLEMS - len(problems), MAX_GROUP_ROWS)
            found = hits.head(room).select("row", "_index").collect()
            rows = found.get_column("row").to_list()
            raw_values: list[Any] = [None] * len(rows)
            if flag.value and flag.value in self.header_of:
                positions = found.get_column("_index")
                cells = self.raw.frame.get_column(self.header_of[flag.value]).gather(positions)
                # Quoted as the cell reads, without the spaces around it (the file may keep them).
                raw_values = (cells.str.strip_chars() if cells.dtype == pl.String else cells).to_list()
            column = self.header_of.get(flag.column, flag.column)
            examples = list(dict.fromkeys(str(v)[:60] for v in raw_values if v not in (None, "")))
            groups.append(
                group(
                    flag.code,
                    dict(flag.params),
                    column=flag.column,
                    header=column,
                    count=int(count),
                    rows=rows,
                    examples=examples,
                )
            )
            for row, value in list(zip(rows, raw_values, strict=True))[
                : max(0, MAX_PROBLEMS - len(problems))
            ]:
                detail = f"{flag.message}: {str(value)[:60]!r}" if value not in (None, "") else flag.message
                problems.append(Problem(f"row {row}", column, detail))
        problems.sort(key=_row_order)
        groups.sort(key=lambda g: (g.rows[0] if g.rows else 0, g.column))
        return problems, total, groups

    def combinations(self, frame: pl.DataFrame) -> pl.Series | None:
        """Each row's combination of the coded columns' words (group, condition, acquisition, status,
        route, country), as its position among the distinct combinations, which ``words`` and
        ``combination_rows`` then hold: a register has a few thousand, so words are mapped and
        counted per combination, and codes and checks looked up per row, never a text compared again.

        Rows are tied to their combination by a 64-bit hash of their words (computed afresh, never
        stored): a look-up of one integer per row instead of one of each text."""
        names = [n for n in (*ENUMS, "country") if n in self.header_of]
        if not names:
            return None
        words = frame.select(pl.col(self.header_of[n]).fill_null("").alias(n) for n in names)
        key = words.hash_rows(seed=0)
        first = key.arg_unique()
        at = key.replace_strict(
            key.gather(first), pl.int_range(len(first), dtype=pl.UInt32, eager=True), return_dtype=pl.UInt32
        )
        distinct = words[first]
        self.words = {n: distinct.get_column(n).to_list() for n in names}
        self.combination_rows = np.bincount(at.to_numpy(), minlength=len(first)).tolist()
        return at

    def outcomes(self, name: str) -> list[str | None]:
        """What a coded column's word in each combination stands for: its code, "" for no value, None
        if unknown. A blank maps to the default (a country: the default country), or to no value."""
        own = self.values.get(name, {})
        default = self.default_country if name == "country" else DEFAULTS.get(name, "")
        code: dict[str, str | None] = {}
        for word in set(self.words[name]):
            found = self.vocabulary.code(name, word, own)
            if name == "country" and not found:
                found = word.strip().upper()
            code[word] = found if word.strip() else default
        return [code[w] for w in self.words[name]]

    def given(self, name: str) -> pl.Expr:
        if name not in self.words:
            return pl.lit(False)
        return self.by_word([bool(w.strip()) for w in self.words[name]], pl.Boolean())

    def enumeration(self, name: str) -> pl.Expr:
        """A coded column as its enumeration: no value and unknown words are both null here (the
        rules tell them apart by the words)."""
        dtype = _enum(ENUMS[name])
        if name not in self.words:
            return pl.lit(DEFAULTS.get(name) or None, dtype).alias(name)
        return self.by_word([code or None for code in self.outcomes(name)], dtype).alias(name)

    def country(self) -> pl.Expr:
        if "country" not in self.words:
            return pl.lit(self.default_country, pl.String).alias("country")
        return self.by_word(self.outcomes("country"), pl.String()).alias("country")

    def fast_date(self, name: str) -> list[pl.Expr]:
        text = self.text(name)
        # No cache of distinct dates: parsing each cell is twice as fast as looking it up. Blank cells
        # (most retirement dates) are skipped as nulls: a failed parse costs more than a good one.
        iso = pl.when(text != "").then(text).str.to_date(DATE_FORMATS[0], strict=False, cache=False)
        return [iso.alias(name), (iso.is_null() & (text != "")).alias(f"_retry_{name}")]

    def fast_number(self, name: str) -> list[pl.Expr]:
        header = self.header_of.get(name)
        if header is not None and self.raw.frame.schema[header] != pl.String:
            # Parsed by the reader (``read_register``): an empty cell is null, any other it parsed.
            parsed = pl.col(header).cast(pl.Float64)
            if name in DEFAULTS:
                parsed = parsed.fill_null(float(DEFAULTS[name]))
            return [parsed.alias(name), pl.lit(False).alias(f"_retry_{name}")]
        text = self.text(name)
        # A whole-number column is read as integers: "1.000" (a thousand, in German and Dutch) is then
        # not taken for 1.0 but looked at again (``second_look``), and "25" costs no more.
        direct = (
            text.cast(pl.Int64, strict=False).cast(pl.Float64)
            if name in WHOLE
            else text.cast(pl.Float64, strict=False)
        )
        if name in DEFAULTS:
            direct = pl.when(text == "").then(pl.lit(float(DEFAULTS[name]))).otherwise(direct)
        return [direct.alias(name), (direct.is_null() & (text != "")).alias(f"_retry_{name}")]

    def second_look(self, checked: pl.DataFrame) -> pl.DataFrame:
        """Parse again the few cells that the fast parse could not: other date formats, a time of day,
        decimal commas, spaces; a cell that is only spaces is blank. What still fails stays marked."""
        updates: list[pl.Series] = []
        for name in ("purchase_date", "retired_date", *(n for n, *_ in NUMBERS)):
            retry = checked.get_column(f"_retry_{name}")
            if not retry.any():
                continue
            at = retry.arg_true()
            # The raw rows by their index: blank rows may have been left out of ``checked``.
            cells = self.raw.frame.get_column(self.header_of[name]).gather(
                checked.get_column("_index").gather(at)
            )
            text = cells.fill_null("").str.strip_chars()
            if name.endswith("_date"):
                # A time of day goes, with its seconds' fraction and time zone: ITAM tools export
                # "2021-03-04T00:00:00Z" or "2021-03-04 00:00:00.000+01:00".
                bare = text.str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$", "")
                reading = date_reading(bare, self.date_order)
                again = pl.select(
                    pl.coalesce([bare.str.to_date(f, strict=False) for f in reading.formats])
                ).to_series()
                self.note_dates(name, reading, bare)
            else:
                cleaned = text.str.replace_all(r"[\s_]", "")
                if name in WHOLE:
                    # Whole numbers have no decimals: "1.000" and "1,000" group thousands.
                    grouped = cleaned.str.contains(r"^\d{1,3}([.,]\d{3})+$")
                    cleaned = pl.select(
                        pl.when(grouped).then(cleaned.str.replace_all(r"[.,]", "")).otherwise(cleaned)
                    ).to_series()
                cleaned = cleaned.str.replace(r"^(-?\d+),(\d+)$", "${1}.${2}")
                again = cleaned.cast(pl.Float64, strict=False)
                if name in DEFAULTS:
                    again = pl.select(
                        pl.when(text == "").then(float(DEFAULTS[name])).otherwise(again)
                    ).to_series()
            updates.append(checked.get_column(name).scatter(at, again))
            updates.append(retry.scatter(at, again.is_null() & (text != "")))
        return checked.with_columns(updates) if updates else checked

    def note_dates(self, name: str, reading: DateReading, cells: pl.Series) -> None:
        """Say how a column's numeric dates were read where the user did not choose and the file
        could mean otherwise: month first (a US export), or day first though no date shows it."""
        self.date_orders[name] = DateOrder.MONTH_FIRST if reading.month_first else DateOrder.DAY_FIRST
        if self.date_order != DateOrder.AUTO or not reading.numeric:
            return
        if reading.month_first:
            code = "dates_month_first"
        elif not reading.shown:
            code = "dates_day_first_assumed"
        else:
            return
        numeric = cells.filter(cells.str.contains(r"^\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{4}"))
        self.notes.append(
            group(
                code,
                {},
                column=name,
                header=self.header_of.get(name, name),
                count=reading.numeric,
                examples=list(dict.fromkeys(numeric.head(50).to_list()))[:3],
            )
        )

    def rules(self) -> None:
        for name in ("manufacturer", "model", "asset_key", "sanitisation_certificate"):
            self.flag(name, pl.col(name).str.len_chars() > MAX_TEXT, "too_long", limit=MAX_TEXT)
        for name in self.required:
            if name.endswith("_date"):
                blank = pl.col(name).is_null() & ~pl.col(f"_retry_{name}")
                self.flag(name, blank, "required")
            elif name in ENUMS:
                self.word_flag(name, [code == "" for code in self.outcomes(name)], "required")
            else:
                self.flag(name, pl.col(name) == "", "required")
        for name, enum in ENUMS.items():
            codes = ", ".join(sorted(member.value for member in enum))
            unknown = [code is None for code in self.outcomes(name)] if name in self.words else []
            self.word_flag(name, unknown, "unknown_value", name, codes=codes)
        countries = self.outcomes("country") if "country" in self.words else []
        fallback = self.default_country
        if not self.estimate_only:
            self.word_flag("country", [c == "" for c in countries], "no_country", unmapped=fallback == "")
        self.word_flag(
            "country",
            [c != "" and c not in self.vocabulary.countries for c in countries],
            "not_country",
            "country",
            unmapped=fallback != "" and fallback not in self.vocabulary.countries,
        )
        for name in ("purchase_date", "retired_date"):
            formats = date_examples(self.date_orders.get(name, self.date_order))
            self.flag(name, pl.col(f"_retry_{name}"), "not_date", name, formats=formats)
            self.flag(name, pl.col(name) > self.today, "future", name)
            self.flag(name, pl.col(name) < date(1980, 1, 1), "before_1980", name)
        for name, lowest, highest, whole in NUMBERS:
            value = pl.col(name)
            self.flag(name, pl.col(f"_retry_{name}") | value.is_nan(), "not_number", name)
            out_of_range = ((value < lowest) | (value > highest)) & ~value.is_nan()
            self.flag(name, out_of_range, "out_of_range", name, low=f"{lowest:.10g}", high=f"{highest:.10g}")
            if whole:
                self.flag(name, value.round(0) != value, "not_whole", name)

    @staticmethod
    def _status() -> pl.Expr:
        # A retirement date without a status says the device is retired.
        return (
            pl.when(pl.col("retired_date").is_not_null() & ~pl.col("status_given"))
            .then(pl.lit("retired", _enum(Status)))
            .otherwise(pl.col("status"))
        )

    def cross_rules(self, checked: pl.DataFrame) -> None:
        retired = self._status() == "retired"
        date_given = pl.col("retired_date").is_not_null()
        route_given = pl.col("end_of_use_route").is_not_null()  # no value and unknown words are null
        key = pl.col("asset_key")
        # Distinct hashes, as many as keys: no two keys are alike (counted without grouping the rows).
        keys = checked.get_column("asset_key").filter(checked.get_column("asset_key") != "")
        distinct_keys = keys.hash(seed=0).n_unique() == keys.len()
        if "retired_date" in self.header_of:
            self.flag("retired_date", retired & ~date_given, "retired_without_date")
        else:
            # Said on the status, which the file has: an ITAM export's "Retired" rows, and no column
            # of the file mapped to the retirement date (the file may have none).
            self.flag("status", retired, "retired_no_date_column", "status")
        self.flag("retired_date", date_given & ~retired, "date_not_retired")
        self.flag("retired_date", pl.col("retired_date") < pl.col("purchase_date"), "before_purchase")
        self.flag("end_of_use_route", route_given & ~retired, "route_not_retired")
        # Duplicates by a hash of the key (a million texts compared is slow); the few rows it flags
        # are confirmed by their exact text before they are named.
        self.flag(
            "asset_key",
            (key != "") & key.hash(seed=0).is_duplicated(),
            "duplicate_key",
            "asset_key",
            confirm="asset_key",
            count=0 if distinct_keys else None,
        )

    def typed(self) -> list[pl.Expr]:
        """The status a retirement date implies, whole numbers as integers (codes are enumerations
        already: compact, and fast to group and compare)."""
        return [
            self._status().alias("status"),
            pl.col("quantity").cast(pl.Int64),
            pl.col("number_cpu").cast(pl.Int64),
        ]

    def keys(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Each line's asset key: the file's own, or one derived from what identifies the line.

        A derived key is the line's identifying fields plus its rank among identical lines of the file,
        so that importing the same file again finds the same lines instead of adding them twice.
        """
        keyed = frame.get_column("asset_key") != ""
        if keyed.all():
            return frame
        identity = [
            "product_group",
            "manufacturer",
            "model",
            "purchase_date",
            "condition",
            "acquisition",
            "country",
        ]
        # Not a hash: polars does not promise stable hashes across versions, and keys must last.
        derived = (
            frame.filter(~keyed)
            .select(
                pl.concat_str(
                    [pl.col(c).cast(pl.String).fill_null("").str.to_lowercase() for c in identity],
                    separator="|",
                ).alias("identity")
            )
            .select("~" + pl.col("identity") + "|" + pl.int_range(pl.len()).over("identity").cast(pl.String))
            .to_series()
        )
        keys = frame.get_column("asset_key").scatter((~keyed).arg_true(), derived)
        return frame.with_columns(keys.alias("asset_key"))


def _enum(enum: type[StrEnum]) -> pl.Enum:
    return pl.Enum(sorted(member.value for member in enum))


#: The typed register as ``check_register`` gives it; ``as_register`` brings other frames to it.
REGISTER_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "product_group": _enum(ProductGroup),
    "manufacturer": pl.String(),
    "model": pl.String(),
    "quantity": pl.Int64(),
    "purchase_date": pl.Date(),
    "condition": _enum(Condition),
    "acquisition": _enum(Acquisition),
    "country": pl.String(),
    "status": _enum(Status),
    "retired_date": pl.Date(),
    "end_of_use_route": _enum(Route),
    "weight_kg": pl.Float64(),
    "screen_size_in": pl.Float64(),
    "memory_gb": pl.Float64(),
    "storage_gb": pl.Float64(),
    "number_cpu": pl.Int64(),
    "yearly_kwh": pl.Float64(),
    "asset_key": pl.String(),
    "sanitisation_certificate": pl.String(),
}


def as_register(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame of register columns (e.g. read from the database) with the register's types; blank
    codes become nulls and missing optional columns are added empty."""
    columns = []
    for name, dtype in REGISTER_SCHEMA.items():
        if name not in frame.columns:
            columns.append(pl.lit(None, dtype).alias(name))
        elif isinstance(dtype, pl.Enum):
            column = pl.col(name).cast(pl.String)
            columns.append(pl.when(column == "").then(None).otherwise(column).cast(dtype).alias(name))
        else:
            columns.append(pl.col(name).cast(dtype).alias(name))
    return frame.select(columns)


def _row_order(problem: Problem) -> int:
    return int(problem.where.removeprefix("row ")) if problem.where.startswith("row ") else 0


def template_csv() -> str:
    """An empty register file with the standard headers and one example line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ALL_COLUMNS)
    example = {
        "product_group": "notebooks",
        "manufacturer": "Dell",
        "model": "Latitude 5440",
        "quantity": "25",
        "purchase_date": "2023-03-15",
        "condition": "new",
        "acquisition": "bought",
        "country": "NL",
        "status": "in_use",
        "weight_kg": "1.4",
        "screen_size_in": "14",
        "memory_gb": "16",
        "storage_gb": "512",
        "asset_key": "NB-2023-001",
    }
    writer.writerow([example.get(name, "") for name in ALL_COLUMNS])
    return out.getvalue()
