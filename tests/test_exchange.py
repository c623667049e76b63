"""`cfit criteria export` and `import`: lossless round trips, and every malformed file refused whole."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from cfit.criteria import exchange
from cfit.criteria.actions import version_to_content
from cfit.criteria.content import LANGUAGES
from cfit.criteria.models import Criterion, FrameworkVersion


def export(tmp_path: Path, fmt: str, *extra: str) -> Path:
    path = tmp_path / f"framework.{fmt}"
    call_command("criteria", "export", "--format", fmt, "-o", str(path), *extra)
    return path


def db_state() -> tuple[int, int]:
    return FrameworkVersion.objects.count(), Criterion.objects.count()


def test_json_export_has_the_documented_shape(framework: FrameworkVersion, tmp_path: Path) -> None:
    document = json.loads(export(tmp_path, "json").read_text())

    assert document["version"] == framework.code
    assert len(document["product_groups"]) == 14
    assert {c["id"] for c in document["impact_categories"]} == {
        "circularity",
        "due_diligence",
        "carbon",
        "chemicals",
    }
    assert document["impact_categories"][0]["name"]["nl"] != document["impact_categories"][0]["name"]["en"]
    assert len(document["criteria"]) >= 100
    criterion = document["criteria"][0]
    for key in (
        "id",
        "product_groups",
        "impact_category",
        "lifecycle_stage",
        "type",
        "ambition",
        "title",
        "text",
        "verification",
        "sources",
        "requirements",
    ):
        assert key in criterion
    assert set(criterion["title"]) == set(LANGUAGES)
    requirement = criterion["requirements"][0]
    assert {"id", "title", "dataType", "unit"} <= set(requirement)
    assert {"expectedValue", "minValue", "maxValue"} & set(requirement)


def test_json_export_in_one_language(framework: FrameworkVersion, tmp_path: Path) -> None:
    document = json.loads(export(tmp_path, "json", "--lang", "nb").read_text())

    assert document["languages"] == ["nb"]
    assert isinstance(document["criteria"][0]["title"], str)
    assert document["criteria"][0]["title"] == framework.criteria.first().title["nb"]


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_an_export_reimports_losslessly_as_a_draft(
    framework: FrameworkVersion, tmp_path: Path, fmt: str
) -> None:
    path = export(tmp_path, fmt)

    call_command("criteria", "import", str(path), "--code", f"roundtrip-{fmt}")

    draft = FrameworkVersion.objects.get(code=f"roundtrip-{fmt}")
    assert not draft.is_published
    assert version_to_content(draft).criteria == version_to_content(framework).criteria


def test_an_edited_csv_becomes_a_draft_with_the_edit(framework: FrameworkVersion, tmp_path: Path) -> None:
    path = export(tmp_path, "csv")
    rows = exchange.csv_to_rows(path.read_text(), "x.csv")
    target = next(row for _, row in rows if row["min_value"])
    code, old = target["requirement_id"], float(target["min_value"])
    edited = [row | ({"min_value": str(old + 1)} if row["requirement_id"] == code else {}) for _, row in rows]
    path.write_text(exchange.rows_to_csv(edited))

    call_command("criteria", "import", str(path), "--code", "edited")

    draft = FrameworkVersion.objects.get(code="edited")
    assert draft.criteria.get(requirements__code=code).requirements.get(code=code).min_value == old + 1
    assert framework.criteria.get(requirements__code=code).requirements.get(code=code).min_value == old


def refused(path: Path) -> str:
    before = db_state()
    with pytest.raises(CommandError) as error:
        call_command("criteria", "import", str(path))
    assert db_state() == before, "a refused import must write nothing"
    return str(error.value)


def test_a_wrong_type_is_refused_naming_row_and_field(framework: FrameworkVersion, tmp_path: Path) -> None:
    path = export(tmp_path, "csv")
    rows = [row for _, row in exchange.csv_to_rows(path.read_text(), "x.csv")]
    rows[4]["min_value"] = "three"
    rows[2]["data_type"] = "colour"
    path.write_text(exchange.rows_to_csv(rows))

    message = refused(path)

    assert "row 6, min_value: 'three' is not a number" in message
    assert "row 4" in message and "data_type" in message


def test_an_unknown_id_is_refused(framework: FrameworkVersion, tmp_path: Path) -> None:
    path = export(tmp_path, "json")
    document = json.loads(path.read_text())
    document["criteria"][3]["product_groups"] = ["toasters"]
    document["criteria"][5]["verification"]["labels"] = ["gold-star"]
    path.write_text(json.dumps(document))

    message = refused(path)

    assert f"criterion {document['criteria'][3]['id']}: unknown product group toasters" in message
    assert "unknown label gold-star" in message


def test_a_missing_language_is_refused(framework: FrameworkVersion, tmp_path: Path) -> None:
    path = export(tmp_path, "xlsx")
    book = load_workbook(path)
    sheet = book["Criteria"]
    header = [c.value for c in sheet[1]]
    column = header.index("title_de") + 1
    code = sheet.cell(row=2, column=1).value
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == code:
            sheet.cell(row=row, column=column).value = None
    book.save(path)

    message = refused(path)

    assert f"row 2 ({code}), title_de" in message and "missing language(s) de" in message


def test_a_one_language_export_cannot_be_imported(framework: FrameworkVersion, tmp_path: Path) -> None:
    message = refused(export(tmp_path, "json", "--lang", "fr"))

    assert "criteria[0]" in message and "title" in message and "--lang" in message


def test_broken_yaml_is_refused(framework: FrameworkVersion, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("criteria:\n  - id: [unclosed\n")

    assert "not valid YAML" in refused(path)


def test_a_yaml_criterion_with_a_bad_field_is_refused(framework: FrameworkVersion, tmp_path: Path) -> None:
    item = version_to_content(framework).criteria[0].model_dump(mode="json")
    item["ambition"] = "heroic"
    path = tmp_path / "one.yaml"
    import yaml

    path.write_text(yaml.safe_dump({"criteria": [item]}, allow_unicode=True))

    assert f"criteria[0] ({item['id']}), ambition" in refused(path)


def test_broken_and_hostile_xlsx_files_are_refused(framework: FrameworkVersion, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    assert "not a readable XLSX workbook" in refused(broken)

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    assert "zip bomb" in refused(bomb)

    path = export(tmp_path, "xlsx")
    book = load_workbook(path)
    book["Criteria"].cell(row=2, column=exchange.FLAT_COLUMNS.index("title_en") + 1).value = '=HYPERLINK("x")'
    book.save(path)
    assert "row 2, title_en: formulas are not accepted" in refused(path)


def test_wrong_columns_are_refused(framework: FrameworkVersion, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,price\nlaptop,800\n")

    message = refused(path)

    assert "row 1, criterion_id: missing column" in message and "row 1, price: unknown column" in message


def test_exports_neutralise_formulas(framework: FrameworkVersion) -> None:
    fw = version_to_content(framework)
    first = fw.criteria[0]
    hostile = first.model_copy(update={"title": {**first.title, "en": "=cmd|' /C calc'!A0"}})
    rows = exchange.framework_to_rows(fw.model_copy(update={"criteria": [hostile]}))

    csv_text = exchange.rows_to_csv(rows)
    book = load_workbook(io.BytesIO(exchange.rows_to_xlsx(rows, version="x", about=[])))

    assert ",'=cmd|" in csv_text
    cell = book["Criteria"].cell(row=2, column=exchange.FLAT_COLUMNS.index("title_en") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    back = exchange.rows_to_framework(exchange.csv_to_rows(csv_text, "x.csv"), "x.csv", fw)
    assert back.criteria[0].title["en"] == "=cmd|' /C calc'!A0"


def test_oversized_files_are_refused(framework: FrameworkVersion, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (exchange.MAX_IMPORT_BYTES + 1))

    assert "larger than" in refused(path)
