from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.forms.boundfield import BoundField
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext

from cfit.accounts import eforms_codes
from cfit.accounts.languages import own_language
from cfit.accounts.models import ApiToken, Organisation


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying how long to wait when the throttle refuses (see throttle.py)."""

    def get_invalid_login_error(self) -> forms.ValidationError:
        locked = getattr(self.request, "sign_in_lockout", None)
        if locked is not None:
            return forms.ValidationError(locked.message(), code="throttled")
        return super().get_invalid_login_error()


class SiteResetForm(PasswordResetForm):
    """Django's password reset, its link on the site's configured address (``CFIT_SITE_URL``, https in
    production) and never on the request's Host header, which a client chooses: a forged Host would
    otherwise send the owner of the account a link to the forger's site, carrying a valid token. The
    mail is in the user's own language, else in the language of the page that asked for it."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        site = urlsplit(settings.SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        with translation.override(own_language(context["user"]) or translation.get_language()):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email,
                html_email_template_name=html_email_template_name,
            )  # fmt: skip


class LanguageForm(forms.Form):
    """The user's own language, each named in itself as the language switcher names it."""

    language = forms.ChoiceField(
        label=gettext_lazy("Your language"),
        required=False,
        help_text=gettext_lazy(
            "The language of your pages on a new device, and of the mails cfit sends you. Without one, "
            "pages follow your browser and mails the language of what they are about."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [
            (code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [("", gettext_lazy("None: as my browser asks")), *names]


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

    #: The fields that hold a NUTS code of level 3.
    NUTS_FIELDS = ("nuts_code", "review_body_nuts_code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The codes as saved, before validating a post writes the typed ones onto the instance.
        self._saved_nuts = {name: str(getattr(self.instance, name) or "") for name in self.NUTS_FIELDS}

    def saved_region(self, name: str) -> str | None:
        """The saved NUTS code of field ``name`` with its region's name ("NL350 — Utrecht"), if the list
        knows the region: what the page shows under the field."""
        code = self._saved_nuts.get(name, "")
        return eforms_codes.nuts_label(code) if eforms_codes.nuts_name(code) else None

    @property
    def nuts_region(self) -> str | None:
        return self.saved_region("nuts_code")

    @property
    def review_body_nuts_region(self) -> str | None:
        return self.saved_region("review_body_nuts_code")

    def clean_nuts_code(self) -> str:
        return str(self.cleaned_data.get("nuts_code") or "").strip().upper()

    def clean_review_body_nuts_code(self) -> str:
        return str(self.cleaned_data.get("review_body_nuts_code") or "").strip().upper()


class ApiTokenForm(forms.Form):
    """A new API token: what it is for, how long it lasts, whether it may write."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “asset system sync”."),
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("Lasts"),
        coerce=int,
        initial=90,
        choices=lambda: [  # called when the form is made: the labels in the reader's language
            (days, ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
            for days in ApiToken.LIFETIMES
        ],
    )
    read_only = forms.BooleanField(
        label=gettext_lazy("Read only"),
        required=False,
        initial=True,
        help_text=gettext_lazy("A read-only token reads and changes nothing, whatever your role allows."),
    )
