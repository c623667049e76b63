"""Permission-scoped getters of the pact: who may run a buyer group, answer for an organisation, edit
a working group's drafts, seat organisations in a working group."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cfit.accounts.access import is_secretariat_staff
from cfit.accounts.models import Organisation
from cfit.accounts.permissions import Action, may, organisations_where
from cfit.pact.models import (
    BuyerGroup,
    GroupMembership,
    Statement,
    WorkingGroup,
    WorkingGroupMember,
    WorkingGroupRequest,
)

Role = WorkingGroupMember.Role
#: The seats a working group's chair gives and takes: members and observers, never another chair's.
CHAIR_SEATS = frozenset({Role.MEMBER, Role.OBSERVER})


def admin_organisations(user: Any) -> list[Organisation]:
    """The organisations this user answers for in the pact (``pact.commit``: the only ones it may commit)."""
    return list(organisations_where(user, Action.PACT_COMMIT))


def coordinated_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose buyer groups this user runs (``buyer_group.run``)."""
    return organisations_where(user, Action.BUYER_GROUP_RUN)


def get_admin_organisation(user: Any, slug: str) -> Organisation:
    """An organisation the user administers; 404 for others (not revealing which exist)."""
    for organisation in admin_organisations(user):
        if organisation.slug == slug:
            return organisation
    raise Http404


def get_group(slug: str) -> BuyerGroup:
    group = BuyerGroup.objects.select_related("coordinator").filter(slug=slug).first()
    if group is None:
        raise Http404
    return group


def is_coordinator(user: Any, group: BuyerGroup) -> bool:
    """Members of the coordinating organisation whose role may run a buyer group (its administrators)."""
    return may(user, Action.BUYER_GROUP_RUN, group.coordinator_id)


def get_group_to_run(user: Any, slug: str) -> BuyerGroup:
    group = get_group(slug)
    if not is_coordinator(user, group):
        raise PermissionDenied
    return group


def get_membership_to_answer(user: Any, membership_id: int) -> GroupMembership:
    """An open invitation is answered by the organisation's administrators, an open request by the
    group's coordinator; anything else is 404."""
    membership = (
        GroupMembership.objects.select_related("group", "organisation").filter(pk=membership_id).first()
    )
    if membership is None:
        raise Http404
    if membership.state == GroupMembership.State.INVITED and membership.organisation in admin_organisations(
        user
    ):
        return membership
    if membership.state == GroupMembership.State.REQUESTED and is_coordinator(user, membership.group):
        return membership
    raise Http404


def can_edit_working_group(user: Any, group: WorkingGroup) -> bool:
    """The secretariat and the chairs and members (not observers) of the working group."""
    if is_secretariat_staff(user):
        return True
    return (
        user.is_authenticated
        and WorkingGroupMember.objects.filter(
            group=group,
            role__in=[WorkingGroupMember.Role.CHAIR, WorkingGroupMember.Role.MEMBER],
            organisation__memberships__user=user,
        ).exists()
    )


def is_working_group_member(user: Any, group: WorkingGroup) -> bool:
    return is_secretariat_staff(user) or (
        user.is_authenticated
        and WorkingGroupMember.objects.filter(group=group, organisation__memberships__user=user).exists()
    )


def get_working_group(slug: str) -> WorkingGroup:
    group = WorkingGroup.objects.filter(slug=slug).first()
    if group is None:
        raise Http404
    return group


def seats_to_manage(user: Any, group: WorkingGroup) -> frozenset[str]:
    """The roles whose seats this user gives, changes and takes in the working group: every role for the
    secretariat's staff; members and observers for the administrators of a chair (who answer for it in
    the pact, as a coordinator's run its buyer group); none for anyone else."""
    if is_secretariat_staff(user):
        return frozenset(Role)
    if not user.is_authenticated:
        return frozenset()
    chairs = set(
        WorkingGroupMember.objects.filter(group=group, role=Role.CHAIR).values_list(
            "organisation_id", flat=True
        )
    )
    return CHAIR_SEATS if any(o.pk in chairs for o in admin_organisations(user)) else frozenset()


def get_working_group_to_run(user: Any, slug: str) -> tuple[WorkingGroup, frozenset[str]]:
    """A working group whose seats the user manages, with the roles it may give; 403 for anyone else
    (the group is public), 404 for no such group."""
    group = get_working_group(slug)
    roles = seats_to_manage(user, group)
    if not roles:
        raise PermissionDenied
    return group, roles


def get_working_group_to_edit(user: Any, slug: str) -> WorkingGroup:
    """A working group whose name and description the user edits: the secretariat's staff only."""
    group = get_working_group(slug)
    if not is_secretariat_staff(user):
        raise PermissionDenied
    return group


def get_working_group_request_to_answer(user: Any, request_id: int) -> WorkingGroupRequest:
    """An open request to join, for whoever may give the seat it asks for; 404 for anyone else."""
    found = (
        WorkingGroupRequest.objects.select_related("group", "organisation")
        .filter(pk=request_id, state=WorkingGroupRequest.State.REQUESTED)
        .first()
    )
    if found is None or found.role not in seats_to_manage(user, found.group):
        raise Http404
    return found


def get_statement(user: Any, slug: str) -> Statement:
    """A published or closed statement for everyone; a draft only for its working group."""
    statement = Statement.objects.select_related("working_group").filter(slug=slug).first()
    if statement is None:
        raise Http404
    if statement.status == Statement.Status.DRAFT and not can_edit_working_group(
        user, statement.working_group
    ):
        raise Http404
    return statement
