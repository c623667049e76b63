"""Pages of the pact: buyer groups, an organisation's participation, working groups and their documents,
and joint statements of demand with their collective demand, published in steps.

Views are thin: a form in, an action of ``cfit.pact.actions`` (which guards the pact's rules), a
redirect. What a user may see or do comes from the permission-scoped getters of ``cfit.pact.access``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.accounts.access import get_membership, is_secretariat_staff
from cfit.accounts.models import Organisation
from cfit.consultations.models import Consultation
from cfit.criteria.content import is_web_address
from cfit.criteria.models import Criterion, FrameworkVersion, ProductGroup, translated
from cfit.pact import actions
from cfit.pact.access import (
    admin_organisations,
    can_edit_working_group,
    get_admin_organisation,
    get_group,
    get_group_to_run,
    get_membership_to_answer,
    get_statement,
    get_working_group,
    get_working_group_request_to_answer,
    get_working_group_to_edit,
    get_working_group_to_run,
    is_coordinator,
    is_working_group_member,
    seats_to_manage,
)
from cfit.pact.actions import PactRuleBroken
from cfit.pact.demand import collective_demand
from cfit.pact.forms import (
    AnswerForm,
    DocumentForm,
    InviteForm,
    JoinForm,
    ParticipationForm,
    SeatForm,
    SeatRequestForm,
    SignForm,
    StatementForm,
    WorkingGroupForm,
)
from cfit.pact.models import (
    BuyerGroup,
    GroupMembership,
    Signature,
    SignatureVolume,
    Statement,
    WorkingGroup,
    WorkingGroupDocument,
    WorkingGroupMember,
    WorkingGroupRequest,
)
from cfit.refusals import message_text
from cfit.uploads import ImportRefused

ACTIVE = GroupMembership.State.ACTIVE


def _message(error: PactRuleBroken) -> str:
    return " ".join(str(m) for m in error.messages)


def _organisation_to_commit(user: Any, slug: str) -> Organisation:
    """An organisation the user administers; 403 for its other members, 404 for everyone else."""
    try:
        return get_admin_organisation(user, slug)
    except Http404:
        get_membership(user, slug)  # 404 unless the user is a member
        raise PermissionDenied from None


# ---------------------------------------------------------------------------
# Buyer groups
# ---------------------------------------------------------------------------


def group_list(request: HttpRequest) -> HttpResponse:
    groups = BuyerGroup.objects.select_related("coordinator").annotate(
        active_members=Count("memberships", filter=Q(memberships__state=ACTIVE))
    )
    return render(
        request,
        "pact/groups.html",
        {"groups": groups, "administered": admin_organisations(request.user)},
    )


def _visitor_panel(user: Any, group: BuyerGroup) -> dict[str, Any]:
    """What a signed-in user's organisations may do here: ask to join, answer an invitation."""
    organisations = admin_organisations(user)
    if not organisations:
        return {}
    own = {
        m.organisation_id: m
        for m in group.memberships.filter(organisation__in=organisations).select_related("organisation")
    }
    may_ask = [
        o
        for o in organisations
        if o.is_participant
        and o.pk != group.coordinator_id
        and (o.pk not in own or own[o.pk].state == GroupMembership.State.DECLINED)
    ]
    return {
        "join_form": JoinForm(may_ask) if may_ask else None,
        "own_memberships": [m for m in own.values() if m.state != GroupMembership.State.INVITED],
        "invitations": [m for m in own.values() if m.state == GroupMembership.State.INVITED],
    }


def _coordinator_panel(group: BuyerGroup, members: list[GroupMembership]) -> dict[str, Any]:
    pending = list(
        group.memberships.filter(
            state__in=[GroupMembership.State.REQUESTED, GroupMembership.State.INVITED]
        ).select_related("organisation")
    )
    candidates = Organisation.objects.participants().exclude(pk__in=[m.organisation_id for m in members])
    return {
        "requests": [m for m in pending if m.state == GroupMembership.State.REQUESTED],
        "invited": [m for m in pending if m.state == GroupMembership.State.INVITED],
        "invite_form": InviteForm(candidates),
    }


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group(slug)
    members = list(group.memberships.filter(state=ACTIVE).select_related("organisation"))
    context: dict[str, Any] = {"group": group, "members": members, "coordinates": False}
    if request.user.is_authenticated:
        context.update(_visitor_panel(request.user, group))
        if is_coordinator(request.user, group):
            context.update(_coordinator_panel(group, members), coordinates=True)
        elif not context.get("join_form") and not context.get("own_memberships"):
            context["join_note"] = _why_not_joining(request.user, group, members)
    return render(request, "pact/group.html", context)


def _why_not_joining(user: Any, group: BuyerGroup, members: list[GroupMembership]) -> str:
    """What a signed-in reader who may not ask to join needs to know: who asks, or who may join."""
    inside = {m.organisation_id for m in members} | {group.coordinator_id}
    organisations = list(Organisation.objects.filter(memberships__user=user).distinct())
    if any(o.pk in inside for o in organisations):
        return ""
    participants = [o for o in organisations if o.is_participant]
    if participants:
        return _("The administrators of %(name)s ask to join for it.") % {"name": participants[0].name}
    return _("Only participants join buyer groups.")


@require_POST
@login_required
def group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group(slug)
    organisation = _organisation_to_commit(request.user, request.POST.get("organisation", ""))
    try:
        membership = actions.request_to_join(group, organisation, acting_user=request.user)
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        names = {"name": organisation.name, "group": group.name}
        if membership.state == ACTIVE:
            messages.success(request, _("%(name)s is now a member of %(group)s.") % names)
        else:
            messages.success(request, _("%(name)s asked to join %(group)s; the coordinator decides.") % names)
    return redirect("pact:group", slug=group.slug)


@require_POST
@login_required
def group_invite(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_group_to_run(request.user, slug)
    # Any organisation that takes part may be chosen here: the action says who may not be a member.
    form = InviteForm(Organisation.objects.exclude(type=Organisation.Type.SECRETARIAT), request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an organisation to invite."))
        return redirect("pact:group", slug=group.slug)
    organisation = form.cleaned_data["organisation"]
    try:
        membership = actions.invite(group, organisation, acting_user=request.user)
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        names = {"name": organisation.name, "group": group.name}
        if membership.state == ACTIVE:
            messages.success(request, _("%(name)s had asked to join: it is now a member.") % names)
        else:
            messages.success(request, _("%(name)s is invited to %(group)s.") % names)
    return redirect("pact:group", slug=group.slug)


@require_POST
@login_required
def membership_answer(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_membership_to_answer(request.user, membership_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Accept or decline."))
        return redirect("pact:group", slug=membership.group.slug)
    try:
        actions.decide(membership, accept=form.accepted, acting_user=request.user)
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        names = {"name": membership.organisation.name, "group": membership.group.name}
        if form.accepted:
            messages.success(request, _("%(name)s is now a member of %(group)s.") % names)
        else:
            messages.success(request, _("Declined: %(name)s is not a member of %(group)s.") % names)
    return redirect("pact:group", slug=membership.group.slug)


# ---------------------------------------------------------------------------
# An organisation's participation
# ---------------------------------------------------------------------------


@login_required
def participation(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_admin_organisation(request.user, slug)
    form = ParticipationForm(
        request.POST or None,
        initial={
            "type": organisation.type,
            "signed_on": organisation.signed_on,
            "users_served": organisation.users_served,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.join_pact(
                organisation,
                data["type"],
                signed_on=data["signed_on"],
                users_served=data["users_served"],
                acting_user=request.user,
            )
        except PactRuleBroken as error:
            form.add_error(ParticipationForm.FIELD_OF_RULE.get(error.code or ""), _message(error))
        else:
            messages.success(
                request, _("The participation of %(name)s is saved.") % {"name": organisation.name}
            )
            return redirect("pact:participation", slug=organisation.slug)
    led = BuyerGroup.objects.led_by(organisation)
    groups = (
        GroupMembership.objects.filter(organisation=organisation)
        .exclude(group__coordinator=organisation)
        .select_related("group")
    )
    return render(
        request,
        "pact/participation.html",
        {"organisation": organisation, "form": form, "led": led, "memberships": groups},
    )


# ---------------------------------------------------------------------------
# Working groups
# ---------------------------------------------------------------------------


def working_group_list(request: HttpRequest) -> HttpResponse:
    groups = WorkingGroup.objects.annotate(member_count=Count("members"))
    return render(
        request,
        "pact/working_groups.html",
        {"groups": groups, "can_create": is_secretariat_staff(request.user)},
    )


@login_required
def working_group_new(request: HttpRequest) -> HttpResponse:
    """The secretariat starts a working group; then it seats its chair and members on the group's page."""
    if not is_secretariat_staff(request.user):
        raise PermissionDenied
    form = WorkingGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = actions.save_working_group(form.save(commit=False), acting_user=request.user)
        messages.success(request, _("The working group is created: seat its chair and members."))
        return redirect("pact:working-group", slug=group.slug)
    return render(request, "pact/working_group_form.html", {"form": form, "group": None})


@login_required
def working_group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_working_group_to_edit(request.user, slug)
    name = group.name  # the form writes the input onto the group, valid or not
    form = WorkingGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        actions.save_working_group(group, acting_user=request.user)
        messages.success(request, _("The working group is saved."))
        return redirect("pact:working-group", slug=group.slug)
    return render(
        request,
        "pact/working_group_form.html",
        {"form": form, "group": group, "name": name, "slug": slug},
    )


def _seat_candidates() -> Any:
    """Whom a seat may be given to: any organisation but the secretariat (the action says which seat a
    supporter may hold)."""
    return Organisation.objects.exclude(type=Organisation.Type.SECRETARIAT)


def _running_panel(
    group: WorkingGroup, roles: frozenset[str], members: list[WorkingGroupMember]
) -> dict[str, Any]:
    """What the secretariat or a chair sees to run the group's seats."""
    requests = list(
        group.requests.filter(state=WorkingGroupRequest.State.REQUESTED).select_related("organisation")
    )
    return {
        "seat_roles": [(role.value, role.label) for role in WorkingGroupMember.Role if role in roles],
        "seat_requests": [r for r in requests if r.role in roles],
        "seat_form": SeatForm(
            _seat_candidates().exclude(pk__in=[m.organisation_id for m in members]).order_by("name"), roles
        ),
    }


def _seat_request_panel(user: Any, group: WorkingGroup, members: list[WorkingGroupMember]) -> dict[str, Any]:
    """What a signed-in reader's organisations may do here: ask for a seat, see their open requests."""
    organisations = [o for o in admin_organisations(user) if not o.is_secretariat]
    if not organisations:
        return {}
    seated = {m.organisation_id for m in members}
    open_requests = list(
        group.requests.filter(
            organisation__in=organisations, state=WorkingGroupRequest.State.REQUESTED
        ).select_related("organisation")
    )
    asked = {r.organisation_id for r in open_requests}
    may_ask = [o for o in organisations if o.pk not in seated and o.pk not in asked]
    return {
        "seat_request_form": SeatRequestForm(may_ask) if may_ask else None,
        "own_seat_requests": open_requests,
    }


def _titled(statements: Any) -> list[Statement]:
    language = get_language()
    statements = list(statements)
    for statement in statements:
        statement.display_title = statement.title_in(language)
    return statements


def working_group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_working_group(slug)
    can_edit = can_edit_working_group(request.user, group)
    is_member = can_edit or is_working_group_member(request.user, group)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not is_member:
            raise Http404
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data, upload = form.cleaned_data, form.cleaned_data["file"]
            try:
                actions.add_document(
                    group,
                    title=data["title"],
                    language=data["language"],
                    user=request.user,
                    url=data["url"],
                    data=upload.read() if upload else b"",
                    filename=upload.name if upload else "",
                )
            except PactRuleBroken as error:
                form.add_error(None, _message(error))
            except ImportRefused as error:
                form.add_error("file", "; ".join(message_text(p) for p in error.problems))
            else:
                messages.success(request, _("Document added."))
                return redirect("pact:working-group", slug=group.slug)
    statements = group.statements.annotate(signatories=Count("signatures"))
    consultations = group.consultations.all()
    if not can_edit:
        statements = statements.exclude(status=Statement.Status.DRAFT)
        consultations = consultations.exclude(status=Consultation.Status.DRAFT)
    members = list(group.members.select_related("organisation"))
    roles = seats_to_manage(request.user, group)
    context: dict[str, Any] = {
        "group": group,
        "members": members,
        "is_member": is_member,
        "can_edit": can_edit,
        "edits_group": is_secretariat_staff(request.user),
        "seats_to_manage": roles,
        "documents": group.documents.all() if is_member else [],
        "form": form,
        "statements": _titled(statements),
        "consultations": consultations,
    }
    if roles:
        context.update(_running_panel(group, roles, members))
    if request.user.is_authenticated:
        context.update(_seat_request_panel(request.user, group, members))
    return render(request, "pact/working_group.html", context)


@require_POST
@login_required
def working_group_seat(request: HttpRequest, slug: str) -> HttpResponse:
    """Seat an organisation, or change the role of its seat: the secretariat any seat, a chair its
    group's members and observers."""
    group, roles = get_working_group_to_run(request.user, slug)
    form = SeatForm(_seat_candidates(), roles, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an organisation and a role."))
        return redirect("pact:working-group", slug=group.slug)
    organisation, role = form.cleaned_data["organisation"], form.cleaned_data["role"]
    current = WorkingGroupMember.objects.filter(group=group, organisation=organisation).first()
    if current is not None and current.role not in roles:
        raise PermissionDenied  # a chair's seat is the secretariat's
    try:
        seat = actions.add_working_group_member(group, organisation, role, acting_user=request.user)
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            _("%(name)s sits in %(group)s (%(role)s).")
            % {"name": organisation.name, "group": group.name, "role": seat.get_role_display()},
        )
    return redirect("pact:working-group", slug=group.slug)


@require_POST
@login_required
def working_group_seat_remove(request: HttpRequest, slug: str, seat_id: int) -> HttpResponse:
    group, roles = get_working_group_to_run(request.user, slug)
    seat = get_object_or_404(
        WorkingGroupMember.objects.select_related("organisation"), group=group, pk=seat_id
    )
    if seat.role not in roles:
        raise PermissionDenied
    try:
        actions.remove_working_group_member(seat, acting_user=request.user)
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            _("%(name)s no longer sits in %(group)s.")
            % {"name": seat.organisation.name, "group": group.name},
        )
    return redirect("pact:working-group", slug=group.slug)


@require_POST
@login_required
def working_group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_working_group(slug)
    organisation = _organisation_to_commit(request.user, request.POST.get("organisation", ""))
    form = SeatRequestForm([organisation], request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to take part."))
        return redirect("pact:working-group", slug=group.slug)
    try:
        actions.request_working_group_seat(
            group, organisation, form.cleaned_data["role"], acting_user=request.user
        )
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            _("%(name)s asked to join %(group)s; the secretariat or a chair answers.")
            % {"name": organisation.name, "group": group.name},
        )
    return redirect("pact:working-group", slug=group.slug)


@require_POST
@login_required
def working_group_request_answer(request: HttpRequest, request_id: int) -> HttpResponse:
    seat_request = get_working_group_request_to_answer(request.user, request_id)
    group = seat_request.group
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Accept or decline."))
        return redirect("pact:working-group", slug=group.slug)
    try:
        actions.decide_working_group_request(seat_request, accept=form.accepted, acting_user=request.user)
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        names = {"name": seat_request.organisation.name, "group": group.name}
        if form.accepted:
            messages.success(request, _("%(name)s now sits in %(group)s.") % names)
        else:
            messages.success(request, _("Declined: %(name)s does not sit in %(group)s.") % names)
    return redirect("pact:working-group", slug=group.slug)


def document(request: HttpRequest, slug: str, document_id: int) -> HttpResponseBase:
    """A document of a working group, for its members and the secretariat only (404 for others)."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not is_working_group_member(request.user, group):
        raise Http404
    item = get_object_or_404(WorkingGroupDocument, group=group, pk=document_id)
    if item.url:
        if not is_web_address(item.url):  # stored before links were checked: never followed
            raise Http404
        return HttpResponseRedirect(item.url)
    path = Path(item.stored_file)
    if not item.stored_file or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=item.filename or path.name)


# ---------------------------------------------------------------------------
# Statements of demand
# ---------------------------------------------------------------------------


def statement_list(request: HttpRequest) -> HttpResponse:
    public = (
        Statement.objects.filter(status__in=[Statement.Status.PUBLISHED, Statement.Status.CLOSED])
        .select_related("working_group")
        .annotate(signatories=Count("signatures"))
    )
    drafts: Any = []
    if request.user.is_authenticated:
        with_drafts = WorkingGroup.objects.filter(statements__status=Statement.Status.DRAFT).distinct()
        editable = [g for g in with_drafts if can_edit_working_group(request.user, g)]
        if editable:
            drafts = Statement.objects.filter(
                status=Statement.Status.DRAFT, working_group__in=editable
            ).select_related("working_group")
    return render(request, "pact/statements.html", {"statements": _titled(public), "drafts": _titled(drafts)})


@login_required
def statement_new(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not can_edit_working_group(request.user, group):
        raise Http404
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        statement = actions.save_statement_draft(
            form.apply(Statement(working_group=group)), acting_user=request.user
        )
        messages.success(request, _("Draft saved. Publish it when the working group agrees."))
        return redirect("pact:statement", slug=statement.slug)
    return render(request, "pact/statement_form.html", {"form": form, "group": group, "statement": None})


def _statement_to_edit(user: Any, slug: str) -> Statement:
    statement = get_statement(user, slug)  # a draft is 404 for anyone who may not edit it
    if not can_edit_working_group(user, statement.working_group):
        raise PermissionDenied
    return statement


@login_required
def statement_edit(request: HttpRequest, slug: str) -> HttpResponse:
    statement = _statement_to_edit(request.user, slug)
    if statement.status != Statement.Status.DRAFT:
        messages.error(request, _("Only a draft is edited."))
        return redirect("pact:statement", slug=statement.slug)
    form = StatementForm(request.POST or None, statement=statement)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_statement_draft(form.apply(statement), acting_user=request.user)
        except PactRuleBroken as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, _("Draft saved."))
        return redirect("pact:statement", slug=statement.slug)
    return render(
        request,
        "pact/statement_form.html",
        {"form": form, "group": statement.working_group, "statement": statement},
    )


@require_POST
@login_required
def statement_publish(request: HttpRequest, slug: str) -> HttpResponse:
    statement = _statement_to_edit(request.user, slug)
    try:
        actions.publish_statement(statement, acting_user=request.user)
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The statement is published and open for signature."))
    return redirect("pact:statement", slug=statement.slug)


@login_required
def statement_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close a statement for good, after a confirmation: who may publish it may close it."""
    statement = _statement_to_edit(request.user, slug)
    if statement.status != Statement.Status.PUBLISHED:
        messages.error(request, _("Only a statement open for signature is closed."))
        return redirect("pact:statement", slug=statement.slug)
    if request.method == "POST":
        try:
            actions.close_statement(statement, acting_user=request.user)
        except PactRuleBroken as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, _("The statement is closed: it takes no more signatures."))
        return redirect("pact:statement", slug=statement.slug)
    return render(
        request,
        "pact/statement_close.html",
        {
            "statement": statement,
            "title": statement.title_in(get_language()),
            "signatories": Signature.objects.filter(statement=statement).count(),
        },
    )


@require_POST
@login_required
def statement_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    statement = get_statement(request.user, slug)
    organisation = _organisation_to_commit(request.user, request.POST.get("organisation", ""))
    try:
        actions.withdraw_signature(statement, organisation, acting_user=request.user)
    except PactRuleBroken as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            _("%(name)s withdrew its signature; its volumes leave the collective demand at its next update.")
            % {"name": organisation.name},
        )
    return redirect(f"{reverse('pact:statement', args=[statement.slug])}?for={organisation.slug}")


def _signed_volumes(statement: Statement, organisation: Organisation) -> dict[str, Any]:
    initial: dict[str, Any] = {"organisation": organisation.slug}
    for volume in SignatureVolume.objects.filter(
        signature__statement=statement, signature__organisation=organisation
    ):
        initial[f"units_{volume.product_group}"] = volume.units_per_year
        initial[f"spend_{volume.product_group}"] = volume.spend_eur_per_year
    return initial


def _own_signatures(
    user: Any, statement: Statement, product_groups: list[tuple[str, str]]
) -> list[tuple[Organisation, list[tuple[str, int, Any]]]]:
    """Once a statement is closed, the signatures of the reader's own organisations with their volumes
    (name of the product group, units a year, EUR a year): the public page shows only the collective
    demand, under the disclosure control, and a signatory still needs to read what it committed to."""
    if statement.status != Statement.Status.CLOSED or not user.is_authenticated:
        return []
    names = dict(product_groups)
    signatures = (
        Signature.objects.filter(statement=statement, organisation__memberships__user=user)
        .distinct()
        .select_related("organisation")
        .prefetch_related("volumes")
        .order_by("organisation__name")
    )
    order = {code: n for n, (code, _name) in enumerate(product_groups)}
    return [
        (
            s.organisation,
            [
                (names.get(v.product_group, v.product_group), v.units_per_year, v.spend_eur_per_year)
                for v in sorted(s.volumes.all(), key=lambda v: order.get(v.product_group, len(order)))
            ],
        )
        for s in signatures
    ]


def _criteria_referred_to(statement: Statement) -> list[tuple[str, str]]:
    """(code, title in the reader's language) of the criteria a statement refers to, from the published
    framework; a code the framework no longer has keeps no title."""
    version = FrameworkVersion.objects.latest_published()
    if version is None or not statement.criteria:
        return [(code, "") for code in statement.criteria]
    found = {
        c.code: c.rendered("title")
        for c in Criterion.objects.in_version(version)
        .filter(code__in=statement.criteria)
        .prefetch_related("requirements")
    }
    return [(code, found.get(code, "")) for code in statement.criteria]


def _why_not_signing(user: Any) -> str:
    """What a reader who sees no signing form needs to know: who signs, and how."""
    if not user.is_authenticated:
        return ""  # the page offers to sign in
    participants = [
        o.name for o in Organisation.objects.filter(memberships__user=user).distinct() if o.is_participant
    ]
    if participants:
        return _("The administrators of %(name)s sign for it; ask one of them.") % {"name": participants[0]}
    return _("Only participants sign statements of demand.")


def statement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    statement = get_statement(request.user, slug)
    names = dict(ProductGroup.objects.filter(code__in=statement.product_groups).values_list("code", "name"))
    product_groups = [(code, translated(names.get(code)) or code) for code in statement.product_groups]
    sign_form = None
    # The participants the reader signs for; ``for`` chooses which one the form signs for and pre-fills
    # with its volumes (the first by default), as the consultation's answer form does.
    signers = (
        [o for o in admin_organisations(request.user) if o.is_participant]
        if request.user.is_authenticated
        else []
    )
    signing_for = next(
        (o for o in signers if o.slug == request.GET.get("for")), signers[0] if signers else None
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisation = _organisation_to_commit(request.user, request.POST.get("organisation", ""))
        signing_for = organisation
        sign_form = SignForm([organisation], product_groups, request.POST)
        if sign_form.is_valid():
            try:
                actions.sign_statement(statement, organisation, sign_form.volumes(), acting_user=request.user)
            except PactRuleBroken as error:
                sign_form.add_error(None, _message(error))
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s signed the statement; its volumes count in the collective demand from its next update."
                    )
                    % {"name": organisation.name},
                )
                return redirect("pact:statement", slug=statement.slug)
    elif statement.status == Statement.Status.PUBLISHED and signing_for is not None:
        sign_form = SignForm([signing_for], product_groups, initial=_signed_volumes(statement, signing_for))
    sign_note = ""
    if statement.status == Statement.Status.PUBLISHED and sign_form is None:
        sign_note = _why_not_signing(request.user)
    signatures = list(Signature.objects.filter(statement=statement).select_related("organisation"))
    signed_for = signing_for is not None and any(s.organisation_id == signing_for.pk for s in signatures)
    language = get_language()
    return render(
        request,
        "pact/statement.html",
        {
            "statement": statement,
            "title": statement.title_in(language),
            "text": statement.text_in(language),
            "in_english": not statement.has_language(language) and language != "en",
            "product_groups": product_groups,
            "signatures": signatures,
            "demand": collective_demand(statement, product_groups),
            "sign_form": sign_form,
            "signers": signers,
            "signing_for": signing_for,
            "signed_for": signed_for,
            "own_signatures": _own_signatures(request.user, statement, product_groups),
            "sign_note": sign_note,
            "criteria": _criteria_referred_to(statement),
            # get_statement shows a draft to its editors only
            "can_edit": statement.status == Statement.Status.DRAFT,
            "can_close": statement.status == Statement.Status.PUBLISHED
            and can_edit_working_group(request.user, statement.working_group),
        },
    )
