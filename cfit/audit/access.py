"""Who reads the audit records: an organisation's administrators its own; the secretariat's staff all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cfit.accounts.access import get_membership
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.permissions import Action, may
from cfit.audit.models import AuditRecord


@dataclass(frozen=True)
class AuditScope:
    """The records a user may read through one organisation's audit page."""

    organisation: Organisation
    records: QuerySet[AuditRecord]
    #: The secretariat reads every organisation's records and the pact-wide ones.
    sees_all: bool


def may_read_audit(membership: Membership) -> bool:
    """Whether this membership opens the organisation's audit page (shown in its navigation)."""
    return may(membership, Action.AUDIT_READ)


def get_audit_scope(user: Any, organisation_slug: str) -> AuditScope:
    """The audit records the user reads through ``organisation_slug``'s page: 404 for a non-member (the
    organisation's existence is not revealed), 403 for a member who is not an administrator, and for the
    secretariat's staff every record."""
    membership = get_membership(user, organisation_slug)
    if not may_read_audit(membership):
        raise PermissionDenied(_("Only the organisation's administrators read its audit records."))
    organisation = membership.organisation
    records = AuditRecord.objects.select_related("organisation")
    if organisation.is_secretariat:
        return AuditScope(organisation, records.all(), sees_all=True)
    return AuditScope(organisation, records.of_organisation(organisation), sees_all=False)


def get_audit_record(user: Any, organisation_slug: str, record_id: int) -> tuple[AuditScope, AuditRecord]:
    """One record through the page's scope; another organisation's record is 404 like a missing one."""
    scope = get_audit_scope(user, organisation_slug)
    found = scope.records.filter(pk=record_id).first()
    if found is None:
        raise Http404
    return scope, found
