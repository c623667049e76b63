from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation
from cfit.contracts.labels import figure_label, unit_label
from cfit.contracts.models import Contract, Finding, Obligation
from cfit.contracts.schedule import Frequency
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion
from cfit.numberfields import GroupedDecimalField
from cfit.tabular import TABLE_ENDINGS
from cfit.uploadfields import LimitedFileField
from cfit.uploads import EVIDENCE_TYPES


def supplier_organisations() -> Any:
    return Organisation.objects.filter(type=Organisation.Type.SUPPORTER)


class AwardLotForm(forms.Form):
    lot = forms.IntegerField(widget=forms.HiddenInput)
    supplier_organisation = forms.ModelChoiceField(
        label=_("Supplier's organisation on cfit"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Its members see the contract's obligations and deliver the evidence."),
    )
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier_organisation"].queryset = supplier_organisations()  # type: ignore[attr-defined]


class ContractForm(forms.Form):
    """An existing contract entered by hand, with the criteria it carries."""

    reference = forms.CharField(label=_("Reference"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=500)
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200)
    supplier_organisation = forms.ModelChoiceField(
        label=_("Supplier's organisation on cfit"), queryset=Organisation.objects.none(), required=False
    )
    value = GroupedDecimalField(label=_("Value"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.RegexField(label=_("Currency"), regex=r"^[A-Za-z]{3}$", initial="EUR", max_length=3)
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    clauses = forms.ModelMultipleChoiceField(
        label=_("Contract performance clauses it carries"),
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, version: FrameworkVersion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier_organisation"].queryset = supplier_organisations()  # type: ignore[attr-defined]
        if version is not None:
            self.fields["clauses"].queryset = Criterion.objects.filter(  # type: ignore[attr-defined]
                version=version, type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE
            ).order_by("code")
        self.fields["clauses"].label_from_instance = lambda c: f"{c.code}: {c.display_title}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The contract ends before it starts."))
        return data


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[
            (Frequency.ONCE.value, _("Once")),
            (Frequency.YEARLY.value, _("Yearly")),
            (Frequency.PER_DELIVERY.value, _("Per delivery")),
        ],
    )


class RecordDeliveryForm(forms.Form):
    """A delivery under the contract: each criterion reported per delivery falls due after it."""

    delivered_on = forms.DateField(
        label=_("Delivered on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the date of the delivery.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        help_text=_("What was delivered, e.g. 120 notebooks."),
    )

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract
        # The browser's date picker offers no day after today or outside the contract period.
        latest = min(contract.end_date, timezone.localdate())
        self.fields["delivered_on"].widget.attrs.update(
            {"min": contract.start_date.isoformat(), "max": latest.isoformat()}
        )

    def clean_delivered_on(self) -> date:
        day: date = self.cleaned_data["delivered_on"]
        if refusal := self.contract.delivery_date_refusal(day):
            raise forms.ValidationError(refusal, code="delivery_date")
        return day


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    #: the delivery the buyer's page showed: one replaced since is not decided on unseen
    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DeliveryForm(forms.Form):
    """The supplier's evidence; the figure fields are added from the obligation."""

    file = LimitedFileField(label=_("Document"), required=False, kinds=EVIDENCE_TYPES)
    declared = forms.BooleanField(label=_("We declare that this requirement is met."), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args: Any,
        figures: list[dict[str, str]] = (),  # type: ignore[assignment]
        template: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if template:
            # The evidence is a CMRT or an EMRT (``cfit.duediligence.actions.expected_templates``): a
            # workbook, nothing else.
            from cfit.duediligence.actions import templates_named

            self.fields["file"].widget.attrs["accept"] = ".xlsx,.xlsm"
            self.fields["file"].help_text = _(
                "RMI's %(kinds)s, the Excel workbook you filled in (XLSX, or XLSM: its macros are removed, "
                "never run)."
            ) % {"kinds": templates_named(template)}
        for field in figures:
            self.fields[f"figure_{field['key']}"] = forms.CharField(
                label=f"{figure_label(field)} ({unit_label(field)})", required=False, max_length=40
            )


class DisputeForm(forms.Form):
    comment = forms.CharField(label=_("Why you disagree"), widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(forms.Form):
    """The supplier takes back a delivery the buyer has not decided on; the obligation is owed again."""

    comment = forms.CharField(
        label=_("Why you withdraw it"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ObligationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Obligation) -> str:
        return _("%(code)s, due %(date)s (%(state)s)") % {
            "code": obj.contract_criterion.criterion.code,
            "date": formats.date_format(obj.due_date, "SHORT_DATE_FORMAT"),
            "state": obj.state_label(),
        }


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Finding"), choices=Finding.Kind.choices)
    #: The obligation whose evidence showed it, if any: the contract's own only (another contract's
    #: obligation is not a choice, so the form refuses it).
    obligation = ObligationChoice(
        label=_("Obligation it concerns"),
        queryset=Obligation.objects.none(),
        required=False,
        empty_label=_("None (the contract as a whole)"),
    )
    description = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.CharField(label=_("Corrective action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("Owner at the supplier"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_deadline(self) -> date:
        deadline: date = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline of a corrective action lies today or later."))
        return deadline

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["obligation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = contract.obligations.select_related("contract_criterion__criterion").order_by(
            "due_date", "id"
        )


class CloseFindingForm(forms.Form):
    file = LimitedFileField(label=_("Evidence"), kinds=EVIDENCE_TYPES)
    note = forms.CharField(label=_("How it was remedied"), widget=forms.Textarea(attrs={"rows": 2}))


class ContractImportForm(forms.Form):
    file = LimitedFileField(label=_("Contracts file (CSV or XLSX)"), kinds=TABLE_ENDINGS)
    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        max_length=31,  # Excel's longest sheet name
        help_text=_(
            "A workbook is read from the sheet that holds the contract columns; name the sheet only if "
            "several do."
        ),
    )
