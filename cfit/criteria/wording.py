"""How a requirement's expected answer reads to people, in the active language.

One wording for the criterion pages, the tender annex and the supplier template, so that a buyer
and a supplier see the same "≥ 300 cycles" wherever they look. Works on the framework schema's
requirements and on the stored ones alike: both carry the same field names. Units and options are
shown by their label in the reader's language (``vocabulary.yaml``), numbers with the language's
decimal separator ("1,95" in Dutch, French, German and Norwegian).
"""

from __future__ import annotations

from typing import Protocol

from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cfit.criteria.content import DataType
from cfit.criteria.vocabulary import load_vocabulary


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


def active_language(language: str | None = None) -> str:
    return (language or get_language() or "en").split("-")[0]


def number(value: float, language: str | None = None) -> str:
    """A number without needless decimals; with ``language``, in that language's decimal mark ("1,95").

    Without a language the point is kept: sentences that quote a number in every language (the award
    method's formulas) decide for themselves.
    """
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    if language is None:
        return text
    return text.replace(".", str(get_format("DECIMAL_SEPARATOR", lang=language, use_l10n=True)))


def unit_label(unit: str, language: str | None = None, *, count: float | None = None) -> str:
    """The label of a requirement's unit in the reader's language ('' for none)."""
    return load_vocabulary().unit(unit, active_language(language), count=count)


def option_label(option: str, language: str | None = None) -> str:
    """The label of an enumeration's answer in the reader's language ('tool-free' → 'Sans outil')."""
    return load_vocabulary().option(option, active_language(language))


def topic_label(topic: str, language: str | None = None) -> str:
    """The name of a topic (the pair of a baseline criterion and its ambitious variant)."""
    return load_vocabulary().topic(topic, active_language(language))


def quantity(value: float, unit: str, language: str | None = None) -> str:
    """'5 years', '80 %', '1 an': a number with its unit, both in the reader's language."""
    shown = number(value, active_language(language))
    label = unit_label(unit, language, count=value)
    return f"{shown} {label}" if label else shown


def threshold_text(requirement: HasThreshold, language: str | None = None) -> str:
    """The expected answer in words, e.g. '≥ 300 cycles', 'Yes' or 'A / B / C'."""
    lang = active_language(language)
    low, high, expected = requirement.min_value, requirement.max_value, requirement.expected_value
    if requirement.data_type == DataType.BOOLEAN:
        return str(_("Yes") if expected else _("No"))
    if low is not None and high is not None:
        label = unit_label(requirement.unit, lang)
        return f"{number(low, lang)}–{number(high, lang)}" + (f" {label}" if label else "")
    if low is not None:
        return f"≥ {quantity(low, requirement.unit, lang)}"
    if high is not None:
        return f"≤ {quantity(high, requirement.unit, lang)}"
    if requirement.data_type == DataType.ENUMERATION:
        # An enumeration is met by its allowed answers only, so those are what the reader is shown.
        allowed = list(getattr(requirement, "allowed", None) or [])
        if not allowed and expected not in (None, ""):
            allowed = [str(expected)]
        return " / ".join(option_label(option, lang) for option in allowed or requirement.options)
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return quantity(expected, requirement.unit, lang)
    if expected not in (None, ""):
        label = unit_label(requirement.unit, lang)
        return f"{expected}" + (f" {label}" if label else "")
    return str(_("To be declared"))


def floor_text(
    requirement: HasThreshold, value: float | bool, better: str, language: str | None = None
) -> str:
    """A legal floor's value as a threshold: '≥ 5 years' (better: higher), '≤ 5 working days', 'Yes'."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    sign = "≤" if better == "lower" else "≥"
    return f"{sign} {quantity(value, requirement.unit, language)}"
