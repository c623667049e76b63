"""Full addresses of the site's pages, for mails: the recipient reads them outside the site, so a link
carries the site's public address (``settings.SITE_URL``, from ``CFIT_SITE_URL``). Every mail builds
its links here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def page_address(viewname: str, *args: Any, anchor: str = "") -> str:
    """The full address of a page, e.g. ``page_address("monitoring:report", 12)`` is
    ``https://cfit.example.org/monitoring/reports/12/``; ``anchor`` names a part of the page."""
    return settings.SITE_URL + reverse(viewname, args=args) + (f"#{anchor}" if anchor else "")
