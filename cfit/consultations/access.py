"""Who runs a consultation, who sees its answers, who answers it."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cfit.accounts.models import Organisation
from cfit.accounts.permissions import Action, organisations_where
from cfit.consultations.models import Consultation
from cfit.pact.access import can_edit_working_group, is_coordinator
from cfit.pact.models import GroupMembership, WorkingGroupMember


def runs(user: Any, consultation: Consultation) -> bool:
    """A buyer group's coordinator, or a working group's secretariat, chairs and members."""
    if consultation.buyer_group is not None:
        return is_coordinator(user, consultation.buyer_group)
    return consultation.working_group is not None and can_edit_working_group(user, consultation.working_group)


def sees_answers(user: Any, consultation: Consultation) -> bool:
    """The group: whoever runs it, and the members of the buyer group or working group. Never a supplier
    through its observer's seat in a working group: the suppliers asked do not read one another's answers."""
    if not user.is_authenticated:
        return False
    if runs(user, consultation):
        return True
    if consultation.buyer_group is not None:
        return GroupMembership.objects.filter(
            group=consultation.buyer_group,
            state=GroupMembership.State.ACTIVE,
            organisation__memberships__user=user,
        ).exists()
    return (
        consultation.working_group is not None
        and WorkingGroupMember.objects.filter(
            group=consultation.working_group, organisation__memberships__user=user
        )
        .exclude(organisation__type=Organisation.Type.SUPPORTER)
        .exists()
    )


def get_consultation(user: Any, pk: int) -> Consultation:
    """A published consultation for anyone; a draft for its group's runners only (404 for others)."""
    consultation = Consultation.objects.select_related("buyer_group", "working_group").filter(pk=pk).first()
    if consultation is None or (
        consultation.status == Consultation.Status.DRAFT and not runs(user, consultation)
    ):
        raise Http404
    return consultation


def get_consultation_to_run(user: Any, pk: int) -> Consultation:
    consultation = get_consultation(user, pk)
    if not runs(user, consultation):
        raise Http404
    return consultation


def answering_organisations(user: Any) -> list[Organisation]:
    """The supplier organisations the user answers for: where the permission table lets their role
    answer (a supporter's editors; a viewer reads)."""
    return list(organisations_where(user, Action.CONSULTATION_ANSWER))
