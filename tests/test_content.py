"""The framework content: complete, sourced, in five languages, and the schema that guards it."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from cfit.criteria import content
from cfit.criteria.content import LANGUAGES, Ambition, ImpactCategory, LifecycleStage

from .tender_helpers import shared

WORKPLACE = ["notebooks", "desktops", "monitors", "tablets", "smartphones"]
PERIPHERALS = ["printers", "network-equipment", "headsets", "docking-stations"]
ALL_GROUPS = [
    *WORKPLACE,
    "servers",
    "data-centre-services",
    "cloud-services",
    "refurbished-devices",
    "it-asset-disposition",
    *PERIPHERALS,
]


def test_it_has_at_least_100_criteria_over_the_fourteen_product_groups(
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


def test_peripheral_groups_cover_every_category_and_ambition(framework_content: content.Framework) -> None:
    table = content.coverage(framework_content)
    for group in PERIPHERALS:
        for category in ImpactCategory:
            for ambition in Ambition:
                assert table[group][f"{category.value}/{ambition.value}"] > 0, (group, category, ambition)


def _gpp_ids_cited(framework: content.Framework) -> set[tuple[str, str]]:
    """(document, EU GPP id) pairs that a source's ``ref`` cites, ranges such as TS11–TS13 included."""
    cited: set[tuple[str, str]] = set()
    for criterion in framework.criteria:
        for source in criterion.sources:
            title = source.title.lower()
            if "gpp" not in title:
                continue
            document = "dc" if "data cent" in title else "ict"
            for kind, first, last in re.findall(
                r"\b(TS|AC|SC|CPC)\s?(\d+)(?:\s?[–-]\s?(?:TS|AC|SC|CPC)?(\d+))?", source.ref
            ):
                for number in range(int(first), int(last or first) + 1):
                    cited.add((document, f"{kind}{number}"))
    return cited


def test_the_eu_gpp_criteria_for_ict_and_data_centres_are_cited(framework_content: content.Framework) -> None:
    records = shared("eu-gpp", "gpp_criteria.json")
    wanted = {
        ("dc" if "data centres" in r["gppDocument"] else "ict", r["id"])
        for r in json.loads(records.read_text())
        if "computers" in r["gppDocument"] or "data centres" in r["gppDocument"]
    }

    missing = sorted(wanted - _gpp_ids_cited(framework_content))

    assert len(wanted) == 80
    assert len(wanted) - len(missing) >= 75, missing


def test_no_requirement_sits_below_a_legal_floor_in_force(framework_content: content.Framework) -> None:
    today = date(2026, 12, 6)

    findings = content.floor_findings(framework_content, today)

    assert [f.describe() for f in findings if f.in_force] == []
    bound = {r.id for c in framework_content.criteria for r in c.requirements if r.legal_floors}
    assert {"mob-spare-delivery-b.working-days", "wc-security-updates-b.years"} <= bound


def test_a_requirement_below_a_floor_in_force_is_refused_and_a_coming_one_warned(
    framework_content: content.Framework,
) -> None:
    floor = content.LegalFloor(
        regulation="Commission Regulation (EU) 2023/1670",
        article="Annex II B 1.1(3)",
        value=5,
        applies_from=date(2025, 6, 20),
        scope="smartphones and slate tablets",
    )
    criterion = next(c for c in framework_content.criteria if c.id == "mob-spare-delivery-b")
    lax = criterion.model_copy(
        update={
            "requirements": [
                r.model_copy(update={"max_value": 10.0, "legal_floors": [floor]})
                if r.id.endswith(".working-days")
                else r
                for r in criterion.requirements
            ]
        }
    )

    with pytest.raises(content.BelowLegalFloor, match="mob-spare-delivery-b.working-days"):
        content.check_legal_floors(framework_content.model_copy(update={"criteria": [lax]}), date(2026, 1, 1))
    coming = content.check_legal_floors(
        framework_content.model_copy(update={"criteria": [lax]}), date(2025, 1, 1)
    )
    assert [f.requirement for f in coming] == ["mob-spare-delivery-b.working-days"]
    assert (
        content.check_legal_floors(framework_content.model_copy(update={"criteria": [lax]}), date(2023, 1, 1))
        == []
    )


def test_an_award_requirement_without_a_declared_rule_is_refused_naming_file_and_id(tmp_path: Path) -> None:
    source = content.FRAMEWORK_DIR / "criteria-workplace-lifecycle.yaml"
    (tmp_path / "framework.yaml").write_text((content.FRAMEWORK_DIR / "framework.yaml").read_text())
    text = source.read_text().replace("        better: lower\n        scoring: {rule: proportional}\n", "", 1)
    (tmp_path / source.name).write_text(text)

    with pytest.raises(content.ContentError) as refused:
        content.load_framework_dir(tmp_path)

    message = str(refused.value)
    assert "criteria-workplace-lifecycle.yaml: criteria[wc-carbon-footprint-a]" in message
    assert "declares better: higher or lower" in message or "declare no better and scoring" in message


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
