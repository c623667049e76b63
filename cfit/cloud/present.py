"""The method's own words in the reader's language: the core (``footprint.py``, plain Python, also the
command line's) names kinds of usage and the reasons a row is not counted in English, as keys of its
result; pages show them through here."""

from __future__ import annotations

import re
from datetime import date

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cfit.cloud.footprint import NO_QUANTITY, NOT_USAGE, REVERSAL, UNKNOWN_FAMILY

#: key of ``by_kind`` or ``not_counted`` -> its words on a page
LABELS: dict[str, Promise] = {
    "compute": _("compute"),
    "memory": _("memory"),
    "storage": _("storage"),
    "network": _("network"),
    "hours of no instance type cfit knows": _("hours of no instance type cfit knows"),
    "data processed, not transferred": _("data processed, not transferred"),
    "a unit that is no compute, memory, storage or network quantity": _(
        "a unit that is no compute, memory, storage or network quantity"
    ),
    NOT_USAGE: _("not usage (purchase, tax, credit, adjustment)"),
    REVERSAL: _("correction or reversal of an earlier charge"),
    NO_QUANTITY: _("no consumed quantity"),
    UNKNOWN_FAMILY: _("type unknown: provider average watts, wider range"),
    #: a row without region, service or month
    "unknown": _("unknown"),
}


def label(key: str) -> str:
    """The key in the reader's language; a family key "<provider> <UNKNOWN_FAMILY>" keeps its provider,
    and anything else (a service, a region, an instance family) is data and shown as given."""
    if key in LABELS:
        return str(LABELS[key])
    provider, _space, rest = key.partition(" ")
    if rest == UNKNOWN_FAMILY:
        return f"{provider} {LABELS[UNKNOWN_FAMILY]}"
    return key


#: A month as the core keys it (FOCUS charge periods, ``CloudUsage.first_month``).
_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")


def month_label(month: str) -> str:
    """A "YYYY-MM" month as the reader's language writes it ("september 2024", "September 2024"); a
    key that is no month ("unknown") through ``label``."""
    found = _MONTH.fullmatch(month)
    if found is None or not 1 <= int(found["month"]) <= 12:
        return label(month)
    return date_format(date(int(found["year"]), int(found["month"]), 1), "YEAR_MONTH_FORMAT")
