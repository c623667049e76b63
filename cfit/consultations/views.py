"""Pages of market consultations: the list, a group's new consultation, a consultation with the answer
form for suppliers, and for the group each answer and the anonymised summary."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.consultations import actions, summary
from cfit.consultations.access import (
    answering_organisations,
    get_consultation,
    get_consultation_to_run,
    runs,
    sees_answers,
)
from cfit.consultations.forms import ConsultationForm, editing
from cfit.consultations.models import Answer, Consultation, Question
from cfit.pact.access import can_edit_working_group, get_group, is_coordinator
from cfit.pact.models import BuyerGroup, WorkingGroup


def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = Consultation.objects.published().select_related("buyer_group", "working_group")
    runnable: list[tuple[str, str, str]] = []
    drafts: list[Consultation] = []
    if request.user.is_authenticated:
        runnable = [
            ("buyer-group", g.slug, g.name)
            for g in BuyerGroup.objects.all()
            if is_coordinator(request.user, g)
        ]
        runnable += [
            ("working-group", g.slug, g.name)
            for g in WorkingGroup.objects.all()
            if can_edit_working_group(request.user, g)
        ]
        drafts = [
            c for c in Consultation.objects.filter(status=Consultation.Status.DRAFT) if runs(request.user, c)
        ]
    return render(
        request,
        "consultations/list.html",
        {"consultations": consultations, "runnable": runnable, "drafts": drafts},
    )


def _group(user: Any, kind: str, slug: str) -> BuyerGroup | WorkingGroup:
    if kind == "buyer-group":
        group = get_group(slug)
        if not is_coordinator(user, group):
            raise PermissionDenied
        return group
    if kind == "working-group":
        working_group = WorkingGroup.objects.filter(slug=slug).first()
        if working_group is None:
            raise Http404
        if not can_edit_working_group(user, working_group):
            raise PermissionDenied
        return working_group
    raise Http404


def _drafts(form: ConsultationForm) -> list[actions.QuestionDraft]:
    return [actions.QuestionDraft(text, kind, options, n) for n, text, kind, options in form.questions()]


def _refused(form: ConsultationForm, error: actions.ConsultationRefused) -> None:
    """The action's refusal on the form: by field where it names one, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@login_required
def new(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    group = _group(request.user, kind, slug)
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = actions.create_consultation(
                group,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                deadline=form.cleaned_data["deadline"],
                questions=_drafts(form),
                acting_user=request.user,
            )
        except actions.ConsultationRefused as error:
            _refused(form, error)
        else:
            return redirect("consultations:detail", consultation.pk)
    return render(request, "consultations/new.html", {"form": form, "group": group})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's title, introduction, deadline and questions, for whoever may create it."""
    consultation = get_consultation_to_run(request.user, pk)
    if consultation.status != Consultation.Status.DRAFT:
        messages.error(request, _("A published consultation cannot change."))
        return redirect("consultations:detail", consultation.pk)
    form = editing(consultation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_consultation(
                consultation,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                deadline=form.cleaned_data["deadline"],
                questions=_drafts(form),
                acting_user=request.user,
            )
        except actions.ConsultationRefused as error:
            _refused(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("consultations:detail", consultation.pk)
    return render(
        request,
        "consultations/new.html",
        {
            "form": form,
            "group": consultation.buyer_group or consultation.working_group,
            "consultation": consultation,
        },
    )


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft, deleted after a confirmation, by whoever may create it."""
    consultation = get_consultation_to_run(request.user, pk)
    if consultation.status != Consultation.Status.DRAFT:
        messages.error(request, _("A published consultation cannot be deleted."))
        return redirect("consultations:detail", consultation.pk)
    if request.method == "POST":
        try:
            actions.delete_consultation(consultation, acting_user=request.user)
        except actions.ConsultationRefused as error:
            messages.error(request, " ".join(error.messages))
            return redirect("consultations:detail", consultation.pk)
        messages.success(request, _("The draft “%(title)s” is deleted.") % {"title": consultation.title})
        return redirect("consultations:list")
    return render(request, "consultations/delete.html", {"consultation": consultation})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    # ``for``: which of the supplier's organisations the form answers for (and shows the answers of).
    return _detail(request, get_consultation(request.user, pk), answering_for=request.GET.get("for", ""))


def _shown(question: Question, value: str) -> str:
    """An answer as the reader reads it: a yes/no answer by its label in the reader's language."""
    if question.kind == Question.Kind.YES_NO:
        return {summary.YES: _("Yes"), summary.NO: _("No")}.get(value, value)
    return value


def _detail(
    request: HttpRequest,
    consultation: Consultation,
    *,
    typed: dict[int, str] | None = None,
    answering_for: str = "",
    problems: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The consultation's page; ``typed``: the answers a supplier sent that were refused, shown again
    as typed with ``problems`` by question id, for the organisation ``answering_for`` (a slug)."""
    questions = list(consultation.questions.all())
    context: dict[str, Any] = {
        "consultation": consultation,
        "questions": questions,
        "runs": runs(request.user, consultation),
        "state": consultation.state,
        "sees_answers": sees_answers(request.user, consultation),
    }
    if context["sees_answers"] or consultation.summary_published:
        context["summaries"] = actions.summarise(consultation)
    if context["sees_answers"]:
        responses = list(consultation.responses.select_related("organisation"))
        values = {
            (a.response_id, a.question_id): a.value for a in Answer.objects.filter(response__in=responses)
        }
        context["responses"] = [
            (r, [_shown(q, values.get((r.pk, q.pk), "")) for q in questions]) for r in responses
        ]
    suppliers = answering_organisations(request.user) if consultation.is_open else []
    if suppliers:
        chosen = next((o for o in suppliers if o.slug == answering_for), suppliers[0])
        if typed is None:
            typed = {
                a.question_id: a.value
                for a in Answer.objects.filter(
                    response__consultation=consultation, response__organisation=chosen
                )
            }
        problems = problems or {}
        context["suppliers"] = suppliers
        context["answering_for"] = chosen
        context["answer_rows"] = [(q, typed.get(q.pk, ""), problems.get(str(q.pk), [])) for q in questions]
    return render(request, "consultations/detail.html", context)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_consultation(request.user, pk)
    suppliers = {o.slug: o for o in answering_organisations(request.user)}
    organisation = suppliers.get(request.POST.get("organisation", ""))
    if organisation is None:
        raise PermissionDenied
    values = {q.pk: request.POST.get(f"answer-{q.pk}", "") for q in consultation.questions.all()}
    try:
        actions.submit_answers(consultation, organisation, values, acting_user=request.user)
    except actions.ConsultationRefused as error:
        if not hasattr(error, "error_dict"):
            messages.error(request, " ".join(error.messages))
            return redirect("consultations:detail", consultation.pk)
        # Nothing is stored: the form comes back as typed, each refused answer with its problem.
        messages.error(request, _("Nothing was sent: correct the answers marked below."))
        return _detail(
            request, consultation, typed=values, answering_for=organisation.slug, problems=error.message_dict
        )
    messages.success(request, _("Your answers have been sent to the group."))
    return redirect("consultations:detail", consultation.pk)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_consultation_to_run(request.user, pk)
    try:
        actions.publish_consultation(consultation, acting_user=request.user)
    except actions.ConsultationRefused as error:
        messages.error(request, " ".join(error.messages))
    return redirect("consultations:detail", consultation.pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_consultation_to_run(request.user, pk)
    try:
        actions.close_consultation(consultation, acting_user=request.user)
    except actions.ConsultationRefused as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The consultation is closed: it takes no more answers."))
    return redirect("consultations:detail", consultation.pk)


@login_required
@require_POST
def publish_summary(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_consultation_to_run(request.user, pk)
    try:
        actions.publish_summary(consultation, acting_user=request.user)
    except actions.ConsultationRefused as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The anonymised summary is public."))
    return redirect("consultations:detail", consultation.pk)
