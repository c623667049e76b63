from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from cfit.datacentres.models import REPORT_KEYS, Facility, FacilityReport
from cfit.numberfields import GroupedFloatField
from cfit.tenders.models import Lot
from cfit.uploadfields import LimitedFileField


class FacilityForm(forms.ModelForm):
    """A new data centre; ``hosts_customers`` False (a buyer): no choice of operator, it is the buyer's own."""

    class Meta:
        model = Facility
        fields = ["name", "operator", "country", "climate", "operating_since", "eu_database"]

    def __init__(self, *args: Any, hosts_customers: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not hosts_customers:
            del self.fields["operator"]


class ReportForm(forms.ModelForm):
    """One year's values; an empty field is "not reported"."""

    class Meta:
        model = FacilityReport
        fields = ["year", *REPORT_KEYS]
        #: typed as the provider's language writes numbers: "1.234.567,5" kWh and a PUE of "1,35" in Dutch
        field_classes = dict.fromkeys(REPORT_KEYS, GroupedFloatField)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in REPORT_KEYS:
            field = self.fields[key]
            field.widget.attrs.update({"inputmode": "decimal"})
            field.validators.append(MinValueValidator(0))
            field.help_text = _("Leave empty if not measured: empty is 'not reported', never zero.")


class UploadForm(forms.Form):
    file = LimitedFileField(label=_("Filled template (XLSX)"), kinds=[".xlsx"])


class LinkForm(forms.Form):
    lot = forms.ModelChoiceField(queryset=Lot.objects.none(), label=_("Lot"))
    code = forms.CharField(
        label=_("Facility code"),
        max_length=20,
        help_text=_("The code the provider gave in its offer, e.g. DC-1A2B3C4D5E6F."),
    )

    def __init__(self, *args: Any, lots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots  # type: ignore[attr-defined]
