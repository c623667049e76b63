"""Pages that show product group names cache what they render (the home page, the criteria library and
a published criterion's page, keyed by the framework version and the language, not by the groups): a
product group renamed or translated anew, by the admin or ``loadframework``, empties the cache so that
the next page shows the new name rather than the old one for up to an hour."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cfit.criteria.models import ProductGroup


def forget_rendered_names(sender: type[Any], **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures being loaded: nothing rendered from them yet
        return
    # After the commit: a page rendered between the save and the commit would cache the old name again.
    # The whole cache, because a fragment's key holds the language and the filters, which cannot be listed;
    # a product group changes a few times a year.
    transaction.on_commit(cache.clear)


def connect() -> None:
    post_save.connect(forget_rendered_names, sender=ProductGroup, dispatch_uid="product-group-names-save")
    post_delete.connect(forget_rendered_names, sender=ProductGroup, dispatch_uid="product-group-names-delete")
