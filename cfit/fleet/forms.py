from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cfit.fleet.models import PRODUCT_GROUPS, STATUSES, AssetEvent
from cfit.impact.register import ALL_COLUMNS, REQUIRED
from cfit.uploads import MAX_IMPORT_BYTES

COLUMN_LABELS = {
    "product_group": _("Product group"),
    "manufacturer": _("Manufacturer"),
    "model": _("Model"),
    "quantity": _("Quantity"),
    "purchase_date": _("Purchase or lease date"),
    "condition": _("Condition at purchase (new, refurbished)"),
    "acquisition": _("Acquisition (bought, leased, service)"),
    "country": _("Country of use"),
    "status": _("Status (in use, in stock, in repair, retired)"),
    "retired_date": _("Retirement date"),
    "end_of_use_route": _("End-of-use route"),
    "weight_kg": _("Mass (kg)"),
    "screen_size_in": _("Screen size (inch)"),
    "memory_gb": _("Memory (GB)"),
    "storage_gb": _("Storage (GB)"),
    "number_cpu": _("Processors"),
    "yearly_kwh": _("Energy use (kWh per year)"),
    "asset_key": _("Asset key (asset tag, inventory number)"),
    "sanitisation_certificate": _("Data-sanitisation certificate"),
}


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Register file (CSV or XLSX)"),
        help_text=_("One row per asset line; the next step maps your columns onto the standard ones."),
    )
    default_country = forms.CharField(
        label=_("Country of use when a row gives none"), max_length=2, min_length=2, required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // 1_000_000}
            )
        return upload

    def clean_default_country(self) -> str:
        return str(self.cleaned_data["default_country"]).strip().upper()


class MappingForm(forms.Form):
    """One choice per column of the file: which standard column it holds, or none."""

    def __init__(self, headers: list[str], mapping: dict[str, str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— not imported —"))] + [(c, f"{COLUMN_LABELS[c]} · {c}") for c in ALL_COLUMNS]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=mapping.get(header, "")
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        targets = [v for k, v in cleaned.items() if k.startswith("column_") and v]
        for target in sorted({t for t in targets if targets.count(t) > 1}):
            self.add_error(
                None, _("Two columns are mapped to “%(column)s”.") % {"column": COLUMN_LABELS[target]}
            )
        for target in REQUIRED:
            if target not in targets:
                self.add_error(
                    None,
                    _("Map a column to “%(column)s”: it is required.") % {"column": COLUMN_LABELS[target]},
                )
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data[f"column_{index}"]
            for index, header in enumerate(self.headers)
            if self.cleaned_data.get(f"column_{index}")
        }


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=AssetEvent.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class AssetFilterForm(forms.Form):
    q = forms.CharField(label=_("Manufacturer, model or key"), required=False, max_length=100)
    product_group = forms.ChoiceField(
        label=_("Product group"), choices=[("", _("All"))] + PRODUCT_GROUPS, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All"))] + STATUSES, required=False)
    condition = forms.ChoiceField(
        label=_("Condition"),
        choices=[("", _("All")), ("new", _("New")), ("refurbished", _("Refurbished"))],
        required=False,
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    bought = forms.IntegerField(label=_("Bought in"), required=False, min_value=1980, max_value=2100)


class ScenarioForm(forms.Form):
    """A what-if: each lever left out is not pulled."""

    life_extension_years = forms.FloatField(min_value=0, max_value=10, required=False)
    refurbished_share = forms.FloatField(min_value=0, max_value=1, required=False)
    reuse_share = forms.FloatField(min_value=0, max_value=1, required=False)

    def levers(self) -> dict[str, float]:
        return {name: float(value or 0) for name, value in self.cleaned_data.items()}
