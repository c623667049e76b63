"""Numbers typed as people write them in their language, thousands separators included.

Greta reports for a German participant and copies "1.234.567,89" from her spreadsheet; Jan types
"1.234" devices in Dutch; Élodie types "1 234 567,89" in French; Ola in Norwegian with a no-break
space; Ann in English "1,234,567.89". Each is the number they mean; "1.5" in Dutch, "1.234" in French
and a malformed grouping are refused with an example of how the language writes numbers (one rule for
every page: the monitoring report's fields and the contract evidence's figures read alike).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from cfit.numberfields import GroupedDecimalField, GroupedIntegerField, typed_number


@pytest.mark.parametrize(
    ("language", "typed", "meant"),
    [
        ("de", "1.234.567,89", Decimal("1234567.89")),
        ("nl", "1.234.567,89", Decimal("1234567.89")),
        ("fr", "1 234 567,89", Decimal("1234567.89")),
        ("fr", "1\u202f234\u202f567,89", Decimal("1234567.89")),
        ("nb", "1\u00a0234\u00a0567,89", Decimal("1234567.89")),
        ("en", "1,234,567.89", Decimal("1234567.89")),
        ("en", "1234567.89", Decimal("1234567.89")),
        ("de", "1234567,89", Decimal("1234567.89")),
        ("nl", "0,5", Decimal("0.5")),
    ],
)
def test_a_decimal_as_the_language_writes_it(language: str, typed: str, meant: Decimal) -> None:
    field = GroupedDecimalField(max_digits=18, decimal_places=3, required=False)
    with translation.override(language):
        assert field.clean(typed) == meant


@pytest.mark.parametrize(
    ("language", "typed", "meant"),
    [
        ("nl", "1.234", 1234),
        ("de", "12.500", 12500),
        ("en", "1,234", 1234),
        ("fr", "1 234", 1234),
        ("nb", "1234", 1234),
    ],
)
def test_a_count_as_the_language_writes_it(language: str, typed: str, meant: int) -> None:
    with translation.override(language):
        assert GroupedIntegerField(required=False).clean(typed) == meant


@pytest.mark.parametrize(
    ("language", "typed"), [("de", "1.23.456"), ("en", "12,34"), ("nl", "1..234"), ("fr", "1 23")]
)
def test_digits_not_in_groups_of_three_are_not_a_grouped_number(language: str, typed: str) -> None:
    with translation.override(language), pytest.raises(forms.ValidationError):
        GroupedDecimalField(max_digits=18, decimal_places=3).clean(typed)


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["en", "nl", "de", "fr", "nb"]))
def test_a_number_grouped_by_the_language_reads_back_as_itself(number: int, language: str) -> None:
    from django.utils.formats import number_format

    with translation.override(language):
        shown = number_format(number, force_grouping=True)
        assert GroupedIntegerField(required=False).clean(shown) == number
        assert GroupedIntegerField(required=False).clean(str(number)) == number


@pytest.mark.parametrize(
    ("language", "typed", "example"),
    [
        ("nl", "1.5", "1.234,5"),  # a point in Dutch only groups thousands
        ("de", "0.25", "1.234,5"),
        ("fr", "1.234", "1\u00a0234,5"),  # neither French mark: 1.234 or 1234? Not guessed
        ("nb", "2.5", "1\u00a0234,5"),
        ("en", "1,5", "1,234.5"),
    ],
)
def test_an_ambiguous_number_is_refused_with_how_the_language_writes_one(
    language: str, typed: str, example: str
) -> None:
    with translation.override(language), pytest.raises(forms.ValidationError) as refused:
        GroupedDecimalField(max_digits=18, decimal_places=3).clean(typed)
    assert example in refused.value.messages[0]


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["en", "nl", "de", "fr", "nb"]),
)
def test_the_form_field_and_the_evidence_figures_read_a_number_alike(number: Decimal, language: str) -> None:
    """Whatever a page prints, both readers take back as the same number: there is one rule."""
    from django.utils.formats import number_format

    with translation.override(language):
        shown = number_format(number, decimal_pos=2, use_l10n=True, force_grouping=True)
        read = GroupedDecimalField(max_digits=18, decimal_places=3, required=False).clean(shown)
    assert read == number == typed_number(shown, language)


def test_a_typed_number_field_opens_a_phones_keypad_with_the_decimal_mark() -> None:
    """Jan types his device count on a phone: the field is text (so "1.234" is read as Dutch writes it,
    not as the browser would), but it asks for the numeric keypad; a hidden one asks for nothing."""
    from cfit.numberfields import GroupedFloatField

    class Report(forms.Form):
        devices = GroupedIntegerField()
        weight = GroupedDecimalField()
        energy = GroupedFloatField()
        kept = GroupedFloatField(widget=forms.HiddenInput)

    form = Report()
    for name in ("devices", "weight", "energy"):
        html = str(form[name])
        assert 'type="text"' in html and 'inputmode="decimal"' in html, html
    assert "inputmode" not in str(form["kept"])


@pytest.mark.parametrize("typed", ["-0", "-0,0", "- 0"])
def test_minus_zero_is_refused_where_a_figure_is_zero_or_more(typed: str) -> None:
    """Jan typed "-0" devices in his monitoring report: the page took it as 0 where the workbook refuses
    it (a count has no sign); now the page refuses it too, at its field."""
    with translation.override("nl"):
        for field in (GroupedIntegerField(min_value=0), GroupedDecimalField(min_value=0, max_digits=18)):
            with pytest.raises(forms.ValidationError) as refused:
                field.clean(typed)
            assert refused.value.code == "min_value"
        assert GroupedIntegerField().clean("-0") == 0  # a field that takes negative numbers takes it
