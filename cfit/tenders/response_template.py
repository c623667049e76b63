"""The supplier response template (XLSX): the contract between the tender builder and the offer import.

Layout, which the offer import relies on:
- ``Instructions``: how to fill in the workbook, in the tender's language.
- ``Lot N``: one sheet per lot for product declarations, one row per product line from row
  ``FIRST_DATA_ROW``. Row 1 holds the column titles, row 2 what is expected, row 3 (hidden) the
  machine-readable column ids: fixed fields (``line_id``, ``manufacturer``…) or requirement ids.
- ``Company``: one row per company-level requirement (selection criteria and contract performance
  clauses); column A (hidden) holds the requirement id, column E the answer.
- ``_cfit`` (very hidden): key/value pairs: template format, tender reference, framework version,
  language, the yes/no words, and which sheet holds which lot (``lot:N``) and the company declarations.
- ``_options`` (hidden): the answers of each enumeration in the tender's language, one column per
  list, that the answer cells offer as a drop-down (a list kept in a sheet may hold commas and be
  longer than Excel's 255 characters of an inline list). The offer import takes an option's code or
  its label in any of the framework's languages.
"""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cfit.criteria.content import DataType
from cfit.criteria.wording import option_label, unit_label
from cfit.downloads import keep_cells_as_text
from cfit.labels import label_text
from cfit.tenders.annex import expected
from cfit.tenders.award_text import award_method_paragraphs
from cfit.tenders.response_layout import (  # the layout the offer import reads back
    FIRST_DATA_ROW,
    ID_ROW,
    LAST_DATA_ROW,
    TEMPLATE_FORMAT,
    company_requirements,
    product_requirements,
)
from cfit.tenders.spec import TenderSpec

HEADER_FILL = PatternFill("solid", fgColor="DCEFE6")


def fixed_columns() -> list[tuple[str, str, str]]:
    """(id, title, hint) of the columns every lot sheet has before the requirements."""
    return [
        ("line_id", _("Product line id"), _("Your own unique id per line")),
        ("manufacturer", _("Manufacturer"), ""),
        ("model", _("Model"), _("Exact model name")),
        ("quantity", _("Quantity offered"), _("Whole number")),
        ("unit_price_eur", _("Unit price (EUR, excl. VAT)"), _("Number")),
        ("yearly_kwh", _("Typical energy use (kWh per year)"), _("Number")),
        ("labels", _("Labels held"), _("Label ids, separated by commas (see Instructions)")),
    ]


class OptionLists:
    """The drop-down lists of enumeration answers, in the tender's language, on a hidden sheet."""

    def __init__(self, sheet: Worksheet, language: str) -> None:
        self.sheet, self.language = sheet, language
        self.sheet.sheet_state = "hidden"
        self.ranges: dict[tuple[str, ...], str] = {}

    def source(self, options: list[str]) -> str:
        """The cell range holding ``options``' labels, written once per distinct list."""
        key = tuple(options)
        if key not in self.ranges:
            column = len(self.ranges) + 1
            for row, option in enumerate(options, start=1):
                self.sheet.cell(row=row, column=column, value=option_label(option, self.language))
            letter = get_column_letter(column)
            self.ranges[key] = f"'{self.sheet.title}'!${letter}$1:${letter}${len(options)}"
        return self.ranges[key]


def _validation(
    data_type: DataType, options: list[str], yes: str, no: str, lists: OptionLists | None = None
) -> DataValidation:
    title = _("Answer")
    match data_type:
        case DataType.BOOLEAN:
            return DataValidation(
                type="list",
                formula1=f'"{yes},{no}"',
                allow_blank=True,
                errorTitle=title,
                error=_("Choose %(yes)s or %(no)s.") % {"yes": yes, "no": no},
            )
        case DataType.ENUMERATION:
            return DataValidation(
                type="list",
                formula1=lists.source(options) if lists is not None else '"' + ",".join(options) + '"',
                allow_blank=True,
                errorTitle=title,
                error=_("Choose a value from the list."),
            )
        case DataType.INTEGER:
            return DataValidation(
                type="whole",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                errorTitle=title,
                error=_("Enter a whole number."),
            )
        case DataType.NUMBER:
            return DataValidation(
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                errorTitle=title,
                error=_("Enter a number."),
            )
        case DataType.DATE:
            return DataValidation(
                type="date",
                operator="greaterThan",
                formula1="1",
                allow_blank=True,
                errorTitle=title,
                error=_("Enter a date."),
            )
        case _:
            return DataValidation(
                type="textLength",
                operator="lessThanOrEqual",
                formula1="1000",
                allow_blank=True,
                errorTitle=title,
                error=_("At most 1000 characters."),
            )


def build_response_template(spec: TenderSpec) -> bytes:
    with translation.override(spec.language):
        return _build(spec)


def _build(spec: TenderSpec) -> bytes:
    lang = spec.language
    yes, no = _("yes"), _("no")
    book = Workbook()
    instructions = book.active
    instructions.title = _("Instructions")
    lines = [
        _("Supplier response: %(title)s (%(ref)s)") % {"title": spec.title, "ref": spec.reference},
        _("Fill in one sheet per lot, one row per product line offered, from row %(row)s on.")
        % {"row": FIRST_DATA_ROW},
        _(
            "Answer every column. Yes/no columns take %(yes)s or %(no)s; lists take one of their values; numbers are plain numbers without units."
        )
        % {"yes": yes, "no": no},
        _(
            "Where you rely on a label as proof, list its id in the column 'Labels held'; the label must be valid for that model."
        ),
        _("Answer the company declarations on the sheet 'Company'."),
        _("To not bid on a lot, leave its sheet empty; do not delete it."),
        _(
            "Do not change the sheet names, the column order or the hidden rows: the buyer's software reads them."
        ),
        "",
        _("Label ids:"),
    ]
    lines += [label_text(code, label.name_in(lang)) for code, label in sorted(spec.labels.items())]
    # How answers are scored: the same sentences as the annex, from the method the engine applies.
    for lot in spec.lots:
        lines += ["", _("How offers for lot %(n)s are scored:") % {"n": lot.number}]
        lines += award_method_paragraphs(lot.award_method, lang)
    for line in lines:
        instructions.append([line])
    instructions["A1"].font = Font(bold=True, size=13)
    instructions.column_dimensions["A"].width = 120

    meta = {
        "format": TEMPLATE_FORMAT,
        "tender_reference": spec.reference,
        "tender_id": spec.identifier,
        "framework_version": spec.framework_version,
        "language": lang,
        "yes": yes,
        "no": no,
    }
    lists = OptionLists(book.create_sheet("_options"), lang)
    for lot in spec.lots:
        sheet = book.create_sheet(_("Lot %(n)s") % {"n": lot.number})
        meta[f"lot:{lot.number}"] = sheet.title
        columns = [(code, title, hint) for code, title, hint in fixed_columns()]
        requirements = product_requirements(lot)
        columns += [
            (
                r.id,
                f"{r.title[lang]}{f' ({unit_label(r.unit, lang)})' if r.unit else ''} [{criterion_id}]",
                expected(r),
            )
            for criterion_id, r in requirements
        ]
        for index, (code, title, hint) in enumerate(columns, start=1):
            letter = get_column_letter(index)
            sheet.cell(row=1, column=index, value=title).font = Font(bold=True)
            sheet.cell(row=1, column=index).fill = HEADER_FILL
            sheet.cell(row=1, column=index).alignment = Alignment(wrap_text=True, vertical="top")
            sheet.cell(row=2, column=index, value=hint).font = Font(italic=True, color="555555")
            sheet.cell(row=ID_ROW, column=index, value=code)
            sheet.column_dimensions[letter].width = 22
        sheet.row_dimensions[ID_ROW].hidden = True
        sheet.row_dimensions[1].height = 60
        sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=4)
        fixed_types = {
            "quantity": DataType.INTEGER,
            "unit_price_eur": DataType.NUMBER,
            "yearly_kwh": DataType.NUMBER,
        }
        for index, (code, _title, _hint) in enumerate(columns, start=1):
            requirement = next((r for _c, r in requirements if r.id == code), None)
            if requirement is not None:
                validation = _validation(requirement.data_type, requirement.options, yes, no, lists)
            elif code in fixed_types:
                validation = _validation(fixed_types[code], [], yes, no)
            else:
                continue
            letter = get_column_letter(index)
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}")
            sheet.add_data_validation(validation)

    company = book.create_sheet(_("Company"))
    meta["company"] = company.title
    company.append(
        [
            "id",
            _("Criterion"),
            _("Requirement"),
            _("Expected"),
            _("Your answer"),
            _("Comment or reference to proof"),
        ]
    )
    for cell in company[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row, (criterion_id, criterion_title, requirement) in enumerate(company_requirements(spec), start=2):
        company.append(
            [
                requirement.id,
                label_text(criterion_id, criterion_title),
                requirement.title[lang],
                expected(requirement),
                None,
                None,
            ]
        )
        validation = _validation(requirement.data_type, requirement.options, yes, no, lists)
        validation.add(f"E{row}")
        company.add_data_validation(validation)
    company.column_dimensions["A"].hidden = True
    for letter, width in (("B", 45), ("C", 45), ("D", 18), ("E", 18), ("F", 40)):
        company.column_dimensions[letter].width = width

    # The lists sheet goes last, after the sheets a supplier fills in.
    book.move_sheet(lists.sheet, offset=len(book.sheetnames) - 1 - book.index(lists.sheet))
    hidden = book.create_sheet("_cfit")
    for key, value in meta.items():
        hidden.append([key, value])
    hidden.sheet_state = "veryHidden"
    # The title, reference and supplier-facing texts are typed by the buyer: none may become a formula.
    keep_cells_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
