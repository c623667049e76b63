"""The pact's operations that change several things at once or guard its rules, each in one transaction.

Rules enforced here (and tested by trying to break them):
- a supporter is never a participant: it cannot become one, join a buyer group or sign a statement;
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
from cfit.pact.demand import publish_demand
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


def add_working_group_member(
    group: WorkingGroup, organisation: Organisation, role: str
) -> WorkingGroupMember:
    """Supporters sit in working groups as observers only."""
    if organisation.type == Organisation.Type.SUPPORTER and role != WorkingGroupMember.Role.OBSERVER:
        raise PactRuleBroken(_("A supporter takes part in a working group as an observer."), code="supporter")
    member, _created = WorkingGroupMember.objects.update_or_create(
        group=group, organisation=organisation, defaults={"role": role}
    )
    return member


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
