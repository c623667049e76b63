"""How a requirement's expected answer reads to people, in the active language.

One wording for the criterion pages, the tender annex and the supplier template, so that a buyer
and a supplier see the same "≥ 300 cycles" wherever they look. Works on the framework schema's
requirements and on the stored ones alike: both carry the same field names.
"""

from __future__ import annotations

from typing import Protocol

from django.utils.translation import gettext as _

from cfit.criteria.content import DataType


class HasThreshold(Protocol):
    @property
    def data_type(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def options(self) -> list[str]: ...
    @property
    def expected_value(self) -> object: ...
    @property
    def min_value(self) -> float | None: ...
    @property
    def max_value(self) -> float | None: ...


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def threshold_text(requirement: HasThreshold) -> str:
    """The expected answer in words, e.g. '≥ 300 cycles', 'Yes' or 'A / B / C'."""
    unit = f" {requirement.unit}" if requirement.unit else ""
    low, high, expected = requirement.min_value, requirement.max_value, requirement.expected_value
    if requirement.data_type == DataType.BOOLEAN:
        return str(_("Yes") if expected else _("No"))
    if low is not None and high is not None:
        return f"{number(low)}–{number(high)}{unit}"
    if low is not None:
        return f"≥ {number(low)}{unit}"
    if high is not None:
        return f"≤ {number(high)}{unit}"
    if expected not in (None, ""):
        return f"{expected}{unit}"
    if requirement.options:
        # An enumeration is met by its allowed answers only, so those are what the reader is shown.
        allowed = list(getattr(requirement, "allowed", None) or [])
        return " / ".join(allowed or requirement.options)
    return str(_("To be declared"))
