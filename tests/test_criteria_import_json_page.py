"""The import page takes what `cfit criteria export --format json` writes, and the framework's YAML.

Sam (secretariat) exports the draft as JSON for an integrator, who raises one threshold; a Dutch
colleague sends a framework YAML file with a French text edited. The page shows the same preview as for
a workbook and imports only on confirmation. A file that also renames a label (shared by every version,
published ones too) or asks less than the law is refused whole, each problem named by place and field.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from cfit.criteria import actions
from cfit.criteria.models import Criterion, FieldChange, FrameworkVersion, Label

#: Smartphones' spare parts: 7 years, the floor of Commission Regulation (EU) 2023/1670.
CRITERION = "mob-spare-parts-b"
REQUIREMENT = "mob-spare-parts-b.years"


@pytest.fixture
def draft(framework: FrameworkVersion, secretary: Any) -> FrameworkVersion:
    return actions.create_draft(framework, acting_user=secretary.user)


def _exported(draft: FrameworkVersion, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "criteria.json"
    call_command("criteria", "export", "--format", "json", "--version", draft.code, "-o", str(path))
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _requirement(document: dict[str, Any]) -> dict[str, Any]:
    criterion = next(c for c in document["criteria"] if c["id"] == CRITERION)
    found: dict[str, Any] = next(r for r in criterion["requirements"] if r["id"] == REQUIREMENT)
    return found


def _upload(client: Client, draft: FrameworkVersion, data: bytes, name: str, **extra: Any) -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"/criteria/versions/{draft.code}/import/", {"file": upload}, **extra)


def test_the_json_export_with_a_raised_threshold_is_previewed_then_imported(
    client: Client, draft: FrameworkVersion, secretary: Any, tmp_path: Path
) -> None:
    client.force_login(secretary.user)
    document = _exported(draft, tmp_path)
    _requirement(document)["minValue"] = 8

    checked = _upload(client, draft, json.dumps(document).encode(), "criteria.json")

    assert checked.context["problems"] == []
    plan = checked.context["plan"]
    assert (plan.added, plan.removed, sorted(plan.changed)) == ([], [], [CRITERION])
    assert (f"{REQUIREMENT}.min_value", "", "7.0", "8.0") in dict(checked.context["changes"])[CRITERION]
    assert not FieldChange.objects.filter(version=draft).exists()

    response = client.post(f"/criteria/versions/{draft.code}/import/", {"confirm": checked.context["token"]})

    assert response.status_code == 302
    assert (
        Criterion.objects.get(version=draft, code=CRITERION).requirements.get(code=REQUIREMENT).min_value == 8
    )
    assert FieldChange.objects.get(version=draft, field=f"{REQUIREMENT}.min_value").after == 8


def test_the_unchanged_json_export_changes_nothing(
    client: Client, draft: FrameworkVersion, secretary: Any, tmp_path: Path
) -> None:
    client.force_login(secretary.user)

    checked = _upload(client, draft, json.dumps(_exported(draft, tmp_path)).encode(), "criteria.json")

    assert checked.context["problems"] == [] and checked.context["plan"].is_empty


def test_a_json_file_renaming_a_label_or_below_the_law_is_refused_whole_by_place_and_field(
    client: Client, draft: FrameworkVersion, secretary: Any, tmp_path: Path
) -> None:
    client.force_login(secretary.user)
    document = _exported(draft, tmp_path)
    index, label = next((i, x) for i, x in enumerate(document["labels"]))
    name = label["name"]
    label["name"] = "Renamed by an integrator"
    document["labels"].append({"id": "new-label", "name": "New", "issuer": "Someone", "url": ""})
    _requirement(document)["minValue"] = 5  # the law asks 7 years
    position = next(i for i, c in enumerate(document["criteria"]) if c["id"] == CRITERION)

    response = _upload(
        client, draft, json.dumps(document).encode(), "criteria.json", HTTP_ACCEPT_LANGUAGE="nl"
    )

    assert response.status_code == 200 and response.context["plan"] is None
    problems = response.context["problems"]
    assert any(p.startswith(f"criteria.json: labels[{index}] ({label['id']}), name: ") for p in problems)
    new = len(document["labels"]) - 1
    assert any(p.startswith(f"criteria.json: labels[{new}] (new-label), id: ") for p in problems)
    below = [p for p in problems if p.startswith(f"criteria.json: criteria[{position}] ({CRITERION}), ")]
    assert below and "2023/1670" in below[0] and "20 juni 2025" in below[0], problems
    assert Label.objects.get(code=label["id"]).name == name
    assert not Label.objects.filter(code="new-label").exists()
    assert (
        Criterion.objects.get(version=draft, code=CRITERION).requirements.get(code=REQUIREMENT).min_value == 7
    )


def test_a_framework_yaml_file_with_a_french_text_edited_is_previewed_then_imported(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    framework = actions.version_to_content(draft)
    criteria = [c.model_dump(mode="json", exclude_defaults=True) for c in framework.criteria]
    edited = next(c for c in criteria if c["id"] == CRITERION)
    edited["rationale"]["fr"] = "Des pièces détachées pendant sept ans."
    data = yaml.safe_dump({"criteria": criteria}, allow_unicode=True).encode()

    checked = _upload(client, draft, data, "criteria-monitors-mobile.yaml")

    assert checked.context["problems"] == []
    assert sorted(checked.context["plan"].changed) == [CRITERION]
    client.post(f"/criteria/versions/{draft.code}/import/", {"confirm": checked.context["token"]})
    assert (
        Criterion.objects.get(version=draft, code=CRITERION).rationale["fr"]
        == "Des pièces détachées pendant sept ans."
    )


def test_a_yaml_file_below_the_law_is_refused_as_a_json_one_is(
    client: Client, draft: FrameworkVersion, secretary: Any
) -> None:
    client.force_login(secretary.user)
    criteria = [c.model_dump(mode="json") for c in actions.version_to_content(draft).criteria]
    edited = next(c for c in criteria if c["id"] == CRITERION)
    next(r for r in edited["requirements"] if r["id"] == REQUIREMENT)["min_value"] = 5

    checked = _upload(client, draft, yaml.safe_dump({"criteria": criteria}).encode(), "criteria.yaml")

    assert checked.context["plan"] is None
    assert any(f"({CRITERION})" in p and "2023/1670" in p for p in checked.context["problems"])
