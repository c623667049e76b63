"""Shared helpers for the tender tests: schemas from ../shared, document readers, and a buyer and tender
with every notice detail and term answered."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from cfit.tenders.spec import (
    BuyerDetails,
    ElectronicMeans,
    FrameworkAgreement,
    NoticeTerms,
    PerformancePlace,
    ReservedParticipation,
    ReviewBody,
)

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
        _EXTENSION.format("ocds_organizationClassification_extension"): (
            "tests",
            "organization-classification",
        ),
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


# ---------------------------------------------------------------------------
# A buyer that filled in every notice detail, and a tender whose every notice term is answered
# ---------------------------------------------------------------------------

#: The review body of a Dutch buyer, every field filled in (NUTS 2024 NL362: Agglomeratie 's-Gravenhage).
REVIEW_BODY = ReviewBody(
    name="Rechtbank Den Haag",
    registration_number="NL-RB-27312152",
    town="Den Haag",
    post_code="2595 BJ",
    nuts_code="NL362",
    email="griffie@example.nl",
    deadlines="Binnen 20 dagen na de bekendmaking van de gunningsbeslissing.",
)
#: Rijkswaterstaat's notice details, every field filled in, without its review body.
BUYER_DETAILS = BuyerDetails(
    legal_type="cga",
    main_activity="econ-aff",
    registration_number="NL-RWS-123456",
    street="Griffioenlaan 2",
    post_code="3526 LA",
    town="Utrecht",
    nuts_code="NL350",
    telephone="+31 30 123 45 67",
)
#: Every notice detail, the review body too.
FULL_BUYER_DETAILS = replace(BUYER_DETAILS, review_body=REVIEW_BODY)
#: A tender's notice terms, every one answered (with answers that need no further one: see the tests
#: for those that do, such as offers that may not be submitted electronically).
ANSWERED_TERMS = NoticeTerms(
    documents_url="https://tenders.example.nl/T-2027-1/documents",
    submission_url="https://tenders.example.nl/T-2027-1/offers",
    electronic_submission=ElectronicMeans.REQUIRED,
    offer_validity_days=90,
    contract_months=36,
    performance_place=PerformancePlace.BUYER,
    eu_funded=False,
    reserved_participation=ReservedParticipation.NONE,
    reserved_execution=False,
    e_invoicing=ElectronicMeans.REQUIRED,
    e_catalogue=ElectronicMeans.ALLOWED,
    framework_agreement=FrameworkAgreement.NONE,
    e_ordering=True,
    e_payment=False,
    gpa=True,
)
