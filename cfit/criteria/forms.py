from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from cfit.criteria import content
from cfit.criteria.content import LANGUAGES
from cfit.criteria.models import (
    Ambition,
    Criterion,
    CriterionType,
    ImpactCategory,
    LifecycleStage,
    ProductGroup,
    Strategy,
    translated,
)
from cfit.labels import label_text
from cfit.numberfields import GroupedFloatField
from cfit.uploadfields import LimitedFileField

LANGUAGE_NAMES = {
    "en": "English",
    "nl": "Nederlands",
    "fr": "Français",
    "de": "Deutsch",
    "nb": "Norsk bokmål",
}


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    product_group = forms.ChoiceField(label=_("Product group"), required=False)
    impact_category = forms.ChoiceField(
        label=_("Impact category"), required=False, choices=_any(ImpactCategory.choices)
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Life-cycle stage"), required=False, choices=_any(LifecycleStage.choices)
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_any(CriterionType.choices))
    ambition = forms.ChoiceField(label=_("Ambition"), required=False, choices=_any(Ambition.choices))
    strategy = forms.ChoiceField(label=_("Strategy"), required=False, choices=_any(Strategy.choices))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["product_group"]).choices = _any(
            [(g.code, g.display_name) for g in ProductGroup.objects.all()]
        )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


#: Shown under each tender text of the edit form: thresholds are referred to, never typed.
REFERENCE_HELP = _(
    "Write a threshold as a reference to its requirement, e.g. %(example)s: every language then "
    "shows the requirement's value, and changes with it."
)


class CriterionTextForm(forms.Form):
    """Edits the texts of a draft criterion in the five languages, and its requirements' thresholds."""

    def __init__(self, *args: Any, criterion: Criterion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        for lang in LANGUAGES:
            name = LANGUAGE_NAMES[lang]
            self.fields[f"title_{lang}"] = forms.CharField(
                label=_("Title (%(lang)s)") % {"lang": name}, initial=criterion.title.get(lang, "")
            )
            self.fields[f"text_{lang}"] = forms.CharField(
                label=_("Tender text (%(lang)s)") % {"lang": name},
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=criterion.text.get(lang, ""),
                help_text=REFERENCE_HELP % {"example": self._example(criterion)},
            )
            self.fields[f"rationale_{lang}"] = forms.CharField(
                label=_("Rationale (%(lang)s)") % {"lang": name},
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=criterion.rationale.get(lang, ""),
            )
            self.fields[f"verification_{lang}"] = forms.CharField(
                label=_("Verification (%(lang)s)") % {"lang": name},
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=criterion.verification_documents.get(lang, ""),
            )
        self.requirements = list(criterion.requirements.all())
        for requirement in self.requirements:
            if requirement.data_type in (content.DataType.NUMBER, content.DataType.INTEGER):
                # the words outside the f-string: xgettext (makemessages) does not read inside one
                unit = f" ({requirement.unit_label})" if requirement.unit else ""
                # the law the threshold may not go below, beside the field the secretariat types into
                floors = " ".join(
                    gettext("Required by law from %(date)s: %(value)s (%(regulation)s, %(article)s)")
                    % {
                        "date": date_format(floor.applies_from, "DATE_FORMAT"),
                        "value": value,
                        "regulation": floor.regulation,
                        "article": floor.article,
                    }
                    for floor, value in requirement.floor_lines
                )
                for bound, word in (("min_value", _("minimum")), ("max_value", _("maximum"))):
                    # typed as the user's language writes numbers: "7,5" in Dutch, "7.5" in English
                    self.fields[f"{requirement.pk}_{bound}"] = GroupedFloatField(
                        label=label_text(translated(requirement.title), f"{word}{unit}"),
                        required=False,
                        initial=getattr(requirement, bound),
                        help_text=floors,
                    )

    @staticmethod
    def _example(criterion: Criterion) -> str:
        first = next(iter(criterion.requirements.all()), None)
        return "{{" + (first.code if first else "requirement-id") + "|min}}"

    def language_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (
                LANGUAGE_NAMES[lang],
                [self[f"{f}_{lang}"] for f in ("title", "text", "rationale", "verification")],
            )
            for lang in LANGUAGES
        ]

    def requirement_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name[0].isdigit()]

    def add_model_errors(self, error: ValidationError) -> None:
        """The framework's rules an edit broke, each said in the user's language and named by the
        label of the field it is about (the schema words them in English, by its own field paths)."""
        for problem in error.errors():
            found = problem.get("ctx", {}).get("problems") if problem["type"] == "references" else None
            if found:
                for field, lang, code, params in found:
                    name = f"{_FORM_PREFIX.get(field, field)}_{lang}"
                    label = self.fields[name].label if name in self.fields else field
                    self.add_error(None, label_text(label, _reference_message(code, params)))
                continue
            loc = problem["loc"]
            requirement = (
                self.requirements[int(loc[1])]
                if len(loc) > 1 and loc[0] == "requirements" and str(loc[1]).isdigit()
                else None
            )
            message = _MODEL_MESSAGES.get(problem["type"])
            if requirement is None or message is None:
                self.add_error(None, gettext("This edit breaks a rule of the framework: %(detail)s") % {
                    "detail": problem["msg"]
                })  # fmt: skip
                continue
            bound = "max_value" if requirement.better == content.Better.LOWER else "min_value"
            if problem["type"] == "whole_bounds":
                bound = next(
                    (
                        b
                        for b in ("min_value", "max_value")
                        if not float(getattr(requirement, b) or 0).is_integer()
                    ),
                    bound,
                )
            name = f"{requirement.pk}_{bound}"
            label = self.fields[name].label if name in self.fields else translated(requirement.title)
            self.add_error(None, label_text(label, message))


#: The edit form's field of each text the schema checks (``content.REFERRING_FIELDS``).
_FORM_PREFIX = {"verification_documents": "verification"}

#: The schema's coded rules about a requirement's thresholds (``content.Requirement``), as the edit
#: form says them beside the threshold's label.
_MODEL_MESSAGES = {
    "min_above_max": _("the minimum is greater than the maximum"),
    "needs_threshold": _("give a minimum or a maximum: a number requirement needs one"),
    "whole_bounds": _("a whole number is expected"),
}


def _reference_message(code: str, params: dict[str, str]) -> str:
    """A reference of a text that cannot be rendered (``content.REFERENCE_MESSAGES``), in words."""
    bounds = {
        "min_value": gettext("minimum"),
        "max_value": gettext("maximum"),
        "expected_value": gettext("value"),
    }
    match code:
        case "unknown_form":
            return gettext("%(reference)s: unknown form |%(form)s (use |min, |max or |value)") % params
        case "no_requirement":
            return gettext("%(reference)s refers to a requirement this criterion does not have") % params
        case "no_number":
            return gettext("%(reference)s: the requirement has no %(bound)s") % {
                **params,
                "bound": bounds.get(params["bound"], params["bound"]),
            }
        case _:
            return gettext("an unfinished reference: write {{requirement-id}} or {{requirement-id|min}}")


class ImportFileForm(forms.Form):
    """The exchange file a draft's criteria are replaced with, once the user has seen what changes."""

    file = LimitedFileField(
        kinds=[".xlsx", ".csv", ".json", ".yaml", ".yml"],
        label=_("Criteria file (XLSX, CSV, JSON or YAML)"),
        help_text=_(
            "This draft downloaded as XLSX (or exported as CSV or JSON, or a framework YAML file), "
            "edited: its criteria replace the draft's. You see what would change before anything is saved."
        ),
    )


class SubmitForReviewForm(forms.Form):
    """Name a draft and write its release notes before a second person reviews it."""

    code = forms.CharField(
        label=_("Version name"), max_length=32, help_text=_("Year and number, e.g. 2026.2.")
    )
    release_notes = forms.CharField(label=_("Release notes"), widget=forms.Textarea(attrs={"rows": 4}))


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    accept_unreviewed = forms.CharField(
        label=_("Accept unreviewed translations because"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only if some translations are not reviewed; the reason is shown in the change log."),
    )


class SendBackForm(forms.Form):
    comment = forms.CharField(label=_("What should change"), widget=forms.Textarea(attrs={"rows": 2}))


class MarkReviewedForm(forms.Form):
    field = forms.CharField(max_length=32)
    language = forms.ChoiceField(choices=[(lang, lang) for lang in LANGUAGES])
