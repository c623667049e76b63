"""Who sees an event: everyone if public; a group's event only its members (404 for others)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from cfit.accounts.access import is_secretariat_staff
from cfit.events.models import Event
from cfit.pact.models import GroupMembership, WorkingGroupMember


def visible_events(user: Any) -> QuerySet[Event]:
    public = Q(buyer_group__isnull=True, working_group__isnull=True)
    if not user.is_authenticated:
        return Event.objects.filter(public)
    if is_secretariat_staff(user):
        return Event.objects.all()
    buyer_groups = GroupMembership.objects.filter(
        state=GroupMembership.State.ACTIVE, organisation__memberships__user=user
    ).values("group_id")
    working_groups = WorkingGroupMember.objects.filter(organisation__memberships__user=user).values(
        "group_id"
    )
    return Event.objects.filter(
        public | Q(buyer_group__in=buyer_groups) | Q(working_group__in=working_groups)
    ).distinct()


def get_event(user: Any, pk: int) -> Event:
    event = visible_events(user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event
