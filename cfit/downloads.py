"""Files the platform hands out: a safe name in the download header, and spreadsheet cells that stay text.

Tender references, supplier names and criterion texts are typed by users and end up in file names and
cells. A reference with a line break would break the ``Content-Disposition`` header (a server error, or
a smuggled header); one starting with ``=`` would be run by a spreadsheet as a formula
(``=HYPERLINK(…)`` to exfiltrate a neighbouring cell). Every download goes through these helpers.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

#: Text starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets (OWASP
#: "CSV injection"): "=" "+" "-" "@", and tab or carriage return, which some of them skip first.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Characters that no file system or browser takes in a file name.
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|]+')
MAX_FILENAME_LENGTH = 150


def safe_cell(value: Any) -> Any:
    """A value for a CSV cell: text a spreadsheet would run as a formula gets an apostrophe in front.

    The apostrophe is the OWASP recommendation; spreadsheets show the text as typed. Other values
    (numbers, dates, None) pass unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def keep_cells_as_text(book: Any) -> Any:
    """Store every text cell of an openpyxl workbook as text, never as a formula; returns the book.

    openpyxl turns any string starting with "=" into a formula. Marking the cell as a string keeps
    the text exactly as it is (the offer import reads it back unchanged) while the spreadsheet shows
    it as text and computes nothing. Call it just before saving a workbook built from user data;
    the platform's own workbooks hold no formulas.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return book


def safe_filename(name: str, default: str = "download") -> str:
    """A file name without path separators, control characters or line breaks, at most 150 characters."""
    name = unicodedata.normalize("NFC", name)
    name = "".join("-" if unicodedata.category(char).startswith("C") else char for char in name)
    name = _UNSAFE_IN_FILENAME.sub("-", name).strip(" .-")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_FILENAME_LENGTH]
    return name or default


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Offer the response as a download named ``filename`` (RFC 6266, with ``filename*`` for non-ASCII)."""
    # never None for an attachment; the fallback only satisfies the type
    response["Content-Disposition"] = (
        content_disposition_header(True, safe_filename(filename)) or "attachment"
    )
    return response
