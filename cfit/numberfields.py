"""Numbers typed as the user writes them in their language, thousands included: one rule for every
page (monitoring reports, contract evidence…).

Django's localized number fields drop thousands separators only when the site renders numbers with
them everywhere (``USE_THOUSAND_SEPARATOR``), which would also write "1,234" into addresses built from
ids; cfit shows large figures grouped ("815.050" in German) and so must read them back grouped:
"1.234.567,89" in German and Dutch, "1 234 567,89" in French and Norwegian, "1,234,567.89" in English.
The rule is ``tabular.parse_typed``'s: the decimal mark is the language's; its thousands separator (or
a space of any kind) only groups three digits; nothing is guessed, so "1.5" in Dutch and "1.234" in
French (whose thousands are spaces) are refused, with an example of how the language writes numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.utils import translation
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from cfit.tabular import NotANumber, parse_typed

#: The largest whole number a positive integer column holds on every database (2**31 - 1): a form
#: field saved into one says so, rather than fail at the database.
LARGEST_STORED_WHOLE = 2_147_483_647


def typed_number(text: str, language: str | None = None) -> Decimal:
    """``text`` read by the separators of ``language`` (default: the active one). Raises
    ``NotANumber``."""
    with translation.override(language or translation.get_language()):
        decimal = str(get_format("DECIMAL_SEPARATOR"))
        thousands = str(get_format("THOUSAND_SEPARATOR"))
    return parse_typed(text, decimal=decimal, thousands=thousands)


class AmbiguousNumber(NotANumber):
    """Raised if a figure given as text without its language reads as different numbers in the
    platform's languages ("1.234": 1.234 in English, 1234 in Dutch and German)."""


def unambiguous_number(text: str) -> Decimal:
    """``text`` read without knowing its writer's language: the number every language of the platform
    that can read it agrees on ("12,5", "1.234,5", "1 234", "2.5"); ``AmbiguousNumber`` where they
    disagree, ``NotANumber`` where none reads it. No separator is guessed: where the language matters,
    the writer must say it (``typed_number``)."""
    readings = set()
    for language, _name in settings.LANGUAGES:
        try:
            readings.add(typed_number(text, language))
        except NotANumber:
            continue
    if not readings:
        raise NotANumber(f"a number is expected, not {str(text)[:40]!r}")
    if len(readings) > 1:
        raise AmbiguousNumber(f"{str(text)[:40]!r} reads as different numbers in different languages")
    return readings.pop()


def example(value: Any, language: str | None = None) -> str:
    """A number as the user types it in their language: '1.234,5' in Dutch, '1,234.5' in English."""
    with translation.override(language or translation.get_language()):
        return number_format(value, use_l10n=True, force_grouping=True)


def _invalid(whole: bool) -> forms.ValidationError:
    if whole:
        return forms.ValidationError(
            _("Enter a whole number, e.g. %(example)s.") % {"example": example(1234)}, code="invalid"
        )
    return forms.ValidationError(
        _("Enter a number, e.g. %(example)s.") % {"example": example(Decimal("1234.5"))}, code="invalid"
    )


class _TypedNumberInput:
    """A number typed as the user's language writes it is a text field (a browser's number field reads
    "1.234" its own way), but a phone still opens its keypad with the decimal mark on it."""

    min_value: Any

    def _signless(self, number: Decimal) -> Decimal:
        """``number``, unless it is "-0" where a figure is zero or more: a count or quantity has no sign,
        and the workbook refuses it (``monitoring.actions.parse_value``), so the page does too, rather
        than take it as 0 (an integer cannot even keep the sign)."""
        if number.is_signed() and not number and self.min_value is not None and self.min_value >= 0:
            at_least = MinValueValidator(self.min_value)
            raise forms.ValidationError(
                at_least.message, code=at_least.code, params={"limit_value": self.min_value}
            )
        return number

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)  # type: ignore[misc]
        if not widget.is_hidden and not isinstance(widget, forms.NumberInput):
            attrs.setdefault("inputmode", "decimal")
        return attrs


class GroupedDecimalField(_TypedNumberInput, forms.DecimalField):
    """A decimal in the user's language, grouped or not."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the stubs type it as int
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int):
            return Decimal(value)
        try:
            return self._signless(typed_number(str(value)))
        except NotANumber:
            raise _invalid(whole=False) from None


class GroupedIntegerField(_TypedNumberInput, forms.IntegerField):
    """A whole number in the user's language, grouped or not ("1.234" is 1234 in Dutch)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            number = self._signless(typed_number(str(value)))
        except NotANumber:
            raise _invalid(whole=True) from None
        if number != number.to_integral_value():
            raise _invalid(whole=True)
        return int(number)


class GroupedFloatField(_TypedNumberInput, forms.FloatField):
    """A measured quantity in the user's language, grouped or not ("1.234.567,5" kWh in Dutch)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]  # the stubs type it as int
        if value in self.empty_values:
            return None
        if isinstance(value, float | int):
            return float(value)
        try:
            return float(self._signless(typed_number(str(value))))
        except NotANumber:
            raise _invalid(whole=False) from None
