"""The report as a workbook: a template to fill offline (pre-filled values included), read back with
every problem named by row and column. Plain Python on openpyxl; the report's values come in as a dict.

Layout of the "Report" sheet: row 1 title, row 2 instructions, row 4 headers, data from row 5; column A
holds the machine id ``indicator|key`` (hidden), F the value to fill, G and H the low and high bound of
an emissions figure. A hidden "cfit" sheet names the format, the year and the organisation, so that a
workbook of another year or organisation is refused, and the language the workbook was made in: a
figure typed as text ("1,234") is read by that language's separators, the one rule of the pages
(``numberfields.typed_number``), never guessed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from cfit.criteria.exchange import neutralise_formula
from cfit.monitoring.actions import MonitoringError, parse_value
from cfit.monitoring.indicators import BY_CODE, INDICATORS, Kind
from cfit.numberfields import example, typed_number
from cfit.tabular import NotANumber, sheet_rows, sheet_values
from cfit.uploads import Problems, is_formula, open_workbook, refuse

FORMAT = "cfit-monitoring-report-1"
FIRST_ROW = 5
SHEET = "Report"


def build_template(
    *, year: int, organisation_slug: str, organisation_name: str, values: Mapping[tuple[str, str], Any],
    key_labels: Mapping[str, str], bounds: Mapping[tuple[str, str], tuple[Any, Any]] | None = None,
) -> bytes:  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet["A1"] = _("Monitoring report %(year)s: %(name)s") % {"year": year, "name": organisation_name}
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _(
        "Fill column F (and, for emissions, the low and high bounds in G and H). Pre-filled figures come "
        "from your tenders and device register: check them. Leave a cell empty if you do not know the "
        "figure. Upload the file on the report's page."
    )
    headers = [
        "id",
        _("Indicator"),
        _("Breakdown"),
        _("Unit"),
        _("Definition"),
        _("Value"),
        _("Low"),
        _("High"),
    ]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=4, column=column, value=header)
        cell.font = Font(bold=True)
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    decimal = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    percent = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
    )
    for validation in (whole, decimal, percent):
        validation.error = _("Enter a number of zero or more (percentages up to 100).")
        sheet.add_data_validation(validation)
    row = FIRST_ROW
    fill = PatternFill("solid", fgColor="FFF7D6")
    for indicator in INDICATORS:
        for key in indicator.keys:
            sheet.cell(row=row, column=1, value=f"{indicator.code}|{key}")
            sheet.cell(row=row, column=2, value=str(indicator.label))
            sheet.cell(row=row, column=3, value=key_labels.get(key, key))
            sheet.cell(row=row, column=4, value=indicator.unit and str(indicator.unit))
            sheet.cell(row=row, column=5, value=str(indicator.definition)).alignment = Alignment(
                wrap_text=True
            )
            value = values.get((indicator.code, key))
            cell = sheet.cell(
                row=row, column=6, value=neutralise_formula(value) if isinstance(value, str) else value
            )
            cell.fill = fill
            {Kind.INTEGER: whole, Kind.NUMBER: decimal, Kind.PERCENT: percent}.get(
                indicator.kind, DataValidation()
            ).add(cell.coordinate)
            if indicator.bounded:
                low, high = (bounds or {}).get((indicator.code, key), (None, None))
                for column, bound in ((7, low), (8, high)):
                    bound_cell = sheet.cell(row=row, column=column, value=bound)
                    bound_cell.fill = fill
                    decimal.add(bound_cell.coordinate)
            row += 1
    sheet.column_dimensions["A"].hidden = True
    for letter, width in zip("BCDEFGH", (34, 22, 10, 60, 16, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "B5"
    meta = book.create_sheet("cfit")
    meta.append(["format", FORMAT])
    meta.append(["year", year])
    meta.append(["organisation", organisation_slug])
    meta.append(["language", translation.get_language() or settings.LANGUAGE_CODE])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_REFUSED = object()


def _language_name(language: str) -> str:
    return str(translation.get_language_info(language)["name_translated"])


def _typed(
    code: str, cell: Any, numeric: set[str], problems: Problems, where: str, column: str, language: str
) -> Any:
    """A cell as the report's actions take it: a number cell as it is, a figure typed as text read by the
    separators of the workbook's ``language`` as the pages read it ("1,234" is 1234 in English and
    1.234 in Dutch; "1.234" in French is ambiguous and refused with an example), text as it is;
    ``_REFUSED`` after naming the problem. A figure below zero, "-0" included, is refused by
    ``parse_value``: every figure asked is a count or a quantity."""
    if is_formula(cell):
        problems.add(where, column, _("a formula: type the value"))
        return _REFUSED
    if code in numeric and isinstance(cell, str) and cell.strip():
        try:
            cell = float(typed_number(cell, language))
        except (NotANumber, OverflowError):
            whole = BY_CODE[code].kind == Kind.INTEGER
            problems.add(
                where,
                column,
                _(
                    "not a number as numbers are written in %(language)s (the language of this workbook): "
                    "write e.g. %(example)s"
                )
                % {
                    "language": _language_name(language),
                    "example": example(1234 if whole else Decimal("1234.5"), language),
                },
            )
            return _REFUSED
    try:
        parse_value(code, cell)
    except MonitoringError as error:
        problems.add(where, column, str(error))
        return _REFUSED
    return cell


def _check_bounds(code: str, value: Any, low: Any, high: Any, problems: Problems, where: str) -> None:
    """An emissions figure's bounds as the report's actions want them, named here by row and column:
    both or neither, and around the figure (without bounds, the figure keeps those it had)."""
    if _REFUSED in (low, high):
        return
    label = BY_CODE[code].label
    if (low is None) != (high is None):
        problems.add(
            where,
            "column G" if low is None else "column H",
            _("%(indicator)s: give both bounds, or neither.") % {"indicator": label},
        )
    elif value is not None and low is not None and not low <= value <= high:
        problems.add(
            where,
            "column F",
            _("%(indicator)s: give a low and a high bound around the figure (low ≤ figure ≤ high).")
            % {"indicator": label},
        )


def read_upload(
    data: bytes,
    filename: str,
    *,
    year: int,
    organisation_slug: str,
    language: str,
    organisation_name: Callable[[str], str | None] = lambda slug: None,
) -> tuple[dict[tuple[str, str], Any], dict[tuple[str, str], tuple[Any, Any]]]:
    """The raw values of a filled template, ``{(indicator, key): cell}``, and the raw bounds of its
    emissions figures, ``{(indicator, key): (low, high)}``; refused whole, with every problem, if it is not
    this organisation's template of this year or holds formulas or unknown rows.

    Figures typed as text are read in the language the workbook was made in, else in ``language`` (the
    uploader's). Another organisation's workbook is refused naming that organisation only if
    ``organisation_name`` gives its name for the workbook's slug (the uploader may see it); the slug,
    an internal name, is never shown."""
    book = open_workbook(data, filename)
    try:
        if SHEET not in book.sheetnames or "cfit" not in book.sheetnames:
            raise refuse(filename, _("not a cfit monitoring template (download it from the report's page)"))
        meta = {row[0]: row[1] for row in sheet_values(book["cfit"], filename) if len(row) > 1 and row[0]}
        if meta.get("format") != FORMAT:
            raise refuse(filename, _("not a cfit monitoring template (download it from the report's page)"))
        if meta.get("organisation") != organisation_slug:
            name = organisation_name(str(meta.get("organisation") or ""))
            refusal = (
                _(
                    "this workbook was made for another organisation: «%(name)s». Download this report's "
                    "own template."
                )
                % {"name": name}
                if name
                else _(
                    "this workbook was made for another organisation. Download this report's own template."
                )
            )
            raise refuse(filename, refusal)
        if str(meta.get("year")) != str(year):
            raise refuse(
                filename,
                _("this workbook is the report of %(year)s: download this report's own template")
                % {"year": meta.get("year")},
            )
        made_in = str(meta.get("language") or "")
        if made_in not in {code for code, _name in settings.LANGUAGES}:
            made_in = language  # a workbook made before the language was written down
        known = {f"{i.code}|{key}" for i in INDICATORS for key in i.keys}
        bounded = {f"{i.code}|{key}" for i in INDICATORS if i.bounded for key in i.keys}
        problems = Problems(filename)
        values: dict[tuple[str, str], Any] = {}
        bounds: dict[tuple[str, str], tuple[Any, Any]] = {}
        numeric = {i.code for i in INDICATORS if i.kind != Kind.TEXT}
        for number, row in sheet_rows(book[SHEET], filename, min_row=FIRST_ROW, max_col=8):
            if not row or all(v in (None, "") for v in row[:6]):
                continue
            cell_id = row[0]
            if not isinstance(cell_id, str) or cell_id not in known:
                problems.add(
                    f"row {number}", "column A", _("unknown row id %(id)s") % {"id": repr(cell_id)[:60]}
                )
                continue
            code, key = cell_id.split("|", 1)
            cells = (*row[5:8], None, None, None)
            value = _typed(code, cells[0], numeric, problems, f"row {number}", "column F", made_in)
            if value is _REFUSED:
                continue
            values[(code, key)] = value
            if cell_id in bounded:
                low = _typed(code, cells[1], numeric, problems, f"row {number}", "column G", made_in)
                high = _typed(code, cells[2], numeric, problems, f"row {number}", "column H", made_in)
                bounds[(code, key)] = (low, high)
                _check_bounds(code, value, low, high, problems, f"row {number}")
        problems.raise_if_any()
        return values, bounds
    finally:
        book.close()
