"""The secretariat loads an edited criteria workbook into a draft from its page, as Sam would.

Sam (secretariat) exports the draft, a translator edits the Dutch title and a threshold, a row is lost
on the way; the page shows what the file would change, field by field, before anything is saved, and
imports it only on confirmation, recording each change as an edit on the form would.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from cfit.audit.models import AuditRecord
from cfit.criteria import actions, exchange
from cfit.criteria.models import Criterion, FieldChange, FieldTranslation, FrameworkVersion, VersionEvent

#: Smartphones' spare parts: 7 years, the floor of Commission Regulation (EU) 2023/1670.
CRITERION = "mob-spare-parts-b"
REQUIREMENT = "mob-spare-parts-b.years"
#: A criterion the translator's copy lost a row of.
LOST = "mon-warranty-a"


@pytest.fixture
def draft(framework: FrameworkVersion, secretary: Any) -> FrameworkVersion:
    return actions.create_draft(framework, acting_user=secretary.user)


def _workbook(version: FrameworkVersion, edit: Any) -> bytes:
    """The version exported as the exchange workbook, with ``edit(header, rows)`` applied to it."""
    framework = actions.version_to_content(version)
    data = exchange.rows_to_xlsx(exchange.framework_to_rows(framework), version=version.code, about=[])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Criteria"]
    header = [cell.value for cell in sheet[1]]
    edit(sheet, header)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _translators_edit(sheet: Any, header: list[str]) -> None:
    for row in list(sheet.iter_rows(min_row=2)):
        code = row[header.index("criterion_id")].value
        if code == CRITERION:
            row[header.index("title_nl")].value = "Reserveonderdelen voor smartphones en tablets"
            row[header.index("min_value")].value = 8
    lost = [r[0].row for r in sheet.iter_rows(min_row=2) if r[header.index("criterion_id")].value == LOST]
    for number in reversed(lost):
        sheet.delete_rows(number)


def _upload(client: Client, draft: FrameworkVersion, data: bytes, name: str = "criteria.xlsx", **extra: Any):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"/criteria/versions/{draft.code}/import/", {"file": upload}, **extra)


def test_the_import_page_shows_what_a_file_changes_field_by_field_and_saves_nothing_yet(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    version_page = client.get(f"/criteria/versions/{draft.code}/").content.decode()
    assert f'href="/criteria/versions/{draft.code}/import/"' in version_page

    response = _upload(client, draft, _workbook(draft, _translators_edit))

    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.removed == [LOST] and plan.added == []
    assert sorted(plan.changed) == [CRITERION]
    rows = dict(response.context["changes"])[CRITERION]
    assert ("title", "nl", draft.criteria.get(code=CRITERION).title["nl"], "Reserveonderdelen voor smartphones en tablets") in rows  # fmt: skip
    assert (f"{REQUIREMENT}.min_value", "", "7.0", "8.0") in rows
    page = response.content.decode()
    assert "Reserveonderdelen voor smartphones en tablets" in page and 'name="confirm"' in page
    assert Criterion.objects.filter(version=draft, code=LOST).exists()
    assert not FieldChange.objects.filter(version=draft).exists()


def test_a_confirmed_import_records_each_change_and_marks_the_other_languages_for_review(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    response = _upload(client, draft, _workbook(draft, _translators_edit))

    response = client.post(f"/criteria/versions/{draft.code}/import/", {"confirm": response.context["token"]})

    assert response.status_code == 302
    assert not Criterion.objects.filter(version=draft, code=LOST).exists()
    criterion = Criterion.objects.get(version=draft, code=CRITERION)
    assert criterion.title["nl"] == "Reserveonderdelen voor smartphones en tablets"
    assert criterion.requirements.get(code=REQUIREMENT).min_value == 8
    changes = {(c.field, c.language): c for c in FieldChange.objects.filter(version=draft)}
    assert changes[("title", "nl")].changed_by == secretary.user
    assert changes[(f"{REQUIREMENT}.min_value", "")].after == 8
    waiting = set(
        FieldTranslation.objects.filter(version=draft, criterion_code=CRITERION, field="title")
        .needing_review()
        .values_list("language", flat=True)
    )
    assert waiting == {"en", "fr", "de", "nb"}  # the Dutch title is their new source
    assert VersionEvent.objects.filter(version=draft, kind=VersionEvent.Kind.IMPORTED).exists()
    record = AuditRecord.objects.get(action=AuditRecord.Action.VERSION_IMPORTED)
    assert record.actor == secretary.user and record.after["removed"] == [LOST]


def test_a_bad_workbook_is_refused_by_sheet_row_and_column_in_the_users_language_and_changes_nothing(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    def below_the_law(sheet: Any, header: list[str]) -> None:
        for row in sheet.iter_rows(min_row=2):
            if row[header.index("requirement_id")].value == REQUIREMENT:
                row[header.index("min_value")].value = 5  # the law asks 7 years
                below_the_law.row = row[0].row  # type: ignore[attr-defined]

    client.force_login(secretary.user)

    response = _upload(client, draft, _workbook(draft, below_the_law), HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 200 and response.context["plan"] is None
    problems = response.context["problems"]
    row = below_the_law.row  # type: ignore[attr-defined]
    assert any(p.startswith(f"criteria.xlsx: werkblad Criteria, rij {row} ({CRITERION}), min_value") for p in problems), problems  # fmt: skip
    assert "2023/1670" in " ".join(problems) and "20 juni 2025" in " ".join(problems)
    assert "confirm" not in response.content.decode()
    assert (
        Criterion.objects.get(version=draft, code=CRITERION).requirements.get(code=REQUIREMENT).min_value == 7
    )


def test_the_import_page_takes_only_the_exchange_formats(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)

    response = _upload(client, draft, b"criterion_id\n", name="criteria.txt")

    assert response.context["problems"] == [
        "criteria.txt: file: send the criteria workbook (.xlsx), its CSV form, the JSON export or a YAML file"
    ]


def test_only_the_secretariat_imports_and_only_into_a_draft(
    client: Client, framework: FrameworkVersion, draft: FrameworkVersion, secretary: Any, procurer: Any
) -> None:
    client.force_login(procurer.user)
    assert client.get(f"/criteria/versions/{draft.code}/import/").status_code == 404
    client.force_login(secretary.user)
    assert client.get(f"/criteria/versions/{framework.code}/import/").status_code == 404
    assert client.get(f"/criteria/versions/{draft.code}/import/").status_code == 200


def test_a_confirmation_after_the_draft_changed_is_refused(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    token = _upload(client, draft, _workbook(draft, _translators_edit)).context["token"]
    Criterion.objects.filter(version=draft, code=CRITERION).update(title={"en": "x", "nl": "x", "fr": "x", "de": "x", "nb": "x"})  # fmt: skip

    response = client.post(f"/criteria/versions/{draft.code}/import/", {"confirm": token}, follow=True)

    assert "The draft changed since the file was checked" in response.content.decode()
    assert Criterion.objects.filter(version=draft, code=LOST).exists()


def test_the_import_command_records_a_changed_translation_as_the_edit_form_does(
    framework: FrameworkVersion, tmp_path: Any
) -> None:
    path = tmp_path / "criteria.xlsx"
    path.write_bytes(_workbook(framework, _translators_edit))

    call_command("criteria", "import", str(path), stdout=io.StringIO())

    draft = FrameworkVersion.objects.exclude(pk=framework.pk).get()
    assert FieldChange.objects.filter(
        version=draft, criterion_code=CRITERION, field="title", language="nl"
    ).exists()
    assert set(
        FieldTranslation.objects.filter(version=draft, criterion_code=CRITERION, field="title")
        .needing_review()
        .values_list("language", flat=True)
    ) == {"en", "fr", "de", "nb"}


def test_the_draft_downloaded_as_xlsx_and_imported_unchanged_changes_nothing(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    version_page = client.get(f"/criteria/versions/{draft.code}/").content.decode()
    assert f'href="/criteria/versions/{draft.code}/criteria.xlsx"' in version_page
    download = client.get(f"/criteria/versions/{draft.code}/criteria.xlsx")

    response = _upload(client, draft, download.content, name=f"criteria-{draft.code}.xlsx")

    assert response.context["problems"] == [] and response.context["plan"].is_empty
    assert "importing it changes nothing" in response.content.decode()
