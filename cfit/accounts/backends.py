"""The authentication backend: Django's, with sign-in throttling (cfit.accounts.throttle) in front.

In the backend rather than in the sign-in form, so that every way of signing in with a password
(the sign-in page, the admin's, anything calling ``authenticate``) is throttled alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from cfit.accounts import throttle


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is None or username is None or password is None:
            # Not a sign-in over HTTP (a command, a test helper): nothing to throttle.
            return super().authenticate(request, username, password, **kwargs)
        address = throttle.client_address(request)
        locked = throttle.lockout(username, address)
        if locked is not None:
            # Read by the sign-in form to say how long to wait; PermissionDenied stops every backend.
            request.sign_in_lockout = locked  # type: ignore[attr-defined]
            raise PermissionDenied
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            throttle.record_failure(username, address)
        else:
            throttle.forget_failures(username)
        return user
