"""Criteria map one-to-one onto the OCDS requirements extension (criteria → requirement groups → requirements)."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft4Validator

from cfit.criteria import content, exchange

from .tender_helpers import shared


@pytest.fixture(scope="module")
def criterion_schema() -> dict:
    extension = json.loads(shared("ocds", "requirements-extension", "release-schema.json").read_text())
    release = json.loads(shared("ocds", "ocds-1.1.5-schema", "release-schema.json").read_text())
    definitions = {**release["definitions"], **extension["definitions"]}
    return {"$ref": "#/definitions/Criterion", "definitions": definitions}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_criterion_is_a_valid_ocds_criterion(
    framework_content: content.Framework, criterion_schema: dict, lang: str
) -> None:
    validator = Draft4Validator(criterion_schema)
    for criterion in framework_content.criteria:
        document = exchange.criterion_to_ocds(criterion, lang)
        errors = [e.message for e in validator.iter_errors(document)]
        assert errors == [], (criterion.id, errors)
        flat = [r["id"] for g in document["requirementGroups"] for r in g["requirements"]]
        assert flat == [r.id for r in criterion.requirements]


def test_enumerations_become_patterns_and_selection_criteria_relate_to_the_tenderer(
    framework_content: content.Framework,
) -> None:
    enumerated = next(r for c in framework_content.criteria for r in c.requirements if r.options)
    owner = next(c for c in framework_content.criteria if enumerated in c.requirements)
    ocds = exchange.criterion_to_ocds(owner, "en")
    requirement = next(
        r for g in ocds["requirementGroups"] for r in g["requirements"] if r["id"] == enumerated.id
    )
    import re

    assert requirement["dataType"] == "string"
    assert all(re.match(requirement["pattern"], option) for option in enumerated.options)
    assert not re.match(requirement["pattern"], "something else")
    selection = next(
        c for c in framework_content.criteria if c.type == content.CriterionType.SELECTION_CRITERION
    )
    assert exchange.criterion_to_ocds(selection, "en")["relatesToTenderer"] is True
