"""Operations that change several parts of the framework at once, one transaction each."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from cfit.criteria import content
from cfit.criteria.models import (
    Criterion,
    FrameworkVersion,
    Label,
    ProductGroup,
    Requirement,
    StrategyTag,
)


class FrameworkError(Exception):
    """Raised if a framework operation cannot be done as asked; the message says why."""


def fingerprint(framework: content.Framework) -> str:
    """A hash of the content (not of the version code), so that loading the same files twice is a no-op."""
    payload = framework.model_dump(mode="json", exclude={"version"})
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------------
# content.Framework <-> database
# ---------------------------------------------------------------------------


def sync_reference_lists(framework: content.Framework) -> None:
    """Create or update product groups, labels and strategies (shared by all versions)."""
    for position, group in enumerate(framework.product_groups):
        ProductGroup.objects.update_or_create(
            code=group.id,
            defaults={
                "kind": group.kind.value,
                "cpv": group.cpv,
                "name": group.name,
                "description": group.description,
                "position": position,
            },
        )
    for label in framework.labels:
        Label.objects.update_or_create(
            code=label.id, defaults={"name": label.name, "issuer": label.issuer, "url": label.url}
        )
    for strategy in content.Strategy:
        StrategyTag.objects.get_or_create(code=strategy.value)


def _write_criteria(version: FrameworkVersion, criteria: list[content.Criterion]) -> None:
    groups = {g.code: g for g in ProductGroup.objects.all()}
    labels = {label.code: label for label in Label.objects.all()}
    strategies = {s.code: s for s in StrategyTag.objects.all()}
    for position, item in enumerate(criteria):
        criterion = Criterion.objects.create(
            version=version,
            code=item.id,
            topic=item.topic,
            position=position,
            impact_category=item.impact_category.value,
            lifecycle_stage=item.lifecycle_stage.value,
            type=item.type.value,
            ambition=item.ambition.value,
            title=item.title,
            text=item.text,
            rationale=item.rationale,
            verification_documents=item.verification.documents,
            sources=[source.model_dump() for source in item.sources],
            threshold_origin=item.threshold_origin.value,
        )
        criterion.product_groups.set([groups[code] for code in item.product_groups])
        criterion.strategies.set([strategies[s.value] for s in item.strategies])
        criterion.verification_labels.set([labels[code] for code in item.verification.labels])
        for req_position, req in enumerate(item.requirements):
            requirement = Requirement.objects.create(
                criterion=criterion,
                code=req.id,
                position=req_position,
                group=req.group,
                title=req.title,
                data_type=req.data_type.value,
                expected_value=req.expected_value,
                min_value=req.min_value,
                max_value=req.max_value,
                options=req.options,
                allowed=req.allowed,
                unit=req.unit,
                better=req.better.value if req.better else "",
                scoring=req.scoring.model_dump(mode="json", exclude_defaults=True) if req.scoring else None,
                legal_floors=[f.model_dump(mode="json", exclude_defaults=True) for f in req.legal_floors],
            )
            requirement.satisfied_by_labels.set([labels[code] for code in req.satisfied_by_labels])


def version_to_content(version: FrameworkVersion) -> content.Framework:
    """The whole version as the content schema: the one source for every export format."""
    criteria = []
    for criterion in Criterion.objects.in_version(version).with_related():
        criteria.append(
            content.Criterion(
                id=criterion.code,
                topic=criterion.topic,
                product_groups=[g.code for g in criterion.product_groups.all()],
                impact_category=criterion.impact_category,
                lifecycle_stage=criterion.lifecycle_stage,
                strategies=[s.code for s in criterion.strategies.all()],
                type=criterion.type,
                ambition=criterion.ambition,
                title=criterion.title,
                text=criterion.text,
                rationale=criterion.rationale,
                verification=content.Verification(
                    labels=[label.code for label in criterion.verification_labels.all()],
                    documents=criterion.verification_documents,
                ),
                sources=[content.Source(**source) for source in criterion.sources],
                threshold_origin=criterion.threshold_origin,
                requirements=[
                    r.as_content(labels=[label.code for label in r.satisfied_by_labels.all()])
                    for r in criterion.requirements.all()
                ],
            )
        )
    return content.Framework(
        version=version.code,
        product_groups=[
            content.ProductGroup(id=g.code, kind=g.kind, cpv=g.cpv, name=g.name, description=g.description)
            for g in ProductGroup.objects.all()
        ],
        labels=[
            content.Label(id=x.code, name=x.name, issuer=x.issuer, url=x.url) for x in Label.objects.all()
        ],
        criteria=criteria,
    )


# ---------------------------------------------------------------------------
# Loading, drafting and publishing
# ---------------------------------------------------------------------------


@transaction.atomic
def load_framework(
    framework: content.Framework, *, publish: bool = True, user: Any = None
) -> tuple[FrameworkVersion, bool]:
    """Load reviewed framework files as the version they name. Idempotent.

    Returns ``(version, changed)``. The same content again changes nothing. New content under a
    version code that is already published is refused: published versions never change.
    """
    digest = fingerprint(framework)
    existing = FrameworkVersion.objects.filter(code=framework.version).first()
    if existing is not None:
        if existing.fingerprint == digest:
            if publish and not existing.is_published:
                return publish_version(existing, user=user), True
            return existing, False
        if existing.is_published:
            raise FrameworkError(
                f"version {framework.version} is published and the files differ from it: "
                "give the files a new version in framework.yaml"
            )
        existing.criteria.all().delete()
        version = existing
    else:
        version = FrameworkVersion.objects.create(
            code=framework.version,
            based_on=FrameworkVersion.objects.latest_published(),
            note="Loaded from the framework files.",
        )
    sync_reference_lists(framework)
    _write_criteria(version, framework.criteria)
    version.fingerprint = digest
    version.save(update_fields=["fingerprint"])
    if publish:
        version = publish_version(version, user=user)
    return version, True


@transaction.atomic
def import_as_draft(
    framework: content.Framework, *, code: str | None = None, note: str = ""
) -> FrameworkVersion:
    """Store an edited framework (from an export) as a new draft version, never touching published ones."""
    base = FrameworkVersion.objects.latest_published()
    code = code or next_draft_code(base.code if base else framework.version)
    if FrameworkVersion.objects.filter(code=code).exists():
        raise FrameworkError(f"a version {code} already exists")
    sync_reference_lists(framework)
    version = FrameworkVersion.objects.create(
        code=code, based_on=base, note=note or "Imported from a file.", fingerprint=fingerprint(framework)
    )
    _write_criteria(version, framework.criteria)
    return version


def next_draft_code(base_code: str) -> str:
    n = 1
    while FrameworkVersion.objects.filter(code=f"{base_code}-draft{n}").exists():
        n += 1
    return f"{base_code}-draft{n}"


@transaction.atomic
def create_draft(base: FrameworkVersion, *, code: str | None = None) -> FrameworkVersion:
    """A new draft holding a copy of ``base``'s criteria, for editing."""
    framework = version_to_content(base)
    version = FrameworkVersion.objects.create(
        code=code or next_draft_code(base.code), based_on=base, note=f"Draft based on {base.code}."
    )
    _write_criteria(version, framework.criteria)
    version.fingerprint = fingerprint(framework)
    version.save(update_fields=["fingerprint"])
    return version


@transaction.atomic
def publish_version(version: FrameworkVersion, *, user: Any = None) -> FrameworkVersion:
    """Publish a draft: it is frozen from now on, with a change log against the last published version."""
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    version.check_editable()
    previous = FrameworkVersion.objects.latest_published()
    version.changelog = changelog_text(previous, version)
    version.status = FrameworkVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user if user is not None and user.is_authenticated else None
    version.save(update_fields=["changelog", "status", "published_at", "published_by"])
    return version


def update_criterion_texts(criterion: Criterion, data: dict[str, Any]) -> None:
    """Apply the edit form of a draft criterion: texts in every language and numeric thresholds.

    The whole criterion is validated against the content schema before anything is saved.
    """
    criterion.version.check_editable()
    texts = {
        field: {lang: data[f"{prefix}_{lang}"].strip() for lang in content.LANGUAGES}
        for field, prefix in (
            ("title", "title"),
            ("text", "text"),
            ("rationale", "rationale"),
            ("verification_documents", "verification"),
        )
    }
    requirements = list(criterion.requirements.all())
    for requirement in requirements:
        for bound in ("min_value", "max_value"):
            key = f"{requirement.pk}_{bound}"
            if key in data:
                setattr(requirement, bound, data[key])
    for field, value in texts.items():
        setattr(criterion, field, value)
    current = next(c for c in version_to_content(criterion.version).criteria if c.id == criterion.code)
    candidate = current.model_dump()
    candidate.update({k: v for k, v in texts.items() if k != "verification_documents"})
    candidate["verification"]["documents"] = texts["verification_documents"]
    for item, requirement in zip(candidate["requirements"], requirements, strict=True):
        item["min_value"], item["max_value"] = requirement.min_value, requirement.max_value
    content.Criterion.model_validate(candidate)  # raises pydantic.ValidationError on a broken edit
    criterion.save(update_fields=["title", "text", "rationale", "verification_documents"])
    for requirement in requirements:
        requirement.save(update_fields=["min_value", "max_value"])


# ---------------------------------------------------------------------------
# Change log
# ---------------------------------------------------------------------------


def compare_versions(old: FrameworkVersion | None, new: FrameworkVersion) -> dict[str, Any]:
    """Criteria added, removed and changed (with the changed fields) from ``old`` to ``new``."""
    new_items = {c.id: c for c in version_to_content(new).criteria}
    old_items = {c.id: c for c in version_to_content(old).criteria} if old else {}
    changed: dict[str, list[str]] = {}
    for code in sorted(set(new_items) & set(old_items)):
        before, after = old_items[code].model_dump(mode="json"), new_items[code].model_dump(mode="json")
        fields = [field for field in after if before.get(field) != after[field]]
        if fields:
            changed[code] = fields
    return {
        "added": sorted(set(new_items) - set(old_items)),
        "removed": sorted(set(old_items) - set(new_items)),
        "changed": changed,
    }


def changelog_text(old: FrameworkVersion | None, new: FrameworkVersion) -> str:
    diff = compare_versions(old, new)
    if old is None:
        return f"First published version: {len(diff['added'])} criteria."
    lines = [f"Changes since {old.code}:"]
    if diff["added"]:
        lines.append(f"Added ({len(diff['added'])}): " + ", ".join(diff["added"]))
    if diff["removed"]:
        lines.append(f"Removed ({len(diff['removed'])}): " + ", ".join(diff["removed"]))
    for code, fields in diff["changed"].items():
        lines.append(f"Changed {code}: " + ", ".join(fields))
    if len(lines) == 1:
        lines.append("No change to the criteria.")
    return "\n".join(lines)
