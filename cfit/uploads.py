"""Untrusted files: the checks every import applies before reading a byte of content.

An uploaded workbook is a zip archive that may unpack to gigabytes, a CSV may be huge, a cell may
hold a formula that a spreadsheet would run: all are refused here with one clear message, before
any parsing, so each import only has to deal with well-formed content. Plain Python, no Django.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

#: The largest file any import takes, through a page, the API or a command alike.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
#: A fleet register is the one file that grows with the organisation: a national register of a million
#: devices is 60-120 MB as CSV. Pages, the API and the commands all take registers up to this size
#: (``FLEET_REGISTER_MAX_BYTES`` changes it for the platform).
MAX_REGISTER_BYTES = 160 * 1024 * 1024
#: How many times its size a large workbook may unpack to; real ones pack their XML 5 to 20 times.
MAX_WORKBOOK_RATIO = 100
#: A workbook may unpack to at most this much; real templates unpack to a few times their size.
MAX_UNPACKED_BYTES = 10 * MAX_IMPORT_BYTES
#: Problems listed one by one in a refusal; the rest are counted. A file with three million bad cells
#: needs its first mistakes shown, not a list that eats the memory the import was meant to save.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    where: str  #: e.g. "row 7", "sheet Lot 1, row 12" or "criteria[3] (nb-warranty-b)"
    field: str
    message: str  #: in English (the command line, the logs)
    #: the message again as a code with parameters, for pages that say it in the reader's language
    #: (``cfit.refusals``); "" where the reader has no code for it yet
    code: str = dataclass_field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = dataclass_field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.message}"


class ImportRefused(Exception):
    """Raised if an import file has any problem; ``problems`` lists each, and nothing was written."""

    def __init__(self, filename: str, problems: list[Problem], count: int | None = None) -> None:
        self.filename = filename
        self.problems = problems  #: collect them with ``Problems`` to keep the list short
        #: All problems found, also those not listed.
        self.count = max(count or 0, len(problems))
        shown = "\n".join(f"{filename}: {p}" for p in problems[:50])
        more = f"\n… and {self.count - 50} more" if self.count > 50 else ""
        super().__init__(f"{filename}: refused, {self.count} problem(s), nothing imported\n{shown}{more}")
        #: What is wrong with the file as a whole, as a code with parameters (``refuse``), for readers
        #: that render problems in the user's language; "" where the problems say it row by row.
        self.code = ""
        self.params: dict[str, str] = {}


class Problems:
    """The problems of one file as they are found: the first ``MAX_PROBLEMS`` kept, all counted."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.found: list[Problem] = []
        self.count = 0

    def add(
        self, where: str, field: str, message: str, *, code: str = "", params: dict[str, str] | None = None
    ) -> None:
        self.count += 1
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(Problem(where, field, message, code, tuple((params or {}).items())))

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self.count:
            raise ImportRefused(self.filename, self.found, self.count)


def refuse(
    filename: str,
    message: str,
    where: str = "file",
    field: str = "-",
    *,
    code: str = "",
    params: dict[str, str] | None = None,
) -> ImportRefused:
    """One problem that refuses the file; ``code`` and ``params`` say it again for translation."""
    error = ImportRefused(filename, [Problem(where, field, message, code, tuple((params or {}).items()))])
    error.code, error.params = code, dict(params or {})
    return error


def describe_size(size: int) -> str:
    """A limit as people read it: the limits are whole mebibytes ("20 MB", not "20.9715 MB")."""
    if size >= 1 << 20:
        return f"{size / (1 << 20):.3g} MB"
    return f"{size / 1024:.3g} kB"


def check_size(data: bytes, filename: str, limit: int = MAX_IMPORT_BYTES, *, size: int | None = None) -> None:
    if (len(data) if size is None else size) > limit:
        shown = describe_size(limit)
        raise refuse(filename, f"larger than {shown}", code="too_large", params={"size": shown})


def open_workbook(
    data: bytes, filename: str, limit: int = MAX_IMPORT_BYTES, *, data_only: bool = False
) -> Any:
    """Open an XLSX read-only after checking its size and what it unpacks to (zip bombs).
    ``data_only`` reads each formula cell's cached value (what the spreadsheet last computed and
    saved) instead of the formula: for templates whose own formulas fill cells (RMI's CMRT/EMRT)."""
    from openpyxl import load_workbook

    check_size(data, filename, limit)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            members = len(archive.infolist())
        # Two rules: never more than ten times the file limit, and beyond MAX_UNPACKED_BYTES only at a
        # workbook's own compression (spreadsheets' XML packs 5-20 times; a bomb packs up to 1,000).
        if unpacked > max(MAX_UNPACKED_BYTES, 10 * limit) or (
            unpacked > MAX_UNPACKED_BYTES and unpacked > MAX_WORKBOOK_RATIO * len(data)
        ):
            raise refuse(filename, "unpacks to too much data (a zip bomb?)", code="zip_bomb")
        if members > 10_000:
            raise refuse(filename, "holds too many parts for a workbook", code="zip_bomb")
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many types for a broken file: all mean the same to the user
        detail = error.__class__.__name__
        raise refuse(
            filename,
            f"not a readable XLSX workbook ({detail})",
            code="unreadable_xlsx",
            params={"detail": detail},
        ) from error


def is_formula(value: Any) -> bool:
    """A cell that a spreadsheet would compute; imports take typed values only."""
    return isinstance(value, str) and value.startswith("=") and len(value) > 1
