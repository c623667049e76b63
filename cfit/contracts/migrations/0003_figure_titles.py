"""The figures of measured requirements keep the requirement's title in every language (``titles``):
pages showed their internal key ("ws-smelters-rmap-b.share (%)") as the label."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def add_titles(apps: Any, schema_editor: Any) -> None:
    Obligation = apps.get_model("contracts", "Obligation")
    Requirement = apps.get_model("criteria", "Requirement")
    for obligation in Obligation.objects.exclude(figures=[]).select_related("contract_criterion").iterator():
        changed = False
        figures = []
        for field in obligation.figures:
            if isinstance(field, dict) and "titles" not in field:
                requirement = Requirement.objects.filter(
                    criterion_id=obligation.contract_criterion.criterion_id, code=field.get("key", "")
                ).first()
                if requirement is not None and isinstance(requirement.title, dict) and requirement.title:
                    field = {**field, "titles": requirement.title, "label": requirement.title.get("en") or field.get("label", "")}
                    changed = True
            figures.append(field)
        if changed:
            obligation.figures = figures
            obligation.save(update_fields=["figures"])


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0002_findings_and_corrective_actions"),
        ("criteria", "0005_review_workflow"),
    ]

    operations = [migrations.RunPython(add_titles, migrations.RunPython.noop)]
