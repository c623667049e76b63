from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy

from cfit.accounts.models import Organisation


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying how long to wait when the throttle refuses (see throttle.py)."""

    def get_invalid_login_error(self) -> forms.ValidationError:
        locked = getattr(self.request, "sign_in_lockout", None)
        if locked is not None:
            return forms.ValidationError(locked.message(), code="throttled")
        return super().get_invalid_login_error()


class NoticeDetailsForm(forms.ModelForm):
    """The organisation's details that its eForms notices carry. The model checks them (its ``clean``):
    a NUTS code of the organisation's country, a telephone number as eForms writes one."""

    class Meta:
        model = Organisation
        fields = Organisation.NOTICE_DETAILS
        widgets = {
            "telephone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "post_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "town": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "nuts_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "review_body_nuts_code": forms.TextInput(
                attrs={"autocapitalize": "characters", "spellcheck": "false"}
            ),
            "review_body_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "review_deadlines": forms.Textarea(attrs={"rows": 4}),
        }

    #: The form's parts, as the page shows them: (legend, fields).
    GROUPS = (
        (gettext_lazy("The buyer"), ("legal_type", "main_activity", "registration_number")),
        (gettext_lazy("Address"), ("street", "post_code", "town", "nuts_code")),
        (gettext_lazy("Contact"), ("telephone",)),
        (gettext_lazy("Review procedures"), Organisation.REVIEW_BODY),
    )

    def groups(self) -> list[tuple[str, list[BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.GROUPS]

    def clean_nuts_code(self) -> str:
        return str(self.cleaned_data.get("nuts_code") or "").strip().upper()

    def clean_review_body_nuts_code(self) -> str:
        return str(self.cleaned_data.get("review_body_nuts_code") or "").strip().upper()
