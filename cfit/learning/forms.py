from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cfit.criteria.content import LANGUAGES
from cfit.criteria.models import ProductGroup
from cfit.learning.models import GUIDE_FIELDS, Guide, theme_codes, theme_label
from cfit.pact.actions import DOCUMENT_TYPES
from cfit.uploadfields import LimitedFileField


def _theme_choices(language: str) -> list[tuple[str, str]]:
    return [(code, theme_label(code, language)) for code in theme_codes()]


class GuideFilterForm(forms.Form):
    product_group = forms.ChoiceField(label=_("Product group"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything: list[tuple[str, Any]] = [("", _("Any"))]
        cast(forms.ChoiceField, self.fields["product_group"]).choices = anything + [
            (g.code, g.display_name) for g in ProductGroup.objects.filter(guides__isnull=False).distinct()
        ]
        cast(forms.ChoiceField, self.fields["theme"]).choices = anything + _theme_choices(language)


class GuideForm(forms.Form):
    """The secretariat's edit of a guide: its classification and its texts in the five languages."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Guide.Kind.choices)
    product_groups = forms.MultipleChoiceField(label=_("Product groups"), required=False)
    themes = forms.MultipleChoiceField(label=_("Themes"), required=False)
    criteria = forms.CharField(
        label=_("Criteria explained"),
        required=False,
        help_text=_("Criterion ids, separated by commas or spaces."),
    )
    change_note = forms.CharField(label=_("What changed"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["product_groups"]).choices = [
            (g.code, g.display_name) for g in ProductGroup.objects.all()
        ]
        cast(forms.ChoiceField, self.fields["themes"]).choices = _theme_choices(language)
        names = dict(settings.LANGUAGES)
        for lang in LANGUAGES:
            self.fields[f"title_{lang}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": names[lang]},
                required=lang == "en",
                max_length=300,
            )
            self.fields[f"summary_{lang}"] = forms.CharField(
                label=_("Summary (%(language)s)") % {"language": names[lang]},
                required=False,
                widget=forms.Textarea({"rows": 2}),
            )
            self.fields[f"body_{lang}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": names[lang]},
                required=lang == "en",
                widget=forms.Textarea({"rows": 14}),
                help_text=_(
                    "Paragraphs separated by an empty line; '## ' starts a heading, '- ' a list item."
                ),
            )

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            field: {lang: self.cleaned_data.get(f"{field}_{lang}", "") for lang in LANGUAGES}
            for field in GUIDE_FIELDS
        }

    def criterion_codes(self) -> list[str]:
        return [code for code in self.cleaned_data["criteria"].replace(",", " ").split() if code]

    def language_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        names = dict(settings.LANGUAGES)
        return [(names[lang], [self[f"{field}_{lang}"] for field in GUIDE_FIELDS]) for lang in LANGUAGES]


class NewGuideForm(GuideForm):
    slug = forms.SlugField(label=_("Short name"), max_length=80)

    field_order = ["slug"]


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea({"rows": 4}))
    audience = forms.ChoiceField(label=_("For"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    starts = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput({"type": "datetime-local"}))
    ends = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput({"type": "datetime-local"}))
    place = forms.CharField(label=_("Place"), required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000)

    def __init__(self, *args: Any, audiences: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["audience"]).choices = audiences
        # The times typed are read in the platform's time zone, and pages show them in it.
        zone = gettext("Time in %(zone)s.") % {"zone": timezone.get_current_timezone_name()}
        self.fields["starts"].help_text = self.fields["ends"].help_text = zone


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = LimitedFileField(label=_("File"), required=False, kinds=DOCUMENT_TYPES)
