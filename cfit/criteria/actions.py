"""Operations that change several parts of the framework at once, one transaction each."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cfit.accounts.access import is_secretariat_staff
from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.criteria import content, translation
from cfit.criteria.models import (
    TEXT_FIELDS,
    Criterion,
    FieldChange,
    FieldTranslation,
    FrameworkVersion,
    Label,
    ProductGroup,
    Requirement,
    StrategyTag,
    VersionEvent,
    shown_changes,
)
from cfit.criteria.wording import number


class FrameworkError(Exception):
    """Raised if a framework operation cannot be done as asked; the message says why."""


class ReviewError(FrameworkError):
    """Raised if a step of the review workflow is refused; the message (translated) says why."""


def fingerprint(framework: content.Framework) -> str:
    """A hash of the content (not of the version code), so that loading the same files twice is a no-op."""
    payload = framework.model_dump(mode="json", exclude={"version"})
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------------
# content.Framework <-> database
# ---------------------------------------------------------------------------


def _update_or_create(model: Any, code: str, values: dict[str, Any]) -> None:
    """Create the row ``code`` of ``model`` or update it, saving only when a value differs: a list
    loaded again unchanged leaves its rows (and their ``updated`` time, which keys cached pages) alone."""
    row = model.objects.filter(code=code).first()
    if row is None:
        model.objects.create(code=code, **values)
    elif not all(_same(getattr(row, field), value) for field, value in values.items()):
        for field, value in values.items():
            setattr(row, field, value)
        row.save()


def sync_reference_lists(framework: content.Framework) -> None:
    """Create or update product groups, labels and strategies (shared by all versions)."""
    for position, group in enumerate(framework.product_groups):
        _update_or_create(
            ProductGroup,
            group.id,
            {
                "kind": group.kind.value,
                "cpv": group.cpv,
                "name": group.name,
                "description": group.description,
                "position": position,
            },
        )
    for label in framework.labels:
        _update_or_create(
            Label,
            label.id,
            {"name": label.name, "issuer": label.issuer, "url": label.url, "names": label.names},
        )
    for strategy in content.Strategy:
        StrategyTag.objects.get_or_create(code=strategy.value)


def _criterion_values(item: content.Criterion, position: int) -> dict[str, Any]:
    """A criterion of the content schema as the values of its row (without its links)."""
    return {
        "topic": item.topic,
        "position": position,
        "impact_category": item.impact_category.value,
        "lifecycle_stage": item.lifecycle_stage.value,
        "type": item.type.value,
        "ambition": item.ambition.value,
        "title": item.title,
        "text": item.text,
        "rationale": item.rationale,
        "verification_documents": item.verification.documents,
        "sources": [source.model_dump() for source in item.sources],
        "threshold_origin": item.threshold_origin.value,
    }


def _requirement_values(req: content.Requirement, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "group": req.group,
        "title": req.title,
        "data_type": req.data_type.value,
        "expected_value": req.expected_value,
        "min_value": req.min_value,
        "max_value": req.max_value,
        "options": req.options,
        "allowed": req.allowed,
        "unit": req.unit,
        "better": req.better.value if req.better else "",
        "scoring": req.scoring.model_dump(mode="json", exclude_defaults=True) if req.scoring else None,
        "legal_floors": [f.model_dump(mode="json", exclude_defaults=True) for f in req.legal_floors],
    }


def _same(stored: Any, value: Any) -> bool:
    """Equal as stored JSON: ``True`` is not ``1``, nor ``7`` a text "7"."""
    return json.dumps(stored, sort_keys=True, default=str) == json.dumps(value, sort_keys=True, default=str)


def _changed(row: Any, values: dict[str, Any]) -> list[str]:
    """The fields of ``row`` that ``values`` change, with the new values set on it."""
    fields = [field for field, value in values.items() if not _same(getattr(row, field), value)]
    for field in fields:
        setattr(row, field, values[field])
    return fields


def _write_criteria(
    version: FrameworkVersion, criteria: list[content.Criterion], only: set[str] | None = None
) -> None:
    """Make the criteria of ``version`` read as ``criteria``, at their positions in the list (``only``:
    these codes; the others only take their new position).

    A criterion or requirement already in the version is updated in place, found by its code (stable
    across versions and files): what points at its row (an organisation's shortlist, the audit trail,
    an edit form open on its requirements) keeps it. Only what ``criteria`` adds is created; removing
    what it leaves out is the caller's (``_remove_criteria``). A row is saved only if a value differs.
    """
    groups = {g.code: g for g in ProductGroup.objects.all()}
    labels = {label.code: label for label in Label.objects.all()}
    strategies = {s.code: s for s in StrategyTag.objects.all()}
    existing = {
        c.code: c
        for c in Criterion.objects.filter(version=version)
        .select_related("version")
        .prefetch_related("requirements")
    }
    for position, item in enumerate(criteria):
        criterion = existing.get(item.id)
        if only is not None and item.id not in only:
            if criterion is not None and criterion.position != position:
                criterion.position = position
                criterion.save(update_fields=["position"])
            continue
        values = _criterion_values(item, position)
        if criterion is None:
            criterion = Criterion.objects.create(version=version, code=item.id, **values)
            old_requirements: dict[str, Requirement] = {}
        else:
            fields = _changed(criterion, values)
            if fields:
                criterion.save(update_fields=fields)
            old_requirements = {r.code: r for r in criterion.requirements.all()}
        criterion.product_groups.set([groups[code] for code in item.product_groups])
        criterion.strategies.set([strategies[s.value] for s in item.strategies])
        criterion.verification_labels.set([labels[code] for code in item.verification.labels])
        kept = {req.id for req in item.requirements}
        gone = [r.pk for code, r in old_requirements.items() if code not in kept]
        if gone:
            Requirement.objects.filter(pk__in=gone).delete()
        for req_position, req in enumerate(item.requirements):
            req_values = _requirement_values(req, req_position)
            requirement = old_requirements.get(req.id)
            if requirement is None:
                requirement = Requirement.objects.create(criterion=criterion, code=req.id, **req_values)
            else:
                requirement.criterion = criterion  # its version, already read and locked
                fields = _changed(requirement, req_values)
                if fields:
                    requirement.save(update_fields=fields)
            requirement.satisfied_by_labels.set([labels[code] for code in req.satisfied_by_labels])


def _remove_criteria(version: FrameworkVersion, codes: list[str]) -> None:
    """Delete the criteria ``codes`` of ``version`` (a draft's), each checked as editable."""
    for criterion in Criterion.objects.filter(version=version, code__in=codes).select_related("version"):
        criterion.delete()


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
            content.ProductGroup(
                id=g.code,
                kind=content.ProductGroupKind(g.kind),
                cpv=g.cpv,
                name=g.name,
                description=g.description,
            )
            for g in ProductGroup.objects.all()
        ],
        labels=[
            content.Label(id=x.code, name=x.name, issuer=x.issuer, url=x.url, names=x.names)
            for x in Label.objects.all()
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
                return _publish_files(existing, user=user), True
            return existing, False
        if existing.is_published:
            raise FrameworkError(
                f"version {framework.version} is published and the files differ from it: "
                "give the files a new version in framework.yaml"
            )
        version = existing
        # Updated in place by code, as an import does: shortlists of the draft's criteria keep them.
        kept = {item.id for item in framework.criteria}
        _remove_criteria(
            version, [c for c in version.criteria.values_list("code", flat=True) if c not in kept]
        )
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
        version = _publish_files(version, user=user)
    return version, True


@transaction.atomic
def import_as_draft(
    framework: content.Framework,
    *,
    code: str | None = None,
    note: str = "",
    acting_user: Any = None,
    filename: str = "",
) -> FrameworkVersion:
    """Store an edited framework (from an export) as a new draft version, never touching published ones.

    The draft starts as a copy of the latest published version and takes the file's changes as
    ``import_into_draft`` does: field by field, with the translation states of an edit."""
    base = FrameworkVersion.objects.latest_published()
    code = code or next_draft_code(base.code if base else framework.version)
    if FrameworkVersion.objects.filter(code=code).exists():
        raise FrameworkError(_("A version %(code)s already exists.") % {"code": code})
    sync_reference_lists(framework)
    version = FrameworkVersion.objects.create(
        code=code, based_on=base, note=note or "Imported from a file.", fingerprint=fingerprint(framework)
    )
    if base is None:
        _write_criteria(version, framework.criteria)
        return version
    # A copy of the published version first, then the file's changes on it, each recorded as an edit
    # of the form would be: a translation changed in the file is the new source of the others.
    _write_criteria(version, version_to_content(base).criteria)
    _apply_import(version, framework, acting_user=acting_user, filename=filename)
    return version


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file into a draft would do: criteria added, removed, and changed field by field."""

    added: list[str]
    removed: list[str]
    changed: dict[str, list[FieldDifference]]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def plan_import(version: FrameworkVersion, framework: content.Framework) -> ImportPlan:
    """Compare the draft ``version`` as it is with ``framework`` (a file read by ``exchange``)."""
    return _plan(version_to_content(version), framework)


def _plan(old: content.Framework, new: content.Framework) -> ImportPlan:
    diff = compare_frameworks(old, new)
    before = {c.id: c for c in old.criteria}
    after = {c.id: c for c in new.criteria}
    return ImportPlan(
        added=diff["added"],
        removed=diff["removed"],
        changed={code: criterion_differences(before[code], after[code]) for code in diff["changed"]},
    )


@transaction.atomic
def import_into_draft(
    version: FrameworkVersion, framework: content.Framework, *, acting_user: Any, filename: str = ""
) -> ImportPlan:
    """Replace the criteria of a draft with those of an imported file, all or nothing.

    Each changed field gets its change entry and the translation states an edit on the form would
    give; criteria the file leaves out are removed, new ones added. Refused (``ReviewError``) unless
    the acting user is the secretariat and the version a draft; the file is checked by ``exchange``
    (legal floors in force included) before it reaches here. Returns what was done.
    """
    _check_secretariat(acting_user)
    version = _locked(version)
    version.check_editable()
    if version.status != FrameworkVersion.Status.DRAFT:
        raise ReviewError(_("This version is in review: send it back to draft to edit it."))
    sync_reference_lists(framework)
    return _apply_import(version, framework, acting_user=acting_user, filename=filename)


def _apply_import(
    version: FrameworkVersion, framework: content.Framework, *, acting_user: Any, filename: str
) -> ImportPlan:
    current = version_to_content(version)
    plan = _plan(current, framework)
    if plan.is_empty and [c.id for c in current.criteria] == [c.id for c in framework.criteria]:
        return plan  # the file reads as the draft does: nothing to write, nothing to record
    before = {c.id: c for c in current.criteria}
    _remove_criteria(version, plan.removed)
    # In place, by code: the rows the file keeps stay the same rows, with the file's values.
    _write_criteria(version, framework.criteria, only=set(plan.changed) | set(plan.added))
    written = {
        c.code: c
        for c in Criterion.objects.filter(version=version, code__in=plan.changed)
        .select_related("version")
        .prefetch_related("requirements")
    }
    for code, differences in plan.changed.items():
        _record_import(written[code], before[code], differences, acting_user)
    version.fingerprint = fingerprint(framework)
    version.save(update_fields=["fingerprint"])
    if plan.is_empty:
        return plan  # only the order of the criteria changed
    summary = {"added": plan.added, "removed": plan.removed, "changed": sorted(plan.changed)}
    _event(
        version,
        VersionEvent.Kind.IMPORTED,
        acting_user,
        f"{filename}: added {len(plan.added)}, removed {len(plan.removed)}, changed {len(plan.changed)}",
    )
    record(
        AuditRecord.Action.VERSION_IMPORTED, version, acting_user=acting_user,
        before={"criteria": len(current.criteria)}, after={**summary, "criteria": len(framework.criteria)},
        reason=filename,
    )  # fmt: skip
    return plan


#: The field of a criterion's text (``TEXT_FIELDS``) as ``criterion_differences`` names it.
_DIFFERENCE_TEXT = {"verification.documents": "verification_documents"}
#: A requirement's thresholds: a change puts the texts quoting them in doubt (``_record_edit``).
_THRESHOLDS = ("min_value", "max_value", "expected_value")


def _record_import(
    criterion: Criterion, old: content.Criterion, differences: list[FieldDifference], user: Any
) -> None:
    """Record an imported criterion's changes with the edit form's recorder: texts per language,
    thresholds (which put the texts quoting them in doubt) and the other data as they were."""
    texts_before = {field: dict(old.texts(field)) for field in ("title", "text", "rationale")}
    texts_before["verification_documents"] = dict(old.verification.documents)
    texts_after = {field: dict(getattr(criterion, field)) for field in TEXT_FIELDS}
    requirements = {r.code: r for r in criterion.requirements.all()}
    old_requirements = {r.id for r in old.requirements}
    thresholds: list[tuple[Requirement, str, Any, Any]] = []
    data: list[FieldDifference] = []
    for difference in differences:
        field = _DIFFERENCE_TEXT.get(difference.field, difference.field)
        code, _dot, key = difference.field.rpartition(".")
        if field in TEXT_FIELDS:
            continue  # recorded language by language from the texts
        if key in _THRESHOLDS and code in requirements and code in old_requirements:
            thresholds.append((requirements[code], key, difference.before, difference.after))
        else:
            data.append(difference)
    _record_edit(criterion, texts_before, texts_after, thresholds, user, data=data)


def next_draft_code(base_code: str) -> str:
    n = 1
    while FrameworkVersion.objects.filter(code=f"{base_code}-draft{n}").exists():
        n += 1
    return f"{base_code}-draft{n}"


@transaction.atomic
def create_draft(
    base: FrameworkVersion, *, code: str | None = None, acting_user: Any = None
) -> FrameworkVersion:
    """A new draft holding a copy of ``base``'s criteria, for editing."""
    framework = version_to_content(base)
    version = FrameworkVersion.objects.create(
        code=code or next_draft_code(base.code), based_on=base, note=f"Draft based on {base.code}."
    )
    _write_criteria(version, framework.criteria)
    version.fingerprint = fingerprint(framework)
    version.save(update_fields=["fingerprint"])
    _event(version, VersionEvent.Kind.CREATED, acting_user, base.code)
    return version


def _user(user: Any) -> Any:
    return user if user is not None and user.is_authenticated else None


#: The framework review's steps that also go to the audit record (an edit is recorded with its texts).
_AUDITED_EVENTS = {
    VersionEvent.Kind.SUBMITTED: AuditRecord.Action.VERSION_SUBMITTED,
    VersionEvent.Kind.APPROVED: AuditRecord.Action.VERSION_APPROVED,
    VersionEvent.Kind.SENT_BACK: AuditRecord.Action.VERSION_SENT_BACK,
    VersionEvent.Kind.PUBLISHED: AuditRecord.Action.VERSION_PUBLISHED,
}


def _event(version: FrameworkVersion, kind: str, user: Any, comment: str = "", before: str = "") -> None:
    """The version's own history (VersionEvent, shown on its page) and, for the review's steps, the
    platform's audit record with the status before and after; both in the caller's transaction."""
    VersionEvent.objects.create(version=version, kind=kind, user=_user(user), comment=comment)
    if kind in _AUDITED_EVENTS:
        record(
            _AUDITED_EVENTS[VersionEvent.Kind(kind)], version, acting_user=user,
            before={"status": before} if before else None, after={"status": version.status}, reason=comment,
        )  # fmt: skip


def _check_secretariat(user: Any) -> None:
    # The views check too; this guard holds for every other caller (admin, shell, API).
    if user is None or not is_secretariat_staff(user):
        raise ReviewError(_("Only the secretariat reviews and publishes framework versions."))


def _locked(version: FrameworkVersion) -> FrameworkVersion:
    """The version re-read under a row lock: two people acting on it at once are serialised."""
    return FrameworkVersion.objects.select_for_update().get(pk=version.pk)


def _freeze(version: FrameworkVersion, user: Any, previous: FrameworkVersion | None) -> FrameworkVersion:
    version.changelog = changelog_text(previous, version)
    version.status = FrameworkVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = _user(user)
    version.save(update_fields=["changelog", "status", "published_at", "published_by"])
    return version


@transaction.atomic
def _publish_files(version: FrameworkVersion, *, user: Any = None) -> FrameworkVersion:
    """Publish a version loaded from the framework files: they were reviewed in the repository."""
    version = _locked(version)
    version.check_editable()
    previous, status = FrameworkVersion.objects.latest_published(), version.status
    version = _freeze(version, user, previous)
    _event(
        version, VersionEvent.Kind.PUBLISHED, user, "Loaded from the reviewed framework files.", before=status
    )
    return version


# ---------------------------------------------------------------------------
# Review: draft -> in review -> approved -> published
# ---------------------------------------------------------------------------

#: How the secretariat names versions: year, dot, number (2026.2).
VERSION_CODE = re.compile(r"^\d{4}\.\d{1,3}$")


@transaction.atomic
def submit_for_review(
    version: FrameworkVersion, *, acting_user: Any, code: str, release_notes: str
) -> FrameworkVersion:
    """Name a draft, give it release notes and freeze it for review by someone else."""
    _check_secretariat(acting_user)
    version = _locked(version)
    if version.status != FrameworkVersion.Status.DRAFT:
        raise ReviewError(_("Only a draft can be submitted for review."))
    code, release_notes = code.strip(), release_notes.strip()
    if not VERSION_CODE.match(code):
        raise ReviewError(_("Name the version as year.number, for example 2026.2."))
    if FrameworkVersion.objects.filter(code=code).exclude(pk=version.pk).exists():
        raise ReviewError(_("A version %(code)s already exists.") % {"code": code})
    if not release_notes:
        raise ReviewError(_("Write release notes: they tell users what changed and why."))
    _check_floors(version)
    version.code, version.release_notes = code, release_notes
    previous_status = version.status
    version.status = FrameworkVersion.Status.IN_REVIEW
    version.submitted_by = _user(acting_user)
    version.save(update_fields=["code", "release_notes", "status", "submitted_by"])
    _event(version, VersionEvent.Kind.SUBMITTED, acting_user, release_notes, before=previous_status)
    return version


def unreviewed_summary(version: FrameworkVersion) -> list[str]:
    """'criterion.field (language)' for every translation still needing review, in a stable order."""
    return [f"{t.criterion_code}.{t.field} ({t.language})" for t in version.unreviewed_translations()]


def _check_translations(version: FrameworkVersion, reason: str) -> None:
    if version.unreviewed_translations().exists() and not reason.strip():
        raise ReviewError(
            _(
                "%(count)d translations of changed criteria are not reviewed: review them, or accept "
                "them explicitly with a reason."
            )
            % {"count": version.unreviewed_translations().count()}
        )


def _check_floors(version: FrameworkVersion) -> None:
    """Refuse a version asking less than a legal floor in force today that a requirement cites.

    Editing and importing refuse such a threshold already; this catches a floor that came into force
    while the version was a draft or in review (``cfit criteria propose-floors`` raises them)."""
    below = [
        finding
        for finding in content.floor_findings(version_to_content(version), timezone.localdate())
        if finding.in_force
    ]
    if below:
        raise ReviewError(
            " ".join(
                _("%(requirement)s asks less than %(law)s, which applies since %(date)s.")
                % {
                    "requirement": finding.requirement,
                    "law": f"{finding.floor.regulation}, {finding.floor.article}",
                    "date": date_format(finding.floor.applies_from, "DATE_FORMAT"),
                }
                for finding in below
            )
            + " "
            + _("Raise these thresholds in a draft before publishing.")
        )


@transaction.atomic
def approve_version(
    version: FrameworkVersion, *, acting_user: Any, comment: str = "", accept_unreviewed: str = ""
) -> FrameworkVersion:
    """Approve a version in review. The approver is someone other than its last editor; unreviewed
    translations are refused unless the approver accepts them with a reason (kept in the change log)."""
    _check_secretariat(acting_user)
    version = _locked(version)
    if version.status != FrameworkVersion.Status.IN_REVIEW:
        raise ReviewError(_("Only a version in review can be approved."))
    editor = version.last_edited_by or version.submitted_by
    if editor is None or _user(acting_user) is None or editor.pk == acting_user.pk:
        raise ReviewError(_("The approver must be someone other than the last editor."))
    _check_translations(version, accept_unreviewed)
    previous_status = version.status
    version.status = FrameworkVersion.Status.APPROVED
    version.approved_by, version.approved_at = acting_user, timezone.now()
    version.unreviewed_accepted_reason = ""
    if version.unreviewed_translations().exists():
        version.unreviewed_accepted_reason = accept_unreviewed.strip()
        _event(
            version,
            VersionEvent.Kind.ACCEPTED_UNREVIEWED,
            acting_user,
            f"{version.unreviewed_accepted_reason} [{', '.join(unreviewed_summary(version))}]",
        )
    version.save(update_fields=["status", "approved_by", "approved_at", "unreviewed_accepted_reason"])
    _event(version, VersionEvent.Kind.APPROVED, acting_user, comment.strip(), before=previous_status)
    return version


@transaction.atomic
def send_back(version: FrameworkVersion, *, acting_user: Any, comment: str) -> FrameworkVersion:
    """Return a version in review (or approved, not yet published) to draft, saying what to change."""
    _check_secretariat(acting_user)
    version = _locked(version)
    if version.is_published:
        version.check_editable()  # a published version never changes: says so in its own words
    if version.status not in (FrameworkVersion.Status.IN_REVIEW, FrameworkVersion.Status.APPROVED):
        raise ReviewError(_("Only a version in review or approved can be sent back."))
    if not comment.strip():
        raise ReviewError(_("Say what should change when sending a version back."))
    previous_status = version.status
    version.status = FrameworkVersion.Status.DRAFT
    version.approved_by, version.approved_at, version.unreviewed_accepted_reason = None, None, ""
    version.save(update_fields=["status", "approved_by", "approved_at", "unreviewed_accepted_reason"])
    _event(version, VersionEvent.Kind.SENT_BACK, acting_user, comment.strip(), before=previous_status)
    return version


@transaction.atomic
def publish_version(version: FrameworkVersion, *, acting_user: Any) -> FrameworkVersion:
    """Publish an approved version: it is frozen from now on, with a change log field by field."""
    _check_secretariat(acting_user)
    version = _locked(version)
    if version.is_published:
        version.check_editable()  # publishing twice is refused as any change of a published version
    if version.status != FrameworkVersion.Status.APPROVED:
        raise ReviewError(_("Only an approved version can be published."))
    # Approval froze the version, so this holds unless the data were changed behind the workflow.
    _check_translations(version, version.unreviewed_accepted_reason)
    # A floor may have come into force since the version was approved.
    _check_floors(version)
    previous = FrameworkVersion.objects.latest_published()
    version = _freeze(version, acting_user, previous)
    _event(version, VersionEvent.Kind.PUBLISHED, acting_user, before=FrameworkVersion.Status.APPROVED)
    return version


# ---------------------------------------------------------------------------
# Editing a draft: change entries per field, translation state per field and language
# ---------------------------------------------------------------------------


def _threshold_words(requirement: Requirement, bound: str, value: Any) -> str:
    sign = {"min_value": "≥ ", "max_value": "≤ ", "expected_value": "= "}.get(bound, f"{bound}: ")
    if value is None:
        shown = "—"
    elif isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{sign}{number(value)}{f' {requirement.unit}' if requirement.unit else ''}"
    else:
        shown = f"{sign}{value}"
    return f"{requirement.code}: {shown}"


@transaction.atomic
def update_criterion_texts(criterion: Criterion, data: dict[str, Any], *, acting_user: Any) -> None:
    """Apply the edit form of a draft criterion: texts in every language and numeric thresholds.

    The whole criterion is validated against the content schema before anything is saved, and a
    threshold asking less than a legal floor in force that its requirement cites raises
    ``content.BelowLegalFloor`` (nothing is saved). Every
    changed field (per language) gets a change entry with before and after; the languages that
    were not edited together with their source, or with a threshold the text may quote, become
    "needs review".
    """
    # Re-read under a lock: the caller's copy may predate a submission for review by someone else.
    criterion.version = _locked(criterion.version)
    criterion.version.check_editable()
    before = {field: dict(getattr(criterion, field)) for field in TEXT_FIELDS}
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
    thresholds: list[tuple[Requirement, str, float | None, float | None]] = []
    for requirement in requirements:
        for bound in ("min_value", "max_value"):
            key = f"{requirement.pk}_{bound}"
            if key in data and data[key] != getattr(requirement, bound):
                thresholds.append((requirement, bound, getattr(requirement, bound), data[key]))
                setattr(requirement, bound, data[key])
    for field, value in texts.items():
        setattr(criterion, field, value)
    current = next(c for c in version_to_content(criterion.version).criteria if c.id == criterion.code)
    candidate = current.model_dump()
    candidate.update({k: v for k, v in texts.items() if k != "verification_documents"})
    candidate["verification"]["documents"] = texts["verification_documents"]
    for item, requirement in zip(candidate["requirements"], requirements, strict=True):
        item["min_value"], item["max_value"] = requirement.min_value, requirement.max_value
    edited = content.Criterion.model_validate(candidate)  # raises pydantic.ValidationError on a broken edit
    # A tender pastes these thresholds: none may ask less than a law in force that the requirement cites.
    below = [f for f in content.floor_findings([edited], timezone.localdate()) if f.in_force]
    if below:
        raise content.BelowLegalFloor(below)
    criterion.save(update_fields=["title", "text", "rationale", "verification_documents"])
    for requirement in requirements:
        requirement.save(update_fields=["min_value", "max_value"])
    _record_edit(criterion, before, texts, thresholds, acting_user)


def _record_edit(
    criterion: Criterion,
    before: dict[str, dict[str, str]],
    after: dict[str, dict[str, str]],
    thresholds: list[tuple[Requirement, str, Any, Any]],
    user: Any,
    reasons: dict[str, str] | None = None,
    data: list[FieldDifference] | None = None,
) -> None:
    """Store the change entries of an edit (``reasons``: field → why, for changes no person typed;
    ``data``: other fields an import changed, recorded as they were and are, with no translation state)."""
    version, who, reasons = criterion.version, _user(user), reasons or {}
    entries = [
        FieldChange(
            version=version,
            criterion_code=criterion.code,
            field=field,
            language=lang,
            before=before[field].get(lang, ""),
            after=after[field][lang],
            changed_by=who,
        )
        for field in TEXT_FIELDS
        for lang in content.LANGUAGES
        if before[field].get(lang, "") != after[field][lang]
    ]
    entries += [
        FieldChange(
            version=version,
            criterion_code=criterion.code,
            field=f"{requirement.code}.{bound}",
            before=old,
            after=new,
            changed_by=who,
            reason=reasons.get(f"{requirement.code}.{bound}", ""),
        )
        for requirement, bound, old, new in thresholds
    ]
    entries += [
        FieldChange(
            version=version,
            criterion_code=criterion.code,
            field=d.field,
            language=d.language,
            before=d.before,
            after=d.after,
            changed_by=who,
        )
        for d in data or []
    ]
    if not entries:
        return
    FieldChange.objects.bulk_create(entries)
    for field in TEXT_FIELDS:
        edited = {e.language for e in entries if e.field == field}
        # A changed threshold puts in doubt every language of the tender text, and of any other text
        # that refers to the requirement (its words around the value may no longer fit) or still
        # types the old number in some language (translation.typed_thresholds counts those).
        threshold_lines = [
            (_threshold_words(r, bound, old), _threshold_words(r, bound, new))
            for r, bound, old, new in thresholds
            if field == "text"
            or (
                isinstance(old, int | float)
                and not isinstance(old, bool)
                and any(old in translation.numbers_in(t) for t in before[field].values())
            )
            or any(
                r.code in {code for code, _form in content.references_in(t)} for t in before[field].values()
            )
        ]
        if not edited and not threshold_lines:
            continue
        source = translation.source_language(edited)
        source_before = "\n".join(
            ([before[field].get(source, "")] if source else []) + [old for old, _new in threshold_lines]
        )
        source_after = "\n".join(
            ([after[field][source]] if source else []) + [new for _old, new in threshold_lines]
        )
        _apply_states(
            criterion,
            field,
            lambda states, edited=edited, source=source, sb=source_before, sa=source_after: (
                translation.after_edit(
                    states, edited=edited, source_language=source, source_before=sb, source_after=sa
                )
            ),
        )
    version.last_edited_by = who
    version.save(update_fields=["last_edited_by"])
    record(
        AuditRecord.Action.CRITERION_TEXTS_CHANGED, criterion, acting_user=user,
        before={_entry_name(e): e.before for e in entries}, after={_entry_name(e): e.after for e in entries},
    )  # fmt: skip
    _event(
        version,
        VersionEvent.Kind.EDITED,
        user,
        f"{criterion.code}: "
        + ", ".join(sorted({f"{e.field}" + (f" ({e.language})" if e.language else "") for e in entries})),
    )


def _entry_name(entry: FieldChange) -> str:
    return f"{entry.field} ({entry.language})" if entry.language else entry.field


def _apply_states(criterion: Criterion, field: str, rule: Any) -> None:
    rows = {
        row.language: row
        for row in FieldTranslation.objects.select_for_update().filter(
            version=criterion.version, criterion_code=criterion.code, field=field
        )
    }
    states = {
        lang: translation.LanguageState(row.state, row.source_language, row.source_before, row.source_after)
        for lang, row in rows.items()
    }
    for lang, state in rule(states).items():
        if state is None:
            continue
        row = rows.get(lang) or FieldTranslation(
            version=criterion.version, criterion_code=criterion.code, field=field, language=lang
        )
        row.state, row.source_language = state.state, state.source_language
        row.source_before, row.source_after = state.source_before, state.source_after
        if state.state != translation.REVIEWED:
            row.reviewed_by, row.reviewed_at = None, None
        row.save()


@transaction.atomic
def mark_reviewed(
    version: FrameworkVersion, criterion_code: str, field: str, language: str, *, acting_user: Any
) -> FieldTranslation:
    """A secretariat member checked one language of one field against its new source."""
    _check_secretariat(acting_user)
    version = _locked(version)
    if version.status not in (FrameworkVersion.Status.DRAFT, FrameworkVersion.Status.IN_REVIEW):
        raise ReviewError(_("Translations can be reviewed while the version is a draft or in review."))
    row = (
        FieldTranslation.objects.select_for_update()
        .filter(version=version, criterion_code=criterion_code, field=field, language=language)
        .first()
    )
    if row is None or row.state != FieldTranslation.State.NEEDS_REVIEW:
        raise ReviewError(_("This translation is not waiting for review."))
    row.state = FieldTranslation.State.REVIEWED
    row.reviewed_by, row.reviewed_at = _user(acting_user), timezone.now()
    row.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    _event(version, VersionEvent.Kind.REVIEWED, acting_user, f"{criterion_code}.{field} ({language})")
    return row


# ---------------------------------------------------------------------------
# Change log
# ---------------------------------------------------------------------------


def compare_versions(old: FrameworkVersion | None, new: FrameworkVersion) -> dict[str, Any]:
    """Criteria added, removed and changed (with the changed fields) from ``old`` to ``new``."""
    return compare_frameworks(version_to_content(old) if old else None, version_to_content(new))


def compare_frameworks(old: content.Framework | None, new: content.Framework) -> dict[str, Any]:
    """``compare_versions`` of two frameworks as the content schema (a version, or a file read)."""
    new_items = {c.id: c for c in new.criteria}
    old_items = {c.id: c for c in old.criteria} if old else {}
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
    return "\n".join(lines + field_changes_text(new))


def field_changes_text(version: FrameworkVersion) -> list[str]:
    """The change entries of a version, field by field with before and after, and any acceptance."""
    lines = []
    changes = shown_changes(version, version.changes.select_related("changed_by"))
    if changes:
        lines += ["", "Field by field:"]
    for change, before, after in changes:
        where = f"{change.criterion_code} {change.field}" + (
            f" ({change.language})" if change.language else ""
        )
        who = change.changed_by.get_username() if change.changed_by else "—"
        lines.append(
            f"- {where}, {who}, {change.changed_at:%Y-%m-%d %H:%M}: {before!r} -> {after!r}"
            + (f" ({change.reason})" if change.reason else "")
        )
    if version.unreviewed_accepted_reason:
        approver = version.approved_by.get_username() if version.approved_by else "—"
        lines += [
            "",
            f"Unreviewed translations accepted by {approver}: {version.unreviewed_accepted_reason}",
            "Not reviewed: " + ", ".join(unreviewed_summary(version)),
        ]
    return lines


@dataclass(frozen=True)
class FieldDifference:
    """One field of a criterion as it reads in two versions (``language`` empty for data)."""

    field: str
    language: str
    before: Any
    after: Any


def _differences(prefix: str, before: Any, after: Any) -> list[FieldDifference]:
    if before == after:
        return []
    if (
        isinstance(before, dict)
        and isinstance(after, dict)
        and set(before) | set(after) <= set(content.LANGUAGES)
    ):
        return [
            FieldDifference(prefix, lang, before.get(lang), after.get(lang))
            for lang in content.LANGUAGES
            if before.get(lang) != after.get(lang)
        ]
    return [FieldDifference(prefix, "", before, after)]


def criterion_differences(old: content.Criterion, new: content.Criterion) -> list[FieldDifference]:
    """What changed in one criterion between two versions, field by field, language by language."""
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    found: list[FieldDifference] = []
    for field in after:
        if field == "requirements":
            old_reqs = {r["id"]: r for r in before[field]}
            new_reqs = {r["id"]: r for r in after[field]}
            for code in list(new_reqs) + [c for c in old_reqs if c not in new_reqs]:
                old_req, new_req = old_reqs.get(code, {}), new_reqs.get(code, {})
                for key in dict.fromkeys([*new_req, *old_req]):
                    found += _differences(f"{code}.{key}", old_req.get(key), new_req.get(key))
        elif field == "verification":
            for key in after[field]:
                found += _differences(f"verification.{key}", before[field].get(key), after[field][key])
        else:
            found += _differences(field, before.get(field), after[field])
    return found
