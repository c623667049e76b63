"""A refused file's problems in the reader's language: the one place their codes become sentences.

The readers (``cfit.tabular``, ``cfit.cloud.focus``, the data-centre template, …) are plain Python and
say each problem in English for the command line and the logs, with a code and parameters
(``cfit.uploads.Problem``); the pages say the same codes here, in the active language. A problem
without a code (a reader not moved to codes yet) keeps its English message; where it is in the file
("row 7", "sheet reports, row 3", "header") is translated whatever the reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cfit.uploads import ImportRefused, Problem

#: The message of each code, with the reader's parameters as ``%(name)s``. The codes of the file as a
#: whole (``cfit.tabular``) are shared by every reader; the others are prefixed by their reader.
MESSAGES = {
    # the file as a whole (cfit.tabular, cfit.uploads)
    "empty_file": gettext_lazy("the file is empty"),
    "file_type": gettext_lazy("unknown file type: send a CSV or an XLSX file"),
    "too_large": gettext_lazy("larger than %(size)s"),
    "unreadable_csv": gettext_lazy("not a readable CSV file (%(detail)s)"),
    "unreadable_xlsx": gettext_lazy("not a readable XLSX workbook (%(detail)s)"),
    "zip_bomb": gettext_lazy("unpacks to too much data (a zip bomb?)"),
    "empty_sheet": gettext_lazy("the first sheet is empty"),
    "repeated_header": gettext_lazy("the header repeats %(headers)s"),
    "blank_header": gettext_lazy("every column needs a distinct header in row 1"),
    "formula": gettext_lazy("a formula: type the value"),
    # a cloud provider's FOCUS export (cfit.cloud.focus.MESSAGES)
    "focus:focus_too_old": gettext_lazy(
        "columns of FOCUS 0.5 or earlier: cfit reads FOCUS 1.0, 1.1 and 1.2 (export the file again in a "
        "current FOCUS version)"
    ),
    "focus:not_focus_column": gettext_lazy(
        "not a column of FOCUS 1.0, 1.1 or 1.2 (custom columns must start with “x_”)"
    ),
    "focus:required_column": gettext_lazy("required column missing"),
    "focus:repeated_column": gettext_lazy("column given more than once"),
    "focus:column_type": gettext_lazy("holds %(type)s, not text, a number or a date-time"),
    "focus:too_slow": gettext_lazy("not a readable FOCUS file (reading it took too long)"),
    "focus:unreadable": gettext_lazy("not a readable FOCUS file (%(detail)s)"),
    "focus:not_utf8": gettext_lazy("not a UTF-8 CSV file or a Parquet file, as FOCUS exports are"),
    "focus:no_header": gettext_lazy("empty file: a FOCUS export starts with a row of column names"),
    "focus:not_number": gettext_lazy("not a number: “%(value)s”"),
    "focus:negative_usage": gettext_lazy(
        "negative usage (%(value)s) in a charge that is neither a correction nor a reversal"
    ),
    "focus:quantity_without_unit": gettext_lazy("a consumed quantity (%(value)s) needs its unit"),
    "focus:not_date_time": gettext_lazy("not a FOCUS date-time (e.g. 2024-09-18T22:00:00Z): “%(value)s”"),
    "focus:unknown_charge_category": gettext_lazy("“%(value)s” is none of %(categories)s"),
    "focus:missing": gettext_lazy("missing (FOCUS does not allow it to be empty)"),
    "focus:unit": gettext_lazy("not a unit cfit can convert: “%(value)s”"),
}

#: Where a problem is, as the readers write it, and how the reader reads it.
_WHERE: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"file"), lambda m: _("file")),
    (re.compile(r"header"), lambda m: _("header")),
    (re.compile(r"row (?P<row>\d+)"), lambda m: _("row %(row)s") % m.groupdict()),
    (
        re.compile(r"sheet (?P<sheet>.+), row (?P<row>\d+)"),
        lambda m: _("sheet %(sheet)s, row %(row)s") % m.groupdict(),
    ),
]


def where_text(where: str) -> str:
    for pattern, say in _WHERE:
        if found := pattern.fullmatch(where):
            return say(found)
    return where


def message_text(problem: Problem, reader: str = "") -> str:
    """A problem's message in the active language (its English one where it has no known code)."""
    template = (
        MESSAGES.get(f"{reader}:{problem.code}") or MESSAGES.get(problem.code) if problem.code else None
    )
    if template is None:
        return problem.message
    return str(template) % dict(problem.params)


def problem_text(problem: Problem, reader: str = "") -> str:
    """ "row 7, ConsumedUnit: a consumed quantity (3) needs its unit", in the active language."""
    parts = [where_text(problem.where)]
    if problem.field and problem.field != "-":
        parts.append(problem.field)
    return f"{', '.join(parts)}: {message_text(problem, reader)}"


def refusal_texts(error: ImportRefused, reader: str = "", *, with_filename: bool = True) -> list[str]:
    """Every problem listed by a refusal, one line each, and how many more were found."""
    prefix = f"{error.filename}: " if with_filename else ""
    texts = [prefix + problem_text(p, reader) for p in error.problems]
    if error.count > len(error.problems):
        texts.append(_("… and %(n)s more") % {"n": error.count - len(error.problems)})
    return texts
