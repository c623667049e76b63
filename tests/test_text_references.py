"""Criterion texts refer to their requirements' values: one number, five languages that cannot disagree.

Sam of the secretariat changes a threshold; every language of every text that refers to it says the
new value, on the pages, in the tender annex a buyer downloads and in every export. A reference to a
requirement that does not exist never gets in.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cfit.criteria import actions, content, exchange
from cfit.criteria.models import Criterion, FrameworkVersion
from cfit.criteria.rendering import (
    DanglingReference,
    localised_number,
    render_text,
    rendered_criterion,
)
from cfit.tenders import actions as tender_actions
from cfit.tenders import annex, opendata
from cfit.tenders.exports import FORMATS
from cfit.tenders.spec import build_spec
from tests.tender_helpers import docx_text

LANGUAGES = content.LANGUAGES
BATTERY = "nb-battery-cycles-b"
PUE = "dc-pue-a"


def framework_criterion(framework_content: content.Framework, code: str) -> content.Criterion:
    return next(c for c in framework_content.criteria if c.id == code)


def with_bound(criterion: content.Criterion, requirement: str, bound: str, value: float) -> content.Criterion:
    """The criterion as the loader would read it with one requirement's bound changed."""
    data = criterion.model_dump(mode="json")
    for item in data["requirements"]:
        if item["id"] == requirement:
            item[bound] = value
    return content.Criterion.model_validate(data)


def referring_texts(criterion: content.Criterion) -> list[tuple[str, str, str]]:
    return [
        (field, lang, text)
        for field in content.REFERRING_FIELDS
        for lang, text in criterion.texts(field).items()
        if "{{" in text
    ]


# --- a changed value changes every language at once ----------------------------------------------


@settings(max_examples=60, deadline=None, database=None)
@given(cycles=st.integers(min_value=1, max_value=10**6))
def test_a_changed_cycle_count_reads_the_same_in_all_five_languages(framework_content, cycles: int) -> None:
    criterion = with_bound(
        framework_criterion(framework_content, BATTERY), f"{BATTERY}.cycles", "min_value", cycles
    )

    shown = rendered_criterion(criterion)

    for field in content.REFERRING_FIELDS:
        for lang in LANGUAGES:
            text = shown.texts(field)[lang]
            assert "{{" not in text and "}}" not in text, (field, lang)
    for lang in LANGUAGES:  # the title and the tender text say the number in every language
        assert str(cycles) in shown.title[lang] and str(cycles) in shown.text[lang], lang
        assert "300" not in shown.text[lang] or cycles == 300 or "300" in str(cycles)


@settings(max_examples=60, deadline=None, database=None)
@given(pue=st.decimals(min_value=Decimal("1.01"), max_value=Decimal("3.99"), places=2))
def test_a_changed_decimal_threshold_is_written_as_each_language_writes_decimals(
    framework_content, pue: Decimal
) -> None:
    criterion = with_bound(
        framework_criterion(framework_content, PUE), f"{PUE}.pue-cool-climate", "max_value", float(pue)
    )

    shown = rendered_criterion(criterion)

    english = f"{float(pue):g}"
    for lang in LANGUAGES:
        written = english if lang == "en" else english.replace(".", ",")
        assert written in shown.text[lang] and written in shown.title[lang], lang
        assert localised_number(float(pue), lang) == written


def test_every_reference_of_the_framework_renders_in_every_language(framework_content) -> None:
    referring = [c for c in framework_content.criteria if referring_texts(c)]

    assert len(referring) >= 80  # every criterion whose texts quote one of its thresholds
    for criterion in referring:
        shown = rendered_criterion(criterion)
        for field, lang, _text in referring_texts(criterion):
            assert "{{" not in shown.texts(field)[lang], (criterion.id, field, lang)


def test_the_whole_answer_form_reads_as_the_requirement_table(framework_content) -> None:
    criterion = framework_criterion(framework_content, BATTERY)
    requirements = {r.id: r for r in criterion.requirements}

    assert render_text("Ask {{nb-battery-cycles-b.cycles}}.", requirements, "en") == "Ask ≥ 300 cycles."
    assert render_text("{{nb-battery-cycles-b.cycles|min}}", requirements, "de") == "300"


# --- the loader refuses what cannot be rendered --------------------------------------------------


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("{{nb-battery-cycles-b.endurance|min}}", "does not have"),
        ("{{nb-battery-cycles-a.cycles|min}}", "does not have"),  # another criterion's requirement
        ("{{nb-battery-cycles-b.cycles|max}}", "no numeric max_value"),
        ("{{nb-battery-cycles-b.cycles|low}}", "unknown form"),
        ("{{ nb-battery-cycles-b.cycles|min", "unfinished reference"),
        ("{{NB-battery}}", "unfinished reference"),
    ],
)
def test_the_loader_refuses_a_reference_it_cannot_render(
    framework_content, written: str, reason: str
) -> None:
    data = framework_criterion(framework_content, BATTERY).model_dump(mode="json")
    data["text"]["de"] = f"Mindestens {written} Ladezyklen."

    with pytest.raises(ValidationError) as refused:
        content.Criterion.model_validate(data)

    message = str(refused.value)
    assert f"criterion {BATTERY}, text (de)" in message and reason in message


def test_a_framework_file_with_a_dangling_reference_is_refused_naming_file_criterion_field_and_language(
    tmp_path: Path,
) -> None:
    for path in content.FRAMEWORK_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "criteria-notebooks-desktops.yaml"
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    battery = next(c for c in data["criteria"] if c["id"] == BATTERY)
    battery["rationale"]["nb"] = "Minst {{nb-battery-cycles-b.sykluser|min}} sykluser."
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with pytest.raises(content.ContentError) as refused:
        content.load_framework_dir(tmp_path)

    message = str(refused.value)
    assert "criteria-notebooks-desktops.yaml" in message
    assert f"criterion {BATTERY}, rationale (nb)" in message and "nb-battery-cycles-b.sykluser" in message


def test_an_imported_json_with_a_dangling_reference_is_refused(framework_content) -> None:
    document = exchange.framework_to_json(framework_content)
    battery = next(c for c in document["criteria"] if c["id"] == BATTERY)
    battery["title"]["fr"] = "Endurance : {{nb-battery-cycles-b.gone|min}} cycles"

    with pytest.raises(exchange.ImportRefused) as refused:
        exchange.framework_from_json(json.loads(json.dumps(document)))

    assert "title (fr)" in str(refused.value) and "nb-battery-cycles-b.gone" in str(refused.value)


def test_the_json_export_keeps_the_references_and_adds_the_rendered_texts(framework_content) -> None:
    document = exchange.framework_to_json(framework_content)
    battery = next(c for c in document["criteria"] if c["id"] == BATTERY)

    assert "{{nb-battery-cycles-b.cycles|min}}" in battery["text"]["en"]
    assert all("300" in battery["rendered"]["text"][lang] for lang in LANGUAGES)
    assert "{{" not in json.dumps([c["rendered"] for c in document["criteria"]])
    # and it imports again: "rendered" is derived, not read back
    again = exchange.framework_from_json(json.loads(json.dumps(document)))
    assert framework_criterion(again, BATTERY) == framework_criterion(framework_content, BATTERY)


def test_rendering_a_stored_text_with_a_dangling_reference_names_it() -> None:
    with pytest.raises(DanglingReference, match="x.y"):
        render_text("{{x.y|min}}", {}, "en")


# --- documents and exports -----------------------------------------------------------------------


def test_the_annex_docx_reopened_shows_a_changed_value_in_the_tender_language(framework_content) -> None:
    criterion = with_bound(
        framework_criterion(framework_content, BATTERY), f"{BATTERY}.cycles", "min_value", 437
    )
    changed = framework_content.model_copy(
        update={"criteria": [criterion if c.id == BATTERY else c for c in framework_content.criteria]}
    )
    for lang in LANGUAGES:
        spec = build_spec(changed, product_groups=["notebooks"], language=lang)

        text = docx_text(annex.render_docx(annex.build_annex(spec)))

        assert "{{" not in text and "}}" not in text, lang
        assert rendered_criterion(criterion).title[lang] in text, lang
        assert "437" in rendered_criterion(criterion).title[lang]


@pytest.fixture
def tender(procurer, framework: FrameworkVersion) -> Any:
    tender = tender_actions.create_tender(
        procurer.organisation,
        title="Servers and laptops",
        reference="REF-2027",
        language="de",
        acting_user=procurer.user,
    )
    for group in ("notebooks", "servers", "smartphones", "network-equipment", "data-centre-services"):
        tender_actions.add_lot(
            tender,
            product_group=group,
            quantity=10,
            ambitions={"carbon": "ambitious"},
            acting_user=procurer.user,
        )
    return tender


def test_no_tender_document_or_export_shows_a_reference(tender, client: Client, procurer) -> None:
    spec = tender_actions.tender_spec(tender)
    quoted = [c.criterion for lot in spec.lots for c in lot.criteria]
    assert quoted, "the tender has criteria"

    for name, fmt in FORMATS.items():
        data = fmt.render(spec)
        if name == "docx":
            text = docx_text(data)
        elif name == "xlsx-template":
            text = _xlsx_text(data)
        elif name == "odt":
            text = _odt_text(data)
        else:
            text = data.decode()
        assert "{{" not in text and "}}" not in text, name
    assert "{{" not in json.dumps(opendata.ocds_release_package(spec), ensure_ascii=False)
    # The eForms notice is among FORMATS above (XML).
    client.force_login(procurer.user)
    for page in ("", "review/"):
        response = client.get(f"/tenders/{tender.pk}/{page}")
        assert response.status_code == 200 and b"{{" not in response.content, page


def _xlsx_text(data: bytes) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )


def _odt_text(data: bytes) -> str:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("content.xml").decode()


# --- pages ---------------------------------------------------------------------------------------


def test_no_library_or_criterion_page_shows_a_reference(client: Client, framework: FrameworkVersion) -> None:
    codes = list(framework.criteria.values_list("code", flat=True))
    for number, code in enumerate(codes):
        lang = LANGUAGES[number % len(LANGUAGES)]  # every criterion once, the languages in turn
        response = client.get(f"/criteria/{code}/", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200 and b"{{" not in response.content, (code, lang)
    for lang in LANGUAGES:
        for page in range(1, len(codes) // 25 + 2):
            response = client.get("/criteria/", {"page": page}, HTTP_ACCEPT_LANGUAGE=lang)
            assert b"{{" not in response.content, (lang, page)
        body = client.get(f"/api/v1/versions/{framework.code}/export", {"lang": lang}).json()
        assert "{{" not in json.dumps([c["rendered"] for c in body["criteria"]])
        api = client.get("/api/v1/criteria", {"lang": lang, "per_page": 500}).json()
        assert "{{" not in json.dumps(api, ensure_ascii=False), lang
    for group in ("notebooks", "servers"):
        assert b"{{" not in client.get(f"/criteria/compare/{group}/").content


def test_the_change_log_shows_texts_and_a_changed_threshold_rendered(
    client: Client, framework: FrameworkVersion, secretary
) -> None:
    draft = actions.create_draft(framework)
    criterion = draft.criteria.get(code=BATTERY)
    requirement = criterion.requirements.get()
    data = _edit_data(criterion)
    data["text_en"] = criterion.text["en"] + " Tested yearly."
    data[f"{requirement.pk}_min_value"] = 450.0

    actions.update_criterion_texts(criterion, data, acting_user=secretary.user)

    client.force_login(secretary.user)
    page = client.get(f"/criteria/versions/{draft.code}/").content.decode()
    assert "{{" not in page and "after 450 full charge cycles" in page
    assert "{{" not in "\n".join(actions.field_changes_text(draft))
    criterion = Criterion.objects.get(pk=criterion.pk)
    assert [criterion.rendered("title", lang).count("450") for lang in LANGUAGES] == [1] * 5


def _edit_data(criterion: Criterion) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}_{lang}": getattr(criterion, field).get(lang, "")
        for field, prefix in (
            ("title", "title"),
            ("text", "text"),
            ("rationale", "rationale"),
            ("verification_documents", "verification"),
        )
        for lang in LANGUAGES
    }
    for requirement in criterion.requirements.all():
        for bound in ("min_value", "max_value"):
            data[f"{requirement.pk}_{bound}"] = getattr(requirement, bound)
    return data


def test_the_edit_form_refuses_a_dangling_reference(framework: FrameworkVersion, secretary) -> None:
    draft = actions.create_draft(framework)
    criterion = draft.criteria.get(code=BATTERY)
    data = _edit_data(criterion)
    data["text_nl"] = "Ten minste {{nb-battery-cycles-b.laadcycli|min}} laadcycli."

    with pytest.raises(ValidationError, match=r"text \(nl\)"):
        actions.update_criterion_texts(criterion, data, acting_user=secretary.user)

    criterion.refresh_from_db()
    assert "laadcycli|min" not in criterion.text["nl"]


def test_a_requirement_title_takes_no_reference(framework_content) -> None:
    data = framework_criterion(framework_content, BATTERY).model_dump(mode="json")
    data["requirements"][0]["title"]["fr"] = "Cycles {{nb-battery-cycles-b.cycles|min}}"

    with pytest.raises(ValidationError, match=r"requirement title \(fr\)"):
        content.Criterion.model_validate(data)
