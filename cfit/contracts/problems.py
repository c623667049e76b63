"""The problems of a refused contract or factory file (``cfit.contracts.rows``) in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cfit.contracts.rows import RowProblem, english
from cfit.fleet.problems import MESSAGES as REGISTER_MESSAGES

#: The message of each code of ``rows.MESSAGES``, with the same parameters.
MESSAGES = {
    "refused_file": gettext_lazy("%(text)s"),
    "required_column": gettext_lazy("required column missing"),
    "required": gettext_lazy("required: the cell is empty"),
    "too_long": gettext_lazy("longer than %(limit)s characters"),
    "formula": gettext_lazy("a formula: type the value"),
    "more_cells": gettext_lazy("more cells than the header has columns"),
    "too_many_rows": gettext_lazy("more than %(limit)s rows"),
    "no_rows": gettext_lazy("the file has no rows to import"),
    "not_country": gettext_lazy("not a two-letter ISO 3166 country code"),
    "unknown_value": gettext_lazy("unknown value (use one of %(codes)s)"),
    "not_whole": gettext_lazy("not a whole number"),
    "not_number": gettext_lazy("not a number"),
    "out_of_range": gettext_lazy("out of range (%(low)s to %(high)s)"),
    "not_date": gettext_lazy("not a date: write it as one of %(formats)s"),
    "not_currency": gettext_lazy("not a three-letter ISO 4217 currency code"),
    "ends_before_start": gettext_lazy("the contract ends before it starts"),
    "duplicate_row": gettext_lazy("the same record is on row %(other)s"),
    "exists": gettext_lazy("already on the platform: %(what)s"),
    "unknown_version": gettext_lazy("no published framework version %(version)s"),
    "unknown_criterion": gettext_lazy("no criterion %(codes)s in framework version %(version)s"),
    "factory_has_other_id": gettext_lazy("%(factory)s has another Open Supply Hub id: %(os_id)s"),
    "no_sheet_with_columns": gettext_lazy("no sheet holds the columns %(columns)s (sheets: %(sheets)s)"),
    "several_sheets": gettext_lazy(
        "the sheets %(sheets)s all hold the columns %(columns)s: choose the sheet to read"
    ),
}


def describe(problem: RowProblem) -> str:
    """A problem as "row 3, country: …" (in a workbook "sheet Contracts, row 3, country: …") in the
    active language."""
    template = MESSAGES.get(problem.code) or REGISTER_MESSAGES.get(problem.code)
    try:
        message = str(template) % dict(problem.params) if template is not None else ""
    except (KeyError, TypeError, ValueError):
        message = ""
    message = message or english(problem.code, dict(problem.params))
    if problem.sheet and not problem.row:
        return _("sheet %(sheet)s: %(message)s") % {"sheet": problem.sheet, "message": message}
    if problem.sheet:
        return _("sheet %(sheet)s, row %(row)s, %(field)s: %(message)s") % {
            "sheet": problem.sheet,
            "row": problem.row,
            "field": problem.field,
            "message": message,
        }
    if not problem.row:
        return _("file: %(message)s") % {"message": message}
    return _("row %(row)s, %(field)s: %(message)s") % {
        "row": problem.row,
        "field": problem.field,
        "message": message,
    }
