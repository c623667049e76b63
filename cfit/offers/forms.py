from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cfit.offers.actions import MAX_ANSWER, MAX_QUESTION
from cfit.offers.models import ResultOverride
from cfit.offers.reader import READERS
from cfit.uploadfields import LimitedFileField
from cfit.uploads import MAX_IMPORT_BYTES


class OfferFileField(LimitedFileField):
    """A filled response template, or its CSV or JSON form (``offers.reader.READERS``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kinds=READERS, **kwargs)

    def clean(self, data: object, initial: object = None) -> object:
        upload = super().clean(data, initial)
        if upload is not None and getattr(upload, "size", 0) > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class OfferImportForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    file = OfferFileField(label=_("Filled response template (XLSX), or its CSV or JSON form"))
    replace = forms.BooleanField(label=_("Replace this supplier's earlier offer"), required=False)


class UploadLinkForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier"), max_length=200)


class SupplierUploadForm(forms.Form):
    file = OfferFileField(label=_("Your filled response template (XLSX)"))


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_QUESTION,
        help_text=_("The answer is published to every supplier of this tender, without saying who asked."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_ANSWER
    )


class OverrideForm(forms.Form):
    requirement = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=ResultOverride.Decision.choices)
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 2}), min_length=10
    )
