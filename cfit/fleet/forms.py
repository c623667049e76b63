from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cfit.fleet.actions import register_limit
from cfit.fleet.models import (
    ACQUISITIONS,
    CONDITIONS,
    DATE_ORDERS,
    PRODUCT_GROUPS,
    ROUTES,
    SANITISATION_METHODS,
    STATUSES,
    AssetEvent,
)
from cfit.impact.register import ALL_COLUMNS, REQUIRED, UnknownValue
from cfit.impact.vocabulary import load_vocabulary
from cfit.tabular import TABLE_ENDINGS
from cfit.uploadfields import LimitedFileField

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
    "sanitisation_method": _("Data-sanitisation method"),
}


class RegisterUploadForm(forms.Form):
    file = LimitedFileField(
        kinds=TABLE_ENDINGS,
        limit=register_limit,
        label=_("Register file (CSV or XLSX)"),
        help_text=_("One row per asset line; the next step maps your columns onto the standard ones."),
    )
    default_country = forms.CharField(
        label=_("Country of use when a row gives none"), max_length=2, min_length=2, required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = register_limit()
        if upload.size > limit:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": limit // 1_000_000})
        return upload

    def clean_default_country(self) -> str:
        return str(self.cleaned_data["default_country"]).strip().upper()


class MappingForm(forms.Form):
    """One choice per column of the file: which standard column it holds, or none."""

    def __init__(
        self,
        headers: list[str],
        mapping: dict[str, str],
        *args: Any,
        columns: tuple[str, ...] = ALL_COLUMNS,
        required: tuple[str, ...] = REQUIRED,
        date_order: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.required = required
        choices = [("", _("— not imported —"))] + [(c, f"{COLUMN_LABELS[c]} · {c}") for c in columns]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=mapping.get(header, "")
            )
        if date_order is not None:  # a register's dates; ``None``: a file without the choice
            self.fields["date_order"] = forms.ChoiceField(
                label=_("Dates written in numbers, such as 03/04/2024"),
                choices=DATE_ORDERS,
                initial=date_order,
                required=False,  # a form sent without it (a script, an older page) reads as found
                help_text=_("Dates written as 2024-04-03 are read the same either way."),
            )
        self.column_fields = [self[f"column_{index}"] for index in range(len(headers))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        targets = [v for k, v in cleaned.items() if k.startswith("column_") and v]
        for target in sorted({t for t in targets if targets.count(t) > 1}):
            self.add_error(
                None, _("Two columns are mapped to “%(column)s”.") % {"column": COLUMN_LABELS[target]}
            )
        for target in self.required:
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


#: The codes of each coded column and their labels, for the value step.
CODE_CHOICES = {
    "product_group": PRODUCT_GROUPS,
    "condition": CONDITIONS,
    "acquisition": ACQUISITIONS,
    "status": STATUSES,
    "end_of_use_route": ROUTES,
    "sanitisation_method": SANITISATION_METHODS,
}


class ValueMappingForm(forms.Form):
    """One choice per value of a coded column that nobody knows yet: which code it stands for
    (suggestions first and preselected). The choices are remembered for the organisation."""

    def __init__(self, unknown: dict[str, list[UnknownValue]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.values: dict[str, tuple[str, UnknownValue]] = {}
        self.sections: list[tuple[str, list[tuple[Any, UnknownValue]]]] = []
        for column, items in unknown.items():
            rows = []
            for index, item in enumerate(items):
                name = f"{column}__{index}"
                suggested = item.suggestions[0] if item.suggestions else ""
                if column == "country":
                    field: forms.Field = forms.CharField(
                        label=item.value, max_length=2, min_length=2, initial=suggested
                    )
                else:
                    known = dict(CODE_CHOICES[column])
                    order = [*item.suggestions, *(c for c in known if c not in item.suggestions)]
                    choices = [("", _("— choose —"))] + [
                        (
                            code,
                            _("%(choice)s (suggested)") % {"choice": known[code]}
                            if code in item.suggestions
                            else known[code],
                        )
                        for code in order
                        if code in known
                    ]
                    field = forms.ChoiceField(label=item.value, choices=choices, initial=suggested)
                self.fields[name] = field
                self.values[name] = (column, item)
                rows.append((self[name], item))
            self.sections.append((str(COLUMN_LABELS[column]), rows))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        countries = load_vocabulary().countries
        for name, (column, _item) in self.values.items():
            if column == "country" and cleaned.get(name):
                code = str(cleaned[name]).strip().upper()
                if code not in countries:
                    self.add_error(name, _("Not a two-letter ISO 3166 country code."))
                cleaned[name] = code
        return cleaned

    def choices(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for name, (column, item) in self.values.items():
            out.setdefault(column, {})[item.value] = self.cleaned_data[name]
        return out


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=AssetEvent.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    #: What became of a retired line (the dashboard's end-of-use routes), and its data wiping.
    end_of_use_route = forms.ChoiceField(
        label=_("End-of-use route"), choices=[("", "—"), *ROUTES], required=False
    )
    sanitisation_method = forms.ChoiceField(
        label=_("Data-sanitisation method"), choices=[("", "—"), *SANITISATION_METHODS], required=False
    )
    sanitisation_certificate = forms.CharField(
        label=_("Data-sanitisation certificate"), required=False, max_length=200
    )


class AssetFilterForm(forms.Form):
    q = forms.CharField(label=_("Manufacturer, model or key"), required=False, max_length=100)
    product_group = forms.ChoiceField(
        label=_("Product group"), choices=[("", _("All")), *PRODUCT_GROUPS], required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *STATUSES], required=False)
    condition = forms.ChoiceField(
        label=_("Condition"),
        choices=[("", _("All")), ("new", _("New")), ("refurbished", _("Refurbished"))],
        required=False,
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    bought = forms.IntegerField(label=_("Bought in"), required=False, min_value=1980, max_value=2100)
    wiping = forms.ChoiceField(
        label=_("Data wiping"),
        choices=[("", _("All")), ("missing", _("Data wiping not evidenced"))],
        required=False,
    )


class ScenarioForm(forms.Form):
    """A what-if: each lever left out is not pulled."""

    life_extension_years = forms.FloatField(min_value=0, max_value=10, required=False)
    refurbished_share = forms.FloatField(min_value=0, max_value=1, required=False)
    reuse_share = forms.FloatField(min_value=0, max_value=1, required=False)

    def levers(self) -> dict[str, float]:
        return {name: float(value or 0) for name, value in self.cleaned_data.items()}
