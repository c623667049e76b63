"""A refused register's problems in the user's language: every code of ``impact.problems`` translated,
grouped by message, with counts, rows and examples; and the file annotated row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cfit.criteria.exchange import neutralise_formula
from cfit.impact.problems import ProblemGroup
from cfit.refusals import parameter_text

#: The message of each problem code (``impact.problems.MESSAGES``), with the same parameters.
MESSAGES = {
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
    "more_problems": gettext_lazy("%(count)s more problem(s) not listed"),
    "not_standard": gettext_lazy("not a standard column"),
    "mapped_twice": gettext_lazy("two columns of the file are mapped to it"),
    "required_column": gettext_lazy("required column missing"),
    "too_long": gettext_lazy("longer than %(limit)s characters"),
    "required": gettext_lazy("required: the cell is empty"),
    "unknown_value": gettext_lazy("unknown value (use one of %(codes)s)"),
    "no_country": gettext_lazy("required: no country given and no default country"),
    "not_country": gettext_lazy("not a two-letter ISO 3166 country code"),
    "not_date": gettext_lazy("not a date: write it as one of %(formats)s"),
    "future": gettext_lazy("in the future"),
    "before_1980": gettext_lazy("before 1980"),
    "not_number": gettext_lazy("not a number"),
    "out_of_range": gettext_lazy("out of range (%(low)s to %(high)s)"),
    "not_whole": gettext_lazy("not a whole number"),
    "retired_without_date": gettext_lazy("a retired device needs its retirement date"),
    "retired_no_date_column": gettext_lazy(
        "a retired device needs its retirement date, and no column of the file is mapped to it: "
        "add a column with the date each device left use, or leave its rows out"
    ),
    "date_not_retired": gettext_lazy("a retirement date for a device that is not retired"),
    "before_purchase": gettext_lazy("before the purchase date"),
    "route_not_retired": gettext_lazy("an end-of-use route for a device that is not retired"),
    "duplicate_key": gettext_lazy("the same asset key is on another row"),
    "totals_left_out": gettext_lazy("left out as a totals row, not a device"),
    "dates_month_first": gettext_lazy(
        "dates read with the month first (“03/31/2024” is 31 March 2024), as the column writes them: "
        "some of its dates have a day over 12 second, none first"
    ),
    "dates_day_first_assumed": gettext_lazy(
        "dates read with the day first (“03/04/2024” is 3 April 2024), though none of them shows the "
        "order: if the file writes the month first, import it again with dates read month first"
    ),
}


def message(code: str, params: Mapping[str, Any]) -> str:
    """One problem's message in the active language."""
    template = MESSAGES.get(code)
    if template is None:
        return str(params.get("text", code))
    # what is wrong with an unreadable workbook is said in the reader's language too
    return str(template) % {
        key: parameter_text(key, value) if key == "detail" and isinstance(value, str) else value
        for key, value in params.items()
    }


def _rows(found: ProblemGroup) -> str:
    shown = ", ".join(str(r) for r in found.rows)
    more = found.count - len(found.rows)
    if more > 0:
        return _("%(rows)s and %(more)s more") % {"rows": shown, "more": more}
    return shown


def describe(found: ProblemGroup) -> str:
    """One line per group: the column as the file calls it, the message, how many rows, which, and a
    few of the values."""
    text = message(found.code, dict(found.params))
    if found.header or found.column:
        text = _("%(column)s: %(message)s") % {"column": found.header or found.column, "message": text}
    if found.rows and found.count:
        text += " — " + ngettext("%(count)s row (%(rows)s)", "%(count)s rows (%(rows)s)", found.count) % {
            "count": found.count,
            "rows": _rows(found),
        }
    if found.examples:
        text += "; " + _("e.g. %(values)s") % {"values": ", ".join(f"“{v}”" for v in found.examples)}
    return text


def stored_groups(problems: Sequence[Any]) -> list[ProblemGroup]:
    """The groups an import stored (older imports stored plain texts: kept as they were)."""
    out = []
    for item in problems:
        if isinstance(item, Mapping) and "code" in item:
            out.append(ProblemGroup.from_dict(item))
        else:
            out.append(ProblemGroup("", (("text", str(item)),)))
    return out


def described(problems: Sequence[Any]) -> list[str]:
    return [describe(g) for g in stored_groups(problems)]


def annotated_csv(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    checks: Sequence[tuple[str, Mapping[str, Any], str]],
    flags: Mapping[int, Sequence[int]],
) -> str:
    """The file as CSV with a last column that says each row's problems: ``checks`` are the rules
    (code, parameters, column as the file calls it), ``flags`` the rules each row index breaks."""
    rendered = [
        _("%(column)s: %(message)s") % {"column": column, "message": message(code, params)}
        if column
        else message(code, params)
        for code, params, column in checks
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*(neutralise_formula(h) for h in headers), _("Problems")])  # the file's own words
    for index, row in enumerate(rows):
        notes = "; ".join(rendered[i] for i in flags.get(index, ()))
        writer.writerow([neutralise_formula(v) if isinstance(v, str) else v for v in row] + [notes])
    return out.getvalue()
