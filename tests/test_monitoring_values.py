"""A figure typed into a monitoring report reads by the same number rule as every import, and nothing
that is not a finite, non-negative number is stored (before: "1e400" and a 400-digit text were stored
as infinity through the report page; "1.234,5" was refused)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfit.monitoring.actions import MonitoringError, parse_value


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12", 12.0), ("12,5", 12.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1 234", 1234.0), (7, 7.0)],
)
def test_figures_read_as_every_import_reads_them(typed: object, expected: float) -> None:
    assert parse_value("ict_spend_eur", typed) == expected


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
