"""API tokens: how an integrator's program signs in to the JSON API.

A request to ``/api/`` with ``Authorization: Bearer cfit_…`` acts as the token's user, with the user's
permissions (``ApiTokenMiddleware``, before the organisation scope is set from the user), and never as
the browser's signed-in user: a token that does not sign in leaves the request anonymous. The API's
endpoints take either a token (``TokenAuth``, no CSRF token needed: a program has no cookies) or the
browser's session (Django's, CSRF-checked). A read-only token reads and nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from cfit.apierrors import READ_ONLY_TOKEN

PREFIX = "cfit_"
#: How often ``last_used`` is written: a busy program's every call would otherwise write a row.
LAST_USED_EVERY = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_secret() -> str:
    """A token's secret: 256 random bits, URL-safe, with the prefix that tells a cfit token."""
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a secret. A plain SHA-256 suffices: the secret is random, not a password."""
    return hashlib.sha256(secret.encode()).hexdigest()


def signed_in_token(secret: str) -> Any:
    """The active token with this secret, its user active too, or None."""
    from cfit.accounts.models import ApiToken

    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    now = timezone.now()
    token = ApiToken.objects.active(now).select_related("user").filter(digest=digest(secret)).first()
    if token is None or not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token


class ApiTokenMiddleware:
    """Signs an API request in by its bearer token (after Django's authentication, before the
    organisation scope is set from the user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header[:7].lower() == "bearer ":
            token = signed_in_token(header[7:].strip())
            request.user = token.user if token is not None else AnonymousUser()
            request.api_token = token  # type: ignore[attr-defined]
        return self.get_response(request)


class ReadOnlyToken(HttpError):
    """Raised if a read-only token asks to change something (answered 403, code ``read_only_token``)."""

    code = READ_ONLY_TOKEN


class TokenAuth(HttpBearer):
    """The API's token authentication, as OpenAPI describes it (HTTP bearer)."""

    openapi_description = (
        "A personal API token (made at /accounts/tokens/), sent as `Authorization: Bearer cfit_…`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = getattr(request, "api_token", None)
        if found is None:
            return None
        if found.read_only and request.method not in SAFE_METHODS:
            raise ReadOnlyToken(403, _("This token may only read: make a token that may also write."))
        return found.user


#: Every endpoint that needs a signed-in user takes a token or the browser's session.
API_AUTH = [TokenAuth(), django_auth]
