"""The register's fast read gives what the careful one gives.

``read_raw(..., strip=False)`` leaves a CSV's cells as written (the spaces around them, rows of spaces
only) and ``check_register`` strips what it reads; the coded columns are mapped and counted once per
distinct combination of their words. Whatever a file holds, the typed register, or the problems with
their rows, headers, counts and quoted values, must be those of the stripped read, cell by cell.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from cfit.impact.problems import RegisterRefused
from cfit.impact.register import check_register, read_raw

TODAY = date(2026, 1, 1)
HEADERS = [
    "Productgroep",
    "Merk",
    "Model",
    "Aantal",
    "Aankoopdatum",
    "Staat",
    "Land",
    "Status",
    "Uitfaseringsdatum",
    "Bestemming",
    "Gewicht",
    "Inventarisnummer",
]
WORDS: dict[str, list[str]] = {
    "Productgroep": ["notebooks", "Laptop", "Monitor", "toaster", "", "Desktop-PC"],
    "Merk": ["Dell", "HP", "", "'=Lenovo"],
    "Model": ["Latitude 5420", "E2318H", ""],
    "Aantal": ["1", "3", "", "many", "2,0", "0"],
    "Aankoopdatum": ["2021-03-04", "04-03-2021", "", "yesterday", "2030-01-01", "1970-01-01"],
    "Staat": ["new", "Refurbished", "", "mint", "Hergebruikt"],
    "Land": ["NL", "nl", "Nederland", "", "XX", "Germany"],
    "Status": ["in_use", "retired", "", "lost", "In gebruik"],
    "Uitfaseringsdatum": ["", "2024-05-06", "2019-01-01"],
    "Bestemming": ["", "recycled", "Hergebruik", "goats"],
    "Gewicht": ["", "1.4", "1,4", "heavy", "0"],
    "Inventarisnummer": ["", "NB-1", "NB-2", "NB-1 "],
}
SPACES = st.sampled_from(["", "", " ", "  ", "\t", "\u00a0", " \u2009"])


@st.composite
def registers(draw: st.DrawFn) -> bytes:
    """A Dutch register of a few lines: known and unknown words, bad cells, spaces around cells, rows
    of spaces only and empty rows."""
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["line", "line", "line", "spaces", "empty"]))
        if kind == "empty":
            rows.append([""] * len(HEADERS))
        elif kind == "spaces":
            rows.append([draw(SPACES) for _ in HEADERS])
        else:
            rows.append([draw(SPACES) + draw(st.sampled_from(WORDS[h])) + draw(SPACES) for h in HEADERS])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode()


def outcome(data: bytes, strip: bool, **options: Any) -> Any:
    raw = read_raw(data, "register.csv", strip=strip)
    try:
        return "register", check_register(raw, today=TODAY, **options)
    except RegisterRefused as refused:
        return "refused", ([str(p) for p in refused.problems], [g.as_dict() for g in refused.groups])


def assert_same(data: bytes, **options: Any) -> None:
    careful, fast = outcome(data, True, **options), outcome(data, False, **options)
    assert careful[0] == fast[0], (careful, fast)
    if careful[0] == "register":
        assert_frame_equal(careful[1], fast[1])
    else:
        assert careful[1] == fast[1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=registers(),
    country=st.sampled_from(["", "NL", "XX"]),
    purpose=st.sampled_from(["register", "estimate"]),
)
def test_the_fast_read_checks_every_file_as_the_careful_one(data: bytes, country: str, purpose: str) -> None:
    assert_same(data, default_country=country, purpose=purpose)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=registers())
def test_the_organisations_own_words_read_alike(data: bytes) -> None:
    values = {"product_group": {"toaster": "printers", "notebooks": "desktops"}, "country": {"xx": "BE"}}

    assert_same(data, values=values)


def test_rows_of_spaces_do_not_count_as_lines_without_a_country() -> None:
    text = "Productgroep,Merk,Model,Aankoopdatum\nnotebooks,Dell,E2318H,2021-03-04\n  , \t,,\n"

    kind, (problems, groups) = outcome(text.encode(), False)

    assert kind == "refused"
    assert [(g["code"], g["count"], g["rows"]) for g in groups] == [("no_country", 1, [2])]
    assert problems == ["row 2, country: required: no country given and no default country"]


@pytest.mark.parametrize("strip", [True, False])
def test_an_unknown_word_is_quoted_without_its_spaces(strip: bool) -> None:
    text = "Productgroep,Merk,Model,Aankoopdatum,Land\n  toaster ,Dell,E2318H,2021-03-04,NL\n"

    kind, (problems, groups) = outcome(text.encode(), strip)

    assert kind == "refused"
    assert groups[0]["examples"] == ["toaster"]
    assert problems[0].endswith(": 'toaster'")


def test_a_bad_number_below_a_row_of_spaces_is_named_at_its_own_row() -> None:
    text = (
        "Productgroep,Merk,Model,Aantal,Aankoopdatum,Land\n"
        "notebooks,Dell,E2318H,1,2021-03-04,NL\n"
        " , ,\t, , , \n"
        "notebooks,Dell,E2318H, many ,2021-03-04,NL\n"
    )

    kind, (problems, _) = outcome(text.encode(), False)

    assert kind == "refused"
    assert problems == ["row 4, Aantal: not a number: 'many'"]
