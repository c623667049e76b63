"""Market consultations: a buyer group or a working group asks suppliers questions before a deadline.

Suppliers (supporter organisations) answer; the group sees each answer and an anonymised summary
(``summary.py``) that it may publish. Exactly one group runs a consultation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation
from cfit.consultations import summary
from cfit.pact.models import BuyerGroup, WorkingGroup


class ConsultationQuerySet(models.QuerySet):
    def published(self) -> ConsultationQuerySet:
        return self.filter(status=Consultation.Status.PUBLISHED)


class Consultation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.TextField(_("title"))
    description = models.TextField(_("what the group wants to learn"), blank=True)
    buyer_group = models.ForeignKey(
        BuyerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="consultations"
    )
    working_group = models.ForeignKey(
        WorkingGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="consultations"
    )
    deadline = models.DateTimeField(_("answers until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published = models.DateTimeField(_("published on"), null=True, blank=True)
    summary_published = models.DateTimeField(
        _("summary published on"), null=True, blank=True, help_text=_("The anonymised summary is public.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("market consultation")
        verbose_name_plural = _("market consultations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(buyer_group__isnull=False, working_group__isnull=True)
                | models.Q(buyer_group__isnull=True, working_group__isnull=False),
                name="consultation_run_by_one_group",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def group_name(self) -> str:
        return str(self.buyer_group or self.working_group)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PUBLISHED and timezone.now() < self.deadline

    @property
    def state(self) -> str:
        """ "draft", "open" (taking answers) or "closed" (published, past its deadline)."""
        if self.status == self.Status.DRAFT:
            return "draft"
        return "open" if self.is_open else "closed"


class Question(models.Model):
    class Kind(models.TextChoices):
        YES_NO = summary.YES_NO, _("Yes or no")
        NUMBER = summary.NUMBER, _("Number")
        CHOICE = summary.CHOICE, _("One of several choices")
        TEXT = summary.TEXT, _("Free text")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("question"))
    kind = models.CharField(_("kind of answer"), max_length=8, choices=Kind.choices)
    options = models.JSONField(
        _("choices or ranges"),
        default=list,
        blank=True,
        help_text=_(
            "A choice question's choices; a number question's range limits (the summary counts per range)."
        ),
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def shape(self) -> summary.QuestionShape:
        return summary.QuestionShape(self.kind, tuple(str(o) for o in self.options))


class Response(models.Model):
    """One supplier's answers; it may change them until the deadline."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consultation_responses"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted = models.DateTimeField(_("answered on"))

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "organisation"], name="one_response_per_supplier")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.consultation}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(_("answer"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return self.value
