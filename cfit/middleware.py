"""Site-wide protections that come before any view: a size cap on requests, and the security headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cfit.apierrors import error_response
from cfit.uploads import MAX_IMPORT_BYTES, MAX_REGISTER_BYTES

#: Room for the form around a file (multipart boundaries, the CSRF token, a title).
FORM_ROOM = 1024 * 1024
#: The largest request body taken: the largest import file plus the form around it. Bigger requests
#: are refused unread.
MAX_REQUEST_BYTES = MAX_IMPORT_BYTES + FORM_ROOM
#: Where a fleet register is sent (the import page, the API's import and computations): the register
#: limit applies there (a national register is larger than any other import).
REGISTER_PATHS = re.compile(
    r"^/(fleet/[^/]+/import/|api/v1/fleet/[^/]+/assets/import|api/v1/impact/(fleet|estimate))$"
)


#: The refusals of malformed requests, in the reader's language.
INVALID_CONTENT_LENGTH = gettext_lazy("The request declares an invalid Content-Length.")
NUL_IN_ADDRESS = gettext_lazy("The address contains a NUL character.")
#: The API's answers to an address it does not have, and to a method a path does not take.
NO_SUCH_ADDRESS = gettext_lazy("The API has no such address: see /api/docs.")
METHOD_NOT_TAKEN = gettext_lazy("This address does not take this method: see its Allow header.")


def register_limit() -> int:
    return int(getattr(settings, "FLEET_REGISTER_MAX_BYTES", MAX_REGISTER_BYTES))


#: Only the platform's own scripts run: no inline script, no event-handler attribute, no eval (a
#: stored text that slipped through escaping still cannot run). Inline style attributes stay allowed
#: for the charts' bars and legends, which carry computed widths and colours. Images may be data:
#: URIs (the API docs page uses them). No page may be framed by another site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: Browser features the platform never uses, switched off for every page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class RequestSizeLimitMiddleware:
    """Refuse (413) a request whose declared body is larger than MAX_REQUEST_BYTES, before it is read.

    Django parses a form (and writes its files to disk) as soon as anything touches ``request.POST``,
    the CSRF check included; this runs first, so an oversized upload through an anonymous supplier
    link costs one header, not a gigabyte on disk. A body without Content-Length is not read by
    Django's WSGI handler at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(declared)
        except ValueError:
            size = -1
        if size < 0:
            return _refuse(request, 400, INVALID_CONTENT_LENGTH)
        if "\x00" in unquote(request.META.get("QUERY_STRING", ""), errors="replace"):
            # No text the platform stores or searches may hold a NUL (PostgreSQL refuses it outright,
            # as a server error); forms refuse it field by field, the query string is refused here.
            return _refuse(request, 400, NUL_IN_ADDRESS)
        largest_file = register_limit() if REGISTER_PATHS.match(request.path) else MAX_IMPORT_BYTES
        if size > largest_file + FORM_ROOM:
            # A person sent a file from a page (a supplier through its upload link, often) or a program
            # through the API: said in their language, read from the cookie or the browser (or the
            # Accept-Language header), as the locale middleware would.
            with translation.override(translation.get_language_from_request(request)):
                message = _("The file is larger than %(size)s MB.") % {
                    "size": f"{largest_file / (1 << 20):.3g}"
                }
            return _refuse(request, 413, message)
        return self.get_response(request)


def _refuse(request: HttpRequest, status: int, message: str | Promise) -> HttpResponse:
    """The refusal as the API's error body from the API, as text on a page; in the reader's language
    either way, read from the cookie or the browser as the locale middleware (which has not run yet)
    would."""
    if request.path.startswith("/api/"):
        return error_response(request, status, message)
    with translation.override(translation.get_language_from_request(request)):
        text = str(message)
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


class ApiConventionsMiddleware:
    """What every answer under /api/ does, whichever view (or none) answered.

    * An address the API does not have (404) or a method a path does not take (405) answers the API's
      error body, not the site's HTML page or ninja's plain text.
    * A successful GET carries an ETag; a client that sends it back as If-None-Match gets 304 while
      the answer is unchanged (Django's conditional GET). Answers depend on who asks: private to the
      client, varying with the Authorization header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        if response.status_code in (404, 405) and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow")
            response = error_response(
                request,
                response.status_code,
                NO_SUCH_ADDRESS if response.status_code == 404 else METHOD_NOT_TAKEN,
            )
            if allowed:
                response["Allow"] = allowed
        patch_vary_headers(response, ["Authorization"])
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        if request.method == "GET" and response.status_code == 200 and not response.streaming:
            if not response.has_header("ETag"):
                set_response_etag(response)
            conditional = get_conditional_response(request, etag=response["ETag"], response=response)
            if conditional is not None:
                # Django's 304 keeps the caching headers only: the rate limit's standing too.
                for name in ("RateLimit", "RateLimit-Policy"):
                    if response.has_header(name):
                        conditional[name] = response[name]
                return conditional
        return response


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy and Permissions-Policy to every response that has none.

    Django's SecurityMiddleware already sends Referrer-Policy, X-Content-Type-Options and
    Cross-Origin-Opener-Policy, and the clickjacking middleware X-Frame-Options; CSP's
    ``frame-ancestors`` is the modern form of the latter.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
