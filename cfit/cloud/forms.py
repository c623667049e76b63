from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cfit.uploadfields import LimitedFileField
from cfit.uploads import MAX_IMPORT_BYTES


class CloudUploadForm(forms.Form):
    file = LimitedFileField(
        kinds=[".csv", ".parquet", ".gz"],
        label=_("FOCUS export (CSV or Parquet)"),
        help_text=_(
            "The cost and usage export of AWS, Microsoft Azure, Google Cloud or Oracle in the FinOps FOCUS format (1.0 to 1.2)."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_IMPORT_BYTES // 1_000_000}
            )
        return upload


class CompareForm(forms.Form):
    """Where the same workload could run instead: chosen places, or the lowest-emission ones."""

    places = forms.MultipleChoiceField(
        label=_("Compare with"),
        required=False,
        help_text=_("Leave empty to see the ten regions with the lowest emissions."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    families = forms.MultipleChoiceField(
        label=_("Move instances to another family"),
        required=False,
        help_text=_(
            "Only the equivalences cfit declares: the same vCPUs and memory on another processor. "
            "Without places, the workload stays where it runs."
        ),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    region = forms.ChoiceField(label=_("Workload"), required=False)

    def __init__(
        self,
        *args: Any,
        places: list[tuple[str, str]],
        regions: list[str],
        families: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["places"]).choices = places
        cast(forms.MultipleChoiceField, self.fields["families"]).choices = families or []
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("All of it"))] + [
            (r, r) for r in regions
        ]
