"""The case study's form: the owner's choices of what to show, the result, and lessons per language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cfit.casestudies.models import CaseStudy


class CaseStudyForm(forms.ModelForm):
    class Meta:
        model = CaseStudy
        fields = [
            "title", "consent", "show_criteria", "show_ambitions", "show_offers", "show_result",
            "name_supplier", "what_bought", "service_life_years", "end_of_use",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(),
            "what_bought": forms.Textarea(attrs={"rows": 3}),
            "end_of_use": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lessons = self.instance.lessons or {}
        for code, name in settings.LANGUAGES:
            self.fields[f"lessons_{code}"] = forms.CharField(
                label=_("Lessons learned (%(language)s)") % {"language": name},
                required=False,
                initial=lessons.get(code, ""),
                widget=forms.Textarea(attrs={"rows": 4, "lang": code}),
            )

    def changes(self) -> dict[str, Any]:
        data = {field: self.cleaned_data[field] for field in self.Meta.fields}
        data["lessons"] = {code: self.cleaned_data[f"lessons_{code}"] for code, _name in settings.LANGUAGES}
        return data
