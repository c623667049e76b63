"""The XLSX template a provider fills with its facilities' yearly values, and its reader.

One sheet, one row per facility and year, one column per value: the header row holds the value keys
(the same in every language, so a Dutch file reads like an English one); the second row their label
and unit in the user's language. The reader takes the file through ``cfit.tabular`` (size, zip bombs,
formulas refused) and refuses the whole file with every problem named by sheet, row and field.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from cfit.datacentres.indicators import QUANTITY
from cfit.datacentres.models import REPORT_KEYS, Facility
from cfit.datacentres.present import field_label
from cfit.downloads import keep_cells_as_text
from cfit.tabular import NotANumber, parse_number, parse_whole, read_table
from cfit.uploads import Problems, refuse

SHEET = "reports"
COLUMNS = ("facility_code", "year", *REPORT_KEYS)
#: The second row of the template: labels for people, skipped by the reader.
LABEL_MARK = "#"


def build_template(facilities: list[Facility], years: list[int]) -> bytes:
    """The template, pre-filled with a row per facility and year (values empty), labels in the active language."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    labels = [LABEL_MARK + _("facility code"), _("reporting year")]
    for key in REPORT_KEYS:
        quantity = QUANTITY.get(key)
        note = f" — {quantity.annex}" if quantity else ""
        labels.append(f"{field_label(key)}{note}")
    sheet.append(labels)
    for facility in facilities:
        for year in years:
            sheet.append([facility.code, year])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True)
    help_sheet = book.create_sheet(_("How to fill"))
    for line in (
        _("One row per data centre and calendar year; the facility code identifies the data centre."),
        _("Leave a cell empty when a value was not measured: an empty cell is 'not reported', never zero."),
        _(
            "Values in the units of Delegated Regulation (EU) 2024/1364 shown in row 2; numbers only, no formulas."
        ),
        _(
            "PUE, WUE, ERF and REF are computed from the values; fill the 'as you state it' columns only to compare."
        ),
    ):
        help_sheet.append([line])
    for facility in facilities:
        help_sheet.append([facility.code, facility.name])
    buffer = io.BytesIO()
    keep_cells_as_text(book)  # a facility named "=HYPERLINK(…)" stays text, never a formula
    book.save(buffer)
    return buffer.getvalue()


def read_template(
    data: bytes, filename: str, facilities: Mapping[str, Facility]
) -> list[tuple[Facility, int, dict[str, float | None]]]:
    """The rows of a filled template for the provider's ``facilities`` (by code); refused as a whole.

    ImportRefused lists every problem as "sheet reports, row N, field: message".
    """
    rows: list[tuple[Facility, int, dict[str, float | None]]] = []
    seen: set[tuple[str, int]] = set()
    with read_table(data, filename, sheet=SHEET) as table:
        problems: Problems = table.problems
        missing = [c for c in ("facility_code", "year") if c not in table.headers]
        if missing:
            problems.add(f"sheet {SHEET}, row 1", ", ".join(missing), _("a required column is missing"))
            problems.raise_if_any()
        unknown = [h for h in table.headers if h not in COLUMNS]
        for header in unknown:
            problems.add(f"sheet {SHEET}, row 1", header, _("an unknown column"))
        for number, cells in table.rows:
            record = dict(zip(table.headers, cells, strict=True))
            code_cell = record.get("facility_code")
            code = "" if code_cell is None else str(code_cell).strip()
            if code.startswith(LABEL_MARK):
                continue
            where = f"sheet {SHEET}, row {number}"
            facility = facilities.get(code.upper())
            if facility is None:
                problems.add(where, "facility_code", _("not the code of one of your data centres"))
                continue
            try:
                year = parse_whole(record.get("year"), low=2000, high=2100)
            except NotANumber:
                problems.add(where, "year", _("a calendar year between 2000 and 2100"))
                continue
            if (code, year) in seen:
                problems.add(where, "year", _("this data centre and year are already in an earlier row"))
                continue
            seen.add((code, year))
            values: dict[str, float | None] = {}
            for key in REPORT_KEYS:
                cell: Any = record.get(key)
                if cell is None or (isinstance(cell, str) and not cell.strip()):
                    values[key] = None
                    continue
                try:
                    figure = parse_number(cell)
                except NotANumber:
                    problems.add(where, key, _("not a number (numbers only, without units)"))
                    continue
                if figure < 0:
                    problems.add(where, key, _("negative: a reported quantity cannot be below zero"))
                values[key] = figure
            rows.append((facility, year, values))
        problems.raise_if_any()
    if not rows:
        raise refuse(filename, _("no filled row: add a row per data centre and year"), code="empty_file")
    return rows
