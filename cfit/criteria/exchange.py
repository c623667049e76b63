"""The framework as files for people and machines: JSON, CSV and XLSX, out and back in.

Plain Python with no Django import. Export goes from ``content.Framework``; import goes back to it
and reports every problem with the row (or criterion) and the field, so that nothing is written
unless the whole file is good. CSV and XLSX hold one row per requirement, with the criterion's
columns repeated on each of its rows. Each import problem is a code of ``IMPORT_MESSAGES`` with
parameters, said in English here (command line, logs) and in the reader's language at the edge
(``cfit.refusals``, prefix ``criteria:``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from cfit.criteria import content
from cfit.criteria.content import LANGUAGES
from cfit.criteria.vocabulary import load_vocabulary
from cfit.tabular import (
    MAX_JSON_DEPTH,
    NotANumber,
    check_shape,
    decode_text,
    load_json,
    parse_number,
    parse_whole,
    read_table,
    sheet_rows,
)
from cfit.uploads import (
    MAX_IMPORT_BYTES,
    ImportRefused,
    Problem,
    check_size,
    is_formula,
    open_workbook,
)

#: Whole-number thresholds stay within what a JSON number carries exactly.
MAX_EXACT = 2**53

#: Every problem code of a criteria import and its English message; ``{name}`` marks a parameter.
IMPORT_MESSAGES: dict[str, str] = {
    # the file as a whole
    "unknown_format": "unknown format: use .json, .csv, .xlsx or .yaml",
    "not_flat_file": "send the criteria workbook (.xlsx), its CSV form, the JSON export or a YAML file",
    "not_export": "not a cfit criteria export (no criteria list)",
    "no_criteria": "no criteria list",
    "no_framework": "no framework is loaded yet to take product groups and labels from",
    "no_sheet": "no sheet named 'Criteria'",
    "yaml_too_deep": "not valid YAML: nested deeper than {depth} levels",
    "yaml_invalid": "not valid YAML: {detail}",
    "too_many_rows": "more than {limit} rows",
    # the columns
    "missing_column": "missing column",
    "unknown_column": "unknown column",
    # the criteria (JSON, YAML)
    "not_object": "must be an object",
    "not_mapping": "must be a mapping",
    "not_list": "must be a list",
    "unknown_fields": "unknown field(s) {fields}",
    "text_per_language": (
        "expected a text per language {{en, nl, fr, de, nb}}; an export made with --lang cannot be imported"
    ),
    "required": "required",
    "unknown_field": "not a field of a criterion",
    #: the model's own rule (``cfit.criteria.content``) as it words it: English for now
    "invalid": "{detail}",
    # the cells (CSV, XLSX)
    "empty": "empty",
    "differs": "differs from row {first} for the same criterion {criterion}",
    "bad_source": "each source line must read 'title | url | ref', not {line}",
    "not_true_false": "{value} is not true or false",
    "not_number": "{value} is not a number",
    "not_whole": "{value} is not a whole number from {low} to {high}",
    "not_json": "not JSON of at most {depth} levels, e.g. {example}",
    "formula": "formulas are not accepted; type the value",
    "below_floor": "asks less than {law} (value {floor}), which applies since {since}",
    # product groups and labels in a JSON or YAML file imported into a draft from its page
    "shared_list": (
        "product groups and labels are shared by every version, published ones too: "
        "they change in the framework files, not by an import"
    ),
}


class CellError(ValueError):
    """A cell that does not fit its column: a code of ``IMPORT_MESSAGES`` with its parameters."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = {key: str(value) for key, value in params.items()}
        super().__init__(IMPORT_MESSAGES[code].format(**self.params))


def _problem(where: str, field: str, code: str, /, **params: Any) -> Problem:
    shown = {key: str(value) for key, value in params.items()}
    return Problem(where, field, IMPORT_MESSAGES[code].format(**shown), code, tuple(shown.items()))


def _refused(filename: str, where: str, field: str, code: str, /, **params: Any) -> ImportRefused:
    return ImportRefused(filename, [_problem(where, field, code, **params)])


MAX_ROWS = 20_000
#: Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

TRANSLATED_CRITERION_FIELDS = ("title", "text", "rationale")
FLAT_COLUMNS: list[str] = [
    "criterion_id",
    "topic",
    "product_groups",
    "impact_category",
    "lifecycle_stage",
    "strategies",
    "type",
    "ambition",
    "threshold_origin",
    *[f"{field}_{lang}" for field in TRANSLATED_CRITERION_FIELDS for lang in LANGUAGES],
    "verification_labels",
    *[f"verification_documents_{lang}" for lang in LANGUAGES],
    "sources",
    "requirement_id",
    "requirement_group",
    *[f"requirement_title_{lang}" for lang in LANGUAGES],
    "data_type",
    "expected_value",
    "min_value",
    "max_value",
    "options",
    "allowed",
    "unit",
    "satisfied_by_labels",
    "better",
    "scoring",
    "legal_floors",
]
CRITERION_COLUMNS = FLAT_COLUMNS[: FLAT_COLUMNS.index("requirement_id")]


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _pick(texts: dict[str, str], lang: str | None) -> dict[str, str] | str:
    return texts[lang] if lang else dict(texts)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def _threshold(req: content.Requirement) -> dict[str, Any]:
    """The OCDS threshold keys that are set: expectedValue, minValue, maxValue."""
    found = {
        "expectedValue": req.expected_value,
        "minValue": _number(req.min_value),
        "maxValue": _number(req.max_value),
    }
    return {key: value for key, value in found.items() if value is not None}


def requirement_to_json(req: content.Requirement, lang: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": req.id,
        "group": req.group,
        "title": _pick(req.title, lang),
        "dataType": req.data_type.value,
    }
    item.update(_threshold(req))
    if req.options:
        item["options"] = list(req.options)
    if req.allowed:
        item["allowed"] = list(req.allowed)
    item["unit"] = req.unit
    item["satisfiedByLabels"] = list(req.satisfied_by_labels)
    if req.better is not None:
        item["better"] = req.better.value
    if req.scoring is not None:
        item["scoring"] = req.scoring.model_dump(mode="json", exclude_defaults=True)
    if req.legal_floors:
        item["legalFloors"] = [f.model_dump(mode="json", exclude_defaults=True) for f in req.legal_floors]
    if lang:
        # A one-language export is for people: the codes stay, their labels come beside them.
        words = load_vocabulary()
        if req.unit:
            item["unitName"] = words.unit(req.unit, lang)
        if req.options:
            item["optionNames"] = {option: words.option(option, lang) for option in req.options}
    return item


def criterion_to_json(c: content.Criterion, lang: str | None = None) -> dict[str, Any]:
    return {
        "id": c.id,
        "topic": c.topic,
        **({"topicName": load_vocabulary().topic(c.topic, lang)} if lang else {}),
        "product_groups": list(c.product_groups),
        "impact_category": c.impact_category.value,
        "lifecycle_stage": c.lifecycle_stage.value,
        "strategies": [s.value for s in c.strategies],
        "type": c.type.value,
        "ambition": c.ambition.value,
        "threshold_origin": c.threshold_origin.value,
        "title": _pick(c.title, lang),
        "text": _pick(c.text, lang),
        "rationale": _pick(c.rationale, lang),
        "verification": {
            "labels": list(c.verification.labels),
            "documents": _pick(c.verification.documents, lang),
        },
        "sources": [s.model_dump() for s in c.sources],
        "requirements": [requirement_to_json(r, lang) for r in c.requirements],
        "rendered": _rendered(c, lang),
    }


#: The texts of a criterion that the export also gives as people read them.
RENDERED_FIELDS = {
    "title": "title",
    "text": "text",
    "rationale": "rationale",
    "verification_documents": "verification",
}


def _rendered(c: content.Criterion, lang: str | None) -> dict[str, Any]:
    """The criterion's texts with the references to its requirements replaced by their values.

    The export keeps the texts as written (``title``, ``text``…, with ``{{requirement-id|min}}``) so
    that an edited file can be imported again; ``rendered`` is what a reader sees, for integrators
    who show the texts as they are. Import ignores it: it is derived from the rest.
    """
    from cfit.criteria.rendering import render_texts  # the words of the answer come from Django's catalogues

    requirements = {r.id: r for r in c.requirements}
    return {
        key: _pick(render_texts(c.texts(field), requirements), lang) for key, field in RENDERED_FIELDS.items()
    }


def framework_to_json(
    fw: content.Framework, *, lang: str | None = None, category_names: dict[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """The export document. With ``lang``, every text is a plain string in that language."""
    names = category_names or {}
    return {
        "version": fw.version,
        "languages": [lang] if lang else list(LANGUAGES),
        "product_groups": [
            {
                "id": g.id,
                "kind": g.kind.value,
                "cpv": g.cpv,
                "name": _pick(g.name, lang),
                "description": _pick(g.description, lang),
            }
            for g in fw.product_groups
        ],
        "impact_categories": [
            {"id": c.value, "name": _pick(names.get(c.value, {x: c.value for x in LANGUAGES}), lang)}
            for c in content.ImpactCategory
        ],
        "labels": [label.model_dump() for label in fw.labels],
        "criteria": [criterion_to_json(c, lang) for c in fw.criteria],
    }


# ---------------------------------------------------------------------------
# OCDS requirements extension: criteria -> requirement groups -> requirements
# ---------------------------------------------------------------------------

#: Our data types onto the extension's closed dataType code list.
OCDS_DATA_TYPES = {
    "boolean": "boolean",
    "number": "number",
    "integer": "integer",
    "string": "string",
    "enumeration": "string",  # with a pattern that lists the options
    "date": "date-time",
}


def criterion_to_ocds(c: content.Criterion, lang: str) -> dict[str, Any]:
    """One criterion as an OCDS ``Criterion``; requirement groups are alternatives, as in OCDS."""
    from cfit.criteria.rendering import rendered_field  # published texts read as people read them

    groups: dict[str, list[dict[str, Any]]] = {}
    for r in c.requirements:
        item: dict[str, Any] = {
            "id": r.id,
            "title": r.title[lang],
            "dataType": OCDS_DATA_TYPES[r.data_type.value],
        }
        item.update(_threshold(r))
        if r.options:  # the answers that meet the requirement, not every listed option
            item["pattern"] = "^(" + "|".join(re.escape(o) for o in r.allowed_answers or r.options) + ")$"
        groups.setdefault(r.group, []).append(item)
    return {
        "id": c.id,
        "title": rendered_field(c, "title", lang),
        "description": rendered_field(c, "text", lang),
        # Selection criteria are about the company; the rest about the goods or services offered.
        "relatesToTenderer": c.type == content.CriterionType.SELECTION_CRITERION,
        "requirementGroups": [
            {"id": f"{c.id}/{group}", "requirements": requirements} for group, requirements in groups.items()
        ],
    }


_REQUIREMENT_KEYS = {
    "id": "id",
    "group": "group",
    "title": "title",
    "dataType": "data_type",
    "expectedValue": "expected_value",
    "minValue": "min_value",
    "maxValue": "max_value",
    "options": "options",
    "allowed": "allowed",
    "unit": "unit",
    "satisfiedByLabels": "satisfied_by_labels",
    "better": "better",
    "scoring": "scoring",
    "legalFloors": "legal_floors",
}


def framework_from_json(
    data: Any, filename: str = "import.json", *, on: date | None = None
) -> content.Framework:
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list):
        raise _refused(filename, "file", "criteria", "not_export")
    problems: list[Problem] = []
    criteria: list[content.Criterion] = []
    for index, raw in enumerate(data["criteria"]):
        where = f"criteria[{index}]" + (
            f" ({raw.get('id')})" if isinstance(raw, dict) and raw.get("id") else ""
        )
        if not isinstance(raw, dict):
            problems.append(_problem(where, "-", "not_object"))
            continue
        # "rendered" is derived from the texts and the requirements, so it is not read back
        item = {k: v for k, v in raw.items() if k not in ("requirements", "rendered")}
        requirements = raw.get("requirements")
        if not isinstance(requirements, list):
            problems.append(_problem(where, "requirements", "not_list"))
            continue
        mapped = []
        for r_index, requirement in enumerate(requirements):
            if not isinstance(requirement, dict):
                problems.append(_problem(where, f"requirements[{r_index}]", "not_object"))
                continue
            unknown = sorted(set(requirement) - set(_REQUIREMENT_KEYS))
            if unknown:
                problems.append(
                    _problem(where, f"requirements[{r_index}]", "unknown_fields", fields=", ".join(unknown))
                )
            mapped.append({_REQUIREMENT_KEYS[k]: v for k, v in requirement.items() if k in _REQUIREMENT_KEYS})
        item["requirements"] = mapped
        criteria_problems = _validate_criterion(item, where)
        if criteria_problems:
            problems.extend(criteria_problems)
        else:
            criterion = content.Criterion.model_validate(item)
            criteria.append(criterion)
            problems.extend(
                _floor_problem(where, f"requirements[{index}]", finding)
                for index, finding in _below_floors(criterion, on)
            )
    reference = {"product_groups": data.get("product_groups", []), "labels": data.get("labels", [])}
    return _assemble(filename, str(data.get("version") or ""), reference, criteria, problems)


def _below_floors(criterion: content.Criterion, on: date | None) -> list[tuple[int, content.FloorFinding]]:
    """The requirements (by position) asking less than a legal floor in force on ``on`` (default:
    today, UTC) that they cite: a file a translator edited never brings a threshold below the law into
    a draft."""
    positions = {r.id: index for index, r in enumerate(criterion.requirements)}
    return [
        (positions[finding.requirement], finding)
        for finding in content.floor_findings([criterion], on or datetime.now(UTC).date())
        if finding.in_force
    ]


def _floor_problem(where: str, field: str, finding: content.FloorFinding) -> Problem:
    floor = finding.floor
    return _problem(
        where,
        field,
        "below_floor",
        law=f"{floor.regulation}, {floor.article}",
        floor=_number(floor.value) if not isinstance(floor.value, bool) else "true",
        since=floor.applies_from.isoformat(),
    )


def _validate_criterion(item: dict[str, Any], where: str) -> list[Problem]:
    try:
        content.Criterion.model_validate(item)
    except ValidationError as error:
        return [_problem_from_error(where, e) for e in error.errors()]
    return []


def _problem_from_error(where: str, error: Any) -> Problem:
    location = ".".join(str(part) for part in error["loc"]) or "-"
    if error["type"] == "dict_type" and location.split(".")[-1] in {
        "title",
        "text",
        "rationale",
        "documents",
    }:
        return _problem(where, location, "text_per_language")
    code, params = _model_code(error)
    return _problem(where, location, code, **params)


def _model_code(error: Any) -> tuple[str, dict[str, str]]:
    """A pydantic error as a code: the common ones by their type, the model's own rules by its words."""
    if error["type"] == "missing":
        return "required", {}
    if error["type"] == "extra_forbidden":
        return "unknown_field", {}
    return "invalid", {"detail": str(error["msg"])}


def _assemble(
    filename: str,
    version: str,
    reference: dict[str, Any],
    criteria: list[content.Criterion],
    problems: list[Problem],
) -> content.Framework:
    if problems:
        raise ImportRefused(filename, problems)
    try:
        return content.Framework.model_validate(
            {"version": version or "import", **reference, "criteria": [c.model_dump() for c in criteria]}
        )
    except ValidationError as error:
        found: list[Problem] = []
        for e in error.errors():
            if e["type"] == "value_error":
                found.extend(
                    _problem("file", "references", "invalid", detail=part.strip())
                    for part in str(e["ctx"]["error"]).split(";")
                )
            else:
                found.append(_problem_from_error("file", e))
        raise ImportRefused(filename, found) from error


# ---------------------------------------------------------------------------
# Flat rows: CSV and XLSX
# ---------------------------------------------------------------------------


def _join(values: Iterable[str]) -> str:
    return " ".join(values)


def _sources_cell(sources: list[content.Source]) -> str:
    return "\n".join(f"{s.title} | {s.url} | {s.ref}" for s in sources)


def framework_to_rows(fw: content.Framework) -> list[dict[str, Any]]:
    rows = []
    for c in fw.criteria:
        base: dict[str, Any] = {
            "criterion_id": c.id,
            "topic": c.topic,
            "product_groups": _join(c.product_groups),
            "impact_category": c.impact_category.value,
            "lifecycle_stage": c.lifecycle_stage.value,
            "strategies": _join(s.value for s in c.strategies),
            "type": c.type.value,
            "ambition": c.ambition.value,
            "threshold_origin": c.threshold_origin.value,
            "verification_labels": _join(c.verification.labels),
            "sources": _sources_cell(c.sources),
        }
        for field in TRANSLATED_CRITERION_FIELDS:
            for lang in LANGUAGES:
                base[f"{field}_{lang}"] = getattr(c, field)[lang]
        for lang in LANGUAGES:
            base[f"verification_documents_{lang}"] = c.verification.documents[lang]
        for r in c.requirements:
            row = dict(base)
            row.update(
                {
                    "requirement_id": r.id,
                    "requirement_group": r.group,
                    "data_type": r.data_type.value,
                    "expected_value": r.expected_value,
                    "min_value": _number(r.min_value),
                    "max_value": _number(r.max_value),
                    "options": " | ".join(r.options),
                    "allowed": " | ".join(r.allowed),
                    "unit": r.unit,
                    "satisfied_by_labels": _join(r.satisfied_by_labels),
                    "better": r.better.value if r.better else "",
                    "scoring": json.dumps(r.scoring.model_dump(mode="json", exclude_defaults=True))
                    if r.scoring
                    else "",
                    "legal_floors": json.dumps(
                        [f.model_dump(mode="json", exclude_defaults=True) for f in r.legal_floors],
                        ensure_ascii=False,
                    )
                    if r.legal_floors
                    else "",
                }
            )
            for lang in LANGUAGES:
                row[f"requirement_title_{lang}"] = r.title[lang]
            rows.append(row)
    return rows


def neutralise_formula(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (undone on import)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_formula_text(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(row.get(k)) for k in FLAT_COLUMNS})
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(neutralise_formula(value)) if isinstance(value, str) else str(value)


def csv_to_rows(text: str, filename: str) -> list[tuple[int, dict[str, str]]]:
    # Cells that look like formulas were written with an apostrophe (``neutralise_formula``) and are
    # text here: a CSV runs nothing until a spreadsheet opens it.
    table = read_table(text.encode("utf-8"), filename, formulas="keep")
    _check_header(table.headers, filename)
    rows = []
    for number, cells in table.rows:
        if number > MAX_ROWS + 1:
            raise _refused(filename, f"row {number}", "-", "too_many_rows", limit=MAX_ROWS)
        rows.append(
            (number, {k: restore_formula_text(v or "") for k, v in zip(table.headers, cells, strict=True)})
        )
    table.problems.raise_if_any()
    return rows


#: Columns added after the first exports: an older export without them still imports (read as empty).
OPTIONAL_COLUMNS = frozenset({"allowed", "better", "scoring", "legal_floors"})


def _check_header(header: Sequence[str], filename: str, *, sheet: str | None = None) -> None:
    missing = [c for c in FLAT_COLUMNS if c not in header and c not in OPTIONAL_COLUMNS]
    unknown = [c for c in header if c not in FLAT_COLUMNS]
    problems = [_problem(_row(1, sheet), c, "missing_column") for c in missing]
    problems += [_problem(_row(1, sheet), c, "unknown_column") for c in unknown]
    if problems:
        raise ImportRefused(filename, problems)


def _split(cell: str) -> list[str]:
    return cell.split()


def _parse_sources(cell: str) -> list[dict[str, str]]:
    sources = []
    for line in cell.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) != 3:
            raise CellError("bad_source", line=repr(line))
        sources.append({"title": parts[0], "url": parts[1], "ref": parts[2]})
    return sources


def _parse_value(cell: str, data_type: str) -> Any:
    cell = cell.strip()
    if cell == "":
        return None
    match data_type:
        case "boolean":
            lowered = cell.lower()
            if lowered in {"true", "yes", "1"}:
                return True
            if lowered in {"false", "no", "0"}:
                return False
            raise CellError("not_true_false", value=repr(cell))
        case "integer":
            try:
                return parse_whole(cell, low=-MAX_EXACT, high=MAX_EXACT)
            except NotANumber:
                raise CellError(
                    "not_whole", value=repr(cell[:40]), low=f"{-MAX_EXACT:,}", high=f"{MAX_EXACT:,}"
                ) from None
        case "number":
            try:
                number = parse_number(cell)
            except NotANumber:
                raise CellError("not_number", value=repr(cell[:40])) from None
            return int(number) if number.is_integer() and abs(number) <= MAX_EXACT else number
        case _:
            return cell


def _parse_float(cell: str) -> float | None:
    cell = cell.strip()
    if not cell:
        return None
    try:
        return parse_number(cell)
    except NotANumber:
        raise CellError("not_number", value=repr(cell[:40])) from None


#: The sheet of an exported workbook that holds the criteria.
SHEET = "Criteria"


def _row(number: int, sheet: str | None, criterion: str = "") -> str:
    """Where a problem is: "row 7" in a CSV, "sheet Criteria, row 7" in a workbook, then the criterion."""
    where = f"sheet {sheet}, row {number}" if sheet else f"row {number}"
    return f"{where} ({criterion})" if criterion else where


def rows_to_framework(
    rows: list[tuple[int, dict[str, str]]],
    filename: str,
    reference: content.Framework,
    *,
    on: date | None = None,
    sheet: str | None = None,
) -> content.Framework:
    """Rebuild the framework from flat rows; product groups and labels come from ``reference``.
    ``sheet``: the workbook sheet the rows are from, named with each problem's row (none for a CSV)."""
    problems: list[Problem] = []
    grouped: dict[str, dict[str, Any]] = {}
    first_row: dict[str, tuple[int, dict[str, str]]] = {}
    for number, row in rows:
        where = _row(number, sheet)
        code = row["criterion_id"].strip()
        if not code:
            problems.append(_problem(where, "criterion_id", "empty"))
            continue
        if code in first_row:
            first_number, first = first_row[code]
            for column in CRITERION_COLUMNS:
                if row[column] != first[column]:
                    problems.append(_problem(where, column, "differs", first=first_number, criterion=code))
        else:
            first_row[code] = (number, row)
            try:
                grouped[code] = {
                    "id": code,
                    "topic": row["topic"].strip(),
                    "product_groups": _split(row["product_groups"]),
                    "impact_category": row["impact_category"].strip(),
                    "lifecycle_stage": row["lifecycle_stage"].strip(),
                    "strategies": _split(row["strategies"]),
                    "type": row["type"].strip(),
                    "ambition": row["ambition"].strip(),
                    "threshold_origin": row["threshold_origin"].strip(),
                    **{
                        field: {lang: row[f"{field}_{lang}"] for lang in LANGUAGES}
                        for field in TRANSLATED_CRITERION_FIELDS
                    },
                    "verification": {
                        "labels": _split(row["verification_labels"]),
                        "documents": {lang: row[f"verification_documents_{lang}"] for lang in LANGUAGES},
                    },
                    "sources": _parse_sources(row["sources"]),
                    "requirements": [],
                    "_rows": [],
                }
            except CellError as error:
                problems.append(_problem(where, "sources", error.code, **error.params))
                continue
        if code not in grouped:
            continue
        data_type = row["data_type"].strip()
        requirement: dict[str, Any] = {
            "id": row["requirement_id"].strip(),
            "group": row["requirement_group"].strip() or "1",
            "title": {lang: row[f"requirement_title_{lang}"] for lang in LANGUAGES},
            "data_type": data_type,
            "options": [o.strip() for o in row["options"].split(" | ")] if row["options"].strip() else [],
            "allowed": [o.strip() for o in row.get("allowed", "").split(" | ")]
            if (row.get("allowed") or "").strip()
            else [],
            "unit": row["unit"].strip(),
            "satisfied_by_labels": _split(row["satisfied_by_labels"]),
            "better": (row.get("better") or "").strip() or None,
        }
        for column, example in (("scoring", '{"rule": "proportional"}'), ("legal_floors", "[{...}]")):
            cell = (row.get(column) or "").strip()
            if cell:
                try:
                    requirement[column] = json.loads(cell)
                    check_shape(requirement[column], filename)
                except (ValueError, RecursionError, ImportRefused):
                    problems.append(
                        _problem(where, column, "not_json", depth=MAX_JSON_DEPTH, example=example)
                    )
        for column in ("expected_value", "min_value", "max_value"):
            try:
                requirement[column] = (
                    _parse_value(row[column], data_type)
                    if column == "expected_value"
                    else _parse_float(row[column])
                )
            except CellError as error:
                problems.append(_problem(where, column, error.code, **error.params))
        grouped[code]["requirements"].append(requirement)
        grouped[code]["_rows"].append(number)

    criteria = []
    for code, item in grouped.items():
        numbers = item.pop("_rows")
        try:
            criterion = content.Criterion.model_validate(item)
        except ValidationError as error:
            for e in error.errors():
                problems.append(_flat_problem(code, numbers, first_row[code][0], e, sheet))
            continue
        criteria.append(criterion)
        for index, finding in _below_floors(criterion, on):
            higher = criterion.requirements[index].better != content.Better.LOWER
            column = "min_value" if higher else "max_value"
            problems.append(_floor_problem(_row(numbers[index], sheet, code), column, finding))
    reference_lists = {
        "product_groups": [g.model_dump() for g in reference.product_groups],
        "labels": [label.model_dump() for label in reference.labels],
    }
    return _assemble(filename, reference.version, reference_lists, criteria, problems)


_FIELD_TO_COLUMN = {"id": "criterion_id", "verification.labels": "verification_labels"}


def _flat_problem(code: str, numbers: list[int], first: int, error: Any, sheet: str | None) -> Problem:
    loc = [str(part) for part in error["loc"]]
    row = first
    column = ".".join(loc) or "-"
    if loc and loc[0] == "requirements" and len(loc) > 1 and loc[1].isdigit():
        row = numbers[int(loc[1])]
        rest = loc[2:]
        column = {"id": "requirement_id", "group": "requirement_group"}.get(rest[0] if rest else "", "") or (
            f"requirement_{rest[0]}_{rest[1]}"
            if rest[:1] == ["title"] and len(rest) > 1
            else (rest[0] if rest else "requirement")
        )
    elif loc and loc[0] in TRANSLATED_CRITERION_FIELDS and len(loc) > 1:
        column = f"{loc[0]}_{loc[1]}"
    elif loc[:2] == ["verification", "documents"] and len(loc) > 2:
        column = f"verification_documents_{loc[2]}"
    else:
        column = _FIELD_TO_COLUMN.get(column, column)
    message = error["msg"]
    if error["type"] == "value_error" and "missing language" in message:
        lang = message.rsplit(" ", 1)[-1]
        base = {"title": "title", "text": "text", "rationale": "rationale"}.get(loc[0] if loc else "", "")
        if base:
            column = f"{base}_{lang}"
    what, params = _model_code(error)
    return _problem(_row(row, sheet, code), column, what, **params)


# ---------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------


def rows_to_xlsx(rows: list[dict[str, Any]], *, version: str, about: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Criteria"
    sheet.append(FLAT_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [neutralise_formula(row.get(c)) if row.get(c) is not None else None for c in FLAT_COLUMNS]
        )
    # openpyxl would store any string starting with "=" as a formula: force text for every string cell.
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=False, vertical="top")
    sheet.freeze_panes = "B2"
    info = book.create_sheet("About")
    info.append(["cfit criteria framework", version])
    for key, value in about:
        info.append([key, value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def framework_to_xlsx(fw: content.Framework, *, version: str, status: str) -> bytes:
    """The exchange workbook of a version: the Criteria sheet, and an About sheet saying what it is."""
    about = [
        ("version", version),
        ("status", status),
        ("criteria", str(len(fw.criteria))),
        (
            "references",
            "{{requirement-id|min}} in a text is that requirement's value: keep it to keep the "
            "text in step with the requirement (see the framework README)",
        ),
    ]
    return rows_to_xlsx(framework_to_rows(fw), version=version, about=about)


def xlsx_to_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    book = open_workbook(data, filename)
    try:
        if SHEET not in book.sheetnames:
            raise _refused(filename, "file", "-", "no_sheet")
        iterator = sheet_rows(book[SHEET], filename)
        header = [str(h) if h is not None else "" for h in next(iterator, (1, ()))[1]]
        while header and not header[-1]:
            header.pop()
        _check_header(header, filename, sheet=SHEET)
        rows = []
        problems = []
        for number, values in iterator:
            if number > MAX_ROWS + 1:
                raise _refused(filename, _row(number, SHEET), "-", "too_many_rows", limit=MAX_ROWS)
            if all(v is None for v in values):
                continue
            row: dict[str, str] = {}
            for column, value in zip(header, values, strict=False):
                if is_formula(value):
                    problems.append(_problem(_row(number, SHEET), column, "formula"))
                row[column] = _cell_text(value)
            for column in header[len(values) :]:
                row[column] = ""
            rows.append((number, {k: restore_formula_text(v) for k, v in row.items()}))
    finally:
        book.close()
    if problems:
        raise ImportRefused(filename, problems)
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_import(
    data: bytes,
    filename: str,
    reference: content.Framework | None,
    *,
    on: date | None = None,
    formats: tuple[str, ...] | None = None,
    keep_shared_lists: bool = False,
) -> content.Framework:
    """Read an edited export in any of the formats (told apart by the file name); a threshold
    below a legal floor in force on ``on`` (default: today) is a problem of its row. ``formats``:
    the file name endings taken (default all), e.g. (".xlsx", ".csv") for the flat files only.

    ``keep_shared_lists``: the product groups and labels stay those of ``reference`` (the flat files
    never carry them); a JSON or YAML file whose lists differ is refused, each difference named by
    its place and field (``shared_list``), with the criteria's own problems."""
    check_size(data, filename, MAX_IMPORT_BYTES)
    lower = filename.lower()
    if formats is not None and not lower.endswith(formats):
        raise _refused(filename, "file", "-", "not_flat_file")
    if reference is None and (keep_shared_lists or not lower.endswith(".json")):
        raise _refused(filename, "file", "-", "no_framework")
    if lower.endswith(".json"):
        document = load_json(data, filename)
        if keep_shared_lists and reference is not None:
            return _with_shared_lists(
                document, reference, filename, lambda d: framework_from_json(d, filename, on=on)
            )
        return framework_from_json(document, filename, on=on)
    assert reference is not None
    if lower.endswith(".csv"):
        return rows_to_framework(
            csv_to_rows(decode_text(data, filename), filename), filename, reference, on=on
        )
    if lower.endswith(".xlsx"):
        return rows_to_framework(xlsx_to_rows(data, filename), filename, reference, on=on, sheet=SHEET)
    if lower.endswith((".yaml", ".yml")):
        import yaml

        try:
            document = yaml.safe_load(data.decode("utf-8-sig"))
        except RecursionError:
            raise _refused(filename, "file", "-", "yaml_too_deep", depth=MAX_JSON_DEPTH) from None
        except (UnicodeDecodeError, yaml.YAMLError) as error:
            raise _refused(filename, "file", "-", "yaml_invalid", detail=str(error)[:300]) from error
        check_shape(document, filename)
        if keep_shared_lists:
            return _with_shared_lists(
                document, reference, filename, lambda d: _framework_from_yaml(d, filename, on)
            )
        if isinstance(document, dict) and "product_groups" not in document:
            # a criteria file of the framework (criteria-*.yaml): the lists are framework.yaml's
            document = {**document, **_shared_lists(reference), "version": reference.version}
        return _framework_from_yaml(document, filename, on)
    raise _refused(filename, "file", "-", "unknown_format")


#: The lists a framework shares between its versions, as an export writes them.
SHARED_LISTS = ("product_groups", "labels")


def _shared_lists(reference: content.Framework) -> dict[str, list[dict[str, Any]]]:
    return {
        "product_groups": [g.model_dump(mode="json") for g in reference.product_groups],
        "labels": [label.model_dump(mode="json") for label in reference.labels],
    }


def shared_list_problems(document: Any, reference: content.Framework) -> list[Problem]:
    """Where the product groups and labels of a file (JSON or YAML) differ from ``reference``'s: an entry
    it adds (field ``id``) or a field it changes (``name.fr``). A list the file leaves out, or an
    entry of it, is no difference: the reference keeps it."""
    if not isinstance(document, dict):
        return []
    known = _shared_lists(reference)
    problems: list[Problem] = []
    for key in SHARED_LISTS:
        entries = document.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            problems.append(_problem(key, "-", "not_list"))
            continue
        by_id = {entry["id"]: entry for entry in known[key]}
        for index, entry in enumerate(entries):
            code = entry.get("id") if isinstance(entry, dict) else None
            where = f"{key}[{index}]" + (f" ({code})" if isinstance(code, str) and code else "")
            if not isinstance(entry, dict):
                problems.append(_problem(where, "-", "not_object"))
            elif code not in by_id:
                problems.append(_problem(where, "id", "shared_list"))
            else:
                problems.extend(
                    _problem(where, field, "shared_list") for field in _differing(by_id[code], entry)
                )
    return problems


def _differing(known: dict[str, Any], given: dict[str, Any], prefix: str = "") -> list[str]:
    """The fields (``name.fr``) where ``given`` says something else than ``known``; a field it leaves
    out says nothing."""
    found = []
    for field, value in given.items():
        before = known.get(field)
        if isinstance(before, dict) and isinstance(value, dict):
            found += _differing(before, value, f"{prefix}{field}.")
        elif value != before:
            found.append(f"{prefix}{field}")
    return found


def _with_shared_lists(
    document: Any, reference: content.Framework, filename: str, read: Callable[[Any], content.Framework]
) -> content.Framework:
    """``read(document)`` with the reference's product groups and labels in place of the file's, refused
    with every problem if the file's lists differ (``shared_list_problems``) or its criteria do."""
    problems = shared_list_problems(document, reference)
    if isinstance(document, dict):
        document = {**document, **_shared_lists(reference), "version": reference.version}
    try:
        framework = read(document)
    except ImportRefused as error:
        raise ImportRefused(filename, problems + error.problems, count=len(problems) + error.count) from None
    if problems:
        raise ImportRefused(filename, problems)
    return framework


def _framework_from_yaml(document: Any, filename: str, on: date | None = None) -> content.Framework:
    if not isinstance(document, dict) or not isinstance(document.get("criteria"), list):
        raise _refused(filename, "file", "criteria", "no_criteria")
    problems: list[Problem] = []
    criteria = []
    for index, raw in enumerate(document["criteria"]):
        where = f"criteria[{index}]" + (
            f" ({raw.get('id')})" if isinstance(raw, dict) and raw.get("id") else ""
        )
        found = (
            _validate_criterion(raw, where)
            if isinstance(raw, dict)
            else [_problem(where, "-", "not_mapping")]
        )
        if found:
            problems.extend(found)
        else:
            criterion = content.Criterion.model_validate(raw)
            criteria.append(criterion)
            # a file edited by hand never brings a threshold below the law into a draft, as the others
            problems.extend(
                _floor_problem(where, f"requirements[{position}]", finding)
                for position, finding in _below_floors(criterion, on)
            )
    reference = {"product_groups": document.get("product_groups", []), "labels": document.get("labels", [])}
    return _assemble(filename, str(document.get("version") or ""), reference, criteria, problems)
