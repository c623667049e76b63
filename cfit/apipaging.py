"""The JSON API's one way of paging a long list: ``page`` (from 1) and ``per_page`` in, and
``{"count", "page", <items>}`` out (the criteria, the assets, the contracts, the monitoring reports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Schema

#: Far beyond any list (a billion lines at 1,000 a page), well within a database integer: a page past it
#: is answered 422, not an overflow in the database.
MAX_PAGE = 1_000_000
MAX_PER_PAGE = 1000


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="From 1")
    per_page: int = Field(100, ge=1, le=MAX_PER_PAGE)


Found = TypeVar("Found", bound=QuerySet[Any])


def changed_after(found: Found, since: datetime, field: str = "updated") -> Found:
    """What changed after ``since`` (a ``modified_since``): the items whose ``field`` is later."""
    # A time without its offset is read as UTC, the offset every answer gives its times in.
    if timezone.is_naive(since):
        since = timezone.make_aware(since, UTC)
    # The answers give times to the millisecond: "after" is after the millisecond given, so that the
    # largest ``updated`` of a sync does not bring its own items back.
    after = since.replace(microsecond=since.microsecond // 1000 * 1000) + timedelta(milliseconds=1)
    return found.filter(**{f"{field}__gte": after})


def page_of(
    found: QuerySet[Any], paging: PageIn, key: str, shown: Callable[[Any], Any] = lambda item: item
) -> dict[str, Any]:
    """One page of ``found`` (ordered by the caller, its id last so that no item shows on two pages)."""
    start = (paging.page - 1) * paging.per_page
    return {
        "count": found.count(),
        "page": paging.page,
        key: [shown(item) for item in found[start : start + paging.per_page]],
    }
