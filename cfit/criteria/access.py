"""Permission-scoped getters for the criteria library: published versions are public, drafts are not."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cfit.accounts.access import is_secretariat_staff
from cfit.criteria.models import Criterion, FrameworkVersion


def visible_versions(user: Any):  # -> FrameworkVersionQuerySet
    if is_secretariat_staff(user):
        return FrameworkVersion.objects.all()
    return FrameworkVersion.objects.published()


def get_version_for_user(user: Any, code: str | None = None) -> FrameworkVersion:
    """The version asked for (default: the latest published), or 404 if the user may not see it."""
    if not code:
        version = FrameworkVersion.objects.latest_published()
        if version is None:
            raise Http404("No framework version is published yet.")
        return version
    try:
        return visible_versions(user).get(code=code)
    except FrameworkVersion.DoesNotExist:
        raise Http404(f"No framework version {code}.") from None


def get_criterion_for_user(
    user: Any, code: str, version_code: str | None = None, *, related: bool = True
) -> Criterion:
    """A criterion of a version the user may see; ``related=False`` leaves its groups, labels and
    requirements to be fetched later (a page whose body is cached fetches them only when rendering)."""
    version = get_version_for_user(user, version_code)
    found = Criterion.objects.with_related() if related else Criterion.objects.select_related("version")
    try:
        return found.get(version=version, code=code)
    except Criterion.DoesNotExist:
        raise Http404(f"No criterion {code} in version {version.code}.") from None


def get_draft_for_secretariat(user: Any, code: str) -> FrameworkVersion:
    """A draft version the secretariat may change, or 404 (to anyone else, and for any other version)."""
    if not is_secretariat_staff(user):
        raise Http404(f"No framework version {code}.")
    try:
        return FrameworkVersion.objects.get(code=code, status=FrameworkVersion.Status.DRAFT)
    except FrameworkVersion.DoesNotExist:
        raise Http404(f"No draft version {code}.") from None
