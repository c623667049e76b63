"""The problems of a register file as codes with parameters, grouped by message.

A file with 196 rows of one mistake has one problem with 196 rows, not 196 problems: each group
names its code and parameters, the column (standard name and the file's own header), how many rows,
the first rows and a few of the values. English here (command line, API); the pages render the same
codes in the user's language (``cfit.fleet.problems``). Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cfit.uploads import ImportRefused, Problem

#: Every problem code and its English message; ``{name}`` marks a parameter.
MESSAGES: dict[str, str] = {
    # the file
    "empty_file": "the file is empty",
    "file_type": "unknown file type: send a CSV or an XLSX file",
    "too_large": "larger than {size}",
    "unreadable_csv": "not a readable CSV file ({detail})",
    "unreadable_xlsx": "not a readable XLSX workbook ({detail})",
    "zip_bomb": "unpacks to too much data (a zip bomb?)",
    "empty_sheet": "the first sheet is empty",
    "repeated_header": "the header repeats {headers}",
    "blank_header": "every column needs a distinct header in row 1",
    "formula": "a formula: type the value",
    "more_problems": "{count} more problem(s) not listed",
    # the mapping
    "not_standard": "not a standard column",
    "mapped_twice": "two columns of the file are mapped to it",
    "required_column": "required column missing",
    # the cells
    "too_long": "longer than {limit} characters",
    "required": "required: the cell is empty",
    "unknown_value": "unknown value (use one of {codes})",
    "no_country": "required: no country given and no default country",
    "not_country": "not a two-letter ISO 3166 country code",
    "not_date": "not a date (accepted: {formats})",
    "future": "in the future",
    "before_1980": "before 1980",
    "not_number": "not a number",
    "out_of_range": "out of range ({low} to {high})",
    "not_whole": "not a whole number",
    # across cells
    "retired_without_date": "a retired device needs its retirement date",
    "retired_no_date_column": (
        "a retired device needs its retirement date, and no column of the file is mapped to it: "
        "add a column with the date each device left use, or leave its rows out"
    ),
    "date_not_retired": "a retirement date for a device that is not retired",
    "before_purchase": "before the purchase date",
    "route_not_retired": "an end-of-use route for a device that is not retired",
    "duplicate_key": "the same asset key is on another row",
    # notes: what the reader did, though nothing is wrong (``check_register``'s ``notes``)
    "totals_left_out": "left out as a totals row, not a device",
    "dates_month_first": (
        "dates read with the month first (“03/31/2024” is 31 March 2024), as the column writes them: "
        "some of its dates have a day over 12 second, none first"
    ),
    "dates_day_first_assumed": (
        "dates read with the day first (“03/04/2024” is 3 April 2024), though none of them shows the "
        "order: if the file writes the month first, import it again with dates read month first"
    ),
}
#: The codes of ``MESSAGES`` that are notes, not problems.
NOTES = frozenset({"totals_left_out", "dates_month_first", "dates_day_first_assumed"})
MAX_ROWS = 20  #: rows named per group
MAX_EXAMPLES = 5  #: distinct values quoted per group


def english(code: str, params: Mapping[str, Any]) -> str:
    return MESSAGES[code].format(**params)


@dataclass(frozen=True)
class ProblemGroup:
    """One message of a refused file: on which column, how many rows, which ones, which values."""

    code: str
    params: tuple[tuple[str, str], ...] = ()
    column: str = ""  #: the standard column, "" for the whole file
    header: str = ""  #: the file's own header of the column
    count: int = 1  #: rows with this problem (all of them, not only the ones named)
    rows: tuple[int, ...] = ()  #: the first rows, as the file numbers them
    examples: tuple[str, ...] = ()  #: a few of the values, as the file writes them

    @property
    def message(self) -> str:
        return english(self.code, dict(self.params))

    def describe(self) -> str:
        """The group in one English line, as the pages say it (``cfit.fleet.problems.describe``)."""
        text = self.message
        if self.header or self.column:
            text = f"{self.header or self.column}: {text}"
        if self.rows and self.count:
            more = self.count - len(self.rows)
            rows = ", ".join(str(r) for r in self.rows) + (f" and {more} more" if more > 0 else "")
            text += f" — {self.count} row{'s' if self.count != 1 else ''} ({rows})"
        if self.examples:
            text += "; e.g. " + ", ".join(f"“{v}”" for v in self.examples)
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": dict(self.params),
            "column": self.column,
            "header": self.header,
            "count": self.count,
            "rows": list(self.rows),
            "examples": list(self.examples),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProblemGroup:
        return cls(
            str(data["code"]),
            tuple((str(k), str(v)) for k, v in dict(data.get("params", {})).items()),
            str(data.get("column", "")),
            str(data.get("header", "")),
            int(data.get("count", 1)),
            tuple(int(r) for r in data.get("rows", [])),
            tuple(str(e) for e in data.get("examples", [])),
        )


def group(
    code: str,
    params: Mapping[str, Any] | None = None,
    *,
    column: str = "",
    header: str = "",
    count: int = 1,
    rows: Sequence[int] = (),
    examples: Sequence[str] = (),
) -> ProblemGroup:
    return ProblemGroup(
        code,
        tuple((k, str(v)) for k, v in (params or {}).items()),
        column,
        header,
        count,
        tuple(rows[:MAX_ROWS]),
        tuple(examples[:MAX_EXAMPLES]),
    )


class RegisterRefused(ImportRefused):
    """Raised if a register file has any problem: ``groups`` holds them coded and grouped by message;
    ``problems`` lists them one by one in English (the first ones), as every import does."""

    def __init__(self, filename: str, problems: list[Problem], groups: list[ProblemGroup]) -> None:
        super().__init__(filename, problems)
        self.groups = groups


def refused(filename: str, groups: list[ProblemGroup]) -> RegisterRefused:
    """A refusal from groups alone (file and mapping problems: one line each)."""
    problems = [
        Problem(
            f"row {g.rows[0]}"
            if g.rows
            else ("mapping" if g.code in ("not_standard", "mapped_twice") else "file"),
            g.header or g.column or "-",
            g.message,
        )
        for g in groups
    ]
    return RegisterRefused(filename, problems, groups)
