"""Forms of consultations: they check the input; the rules are the actions' business."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cfit.consultations.models import Consultation, Question

#: Blank question rows on the form; empty rows are skipped.
QUESTION_ROWS = 6


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("What the group wants to learn"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateTimeField(
        label=_("Answers until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, rows: int = QUESTION_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        # The deadline typed is read in the platform's time zone (as an event's times are): say which.
        self.fields["deadline"].help_text = gettext("Time in %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }
        for n in range(1, rows + 1):
            self.fields[f"q{n}_text"] = forms.CharField(
                label=_("Question %(n)s") % {"n": n}, required=False, max_length=1000
            )
            self.fields[f"q{n}_kind"] = forms.ChoiceField(
                label=_("Kind of answer to question %(n)s") % {"n": n}, choices=Question.Kind.choices,
                required=False,
            )  # fmt: skip
            self.fields[f"q{n}_options"] = forms.CharField(
                label=_("Choices or range limits of question %(n)s (separated by semicolons)") % {"n": n},
                required=False,
                max_length=2000,
            )

    def questions(self) -> list[tuple[int, str, str, tuple[str, ...]]]:
        """The filled-in rows: each with its number on the form, text, kind and choices or limits."""
        rows = []
        for n in range(1, self.rows + 1):
            text = self.cleaned_data.get(f"q{n}_text", "").strip()
            if text:
                options = tuple(
                    o.strip() for o in self.cleaned_data.get(f"q{n}_options", "").split(";") if o.strip()
                )
                rows.append((n, text, self.cleaned_data.get(f"q{n}_kind") or Question.Kind.TEXT, options))
        return rows


def editing(consultation: Consultation, data: Any = None) -> ConsultationForm:
    """The form of a draft: filled in with what it says, with blank rows to add questions."""
    questions = list(consultation.questions.all())
    initial: dict[str, Any] = {
        "title": consultation.title,
        "description": consultation.description,
        "deadline": consultation.deadline,
    }
    for n, question in enumerate(questions, start=1):
        initial[f"q{n}_text"] = question.text
        initial[f"q{n}_kind"] = question.kind
        initial[f"q{n}_options"] = "; ".join(str(o) for o in question.options)
    return ConsultationForm(data, initial=initial, rows=max(QUESTION_ROWS, len(questions) + 2))
