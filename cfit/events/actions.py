"""Registering for an event and cancelling: one transaction each, with an audit record; the capacity is
checked with the event's row locked, so two people never take the last place together."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.events.access import visible_events
from cfit.events.models import Event, Registration


class RegistrationRefused(ValidationError):
    """Raised if a registration cannot be made; the message says why."""


@transaction.atomic
def register(event: Event, *, acting_user: Any) -> Registration:
    if (
        not getattr(acting_user, "is_authenticated", False)
        or not visible_events(acting_user).filter(pk=event.pk).exists()
    ):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.is_over:
        raise RegistrationRefused(_("This event is over."), code="over")
    existing = Registration.objects.filter(event=event, user=acting_user).first()
    if existing is not None:
        return existing
    if event.capacity and event.registrations.count() >= event.capacity:
        raise RegistrationRefused(_("This event is full."), code="full")
    registration = Registration.objects.create(event=event, user=acting_user)
    record(AuditRecord.Action.EVENT_REGISTERED, registration, acting_user=acting_user)
    return registration


@transaction.atomic
def cancel(event: Event, *, acting_user: Any) -> None:
    registration = Registration.objects.filter(event=event, user=acting_user).first()
    if registration is None:
        return
    record(AuditRecord.Action.EVENT_REGISTRATION_CANCELLED, registration, acting_user=acting_user)
    registration.delete()
