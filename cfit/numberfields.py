"""Form fields that read a number as the user writes it in their language, thousands included.

Django's localized number fields drop thousands separators only when the site renders numbers with
them everywhere (``USE_THOUSAND_SEPARATOR``), which would also write "1,234" into addresses built from
ids; cfit shows large figures grouped ("815.050" in German) and so must read them back grouped:
"1.234.567,89" in German and Dutch, "1 234 567,89" in French and Norwegian, "1,234,567.89" in English.
Only digits in groups of three are taken for grouping; anything else is left as typed, and the field
says it is not a number.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import get_format

#: Spaces a person (or a copied figure) may group digits with, in every language.
_SPACES = " \u00a0\u202f"


def ungrouped(text: str) -> str:
    """The text without the active language's thousands separators, where it is a grouped number."""
    thousands = str(get_format("THOUSAND_SEPARATOR"))
    decimal = str(get_format("DECIMAL_SEPARATOR"))
    separators = re.escape("".join(sorted(set(thousands + _SPACES) - {decimal})))
    stripped = text.strip()
    grouped = rf"[+-]?\d{{1,3}}(?:[{separators}]\d{{3}})+(?:{re.escape(decimal)}\d*)?"
    if re.fullmatch(grouped, stripped):
        return re.sub(rf"[{separators}]", "", stripped)
    return text


class GroupedDecimalField(forms.DecimalField):
    """A decimal in the user's language, grouped or not."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the stubs type it as int
        return super().to_python(ungrouped(value) if isinstance(value, str) else value)


class GroupedIntegerField(forms.IntegerField):
    """A whole number in the user's language, grouped or not ("1.234" is 1234 in Dutch)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        return super().to_python(ungrouped(value) if isinstance(value, str) else value)


class GroupedFloatField(forms.FloatField):
    """A measured quantity in the user's language, grouped or not ("1.234.567,5" kWh in Dutch)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]  # the stubs type it as int
        return super().to_python(ungrouped(value) if isinstance(value, str) else value)
