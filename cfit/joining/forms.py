"""Forms of joining: they check the input; the rules are the actions' business."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation
from cfit.joining.actions import MAX_SIGNED_PACT_BYTES
from cfit.joining.countries import country_choices
from cfit.joining.models import Application, PactText
from cfit.numberfields import LARGEST_STORED_WHOLE, GroupedIntegerField
from cfit.uploadfields import LimitedFileField
from cfit.uploads import describe_size

TYPE_CHOICES = [(t.value, t.label) for t in Application.TYPES]


class AccountForm(UserCreationForm):
    """For an applicant without an account: it becomes the organisation's administrator."""

    prefix = "account"


class ApplicationForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=300)
    country = forms.ChoiceField(label=_("Country"))
    type = forms.ChoiceField(
        label=_("Joins as"),
        choices=TYPE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_(
            "Suppliers, refurbishers, recyclers, NGOs and label bodies join as supporters: in the "
            "market dialogue only, never as participants."
        ),
    )
    users_served = GroupedIntegerField(
        label=_("Users served"),
        min_value=0,
        max_value=LARGEST_STORED_WHOLE,
        help_text=_("End users of your ICT (employees, students…)."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]


class SignatureForm(forms.Form):
    """Either the signed pact as a PDF, or a signature here of the text shown."""

    signing = forms.ChoiceField(
        label=_("How you sign"), choices=Application.Signing.choices, widget=forms.RadioSelect
    )
    signed_pact = LimitedFileField(
        label=_("Signed pact (PDF)"),  # the size limit is added in the reader's language (``__init__``)
        required=False,
        kinds=[".pdf", "application/pdf"],
        limit=MAX_SIGNED_PACT_BYTES,
    )
    signer_name = forms.CharField(label=_("Signatory's name"), max_length=200, required=False)
    signer_role = forms.CharField(label=_("Signatory's role"), max_length=200, required=False)
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(label=_("I sign the text above on behalf of the organisation"), required=False)
    pact_version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()
        self.fields["pact_version"].initial = PactText.current().version
        self.fields["signed_pact"].label = _("Signed pact (PDF, at most %(size)s)") % {
            "size": describe_size(MAX_SIGNED_PACT_BYTES)
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("signing") == Application.Signing.UPLOADED and not data.get("signed_pact"):
            self.add_error("signed_pact", _("Choose the signed PDF."))
        if data.get("signing") == Application.Signing.IN_PLATFORM:
            for field in ("signer_name", "signer_role"):
                if not data.get(field):
                    self.add_error(field, _("Required to sign in the platform."))
            if not data.get("agree"):
                self.add_error("agree", _("Tick to sign."))
        return data


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve")),
        ("more", _("Ask for more")),
        ("refuse", _("Refuse")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you ask for more or refuse."),
    )


def organisation_type_label(value: str) -> str:
    return str(Organisation.Type(value).label)
