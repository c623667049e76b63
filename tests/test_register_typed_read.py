"""``read_register`` reads a clean CSV with its number columns typed by polars' reader, and any other
file as text: whatever the file, both ways give the same register or the same refusal.

The property is checked on generated registers whose cells are drawn from what real files hold and
what the two parsers might read differently (spaces, grouped thousands, decimal commas, exponents,
signs, NaN, blank and totals rows, other separators); the examples below pin that the typed way is
really taken for a clean file (else the property would hold by never taking it) and left for the
cells it cannot read as the check does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfit.impact import register
from cfit.impact.register import check_register, read_raw, read_register
from cfit.uploads import ImportRefused

TODAY = date(2026, 11, 30)
LIMIT = 10_000_000

NUMBER_CELLS = [
    "",
    "1",
    "12",
    "25.5",
    " 12",
    "12 ",
    "1.000",
    "1,000",
    "1,5",
    "1e3",
    "+5",
    "-3",
    "-0",
    "0",
    "2.0",
    "NaN",
    "inf",
    ".5",
    "12.",
    "abc",
    "1_000",
    "3000000",
]
DATE_CELLS = ["", "2021-03-04", "04/03/2021", "2021/03/04", "04.03.2021", "2021-3-4", "2030-01-01", "x"]
CELLS: dict[str, list[str]] = {
    "product_group": ["notebooks", "monitors", "Bildschirm", "desktops", "", "toasters"],
    "manufacturer": ["Dell", " HP ", "Lenovo", ""],
    "model": ["Latitude 5440", "E2318H", "'=cmd", ""],
    "quantity": NUMBER_CELLS,
    "purchase_date": DATE_CELLS,
    "condition": ["", "new", "refurbished", "gebraucht"],
    "country": ["", "NL", "fr", "Deutschland", "XX"],
    "status": ["", "in_use", "retired", "in_stock"],
    "retired_date": DATE_CELLS,
    "end_of_use_route": ["", "recycled", "reuse"],
    "weight_kg": NUMBER_CELLS,
    "screen_size_in": NUMBER_CELLS,
    "memory_gb": NUMBER_CELLS,
    "number_cpu": NUMBER_CELLS,
    "yearly_kwh": NUMBER_CELLS,
    "asset_key": ["", "A1", "A2", "A1 "],
}
#: Some columns under the header a Dutch or German export gives them.
HEADERS = {
    "purchase_date": ["purchase_date", "Aanschafdatum"],
    "product_group": ["product_group", "Gerätetyp"],
}


def quoted(cell: str, separator: str) -> str:
    return f'"{cell}"' if separator in cell or '"' in cell else cell


#: Cells the check accepts (and a blank retirement: no column breaks a rule of another).
CLEAN_CELLS: dict[str, list[str]] = {
    **{c: [v for v in CELLS[c] if v] for c in ("product_group", "manufacturer", "model", "condition")},
    "product_group": ["notebooks", "monitors", "Bildschirm", "desktops"],
    "purchase_date": ["2021-03-04", "04/03/2021", "2021/03/04", "04.03.2021", "2021-3-4"],
    "quantity": ["", "1", "12", " 12", "+5", "3000"],
    "country": ["", "NL", "fr", "Deutschland"],
    "status": ["", "in_use", "in_stock"],
    "retired_date": [""],
    "end_of_use_route": [""],
    "asset_key": [""],
    **{
        c: ["", "1", "12", "25.5", " 12", "1e1", "+5", ".5", "12.", "2.0"]
        for c in ("weight_kg", "yearly_kwh")
    },
    "screen_size_in": ["", "0", "14", "23.8", " 27"],
    "memory_gb": ["", "8", "16", "0.5"],
    "number_cpu": ["", "1", "2", "+2"],
}


@st.composite
def register_files(draw: Any, cells: dict[str, list[str]] = CELLS, odd_rows: bool = True) -> bytes:
    optional = [c for c in cells if c not in register.REQUIRED]
    columns = list(register.REQUIRED) + draw(st.lists(st.sampled_from(optional), unique=True, max_size=8))
    columns = draw(st.permutations(columns))
    separator = draw(st.sampled_from([",", ";"]))
    headers = [draw(st.sampled_from(HEADERS.get(c, [c]))) for c in columns]
    lines = [separator.join(headers)]
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["row"] * 8 + ["blank", "totals"])) if odd_rows else "row"
        if kind == "blank":
            lines.append(separator * (len(columns) - 1))
        elif kind == "totals":
            lines.append("Total" + separator * (len(columns) - 1))
        else:
            lines.append(separator.join(quoted(draw(st.sampled_from(cells[c])), separator) for c in columns))
    return ("\n".join(lines) + "\n").encode()


def outcome(read: Any) -> tuple[Any, ...]:
    try:
        return ("read", read())
    except ImportRefused as error:
        groups = [g.as_dict() for g in getattr(error, "groups", [])]
        return ("refused", [str(p) for p in error.problems], groups)


def the_same(first: tuple[Any, ...], second: tuple[Any, ...]) -> bool:
    if first[0] != second[0]:
        return False
    if first[0] == "read":
        return bool(first[1].equals(second[1]))
    return first[1:] == second[1:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=register_files(), purpose=st.sampled_from(["register", "estimate"]))
def test_typed_and_text_reads_agree_on_any_file(data: bytes, purpose: str) -> None:
    options = {"today": TODAY, "default_country": "NL", "purpose": purpose}
    as_text = outcome(
        lambda: check_register(read_raw(data, "register.csv", limit=LIMIT, strip=False), **options)
    )
    both = outcome(lambda: read_register(data, "register.csv", limit=LIMIT, **options))
    assert the_same(as_text, both), (data.decode(), as_text, both)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=register_files(CLEAN_CELLS, odd_rows=False))
def test_a_clean_file_is_read_typed_and_gives_the_text_ways_register(data: bytes) -> None:
    """The typed way is taken for every clean file (else the property above could hold by never
    taking it), and gives what the text way gives."""
    options = {"today": TODAY, "default_country": "NL"}
    typed = register._read_typed(data, "register.csv", None, LIMIT, None, None, options)
    assert typed is not None, data.decode()
    assert typed.equals(check_register(read_raw(data, "register.csv", strip=False), **options))


CLEAN = (
    b"asset_key,product_group,manufacturer,model,quantity,purchase_date,country,weight_kg,number_cpu\n"
    b"A1,notebooks,Dell,Latitude 5440,25,2023-03-15,NL,1.4,\n"
    b"A2,monitors,HP,E24 G5,3,2022-01-31,FR,,\n"
    b",desktops,Lenovo,ThinkCentre M70q,,2021-06-01,,1.3,1\n"
)
OPTIONS: dict[str, Any] = {"today": TODAY, "default_country": "NL"}


def test_a_clean_file_is_read_typed_with_the_same_register() -> None:
    typed = register._read_typed(CLEAN, "register.csv", None, LIMIT, None, None, OPTIONS)
    assert typed is not None
    assert typed.equals(check_register(read_raw(CLEAN, "register.csv", strip=False), **OPTIONS))
    assert typed.get_column("quantity").to_list() == [25, 3, 1]  # a blank quantity is one device
    assert typed.schema["weight_kg"] == pl.Float64


def test_cells_the_reader_parses_otherwise_go_the_text_way() -> None:
    """German thousands, a decimal comma, a space after the figure: the typed read gives up, and the
    text way reads them as the check always did (a thousand devices, not one)."""
    for cell, quantity in ((b'"1.000"', 1000), (b'" 12 "', 12), (b"1e1", 10)):
        data = CLEAN.replace(b",25,", b"," + cell + b",")
        assert register._read_typed(data, "register.csv", None, LIMIT, None, None, OPTIONS) is None
        assert read_register(data, "register.csv", **OPTIONS).get_column("quantity")[0] == quantity


def test_a_refused_file_is_refused_as_the_text_way_names_it() -> None:
    data = CLEAN.replace(b"2023-03-15", b"2031-03-15")
    refused = outcome(lambda: read_register(data, "register.csv", today=TODAY))
    assert refused[0] == "refused"
    assert refused == outcome(
        lambda: check_register(read_raw(data, "register.csv", strip=False), today=TODAY)
    )
    assert any("row 2" in problem for problem in refused[1])
