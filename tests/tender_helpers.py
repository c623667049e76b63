"""Shared helpers for the tender tests: schemas from ../shared and document readers."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

SHARED = Path(os.environ.get("CFIT_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data"


def shared(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason: a fresh clone has no ../shared."""
    import pytest

    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{'/'.join(parts)} (not beside this clone; CI has it)")
    return path


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch, as OCDS applies extensions to the release schema."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


HERE = Path(__file__).resolve().parent
_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/{}/master/extension.json"


def extension_schema(url: str) -> Path:
    """The release schema of a declared extension: from ../shared, or kept in tests/data (see PROVENANCE)."""
    local = {
        _EXTENSION.format("ocds_requirements_extension"): ("shared", "ocds/requirements-extension"),
        _EXTENSION.format("ocds_sustainability_extension"): ("shared", "ocds/sustainability-extension"),
        _EXTENSION.format("ocds_lots_extension"): ("tests", "lots"),
        _EXTENSION.format("ocds_awardCriteriaBreakdown_extension"): ("tests", "award-criteria-breakdown"),
    }
    if url not in local:
        raise AssertionError(f"the release declares {url}, which the tests cannot validate against")
    where, name = local[url]
    if where == "shared":
        return shared(*name.split("/"), "release-schema.json")
    return HERE / "data" / "ocds-extensions" / f"{name}-release-schema.json"


@cache
def ocds_release_schema(
    extensions: tuple[str, ...] = (_EXTENSION.format("ocds_requirements_extension"),),
) -> dict[str, Any]:
    """The core release schema with each declared extension applied as a JSON merge patch."""
    schema = json.loads(shared("ocds", "ocds-1.1.5-schema", "release-schema.json").read_text())
    for url in extensions:
        schema = merge_patch(schema, json.loads(extension_schema(url).read_text()))
    return schema


@cache
def ocds_package_schema() -> dict[str, Any]:
    package = json.loads(shared("ocds", "ocds-1.1.5-schema", "release-package-schema.json").read_text())
    package["properties"]["releases"]["items"] = {"type": "object"}  # releases are checked on their own
    return package


def ocds_errors(package: dict[str, Any]) -> list[str]:
    from jsonschema import Draft4Validator

    errors = [f"package: {e.message}" for e in Draft4Validator(ocds_package_schema()).iter_errors(package)]
    validator = Draft4Validator(ocds_release_schema(tuple(package.get("extensions", []))))
    for release in package["releases"]:
        errors += [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(release)]
    return errors


@cache
def eforms_codes(list_name: str) -> frozenset[str]:
    root = ET.parse(shared("eforms", "codelists", f"{list_name}.gc")).getroot()
    return frozenset(
        value.findtext("SimpleValue")
        for row in root.find("SimpleCodeList").findall("Row")
        for value in row.findall("Value")
        if value.get("ColumnRef") == "code"
    )


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
