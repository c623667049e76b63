from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cfit.factories.models import DisclosedProduct
from cfit.factories.reading import MAX_WORKERS, DisclosureRow, factory_country
from cfit.fleet.models import PRODUCT_GROUPS
from cfit.tabular import TABLE_ENDINGS
from cfit.uploadfields import LimitedFileField


class DisclosureForm(forms.Form):
    """One model made in one factory, as Electronics Watch's factory disclosure asks."""

    factory_name = forms.CharField(label=_("Factory name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    country = forms.CharField(label=_("Country (ISO code, e.g. CN)"), max_length=60)
    kind = forms.ChoiceField(label=_("Factory type"), choices=DisclosedProduct.Kind.choices)
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=200)
    model = forms.CharField(label=_("Model"), max_length=300)
    product_group = forms.ChoiceField(
        label=_("Product group"), required=False, choices=[("", _("Any")), *PRODUCT_GROUPS]
    )
    workers = forms.IntegerField(
        label=_("Workers (optional)"), required=False, min_value=1, max_value=MAX_WORKERS
    )
    os_id = forms.CharField(label=_("Open Supply Hub id (optional)"), required=False, max_length=40)

    def clean_country(self) -> str:
        code = factory_country(self.cleaned_data["country"])
        if code is None:
            raise forms.ValidationError(_("Not a two-letter ISO 3166 country code."), code="not_country")
        return code

    def row(self) -> DisclosureRow:
        data: dict[str, Any] = self.cleaned_data
        return DisclosureRow(
            0, data["factory_name"].strip(), data["address"].strip(), data["country"], data["kind"],
            data["manufacturer"].strip(), data["model"].strip(), data["product_group"] or "",
            data["workers"], data["os_id"].strip().upper(),
        )  # fmt: skip


class DisclosureUploadForm(forms.Form):
    file = LimitedFileField(label=_("Disclosure file (CSV or XLSX)"), kinds=TABLE_ENDINGS)
    replace = forms.BooleanField(
        label=_("The file is our whole list: withdraw the models that are not in it"), required=False
    )


class SharingForm(forms.Form):
    agreed = forms.BooleanField(
        label=_("We agree to share our figures on the factories we depend on"), required=False
    )
