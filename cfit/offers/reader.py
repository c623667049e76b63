"""Read a supplier's offer: the filled response template (XLSX), its CSV form or its JSON form.

Everything is checked against the tender before anything is stored: the right template and tender,
every expected column and no other, typed answers within their lists and ranges, known labels, unique
product lines, no formulas. Every problem is named by sheet, row and column, and one problem refuses
the whole file. Plain Python, no Django: the tender comes in as a ``TenderSpec``. Each problem is a code
of ``MESSAGES`` with parameters, said in English here (command line, logs) and in the reader's language
by the pages and the API (``cfit.refusals``, prefix ``offers:``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter

from cfit.criteria.content import DataType, Requirement
from cfit.criteria.vocabulary import load_vocabulary
from cfit.tabular import MAX_WHOLE, NotANumber, load_json, parse_number, read_table, sheet_rows, sheet_values
from cfit.tenders.response_layout import FIRST_DATA_ROW, ID_ROW, TEMPLATE_FORMAT, company_requirements
from cfit.tenders.response_layout import product_requirements as lot_requirements
from cfit.tenders.spec import LotSpec, TenderSpec
from cfit.uploads import ImportRefused, Problems, is_formula, open_workbook, refuse

FIXED = ("line_id", "manufacturer", "model", "quantity", "unit_price_eur", "yearly_kwh", "labels")
MAX_LINES = 200_000
MAX_TEXT = 1000
TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n"}
#: A number typed as text with one separator and three digits after it: "1.234" is 1234 to a Dutch or
#: German supplier and 1.234 to an English one, "12,500" the other way round. Only the tender's own
#: decimal separator says which (a Dutch tender's "1,234" is 1.234); the other one is refused, since
#: a price read a thousand times too low wins the tender.
AMBIGUOUS = re.compile(r"^[+-]?(?P<whole>[1-9]\d{0,2})(?P<separator>[.,])(?P<fraction>\d{3})$", re.ASCII)

#: Every problem code of an offer file and its English message; ``{name}`` marks a parameter. The pages
#: say the same codes in the reader's language (``cfit.refusals.MESSAGES``, keys ``offers:<code>``).
MESSAGES: dict[str, str] = {
    # the file as a whole
    "unknown_format": "unknown format: use the .xlsx template, or its .csv or .json form",
    "not_template": (
        "not a cfit response template (its hidden _cfit sheet is missing); download the tender's template"
    ),
    "template_format": "template format {found} is not {expected}",
    "other_tender": "this template belongs to tender {found}, not {expected}",
    "other_framework": "template made for framework {found}, the tender uses {expected}",
    # A deleted sheet is refused rather than read as no bid: the template asks to keep its sheets, and a
    # sheet lost by mistake (a copy of the workbook, a renamed tab) would otherwise drop a whole lot's bid.
    "lot_sheet_missing": (
        "the sheet for lot {lot} ({sheet}) is missing: keep the sheet and leave it empty to not bid on this lot"
    ),
    "company_sheet_missing": "the sheet {sheet} for company declarations is missing",
    "no_lines_in_template": "no product lines: fill in at least one row of a lot sheet",
    "no_lines": "no product lines",
    "too_many_lines": "more than {limit} product lines",
    "json_not_offer": "expected an object with 'lots' (see the API documentation)",
    "json_format": "format {found} is not {expected}",
    "json_other_tender": "this offer is for tender {found}, not {expected}",
    # the columns
    "template_column_missing": "column {column} is missing; do not change the template's columns",
    "column_missing": "column {column} is missing",
    "unknown_column": "unknown column {column}",
    "unknown_empty_column": "unknown column (empty)",
    "not_asked": "lot {lot} does not ask for {requirement}",
    # the JSON form's objects
    "json_not_lot": "expected an object with 'lot' and 'lines'",
    "json_not_object": "expected an object",
    "json_not_answers": "expected an object of requirement id → answer",
    "no_requirement": "lot {lot} has no requirement {requirement}",
    # the cells
    "formula": "formulas are not accepted; type the value",
    "required": "required",
    "repeated_line": "product line {line} appears twice (first at {at})",
    "not_number": "a number is expected, not {value}",
    "ambiguous_number": (
        "{value} reads two ways ({whole} or {decimal}): type the number without a thousands separator, "
        "with {separator} before its decimals"
    ),
    "too_many": "at most {limit}",
    "not_positive_whole": "a whole number of 1 or more is expected",
    "negative": "a number of 0 or more is expected",
    "unknown_labels": "unknown label(s) {labels}; see the Instructions sheet for the ids",
    "no_lot": "this tender has no lot {lot} (lots: {lots})",
    "unknown_company_requirement": "unknown company requirement {requirement} for this tender",
    "answered_twice": "{requirement} is answered twice with different values",
    # one answer (``parse_answer``)
    "not_yes_no": "answer {yes} or {no}, not {value}",
    "not_whole": "a whole number is expected, not {value}",
    "negative_answer": "a number of 0 or more is expected, not {value}",
    "not_option": "{value} is not one of {options}",
    "not_date": "a date (YYYY-MM-DD) is expected, not {value}",
    "too_long": "at most {limit} characters",
}


class AnswerError(ValueError):
    """An answer that does not fit its requirement: a code of ``MESSAGES`` with its parameters."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = {key: str(value) for key, value in params.items()}
        super().__init__(MESSAGES[code].format(**self.params))


def _add(problems: Problems, where: str, column: str, code: str, /, **params: Any) -> None:
    shown = {key: str(value) for key, value in params.items()}
    problems.add(where, column, MESSAGES[code].format(**shown), code=code, params=shown)


def _refuse(filename: str, code: str, /, **params: Any) -> ImportRefused:
    shown = {key: str(value) for key, value in params.items()}
    return refuse(filename, MESSAGES[code].format(**shown), code=code, params=shown)


def _shown_text(value: Any) -> str:
    """A cell as the supplier sees it: a date as 2027-01-31, not Python's datetime(2027, 1, 31, 0, 0)."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown(value: Any) -> str:
    """A cell as a message quotes it: its text in quotes, cut short."""
    return repr(_shown_text(value)[:40])


def decimal_separator(language: str) -> str:
    """The decimal separator of a tender's language (its template's): a point in English, else a comma."""
    return "." if language.split("-")[0] == "en" else ","


def _number(value: Any, language: str = "en") -> float:
    """``parse_number`` with its refusal as an ``AnswerError``; a typed text that two readers of the
    pact read a thousand times apart is refused rather than guessed (``AMBIGUOUS``)."""
    if isinstance(value, str):
        found = AMBIGUOUS.match(value.strip())
        if found and found["separator"] != decimal_separator(language):
            decimal = decimal_separator(language)
            raise AnswerError(
                "ambiguous_number",
                value=_shown(value),
                whole=found["whole"] + found["fraction"],
                decimal=found["whole"] + decimal + found["fraction"],
                separator=repr(decimal),
            )
    try:
        return parse_number(value)
    except NotANumber:
        raise AnswerError("not_number", value=_shown(value)) from None


@dataclass
class ProductLine:
    lot: int
    line_id: str
    manufacturer: str
    model: str
    quantity: int
    unit_price: float
    yearly_kwh: float | None
    labels: list[str]
    answers: dict[str, bool | float | str]  #: requirement id → typed answer; dates as ISO text
    source_row: int = 0


@dataclass
class OfferFile:
    tender_reference: str
    lines: list[ProductLine]
    company: dict[str, bool | float | str]
    supplier: str = ""
    filename: str = ""
    warnings: list[str] = field(default_factory=list)


def _negative_allowed(requirement: Requirement) -> bool:
    """Only a requirement whose own thresholds are negative (a cold temperature) takes a negative answer."""
    bounds = (requirement.min_value, requirement.max_value, requirement.expected_value)
    return any(isinstance(b, int | float) and not isinstance(b, bool) and b < 0 for b in bounds)


def parse_answer(
    value: Any, requirement: Requirement, yes: str = "yes", no: str = "no", language: str = "en"
) -> bool | float | str:
    """The typed answer of one cell; raises ``AnswerError`` (a ``ValueError``) with a message for the
    supplier, which names an enumeration's answers as the template's drop-down offers them (the
    labels of ``language``, the tender's), not by their codes."""
    kind = requirement.data_type
    if is_formula(value):
        raise AnswerError("formula")
    if kind == DataType.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = _shown_text(value).strip().lower()
        if word in TRUE_WORDS | {yes.lower()}:
            return True
        if word in FALSE_WORDS | {no.lower()}:
            return False
        # A supplier writes yes in its own language ("ja" in a French tender's copy, "oui" in a
        # CSV): the framework's yes and no in any of its languages mean the same answer.
        match load_vocabulary().option_code(word, ("yes", "no")):
            case "yes":
                return True
            case "no":
                return False
        raise AnswerError("not_yes_no", yes=yes, no=no, value=_shown(value))
    if kind in {DataType.NUMBER, DataType.INTEGER}:
        number = _number(value, language)
        if kind == DataType.INTEGER and not float(number).is_integer():
            raise AnswerError("not_whole", value=_shown(value))
        if number < 0 and not _negative_allowed(requirement):
            raise AnswerError("negative_answer", value=_shown(value))
        return number
    if kind == DataType.ENUMERATION:
        text = str(value).strip()
        # The template's drop-down offers the labels of the tender's language; a file may also
        # carry the codes (a machine) or another language's labels (a supplier's own copy).
        code = load_vocabulary().option_code(text, requirement.options)
        if code is None:
            vocabulary = load_vocabulary()
            options = ", ".join(f"“{vocabulary.option(o, language)}”" for o in requirement.options)
            raise AnswerError("not_option", value=repr(text), options=options)
        return code
    if kind == DataType.DATE:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise AnswerError("not_date", value=_shown(value)) from None
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise AnswerError("too_long", limit=MAX_TEXT)
    return text


def _yes_no(spec: TenderSpec) -> tuple[str, str]:
    """The yes and no a refusal names for a CSV or JSON offer: the tender's language's, as its template's."""
    vocabulary = load_vocabulary()
    return vocabulary.option("yes", spec.language).lower(), vocabulary.option("no", spec.language).lower()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _LineReader:
    """Turns one row of a lot (a mapping of column id → raw cell) into a product line."""

    def __init__(self, spec: TenderSpec, problems: Problems, yes: str, no: str) -> None:
        self.spec = spec
        self.problems = problems
        self.yes, self.no = yes, no
        self.seen: dict[tuple[int, str], str] = {}

    def read(
        self, lot: LotSpec, cells: Mapping[str, Any], where: str, column_name: Mapping[str, str]
    ) -> ProductLine | None:
        problems = self.problems
        before = problems.count

        def need_text(key: str) -> str:
            value = cells.get(key)
            if is_formula(value):
                _add(problems, where, column_name[key], "formula")
                return ""
            if _blank(value):
                _add(problems, where, column_name[key], "required")
                return ""
            return str(value).strip()[:MAX_TEXT]

        line_id = need_text("line_id")
        manufacturer = need_text("manufacturer")
        model = need_text("model")
        if line_id:
            key = (lot.number, line_id)
            if key in self.seen:
                _add(
                    problems,
                    where,
                    column_name["line_id"],
                    "repeated_line",
                    line=repr(line_id),
                    at=self.seen[key],
                )
            else:
                self.seen[key] = where
        quantity = self._fixed_number(
            cells.get("quantity"), where, column_name["quantity"], whole=True, required=True
        )
        price = self._fixed_number(
            cells.get("unit_price_eur"), where, column_name["unit_price_eur"], required=True
        )
        kwh = self._fixed_number(cells.get("yearly_kwh"), where, column_name["yearly_kwh"], required=False)
        labels = self._labels(cells.get("labels"), where, column_name["labels"])
        answers: dict[str, bool | float | str] = {}
        for _criterion, requirement in lot_requirements(lot):
            value = cells.get(requirement.id)
            if _blank(value):
                continue
            try:
                answers[requirement.id] = parse_answer(
                    value, requirement, self.yes, self.no, self.spec.language
                )
            except AnswerError as error:
                _add(problems, where, column_name[requirement.id], error.code, **error.params)
        if problems.count > before:
            return None
        return ProductLine(
            lot.number,
            line_id,
            manufacturer,
            model,
            int(quantity or 0),
            float(price or 0.0),
            kwh,
            labels,
            answers,
        )

    def _fixed_number(
        self, value: Any, where: str, column: str, *, whole: bool = False, required: bool
    ) -> float | None:
        if _blank(value):
            if required:
                _add(self.problems, where, column, "required")
            return None
        if is_formula(value):
            _add(self.problems, where, column, "formula")
            return None
        try:
            number = _number(value, self.spec.language)
        except AnswerError as error:
            _add(self.problems, where, column, error.code, **error.params)
            return None
        if whole and number > MAX_WHOLE:
            # A database integer column holds no more; no tender buys two billion of anything.
            _add(self.problems, where, column, "too_many", limit=f"{MAX_WHOLE:,}")
            return None
        if number < 0 or (whole and (not number.is_integer() or number < 1)):
            _add(self.problems, where, column, "not_positive_whole" if whole else "negative")
            return None
        return number

    def _labels(self, value: Any, where: str, column: str) -> list[str]:
        if _blank(value):
            return []
        if is_formula(value):
            _add(self.problems, where, column, "formula")
            return []
        items = value if isinstance(value, list) else str(value).replace(";", ",").split(",")
        labels = [str(item).strip() for item in items if str(item).strip()]
        unknown = [label for label in labels if label not in self.spec.labels]
        if unknown:
            _add(self.problems, where, column, "unknown_labels", labels=", ".join(unknown))
        return sorted(set(labels))


def _lot(spec: TenderSpec, number: Any, problems: Problems, where: str) -> LotSpec | None:
    lot = next((lot for lot in spec.lots if str(lot.number) == str(number).strip()), None)
    if lot is None:
        _add(
            problems,
            where,
            "lot",
            "no_lot",
            lot=repr(number),
            lots=", ".join(str(x.number) for x in spec.lots),
        )
    return lot


def _company(
    spec: TenderSpec, answers: Iterable[tuple[str, Any, str, str]], problems: Problems, yes: str, no: str
) -> dict[str, bool | float | str]:
    """(requirement id, value, where, column) → typed company answers."""
    known = {requirement.id: requirement for _c, _t, requirement in company_requirements(spec)}
    result: dict[str, bool | float | str] = {}
    for code, value, where, column in answers:
        if code not in known:
            _add(problems, where, column, "unknown_company_requirement", requirement=repr(code))
            continue
        if _blank(value):
            continue
        try:
            typed = parse_answer(value, known[code], yes, no, spec.language)
        except AnswerError as error:
            _add(problems, where, column, error.code, **error.params)
            continue
        if code in result and result[code] != typed:
            _add(problems, where, column, "answered_twice", requirement=code)
        result[code] = typed
    return result


# -- XLSX --------------------------------------------------------------------------------------------


def read_xlsx(data: bytes, filename: str, spec: TenderSpec) -> OfferFile:
    book = open_workbook(data, filename)
    try:
        return _read_book(book, filename, spec)
    finally:
        book.close()


def _read_book(book: Any, filename: str, spec: TenderSpec) -> OfferFile:
    if "_cfit" not in book.sheetnames:
        raise _refuse(filename, "not_template")
    meta = {
        str(row[0]): row[1] for row in sheet_values(book["_cfit"], filename) if row and row[0] is not None
    }
    if meta.get("format") != TEMPLATE_FORMAT:
        raise _refuse(filename, "template_format", found=repr(meta.get("format")), expected=TEMPLATE_FORMAT)
    if str(meta.get("tender_reference")) != spec.reference or (
        spec.identifier and str(meta.get("tender_id") or "") != spec.identifier
    ):
        raise _refuse(
            filename, "other_tender", found=repr(meta.get("tender_reference")), expected=repr(spec.reference)
        )
    if str(meta.get("framework_version")) != spec.framework_version:
        raise _refuse(
            filename,
            "other_framework",
            found=repr(meta.get("framework_version")),
            expected=spec.framework_version,
        )
    yes, no = str(meta.get("yes") or "yes"), str(meta.get("no") or "no")
    problems = Problems(filename)
    reader = _LineReader(spec, problems, yes, no)
    lines: list[ProductLine] = []
    for lot in spec.lots:
        sheet_name = meta.get(f"lot:{lot.number}")
        if sheet_name not in book.sheetnames:
            _add(problems, "file", "-", "lot_sheet_missing", lot=lot.number, sheet=sheet_name)
            continue
        lines += _read_lot_sheet(book[sheet_name], lot, reader, problems, filename)
    company_sheet = meta.get("company")
    if company_sheet in book.sheetnames:
        rows = sheet_rows(book[company_sheet], filename, min_row=2, max_col=5)
        company = _company(
            spec,
            (
                (
                    str(row[0]),
                    row[4] if len(row) > 4 else None,
                    f"sheet {company_sheet}, row {number}",
                    "column E",
                )
                for number, row in rows
                if row and row[0]
            ),
            problems,
            yes,
            no,
        )
    else:
        company = {}
        _add(problems, "file", "-", "company_sheet_missing", sheet=repr(company_sheet))
    problems.raise_if_any()
    if not lines:
        raise _refuse(filename, "no_lines_in_template")
    return OfferFile(spec.reference, lines, company, filename=filename)


def _read_lot_sheet(
    sheet: Any, lot: LotSpec, reader: _LineReader, problems: Problems, filename: str
) -> list[ProductLine]:
    rows = sheet_rows(sheet, filename, min_row=ID_ROW)
    ids = [str(v).strip() if v is not None else "" for v in next(rows, (ID_ROW, ()))[1]]
    while ids and not ids[-1]:
        ids.pop()
    name = sheet.title
    expected = [*FIXED, *(r.id for _c, r in lot_requirements(lot))]
    missing = [code for code in expected if code not in ids]
    unknown = [(index, code) for index, code in enumerate(ids) if code not in expected]
    for code in missing:
        _add(problems, f"sheet {name}, row {ID_ROW}", "-", "template_column_missing", column=code)
    for index, code in unknown:
        where, column = f"sheet {name}, row {ID_ROW}", f"column {get_column_letter(index + 1)}"
        if code:
            _add(problems, where, column, "unknown_column", column=code)
        else:
            _add(problems, where, column, "unknown_empty_column")
    if missing or unknown:
        return []
    column_name = {code: f"column {get_column_letter(index + 1)} ({code})" for index, code in enumerate(ids)}
    lines = []
    for number, values in rows:
        if number < FIRST_DATA_ROW:
            continue
        if number - FIRST_DATA_ROW >= MAX_LINES:
            _add(problems, f"sheet {name}, row {number}", "-", "too_many_lines", limit=MAX_LINES)
            break
        if all(_blank(v) for v in values):
            continue
        cells = dict(zip(ids, values, strict=False))
        line = reader.read(lot, cells, f"sheet {name}, row {number}", column_name)
        if line is not None:
            line.source_row = number
            lines.append(line)
    return lines


# -- CSV: the lot sheets stacked, with a ``lot`` column and company answers as ``company:<id>`` ----


def read_csv(data: bytes, filename: str, spec: TenderSpec) -> OfferFile:
    table = read_table(data, filename, formulas="keep")  # formulas are named by the line reader
    header = table.headers
    rows = table.rows
    problems = table.problems  # surplus cells, and what the lines hold
    requirement_ids = {r.id for lot in spec.lots for _c, r in lot_requirements(lot)}
    company_ids = {r.id for _c, _t, r in company_requirements(spec)}
    for required in ("lot", *FIXED):
        if required not in header:
            _add(problems, "row 1", "-", "column_missing", column=required)
    for index, code in enumerate(header):
        if (
            code not in {"lot", *FIXED}
            and code not in requirement_ids
            and code.removeprefix("company:") not in company_ids
        ):
            if code:
                _add(problems, "row 1", f"column {index + 1}", "unknown_column", column=code)
            else:
                _add(problems, "row 1", f"column {index + 1}", "unknown_empty_column")
    problems.raise_if_any()
    reader = _LineReader(spec, problems, *_yes_no(spec))
    lines: list[ProductLine] = []
    company_cells: list[tuple[str, Any, str, str]] = []
    for count, (number, values) in enumerate(rows, start=1):
        if count > MAX_LINES:
            _add(problems, f"row {number}", "-", "too_many_lines", limit=MAX_LINES)
            break
        cells = dict(zip(header, values, strict=True))
        where = f"row {number}"
        company_cells += [
            (code.removeprefix("company:"), value, where, f"column {code}")
            for code, value in cells.items()
            if code.startswith("company:")
        ]
        lot = _lot(spec, cells.get("lot", ""), problems, where)
        if lot is None:
            continue
        own = {r.id for _c, r in lot_requirements(lot)}
        for code, value in cells.items():
            if code in requirement_ids and code not in own and not _blank(value):
                _add(problems, where, f"column {code}", "not_asked", lot=lot.number, requirement=code)
        line = reader.read(
            lot,
            cells,
            where,
            {code: f"column {code}" for code in header} | {c: f"column {c}" for c in own | set(FIXED)},
        )
        if line is not None:
            line.source_row = number
            lines.append(line)
    company = _company(spec, company_cells, problems, *_yes_no(spec))
    problems.raise_if_any()
    if not lines:
        raise _refuse(filename, "no_lines")
    return OfferFile(spec.reference, lines, company, filename=filename)


# -- JSON, for integrators -----------------------------------------------------------------------------


def read_json(data: bytes, filename: str, spec: TenderSpec) -> OfferFile:
    document = load_json(data, filename)
    if not isinstance(document, dict) or not isinstance(document.get("lots"), list):
        raise _refuse(filename, "json_not_offer")
    if document.get("format", TEMPLATE_FORMAT) != TEMPLATE_FORMAT:
        raise _refuse(filename, "json_format", found=repr(document.get("format")), expected=TEMPLATE_FORMAT)
    if str(document.get("tender_reference", spec.reference)) != spec.reference:
        raise _refuse(
            filename,
            "json_other_tender",
            found=repr(document.get("tender_reference")),
            expected=repr(spec.reference),
        )
    problems = Problems(filename)
    reader = _LineReader(spec, problems, *_yes_no(spec))
    lines: list[ProductLine] = []
    for l_index, block in enumerate(document["lots"]):
        where_lot = f"lots[{l_index}]"
        if not isinstance(block, dict) or not isinstance(block.get("lines"), list):
            _add(problems, where_lot, "-", "json_not_lot")
            continue
        lot = _lot(spec, block.get("lot", ""), problems, where_lot)
        if lot is None:
            continue
        for index, item in enumerate(block["lines"]):
            where = f"{where_lot}.lines[{index}]"
            if len(lines) >= MAX_LINES:
                _add(problems, where, "-", "too_many_lines", limit=MAX_LINES)
                break
            if not isinstance(item, dict):
                _add(problems, where, "-", "json_not_object")
                continue
            answers = item.get("answers") or {}
            if not isinstance(answers, dict):
                _add(problems, where, "answers", "json_not_answers")
                continue
            own = {r.id for _c, r in lot_requirements(lot)}
            for code in answers:
                if code not in own:
                    _add(
                        problems, where, f"answers.{code}", "no_requirement", lot=lot.number, requirement=code
                    )
            cells = {key: item.get(key) for key in FIXED} | answers
            names = {key: key for key in FIXED} | {code: f"answers.{code}" for code in own}
            line = reader.read(lot, cells, where, names)
            if line is not None:
                lines.append(line)
    company = document.get("company") or {}
    if not isinstance(company, dict):
        _add(problems, "company", "-", "json_not_answers")
        company = {}
    typed = _company(
        spec, ((code, value, "company", code) for code, value in company.items()), problems, *_yes_no(spec)
    )
    problems.raise_if_any()
    if not lines:
        raise _refuse(filename, "no_lines")
    return OfferFile(
        spec.reference, lines, typed, supplier=str(document.get("supplier") or ""), filename=filename
    )


READERS = {".xlsx": read_xlsx, ".csv": read_csv, ".json": read_json}


def read_offer(data: bytes, filename: str, spec: TenderSpec) -> OfferFile:
    """Read any of the three forms, told apart by the file name's ending."""
    for ending, reader in READERS.items():
        if filename.lower().endswith(ending):
            return reader(data, filename, spec)
    raise _refuse(filename, "unknown_format")


def offer_to_json(offer: OfferFile) -> dict[str, Any]:
    """The JSON form of an offer (what ``read_json`` reads back)."""
    lots: dict[int, list[dict[str, Any]]] = {}
    for line in offer.lines:
        lots.setdefault(line.lot, []).append(
            {
                "line_id": line.line_id,
                "manufacturer": line.manufacturer,
                "model": line.model,
                "quantity": line.quantity,
                "unit_price_eur": line.unit_price,
                "yearly_kwh": line.yearly_kwh,
                "labels": line.labels,
                "answers": line.answers,
            }
        )
    return {
        "format": TEMPLATE_FORMAT,
        "tender_reference": offer.tender_reference,
        "supplier": offer.supplier,
        "lots": [{"lot": number, "lines": items} for number, items in sorted(lots.items())],
        "company": offer.company,
    }


def iter_lines(offers: Sequence[OfferFile]) -> Iterator[tuple[int, ProductLine]]:
    for index, offer in enumerate(offers):
        for line in offer.lines:
            yield index, line
