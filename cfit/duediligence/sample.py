"""A small RMI template with the cells of the real CMRT/EMRT, filled as a supplier would: for the demo
and for tests on a clone without ../shared. Plain Python (openpyxl).

The look-up rows are real rows of RMI's lists (CMRT 6.5, EMRT 2.1, ../shared/data/rmi); the rest of a
real template (instructions, translations, formulas) is left out: the reader needs only the cells
``layouts/*.yaml`` name and the signatures it finds sheets by.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook

#: (metal, look-up name, standard name, country, smelter id) rows of the real look-up lists
CMRT_LOOKUP = (
    ("Gold", "8853 S.p.A.", "8853 S.p.A.", "ITALY", "CID002763"),
    ("Gold", "ABC Refinery Pty Ltd.", "ABC Refinery Pty Ltd.", "AUSTRALIA", "CID002920"),
    ("Gold", "AGR Mathey", "Western Australian Mint (T/a The Perth Mint)", "AUSTRALIA", "CID002030"),
    ("Gold", "Western Australian Mint (T/a The Perth Mint)", "Western Australian Mint (T/a The Perth Mint)", "AUSTRALIA", "CID002030"),
    ("Tantalum", "AMG Brasil", "AMG Brasil", "BRAZIL", "CID001076"),
    ("Tantalum", "5D Production OÜ", "5D Production OU", "ESTONIA", "CID003926"),
    ("Tantalum", "5D Production OU", "5D Production OU", "ESTONIA", "CID003926"),
    ("Tin", "Smelter not listed", "", "", ""),
    ("Tin", "Smelter not yet identified", "Unknown", "", ""),
)  # fmt: skip
EMRT_LOOKUP = (
    ("Cobalt", "Chemaf Etoile", "Chemaf Etoile", "CONGO, DEMOCRATIC REPUBLIC OF THE", "CID003264"),
    ("Cobalt", "Attero Recycling Pvt Ltd", "Attero Recycling Pvt Ltd", "INDIA", "CID004695"),
    ("Copper", "Atlantic Copper S.A.", "Atlantic Copper S.A.", "SPAIN", "CID004327"),
    ("Copper", "Antucoya", "Minera Antucoya", "CHILE", "CID004094"),
)

DECLARATION = {
    "company_name": "Groene IT BV",
    "scope": "A. Company",
    "contact_name": "Jan de Vries",
    "contact_email": "jan@groene-it.example",
    "contact_phone": "+31 20 000 0000",
    "authoriser": "Marie Janssen",
    "authoriser_email": "marie@groene-it.example",
    "effective_date": date(2027, 3, 1),
}
CMRT_CELLS = {
    "company_name": "D8", "scope": "D9", "contact_name": "D15", "contact_email": "D16", "contact_phone": "D17",
    "authoriser": "D18", "authoriser_email": "D20", "effective_date": "D22",
}  # fmt: skip
EMRT_CELLS = {
    "company_name": "D8", "scope": "D9", "contact_name": "D19", "contact_email": "D20", "contact_phone": "D21",
    "authoriser": "D22", "authoriser_email": "D24", "effective_date": "D26",
}  # fmt: skip
#: Smelter List columns a supplier (or the template's formulas) fills: A id input, B metal, C look-up
#: name, D smelter name, E country, F smelter id, G source
COLUMNS = {
    "id_input": "A",
    "metal": "B",
    "lookup_name": "C",
    "name": "D",
    "country": "E",
    "smelter_id": "F",
    "source": "G",
}


def _bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(
    book: Any,
    kind: str,
    declaration: Mapping[str, Any],
    smelters: Sequence[Mapping[str, str]],
    answers: Mapping[str, str],
    language: str | None,
    first_row: int = 5,
) -> None:
    sheet = book["Declaration"]
    if language is not None:
        sheet["D3"] = language
    cells = CMRT_CELLS if kind == "CMRT" else EMRT_CELLS
    for key, value in declaration.items():
        sheet[cells[key]] = value
    for cell, value in answers.items():
        sheet[cell] = value
    smelter_list = book["Smelter List"]
    for offset, row in enumerate(smelters):
        for key, value in row.items():
            smelter_list[f"{COLUMNS[key]}{first_row + offset}"] = value


def synthetic_template(
    kind: str = "CMRT",
    revision: str = "6.5",
    *,
    declaration: Mapping[str, Any] = DECLARATION,
    smelters: Sequence[Mapping[str, str]] = (),
    answers: Mapping[str, str] | None = None,
    language: str = "English",
    sheet_names: Mapping[str, str] | None = None,
    extra_rows: int = 0,
) -> bytes:
    """A small workbook with the cells of an RMI template of ``kind`` and ``revision``: the Revision
    sheet's title, the Declaration's language and revision cells, the Smelter List's signature and
    a few rows of the real look-up list; ``extra_rows`` more gold smelter rows (written streaming)."""
    names = {"Revision": "Revision", "Declaration": "Declaration", "Smelter List": "Smelter List",
             "Smelter Look-up": "Smelter Look-up", **(sheet_names or {})}  # fmt: skip
    title = (
        "Conflict Minerals Reporting Template" if kind == "CMRT" else "Extended Mineral Reporting Template"
    )
    lookup = CMRT_LOOKUP if kind == "CMRT" else EMRT_LOOKUP
    book = Workbook()
    book.active.title = "Revision"
    book["Revision"]["B2"] = "DOCUMENT TITLE"
    book["Revision"]["B3"] = title
    declaration_sheet = book.create_sheet("Declaration")
    declaration_sheet["J3"] = f"Revision {revision}\nApril 25, 2025"
    if kind == "EMRT":
        for cell, metal in zip(("D12", "E12", "G12"), ("Cobalt", "Copper", ""), strict=True):
            if metal:
                declaration_sheet[cell] = metal
    smelter_list = book.create_sheet("Smelter List")
    smelter_list["Q3"] = f"Revision {revision}\nApril 25, 2025"
    smelter_list["R4"] = "Standard Smelter Name"
    look_up = book.create_sheet("Smelter Look-up")
    look_up["J4"] = "METAL+Alias"
    for index, (metal, alias, standard, country, smelter_id) in enumerate(lookup, start=5):
        for column, value in zip(
            "ABCDEF", (metal, alias, standard, country, smelter_id, "RMI" if smelter_id else ""), strict=True
        ):
            look_up[f"{column}{index}"] = value or None
    _fill(book, kind, declaration, smelters, answers or {}, language)
    for offset in range(extra_rows):
        row = 5 + len(smelters) + offset
        smelter_list.cell(row, 2, "Gold")
        smelter_list.cell(row, 6, "CID002763")
    for old, new in names.items():
        if old != new:
            book[old].title = new
    return _bytes(book)
