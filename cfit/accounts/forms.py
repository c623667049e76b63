from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying how long to wait when the throttle refuses (see throttle.py)."""

    def get_invalid_login_error(self) -> forms.ValidationError:
        locked = getattr(self.request, "sign_in_lockout", None)
        if locked is not None:
            return forms.ValidationError(locked.message(), code="throttled")
        return super().get_invalid_login_error()
