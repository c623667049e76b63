from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
