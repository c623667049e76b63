"""Organisation scoping: what an organisation owns is filtered to the acting user's organisations by default.

A view cannot forget the filter: the default manager of every ``OrganisationOwned`` model reads the
scope that ``OrganisationScopeMiddleware`` sets for each request. Code that runs outside a request
(commands, the admin, tests) says whom it acts for with ``acting_for(user)`` or, for pact-wide system
work, ``system_scope()``; a query with no scope raises ``ScopeNotSet`` instead of returning everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

_M = TypeVar("_M", bound=models.Model)


class ScopeNotSet(RuntimeError):
    """Raised if an organisation-owned model is queried with no acting user or system scope."""


class _System:
    """Marks the scope of system work (commands that act for the whole pact)."""


SYSTEM = _System()

#: The organisation ids the current code acts for, or SYSTEM, or None when nothing was said.
_scope: ContextVar[frozenset[int] | _System | None] = ContextVar("cfit_organisation_scope", default=None)


def organisation_ids_for(user: Any) -> frozenset[int]:
    if user is None or not user.is_authenticated:
        return frozenset()
    from cfit.accounts.models import Membership

    return frozenset(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


@contextmanager
def acting_for(user: Any) -> Iterator[None]:
    token = _scope.set(organisation_ids_for(user))
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def system_scope() -> Iterator[None]:
    token = _scope.set(SYSTEM)
    try:
        yield
    finally:
        _scope.reset(token)


class ScopedQuerySet(models.QuerySet[_M]):
    def of_organisation(self, organisation: Any) -> Self:
        return self.filter(organisation=organisation)


class ScopedManager(models.Manager[_M]):
    """The default manager of organisation-owned models: filters by the active scope.

    A model with its own queryset methods declares, at module level (where django-stubs can resolve
    the manager's type), ``ItsManager = ScopedManager.from_queryset(ItsQuerySet)`` where ``ItsQuerySet``
    subclasses ``ScopedQuerySet``, and then ``objects: ClassVar[ItsManager[Model]] = ItsManager()``.
    """

    _queryset_class = ScopedQuerySet

    def of_organisation(self, organisation: Any) -> ScopedQuerySet[_M]:
        return self.get_queryset().of_organisation(organisation)

    def get_queryset(self) -> ScopedQuerySet[_M]:
        queryset = super().get_queryset()
        assert isinstance(queryset, ScopedQuerySet)
        scope = _scope.get()
        if scope is None:
            raise ScopeNotSet(
                f"{self.model.__name__} was queried with no organisation scope: "
                "wrap the code in acting_for(user) or system_scope()"
            )
        if isinstance(scope, _System):
            return queryset
        return queryset.filter(organisation_id__in=scope)


class OrganisationOwned(models.Model):
    """Base of everything an organisation owns (shortlists now; tenders, offers, assets later)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name="organisation"
    )

    #: For the admin and system jobs only; never in a view.
    unscoped = models.Manager()
    objects = ScopedManager()

    class Meta:
        abstract = True
        default_manager_name = "objects"
        base_manager_name = "unscoped"


class OrganisationScopeMiddleware:
    """Sets the request's scope from the signed-in user's memberships."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _scope.set(organisation_ids_for(getattr(request, "user", None)))
        try:
            return self.get_response(request)
        finally:
            _scope.reset(token)
