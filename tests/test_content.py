"""The framework content: complete, sourced, in five languages, and the schema that guards it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cfit.criteria import content
from cfit.criteria.content import LANGUAGES, Ambition, ImpactCategory, LifecycleStage

WORKPLACE = ["notebooks", "desktops", "monitors", "tablets", "smartphones"]
ALL_GROUPS = [
    *WORKPLACE,
    "servers",
    "data-centre-services",
    "cloud-services",
    "refurbished-devices",
    "it-asset-disposition",
]


def test_it_has_at_least_100_criteria_over_the_ten_product_groups(
    framework_content: content.Framework,
) -> None:
    assert len(framework_content.criteria) >= 100
    covered = {group for c in framework_content.criteria for group in c.product_groups}
    assert covered == set(ALL_GROUPS)


def test_every_criterion_has_a_requirement_a_source_and_five_languages(
    framework_content: content.Framework,
) -> None:
    for criterion in framework_content.criteria:
        assert criterion.requirements, criterion.id
        assert criterion.sources and all(s.title for s in criterion.sources), criterion.id
        for field in (criterion.title, criterion.text, criterion.rationale, criterion.verification.documents):
            assert set(field) == set(LANGUAGES) and all(field.values()), criterion.id
        for requirement in criterion.requirements:
            assert set(requirement.title) == set(LANGUAGES), requirement.id


def test_workplace_groups_cover_every_category_ambition_and_stage(
    framework_content: content.Framework,
) -> None:
    table = content.coverage(framework_content)
    for group in WORKPLACE:
        for category in ImpactCategory:
            for ambition in Ambition:
                assert table[group][f"{category.value}/{ambition.value}"] > 0, (group, category, ambition)
        for stage in LifecycleStage:
            assert table[group][f"stage:{stage.value}"] > 0, (group, stage)


def test_every_group_has_both_ambition_levels(framework_content: content.Framework) -> None:
    for group in ALL_GROUPS:
        levels = {c.ambition for c in framework_content.criteria if group in c.product_groups}
        assert levels == set(Ambition), group


def test_texts_are_really_translated_not_copied(framework_content: content.Framework) -> None:
    copied = [c.id for c in framework_content.criteria if len(set(c.text.values())) < len(LANGUAGES)]
    assert copied == []


def test_proposed_thresholds_say_so_in_the_rationale(framework_content: content.Framework) -> None:
    proposals = [
        c for c in framework_content.criteria if c.threshold_origin == content.ThresholdOrigin.PROPOSAL
    ]
    assert proposals, "the framework should mark where a threshold is our proposal"
    for criterion in proposals:
        assert "propos" in criterion.rationale["en"].lower() or "cfit" in criterion.rationale["en"].lower(), (
            criterion.id
        )


def _requirement(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "x-b.r",
        "title": {lang: "t" for lang in LANGUAGES},
        "data_type": "integer",
        "min_value": 3,
        "unit": "years",
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"data_type": "boolean", "min_value": None}, "boolean requirement needs expected_value"),
        ({"unit": ""}, "needs a unit"),
        ({"min_value": 2.5}, "whole-number bounds"),
        ({"min_value": 5, "max_value": 2}, "greater than max_value"),
        ({"data_type": "enumeration", "min_value": None, "options": ["A"]}, "at least two options"),
        ({"data_type": "colour"}, "Input should be"),
        ({"title": {"en": "t"}}, "missing language(s) nl, fr, de, nb"),
        ({"id": "Bad Id"}, "should match pattern"),
    ],
)
def test_the_schema_refuses_broken_requirements(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        content.Requirement.model_validate(_requirement(**changes))
    assert message in str(error.value)


def test_framework_refuses_unknown_references(framework_content: content.Framework) -> None:
    criterion = framework_content.criteria[0].model_dump()
    criterion["product_groups"] = ["toasters"]
    criterion["verification"]["labels"] = ["gold-star"]
    with pytest.raises(ValidationError) as error:
        content.Framework.model_validate(
            {**framework_content.model_dump(exclude={"criteria"}), "criteria": [criterion]}
        )
    assert "unknown product group toasters" in str(error.value)
    assert "unknown label gold-star" in str(error.value)
