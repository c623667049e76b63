"""The API's rate limit: so many requests per window for each token (or signed-in browser user), and
fewer for each network address calling without one.

A fixed window, counted in Django's cache (the ``api-rate`` cache, ``API_RATE_CACHE``): a window starts
every ``API_RATE_WINDOW`` seconds, and each caller's count starts again at 0 then. Past the limit, a
request is answered 429 with the API's error body (code ``throttled``, its ``detail`` in the caller's
language) and ``Retry-After``, before any view runs. Every answer under /api/ says where the caller
stands, in the fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers-11): ``RateLimit-Policy:
"token";q=600;w=60`` (the quota and its window) and ``RateLimit: "token";r=599;t=42`` (what remains and
the seconds until the window ends).

The counts are as shared as the cache is: each process's own memory by default (a limit per process),
a database table or Redis for a limit across processes (docs/production.md).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import ngettext

from cfit.accounts.throttle import client_address
from cfit.apierrors import error_response

#: The cache the counts are kept in (settings.CACHES).
CACHE = "api-rate"


@dataclass(frozen=True)
class Standing:
    """Where one caller stands in the current window."""

    policy: str  #: "token", "user" or "address": whose count it is
    quota: int  #: requests allowed per window
    window: int  #: seconds
    used: int  #: requests made in this window, this one included
    reset: int  #: seconds until the window ends (at least 1)

    @property
    def allowed(self) -> bool:
        return self.used <= self.quota

    @property
    def remaining(self) -> int:
        return max(0, self.quota - self.used)

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Policy": f'"{self.policy}";q={self.quota};w={self.window}',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={self.reset}',
        }


def caller(request: HttpRequest) -> tuple[str, str]:
    """Whose count a request adds to: its token's, else its signed-in user's, else its address's (a
    token that does not sign in counts as no token: mistyped or revoked tokens share their address's)."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return "token", f"token:{token.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return "user", f"user:{user.pk}"
    return "address", f"address:{client_address(request) or 'unknown'}"


def clock() -> float:
    """Seconds since the epoch (a test moves them on to the next window)."""
    return time.time()


def count(request: HttpRequest) -> Standing | None:
    """Count the request against its caller's limit; None where the limit is off (0)."""
    policy, who = caller(request)
    quota = int(settings.API_RATE_LIMIT_ANONYMOUS if policy == "address" else settings.API_RATE_LIMIT)
    window = max(1, int(settings.API_RATE_WINDOW))
    if quota <= 0:
        return None
    now = clock()
    started = int(now // window) * window
    key = f"cfit-api-rate:{who}:{started}"
    store = caches[CACHE]
    # add() then incr(): atomic on Redis; on a database cache two processes may both read the same count
    # at the same instant, so the limit may let a request or two more through, never fewer.
    store.add(key, 0, timeout=window + 1)
    try:
        used = store.incr(key)
    except ValueError:  # evicted between the two calls
        store.set(key, 1, timeout=window + 1)
        used = 1
    return Standing(policy, quota, window, used, max(1, math.ceil(started + window - now)))


class ApiRateLimitMiddleware:
    """Refuse a caller past its limit under /api/ (429), and tell every caller where it stands. After
    the token middleware: the token signs the request in first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        standing = count(request)
        if standing is None:
            return self.get_response(request)
        response: Any
        if standing.allowed:
            response = self.get_response(request)
        else:
            with translation.override(translation.get_language_from_request(request)):
                detail = ngettext(
                    "Too many requests: try again in %(seconds)d second.",
                    "Too many requests: try again in %(seconds)d seconds.",
                    standing.reset,
                ) % {"seconds": standing.reset}
            response = error_response(request, 429, detail)
            response["Retry-After"] = str(standing.reset)
        for name, value in standing.headers().items():
            response[name] = value
        return response
