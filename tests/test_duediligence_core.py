"""The CMRT/EMRT reader and the smelter checks, without a database: synthetic templates built here
(the cells of the real ones), and the published templates of ../shared/data/rmi filled as a supplier
would, in two languages; hostile files refused with a clear message; the ``cfit duediligence check`` CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml

from cfit.duediligence import cli
from cfit.duediligence.checks import (
    COUNTRIES_FILE,
    check_smelters,
    conformant_shares,
    load_countries,
    read_conformance_list,
)
from cfit.duediligence.template import (
    LAYOUTS_DIR,
    TemplateRefused,
    load_layouts,
    read_template,
    revision_key,
)
from cfit.impact.vocabulary import load_vocabulary
from cfit.uploads import ImportRefused
from tests.duediligence_helpers import synthetic_template
from tests.hostile import _members, _zip, workbook_cases
from tests.tender_helpers import shared

CMRT_SMELTERS = [
    # a row as the template completes it when the supplier picks metal and look-up name
    {"metal": "Gold", "lookup_name": "8853 S.p.A.", "name": "8853 S.p.A.", "country": "ITALY", "smelter_id": "CID002763", "source": "RMI"},
    # only the identification typed in column A (option A of the template)
    {"id_input": "CID002920"},
    # metal and an alias, the identification left to the template's formula (no cached value)
    {"metal": "Gold", "lookup_name": "AGR Mathey"},
    # a smelter the supplier could not find in the list
    {"metal": "Tin", "lookup_name": "Smelter not listed", "name": "Bolivian tin works", "country": "BOLIVIA"},
    # a name that is not the identification's
    {"metal": "Gold", "name": "Wrong Refinery Ltd", "smelter_id": "CID002763"},
    # a gold smelter reported for tantalum
    {"metal": "Tantalum", "smelter_id": "CID002920", "name": "ABC Refinery Pty Ltd."},
    # an identification the template does not know
    {"metal": "Tantalum", "smelter_id": "CID999999", "name": "Ghost smelter"},
]  # fmt: skip

CONFORMANCE_CSV = (
    "Smelter ID,Standard Smelter Name,Metal,Country,Status\n"
    "CID002763,8853 S.p.A.,Gold,ITALY,Conformant\n"
    "CID002920,ABC Refinery Pty Ltd.,Gold,AUSTRALIA,Active\n"
    "CID002030,Western Australian Mint (T/a The Perth Mint),Gold,AUSTRALIA,Conformant\n"
    'CID003264,Chemaf Etoile,Cobalt,"CONGO, DEMOCRATIC REPUBLIC OF THE",Non-Conformant\n'
    "CID004695,Attero Recycling Pvt Ltd,Cobalt,INDIA,Conformant\n"
)


def codes(check: object) -> list[str]:
    return [f.code for f in check.findings]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def conformance() -> object:
    return read_conformance_list(CONFORMANCE_CSV.encode(), "rmap.csv", as_of=date(2027, 1, 15))


# -- the synthetic template -------------------------------------------------------------------------


def test_a_synthetic_cmrt_is_read_and_its_smelters_checked_by_hand(conformance: object) -> None:
    data = synthetic_template(
        smelters=CMRT_SMELTERS, answers={"D75": "Yes", "G77": "https://x.example/policy"}
    )
    reading = read_template(data, "cmrt.xlsx")

    assert (reading.kind, reading.revision, reading.language) == ("CMRT", "6.5", "English")
    assert reading.declaration.company_name == "Groene IT BV"
    assert reading.declaration.authoriser == "Marie Janssen"
    assert reading.declaration.effective_date == date(2027, 3, 1)
    assert reading.declaration.scope == "A. Company"
    company = {a.question: a for a in reading.answers if not a.metal}
    assert company["A"].answer == "Yes" and company["B"].comment == "https://x.example/policy"
    assert len([a for a in reading.answers if a.question == "1"]) == 4  # one per metal
    rows = [(s.row, s.metal, s.smelter_id, s.name, s.country) for s in reading.smelters]
    assert rows == [
        (5, "Gold", "CID002763", "8853 S.p.A.", "ITALY"),
        (6, "Gold", "CID002920", "ABC Refinery Pty Ltd.", "AUSTRALIA"),
        (7, "Gold", "CID002030", "Western Australian Mint (T/a The Perth Mint)", "AUSTRALIA"),
        (8, "Tin", "", "Bolivian tin works", "BOLIVIA"),
        (9, "Gold", "CID002763", "Wrong Refinery Ltd", "ITALY"),
        (10, "Tantalum", "CID002920", "ABC Refinery Pty Ltd.", "AUSTRALIA"),
        (11, "Tantalum", "CID999999", "Ghost smelter", ""),
    ]
    assert reading.smelters[2].id_from_lookup

    checks = check_smelters(reading.smelters, reading.lookup, conformance)  # type: ignore[arg-type]
    assert [c.status for c in checks] == [
        "conformant", "active", "conformant", "unidentified", "conformant", "active", "unlisted",
    ]  # fmt: skip
    assert [codes(c) for c in checks] == [
        [],
        ["status_active"],
        [],
        ["not_identified"],
        ["name_mismatch"],
        ["metal_mismatch", "status_active"],
        ["unknown_id", "not_in_list"],
    ]
    mismatch = checks[4].findings[0]
    assert (mismatch.sheet, mismatch.row, mismatch.column) == ("Smelter List", 9, "D")
    shares = {s.metal: (s.smelters, s.conformant) for s in conformant_shares(checks)}
    assert shares == {"Gold": (3, 2), "Tantalum": (2, 0)}


def test_an_alias_with_other_accents_and_case_is_the_smelters_name() -> None:
    data = synthetic_template(
        smelters=[{"metal": "Tantalum", "smelter_id": "CID003926", "name": "5d production oü"}]
    )
    reading = read_template(data, "cmrt.xlsx")
    assert codes(check_smelters(reading.smelters, reading.lookup)[0]) == []


def test_an_emrt_in_french_reads_the_minerals_in_scope_and_flags_a_country_of_concern(
    conformance: object,
) -> None:
    data = synthetic_template(
        "EMRT",
        "2.1",
        language="Français",
        smelters=[{"id_input": "CID003264"}, {"metal": "Copper", "lookup_name": "Antucoya"}],
        answers={"D115": "Yes", "D120": "Yes", "D121": "No"},
    )
    reading = read_template(data, "emrt.xlsx")

    assert (reading.kind, reading.revision, reading.language) == ("EMRT", "2.1", "Français")
    assert reading.metals_in_scope == ("Cobalt", "Copper")
    per_metal_c = {a.metal: a.answer for a in reading.answers if a.question == "C"}
    assert per_metal_c == {"Cobalt": "Yes", "Copper": "No"}
    checks = check_smelters(reading.smelters, reading.lookup, conformance)  # type: ignore[arg-type]
    assert [(c.smelter.smelter_id, c.smelter.name, c.status) for c in checks] == [
        ("CID003264", "Chemaf Etoile", "non_conformant"),
        ("CID004094", "Minera Antucoya", "unlisted"),
    ]
    assert codes(checks[0]) == ["status_not_conformant", "country_of_concern"]
    concern = dict(checks[0].findings[1].params)
    assert "Dodd-Frank" in concern["source"]


def test_the_revision_is_read_from_the_templates_own_cell() -> None:
    reading = read_template(synthetic_template(revision="6.4"), "old.xlsx")
    assert (reading.revision, reading.layout_revision) == ("6.4", "6.4")

    later = read_template(synthetic_template(revision="6.6"), "new.xlsx")
    assert (later.revision, later.layout_revision) == ("6.6", "6.5")
    assert [w.code for w in later.warnings] == ["revision_not_described"]

    with pytest.raises(TemplateRefused) as refused:
        read_template(synthetic_template(revision="7.0"), "seven.xlsx")
    assert refused.value.template_problems[0].code == "unknown_revision"
    assert "7.0" in str(refused.value) and "6.4, 6.5" in str(refused.value)
    assert revision_key("6.31") < revision_key("6.4") < revision_key("6.5")


def test_a_new_revision_with_new_columns_is_read_by_its_own_layout(tmp_path: Path) -> None:
    """RMI adds a column: a layout file for the revision says where the columns went."""
    for path in LAYOUTS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    (tmp_path / "cmrt-6.6.yaml").write_text(
        yaml.safe_dump(
            {
                "extends": "cmrt-6.5",
                "revision": "6.6",
                "smelter_list": {
                    "columns": {
                        "metal": "B",
                        "smelter_name": "E",
                        "country": "F",
                        "smelter_id": "G",
                        "source": "H",
                    }
                },
            }  # fmt: skip
        ),
        encoding="utf-8",
    )
    # the 6.6 smelter list has a new column D ("smelter type", say): name, country, id, source one to the right
    data = synthetic_template(
        revision="6.6",
        smelters=[
            {
                "metal": "Gold",
                "name": "Recycled",
                "country": "8853 S.p.A.",
                "smelter_id": "ITALY",
                "source": "CID002763",
            }
        ],
    )
    reading = read_template(data, "cmrt66.xlsx", layouts=load_layouts(tmp_path))
    assert reading.layout_revision == "6.6" and reading.warnings == ()
    smelter = reading.smelters[0]
    assert (smelter.name, smelter.country, smelter.smelter_id) == ("8853 S.p.A.", "ITALY", "CID002763")


def test_renamed_sheets_are_found_by_their_content() -> None:
    data = synthetic_template(
        smelters=CMRT_SMELTERS[:1], sheet_names={"Declaration": "Erklärung", "Smelter List": "Hütten"}
    )
    reading = read_template(data, "renamed.xlsx")
    assert reading.sheets["declaration"] == "Erklärung" and reading.sheets["smelter_list"] == "Hütten"
    assert sorted(w.code for w in reading.warnings) == ["sheet_renamed", "sheet_renamed"]
    assert [s.smelter_id for s in reading.smelters] == ["CID002763"]


def test_problems_name_the_sheet_row_and_column() -> None:
    declaration = {"company_name": "Groene IT BV", "scope": "A. Company", "effective_date": "someday"}
    data = synthetic_template(
        declaration=declaration,
        smelters=[{"lookup_name": "Unlisted works"}, {"metal": "Cobalt", "smelter_id": "CID002763"}],
    )
    with pytest.raises(TemplateRefused) as refused:
        read_template(data, "bad.xlsx")
    found = {(p.code, p.sheet, p.row, p.column) for p in refused.value.template_problems}
    assert ("required", "Declaration", 18, "D") in found  # the authoriser
    assert ("not_date", "Declaration", 22, "D") in found
    assert ("metal_missing", "Smelter List", 5, "B") in found
    assert ("unknown_metal", "Smelter List", 6, "B") in found
    assert "sheet Smelter List, row 6, column B" in str(refused.value)


# -- hostile files ----------------------------------------------------------------------------------


def test_a_workbook_that_is_no_template_and_a_missing_sheet_are_refused() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "hello"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(TemplateRefused) as refused:
        read_template(buffer.getvalue(), "other.xlsx")
    assert refused.value.code == "not_a_template"

    data = synthetic_template(sheet_names={"Smelter Look-up": "Notes"})
    # the renamed look-up sheet is still found by content ...
    assert read_template(data, "t.xlsx").sheets["lookup"] == "Notes"
    # ... but a template without one is refused
    book = __import__("openpyxl").load_workbook(io.BytesIO(synthetic_template()))
    del book["Smelter Look-up"]
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(TemplateRefused) as refused:
        read_template(buffer.getvalue(), "t.xlsx")
    assert refused.value.code == "sheet_missing"


def test_formulas_are_read_by_their_cached_value_and_merged_cells_do_not_shift_rows() -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(synthetic_template(smelters=CMRT_SMELTERS[:2])))
    sheet = book["Smelter List"]
    sheet["D5"] = '=HYPERLINK("http://evil.example","x")'  # a formula without a cached value: no name
    book["Declaration"].merge_cells("D8:J8")
    sheet.merge_cells("K5:Q6")
    buffer = io.BytesIO()
    book.save(buffer)
    reading = read_template(buffer.getvalue(), "formula.xlsx")
    assert reading.declaration.company_name == "Groene IT BV"
    # the formula is never taken as the name: the row is named from its identification
    assert [(s.row, s.name) for s in reading.smelters] == [(5, "8853 S.p.A."), (6, "ABC Refinery Pty Ltd.")]


def _with_smelter_rows(data: bytes, rows: int) -> bytes:
    """The template with ``rows`` more gold smelter rows, written into the sheet's XML (openpyxl
    would take half a minute to write them)."""
    members = _members(data)
    part = "xl/worksheets/sheet3.xml"  # Revision, Declaration, Smelter List, Smelter Look-up
    assert b'r="R4"' in members[part]
    cells = "".join(
        f'<row r="{n}"><c r="B{n}" t="inlineStr"><is><t>Gold</t></is></c>'
        f'<c r="F{n}" t="inlineStr"><is><t>CID002763</t></is></c></row>'
        for n in range(6, 6 + rows)
    )
    xml = members[part].decode().replace("</sheetData>", cells + "</sheetData>", 1)
    members[part] = xml.encode()
    return _zip(members)


def test_100000_smelter_rows_are_refused_without_reading_them_all() -> None:
    data = _with_smelter_rows(synthetic_template(smelters=CMRT_SMELTERS[:1]), 100_000)
    started = time.perf_counter()
    with pytest.raises(TemplateRefused) as refused:
        read_template(data, "huge.xlsx")
    assert time.perf_counter() - started < 10
    problem = refused.value.template_problems[0]
    assert problem.code == "too_many_smelters" and problem.row == 5005
    assert "more than 5,000 smelter rows" in str(refused.value)


def test_hostile_workbooks_are_refused_or_read_never_a_traceback() -> None:
    """The corpus of tests/hostile (truncated, zip bomb, entity expansion, broken XML, a claimed
    16,384 columns, ...) on a template with one smelter."""
    valid = synthetic_template(smelters=CMRT_SMELTERS[:1])
    seen = {}
    for name, data in workbook_cases(valid):
        try:
            reading = read_template(data, name)
        except ImportRefused as error:
            seen[name] = error.code or "refused"
        else:
            seen[name] = f"read {len(reading.smelters)}"
        if name == "wide-claim-sheet4.xlsx":
            break  # the corpus' own zip bomb packs 260 MB (5 s): the one below claims as much
    assert seen["too-many-parts.xlsx"] == "zip_bomb" and seen["xxe-sheet2.xlsx"] == "unreadable_xlsx"
    assert seen["wide-claim-sheet3.xlsx"] == "read 1"
    assert len(seen) > 25
    members = _members(valid)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in members.items():
            archive.writestr(part, content)
        # what the archive says a sheet unpacks to is what the check reads, before unpacking anything
        archive.filelist[-1].file_size = 3_000_000_000
    with pytest.raises(ImportRefused) as refused:
        read_template(buffer.getvalue(), "bomb.xlsx")
    assert refused.value.code == "zip_bomb"
    with pytest.raises(ImportRefused) as refused:
        read_template(b"PK\x03\x04 not really", "broken.xlsx")
    assert refused.value.code == "unreadable_xlsx"
    with pytest.raises(TemplateRefused):
        read_template(b"a,b\n1,2\n", "cmrt.csv")


def test_a_conformance_list_with_bad_rows_is_refused_row_by_row() -> None:
    text = "Smelter ID,Name,Metal,Country,Status\nCID000001,A,Gold,X,Conformant\nXYZ,B,Gold,X,Conformant\nCID000002,C,Tin,Y,Great\n"
    with pytest.raises(ImportRefused) as refused:
        read_conformance_list(text.encode(), "list.csv")
    assert [p.where for p in refused.value.problems] == ["row 3", "row 4"]
    with pytest.raises(ImportRefused):
        read_conformance_list(b"Name,Metal\nA,Gold\n", "list.csv")


def test_the_countries_of_concern_cite_their_sources() -> None:
    countries = load_countries()
    assert countries.sources_of("CONGO, DEMOCRATIC REPUBLIC OF THE")
    assert countries.sources_of("cd") == countries.sources_of("Congo, Democratic Republic of the")
    assert not countries.sources_of("ITALY")
    assert any("2017/821" in s["title"] for s in countries.sources.values())
    # the countries later updates of the CAHRA list added, each citing the update that did
    assert any("30 June 2025" in title for title in countries.sources_of("BENIN"))
    assert countries.sources_of("PH") and countries.sources_of("Nigeria") and countries.sources_of("SD")


#: countries as RMI's look-up lists and suppliers' templates write them, and their ISO codes
RMI_SPELLINGS = [
    ("Congo, Democratic Republic of the", "CD"),
    ("CONGO, DEMOCRATIC REPUBLIC OF THE", "CD"),
    ("Congo (Democratic Republic of the)", "CD"),
    ("Democratic Republic of the Congo", "CD"),
    ("Korea, Republic of", "KR"),
    ("KOREA (REPUBLIC OF)", "KR"),
    ("Korea (Democratic People's Republic of)", "KP"),
    ("RUSSIAN FEDERATION", "RU"),
    ("Russia", "RU"),
    ("VIET NAM", "VN"),
    ("Bolivia (Plurinational State of)", "BO"),
    ("BOLIVIA, PLURINATIONAL STATE OF", "BO"),
    ("Tanzania, United Republic of", "TZ"),
    ("TANZANIA (UNITED REPUBLIC OF)", "TZ"),
    ("Côte d'Ivoire", "CI"),
    ("CÔTE D’IVOIRE", "CI"),
    ("COTE D'IVOIRE", "CI"),
    ("Cote dIvoire", "CI"),
    ("Lao People's Democratic Republic", "LA"),
    ("LAO PEOPLE’S DEMOCRATIC REPUBLIC", "LA"),
    ("TAIWAN, PROVINCE OF CHINA", "TW"),
    ("Iran (Islamic Republic of)", "IR"),
    ("ITALY", "IT"),
]


@pytest.mark.parametrize(("written", "code"), RMI_SPELLINGS)
def test_a_country_as_the_rmi_spells_it_is_read_as_its_iso_code_and_named_in_the_readers_language(
    written: str, code: str
) -> None:
    from cfit.joining.countries import country_name

    assert load_vocabulary().country(written) == code
    assert country_name(written, "de") == country_name(code, "de")


@pytest.mark.parametrize(
    "written",
    [
        "Congo (Democratic Republic of the)",
        "Democratic Republic of the Congo",
        "TANZANIA (UNITED REPUBLIC OF)",
    ],
)
def test_a_smelter_in_a_country_of_concern_is_flagged_however_the_template_spells_it(written: str) -> None:
    countries = load_countries()

    assert countries.sources_of(written)
    assert countries.sources_of(written) == countries.sources_of(load_vocabulary().country(written) or "")


def test_every_country_of_concern_names_a_known_source_once() -> None:
    """The reviewed file itself: each country once (by name and by code), each source it cites
    defined with a title and a public address."""
    data = yaml.safe_load(COUNTRIES_FILE.read_text(encoding="utf-8"))
    names = [c["name"] for c in data["countries"]]
    codes = [c["iso"] for c in data["countries"]]
    assert len(set(names)) == len(names) and len(set(codes)) == len(codes)
    for country in data["countries"]:
        assert country["sources"], country
        for source in country["sources"]:
            assert data["sources"][source]["title"] and data["sources"][source]["url"].startswith("https://")


# -- the CLI ----------------------------------------------------------------------------------------


def test_the_cli_prints_kind_revision_declaration_and_each_smelters_check(tmp_path: Path) -> None:
    template = tmp_path / "cmrt.xlsx"
    template.write_bytes(synthetic_template(smelters=CMRT_SMELTERS))
    smelters = tmp_path / "rmap.csv"
    smelters.write_text(CONFORMANCE_CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    status = cli.main(
        [str(template), "--format", "json", "--smelters", str(smelters), "--as-of", "2027-01-15"], out, err
    )

    assert status == 0, err.getvalue()
    printed = json.loads(out.getvalue())
    assert (printed["kind"], printed["revision"]) == ("CMRT", "6.5")
    assert printed["declaration"]["company_name"] == "Groene IT BV"
    assert printed["declaration"]["effective_date"] == "2027-03-01"
    assert [s["status"] for s in printed["smelters"]][:3] == ["conformant", "active", "conformant"]
    assert printed["smelters"][6]["findings"][0]["code"] == "unknown_id"
    assert printed["conformance_list"]["smelters"] == 5

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(synthetic_template(declaration={"company_name": "X"}))
    out, err = io.StringIO(), io.StringIO()
    assert cli.main([str(bad)], out, err) == 1
    assert "sheet Declaration, row 18, column D: Authoriser is required" in err.getvalue()


def test_the_console_script_runs_the_check_without_django(tmp_path: Path) -> None:
    import subprocess
    import sys

    template = tmp_path / "cmrt.xlsx"
    template.write_bytes(synthetic_template(smelters=CMRT_SMELTERS[:1]))
    code = (
        "import sys; sys.argv = ['cfit', 'duediligence', 'check', sys.argv[1], '--format', 'json'];"
        "from cfit.cli import main\ntry:\n    main()\nexcept SystemExit as e:\n"
        "    assert 'django.db' not in sys.modules, 'the check set Django up'\n    raise"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(template)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["smelters"][0]["smelter_id"] == "CID002763"


# -- the published templates ------------------------------------------------------------------------


def _lookup_rows(name: str) -> list[dict[str, str]]:
    with shared("rmi", name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def real_cmrt() -> bytes:
    from tests.duediligence_helpers import fill_real

    return fill_real(
        shared("rmi", "RMI_CMRT_6.5.xlsx"),
        kind="CMRT",
        language="English",
        smelters=CMRT_SMELTERS,
        answers={"D75": "Yes", "D26": "Yes"},
    )


@pytest.fixture(scope="module")
def real_emrt() -> bytes:
    from tests.duediligence_helpers import EMRT_CELLS, fill_real

    declaration = {
        key: value
        for key, value in __import__("tests.duediligence_helpers").duediligence_helpers.DECLARATION.items()
    }
    assert set(declaration) <= set(EMRT_CELLS)
    return fill_real(
        shared("rmi", "RMI_EMRT_2.1.xlsx"),
        kind="EMRT",  # left in Chinese, as the published copy is set
        declaration=declaration,
        smelters=[
            {"id_input": "CID003264"},
            {"metal": "Cobalt", "lookup_name": "Attero Recycling Pvt Ltd"},
            {
                "metal": "Copper",
                "lookup_name": "Antucoya",
                "name": "Minera Antucoya",
                "country": "CHILE",
                "smelter_id": "CID004094",
                "source": "RMI",
            },
            {"metal": "Nickel", "smelter_id": "CID003264", "name": "Chemaf Etoile"},
        ],
        answers={"D115": "Yes"},
    )


def test_the_published_cmrt_filled_in_english_is_read_and_checked_against_its_lookup(
    real_cmrt: bytes,
) -> None:
    reading = read_template(real_cmrt, "RMI_CMRT_6.5-filled.xlsx")
    assert (reading.kind, reading.revision, reading.language) == ("CMRT", "6.5", "English")
    assert reading.declaration.authoriser == "Marie Janssen"
    # the look-up list read from the workbook is the one published with it (by hand: the CSV of ../shared)
    published = _lookup_rows("cmrt-6.5-smelter-lookup.csv")
    assert len(reading.lookup) == len(published) == 637
    assert {e.smelter_id for e in reading.lookup} == {r["smelter_id"] for r in published}
    by_id = {r["smelter_id"]: r for r in published if r["smelter_id"]}
    smelters = reading.smelters
    assert [(s.row, s.smelter_id) for s in smelters] == [
        (5, "CID002763"), (6, "CID002920"), (7, "CID002030"), (8, ""), (9, "CID002763"), (10, "CID002920"), (11, "CID999999"),
    ]  # fmt: skip
    for smelter in smelters[:3]:
        assert smelter.name == by_id[smelter.smelter_id]["standard_smelter_name"]
        assert smelter.country == by_id[smelter.smelter_id]["country"]
        assert smelter.metal == by_id[smelter.smelter_id]["metal"]
    checks = check_smelters(smelters, reading.lookup)
    assert [codes(c) for c in checks] == [
        [], [], [], ["not_identified"], ["name_mismatch"], ["metal_mismatch"], ["unknown_id"],
    ]  # fmt: skip
    assert {(a.question, a.metal): a.answer for a in reading.answers}[("1", "Tantalum")] == "Yes"


def test_the_published_emrt_filled_in_chinese_is_read_and_checked_against_its_lookup(
    real_emrt: bytes,
) -> None:
    reading = read_template(real_emrt, "RMI_EMRT_2.1-filled.xlsx")
    assert (reading.kind, reading.revision, reading.language) == ("EMRT", "2.1", "中文 Chinese")
    assert reading.metals_in_scope == ("Cobalt", "Copper", "Graphite", "Lithium", "Mica", "Nickel")
    published = _lookup_rows("emrt-2.1-smelter-lookup.csv")
    assert len(reading.lookup) == len(published)
    by_id = {r["smelter_id"]: r for r in published if r["smelter_id"]}
    assert [(s.metal, s.smelter_id, s.name, s.country) for s in reading.smelters] == [
        ("Cobalt", "CID003264", "Chemaf Etoile", by_id["CID003264"]["country"]),
        ("Cobalt", "CID004695", "Attero Recycling Pvt Ltd", "INDIA"),
        ("Copper", "CID004094", "Minera Antucoya", "CHILE"),
        ("Nickel", "CID003264", "Chemaf Etoile", by_id["CID003264"]["country"]),
    ]
    checks = check_smelters(reading.smelters, reading.lookup)
    assert [codes(c) for c in checks] == [
        ["country_of_concern"], ["country_of_concern"], [], ["metal_mismatch", "country_of_concern"],
    ]  # fmt: skip
    assert {a.question: a.answer for a in reading.answers if not a.metal}["A"] == "Yes"
