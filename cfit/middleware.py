"""Site-wide protections that come before any view: a size cap on requests, and the security headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cfit.uploads import MAX_IMPORT_BYTES, MAX_REGISTER_BYTES, describe_size

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


#: The refusals of malformed requests, in the reader's language on pages and in English from the API.
INVALID_CONTENT_LENGTH = gettext_lazy("The request declares an invalid Content-Length.")
NUL_IN_ADDRESS = gettext_lazy("The address contains a NUL character.")


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
            if request.path.startswith("/api/"):
                message = f"The request is larger than {describe_size(largest_file)}, the most a file may be."
            else:
                # A person sent a file from a page (a supplier through its upload link, often): said in
                # their language, read from the cookie or the browser, as the locale middleware would.
                with translation.override(translation.get_language_from_request(request)):
                    message = _("The file is larger than %(size)s MB.") % {
                        "size": f"{largest_file / (1 << 20):.3g}"
                    }
            return _refuse(request, 413, message)
        return self.get_response(request)


def _refuse(request: HttpRequest, status: int, message: str | Promise) -> HttpResponse:
    """The refusal as a JSON error in English from the API, like its other errors; on a page, as text in
    the reader's language, read from the cookie or the browser as the locale middleware (which has not
    run yet) would."""
    if request.path.startswith("/api/"):
        with translation.override("en"):
            return JsonResponse({"detail": str(message)}, status=status)
    with translation.override(translation.get_language_from_request(request)):
        text = str(message)
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


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
