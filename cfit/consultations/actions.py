"""Running a market consultation: create, change or delete a draft, publish, answer, publish the
summary. One transaction each, with an audit record; the rules are guarded here:

- only the group's runners create, change, delete (drafts only: a published consultation is frozen)
  and publish, and publish the summary;
- a draft's deadline lies in the future; each question fits its kind of answer;
- only a supplier (a supporter organisation) answers, through its own members, before the deadline;
- answers fit their question (yes/no, a number, one of the choices);
- the runners may close an open consultation before its deadline; the summary is published only once the
  consultation is closed, so that it never changes afterwards (a public summary that moved with each new
  answer would give that answer away to whoever compared it before and after).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.consultations import summary
from cfit.consultations.access import answering_organisations, runs
from cfit.consultations.models import Answer, Consultation, Question, Response
from cfit.monitoring.models import DisclosureRules
from cfit.pact.models import BuyerGroup, WorkingGroup


class ConsultationRefused(ValidationError):
    """Raised if a consultation cannot change as asked; the message says why."""


@dataclass(frozen=True)
class QuestionDraft:
    text: str
    kind: str
    options: tuple[str, ...] = ()
    #: the number the author knows the question by (its row on the form); 0: its place in the list
    number: int = 0


def _question_problem(question: QuestionDraft, number: int) -> str | None:
    """What is wrong with a question, naming it by its number and text; None if nothing is."""
    named = {"number": question.number or number, "question": question.text.strip()}
    if question.kind not in Question.Kind.values:
        return _("Question %(number)s (“%(question)s”): unknown kind of answer.") % named
    if question.kind == Question.Kind.CHOICE and len(question.options) < 2:
        return (
            _("Question %(number)s (“%(question)s”): a choice question needs at least two choices.") % named
        )
    if question.kind in (Question.Kind.YES_NO, Question.Kind.TEXT) and question.options:
        # Most likely a choice or number question whose kind was left as it was: say so, store nothing.
        return (
            _(
                "Question %(number)s (“%(question)s”): a yes-or-no or free-text question takes no choices "
                "or range limits; choose its kind of answer."
            )
            % named
        )
    if len(set(question.options)) < len(question.options):
        return _("Question %(number)s (“%(question)s”): give each choice or range limit once.") % named
    if question.kind == Question.Kind.NUMBER:
        try:
            [float(o) for o in question.options]
        except ValueError:
            return _("Question %(number)s (“%(question)s”): give the range limits as numbers.") % named
    return None


def _check_draft(deadline: datetime, questions: Sequence[QuestionDraft]) -> None:
    """The rules of a draft, every problem at once by field (``deadline``, ``questions``): the deadline
    lies in the future; at least one question, each fit for its kind of answer."""
    problems: dict[str, list[str]] = {}
    if deadline <= timezone.now():
        problems["deadline"] = [_("The deadline must lie in the future.")]
    if not questions:
        problems["questions"] = [_("Ask at least one question.")]
    found = [_question_problem(q, i) for i, q in enumerate(questions, start=1)]
    if any(found):
        problems.setdefault("questions", []).extend(p for p in found if p)
    if problems:
        raise ConsultationRefused(problems)


def _save_questions(consultation: Consultation, questions: Sequence[QuestionDraft]) -> None:
    Question.objects.bulk_create(
        Question(
            consultation=consultation, position=i, text=q.text.strip(), kind=q.kind, options=list(q.options)
        )
        for i, q in enumerate(questions)
    )


def _locked_draft(consultation: Consultation, refusal: str) -> Consultation:
    """The consultation, locked against a concurrent publication; a published one is frozen."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.status != Consultation.Status.DRAFT:
        raise ConsultationRefused(refusal, code="published")
    return locked


@transaction.atomic
def create_consultation(
    group: BuyerGroup | WorkingGroup,
    *,
    title: str,
    description: str,
    deadline: datetime,
    questions: Sequence[QuestionDraft],
    acting_user: Any,
) -> Consultation:
    consultation = Consultation(
        title=title.strip(), description=description.strip(), deadline=deadline, created_by=acting_user,
        buyer_group=group if isinstance(group, BuyerGroup) else None,
        working_group=group if isinstance(group, WorkingGroup) else None,
    )  # fmt: skip
    if not runs(acting_user, consultation):
        raise PermissionDenied
    _check_draft(deadline, questions)
    consultation.save()
    _save_questions(consultation, questions)
    record(
        AuditRecord.Action.CONSULTATION_SAVED, consultation, acting_user=acting_user,
        after={"status": consultation.status, "questions": len(questions)},
    )  # fmt: skip
    return consultation


def _state(consultation: Consultation) -> dict[str, Any]:
    return {
        "title": consultation.title,
        "description": consultation.description,
        "deadline": consultation.deadline.isoformat(),
        "questions": [
            {"text": q.text, "kind": q.kind, "options": q.options} for q in consultation.questions.all()
        ],
    }


@transaction.atomic
def update_consultation(
    consultation: Consultation,
    *,
    title: str,
    description: str,
    deadline: datetime,
    questions: Sequence[QuestionDraft],
    acting_user: Any,
) -> Consultation:
    """A draft's title, introduction, deadline and questions, replaced as given (a draft has no answers).
    Whoever may create it may change it; a published consultation is frozen."""
    if not runs(acting_user, consultation):
        raise PermissionDenied
    consultation = _locked_draft(consultation, _("A published consultation cannot change."))
    _check_draft(deadline, questions)
    before = _state(consultation)
    consultation.title, consultation.description = title.strip(), description.strip()
    consultation.deadline = deadline
    consultation.save(update_fields=["title", "description", "deadline"])
    consultation.questions.all().delete()
    _save_questions(consultation, questions)
    record(
        AuditRecord.Action.CONSULTATION_SAVED, consultation, acting_user=acting_user,
        before=before, after=_state(consultation),
    )  # fmt: skip
    return consultation


@transaction.atomic
def delete_consultation(consultation: Consultation, *, acting_user: Any) -> None:
    """A draft goes with its questions; whoever may create it may delete it. A published one stays."""
    if not runs(acting_user, consultation):
        raise PermissionDenied
    consultation = _locked_draft(consultation, _("A published consultation cannot be deleted."))
    record(
        AuditRecord.Action.CONSULTATION_DELETED, consultation, acting_user=acting_user,
        before=_state(consultation),
    )  # fmt: skip
    consultation.delete()


@transaction.atomic
def publish_consultation(consultation: Consultation, *, acting_user: Any) -> Consultation:
    if not runs(acting_user, consultation):
        raise PermissionDenied
    if consultation.deadline <= timezone.now():
        raise ConsultationRefused(_("Set a deadline in the future first."), code="deadline")
    consultation.status = Consultation.Status.PUBLISHED
    consultation.published = timezone.now()
    consultation.save(update_fields=["status", "published"])
    record(
        AuditRecord.Action.CONSULTATION_PUBLISHED, consultation, acting_user=acting_user,
        after={"status": consultation.status},
    )  # fmt: skip
    return consultation


def clean_answer(question: Question, value: str) -> str:
    """The answer in its stored form, or ConsultationRefused naming the question."""
    value = value.strip()
    if not value:
        return ""
    if question.kind == Question.Kind.YES_NO and value not in (summary.YES, summary.NO):
        raise ConsultationRefused(
            _("“%(question)s”: answer yes or no.") % {"question": question.text}, code="yes_no"
        )
    if question.kind == Question.Kind.CHOICE and value not in question.options:
        raise ConsultationRefused(
            _("“%(question)s”: choose one of the choices.") % {"question": question.text}, code="choice"
        )
    if question.kind == Question.Kind.NUMBER:
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            raise ConsultationRefused(
                _("“%(question)s”: give a number.") % {"question": question.text}, code="number"
            ) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ConsultationRefused(
                _("“%(question)s”: give a number.") % {"question": question.text}, code="number"
            )
        return f"{number:g}"
    return value


@transaction.atomic
def submit_answers(
    consultation: Consultation, organisation: Organisation, values: Mapping[int, str], *, acting_user: Any
) -> Response:
    """A supplier's answers by question id, replacing its earlier ones, until the deadline.

    All or nothing: an answer that does not fit its question refuses the lot, with every such answer's
    problem by question id as a string (``error.message_dict``), and the earlier answers stay as they were.
    Answers to no question at all are refused."""
    if organisation not in answering_organisations(acting_user):
        raise PermissionDenied
    # Locked: an answer never lands after the consultation was closed (and its summary published).
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation.is_open:
        raise ConsultationRefused(_("This consultation does not take answers (any more)."), code="closed")
    questions = list(consultation.questions.all())
    cleaned: dict[int, str] = {}
    problems: dict[str, list[str]] = {}
    for question in questions:
        try:
            cleaned[question.pk] = clean_answer(question, values.get(question.pk, ""))
        except ConsultationRefused as error:
            problems[str(question.pk)] = error.messages
    if problems:
        raise ConsultationRefused(problems)
    if not any(cleaned.values()):
        # An empty form is most likely sent by mistake; it would also leave the group a supplier that
        # "answered" nothing. Earlier answers stay (withdrawing them is not offered).
        raise ConsultationRefused(_("Answer at least one question: nothing was sent."), code="empty")
    response, _created = Response.objects.update_or_create(
        consultation=consultation, organisation=organisation,
        defaults={"submitted_by": acting_user, "submitted": timezone.now()},
    )  # fmt: skip
    response.answers.all().delete()
    Answer.objects.bulk_create(
        Answer(response=response, question_id=pk, value=value) for pk, value in cleaned.items() if value
    )
    record(
        AuditRecord.Action.CONSULTATION_ANSWERED, response, acting_user=acting_user, organisation=organisation,
        after={"answers": len([v for v in cleaned.values() if v])},
    )  # fmt: skip
    return response


@transaction.atomic
def close_consultation(consultation: Consultation, *, acting_user: Any) -> Consultation:
    """An open consultation stops taking answers now, before its deadline (the deadline becomes now)."""
    if not runs(acting_user, consultation):
        raise PermissionDenied
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation.is_open:
        raise ConsultationRefused(_("This consultation does not take answers (any more)."), code="closed")
    before = consultation.deadline.isoformat()
    consultation.deadline = timezone.now()
    consultation.save(update_fields=["deadline"])
    record(
        AuditRecord.Action.CONSULTATION_CLOSED, consultation, acting_user=acting_user,
        before={"deadline": before}, after={"deadline": consultation.deadline.isoformat()},
    )  # fmt: skip
    return consultation


@transaction.atomic
def publish_summary(consultation: Consultation, *, acting_user: Any) -> Consultation:
    """The anonymised summary becomes public (only ever what the disclosure rules allow), once the
    consultation is closed: the answers it counts can no longer change."""
    if not runs(acting_user, consultation):
        raise PermissionDenied
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.PUBLISHED:
        raise ConsultationRefused(_("Publish the consultation first."), code="draft")
    if consultation.is_open:
        raise ConsultationRefused(
            _(
                "The summary is published once the consultation is closed: close it first, or wait for its deadline."
            ),
            code="open",
        )
    consultation.summary_published = timezone.now()
    consultation.save(update_fields=["summary_published"])
    record(
        AuditRecord.Action.CONSULTATION_SUMMARY_PUBLISHED, consultation, acting_user=acting_user,
        after={"summary_published": consultation.summary_published.isoformat()},
    )  # fmt: skip
    return consultation


def summarise(consultation: Consultation) -> list[tuple[Question, summary.QuestionSummary]]:
    """Each question with its anonymised summary, from the answers stored."""
    questions = list(consultation.questions.all())
    by_supplier: dict[str, dict[str, str]] = {}
    for answer in Answer.objects.filter(response__consultation=consultation).select_related("response"):
        by_supplier.setdefault(str(answer.response.organisation_id), {})[str(answer.question_id)] = (
            answer.value
        )
    # Under the rules in force, as every collective figure of the pact: a secretariat that asks for more
    # than three contributors asks it of consultations too.
    summaries = summary.summarise_all(
        [(str(q.pk), q.shape) for q in questions], by_supplier, DisclosureRules.current()
    )
    return [(q, summaries[str(q.pk)]) for q in questions]
