"""Dates and numbers in the reader's convention.

English dates were American: "12/06/2026" on some pages (a reader in Dublin sees 12 June) and
"July 3, 2021" on others. Charts printed 12,345.6 with English separators in every language.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from cfit import charts

DAY = date(2026, 12, 6)


def test_english_dates_are_day_first_with_the_month_in_words() -> None:
    with translation.override("en"):
        assert formats.date_format(DAY) == "6 December 2026"
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == "6 Dec 2026"
        moment = datetime(2026, 12, 6, 14, 5, tzinfo=ZoneInfo("Europe/Brussels"))
        assert formats.date_format(moment, "DATETIME_FORMAT") == "6 December 2026, 14:05"


@pytest.mark.parametrize("language", ["nl", "fr", "de", "nb"])
def test_other_languages_keep_their_own_day_first_dates(language: str) -> None:
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT").lstrip("0").startswith("6")


def test_english_forms_read_what_the_pages_print_and_what_date_pickers_send() -> None:
    from django import forms

    class When(forms.Form):
        day = forms.DateField()

    with translation.override("en"):
        for typed in ("2026-12-06", "06/12/2026", "6 Dec 2026", "6 December 2026"):
            form = When({"day": typed})
            assert form.is_valid(), typed
            assert form.cleaned_data["day"] == DAY, typed


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["12k", "1,235", "2.5", "3"]),
        ("de", ["12k", "1.235", "2,5", "3"]),
        ("fr", ["12k", "1\xa0235", "2,5", "3"]),
    ],
)
def test_chart_numbers_use_the_language_s_separators(language: str, expected: list[str]) -> None:
    with translation.override(language):
        assert [charts.number(v) for v in (12_345.6, 1_234.6, 2.49, 3.04)] == expected


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_a_chart_number_always_reads_back_as_roughly_itself(value: float) -> None:
    with translation.override("de"):
        text = charts.number(value)
    digits = text.removesuffix("k").replace(".", "").replace(",", ".")
    scale = 1000 if text.endswith("k") else 1
    assert abs(float(digits) * scale - value) <= max(0.05 + 1e-9, 500 if scale > 1 else 0.5)
