"""The one way an action writes its audit record."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord


def actor(acting_user: Any) -> Any:
    """The user to name, or None for the platform itself (no user, or not signed in)."""
    return (
        acting_user if acting_user is not None and getattr(acting_user, "is_authenticated", False) else None
    )


def record(
    action: str,
    obj: models.Model,
    *,
    acting_user: Any,
    organisation: Organisation | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditRecord:
    """Write the audit record of ``action`` on ``obj``, inside the caller's transaction.

    Refused (``TransactionManagementError``) outside a transaction: a record written apart from the
    change it describes could outlive a rolled-back change. ``before``/``after`` are JSON-able values,
    given only where they matter (figures, states, texts)."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "cfit.audit.record must run inside the action's transaction"
        )
    user = actor(acting_user)
    return AuditRecord.objects.create(
        actor=user,
        actor_name=(user.get_full_name() or user.get_username()) if user is not None else "",
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:500],
        before=before,
        after=after,
        reason=reason,
    )
