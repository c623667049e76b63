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


def _label(obj: models.Model) -> str:
    """The object's name as the record keeps it: a model whose name carries a translated label (a state,
    a status) gives ``audit_label`` without it, since a label written now would stay in the writer's
    language; the page names codes in the reader's language when it shows the record."""
    label = getattr(obj, "audit_label", None)
    return label if isinstance(label, str) else str(obj)


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
        object_label=_label(obj)[:500],
        before=before,
        after=after,
        reason=reason,
    )
