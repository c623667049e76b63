"""A figure given to a monitoring report's actions: a number as it is; a figure as text read by one
declared rule, never guessed. With the writer's language, by that language's separators, as the pages and
the workbook read it; without one, only if every language of the platform reads it as the same number,
so that "1.234" (1.234 in English, 1234 in Dutch) is refused as ambiguous (before: the separator-guessing
rule of file imports read it as 1.234 whatever the writer meant). Nothing that is not a finite,
non-negative number is stored (before: "1e400" and a 400-digit text were stored as infinity through the
report page)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfit.monitoring.actions import MonitoringError, parse_value


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", 12.0),
        ("12,5", 12.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1 234", 1234.0),
        ("2.5", 2.5),
        (7, 7.0),
        (Decimal("7.5"), 7.5),
    ],
)
def test_figures_every_language_reads_alike_are_read(typed: object, expected: float) -> None:
    assert parse_value("ict_spend_eur", typed) == expected


@pytest.mark.parametrize("typed", ["1.234", "1,234", "12.500", "-1,000"])
def test_a_text_figure_the_languages_read_differently_is_refused_as_ambiguous(typed: str) -> None:
    with pytest.raises(MonitoringError, match="ambiguous"):
        parse_value("ict_spend_eur", typed)


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [("en", "1.234", 1.234), ("nl", "1.234", 1234.0), ("de", "1.234,5", 1234.5), ("en", "1,234", 1234.0)],
)
def test_a_text_figure_with_its_language_is_read_by_that_languages_rule(
    language: str, typed: str, expected: float
) -> None:
    assert parse_value("ict_spend_eur", typed, language=language) == expected


def test_a_signed_zero_is_refused_as_a_number_and_as_text() -> None:
    for typed in (Decimal("-0"), -0.0, "-0", "-0,0"):
        with pytest.raises(MonitoringError, match="zero or more"):
            parse_value("units_new", typed)


@pytest.mark.parametrize("typed", ["inf", "1e400", "9" * 400, "nan", "twelve", "12 kg"])
def test_what_is_no_finite_number_is_refused(typed: str) -> None:
    with pytest.raises(MonitoringError):
        parse_value("ict_spend_eur", typed)


@given(st.text(max_size=80))
def test_a_typed_figure_is_a_finite_non_negative_number_or_refused(typed: str) -> None:
    try:
        value = parse_value("ict_spend_eur", typed)
    except MonitoringError:
        return
    assert value is None or (isinstance(value, float) and math.isfinite(value) and value >= 0)
