"""The pact's operations that change several things at once or guard its rules, each in one transaction.

Rules enforced here (and tested by trying to break them):
- a supporter is never a participant: it cannot become one, join a buyer group or sign a statement, and
  sits in a working group as an observer only;
- a working group that has a chair keeps one;
- a closed statement takes no signature and no change of volumes;
- a buyer group is led by a coordinating participant, and only its coordinator invites and admits;
- only a participant's own administrators answer an invitation, ask to join, or sign for it.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord
from cfit.audit.recording import actor, record
from cfit.criteria.content import is_web_address
from cfit.pact.demand import demand_pending, publish_demand
from cfit.pact.models import (
    BuyerGroup,
    DemandPublication,
    GroupMembership,
    Signature,
    SignatureVolume,
    Statement,
    WorkingGroup,
    WorkingGroupDocument,
    WorkingGroupMember,
    WorkingGroupRequest,
)
from cfit.uploads import check_size

PARTICIPANT_TYPES = Organisation.PARTICIPANT_TYPES
DOCUMENT_TYPES = (".pdf", ".docx", ".odt", ".xlsx", ".ods", ".pptx", ".odp", ".csv", ".txt", ".md")


class PactRuleBroken(ValidationError):
    """Raised if an operation would break a rule of the pact; the message says which."""


@transaction.atomic
def join_pact(
    organisation: Organisation, as_type: str, *, signed_on: date | None, users_served: int, acting_user: Any
) -> Organisation:
    """Record how an organisation takes part: as a procuring or coordinating participant (with the date
    it signed), or as a supporter. A supporter never becomes a participant (conflict of interest)."""
    if as_type not in (*PARTICIPANT_TYPES, Organisation.Type.SUPPORTER):
        raise PactRuleBroken(_("Unknown way of taking part."), code="unknown_type")
    if organisation.type == Organisation.Type.SECRETARIAT:
        raise PactRuleBroken(
            _("The secretariat does not join the pact as a participant."), code="secretariat"
        )
    if organisation.type == Organisation.Type.SUPPORTER and as_type in PARTICIPANT_TYPES:
        raise PactRuleBroken(
            _(
                "A supporter cannot become a participant: suppliers and other supporters take part in the dialogue only."
            ),
            code="supporter",
        )
    if as_type in PARTICIPANT_TYPES and signed_on is None:
        raise PactRuleBroken(_("A participant gives the date it signed the pact."), code="no_date")
    if users_served < 0:
        raise PactRuleBroken(_("Users served cannot be negative."), code="negative")
    if (
        as_type == Organisation.Type.SUPPORTER
        and GroupMembership.objects.filter(
            organisation=organisation, state=GroupMembership.State.ACTIVE
        ).exists()
    ):
        raise PactRuleBroken(_("Leave your buyer groups before becoming a supporter."), code="member")
    if (
        as_type == Organisation.Type.SUPPORTER
        and WorkingGroupMember.objects.filter(organisation=organisation)
        .exclude(role=WorkingGroupMember.Role.OBSERVER)
        .exists()
    ):
        raise PactRuleBroken(
            _("A supporter sits in working groups as an observer only: leave your other seats first."),
            code="member",
        )
    if (
        as_type != Organisation.Type.COORDINATING_PARTICIPANT
        and BuyerGroup.objects.led_by(organisation).exists()
    ):
        raise PactRuleBroken(
            _("A buyer group is led by a coordinating participant: hand your buyer groups over first."),
            code="coordinator",
        )
    before = _participation(organisation)
    organisation.type = as_type
    organisation.signed_on = signed_on if as_type in PARTICIPANT_TYPES else None
    organisation.users_served = users_served
    organisation.save(update_fields=["type", "signed_on", "users_served"])
    record(
        AuditRecord.Action.PACT_JOINED, organisation, acting_user=acting_user, organisation=organisation,
        before=before, after=_participation(organisation),
    )  # fmt: skip
    return organisation


def _participation(organisation: Organisation) -> dict[str, Any]:
    signed = organisation.signed_on
    return {
        "type": organisation.type,
        "signed_on": signed.isoformat() if signed else None,
        "users_served": organisation.users_served,
    }


@transaction.atomic
def create_buyer_group(coordinator: Organisation, **fields: Any) -> BuyerGroup:
    """A buyer group led by a coordinating participant, which is also its first member (it reports too)."""
    group = BuyerGroup(coordinator=coordinator, **fields)
    group.full_clean()
    group.save()
    GroupMembership.objects.create(group=group, organisation=coordinator, state=GroupMembership.State.ACTIVE)
    return group


def _check_can_be_member(organisation: Organisation) -> None:
    if organisation.type not in PARTICIPANT_TYPES:
        raise PactRuleBroken(
            _("Only participants are members of a buyer group; %(name)s is a %(type)s.")
            % {"name": organisation.name, "type": organisation.get_type_display()},
            code="not_participant",
        )


@transaction.atomic
def invite(group: BuyerGroup, organisation: Organisation, *, acting_user: Any) -> GroupMembership:
    """The coordinator invites a participant; an open request of that organisation is admitted at once."""
    _check_can_be_member(organisation)
    membership, created = GroupMembership.objects.select_for_update().get_or_create(
        group=group, organisation=organisation, defaults={"state": GroupMembership.State.INVITED}
    )
    if not created:
        if membership.state == GroupMembership.State.ACTIVE:
            raise PactRuleBroken(
                _("%(name)s is already a member.") % {"name": organisation.name}, code="member"
            )
        new_state = (
            GroupMembership.State.ACTIVE
            if membership.state == GroupMembership.State.REQUESTED
            else GroupMembership.State.INVITED
        )
        membership.state, membership.decided, membership.decided_by = (
            new_state,
            timezone.now(),
            actor(acting_user),
        )
        membership.save(update_fields=["state", "decided", "decided_by"])
    record(
        AuditRecord.Action.GROUP_INVITED, membership, acting_user=acting_user, organisation=organisation,
        after={"group": group.pk, "state": membership.state},
    )  # fmt: skip
    return membership


@transaction.atomic
def request_to_join(group: BuyerGroup, organisation: Organisation, *, acting_user: Any) -> GroupMembership:
    """A participant asks to join; an open invitation is accepted at once."""
    _check_can_be_member(organisation)
    membership, created = GroupMembership.objects.select_for_update().get_or_create(
        group=group, organisation=organisation, defaults={"state": GroupMembership.State.REQUESTED}
    )
    if not created:
        if membership.state == GroupMembership.State.ACTIVE:
            raise PactRuleBroken(_("You are already a member."), code="member")
        membership.state = (
            GroupMembership.State.ACTIVE
            if membership.state == GroupMembership.State.INVITED
            else GroupMembership.State.REQUESTED
        )
        membership.save(update_fields=["state"])
    record(
        AuditRecord.Action.GROUP_JOIN_REQUESTED, membership, acting_user=acting_user, organisation=organisation,
        after={"group": group.pk, "state": membership.state},
    )  # fmt: skip
    return membership


@transaction.atomic
def decide(membership: GroupMembership, *, accept: bool, acting_user: Any) -> GroupMembership:
    """Answer an open invitation (the organisation) or request (the coordinator): the caller's getter
    has checked who may answer which."""
    if membership.state not in (GroupMembership.State.INVITED, GroupMembership.State.REQUESTED):
        raise PactRuleBroken(_("There is nothing to answer."), code="closed")
    if accept:
        _check_can_be_member(membership.organisation)
    before = membership.state
    membership.state = GroupMembership.State.ACTIVE if accept else GroupMembership.State.DECLINED
    membership.decided, membership.decided_by = timezone.now(), actor(acting_user)
    membership.save(update_fields=["state", "decided", "decided_by"])
    record(
        AuditRecord.Action.GROUP_MEMBERSHIP_DECIDED, membership, acting_user=acting_user,
        organisation=membership.organisation, before={"state": before}, after={"state": membership.state},
    )  # fmt: skip
    return membership


def add_document(
    group: WorkingGroup,
    *,
    title: str,
    language: str,
    user: Any,
    url: str = "",
    data: bytes = b"",
    filename: str = "",
) -> WorkingGroupDocument:
    """A link, or an uploaded file of an office or text format (checked for size and kind)."""
    if bool(url) == bool(data):
        raise PactRuleBroken(_("Give either a link or a file."), code="link_or_file")
    if url and not is_web_address(url):
        # Members follow the link from the group's page: no javascript:, data: or ftp: links.
        raise PactRuleBroken(
            _("A link must be a web address starting with http:// or https://."), code="scheme"
        )
    stored = ""
    if data:
        check_size(data, filename)
        suffix = Path(filename).suffix.lower()
        if suffix not in DOCUMENT_TYPES:
            raise PactRuleBroken(
                _("Files of type %(suffix)s are not accepted.") % {"suffix": suffix or "?"}, code="type"
            )
        folder = Path(settings.UPLOAD_DIR) / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}{suffix}"
        path.write_bytes(data)
        stored = str(path)
    return WorkingGroupDocument.objects.create(
        group=group, title=title, language=language, url=url, stored_file=stored,
        filename=Path(filename).name[:255], uploaded_by=user,
    )  # fmt: skip


def _working_group_texts(group: WorkingGroup) -> dict[str, Any]:
    return {"name": group.name, "slug": group.slug, "topic": group.topic, "description": group.description}


@transaction.atomic
def save_working_group(group: WorkingGroup, *, acting_user: Any) -> WorkingGroup:
    """Create or edit a working group (its name, short name, topic and description), with the texts
    before and after in the audit record. Who may is the caller's getter's business (the secretariat)."""
    stored = WorkingGroup.objects.select_for_update().filter(pk=group.pk).first() if group.pk else None
    group.full_clean()
    group.save()
    record(
        AuditRecord.Action.WORKING_GROUP_SAVED, group, acting_user=acting_user,
        before=_working_group_texts(stored) if stored else None, after=_working_group_texts(group),
    )  # fmt: skip
    return group


def _check_seat(organisation: Organisation, role: str) -> None:
    refusal = WorkingGroupMember.refusal(organisation, role)
    if refusal is not None:
        raise PactRuleBroken(refusal.messages[0], code=refusal.code)


def _check_a_chair_stays(group: WorkingGroup, seat: WorkingGroupMember) -> None:
    """A group that has a chair keeps one: the last chair's seat is neither removed nor changed."""
    if (
        seat.role == WorkingGroupMember.Role.CHAIR
        and not WorkingGroupMember.objects.filter(group=group, role=WorkingGroupMember.Role.CHAIR)
        .exclude(pk=seat.pk)
        .exists()
    ):
        raise PactRuleBroken(
            _("%(name)s is the group's only chair: seat another chair first.")
            % {"name": seat.organisation.name},
            code="last_chair",
        )


@transaction.atomic
def add_working_group_member(
    group: WorkingGroup, organisation: Organisation, role: str, *, acting_user: Any
) -> WorkingGroupMember:
    """Seat an organisation in a working group, or change the role of its seat. Chairs and members are
    participants; supporters sit as observers only; the last chair stays a chair. An open request of the
    organisation to join is answered by the seat."""
    _check_seat(organisation, role)
    WorkingGroup.objects.select_for_update().filter(pk=group.pk).first()  # one change of seats at a time
    seat = WorkingGroupMember.objects.filter(group=group, organisation=organisation).first()
    before = seat.role if seat else None
    if seat is not None and seat.role != role:
        _check_a_chair_stays(group, seat)
    if seat is None:
        seat = WorkingGroupMember.objects.create(group=group, organisation=organisation, role=role)
    elif seat.role != role:
        seat.role = role
        seat.save(update_fields=["role"])
    WorkingGroupRequest.objects.filter(
        group=group, organisation=organisation, state=WorkingGroupRequest.State.REQUESTED
    ).update(state=WorkingGroupRequest.State.ACCEPTED, decided=timezone.now(), decided_by=actor(acting_user))
    if before != role:
        record(
            AuditRecord.Action.WORKING_GROUP_SEAT_SAVED, seat, acting_user=acting_user,
            organisation=organisation, before={"role": before} if before else None,
            after={"group": group.pk, "role": role},
        )  # fmt: skip
    return seat


@transaction.atomic
def remove_working_group_member(seat: WorkingGroupMember, *, acting_user: Any) -> None:
    """Take an organisation's seat in a working group away (not the last chair's)."""
    WorkingGroup.objects.select_for_update().filter(pk=seat.group_id).first()
    _check_a_chair_stays(seat.group, seat)
    seat_id = seat.pk
    seat.delete()
    seat.pk = seat_id  # the audit record names the seat removed
    record(
        AuditRecord.Action.WORKING_GROUP_SEAT_REMOVED, seat, acting_user=acting_user,
        organisation=seat.organisation, before={"group": seat.group_id, "role": seat.role}, after=None,
    )  # fmt: skip


@transaction.atomic
def request_working_group_seat(
    group: WorkingGroup, organisation: Organisation, role: str, *, acting_user: Any
) -> WorkingGroupRequest:
    """An organisation asks for a seat as a member or an observer (a supporter: as an observer); the
    secretariat or a chair answers. Asking again reopens a declined request."""
    if role == WorkingGroupMember.Role.CHAIR:
        raise PactRuleBroken(_("Ask to join as a member or an observer."), code="chair")
    _check_seat(organisation, role)
    if WorkingGroupMember.objects.filter(group=group, organisation=organisation).exists():
        raise PactRuleBroken(
            _("%(name)s already has a seat in this working group.") % {"name": organisation.name},
            code="seated",
        )
    request, _created = WorkingGroupRequest.objects.update_or_create(
        group=group, organisation=organisation,
        defaults={"role": role, "state": WorkingGroupRequest.State.REQUESTED, "decided": None, "decided_by": None},
    )  # fmt: skip
    record(
        AuditRecord.Action.WORKING_GROUP_JOIN_REQUESTED, request, acting_user=acting_user,
        organisation=organisation, after={"group": group.pk, "role": role},
    )  # fmt: skip
    return request


@transaction.atomic
def decide_working_group_request(
    request: WorkingGroupRequest, *, accept: bool, acting_user: Any
) -> WorkingGroupRequest:
    """Accept (the organisation takes the seat it asked for) or decline an open request to join. The
    caller's getter has checked who may answer."""
    request = (
        WorkingGroupRequest.objects.select_for_update()
        .select_related("group", "organisation")
        .get(pk=request.pk)
    )
    if request.state != WorkingGroupRequest.State.REQUESTED:
        raise PactRuleBroken(_("There is nothing to answer."), code="closed")
    if accept:
        add_working_group_member(request.group, request.organisation, request.role, acting_user=acting_user)
    request.state = WorkingGroupRequest.State.ACCEPTED if accept else WorkingGroupRequest.State.DECLINED
    request.decided, request.decided_by = timezone.now(), actor(acting_user)
    request.save(update_fields=["state", "decided", "decided_by"])
    record(
        AuditRecord.Action.WORKING_GROUP_REQUEST_DECIDED, request, acting_user=acting_user,
        organisation=request.organisation, before={"state": WorkingGroupRequest.State.REQUESTED},
        after={"state": request.state},
    )  # fmt: skip
    return request


def _statement_texts(statement: Statement) -> dict[str, Any]:
    return {
        "slug": statement.slug,
        "title": dict(statement.title),
        "text": dict(statement.text),
        "product_groups": list(statement.product_groups),
        "criteria": statement.criteria,
    }


@transaction.atomic
def save_statement_draft(statement: Statement, *, acting_user: Any) -> Statement:
    """Store a new or edited draft statement of demand with its texts before and after; a published
    statement's texts never change (the signatures rest on them)."""
    stored = Statement.objects.select_for_update().filter(pk=statement.pk).first() if statement.pk else None
    if stored is not None and stored.status != Statement.Status.DRAFT:
        raise PactRuleBroken(_("Only a draft is edited."), code="not_draft")
    statement.save()
    record(
        AuditRecord.Action.STATEMENT_SAVED, statement, acting_user=acting_user,
        before=_statement_texts(stored) if stored else None, after=_statement_texts(statement),
    )  # fmt: skip
    return statement


@transaction.atomic
def publish_statement(statement: Statement, *, acting_user: Any) -> Statement:
    if statement.status != Statement.Status.DRAFT:
        raise PactRuleBroken(_("Only a draft is published."), code="not_draft")
    if not statement.title.get("en") or not statement.text.get("en"):
        raise PactRuleBroken(_("A statement needs an English title and text."), code="english")
    before = statement.status
    statement.status, statement.published = Statement.Status.PUBLISHED, timezone.now()
    statement.save(update_fields=["status", "published"])
    publish_demand(statement, now=statement.published)  # the first version: nobody has signed yet
    record(
        AuditRecord.Action.STATEMENT_PUBLISHED, statement, acting_user=acting_user,
        before={"status": before}, after={"status": statement.status},
    )  # fmt: skip
    return statement


@transaction.atomic
def close_statement(statement: Statement, *, acting_user: Any) -> DemandPublication | None:
    """Close a statement open for signature, for good: it takes no new signature, no change of volumes
    and no withdrawal any more. Its collective demand is published one last time if signatures changed
    since the last version and the step passes the disclosure control (``publish_demand``, the same rules
    as every step); else the last published figures are final. Returns the last version if this closing
    published one, else None."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.status != Statement.Status.PUBLISHED:
        raise PactRuleBroken(_("Only a statement open for signature is closed."), code="not_open")
    before = statement.status
    statement.status, statement.closed = Statement.Status.CLOSED, timezone.now()
    statement.save(update_fields=["status", "closed"])
    pending = demand_pending(statement)
    published = publish_demand(statement, now=statement.closed) if pending else None
    record(
        AuditRecord.Action.STATEMENT_CLOSED, statement, acting_user=acting_user,
        before={"status": before}, after={"status": statement.status},
        reason=_demand_note(published) if pending else "collective demand: unchanged since its last version",
    )  # fmt: skip
    return published


@transaction.atomic
def sign_statement(
    statement: Statement,
    organisation: Organisation,
    volumes: dict[str, tuple[int, Decimal]],
    *,
    acting_user: Any,
) -> Signature:
    """Sign, or update a signature's volumes: ``{product group: (units a year, EUR a year)}``.

    Only participants sign, only published statements, and only for the statement's product groups."""
    if statement.status != Statement.Status.PUBLISHED:
        raise PactRuleBroken(_("This statement is not open for signature."), code="not_open")
    if organisation.type not in PARTICIPANT_TYPES:
        raise PactRuleBroken(_("Only participants sign statements of demand."), code="not_participant")
    unknown = set(volumes) - set(statement.product_groups)
    if unknown:
        raise PactRuleBroken(
            _("Not a product group of this statement: %(groups)s") % {"groups": ", ".join(sorted(unknown))},
            code="group",
        )
    if any(units < 0 or spend < 0 for units, spend in volumes.values()):
        raise PactRuleBroken(_("Volumes cannot be negative."), code="negative")
    signature, _created = Signature.objects.get_or_create(
        statement=statement, organisation=organisation, defaults={"signed_by": actor(acting_user)}
    )
    before = {v.product_group: [v.units_per_year, str(v.spend_eur_per_year)] for v in signature.volumes.all()}
    signature.volumes.all().delete()
    SignatureVolume.objects.bulk_create(
        SignatureVolume(
            signature=signature, product_group=group, units_per_year=units, spend_eur_per_year=spend
        )
        for group, (units, spend) in volumes.items()
    )
    published = publish_demand(statement)
    record(
        AuditRecord.Action.STATEMENT_SIGNED, signature, acting_user=acting_user, organisation=organisation,
        before=before or None,
        after={group: [units, str(spend)] for group, (units, spend) in volumes.items()},
        reason=_demand_note(published),
    )  # fmt: skip
    return signature


@transaction.atomic
def withdraw_signature(statement: Statement, organisation: Organisation, *, acting_user: Any) -> None:
    """Withdraw an organisation's signature and its volumes while the statement is open for signature.

    The published collective demand stops counting the organisation at its next update (at once if the
    step passes the disclosure control, ``cfit.pact.demand.publish_demand``); the audit record keeps what
    was signed."""
    if statement.status != Statement.Status.PUBLISHED:
        raise PactRuleBroken(
            _("A signature is withdrawn only while the statement is open for signature."), code="not_open"
        )
    signature = (
        Signature.objects.select_for_update().filter(statement=statement, organisation=organisation).first()
    )
    if signature is None:
        raise PactRuleBroken(
            _("%(name)s has not signed this statement.") % {"name": organisation.name}, code="not_signed"
        )
    before = {v.product_group: [v.units_per_year, str(v.spend_eur_per_year)] for v in signature.volumes.all()}
    signature_id = signature.pk
    signature.delete()
    signature.pk = signature_id  # the audit record names the signature withdrawn
    published = publish_demand(statement)
    record(
        AuditRecord.Action.STATEMENT_SIGNATURE_WITHDRAWN, signature, acting_user=acting_user,
        organisation=organisation, before=before, after=None, reason=_demand_note(published),
    )  # fmt: skip


def _demand_note(published: DemandPublication | None) -> str:
    """What the change did to the published collective demand, for the audit record (not translated:
    the record's reason is stored as written)."""
    if published is None:
        return "collective demand: kept (the change would reveal a signatory's volumes)"
    return f"collective demand: version {published.number} published"
