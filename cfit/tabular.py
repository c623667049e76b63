"""One reader for the tables people upload (CSV and XLSX) and one parser for the numbers in them.

Every import reads its file through here, so every import takes the same files and refuses the same
ones, each refusal naming the file and the row: what spreadsheets in the platform's five languages
save (UTF-8 with or without a byte order mark, UTF-16, Windows' cp1252; comma, semicolon or tab
separated; CR, LF or CRLF line ends; decimal commas), and none of what breaks a reader (a cell too
long for the csv module, NUL bytes, a workbook that fails half-way through a sheet, a number too
large for a float or a database column). Plain Python, no Django.

The rule for numbers (``parse_number``): a single separator, comma or point, is the decimal one
(``1,5`` and ``1.5`` are both 1.5, and so ``1,234`` is 1.234, as every import read it before: a
lone separator cannot say which it is, and a decimal comma is far more common in the pact's
languages than a thousands separator without decimals); with both, the
last one is decimal and the other groups thousands (``1.234,5`` and ``1,234.5`` are 1234.5); a
repeated separator alone groups thousands (``1.234.567``). Spaces (also non-breaking and thin ones),
apostrophes and underscores between digits are thousands separators. No units, no percent signs, no
currency: a cell with them is refused, because a converted unit is a guess.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from cfit.uploads import (
    MAX_IMPORT_BYTES,
    ImportRefused,
    Problem,
    Problems,
    check_size,
    is_formula,
    open_workbook,
    refuse,
    workbook_trouble,
)

#: The csv module's own limit per cell; a longer cell is refused by name rather than by a traceback.
#: The file name endings ``read_table`` reads: a CSV (also named .txt) or an XLSX workbook; the file
#: inputs of the imports that read through it offer these (``cfit.uploadfields``).
TABLE_ENDINGS = (".csv", ".txt", ".xlsx")
MAX_CELL_CHARS = 131_072
#: Columns read of a sheet: a workbook may claim 16,384 columns in every row; no import has 1,000.
MAX_COLUMNS = 1000
#: Characters of a number cell: a float needs 25 at most; more is not a number anyone typed.
MAX_NUMBER_CHARS = 64
#: The largest whole number an import takes: a database integer column (PostgreSQL ``integer``).
MAX_WHOLE = 2**31 - 1
SEPARATORS = (",", ";", "\t")

_THOUSANDS_SPACES = re.compile(r"(?<=\d)[ \u00a0\u2009\u202f'_](?=\d)", re.ASCII)
_SIGNED = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_GROUPED = re.compile(r"^\d{1,3}(X\d{3})+$", re.ASCII)


# -- bytes in ----------------------------------------------------------------------------------------


def read_source(source: bytes | Path, filename: str, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """The bytes of an upload or a file on disk, refused before reading if larger than ``limit``:
    commands and pages take the same files."""
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
        except OSError as error:
            raise refuse(
                filename,
                f"cannot be read ({error.strerror})",
                code="unreadable_file",
                params={"detail": error.strerror or ""},
            ) from error
        check_size(b"", filename, limit, size=size)
        return source.read_bytes()
    check_size(source, filename, limit)
    return source


def decode_text(data: bytes, filename: str) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 (BOM, or the NUL pattern of one
    without), else cp1252 as Windows spreadsheets save it (latin-1 for the five bytes cp1252 lacks).
    A NUL left in the text means a binary file, refused with its row."""
    if not data.strip():
        raise refuse(filename, "the file is empty", code="empty_file")
    text: str | None = None
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")):
        if data.startswith(bom):
            text = _decode(data[len(bom) :], encoding)
    if data.startswith(codecs.BOM_UTF16_BE):
        text = _decode(data[2:], "utf-16-be")
    if text is None and b"\x00" in data[:4096]:
        sample = data[:4096]
        if sample[1::2].count(0) > 0.4 * len(sample) / 2:
            text = _decode(data, "utf-16-le")
        elif sample[0::2].count(0) > 0.4 * len(sample) / 2:
            text = _decode(data, "utf-16-be")
    if text is None:
        text = _decode(data, "utf-8")
    if text is None:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    nul = text.find("\x00")
    if nul >= 0:
        row = text.count("\n", 0, nul) + 1
        raise refuse(filename, "holds NUL characters: not a text file", where=f"row {row}", code="not_text")
    if not text.strip():
        raise refuse(filename, "the file is empty", code="empty_file")
    return text


def _decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def sniff_separator(text: str) -> str:
    """The separator of a CSV: whichever of comma, semicolon and tab the header line uses most
    (spreadsheets in locales with a decimal comma write semicolons)."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return max(SEPARATORS, key=first.count)


def iter_csv(text: str, filename: str, *, separator: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """(record number from 1, cells) of each record, header included; CR, LF and CRLF all end a line
    (a quoted cell may hold any of them). A cell over ``MAX_CELL_CHARS`` refuses the file at its row."""
    delimiter = separator or sniff_separator(text)
    # newline="" hands the csv module each line with its own ending, so a bare CR ends a line too.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            where = f"row {number + 1}"
            if "field larger" in str(error):
                raise refuse(
                    filename,
                    f"a cell longer than {MAX_CELL_CHARS:,} characters",
                    where=where,
                    code="cell_too_long",
                    params={"limit": f"{MAX_CELL_CHARS:,}"},
                ) from None
            raise refuse(
                filename,
                f"not a readable CSV file ({error})",
                where=where,
                code="unreadable_csv",
                params={"detail": str(error)[:200]},
            ) from None
        number += 1
        yield number, cells


# -- workbooks -----------------------------------------------------------------------------------------


def sheet_rows(
    sheet: Any, filename: str, *, min_row: int = 1, max_col: int | None = None
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of a read-only sheet from ``min_row``. A broken workbook often fails only
    here, row by row (a bad shared string, an entity bomb, a date out of range): that is a refusal
    naming the sheet and row, not a traceback."""
    width = min(max_col or MAX_COLUMNS, MAX_COLUMNS)
    rows = sheet.iter_rows(min_row=min_row, max_col=width, values_only=True)
    number = min_row - 1
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:  # noqa: BLE001 - openpyxl and the XML parser raise many types; to the user all mean the same
            where = f"sheet {sheet.title}, row {number + 1}"
            detail = workbook_trouble(error)
            raise refuse(
                filename,
                f"not a readable XLSX workbook ({detail})",
                where=where,
                code="unreadable_xlsx",
                params={"detail": detail},
            ) from error
        number += 1
        yield number, tuple(values[:width])


def sheet_values(sheet: Any, filename: str) -> list[tuple[Any, ...]]:
    """Every row of a small sheet (the hidden sheets of metadata), guarded as ``sheet_rows``."""
    return [values for number, values in sheet_rows(sheet, filename) if number <= 10_000]


# -- a table: header row and data rows -----------------------------------------------------------------


@dataclass
class Table:
    """A file's header and its data rows, read as they are needed. ``rows`` gives each data row as
    (file row number, cells), exactly one cell per header (text for CSV; typed values for XLSX);
    blank rows are left out. Problems found while reading (surplus cells) collect in ``problems``:
    call ``problems.raise_if_any()`` after the rows."""

    filename: str
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    problems: Problems
    _close: Any = field(default=None, repr=False)

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_table(
    source: bytes | Path,
    filename: str,
    *,
    limit: int = MAX_IMPORT_BYTES,
    sheet: str | None = None,
    formulas: str = "refuse",
    header_row: int = 1,
) -> Table:
    """Open a CSV (``.csv``, ``.txt``) or XLSX file as a ``Table``: size and zip bombs checked, the
    header checked (not empty, no blank or repeated header). ``sheet`` names a workbook's sheet (by
    default the first). ``formulas="refuse"`` names every formula cell as a problem; ``"keep"`` leaves
    them to the caller. ``header_row``: the file row of the header (``table_heads`` and
    ``header_index`` find it); the rows above it (a title, a blank row) are not read."""
    data = read_source(source, filename, limit)
    lower = filename.lower()
    problems = Problems(filename)
    if lower.endswith(".xlsx"):
        book = open_workbook(data, filename, limit)
        try:
            if sheet is not None and sheet not in book.sheetnames:
                raise refuse(filename, f"no sheet named {sheet!r}", code="empty_sheet")
            if not book.worksheets:
                raise refuse(filename, "the workbook has no sheet", code="empty_sheet")
            ws = book[sheet] if sheet is not None else book.worksheets[0]
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # the sheet's own claim of its size is not to be trusted
            raw: Iterator[tuple[int, Any]] = sheet_rows(ws, filename)
            prefix = f"sheet {ws.title}, "
        except BaseException:
            book.close()
            raise
        closer = book.close
    elif lower.endswith((".csv", ".txt")):
        raw = iter_csv(decode_text(data, filename), filename)
        prefix, closer = "", None
    else:
        raise refuse(filename, "unknown file type: send a CSV or an XLSX file", code="file_type")
    try:
        first = next(raw, None)
        while first is not None and first[0] < header_row:
            first = next(raw, None)
        if first is None:
            raise refuse(filename, "the file is empty", code="empty_file")
        headers = _checked_headers(first[1], filename, prefix, row=first[0])
    except BaseException:
        if closer is not None:
            closer()
        raise
    return Table(filename, headers, _data_rows(raw, headers, problems, prefix, formulas), problems, closer)


#: Rows looked at for a header that is not in the first row (a title, a date, a blank row above it).
HEAD_ROWS = 20


def header_index(rows: Sequence[Sequence[Any]]) -> int:
    """Which of a table's first rows is its header: the first that fills at least half as many cells
    as the fullest of them (and two at least). Exports of asset-management tools put a title, the
    date of the export and a blank row above the header; such rows fill one or two cells, a header
    fills every column. A table whose first row is its header (every template) reads as before."""
    filled = [sum(not _blank(v) for v in cells) for cells in rows]
    fullest = max(filled, default=0)
    if fullest < 2:
        return 0
    return next(i for i, n in enumerate(filled) if n >= max(2, (fullest + 1) // 2))


def table_heads(
    source: bytes | Path, filename: str, *, limit: int = MAX_IMPORT_BYTES
) -> dict[str, list[tuple[Any, ...]]]:
    """The first ``HEAD_ROWS`` rows of a file, to find where its table is: of each worksheet of an
    XLSX workbook by its name (in the workbook's order), of a CSV under ``""``. Row ``i`` of a list is
    the file's row ``i + 1`` (blank rows included)."""
    if not filename.lower().endswith(".xlsx"):
        if isinstance(source, Path):
            check_size(b"", filename, limit, size=source.stat().st_size)
            with source.open("rb") as file:
                data = file.read(1 << 18)
        else:
            data = read_source(source, filename, limit)[: 1 << 18]
        text = decode_text(data, filename)
        rows: list[tuple[Any, ...]] = []
        try:
            for _number, cells in iter_csv(text.lstrip("\ufeff"), filename):
                rows.append(tuple(cells))
                if len(rows) >= HEAD_ROWS:
                    break
        except ImportRefused:
            pass  # a cell cut at the end of the head: what was read before it will do
        return {"": rows}
    book = open_workbook(read_source(source, filename, limit), filename, limit)
    try:
        found: dict[str, list[tuple[Any, ...]]] = {}
        for ws in book.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            found[ws.title] = [
                values for _number, values in itertools.islice(sheet_rows(ws, filename), HEAD_ROWS)
            ]
        return found
    finally:
        book.close()


def sheet_headers(
    source: bytes | Path, filename: str, *, limit: int = MAX_IMPORT_BYTES
) -> dict[str, list[str]]:
    """Each worksheet of an XLSX workbook by its name, in the workbook's order, with the cells of its
    first row as text: for a reader that reads the sheet holding its columns rather than the first."""
    book = open_workbook(read_source(source, filename, limit), filename, limit)
    try:
        found: dict[str, list[str]] = {}
        for ws in book.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            first = next(sheet_rows(ws, filename), None)
            found[ws.title] = [_header_text(v) for v in first[1]] if first is not None else []
        return found
    finally:
        book.close()


def _checked_headers(cells: Iterable[Any], filename: str, prefix: str = "", *, row: int = 1) -> list[str]:
    """The header row (file row ``row``) as text, trailing blanks dropped; refused if empty, too wide,
    with a blank or a repeated header."""
    headers = [_header_text(h) for h in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise refuse(
            filename, "the first row holds no column headers", where=f"{prefix}row {row}", code="blank_header"
        )
    if len(headers) > MAX_COLUMNS:
        raise refuse(
            filename,
            f"more than {MAX_COLUMNS} columns",
            where=f"{prefix}row {row}",
            code="too_many_columns",
            params={"limit": str(MAX_COLUMNS)},
        )
    blank = [i + 1 for i, h in enumerate(headers) if not h]
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    found = [Problem(f"{prefix}row {row}", f"column {i}", "a column without a header") for i in blank]
    found += [Problem(f"{prefix}row {row}", h, "this header is repeated") for h in repeated]
    if found:
        refused = ImportRefused(filename, found)
        refused.code = "repeated_header" if repeated else "blank_header"
        refused.params = {"headers": ", ".join(repeated)} if repeated else {}
        raise refused
    return headers


def _header_text(value: Any) -> str:
    return str(value).strip().lstrip("\ufeff") if value is not None else ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _data_rows(
    raw: Iterator[tuple[int, Any]], headers: list[str], problems: Problems, prefix: str, formulas: str
) -> Iterator[tuple[int, list[Any]]]:
    width = len(headers)
    for number, values in raw:
        cells = list(values)
        if all(_blank(v) for v in cells):
            continue
        if len(cells) > width:
            if any(not _blank(v) for v in cells[width:]):
                problems.add(f"{prefix}row {number}", "-", "more cells than the header has columns")
            del cells[width:]
        elif len(cells) < width:
            cells += [None if prefix else ""] * (width - len(cells))
        if formulas == "refuse":
            for header, value in zip(headers, cells, strict=True):
                if is_formula(value):
                    problems.add(f"{prefix}row {number}", header, "a formula: type the value")
        yield number, cells


def cell_text(value: Any) -> str:
    """A cell as text, as a person reads it: dates as ISO, whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value).strip()


def iter_frames(table: Table, batch_rows: int = 50_000) -> Iterator[tuple[pl.DataFrame, list[int]]]:
    """The table's rows as text frames of at most ``batch_rows`` rows (one String column per header,
    named as in the file), each with the file row number of its rows: bounded memory for big files."""
    columns: list[list[str]] = [[] for _ in table.headers]
    numbers: list[int] = []

    def frame() -> pl.DataFrame:
        return pl.DataFrame(
            {h: pl.Series(h, c, dtype=pl.String) for h, c in zip(table.headers, columns, strict=True)}
        )

    for number, cells in table.rows:
        numbers.append(number)
        for index, value in enumerate(cells):
            columns[index].append(cell_text(value))
        if len(numbers) >= batch_rows:
            yield frame(), numbers
            columns = [[] for _ in table.headers]
            numbers = []
    if numbers:
        yield frame(), numbers


def read_frame(table: Table) -> tuple[pl.DataFrame, pl.Series]:
    """The whole table as one text frame and the file row of each of its rows."""
    frames: list[pl.DataFrame] = []
    numbers: list[int] = []
    for batch, rows in iter_frames(table):
        frames.append(batch)
        numbers += rows
    frame = (
        pl.concat(frames)
        if frames
        else pl.DataFrame({h: pl.Series(h, [], dtype=pl.String) for h in table.headers})
    )
    return frame, pl.Series("row", numbers, dtype=pl.Int64)


@dataclass(frozen=True)
class CsvSource:
    """A CSV checked and ready for polars (``pl.read_csv`` or ``pl.scan_csv`` with ``has_header=True``,
    ``infer_schema=False`` and this separator): encoding, NUL, size and header done."""

    filename: str
    headers: list[str]
    separator: str
    #: UTF-8 text with LF or CRLF line ends, the header line first: the file itself where it is that
    #: already (polars maps it, nothing is copied), else the text converted in memory.
    body: bytes | Path


def prepare_csv(
    source: bytes | Path, filename: str, *, limit: int = MAX_IMPORT_BYTES, polars_checks_utf8: bool = False
) -> CsvSource:
    """Check a CSV for polars: what ``read_table`` checks of the file and its header, in one pass over
    the bytes of a file on disk (in blocks; it stays on disk if it is plain UTF-8).

    ``polars_checks_utf8``: a file on disk is not decoded past its first block, as polars refuses
    text that is not UTF-8 itself (``pl.read_csv`` raises): for a caller that then prepares the file
    again with this off, which decodes it in the encoding it has."""
    if isinstance(source, Path) and _plain_utf8(source, filename, limit, decode=not polars_checks_utf8):
        with source.open("rb") as file:
            head = codecs.getincrementaldecoder("utf-8")().decode(file.read(1 << 20))
        first = next(iter_csv(head, filename), None)
        if first is None:
            raise refuse(filename, "the file is empty", code="empty_file")
        return CsvSource(filename, _checked_headers(first[1], filename), sniff_separator(head), source)
    text = decode_text(read_source(source, filename, limit), filename).lstrip("\ufeff")
    first = next(iter_csv(text, filename), None)
    if first is None:
        raise refuse(filename, "the file is empty", code="empty_file")
    headers = _checked_headers(first[1], filename)
    separator = sniff_separator(text)
    if "\r" in text:
        # polars knows LF and CRLF only; a CR inside a quoted cell becomes a LF, which no import minds.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CsvSource(filename, headers, separator, text.encode("utf-8"))


def _plain_utf8(path: Path, filename: str, limit: int, *, decode: bool = True) -> bool:
    """Whether a file is UTF-8 without BOM, NUL or bare CR: read in blocks, never whole. An ASCII
    block is valid UTF-8 as it is (``isascii`` is far cheaper than decoding), and the CR count is
    taken only of a block that holds a CR. ``decode=False`` decodes the first block only (the header
    is read from it) and leaves the rest to a reader that checks it (polars)."""
    check_size(b"", filename, limit, size=path.stat().st_size)
    decoder = codecs.getincrementaldecoder("utf-8")()
    previous = b""
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            if not previous and block.startswith(codecs.BOM_UTF8):
                return False
            # A block may only be skipped when no multi-byte character is left open before it.
            if (decode or not previous) and not (block.isascii() and decoder.getstate()[0] == b""):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    return False
            joined = previous[-1:] + block
            if b"\x00" in block:
                return False
            if b"\r" in joined and joined.count(b"\r") != joined.count(b"\r\n") + joined.endswith(b"\r"):
                return False
            previous = block
    return bool(previous)


def read_whole_frame(
    source: bytes | Path,
    filename: str,
    *,
    limit: int = MAX_IMPORT_BYTES,
    formulas: str = "refuse",
    strip: bool = True,
    sheet: str | None = None,
    header_row: int = 1,
) -> tuple[list[str], pl.DataFrame, pl.Series]:
    """A whole CSV or XLSX file as (headers, one text frame of stripped cells, the file row of each
    frame row; blank rows left out), or ``ImportRefused`` with every problem. A CSV is read by polars
    (a million rows in about a second, where the csv module takes 20); a file polars would read
    otherwise than the csv module (ragged rows, a cell over ``MAX_CELL_CHARS``, a formula) is read
    again row by row, which names the row.

    ``strip=False`` is for a reader that strips the cells it uses itself: a CSV's cells may then keep
    the spaces around them, and rows of spaces only may stay (rows of empty cells are still left
    out). Stripping every cell of a large file costs a copy of it and half as long as reading it.

    ``sheet`` and ``header_row`` say where the table is (see ``read_table``); a CSV whose header is
    not on its first line is read row by row."""
    if filename.lower().endswith((".csv", ".txt")) and header_row == 1:
        # polars checks that the text is UTF-8 as it reads (decoding it here first costs a sixth as
        # long as the read): a file it refuses is then checked here, and decoded if it is not UTF-8.
        prepared = prepare_csv(source, filename, limit=limit, polars_checks_utf8=True)
        fast = _polars_frame(prepared, formulas, strip)
        if (
            fast is None
            and isinstance(prepared.body, Path)
            and not _plain_utf8(prepared.body, filename, limit)
        ):
            fast = _polars_frame(prepare_csv(source, filename, limit=limit), formulas, strip)
        if fast is not None:
            return fast
    with read_table(
        source, filename, limit=limit, formulas=formulas, sheet=sheet, header_row=header_row
    ) as table:
        frame, rows = read_frame(table)
        table.problems.raise_if_any()
        return table.headers, frame, rows


def read_csv_typed(
    source: bytes | Path,
    filename: str,
    *,
    limit: int = MAX_IMPORT_BYTES,
    typed: Callable[[list[str]], Mapping[str, pl.DataType]],
) -> tuple[list[str], pl.DataFrame, pl.Series] | None:
    """A CSV whose header is its first line, read as ``read_whole_frame`` reads it with ``strip=False``
    except that the columns ``typed(headers)`` names are parsed by polars' reader as the types it gives
    (an empty cell is null): or None wherever that reader would not read the file so (a cell its
    parser refuses, a file that is not plain UTF-8, a ragged row, a cell over ``MAX_CELL_CHARS`` in a
    text column), for the caller to read it as text. Parsing a column of numbers while reading costs
    less than reading it as text and casting it after."""
    try:
        prepared = prepare_csv(source, filename, limit=limit, polars_checks_utf8=True)
    except ImportRefused:
        return None
    return _polars_frame(prepared, "keep", strip=False, typed=typed(prepared.headers))


def _polars_frame(
    csv_source: CsvSource,
    formulas: str,
    strip: bool = True,
    typed: Mapping[str, pl.DataType] | None = None,
) -> tuple[list[str], pl.DataFrame, pl.Series] | None:
    headers = csv_source.headers
    width = len(headers)
    typed = typed or {}
    try:
        frame = pl.read_csv(
            csv_source.body,
            separator=csv_source.separator,
            has_header=True,
            infer_schema=False,
            raise_if_empty=False,
            # By position: the file's headers are unique, polars' names of them may differ.
            schema_overrides=[typed.get(h, pl.String()) for h in headers] if typed else None,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.width < width:
        return None
    surplus = frame.columns[width:]
    if surplus and frame.select(pl.any_horizontal(pl.col(surplus).is_not_null()).any()).item():
        return None
    frame = frame.select(
        (pl.col(old) if new in typed else pl.col(old).fill_null("")).alias(new)
        for old, new in zip(frame.columns[:width], headers, strict=True)
    )
    text = pl.col(pl.String)  # the cells read as text (all but the ``typed`` ones)
    # A cell has at least as many bytes as characters: characters are counted only if bytes are many.
    if (
        frame.height
        and any(h not in typed for h in headers)
        and _longest(frame, text.str.len_bytes()) > MAX_CELL_CHARS
        and _longest(frame, text.str.len_chars()) > MAX_CELL_CHARS
    ):
        return None
    if (
        formulas == "refuse"
        and frame.select(
            pl.any_horizontal(text.str.starts_with("=") & (text.str.len_chars() > 1)).any()
        ).item()
    ):
        return None
    if strip:
        frame = frame.with_columns(text.str.strip_chars())
    # Blank rows: only those with an empty first cell can be; the frame is copied only if there are.
    empty = [pl.col(h).is_null() if h in typed else pl.col(h) == "" for h in headers]
    maybe = frame.select(empty[0]).to_series().arg_true()
    blank = frame[maybe].select(pl.all_horizontal(empty)).to_series()
    rows = pl.int_range(2, frame.height + 2, dtype=pl.Int64, eager=True).rename("row")
    if blank.any():
        keep = pl.repeat(True, frame.height, eager=True).scatter(maybe.filter(blank), False)
        frame, rows = frame.filter(keep), rows.filter(keep)
    return headers, frame, rows


def _longest(frame: pl.DataFrame, length: pl.Expr) -> int:
    return int(frame.select(length.max()).max_horizontal()[0] or 0)


# -- numbers -------------------------------------------------------------------------------------------


class NotANumber(ValueError):
    """Raised if a cell is not a number by the module's rule; the message is for the person who typed it."""


def parse_number(value: Any) -> float:
    """A finite float from a cell (a number, or text by the rule in the module's docstring); raises
    ``NotANumber`` otherwise, never anything else."""
    if isinstance(value, bool) or value is None:
        raise NotANumber(f"a number is expected, not {value!r}")
    if isinstance(value, int):
        if abs(value) > 10**300:
            raise NotANumber("a number is expected, this one is too large")
        return float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotANumber(f"a number is expected, not {value!r}")
        return value
    text = str(value).strip()
    shown = text[:40]
    if not text or len(text) > MAX_NUMBER_CHARS:
        raise NotANumber(f"a number is expected, not {shown!r}")
    plain = _plain_number(_THOUSANDS_SPACES.sub("", text))
    if plain is None or not _SIGNED.match(plain):
        raise NotANumber(f"a number is expected, not {shown!r}")
    number = float(plain)
    if not math.isfinite(number):
        raise NotANumber(f"a number is expected, {shown!r} is too large")
    return number


def _plain_number(text: str) -> str | None:
    """The text with a decimal point and no thousands separators, or None if the separators break the rule."""
    sign = text[0] if text[:1] in "+-" else ""
    body = text[len(sign) :]
    mantissa, e, exponent = body.partition("e") if "e" in body else body.partition("E")
    commas, points = mantissa.count(","), mantissa.count(".")
    if commas and points:
        decimal = "," if mantissa.rfind(",") > mantissa.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, fraction = mantissa.rpartition(decimal)
        if decimal in whole or not _GROUPED.match(whole.replace(thousands, "X")):
            return None
        mantissa = whole.replace(thousands, "") + "." + fraction
    elif commas > 1 or points > 1:
        separator = "," if commas else "."
        if not _GROUPED.match(mantissa.replace(separator, "X")):
            return None
        mantissa = mantissa.replace(separator, "")
    elif commas == 1:
        mantissa = mantissa.replace(",", ".")
    return sign + mantissa + e + exponent


def parse_whole(value: Any, *, low: int = 0, high: int = MAX_WHOLE) -> int:
    """A whole number between ``low`` and ``high`` (by default what a database integer column holds);
    ``NotANumber`` otherwise."""
    number = parse_number(value)
    if not number.is_integer():
        raise NotANumber(f"a whole number is expected, not {str(value)[:40]!r}")
    if not low <= number <= high:
        raise NotANumber(f"a whole number from {low:,} to {high:,} is expected")
    return int(number)


def parse_typed(value: str, *, decimal: str, thousands: str) -> Decimal:
    """A number a person typed in a form, read by the separators of their language (what the pages
    print: ``django.utils.formats``), exactly: "1.234" is 1234 in Dutch and German and 1.234 in
    English. Unlike ``parse_number`` (files, whose language nobody knows), nothing is guessed: the
    decimal separator is the language's; the thousands separator (the language's, or a space of any
    kind) only groups three digits; a point or comma that is neither separator ("1.234" in French or
    Norwegian, whose thousands are grouped by spaces) is ambiguous and refused, as are units, signs
    other than a leading minus or plus, and exponents. Raises ``NotANumber``."""
    text = str(value).strip()
    shown = text[:40]
    if not text or len(text) > MAX_NUMBER_CHARS:
        raise NotANumber(f"a number is expected, not {shown!r}")
    sign = text[0] if text[0] in "+-" else ""
    body = text[len(sign) :].strip()
    groups = set(" \u00a0\u2009\u202f") | ({thousands} if thousands and thousands != decimal else set())
    whole, separator, fraction = body.partition(decimal)
    marked = "".join("X" if c in groups else c for c in whole)
    if (
        not marked
        or (separator and not fraction)
        or not fraction.isascii()
        or (fraction and not fraction.isdigit())
    ):
        raise NotANumber(f"a number is expected, not {shown!r}")
    if not (marked.isascii() and marked.isdigit()) and not _GROUPED.match(marked):
        raise NotANumber(f"a number is expected, not {shown!r}")
    return Decimal(sign + marked.replace("X", "") + ("." + fraction if fraction else ""))


# -- JSON ----------------------------------------------------------------------------------------------

#: Nesting an import's JSON may have; the deepest real document (a criteria export) has 6 levels.
MAX_JSON_DEPTH = 32


def load_json(data: bytes, filename: str) -> Any:
    """A JSON document of an upload: UTF-8 (a BOM is allowed), no NaN or Infinity, at most
    ``MAX_JSON_DEPTH`` levels deep; anything else is a refusal, never a RecursionError."""

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    check_size(data, filename)
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_constant=no_constant)
    except RecursionError:
        raise refuse(filename, f"not valid JSON: nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as error:  # also UnicodeDecodeError, JSONDecodeError and integers over 4300 digits
        raise refuse(filename, f"not valid JSON: {str(error)[:200]}") from None
    check_shape(document, filename)
    return document


#: Values a JSON or YAML document may hold: a YAML file of nested aliases ("billion laughs") expands
#: to billions when walked, though it loads small.
MAX_DOCUMENT_NODES = 2_000_000


def check_shape(document: Any, filename: str) -> None:
    """Refuse a loaded JSON or YAML document nested deeper than ``MAX_JSON_DEPTH`` or holding more than
    ``MAX_DOCUMENT_NODES`` values (counted as walked, so shared aliases count each time), before any
    recursive code (validation, the database) walks it."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_JSON_DEPTH:
            raise refuse(filename, f"nested deeper than {MAX_JSON_DEPTH} levels")
        if nodes > MAX_DOCUMENT_NODES:
            raise refuse(filename, f"holds more than {MAX_DOCUMENT_NODES:,} values")
        if isinstance(node, dict):
            stack += [(v, depth + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, depth + 1) for v in node]
