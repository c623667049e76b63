"""Units, option labels and topic names in the reader's language, from one reviewed vocabulary.

Every unit, option and topic the framework uses has a label in all five languages (a new unit typed
into a framework file without a label fails here); pages, the tender annex and the supplier template
show labels, never the codes; the offer import takes an option by its code or any language's label.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from cfit.criteria import content, exchange
from cfit.criteria.glossary import load_glossary
from cfit.criteria.models import FrameworkVersion, Requirement
from cfit.criteria.vocabulary import (
    VOCABULARY_FILE,
    Kind,
    VocabularyError,
    load_vocabulary,
    missing_labels,
    parse_vocabulary,
    used_codes,
)
from cfit.criteria.wording import number, threshold_text
from cfit.offers.reader import parse_answer, read_xlsx
from cfit.tenders.response_template import build_response_template
from cfit.tenders.spec import ChosenCriterion
from tests import offer_helpers

FRAMEWORK = content.load_framework_dir()
VOCABULARY = load_vocabulary()
TRANSLATED = [language for language in content.LANGUAGES if language != "en"]


def requirement(**fields: Any) -> content.Requirement:
    return content.Requirement.model_validate(
        {"id": "x-b.y", "title": dict.fromkeys(content.LANGUAGES, "T"), **fields}
    )


def test_every_unit_option_and_topic_of_the_framework_has_a_label_in_five_languages() -> None:
    assert missing_labels(FRAMEWORK.criteria) == []
    used = used_codes(FRAMEWORK.criteria)
    for kind in Kind:
        for code in used[kind]:
            entry = VOCABULARY.entries[kind][code]
            assert all(entry.many[language].strip() for language in content.LANGUAGES), (kind, code)


def test_an_unknown_unit_fails_the_check() -> None:
    criterion = FRAMEWORK.criteria[0]
    changed = criterion.requirements[0].model_copy(update={"unit": "furlongs per fortnight"})
    odd = criterion.model_copy(update={"requirements": [changed], "topic": "no-such-topic"})

    assert missing_labels([odd]) == ["topics: no-such-topic", "units: furlongs per fortnight"]


def test_a_label_missing_in_one_language_is_refused_with_its_code() -> None:
    raw = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    del raw["options"]["words"]["tool-free"]["nb"]

    with pytest.raises(VocabularyError, match=r"options\.tool-free: no label in nb"):
        parse_vocabulary(raw)


def test_labels_follow_the_glossary() -> None:
    glossary = load_glossary()
    findings = [
        f"{kind} {code}: {finding}"
        for kind in Kind
        for code, entry in VOCABULARY.entries[kind].items()
        for language in TRANSLATED
        for finding in glossary.check(entry.many["en"], entry.many[language], language)
    ]
    assert findings == []


def test_translated_labels_of_words_differ_from_their_codes() -> None:
    # A hyphenated code (tool-free, battery-endurance) is never a label in any language.
    for kind in Kind:
        for code, entry in VOCABULARY.entries[kind].items():
            if "-" in code:
                assert code not in entry.many.values(), (kind, code)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "≤ 5 working days"),
        ("nl", "≤ 5 werkdagen"),
        ("fr", "≤ 5 jours ouvrables"),
        ("de", "≤ 5 Arbeitstage"),
        ("nb", "≤ 5 virkedager"),
    ],
)
def test_a_threshold_reads_in_the_language_with_its_unit(language: str, expected: str) -> None:
    spare = requirement(data_type="integer", max_value=5, unit="working days", better="lower")

    assert threshold_text(spare, language) == expected


def test_one_takes_the_singular_and_decimals_the_language_mark() -> None:
    year = requirement(data_type="integer", expected_value=1, unit="years", better="higher")
    share = requirement(data_type="number", max_value=0.1, unit="% w/w", better="lower")

    assert threshold_text(year, "de") == "1 Jahr"
    assert threshold_text(share, "en") == "≤ 0.1 % by weight"
    assert threshold_text(share, "fr") == "≤ 0,1 % en masse"
    assert number(1.95, "nb") == "1,95" and number(1.95) == "1.95"


def test_options_read_as_labels() -> None:
    tools = requirement(
        data_type="enumeration",
        options=["tool-free", "common-tools", "proprietary-tools"],
        allowed=["tool-free", "common-tools"],
        better="lower",
    )

    assert threshold_text(tools, "en") == "Tool-free / Commonly available tools"
    assert threshold_text(tools, "fr") == "Sans outil / Outils couramment disponibles"


def test_the_offer_import_takes_an_option_by_code_or_by_label() -> None:
    tools = requirement(
        data_type="enumeration", options=["tool-free", "common-tools"], allowed=["tool-free"], better="lower"
    )

    assert parse_answer("tool-free", tools) == "tool-free"
    assert parse_answer("Sans outil", tools) == "tool-free"
    assert parse_answer(" werkzeuglos ", tools) == "tool-free"
    with pytest.raises(ValueError, match="not one of"):
        parse_answer("hammer", tools)


def test_a_wrong_option_is_told_with_the_labels_the_template_offers_not_the_codes() -> None:
    """A Dutch supplier who types "ja" reads the drop-down's Dutch answers, not "tool-free, common-tools"."""
    tools = requirement(
        data_type="enumeration", options=["tool-free", "common-tools"], allowed=["tool-free"], better="lower"
    )

    with pytest.raises(ValueError) as refused:
        parse_answer("ja", tools, language="fr")

    assert "“Sans outil”, “Outils couramment disponibles”" in str(refused.value)
    assert "tool-free" not in str(refused.value)


def test_a_large_limit_in_a_refusal_is_written_as_the_reader_writes_numbers() -> None:
    from cfit.refusals import message_text
    from cfit.uploads import Problem

    problem = Problem(
        "row 4", "quantity", "at most 2,147,483,647", code="too_many", params=(("limit", "2,147,483,647"),)
    )
    with translation.override("nl"):
        assert "2.147.483.647" in message_text(problem, "offers")
    with translation.override("en"):
        assert "2,147,483,647" in message_text(problem, "offers")


@pytest.mark.django_db
@pytest.mark.parametrize("language", content.LANGUAGES)
def test_criterion_and_compare_pages_show_labels_not_codes(
    framework: FrameworkVersion, language: str
) -> None:
    client = Client(headers={"accept-language": language})

    page = client.get("/criteria/pc-repair-design-b/").content.decode()
    compare = client.get("/criteria/compare/notebooks/").content.decode()

    with translation.override(language):
        assert VOCABULARY.option("tool-free", language) in page
        assert VOCABULARY.topic("design-for-repair", language) in compare
    assert "tool-free" not in page and "common-tools" not in page
    assert "design-for-repair" not in compare


@pytest.mark.django_db
def test_the_legal_floor_on_a_criterion_page_reads_with_its_unit(framework: FrameworkVersion) -> None:
    page = Client(headers={"accept-language": "nl"}).get("/criteria/mob-spare-delivery-b/").content.decode()

    floors = re.findall(r'<span class="legal-floor small">(.*?)</span>', page, re.S)

    assert floors and all("werkdagen" in floor and "working days" not in floor for floor in floors)


@pytest.mark.django_db
def test_a_requirement_row_knows_its_unit_label(framework: FrameworkVersion) -> None:
    row = Requirement.objects.filter(criterion__version=framework, unit="working days").first()
    assert row is not None

    with translation.override("de"):
        assert row.unit_label == "Arbeitstage"
        assert "Arbeitstage" in row.threshold


def test_the_supplier_template_offers_option_labels_and_reads_them_back() -> None:
    tools = offer_helpers.criterion(
        "ts-tools-b",
        "technical_specification",
        [
            {
                "id": "tools",
                "data_type": "enumeration",
                "options": ["tool-free", "common-tools", "proprietary-tools"],
                "allowed": ["tool-free", "common-tools"],
                "better": "lower",
            }
        ],
    )
    spec = offer_helpers.small_spec()
    lot = replace(
        spec.lots[0], criteria=[ChosenCriterion(tools, content.CriterionType.TECHNICAL_SPECIFICATION)]
    )
    spec = replace(spec, language="fr", lots=[lot])

    book = load_workbook(io.BytesIO(build_response_template(spec)))
    row = {
        "line_id": "L1",
        "manufacturer": "Acme",
        "model": "M1",
        "quantity": 10,
        "unit_price_eur": 500,
        "yearly_kwh": 20,
        "ts-tools-b.tools": "Outils couramment disponibles",
    }
    offer = read_xlsx(offer_helpers.filled_template(spec, [row]), "offer.xlsx", spec)

    assert book.sheetnames[-2:] == ["_options", "_cfit"] and book["_options"].sheet_state == "hidden"
    assert [cell.value for cell in book["_options"]["A"]] == [
        "Sans outil",
        "Outils couramment disponibles",
        "Outils propriétaires",
    ]
    assert offer.lines[0].answers["ts-tools-b.tools"] == "common-tools"


def test_a_one_language_export_gives_the_labels_beside_the_codes() -> None:
    document = exchange.framework_to_json(FRAMEWORK, lang="de")
    criterion = next(c for c in document["criteria"] if c["id"] == "pc-repair-design-b")
    tools = next(r for r in criterion["requirements"] if r["id"].endswith(".repair-level"))
    spare = next(c for c in document["criteria"] if c["id"] == "mob-spare-delivery-b")["requirements"][0]

    assert criterion["topic"] == "design-for-repair"
    assert criterion["topicName"] == "Reparaturfreundliche Konstruktion"
    assert tools["optionNames"]["tool-free"] == "Werkzeuglos"
    assert spare["unit"] == "working days" and spare["unitName"] == "Arbeitstage"
    assert "topicName" not in exchange.framework_to_json(FRAMEWORK)["criteria"][0]
