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


@cache
def ocds_release_schema() -> dict[str, Any]:
    release = json.loads(shared("ocds", "ocds-1.1.5-schema", "release-schema.json").read_text())
    extension = json.loads(shared("ocds", "requirements-extension", "release-schema.json").read_text())
    return merge_patch(release, extension)


@cache
def ocds_package_schema() -> dict[str, Any]:
    package = json.loads(shared("ocds", "ocds-1.1.5-schema", "release-package-schema.json").read_text())
    package["properties"]["releases"]["items"] = {"type": "object"}  # releases are checked on their own
    return package


def ocds_errors(package: dict[str, Any]) -> list[str]:
    from jsonschema import Draft4Validator

    errors = [f"package: {e.message}" for e in Draft4Validator(ocds_package_schema()).iter_errors(package)]
    validator = Draft4Validator(ocds_release_schema())
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
