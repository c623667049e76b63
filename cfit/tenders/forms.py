from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cfit.accounts.permissions import Action, memberships_that_may
from cfit.criteria.models import ProductGroup
from cfit.numberfields import GroupedDecimalField, GroupedIntegerField
from cfit.tenders.models import (
    MAX_CONTRACT_MONTHS,
    MAX_LOT_QUANTITY,
    MAX_OFFER_VALIDITY_DAYS,
    MAX_SERVICE_LIFE_YEARS,
    Lot,
    Tender,
)


class TenderStartForm(forms.Form):
    """Step 1: the tender's basics and which product groups it buys, with quantities."""

    organisation = forms.ChoiceField(label=_("Organisation"))
    title = forms.CharField(label=_("Title"), max_length=300)
    reference = forms.CharField(label=_("Reference"), max_length=64, help_text=_("Your own file number."))
    language = forms.ChoiceField(label=_("Language of the documents"), choices=settings.LANGUAGES)
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Tender.Procedure.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The documents in the language the procurer works in, unless they choose another.
        self.fields["language"].initial = (get_language() or "en").split("-")[0]
        memberships = memberships_that_may(Action.TENDER_EDIT, user)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ChoiceField)
        organisation.choices = [(m.organisation.slug, m.organisation.name) for m in memberships]
        self.groups = list(ProductGroup.objects.all())
        # Every number within what a lot holds: beyond, it is refused by its field, not saved to
        # break every page of the tender afterwards.
        value = Lot._meta.get_field("estimated_value")
        assert isinstance(value, models.DecimalField)
        for group in self.groups:
            self.fields[f"lot_{group.code}"] = forms.BooleanField(label=group.display_name, required=False)
            # Typed as the procurer's language writes numbers: Django's own fields read a Dutch
            # "1.000" laptops as 1 and "250.000" EUR as 250.
            self.fields[f"quantity_{group.code}"] = GroupedIntegerField(
                label=_("Quantity"), min_value=1, max_value=MAX_LOT_QUANTITY, required=False, initial=1
            )
            self.fields[f"value_{group.code}"] = GroupedDecimalField(
                label=_("Estimated value (EUR)"),
                min_value=Decimal(0),
                required=False,
                max_digits=value.max_digits,
                decimal_places=value.decimal_places,
            )
            self.fields[f"life_{group.code}"] = GroupedIntegerField(
                label=_("Service life (years)"),
                min_value=1,
                max_value=MAX_SERVICE_LIFE_YEARS,
                required=False,
                initial=5,
            )

    def group_rows(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (
                g,
                [
                    self[f"lot_{g.code}"],
                    self[f"quantity_{g.code}"],
                    self[f"value_{g.code}"],
                    self[f"life_{g.code}"],
                ],
            )
            for g in self.groups
        ]

    def lots(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "product_group": g.code,
                "quantity": data.get(f"quantity_{g.code}") or 1,
                "estimated_value": data.get(f"value_{g.code}") or Decimal(0),
                "service_life_years": data.get(f"life_{g.code}") or 5,
            }
            for g in self.groups
            if data.get(f"lot_{g.code}")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # Form.clean returns cleaned_data
        if not any(data.get(f"lot_{g.code}") for g in self.groups):
            raise forms.ValidationError(_("Choose at least one product group."), code="no_lot")
        return data


class OffersDeadlineForm(forms.Form):
    """The deadline for offers, typed in the site's time zone (the browser's date and time picker)."""

    offers_deadline = forms.DateTimeField(
        label=_("Deadline for offers"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offers_deadline"].help_text = _("Time zone: %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }


class _YesNoUnanswered(forms.NullBooleanSelect):
    """Yes, no, or not answered yet (Django says "Unknown", which reads as an answer)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("Not answered")), ("true", _("Yes")), ("false", _("No"))]


def _https_by_default(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A web address typed without its scheme is taken as https (as Django 6 will); a duration is
    a whole number from 1 to its documented bound; a yes/no term may be left unanswered."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    if isinstance(field, models.BooleanField) and field.null:
        kwargs["widget"] = _YesNoUnanswered()
    if field.name in ("offer_validity_days", "contract_months"):
        kwargs["min_value"] = 1  # the model's rule, said once (not "at least 0" first)
        kwargs["max_value"] = {"offer_validity_days": MAX_OFFER_VALIDITY_DAYS}.get(
            field.name, MAX_CONTRACT_MONTHS
        )
    return field.formfield(**kwargs)


class NoticeTermsForm(forms.ModelForm):
    """The terms a tender's contract notice states beyond its lots and criteria. A yes/no term left
    at "Unknown" is not answered yet, like an empty field."""

    class Meta:
        model = Tender
        formfield_callback = _https_by_default
        # Text inputs that say they hold an address: a browser refuses type=url without its scheme,
        # which cfit adds (https) itself.
        widgets = {
            "documents_url": forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
            "submission_url": forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
            "nonelectronic_description": forms.Textarea(attrs={"rows": 3}),
            "framework_duration_justification": forms.Textarea(attrs={"rows": 3}),
        }
        fields = Tender.NOTICE_TERMS

    #: The form's parts, as the page shows them: (legend, fields).
    GROUPS = (
        (
            _("Documents and offers"),
            (
                "documents_url",
                "electronic_submission",
                "submission_url",
                "nonelectronic_justification",
                "nonelectronic_description",
                "offer_validity_days",
            ),
        ),
        (
            _("The contract"),
            (
                "contract_months",
                "performance_place",
                "framework_agreement",
                "framework_duration_justification",
                "eu_funded",
                "gpa",
            ),
        ),
        (_("Reserved contracts"), ("reserved_participation", "reserved_execution")),
        (_("Electronic processes"), ("e_invoicing", "e_catalogue", "e_ordering", "e_payment")),
    )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.GROUPS]
