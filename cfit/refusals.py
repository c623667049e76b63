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
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cfit import uploads
from cfit.uploads import ImportRefused, Problem

#: The message of each code, with the reader's parameters as ``%(name)s``. The codes of the file as a
#: whole (``cfit.tabular``) are shared by every reader; the others are prefixed by their reader and say
#: the same words as the reader's English list (``tests/test_import_codes.py`` compares them).
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
    "unreadable_file": gettext_lazy("cannot be read (%(detail)s)"),
    "not_text": gettext_lazy("holds NUL characters: not a text file"),
    "cell_too_long": gettext_lazy("a cell longer than %(limit)s characters"),
    "too_many_columns": gettext_lazy("more than %(limit)s columns"),
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
    # the cloud import (cfit.cloud.actions): the FOCUS reader read the file, the organisation had it already
    "focus:already_imported": gettext_lazy("this export was imported on %(date)s: it is counted once"),
    # a supplier's offer (cfit.offers.reader.MESSAGES)
    "offers:unknown_format": gettext_lazy(
        "unknown format: use the .xlsx template, or its .csv or .json form"
    ),
    "offers:not_template": gettext_lazy(
        "not a cfit response template (its hidden _cfit sheet is missing); download the tender's template"
    ),
    "offers:template_format": gettext_lazy("template format %(found)s is not %(expected)s"),
    "offers:other_tender": gettext_lazy("this template belongs to tender %(found)s, not %(expected)s"),
    "offers:other_framework": gettext_lazy(
        "template made for framework %(found)s, the tender uses %(expected)s"
    ),
    "offers:lot_sheet_missing": gettext_lazy(
        "the sheet for lot %(lot)s (%(sheet)s) is missing: keep the sheet and leave it empty to not bid on "
        "this lot"
    ),
    "offers:company_sheet_missing": gettext_lazy("the sheet %(sheet)s for company declarations is missing"),
    "offers:no_lines_in_template": gettext_lazy("no product lines: fill in at least one row of a lot sheet"),
    "offers:no_lines": gettext_lazy("no product lines"),
    "offers:too_many_lines": gettext_lazy("more than %(limit)s product lines"),
    "offers:json_not_offer": gettext_lazy("expected an object with 'lots' (see the API documentation)"),
    "offers:json_format": gettext_lazy("format %(found)s is not %(expected)s"),
    "offers:json_other_tender": gettext_lazy("this offer is for tender %(found)s, not %(expected)s"),
    "offers:template_column_missing": gettext_lazy(
        "column %(column)s is missing; do not change the template's columns"
    ),
    "offers:column_missing": gettext_lazy("column %(column)s is missing"),
    "offers:unknown_column": gettext_lazy("unknown column %(column)s"),
    "offers:unknown_empty_column": gettext_lazy("unknown column (empty)"),
    "offers:not_asked": gettext_lazy("lot %(lot)s does not ask for %(requirement)s"),
    "offers:json_not_lot": gettext_lazy("expected an object with 'lot' and 'lines'"),
    "offers:json_not_object": gettext_lazy("expected an object"),
    "offers:json_not_answers": gettext_lazy("expected an object of requirement id → answer"),
    "offers:no_requirement": gettext_lazy("lot %(lot)s has no requirement %(requirement)s"),
    "offers:formula": gettext_lazy("formulas are not accepted; type the value"),
    "offers:required": gettext_lazy("required"),
    "offers:repeated_line": gettext_lazy("product line %(line)s appears twice (first at %(at)s)"),
    "offers:not_number": gettext_lazy("a number is expected, not %(value)s"),
    "offers:ambiguous_number": gettext_lazy(
        "%(value)s reads two ways (%(whole)s or %(decimal)s): type the number without a thousands "
        "separator, with %(separator)s before its decimals"
    ),
    "offers:too_many": gettext_lazy("at most %(limit)s"),
    "offers:not_positive_whole": gettext_lazy("a whole number of 1 or more is expected"),
    "offers:negative": gettext_lazy("a number of 0 or more is expected"),
    "offers:unknown_labels": gettext_lazy(
        "unknown label(s) %(labels)s; see the Instructions sheet for the ids"
    ),
    "offers:no_lot": gettext_lazy("this tender has no lot %(lot)s (lots: %(lots)s)"),
    "offers:unknown_company_requirement": gettext_lazy(
        "unknown company requirement %(requirement)s for this tender"
    ),
    "offers:answered_twice": gettext_lazy("%(requirement)s is answered twice with different values"),
    "offers:not_yes_no": gettext_lazy("answer %(yes)s or %(no)s, not %(value)s"),
    "offers:not_whole": gettext_lazy("a whole number is expected, not %(value)s"),
    "offers:negative_answer": gettext_lazy("a number of 0 or more is expected, not %(value)s"),
    "offers:not_option": gettext_lazy("%(value)s is not one of %(options)s"),
    "offers:not_date": gettext_lazy("a date (YYYY-MM-DD) is expected, not %(value)s"),
    "offers:too_long": gettext_lazy("at most %(limit)s characters"),
    # a criteria import (cfit.criteria.exchange.IMPORT_MESSAGES)
    "criteria:unknown_format": gettext_lazy("unknown format: use .json, .csv, .xlsx or .yaml"),
    "criteria:not_flat_file": gettext_lazy(
        "send the criteria workbook (.xlsx), its CSV form, the JSON export or a YAML file"
    ),
    "criteria:not_export": gettext_lazy("not a cfit criteria export (no criteria list)"),
    "criteria:no_criteria": gettext_lazy("no criteria list"),
    "criteria:no_framework": gettext_lazy(
        "no framework is loaded yet to take product groups and labels from"
    ),
    "criteria:no_sheet": gettext_lazy("no sheet named 'Criteria'"),
    "criteria:yaml_too_deep": gettext_lazy("not valid YAML: nested deeper than %(depth)s levels"),
    "criteria:yaml_invalid": gettext_lazy("not valid YAML: %(detail)s"),
    "criteria:too_many_rows": gettext_lazy("more than %(limit)s rows"),
    "criteria:missing_column": gettext_lazy("missing column"),
    "criteria:unknown_column": gettext_lazy("unknown column"),
    "criteria:not_object": gettext_lazy("must be an object"),
    "criteria:not_mapping": gettext_lazy("must be a mapping"),
    "criteria:not_list": gettext_lazy("must be a list"),
    "criteria:unknown_fields": gettext_lazy("unknown field(s) %(fields)s"),
    "criteria:text_per_language": gettext_lazy(
        "expected a text per language {en, nl, fr, de, nb}; an export made with --lang cannot be imported"
    ),
    "criteria:required": gettext_lazy("required"),
    "criteria:unknown_field": gettext_lazy("not a field of a criterion"),
    "criteria:empty": gettext_lazy("empty"),
    "criteria:differs": gettext_lazy("differs from row %(first)s for the same criterion %(criterion)s"),
    "criteria:bad_source": gettext_lazy("each source line must read 'title | url | ref', not %(line)s"),
    "criteria:not_true_false": gettext_lazy("%(value)s is not true or false"),
    "criteria:not_number": gettext_lazy("%(value)s is not a number"),
    "criteria:not_whole": gettext_lazy("%(value)s is not a whole number from %(low)s to %(high)s"),
    "criteria:not_json": gettext_lazy("not JSON of at most %(depth)s levels, e.g. %(example)s"),
    "criteria:formula": gettext_lazy("formulas are not accepted; type the value"),
    "criteria:below_floor": gettext_lazy(
        "asks less than %(law)s (value %(floor)s), which applies since %(since)s"
    ),
    "criteria:shared_list": gettext_lazy(
        "product groups and labels are shared by every version, published ones too: "
        "they change in the framework files, not by an import"
    ),
    # a notice file the secretariat imports (cfit.notices.record.MESSAGES)
    "notices:not_notice_file": gettext_lazy("not a notice file (.xml, .json, .jsonl, .zip, .tar.gz)"),
    "notices:no_such_file": gettext_lazy("no such file or folder"),
    "notices:too_large": gettext_lazy("larger than %(size)s MB"),
    "notices:unreadable": gettext_lazy("cannot be read: %(detail)s"),
    "notices:zip_bomb": gettext_lazy("inflates more than %(ratio)s times: not read further (zip bomb?)"),
    "notices:inflates": gettext_lazy("inflates to %(size)s bytes from %(packed)s: not read"),
    "notices:larger_than_declared": gettext_lazy("larger than its declared size: not read"),
    "notices:notice_too_large": gettext_lazy("larger than %(size)s MB: no notice is that large"),
    "notices:dtd": gettext_lazy(
        "declares a DTD or entities: a notice has none (refused against entity expansion)"
    ),
    "notices:not_xml": gettext_lazy("not well-formed XML: %(detail)s (line %(line)s)"),
    "notices:not_eforms": gettext_lazy(
        "not an eForms notice: the root is %(root)s, expected one of %(expected)s in its eForms namespace"
    ),
    "notices:no_notice_id": gettext_lazy(
        "has no notice identifier (BT-701, cbc:ID[@schemeName='notice-id'])"
    ),
    "notices:not_json": gettext_lazy("not JSON: %(detail)s (line %(line)s, column %(column)s)"),
    "notices:not_json_line": gettext_lazy("not JSON: %(detail)s"),
    "notices:record_not_object": gettext_lazy("a record is an object"),
    "notices:record_without_releases": gettext_lazy("neither a compiled release nor embedded releases"),
    "notices:not_ocds": gettext_lazy("not an OCDS release, release package or record package"),
    "notices:release_not_object": gettext_lazy("a release is an object"),
    "notices:no_ocid": gettext_lazy("a release without an ocid"),
    "notices:release_shape": gettext_lazy("a release of an unexpected shape: %(detail)s"),
    "notices:id_too_long": gettext_lazy("not stored: the notice id is longer than %(limit)s characters"),
    "notices:not_stored": gettext_lazy("not stored: %(detail)s"),
}
#: What is wrong with an unreadable workbook (``unreadable_xlsx``'s ``detail``), in the reader's language.
WORKBOOK_TROUBLES = {
    uploads.NOT_A_PACKAGE: gettext_lazy("not a workbook inside: another kind of file named .xlsx?"),
    uploads.UNSAFE_XML: gettext_lazy("it holds XML that is refused for safety (entities or a document type)"),
    uploads.DAMAGED: gettext_lazy(
        "the workbook is damaged or incomplete: save it again from the spreadsheet program"
    ),
}


def parameter_text(key: str, value: str) -> str:
    """A problem's parameter in the reader's language: a place in the file, what is wrong with a
    workbook, a large whole number as the language groups it; other values as the file has them."""
    if key in _PLACES:
        return where_text(value)
    if key == "detail" and value in WORKBOOK_TROUBLES:
        return str(WORKBOOK_TROUBLES[value])
    if key in ("date", "since"):
        return _localised_date(value)
    if key in _AS_TYPED:
        return value
    return _localised_number(value)


#: Codes whose message is someone else's words, shown as the reader wrote them: the criteria model's
#: own rules (``cfit.criteria.content`` validators and pydantic) word their problems in English.
UNTRANSLATED = frozenset({"criteria:invalid"})

#: Where a problem is, as the readers write it, and how the reader reads it.
_WHERE: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"file"), lambda m: _("file")),
    (re.compile(r"header"), lambda m: _("header")),
    (re.compile(r"row (?P<row>\d+)"), lambda m: _("row %(row)s") % m.groupdict()),
    (
        re.compile(r"sheet (?P<sheet>.+), row (?P<row>\d+)"),
        lambda m: _("sheet %(sheet)s, row %(row)s") % m.groupdict(),
    ),
    # a criteria file's row and the criterion it belongs to, in a workbook's sheet or a CSV
    (
        re.compile(r"sheet (?P<sheet>.+), row (?P<row>\d+) \((?P<criterion>[^()]+)\)"),
        # the criterion's code in brackets reads the same in every language
        lambda m: _("sheet %(sheet)s, row %(row)s") % m.groupdict() + f" ({m['criterion']})",
    ),
    (
        re.compile(r"row (?P<row>\d+) \((?P<criterion>[^()]+)\)"),
        lambda m: _("row %(row)s (%(criterion)s)") % m.groupdict(),
    ),
]
#: The field of a problem where a reader names a column by its letter, number or id ("column E").
_COLUMN = re.compile(r"column (?P<column>.+)")
#: Parameters that are themselves a place in the file ("first at sheet Lot 1, row 4").
_PLACES = frozenset({"at"})
#: Parameters that say what to type, character for character: grouped ("1.234") they would say the
#: opposite (an offer's ``ambiguous_number``: "type 1234 or 1,234").
_AS_TYPED = frozenset({"whole", "decimal"})


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
    params = {key: parameter_text(key, value) for key, value in problem.params}
    return str(template) % params


#: A whole number as a reader writes it in English: 2147483647 or 2,147,483,647.
_WHOLE = re.compile(r"\d{1,3}(,\d{3})+|\d{4,}")


def _localised_number(value: str) -> str:
    """A large whole number in the reader's language ("2.147.483.647" in Dutch); other values as given."""
    if not _WHOLE.fullmatch(value):
        return value
    return number_format(int(value.replace(",", "")), force_grouping=True)


def _localised_date(value: str) -> str:
    """A day given as ISO 8601 (2026-12-06) as the reader's language writes it (6 december 2026)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return date_format(day)


def field_text(field: str) -> str:
    if found := _COLUMN.fullmatch(field):
        return _("column %(column)s") % found.groupdict()
    return field


def problem_text(problem: Problem, reader: str = "") -> str:
    """ "row 7, ConsumedUnit: a consumed quantity (3) needs its unit", in the active language."""
    parts = [where_text(problem.where)]
    if problem.field and problem.field != "-":
        parts.append(field_text(problem.field))
    return f"{', '.join(parts)}: {message_text(problem, reader)}"


def refusal_texts(error: ImportRefused, reader: str = "", *, with_filename: bool = True) -> list[str]:
    """Every problem listed by a refusal, one line each, and how many more were found."""
    prefix = f"{error.filename}: " if with_filename else ""
    texts = [prefix + problem_text(p, reader) for p in error.problems]
    if error.count > len(error.problems):
        texts.append(_("… and %(n)s more") % {"n": error.count - len(error.problems)})
    return texts
