"""Untrusted files: the checks every import applies before reading a byte of content.

An uploaded workbook is a zip archive that may unpack to gigabytes, a CSV may be huge, a cell may
hold a formula that a spreadsheet would run: all are refused here with one clear message, before
any parsing, so each import only has to deal with well-formed content. Plain Python, no Django.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

MAX_IMPORT_BYTES = 20 * 1024 * 1024
#: A workbook may unpack to at most this much; real templates unpack to a few times their size.
MAX_UNPACKED_BYTES = 10 * MAX_IMPORT_BYTES


@dataclass(frozen=True)
class Problem:
    where: str  #: e.g. "row 7", "sheet Lot 1, row 12" or "criteria[3] (nb-warranty-b)"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.message}"


class ImportRefused(Exception):
    """Raised if an import file has any problem; ``problems`` lists each, and nothing was written."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        self.filename = filename
        self.problems = problems
        shown = "\n".join(f"{filename}: {p}" for p in problems[:50])
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{filename}: refused, {len(problems)} problem(s), nothing imported\n{shown}{more}")


def refuse(filename: str, message: str, where: str = "file", field: str = "-") -> ImportRefused:
    return ImportRefused(filename, [Problem(where, field, message)])


def describe_size(size: int) -> str:
    return f"{size / 1_000_000:g} MB" if size >= 1_000_000 else f"{size / 1000:g} kB"


def check_size(data: bytes, filename: str, limit: int = MAX_IMPORT_BYTES) -> None:
    if len(data) > limit:
        raise refuse(filename, f"larger than {describe_size(limit)}")


def open_workbook(data: bytes, filename: str, limit: int = MAX_IMPORT_BYTES) -> Any:
    """Open an XLSX read-only after checking its size and what it unpacks to (zip bombs)."""
    from openpyxl import load_workbook

    check_size(data, filename, limit)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > max(MAX_UNPACKED_BYTES, 10 * limit):
            raise refuse(filename, "unpacks to too much data (a zip bomb?)")
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many types for a broken file: all mean the same to the user
        raise refuse(filename, f"not a readable XLSX workbook ({error.__class__.__name__})") from error


def is_formula(value: Any) -> bool:
    """A cell that a spreadsheet would compute; imports take typed values only."""
    return isinstance(value, str) and value.startswith("=") and len(value) > 1
