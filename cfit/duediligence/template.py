"""Read an RMI minerals reporting template (CMRT 6.x, EMRT 2.x) as a supplier sends it. Plain Python.

The template says what it is itself: the Revision sheet's title ("Conflict Minerals Reporting
Template", "Extended Mineral Reporting Template") and the Declaration's revision cell ("Revision 6.5
April 25, 2025") are constants in every language. Where the answers sit is described per revision in
``layouts/*.yaml`` (data, not code): a new revision gets a file, and the reader finds it by the
revision the workbook states, never by guessing from its columns. Every label of the template is a
formula over its hidden translation sheet, so the reader depends on no label and reads a template in
Chinese like one in English; it reads each formula's cached value (what the spreadsheet saved) and,
where a file has none (a workbook written by a program), looks the smelter up in the template's own
look-up list as the template's formula would.

Every problem is a code with parameters and the sheet, row and column it is at (``TemplateProblem``);
errors refuse the file (``TemplateRefused``: nothing is stored), warnings are kept with the reading.
The file goes through ``cfit.uploads`` (size, zip bombs) and ``cfit.tabular`` (row by row, a broken
sheet named) like every import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cfit.tabular import read_source, sheet_rows
from cfit.uploads import MAX_IMPORT_BYTES, ImportRefused, Problem, open_workbook

LAYOUTS_DIR = Path(__file__).parent / "layouts"
#: Smelter rows a template may hold: RMI's templates have 2,500 rows formatted for smelters; the
#: largest real declarations list a few hundred. More is refused (not read half-way).
MAX_SMELTERS = 5_000
#: Rows of the smelter list scanned at most, filled or not (a sheet of a million empty formatted rows).
MAX_SCANNED_ROWS = 20_000
#: Rows of the declaration sheet read (the templates use fewer than 200).
DECLARATION_ROWS = 200
#: What the template writes for a smelter the supplier cannot name (the look-up list's last rows).
PLACEHOLDERS = ("smelter not listed", "smelter not yet identified")
#: Spreadsheet errors a formula's cached value may hold: an empty answer, not a value.
CELL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#NAME?", "#DIV/0!", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
_REVISION = re.compile(r"^\s*(?:revision|rev\.?)?\s*(\d+(?:\.\d+)+)", re.IGNORECASE)

#: The declaration's required answers as the templates label them (a cell alone left the supplier, in
#: a template of its own language, to guess which question it had skipped).
QUESTIONS: dict[str, str] = {
    "company_name": "Company name",
    "scope": "Declaration scope or class",
    "contact_name": "Contact name",
    "contact_email": "Email of the contact",
    "authoriser": "Authoriser",
    "authoriser_email": "Email of the authoriser",
    "effective_date": "Effective date",
}

#: Every problem code and its English message; ``{name}`` marks a parameter (pages translate them).
MESSAGES: dict[str, str] = {
    "not_a_template": "not an RMI minerals reporting template (CMRT or EMRT): no revision cell found",
    "unknown_kind": "a template with the title {title!r}: neither a CMRT nor an EMRT",
    "unknown_revision": "{kind} revision {revision} is not described (known: {known})",
    "revision_not_described": "{kind} revision {revision} is read with the layout of revision {layout}",
    "revisions_differ": "the smelter list says revision {other}, the declaration {revision}",
    "sheet_missing": "no {role} sheet (looked for {names} and for its content)",
    "sheet_renamed": "the {role} sheet is named {name!r}: found by its content",
    "required": "{question} is required: the answer is empty",
    "not_date": "not a date",
    "unknown_metal": "{metal!r} is not a metal of the {kind} (use one of {metals})",
    "metal_missing": "the smelter's metal is empty",
    "smelter_unnamed": "neither a smelter identification nor a smelter name",
    "too_many_smelters": "more than {limit} smelter rows: split the declaration or send the list the template holds",
    "too_many_rows": "the smelter list runs past row {limit}: not a template a supplier filled in",
    "unreadable": "{detail}",
}


def english(code: str, params: Mapping[str, Any]) -> str:
    return MESSAGES[code].format(**params)


def column_index(letters: str) -> int:
    """1 for A, 27 for AA."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def split_cell(cell: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", cell)
    if not match:
        raise ValueError(f"not a cell reference: {cell!r}")
    return match.group(1).upper(), int(match.group(2))


@dataclass(frozen=True)
class TemplateProblem:
    """One problem of a template: its code and parameters, and the sheet, row and column it is at."""

    code: str
    params: tuple[tuple[str, str], ...] = ()
    sheet: str = ""
    row: int | None = None
    column: str = ""
    error: bool = True  #: errors refuse the file; warnings are kept with the reading

    @property
    def message(self) -> str:
        return english(self.code, dict(self.params))

    @property
    def where(self) -> str:
        parts = [f"sheet {self.sheet}"] if self.sheet else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts) or "file"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": dict(self.params),
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "severity": "error" if self.error else "warning",
            "message": self.message,
        }


def problem(
    code: str,
    params: Mapping[str, Any] | None = None,
    *,
    sheet: str = "",
    row: int | None = None,
    column: str = "",
    error: bool = True,
) -> TemplateProblem:
    return TemplateProblem(
        code, tuple((k, str(v)) for k, v in (params or {}).items()), sheet, row, column, error
    )


class TemplateRefused(ImportRefused):
    """The template is refused; ``template_problems`` hold each problem as a code with parameters."""

    def __init__(self, filename: str, problems: Sequence[TemplateProblem]) -> None:
        super().__init__(filename, [Problem(p.where, p.column or "-", p.message) for p in problems])
        self.template_problems = list(problems)
        if problems:
            self.code = problems[0].code
            self.params = dict(problems[0].params)


# -- layouts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where one revision of a template keeps its answers (``layouts/<kind>-<revision>.yaml``)."""

    kind: str
    revision: str
    released: str
    title: str
    metals: tuple[str, ...]
    sheets: Mapping[str, tuple[str, ...]]
    declaration: Mapping[str, Any]
    smelter_list: Mapping[str, Any]
    lookup: Mapping[str, Any]

    @property
    def version(self) -> tuple[int, ...]:
        return revision_key(self.revision)


def revision_key(revision: str) -> tuple[int, ...]:
    """6.31 after 6.3 and before 6.4, as RMI numbers them (the digits after the point are a decimal)."""
    major, _, minor = revision.partition(".")
    return (int(major), int(minor.ljust(2, "0")[:2]) if minor else 0)


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_layouts(directory: Path = LAYOUTS_DIR) -> tuple[Layout, ...]:
    """Every revision described in ``directory``; a file may ``extends:`` another (same cells)."""
    raw: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yaml")):
        raw[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def resolved(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
        data = raw[name]
        parent = data.get("extends")
        if parent is None:
            return data
        if parent in seen or parent not in raw:
            raise ValueError(f"layout {name}: cannot extend {parent!r}")
        return _merge(resolved(str(parent), (*seen, name)), {k: v for k, v in data.items() if k != "extends"})

    layouts = []
    for name in raw:
        data = resolved(name)
        layouts.append(
            Layout(
                kind=str(data["kind"]),
                revision=str(data["revision"]),
                released=str(data.get("released", "")),
                title=str(data["title"]),
                metals=tuple(str(m) for m in data["metals"]),
                sheets={role: tuple(names) for role, names in data["sheets"].items()},
                declaration=data["declaration"],
                smelter_list=data["smelter_list"],
                lookup=data["lookup"],
            )
        )
    return tuple(sorted(layouts, key=lambda layout: (layout.kind, layout.version)))


@cache
def default_layouts() -> tuple[Layout, ...]:
    return load_layouts()


# -- what a template holds --------------------------------------------------------------------------


@dataclass(frozen=True)
class LookupEntry:
    """A row of the template's own Smelter Look-up list: a standard name or a known alias."""

    metal: str
    lookup_name: str
    standard_name: str
    country: str
    smelter_id: str
    source: str


@dataclass(frozen=True)
class Answer:
    """An answer of the declaration: question 1-8 per metal, or a company-level question A-H."""

    question: str
    metal: str  #: "" for a company-level question asked once
    answer: str
    comment: str
    row: int


@dataclass(frozen=True)
class ReportedSmelter:
    """A row of the supplier's Smelter List, as the template would show it."""

    row: int
    metal: str
    smelter_id: str  #: CID..., or "" if the supplier could not identify it
    name: str
    lookup_name: str
    country: str
    source: str
    recycled: str = ""
    #: the identification was looked up in the template's list (the file held no cached value)
    id_from_lookup: bool = False

    @property
    def identified(self) -> bool:
        return bool(self.smelter_id) and self.lookup_name.casefold() not in PLACEHOLDERS


@dataclass(frozen=True)
class Declaration:
    company_name: str
    scope: str
    scope_description: str
    authoriser: str
    authoriser_title: str
    authoriser_email: str
    contact_name: str
    contact_email: str
    effective_date: date | None
    fields: Mapping[str, str]  #: every declaration field as text, by key


@dataclass(frozen=True)
class TemplateReading:
    """What a template holds: its kind and revision, the declaration, the answers and the smelters."""

    filename: str
    kind: str  #: "CMRT" or "EMRT"
    revision: str  #: as the template states it
    layout_revision: str  #: the layout it was read with (the same, unless only a lower one is described)
    language: str  #: the language selector's value, e.g. "English", "中文 Chinese"
    declaration: Declaration
    metals_in_scope: tuple[str, ...]
    answers: tuple[Answer, ...]
    smelters: tuple[ReportedSmelter, ...]
    lookup: tuple[LookupEntry, ...]
    warnings: tuple[TemplateProblem, ...] = ()
    sheets: Mapping[str, str] = field(default_factory=dict)  #: role -> the sheet's name in the file

    def as_dict(self) -> dict[str, Any]:
        declaration = self.declaration
        return {
            "file": self.filename,
            "kind": self.kind,
            "revision": self.revision,
            "layout_revision": self.layout_revision,
            "language": self.language,
            "declaration": {
                **dict(declaration.fields),
                "effective_date": declaration.effective_date.isoformat()
                if declaration.effective_date
                else "",
            },
            "metals_in_scope": list(self.metals_in_scope),
            "answers": [
                {
                    "question": a.question,
                    "metal": a.metal,
                    "answer": a.answer,
                    "comment": a.comment,
                    "row": a.row,
                }
                for a in self.answers
            ],
            "smelters": [
                {
                    "row": s.row,
                    "metal": s.metal,
                    "smelter_id": s.smelter_id,
                    "name": s.name,
                    "lookup_name": s.lookup_name,
                    "country": s.country,
                    "source": s.source,
                    "recycled": s.recycled,
                }
                for s in self.smelters
            ],
            "warnings": [w.as_dict() for w in self.warnings],
        }


# -- cells ------------------------------------------------------------------------------------------


def text(value: Any) -> str:
    """A cell as text: empty for nothing and for a spreadsheet error; a date as ISO; 1.0 as 1."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    result = " ".join(str(value).split())
    return "" if result in CELL_ERRORS else result


def as_date(value: Any) -> date | None:
    """A date cell, or a date typed as text (ISO, or day first as Europe writes it)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%b-%Y", "%d %B %Y", "%B %d, %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)


class Grid:
    """The first rows of a sheet, by (row, column number): small sheets read once, then looked up."""

    def __init__(self, sheet: Any, filename: str, rows: int, columns: int) -> None:
        self.title = str(sheet.title)
        self.cells: dict[tuple[int, int], Any] = {}
        for number, values in sheet_rows(sheet, filename, max_col=columns):
            if number > rows:
                break
            for index, value in enumerate(values, start=1):
                if value is not None:
                    self.cells[(number, index)] = value

    def get(self, cell: str) -> Any:
        letters, row = split_cell(cell)
        return self.cells.get((row, column_index(letters)))


# -- reading ----------------------------------------------------------------------------------------


def read_template(
    source: bytes | Path,
    filename: str,
    *,
    layouts: Sequence[Layout] | None = None,
    limit: int = MAX_IMPORT_BYTES,
    max_smelters: int = MAX_SMELTERS,
) -> TemplateReading:
    """Read a CMRT or EMRT; ``TemplateRefused`` (an ``ImportRefused``) names every error found."""
    layouts = default_layouts() if layouts is None else tuple(layouts)
    data = read_source(source, filename, limit)
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        raise TemplateRefused(filename, [problem("not_a_template")])
    book = open_workbook(data, filename, limit, data_only=True)
    try:
        return _read(book, filename, layouts, max_smelters)
    finally:
        book.close()


def _read(book: Any, filename: str, layouts: Sequence[Layout], max_smelters: int) -> TemplateReading:
    warnings: list[TemplateProblem] = []
    heads = {ws.title: Grid(ws, filename, 5, 30) for ws in book.worksheets}

    # The declaration: the sheet whose revision cell states a revision (the first layout's cell; all
    # revisions described keep it there).
    revision_cells = {str(layout.declaration["revision_cell"]) for layout in layouts} or {"J3"}
    declaration_name, revision = "", ""
    for name in _candidates(heads, [n for layout in layouts for n in layout.sheets["declaration"]]):
        for cell in sorted(revision_cells):
            match = _REVISION.match(text(heads[name].get(cell)))
            if match:
                declaration_name, revision = name, match.group(1)
                break
        if declaration_name:
            break
    if not declaration_name:
        usual = list(dict.fromkeys(n for layout in layouts for n in layout.sheets["declaration"]))
        problems = [problem("not_a_template")]
        if not any(name in heads for name in usual):  # say so: the usual mistake, another workbook
            problems.append(problem("sheet_missing", {"role": "Declaration", "names": ", ".join(usual)}))
        raise TemplateRefused(filename, problems)

    kind = _kind(heads, layouts)
    if kind is None:
        title = next((text(g.get("B3")) for g in heads.values() if text(g.get("B2")) == "DOCUMENT TITLE"), "")
        raise TemplateRefused(filename, [problem("unknown_kind", {"title": title}, sheet="Revision")])
    layout = _layout(kind, revision, layouts, filename, warnings)
    if declaration_name not in layout.sheets["declaration"]:
        warnings.append(_renamed("declaration", declaration_name))

    smelter_name = _find(heads, layout.sheets["smelter_list"], layout.smelter_list["signature"])
    lookup_name = _find(heads, layout.sheets["lookup"], layout.lookup["signature"])
    missing = [
        problem("sheet_missing", {"role": role, "names": ", ".join(layout.sheets[key])})
        for role, key, found in (
            ("smelter list", "smelter_list", smelter_name),
            ("look-up", "lookup", lookup_name),
        )
        if not found
    ]
    if missing:
        raise TemplateRefused(filename, missing)
    assert smelter_name and lookup_name
    for role, key, found in (
        ("smelter list", "smelter_list", smelter_name),
        ("look-up", "lookup", lookup_name),
    ):
        if found not in layout.sheets[key]:
            warnings.append(_renamed(role, found))
    other = _REVISION.match(text(heads[smelter_name].get(str(layout.smelter_list["revision_cell"]))))
    if other and other.group(1) != revision:
        warnings.append(
            problem(
                "revisions_differ",
                {"other": other.group(1), "revision": revision},
                sheet=smelter_name,
                row=split_cell(str(layout.smelter_list["revision_cell"]))[1],
                column=split_cell(str(layout.smelter_list["revision_cell"]))[0],
                error=False,
            )
        )

    errors: list[TemplateProblem] = []
    grid = Grid(book[declaration_name], filename, DECLARATION_ROWS, 12)
    language = text(grid.get(str(layout.declaration["language_cell"])))
    declaration = _declaration(grid, layout, errors)
    scope = _metals_in_scope(grid, layout)
    answers = _answers(grid, layout, scope)
    lookup = _lookup(book[lookup_name], filename, layout)
    smelters = _smelters(book[smelter_name], filename, layout, lookup, errors, max_smelters)
    if errors:
        raise TemplateRefused(filename, errors)
    return TemplateReading(
        filename=filename,
        kind=layout.kind,
        revision=revision,
        layout_revision=layout.revision,
        language=language,
        declaration=declaration,
        metals_in_scope=scope,
        answers=tuple(answers),
        smelters=tuple(smelters),
        lookup=tuple(lookup),
        warnings=tuple(warnings),
        sheets={"declaration": declaration_name, "smelter_list": smelter_name, "lookup": lookup_name},
    )


def _candidates(heads: Mapping[str, Grid], names: Iterable[str]) -> list[str]:
    """The sheets by their usual names first, then every other sheet (a renamed one)."""
    usual = [n for n in dict.fromkeys(names) if n in heads]
    return usual + [n for n in heads if n not in usual]


def _find(heads: Mapping[str, Grid], names: Sequence[str], signature: Mapping[str, str]) -> str:
    for name in _candidates(heads, names):
        if text(heads[name].get(str(signature["cell"]))).casefold() == str(signature["value"]).casefold():
            return name
    return ""


def _renamed(role: str, name: str) -> TemplateProblem:
    return problem("sheet_renamed", {"role": role, "name": name}, sheet=name, error=False)


def _kind(heads: Mapping[str, Grid], layouts: Sequence[Layout]) -> str | None:
    """The kind by the Revision sheet's title (a constant), else by the metals of the look-up list."""
    titles = {layout.title.casefold(): layout.kind for layout in layouts}
    for grid in heads.values():
        if text(grid.get("B2")) == "DOCUMENT TITLE":
            kind = titles.get(text(grid.get("B3")).casefold())
            if kind:
                return kind
    for layout in layouts:
        signature = layout.lookup["signature"]
        metal_column = f"{layout.lookup['columns']['metal']}{layout.lookup['first_row']}"
        for grid in heads.values():
            if text(grid.get(str(signature["cell"]))) == signature["value"] and text(
                grid.get(metal_column)
            ) in (layout.metals):
                return layout.kind
    return None


def _layout(
    kind: str, revision: str, layouts: Sequence[Layout], filename: str, warnings: list[TemplateProblem]
) -> Layout:
    """The layout of the revision stated; for a later revision of the same major number, the latest
    layout described before it (with a warning); any other revision is refused."""
    same_kind = [layout for layout in layouts if layout.kind == kind]
    for layout in same_kind:
        if layout.revision == revision:
            return layout
    key = revision_key(revision)
    earlier = [layout for layout in same_kind if layout.version[0] == key[0] and layout.version < key]
    if earlier:
        layout = earlier[-1]
        warnings.append(
            problem(
                "revision_not_described",
                {"kind": kind, "revision": revision, "layout": layout.revision},
                error=False,
            )
        )
        return layout
    known = ", ".join(layout.revision for layout in same_kind)
    raise TemplateRefused(
        filename, [problem("unknown_revision", {"kind": kind, "revision": revision, "known": known})]
    )


def _declaration(grid: Grid, layout: Layout, errors: list[TemplateProblem]) -> Declaration:
    cells: Mapping[str, str] = layout.declaration["fields"]
    values = {key: text(grid.get(cell)) for key, cell in cells.items()}
    for key in layout.declaration.get("required", ()):
        if not values.get(key):
            column, row = split_cell(cells[key])
            params = {"field": key, "question": QUESTIONS.get(key, key)}
            errors.append(problem("required", params, sheet=grid.title, row=row, column=column))
    effective: date | None = None
    if values.get("effective_date"):
        column, row = split_cell(cells["effective_date"])
        try:
            effective = as_date(grid.get(cells["effective_date"]))
        except ValueError:
            errors.append(
                problem("not_date", {"field": "effective_date"}, sheet=grid.title, row=row, column=column)
            )
        else:
            values["effective_date"] = effective.isoformat() if effective else ""
    return Declaration(
        company_name=values.get("company_name", ""),
        scope=values.get("scope", ""),
        scope_description=values.get("scope_description", ""),
        authoriser=values.get("authoriser", ""),
        authoriser_title=values.get("authoriser_title", ""),
        authoriser_email=values.get("authoriser_email", ""),
        contact_name=values.get("contact_name", ""),
        contact_email=values.get("contact_email", ""),
        effective_date=effective,
        fields=values,
    )


def _metal(value: str, metals: Sequence[str]) -> str:
    """A metal as the template names it ("Tin", "Cobalt"), whatever the case and the "(*)" mark."""
    cleaned = value.replace("(*)", "").strip().casefold()
    return next((m for m in metals if m.casefold() == cleaned), "")


def _metals_in_scope(grid: Grid, layout: Layout) -> tuple[str, ...]:
    """The minerals the declaration covers: all of a CMRT's; those an EMRT's supplier selected, in
    alphabetical order as the template lists them under questions 1-7 and C."""
    cells = layout.declaration.get("metals_in_scope")
    if not cells:
        return layout.metals
    selected = {_metal(text(grid.get(cell)), layout.metals) for cell in cells} - {""}
    return tuple(sorted(selected))


def _answers(grid: Grid, layout: Layout, scope: Sequence[str]) -> list[Answer]:
    answers = []
    per_metal = layout.declaration["metal_questions"]
    for question, first in per_metal["rows"].items():
        for offset, metal in enumerate(scope):
            row = int(first) + offset
            answers.append(
                Answer(
                    str(question),
                    metal,
                    text(grid.get(f"{per_metal['answer_column']}{row}")),
                    text(grid.get(f"{per_metal['comment_column']}{row}")),
                    row,
                )
            )
    company = layout.declaration["company_questions"]
    for question, row in company["rows"].items():
        answers.append(
            Answer(
                str(question),
                "",
                text(grid.get(f"{company['answer_column']}{row}")),
                text(grid.get(f"{company['comment_column']}{row}")),
                int(row),
            )
        )
    for question, first in company.get("per_metal", {}).items():
        for offset, metal in enumerate(scope):
            row = int(first) + offset
            answers.append(
                Answer(
                    str(question),
                    metal,
                    text(grid.get(f"{company['answer_column']}{row}")),
                    text(grid.get(f"{company['comment_column']}{row}")),
                    row,
                )
            )
    return sorted(answers, key=lambda a: a.row)


def _columns(spec: Mapping[str, str]) -> tuple[dict[str, int], int]:
    indexes = {key: column_index(letters) - 1 for key, letters in spec.items()}
    return indexes, max(indexes.values()) + 1


def _lookup(sheet: Any, filename: str, layout: Layout) -> list[LookupEntry]:
    indexes, width = _columns(layout.lookup["columns"])
    entries = []
    for number, values in sheet_rows(sheet, filename, min_row=int(layout.lookup["first_row"]), max_col=width):
        if number > MAX_SCANNED_ROWS:
            break
        cells = {key: text(values[i]) if i < len(values) else "" for key, i in indexes.items()}
        if cells["metal"] and cells["lookup_name"]:
            entries.append(LookupEntry(**cells))
    return entries


def _smelters(
    sheet: Any,
    filename: str,
    layout: Layout,
    lookup: Sequence[LookupEntry],
    errors: list[TemplateProblem],
    max_smelters: int,
) -> list[ReportedSmelter]:
    spec: Mapping[str, str] = layout.smelter_list["columns"]
    indexes, width = _columns(spec)
    by_id = {e.smelter_id: e for e in lookup if e.smelter_id}
    by_name = {(e.metal.casefold(), e.lookup_name.casefold()): e for e in lookup}
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # the sheet's own claim of its size is not to be trusted
    smelters: list[ReportedSmelter] = []
    for number, values in sheet_rows(
        sheet, filename, min_row=int(layout.smelter_list["first_row"]), max_col=width
    ):
        if number > MAX_SCANNED_ROWS:
            errors.append(
                problem("too_many_rows", {"limit": f"{MAX_SCANNED_ROWS:,}"}, sheet=sheet.title, row=number)
            )
            break
        cells = {key: text(values[i]) if i < len(values) else "" for key, i in indexes.items()}
        if not any(cells[k] for k in ("id_input", "metal", "lookup_name", "smelter_name", "smelter_id")):
            continue
        if len(smelters) >= max_smelters:
            errors.append(
                problem("too_many_smelters", {"limit": f"{max_smelters:,}"}, sheet=sheet.title, row=number)
            )
            break
        smelter = _smelter(number, cells, layout, by_id, by_name)
        smelters.append(smelter)
        where: dict[str, Any] = {"sheet": sheet.title, "row": number}
        if not cells["metal"] and not smelter.metal:
            errors.append(problem("metal_missing", column=spec["metal"], **where))
        elif not _metal(smelter.metal, layout.metals):
            errors.append(
                problem(
                    "unknown_metal",
                    {"metal": smelter.metal, "kind": layout.kind, "metals": ", ".join(layout.metals)},
                    column=spec["metal"],
                    **where,
                )
            )
        if not smelter.smelter_id and not smelter.name and not smelter.lookup_name:
            errors.append(problem("smelter_unnamed", column=spec["lookup_name"], **where))
    return smelters


def _smelter(
    number: int,
    cells: Mapping[str, str],
    layout: Layout,
    by_id: Mapping[str, LookupEntry],
    by_name: Mapping[tuple[str, str], LookupEntry],
) -> ReportedSmelter:
    """One row as the template's formulas would complete it: an identification typed in column A
    fills metal, name and country; a metal and look-up name fill the identification."""
    smelter_id = (cells["smelter_id"] or cells["id_input"]).upper()
    metal = _metal(cells["metal"], layout.metals) or cells["metal"]
    lookup_name = cells["lookup_name"]
    from_lookup = False
    entry = by_id.get(smelter_id)
    if not smelter_id and lookup_name and lookup_name.casefold() not in PLACEHOLDERS:
        entry = by_name.get((metal.casefold(), lookup_name.casefold()))
        if entry is not None and entry.smelter_id:
            smelter_id, from_lookup = entry.smelter_id, True
    if entry is not None and not metal:
        metal = entry.metal
    if entry is not None and not lookup_name:
        lookup_name = entry.standard_name or entry.lookup_name
    name = cells["smelter_name"] or (entry.standard_name if entry is not None else "") or lookup_name
    return ReportedSmelter(
        row=number,
        metal=metal,
        smelter_id=smelter_id,
        name=name,
        lookup_name=lookup_name,
        country=cells["country"] or (entry.country if entry is not None else ""),
        source=cells["source"] or (entry.source if entry is not None and smelter_id else ""),
        recycled=cells["recycled"],
        id_from_lookup=from_lookup,
    )
