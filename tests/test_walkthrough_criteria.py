"""Walking the criteria framework as the secretariat edits and publishes it, and as buyers read it.

Each test is a problem found on the walk: the secretariat typing a threshold in its own language, a
threshold below the legal floor the framework itself cites, a draft below a floor reaching review.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from cfit.accounts.models import Membership, Organisation
from cfit.criteria import actions
from cfit.criteria.models import Criterion, FieldChange, FrameworkVersion, Requirement
from tests.conftest import make_persona
from tests.test_translation_state import edit_data

#: Smartphones' spare parts: Commission Regulation (EU) 2023/1670 asks 7 years from 20 June 2025, and
#: the framework's requirement cites it as its legal floor.
CRITERION = "mob-spare-parts-b"
REQUIREMENT = "mob-spare-parts-b.years"


@pytest.fixture
def draft(framework: FrameworkVersion, secretary: Any) -> FrameworkVersion:
    return actions.create_draft(framework, acting_user=secretary.user)


def _form(client: Client, draft: FrameworkVersion, language: str) -> tuple[str, dict[str, str]]:
    """The edit form's fields as the page fills them in (the secretariat changes one and saves)."""
    criterion = Criterion.objects.get(version=draft, code=CRITERION)
    requirement = criterion.requirements.get(code=REQUIREMENT)
    url = f"/criteria/versions/{draft.code}/edit/{CRITERION}/"
    form = client.get(url, HTTP_ACCEPT_LANGUAGE=language).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else str(value) for name, value in data.items()}
    return url, {**data, "_requirement": str(requirement.pk)}


def test_a_threshold_below_the_legal_floor_it_cites_is_refused_on_the_edit_page(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    url, data = _form(client, draft, "de")
    data[f"{data.pop('_requirement')}_min_value"] = "5"

    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    page = response.content.decode()
    assert "2023/1670" in page and "Annex II" in page
    assert Requirement.objects.get(criterion__version=draft, code=REQUIREMENT).min_value == 7
    assert not FieldChange.objects.filter(version=draft).exists()


def test_a_threshold_typed_with_the_languages_decimal_mark_is_read_as_written(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    url, data = _form(client, draft, "nl")
    data[f"{data.pop('_requirement')}_min_value"] = "8,0"  # the Dutch decimal mark

    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Requirement.objects.get(criterion__version=draft, code=REQUIREMENT).min_value == 8


def test_an_edited_workbook_with_a_threshold_below_its_legal_floor_is_refused_by_row_and_column(
    framework: FrameworkVersion, tmp_path: Any
) -> None:
    exported = tmp_path / "criteria.xlsx"
    call_command("criteria", "export", "--format", "xlsx", "-o", str(exported))
    book = openpyxl.load_workbook(exported)
    sheet = book["Criteria"]
    header = [cell.value for cell in sheet[1]]
    row = next(
        r for r in sheet.iter_rows(min_row=2) if r[header.index("requirement_id")].value == REQUIREMENT
    )
    row[header.index("min_value")].value = 5  # a translator's slip: the law asks 7 years
    row[header.index("title_nl")].value = "Reserveonderdelen voor smartphones"  # and a fair edit
    book.save(exported)
    versions = FrameworkVersion.objects.count()

    with pytest.raises(CommandError) as refused:
        call_command("criteria", "import", str(exported))

    message = str(refused.value)
    assert f"sheet Criteria, row {row[0].row} ({CRITERION}), min_value" in message
    assert "2023/1670" in message
    assert FrameworkVersion.objects.count() == versions  # all or nothing: no draft with the rest


def test_a_version_below_a_floor_that_came_into_force_during_review_is_not_published(
    framework: FrameworkVersion, draft: FrameworkVersion, secretary: Any, monkeypatch: Any
) -> None:
    # The Cyber Resilience Act asks 5 years of security updates from 11 December 2027 (Art. 13(8));
    # a year before, the secretariat may still ask 3.
    reviewer = make_persona("rita", "pact-secretariat", Organisation.Type.SECRETARIAT, Membership.Role.ADMIN)
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2027, 6, 1))
    criterion = Criterion.objects.get(version=draft, code="dock-firmware-b")
    data = edit_data(criterion)
    requirement = criterion.requirements.get(code="dock-firmware-b.update-years")
    data[f"{requirement.pk}_min_value"] = 3.0
    actions.update_criterion_texts(criterion, data, acting_user=secretary.user)
    actions.submit_for_review(draft, acting_user=secretary.user, code="2099.1", release_notes="Docks.")
    actions.approve_version(draft, acting_user=reviewer.user, accept_unreviewed="Texts unchanged.")
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2027, 12, 12))

    with pytest.raises(actions.ReviewError, match="Regulation \\(EU\\) 2024/2847"):
        actions.publish_version(draft, acting_user=reviewer.user)

    assert not FrameworkVersion.objects.get(pk=draft.pk).is_published


def test_the_compare_page_says_which_thresholds_restate_a_legal_floor(
    client: Client, framework: FrameworkVersion
) -> None:
    page = client.get("/criteria/compare/smartphones/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    # the spare parts' 7 years are the law's (Regulation (EU) 2023/1670), not the pact's ambition
    assert "Annex II, points B and D, 1.1(1)(a)" in page
    assert "20 juin 2025" in page


def test_an_import_says_which_criteria_a_deleted_row_removes(
    framework: FrameworkVersion, tmp_path: Any
) -> None:
    exported = tmp_path / "criteria.csv"
    call_command("criteria", "export", "--format", "csv", "-o", str(exported))
    lines = exported.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{CRITERION},")]
    assert len(kept) == len(lines) - 1
    exported.write_text("".join(kept), encoding="utf-8")
    out = io.StringIO()

    call_command("criteria", "import", str(exported), stdout=out)

    assert f"removed 1: {CRITERION}" in out.getvalue()


def test_the_edit_page_shows_each_thresholds_unit_and_legal_floor_beside_its_field(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)

    page = client.get(f"/criteria/versions/{draft.code}/edit/{CRITERION}/").content.decode()

    assert "Spare parts after end of placing on the market: minimum (years)" in page
    assert "Required by law from 20 June 2025: ≥ 7 years (Commission Regulation (EU) 2023/1670" in page


def test_the_other_levels_of_a_topic_are_those_of_the_same_product_group(
    client: Client, framework: FrameworkVersion
) -> None:
    # "warranty" is a topic of monitors (mon-warranty-*) and of notebooks and desktops (pc-warranty-*)
    page = client.get("/criteria/mon-warranty-b/").content.decode()

    panel = page.split("Other levels of this topic", 1)[1].split("</section>", 1)[0]
    assert 'href="/criteria/mon-warranty-a/"' in panel
    assert "pc-warranty" not in panel


def test_the_edit_page_names_the_field_a_broken_rule_is_about_in_the_users_language(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    url, data = _form(client, draft, "de")
    requirement = data.pop("_requirement")
    data[f"{requirement}_min_value"] = "7"  # as the law asks
    data[f"{requirement}_max_value"] = "3"  # below the minimum
    data["text_de"] += " {{mob-spare-parts-b.years|max}}"  # and a reference to a bound it does not have

    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    form = response.context["form"]
    errors = form.non_field_errors()
    assert errors == [
        f"{form.fields[f'{requirement}_min_value'].label}: das Minimum ist größer als das Maximum"
    ]
    assert (
        "requirements.0" not in response.content.decode() and "Value error" not in response.content.decode()
    )
    data[f"{requirement}_max_value"] = ""

    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")

    form = response.context["form"]
    assert form.non_field_errors() == [
        f"{form.fields['text_de'].label}: {{{{mob-spare-parts-b.years|max}}}}: Die Anforderung hat kein Maximum"
    ]


def test_the_secretariat_is_warned_of_a_legal_floor_coming_into_force_within_a_year(
    client: Client, draft: FrameworkVersion, secretary: Any, monkeypatch: Any
) -> None:
    # Half a year before the Cyber Resilience Act asks 5 years of security updates (Art. 13(8), from
    # 11 December 2027), a draft asking 3 is still allowed: the secretariat is told while it can act.
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2027, 6, 1))
    criterion = Criterion.objects.get(version=draft, code="dock-firmware-b")
    data = edit_data(criterion)
    requirement = criterion.requirements.get(code="dock-firmware-b.update-years")
    data[f"{requirement.pk}_min_value"] = 3.0
    actions.update_criterion_texts(criterion, data, acting_user=secretary.user)
    client.force_login(secretary.user)

    pages = [
        client.get(f"/criteria/versions/{draft.code}/").content.decode(),
        client.get(f"/criteria/versions/{draft.code}/edit/dock-firmware-b/").content.decode(),
    ]

    for page in pages:
        warning = page.split('id="coming-floors"', 1)[1].split("</section>", 1)[0]
        assert "dock-firmware-b.update-years" in warning
        assert "asks ≥ 3 years; from 11 December 2027, Regulation (EU) 2024/2847" in warning
        assert "Article 13(8) asks ≥ 5 years" in warning
    published = client.get(f"/criteria/versions/{draft.based_on.code}/").content.decode()
    assert 'id="coming-floors"' not in published  # the published version asks 5 years already
