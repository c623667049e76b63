"""The baseline moves up when the law does: a draft raising requirements to legal floors now in force.

When the date of application of a legal floor passes, the published framework may ask less than the
law. ``propose_floor_raises`` finds those requirements and opens a draft version that raises them,
with one change entry per field naming the regulation and article, before and after. The draft goes
through the ordinary review (submitted, approved by someone other than its editor, published): this
never publishes and never touches a published version. Run daily by ``cfit criteria propose-floors``
(cron, see docs/production.md); running it again changes nothing until another floor comes into force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone

from cfit.criteria import actions, content
from cfit.criteria.models import (
    TEXT_FIELDS,
    Criterion,
    FrameworkVersion,
    Requirement,
    VersionEvent,
    translated,
)
from cfit.criteria.wording import floor_text, threshold_text

#: The statuses of a version that is still on its way to publication.
OPEN_STATUSES = (
    FrameworkVersion.Status.DRAFT,
    FrameworkVersion.Status.IN_REVIEW,
    FrameworkVersion.Status.APPROVED,
)


class Outcome(StrEnum):
    NOTHING = "nothing"  #: the published version asks no less than any floor in force
    OPENED = "opened"  #: a new draft raises the requirements
    ADDED = "added"  #: the waiting proposal (a draft) now raises more requirements
    WAITING = "waiting"  #: a proposal already raises them, or is in review and cannot change


@dataclass(frozen=True)
class FloorProposal:
    outcome: Outcome
    version: FrameworkVersion | None = None  #: the draft that raises the requirements
    raises: list[content.FloorRaise] = field(default_factory=list)  #: the fields raised by this run
    pending: list[content.FloorRaise] = field(default_factory=list)  #: still below, in a frozen proposal

    def describe(self) -> str:
        code = self.version.code if self.version else ""
        match self.outcome:
            case Outcome.NOTHING:
                return "No requirement asks less than a legal floor in force."
            case Outcome.OPENED:
                head = f"Draft {code} raises {len(self.raises)} field(s) to legal floors in force:"
            case Outcome.ADDED:
                head = f"Draft {code} now also raises {len(self.raises)} field(s):"
            case Outcome.WAITING:
                if not self.pending:
                    return f"The floor proposal {code} is waiting for review; nothing to add."
                head = (
                    f"The floor proposal {code} is {self.version.get_status_display() if self.version else ''}"
                    f" and cannot change; send it back to draft to add {len(self.pending)} field(s):"
                )
        lines = [
            f"- {r.requirement}.{r.field}: {r.before!r} -> {r.after!r} ({r.reason})"
            for r in (self.raises or self.pending)
        ]
        return "\n".join([head, *lines])


def waiting_proposal(base: FrameworkVersion | None = None) -> FrameworkVersion | None:
    """The open floor proposal on the latest published version (or ``base``), if any."""
    base = base or FrameworkVersion.objects.latest_published()
    if base is None:
        return None
    return (
        FrameworkVersion.objects.filter(
            based_on=base, status__in=OPEN_STATUSES, events__kind=VersionEvent.Kind.FLOORS_PROPOSED
        )
        .order_by("-created", "-id")
        .first()
    )


def raises_needed(version: FrameworkVersion, on: date) -> list[content.FloorRaise]:
    """Every field of ``version`` that a floor in force on ``on`` would raise."""
    return [
        raised
        for criterion in actions.version_to_content(version).criteria
        for requirement in criterion.requirements
        for raised in content.floor_raises(requirement, on)
    ]


@transaction.atomic
def propose_floor_raises(*, on: date | None = None, acting_user: Any = None) -> FloorProposal:
    """Open (or add to) a draft raising the published framework's requirements to floors in force.

    ``on`` defaults to today's local date. Idempotent: a second run finds the waiting proposal and
    changes nothing unless another floor came into force, which it adds while the proposal is a draft
    (a proposal in review or approved is frozen: it is reported, not changed). Never publishes.
    """
    on = on or timezone.localdate()
    base = FrameworkVersion.objects.latest_published()
    if base is None:
        return FloorProposal(Outcome.NOTHING)
    # One run at a time: the published version's row is the lock two runs (cron and a person) share.
    base = actions._locked(base)  # noqa: SLF001
    proposal = waiting_proposal(base)
    if proposal is not None:
        needed = raises_needed(proposal, on)
        if not needed:
            return FloorProposal(Outcome.WAITING, proposal)
        if not proposal.is_editable:
            return FloorProposal(Outcome.WAITING, proposal, pending=needed)
        _raise(proposal, needed, acting_user)
        return FloorProposal(Outcome.ADDED, proposal, raises=needed)
    needed = raises_needed(base, on)
    if not needed:
        return FloorProposal(Outcome.NOTHING)
    draft = actions.create_draft(base, acting_user=acting_user)
    draft.note = (
        f"Requirements raised to the legal floors in force on {on.isoformat()}; proposed automatically."
    )
    draft.save(update_fields=["note"])
    _raise(draft, needed, acting_user)
    return FloorProposal(Outcome.OPENED, draft, raises=needed)


def _raise(version: FrameworkVersion, needed: list[content.FloorRaise], user: Any) -> None:
    """Write the raised fields into a draft, each with its change entry, and record the proposal."""
    by_criterion: dict[str, list[content.FloorRaise]] = {}
    for raised in needed:
        by_criterion.setdefault(raised.requirement.split(".")[0], []).append(raised)
    criteria = Criterion.objects.in_version(version).filter(code__in=by_criterion).select_related("version")
    for criterion in criteria:
        requirements = {r.code: r for r in criterion.requirements.all()}
        data_changes = []
        for raised in by_criterion[criterion.code]:
            requirement = requirements[raised.requirement]
            after = raised.after.value if isinstance(raised.after, content.Better) else raised.after
            before = getattr(requirement, raised.field)
            setattr(requirement, raised.field, after)
            data_changes.append((requirement, raised.field, before, after))
        for requirement in requirements.values():
            requirement.save(update_fields=["min_value", "max_value", "expected_value", "better"])
        texts = {name: dict(getattr(criterion, name)) for name in TEXT_FIELDS}
        actions._record_edit(  # noqa: SLF001 - the one recorder of change entries and translation states
            criterion,
            texts,
            texts,
            data_changes,
            user,
            reasons={f"{r.requirement}.{r.field}": r.reason for r in by_criterion[criterion.code]},
        )
    # Checked as a whole before anyone reviews it: a raise must leave a valid framework.
    actions.version_to_content(version)  # raises pydantic.ValidationError on a broken framework
    actions._event(  # noqa: SLF001
        version,
        VersionEvent.Kind.FLOORS_PROPOSED,
        user,
        "; ".join(f"{r.requirement}.{r.field}: {r.before!r} -> {r.after!r} ({r.reason})" for r in needed),
    )


@dataclass(frozen=True)
class ComingFloor:
    """A requirement that asks less than a legal floor coming into force within a year: a warning to
    the secretariat while it can still raise the threshold, said in the active language."""

    criterion: str  #: the criterion's code
    requirement: str  #: the requirement's code
    title: str  #: the requirement's title
    asked: str  #: what the requirement asks now, e.g. "≥ 3 years"
    required: str  #: what the law will ask, e.g. "≥ 5 years"
    floor: content.LegalFloor


def coming_floors(requirements: list[Requirement], on: date | None = None) -> list[ComingFloor]:
    """The floors that come into force after ``on`` (default today) and within
    ``content.FLOOR_NOTICE_DAYS`` above the threshold of one of ``requirements`` (fetch them with
    their criterion), the soonest first. A floor already in force is refused where thresholds change."""
    on = on or timezone.localdate()
    coming = []
    for requirement in requirements:
        for finding in content.requirement_floor_findings(
            requirement.criterion.code, requirement.as_content(labels=[]), on
        ):
            if finding.in_force:
                continue
            coming.append(
                ComingFloor(
                    criterion=finding.criterion,
                    requirement=requirement.code,
                    title=translated(requirement.title),
                    asked=threshold_text(requirement),
                    required=floor_text(requirement, finding.floor.value, requirement.better),
                    floor=finding.floor,
                )
            )
    return sorted(coming, key=lambda c: (c.floor.applies_from, c.criterion, c.requirement))


def requirements_with_floors(
    version: FrameworkVersion, criterion: Criterion | None = None
) -> list[Requirement]:
    """The requirements of ``version`` (or of one of its criteria) that cite a legal floor, as saved."""
    found = Requirement.objects.filter(criterion__version=version)
    if criterion is not None:
        found = found.filter(criterion=criterion)
    return list(found.exclude(legal_floors=[]).select_related("criterion"))
