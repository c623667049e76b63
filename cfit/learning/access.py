"""Who sees which guide and event: the only way views fetch them.

Guides: a published guide is public; drafts only for the secretariat. Events: a public event for
everyone; a buyer group's for its active members and its coordinator; a working group's for its
members; the secretariat sees all. Anything else is 404, not revealing that it exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from cfit.accounts.access import is_secretariat_staff
from cfit.accounts.models import Membership, Organisation
from cfit.learning.models import Event, Guide
from cfit.pact.access import can_edit_working_group, is_coordinator
from cfit.pact.models import GroupMembership


def get_guide_for_reader(user: Any, slug: str) -> Guide:
    guide = Guide.objects.filter(slug=slug).prefetch_related("product_groups", "criterion_links").first()
    if guide is None or (guide.current is None and not is_secretariat_staff(user)):
        raise Http404
    return guide


def get_guide_to_edit(user: Any, slug: str) -> Guide:
    if not is_secretariat_staff(user):
        raise Http404
    guide = Guide.objects.filter(slug=slug).first()
    if guide is None:
        raise Http404
    return guide


def _organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user)


def visible_events(user: Any) -> QuerySet[Event]:
    events = Event.objects.select_related("buyer_group", "working_group")
    if is_secretariat_staff(user):
        return events
    public = Q(buyer_group__isnull=True, working_group__isnull=True)
    if not user.is_authenticated:
        return events.filter(public)
    organisations = _organisations(user)
    return events.filter(
        public
        | Q(
            buyer_group__memberships__organisation__in=organisations,
            buyer_group__memberships__state=GroupMembership.State.ACTIVE,
        )
        | Q(buyer_group__coordinator__in=organisations)
        | Q(working_group__members__organisation__in=organisations)
    ).distinct()


def get_event_for_user(user: Any, event_id: int) -> Event:
    event = visible_events(user).filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def can_manage_event(user: Any, event: Event) -> bool:
    """The secretariat; a buyer group's coordinator; a working group's chairs and members."""
    if is_secretariat_staff(user):
        return True
    if event.buyer_group is not None:
        return is_coordinator(user, event.buyer_group)
    if event.working_group is not None:
        return bool(can_edit_working_group(user, event.working_group))
    return False


def can_register(user: Any) -> bool:
    """Any signed-in person with an organisation on the platform (the event itself is checked by
    ``get_event_for_user``)."""
    return bool(user.is_authenticated and Membership.objects.filter(user=user).exists())
