"""A user's own language: the pages' language on a device that has not chosen one, and the language of
every mail cfit sends them.

Chosen with the language switcher or on the account page (``Profile.language``). A mail goes to each
reader in their own language; a reader without one reads it in the language of what it is about (a
campaign's, a buyer group's, a tender's), as before users had a language. A mail to several readers
is sent once per language (``by_language``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeGuard

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.utils import translation

#: Where a signed-in user's own language is kept in their session, read by ``OwnLanguageMiddleware``
#: without a query on each page.
SESSION_KEY = "cfit_language"
#: The fields of a membership that give its user's address and own language (``by_language``).
ADDRESS_AND_LANGUAGE = ("user__email", "user__profile__language")


def is_language(code: object) -> TypeGuard[str]:
    """Whether ``code`` is one of the site's languages."""
    return isinstance(code, str) and code in dict(settings.LANGUAGES)


def own_language(user: Any) -> str:
    """The user's own language, or "" if they have none (or are not signed in)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    try:
        language = user.profile.language
    except ObjectDoesNotExist:
        return ""
    return language if is_language(language) else ""


def by_language(
    readers: Iterable[tuple[str | None, str | None]], fallback: str
) -> list[tuple[str, list[str]]]:
    """Readers' addresses grouped by the language their mail is written in: ``readers`` are (address,
    own language) pairs, and a reader without a language of their own reads ``fallback``. Each address
    once (the first language given for it), without empty ones; the fallback's group first, then the
    others by language code, each group's addresses sorted."""
    language_of: dict[str, str] = {}
    for address, language in readers:
        if address and address not in language_of:
            language_of[address] = language if language and is_language(language) else fallback
    groups: dict[str, list[str]] = defaultdict(list)
    for address in sorted(language_of):
        groups[language_of[address]].append(address)
    return sorted(groups.items(), key=lambda group: (group[0] != fallback, group[0]))


def users_by_language(users: Iterable[Any], fallback: str) -> list[tuple[str, list[str]]]:
    """``by_language`` for user objects (their profile selected with them, or one query each)."""
    return by_language(((user.email, own_language(user)) for user in users), fallback)


def remember(request: HttpRequest, language: str) -> None:
    """Keep a signed-in user's own language in their session: it is their pages' language where the
    device has chosen none. "" forgets it."""
    if language:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


def remember_on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """On every sign-in (the sign-in page, the admin's), the user's own language goes into the new
    session. Django's ``user_logged_in`` signal (connected in ``AccountsConfig.ready``) rather than a
    view of ours, because every way of signing in sends it."""
    if request is not None and hasattr(request, "session"):
        remember(request, own_language(user))


class OwnLanguageMiddleware:
    """A signed-in user's pages are in their own language where the device has chosen none: no
    language cookie (a new browser, a new device). The language switcher's cookie still wins, and
    without an own language Django's LocaleMiddleware decides as ever (the browser's Accept-Language).

    After LocaleMiddleware, which it overrides; it reads the session only where the request carries
    a session cookie, so anonymous pages do not start varying on cookies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and hasattr(request, "session")
        ):
            language = request.session.get(SESSION_KEY)
            if is_language(language):
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
