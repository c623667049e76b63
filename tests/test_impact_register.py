"""A fleet register read and checked: typed columns from a good file, every bad cell named by row and
by the column's own header, derived asset keys, and the CSV and XLSX readers. Plain Python, no database."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from cfit.impact.register import (
    ALL_COLUMNS,
    MAX_PROBLEMS,
    RawTable,
    check_register,
    guess_mapping,
    read_raw,
    template_csv,
)
from cfit.uploads import ImportRefused, Problem

TODAY = date(2026, 1, 1)
#: A one-line register that passes every check; tests change a few of its cells.
BASE = {
    "product_group": "notebooks",
    "manufacturer": "Dell",
    "model": "Latitude 5420",
    "purchase_date": "2021-03-04",
    "country": "NL",
}
#: The same columns as a Dutch asset tool would call them: problems must name these headers.
DUTCH = {
    "product_group": "Productgroep",
    "manufacturer": "Merk",
    "model": "Model",
    "quantity": "Aantal",
    "purchase_date": "Aankoopdatum",
    "condition": "Staat",
    "acquisition": "Verwerving",
    "country": "Land",
    "status": "Status",
    "retired_date": "Uitfaseringsdatum",
    "end_of_use_route": "Bestemming",
    "weight_kg": "Gewicht",
    "number_cpu": "Processoren",
    "asset_key": "Inventarisnummer",
}


def csv_text(rows: list[dict[str, str]], headers: list[str] | None = None, separator: str = ",") -> str:
    """A CSV file of ``rows`` (standard names to cells) under ``headers`` (all the rows' columns by default)."""
    headers = headers or list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(name, "") for name in headers])
    return out.getvalue()


def dutch_csv(rows: list[dict[str, str]]) -> str:
    """A CSV file with every column of ``DUTCH``, headed in Dutch."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DUTCH.values())
    for row in rows:
        writer.writerow([row.get(name, "") for name in DUTCH])
    return out.getvalue()


def check(text: str, filename: str = "fleet.csv", **options: object) -> pl.DataFrame:
    return check_register(read_raw(text.encode(), filename), today=TODAY, **options)  # type: ignore[arg-type]


def problems_of(text: str, **options: object) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        check(text, **options)
    return refused.value.problems


def read_problems(source: bytes | Path, filename: str, **options: object) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        read_raw(source, filename, **options)  # type: ignore[arg-type]
    return refused.value.problems


def one_line(**cells: str) -> dict[str, object]:
    """The checked register line of ``BASE`` changed by ``cells``."""
    [line] = check(csv_text([{**BASE, **cells}])).to_dicts()
    return line


def problems_of_raw(raw: RawTable) -> list[Problem]:
    with pytest.raises(ImportRefused) as refused:
        check_register(raw, today=TODAY)
    return refused.value.problems


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    """A workbook with ``rows`` from row 1 on; an empty list leaves its row blank."""
    book = Workbook()
    sheet = book.active
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- guessing the mapping from the file's own headers ------------------------------------------------


@pytest.mark.parametrize(
    ("header", "standard"),
    [
        ("product_group", "product_group"),
        ("manufacturer", "manufacturer"),
        ("quantity", "quantity"),
        ("Purchase date", "purchase_date"),
        ("PRODUCT-GROUP", "product_group"),
        ("Weight (kg)", "weight_kg"),
        ("Screen size (in)", "screen_size_in"),
        ("Serial number", "asset_key"),
        ("Merk", "manufacturer"),
        ("Aantal", "quantity"),
        ("Aankoopdatum", "purchase_date"),
        ("Land", "country"),
        ("Gewicht", "weight_kg"),
        ("Marque", "manufacturer"),
        ("Modèle", "model"),
        ("Quantité", "quantity"),
        ("Pays", "country"),
        ("Hersteller", "manufacturer"),
        ("Kaufdatum", "purchase_date"),
        ("Anzahl", "quantity"),
        ("Antall", "quantity"),
        ("Innkjøpsdato", "purchase_date"),
        ("Vekt", "weight_kg"),
        ("  Merk  ", "manufacturer"),
    ],
)
def test_guess_mapping_knows_standard_names_and_headers_in_five_languages(header: str, standard: str) -> None:
    assert guess_mapping([header]) == {header: standard}


@pytest.mark.parametrize(
    ("header", "standard"),
    [("Date d'achat", "purchase_date"), ("Numéro d'inventaire", "asset_key")],
)
def test_guess_mapping_reads_french_headers_with_an_apostrophe(header: str, standard: str) -> None:
    assert guess_mapping([header]) == {header: standard}


def test_guess_mapping_maps_a_whole_dutch_file_and_leaves_unknown_headers_out() -> None:
    headers = ["Productgroep", "Merk", "Model", "Aantal", "Aankoopdatum", "Land", "Gewicht", "Opmerking"]

    mapping = guess_mapping(headers)

    assert mapping == {
        "Productgroep": "product_group",
        "Merk": "manufacturer",
        "Model": "model",
        "Aantal": "quantity",
        "Aankoopdatum": "purchase_date",
        "Land": "country",
        "Gewicht": "weight_kg",
    }


def test_guess_mapping_gives_a_standard_column_to_the_first_header_that_claims_it() -> None:
    assert guess_mapping(["Merk", "Brand", "Kaufdatum", "Aankoopdatum"]) == {
        "Merk": "manufacturer",
        "Kaufdatum": "purchase_date",
    }


ROUTE_AND_WEIGHT = ("end_of_use_route", "weight_kg")


# --- a good file, typed ------------------------------------------------------------------------------


def test_a_good_file_gives_typed_columns_with_defaults_and_aliases() -> None:
    text = csv_text(
        [
            {**BASE, "manufacturer": " Dell ", "product_group": " laptop ", "weight_kg": "1,4"},
            {**BASE, "product_group": "Monitor", "model": "E24 G4", "quantity": "3", "status": "in use"},
            {
                **BASE,
                "product_group": "desktop",
                "model": "Z2 G9",
                "status": "retired",
                "retired_date": "05.06.2023",
                "end_of_use_route": "sold",
            },
        ],
        headers=[*BASE, "quantity", "condition", "acquisition", "status", "retired_date", *ROUTE_AND_WEIGHT],
    )

    frame = check(text)

    assert frame.columns == ["row", *ALL_COLUMNS]
    assert frame.schema["product_group"] == pl.Enum(
        ["desktops", "monitors", "notebooks", "printers", "servers", "smartphones", "tablets", "thin-clients"]
    )
    assert (frame.schema["quantity"], frame.schema["purchase_date"], frame.schema["weight_kg"]) == (
        pl.Int64,
        pl.Date,
        pl.Float64,
    )
    assert frame.select("row", "product_group", "manufacturer", "quantity", "status").rows() == [
        (2, "notebooks", "Dell", 1, "in_use"),
        (3, "monitors", "Dell", 3, "in_use"),
        (4, "desktops", "Dell", 1, "retired"),
    ]
    assert frame.get_column("weight_kg").to_list() == [1.4, None, None]
    assert (
        frame.row(2, named=True).items()
        >= {
            "retired_date": date(2023, 6, 5),
            "end_of_use_route": "reuse",
            "condition": "new",
            "acquisition": "bought",
        }.items()
    )


@pytest.mark.parametrize(
    "text",
    [
        "2021-03-04",
        "04-03-2021",
        "04/03/2021",
        "04.03.2021",
        "2021/03/04",
        "2021-03-04 08:30",
        "2021-03-04T08:30:00",
        "04/03/2021 17:05:59",
        "04.03.2021 9:15",
        "  2021-03-04  ",
    ],
)
def test_purchase_dates_are_read_in_the_usual_formats(text: str) -> None:
    assert one_line(purchase_date=text)["purchase_date"] == date(2021, 3, 4)


@pytest.mark.parametrize(
    ("column", "text", "code"),
    [
        ("product_group", "laptop", "notebooks"),
        ("product_group", "Laptops", "notebooks"),
        ("product_group", " Notebooks ", "notebooks"),
        ("product_group", "Thin client", "thin-clients"),
        ("product_group", "thin-clients", "thin-clients"),
        ("product_group", "All-in-one", "desktops"),
        ("product_group", "Beeldscherm", "monitors"),
        ("product_group", "mobile phone", "smartphones"),
        ("product_group", "MFP", "printers"),
        ("condition", "refurb", "refurbished"),
        ("condition", "Second hand", "refurbished"),
        ("acquisition", "Leasing", "leased"),
        ("acquisition", "DaaS", "service"),
        ("status", "in use", "in_use"),
        ("status", "In-Use", "in_use"),
        ("status", "spare", "in_stock"),
        ("status", "broken", "in_repair"),
    ],
)
def test_the_words_people_write_are_read_as_codes(column: str, text: str, code: str) -> None:
    assert one_line(**{column: text})[column] == code


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("sold", "reuse"),
        ("Donated", "reuse"),
        ("redeployed", "internal_reuse"),
        ("WEEE", "recycled"),
        ("stolen", "lost"),
        ("refurbished", "refurbished"),
    ],
)
def test_end_of_use_routes_are_read_as_codes(text: str, route: str) -> None:
    line = one_line(status="retired", retired_date="2024-05-06", end_of_use_route=text)

    assert (line["status"], line["end_of_use_route"]) == ("retired", route)


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        ("weight_kg", "1,4", 1.4),
        ("weight_kg", " 1.4 ", 1.4),
        ("screen_size_in", "15,6", 15.6),
        ("quantity", "1 000", 1000),
        ("quantity", " 12 ", 12),
        ("quantity", "3.0", 3),
        ("storage_gb", "512", 512.0),
        ("number_cpu", "2", 2),
        ("yearly_kwh", "0", 0.0),
    ],
)
def test_numbers_are_read_with_a_decimal_comma_and_spaces(column: str, text: str, value: float) -> None:
    assert one_line(**{column: text})[column] == value


@pytest.mark.parametrize("present", [True, False], ids=["blank cells", "absent columns"])
def test_blank_condition_status_acquisition_and_quantity_take_their_defaults(present: bool) -> None:
    headers = [*BASE, "condition", "status", "acquisition", "quantity"] if present else list(BASE)

    [line] = check(csv_text([BASE], headers=headers)).to_dicts()

    assert (line["condition"], line["status"], line["acquisition"], line["quantity"]) == (
        "new",
        "in_use",
        "bought",
        1,
    )
    assert (line["retired_date"], line["end_of_use_route"]) == (None, None)


def test_the_default_country_fills_blank_countries_only() -> None:
    text = csv_text([{**BASE, "country": ""}, {**BASE, "country": " de "}, {**BASE, "country": "  "}])

    frame = check(text, default_country="be")

    assert frame.get_column("country").to_list() == ["BE", "DE", "BE"]


def test_the_default_country_serves_a_file_without_a_country_column() -> None:
    headers = [name for name in BASE if name != "country"]

    frame = check(csv_text([BASE], headers=headers), default_country="NO")

    assert frame.get_column("country").to_list() == ["NO"]


def test_a_retirement_date_without_a_status_makes_the_line_retired() -> None:
    line = one_line(retired_date="2024-01-02", end_of_use_route="recycling")

    assert (line["status"], line["retired_date"], line["end_of_use_route"]) == (
        "retired",
        date(2024, 1, 2),
        "recycled",
    )


def test_text_cells_are_kept_without_surrounding_whitespace() -> None:
    line = one_line(manufacturer="  Lenovo ", model="\tThinkPad T14 Gen 2  ")

    assert (line["manufacturer"], line["model"]) == ("Lenovo", "ThinkPad T14 Gen 2")


# --- every class of bad input, named by row and by the file's own header ------------------------------


GOOD_LINE = {**BASE, "quantity": "2", "asset_key": "NB-1"}
RETIRED = {"status": "retired", "retired_date": "2024-05-06"}


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"product_group": "toaster"}, "Productgroep", "unknown value (use one of desktops, monitors,"),
        ({"status": "lost"}, "Status", "unknown value (use one of in_repair, in_stock, in_use, retired)"),
        (
            {**RETIRED, "end_of_use_route": "fed to the goats"},
            "Bestemming",
            "unknown value (use one of internal_reuse",
        ),
        ({"condition": "mint"}, "Staat", "unknown value (use one of new, refurbished): 'mint'"),
        ({"acquisition": "borrowed"}, "Verwerving", "unknown value"),
        ({"quantity": "many"}, "Aantal", "not a number: 'many'"),
        ({"weight_kg": "heavy"}, "Gewicht", "not a number: 'heavy'"),
        ({"quantity": "0"}, "Aantal", "out of range (1 to 1000000): '0'"),
        ({"quantity": "-3"}, "Aantal", "out of range"),
        ({"weight_kg": "5000"}, "Gewicht", "out of range (0.01 to 2000): '5000'"),
        ({"number_cpu": "17"}, "Processoren", "out of range (1 to 16)"),
        ({"quantity": "2.5"}, "Aantal", "not a whole number: '2.5'"),
        ({"quantity": "2,5"}, "Aantal", "not a whole number: '2,5'"),
        ({"number_cpu": "1.5"}, "Processoren", "not a whole number"),
        (
            {"purchase_date": "yesterday"},
            "Aankoopdatum",
            "not a date (accepted: 2024-03-31, 31-03-2024, 31/03/2024, 2024/03/31, 31.03.2024): 'yesterday'",
        ),
        ({"purchase_date": "31-02-2021"}, "Aankoopdatum", "not a date"),
        ({"purchase_date": "13/13/2021"}, "Aankoopdatum", "not a date"),
        ({"purchase_date": "2026-06-01"}, "Aankoopdatum", "in the future: '2026-06-01'"),
        ({"purchase_date": "1975-01-01"}, "Aankoopdatum", "before 1980"),
        ({"status": "retired", "retired_date": "2026-02-01"}, "Uitfaseringsdatum", "in the future"),
        ({"status": "retired"}, "Uitfaseringsdatum", "a retired device needs its retirement date"),
        ({**RETIRED, "retired_date": "2020-01-01"}, "Uitfaseringsdatum", "before the purchase date"),
        (
            {"status": "in_use", "retired_date": "2024-05-06"},
            "Uitfaseringsdatum",
            "a retirement date for a device that is not retired",
        ),
        (
            {"end_of_use_route": "recycled"},
            "Bestemming",
            "an end-of-use route for a device that is not retired",
        ),
        (
            {"status": "in_stock", "end_of_use_route": "sold"},
            "Bestemming",
            "an end-of-use route for a device that is not retired",
        ),
        ({"country": "NLD"}, "Land", "not a two-letter ISO 3166 country code: 'NLD'"),
        ({"country": "N1"}, "Land", "not a two-letter ISO 3166 country code"),
        ({"country": "Nowhereland"}, "Land", "not a two-letter ISO 3166 country code"),
        ({"country": ""}, "Land", "required: no country given and no default country"),
        ({"manufacturer": "x" * 201}, "Merk", "longer than 200 characters"),
        ({"model": "y" * 201}, "Model", "longer than 200 characters"),
        ({"asset_key": "k" * 201}, "Inventarisnummer", "longer than 200 characters"),
        ({"manufacturer": ""}, "Merk", "required: the cell is empty"),
        ({"model": "   "}, "Model", "required: the cell is empty"),
        ({"product_group": ""}, "Productgroep", "required: the cell is empty"),
        ({"purchase_date": ""}, "Aankoopdatum", "required: the cell is empty"),
        ({"purchase_date": "  "}, "Aankoopdatum", "required: the cell is empty"),
    ],
)
def test_each_bad_cell_is_refused_naming_its_row_and_the_files_header(
    cells: dict[str, str], column: str, message: str
) -> None:
    bad = {**GOOD_LINE, "asset_key": "NB-2", **cells}
    text = dutch_csv([GOOD_LINE, bad, {**GOOD_LINE, "asset_key": "NB-3"}])

    problems = problems_of(text)

    assert [(p.where, p.field) for p in problems] == [("row 3", column)]
    assert problems[0].message.startswith(message)


@pytest.mark.parametrize("text", ["nan", "NaN"])
def test_a_nan_is_refused_as_not_a_number(text: str) -> None:
    problems = problems_of(dutch_csv([{**GOOD_LINE, "weight_kg": text}]))

    assert Problem("row 2", "Gewicht", f"not a number: {text!r}") in problems


def test_the_same_line_is_accepted_once_its_cell_is_corrected() -> None:
    text = dutch_csv([GOOD_LINE, {**GOOD_LINE, "asset_key": "NB-2", **RETIRED, "end_of_use_route": "sold"}])

    frame = check(text)

    assert frame.select("row", "status", "end_of_use_route").rows() == [
        (2, "in_use", None),
        (3, "retired", "reuse"),
    ]


def test_a_refused_file_names_every_bad_cell_of_a_line() -> None:
    bad = {**GOOD_LINE, "quantity": "many", "country": "NLD", "purchase_date": "soon"}

    problems = problems_of(dutch_csv([bad]))

    assert sorted((p.where, p.field) for p in problems) == [
        ("row 2", "Aankoopdatum"),
        ("row 2", "Aantal"),
        ("row 2", "Land"),
    ]


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (["product_group", "manufacturer", "model"], ["purchase_date"]),
        (["Merk", "Aankoopdatum"], ["product_group", "model"]),
    ],
)
def test_a_missing_required_column_is_refused_on_row_1(headers: list[str], missing: list[str]) -> None:
    text = ",".join(headers) + "\n" + ",".join("x" for _ in headers) + "\n"

    problems = problems_of(text)

    assert problems == [Problem("row 1", name, "required column missing") for name in missing]


def test_two_columns_mapped_to_the_same_standard_name_are_refused() -> None:
    text = "Merk,Brand,Model,Type,Datum\nDell,Dell,Latitude 5420,laptop,2021-03-04\n"
    mapping = {
        "Merk": "manufacturer",
        "Brand": "manufacturer",
        "Model": "model",
        "Type": "product_group",
        "Datum": "purchase_date",
    }

    problems = problems_of(text, mapping=mapping)

    assert problems == [Problem("mapping", "manufacturer", "two columns of the file are mapped to it")]


def test_a_mapping_to_a_name_that_is_not_a_standard_column_is_refused() -> None:
    text = csv_text([{**BASE, "colour": "black"}])
    mapping = {name: name for name in BASE} | {"colour": "colour"}

    problems = problems_of(text, mapping=mapping)

    assert problems == [Problem("mapping", "colour", "not a standard column")]


def test_an_asset_key_on_two_rows_names_both_rows() -> None:
    text = dutch_csv(
        [GOOD_LINE, {**GOOD_LINE, "asset_key": "NB-2"}, {**GOOD_LINE, "asset_key": " NB-1 "}],
    )

    problems = problems_of(text)

    assert [(p.where, p.field) for p in problems] == [
        ("row 2", "Inventarisnummer"),
        ("row 4", "Inventarisnummer"),
    ]
    assert all(p.message.startswith("the same asset key is on another row") for p in problems)


def test_problems_are_listed_in_row_order() -> None:
    text = dutch_csv(
        [
            {**GOOD_LINE, "asset_key": "1", "quantity": "many"},
            {**GOOD_LINE, "asset_key": "2", "product_group": "toaster"},
            {**GOOD_LINE, "asset_key": "3"},
            {**GOOD_LINE, "asset_key": "4", "quantity": "0", "manufacturer": ""},
            {**GOOD_LINE, "asset_key": "5", "country": "XXX"},
        ]
    )

    problems = problems_of(text)

    assert [p.where for p in problems] == ["row 2", "row 3", "row 5", "row 5", "row 6"]


def test_more_than_200_problems_are_capped_with_a_count_of_the_rest() -> None:
    text = csv_text([{**BASE, "quantity": "many"} for _ in range(250)])

    problems = problems_of(text)

    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == Problem("file", "-", "50 more problem(s) not listed")
    assert [p.where for p in problems[:MAX_PROBLEMS]] == [f"row {n}" for n in range(2, MAX_PROBLEMS + 2)]


def test_nothing_of_a_file_with_one_bad_row_among_many_is_returned() -> None:
    rows = [{**BASE, "asset_key": f"NB-{n}"} for n in range(1000)]
    rows[700]["purchase_date"] = "2027-01-01"

    problems = problems_of(csv_text(rows))

    assert problems == [Problem("row 702", "purchase_date", "in the future: '2027-01-01'")]


# --- asset keys derived for files without them ---------------------------------------------------------


def test_a_file_without_asset_keys_gives_each_line_its_own_key() -> None:
    text = csv_text([BASE, {**BASE, "model": "Latitude 5430"}, {**BASE, "product_group": "tablets"}])

    keys = check(text).get_column("asset_key").to_list()

    assert all(keys) and len(set(keys)) == 3


def test_reading_the_same_file_twice_gives_the_same_keys() -> None:
    text = csv_text([BASE, {**BASE, "model": "Latitude 5430"}, BASE, {**BASE, "quantity": "4"}])

    first = check(text).get_column("asset_key").to_list()
    second = check(text).get_column("asset_key").to_list()

    assert first == second


def test_identical_lines_get_distinct_keys_by_their_rank_among_them() -> None:
    text = csv_text([BASE, {**BASE, "model": "Latitude 5430"}, BASE])

    keys = check(text).get_column("asset_key").to_list()

    assert keys[0] != keys[2]
    assert keys[0].removesuffix("|0") == keys[2].removesuffix("|1")


def test_derived_keys_do_not_depend_on_the_order_of_different_lines() -> None:
    lines = [BASE, {**BASE, "model": "Latitude 5430"}, {**BASE, "manufacturer": "HP", "model": "840 G8"}]

    forward = check(csv_text(lines)).get_column("asset_key").to_list()
    backward = check(csv_text(lines[::-1])).get_column("asset_key").to_list()

    assert forward == backward[::-1]


def test_the_files_own_keys_are_kept_and_only_blank_ones_are_derived() -> None:
    text = csv_text([{**BASE, "asset_key": "NB-7"}, {**BASE, "asset_key": ""}])

    keys = check(text).get_column("asset_key").to_list()

    assert keys[0] == "NB-7"
    assert keys[1] not in ("", "NB-7")


# --- reading the raw file ------------------------------------------------------------------------------


ACCENTED = (
    "Productgroep;Merk;Modèle;Aankoopdatum;Land\nportable;Société Générale;Écran Ñandú 14;2021-03-04;FR\n"
)


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
def test_a_cp1252_csv_is_read_with_its_accents(tmp_path: Path, as_path: bool) -> None:
    data = ACCENTED.encode("cp1252")
    source: bytes | Path = data
    if as_path:
        source = tmp_path / "fleet.csv"
        source.write_bytes(data)

    raw = read_raw(source, "fleet.csv")
    [line] = check_register(raw, today=TODAY).to_dicts()

    assert raw.headers == ["Productgroep", "Merk", "Modèle", "Aankoopdatum", "Land"]
    assert (line["manufacturer"], line["model"]) == ("Société Générale", "Écran Ñandú 14")


def test_a_cp1252_character_after_the_first_64_kib_is_read_too() -> None:
    lines = (
        "Productgroep;Merk;Model;Aankoopdatum;Land\n" + "notebooks;Dell;Latitude 5420;2021-03-04;NL\n" * 2000
    )
    data = (lines + "notebooks;Dell;Modèle tardif;2021-03-04;NL\n").encode("cp1252")
    assert len(data) > 65536 and data[:65536].isascii()

    raw = read_raw(data, "fleet.csv")

    assert raw.frame.get_column("Model").to_list()[-1] == "Modèle tardif"


def test_a_utf8_csv_larger_than_64_kib_keeps_its_accents_wherever_the_64_kib_cut_falls() -> None:
    data = utf8_file_cut_inside_a_character()

    raw = read_raw(data, "fleet.csv")

    assert set(raw.frame.get_column("model").to_list()) == {"Modèle é"}


def utf8_file_cut_inside_a_character() -> bytes:
    """A UTF-8 register over 64 KiB whose byte 65,536 falls inside an "è" or an "é"."""
    line = "laptop,Dell,Modèle é,2021-03-04,NL\n"
    for padding in range(len(line.encode())):
        header = "product_group,manufacturer,model,purchase_date,country" + " " * padding + "\n"
        data = (header + line * 2000).encode()
        try:
            data[:65536].decode()
        except UnicodeDecodeError:
            return data
    raise AssertionError("no padding puts the 64 KiB cut inside a character")


def test_a_utf8_csv_with_a_byte_order_mark_is_read() -> None:
    data = "\ufeff" + csv_text([{**BASE, "model": "Modèle"}])

    [line] = check_register(read_raw(data.encode(), "fleet.csv"), today=TODAY).to_dicts()

    assert (line["product_group"], line["model"]) == ("notebooks", "Modèle")


@pytest.mark.parametrize("separator", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
def test_the_separator_is_detected(separator: str) -> None:
    text = csv_text([{**BASE, "weight_kg": "1,4", "quantity": "2"}], separator=separator)

    raw = read_raw(text.encode(), "fleet.csv")
    [line] = check_register(raw, today=TODAY).to_dicts()

    assert raw.headers == [*BASE, "weight_kg", "quantity"]
    assert (line["weight_kg"], line["quantity"]) == (1.4, 2)


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf", b"   \n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert read_problems(data, "fleet.csv") == [Problem("file", "-", "the file is empty")]


def test_a_repeated_header_is_refused() -> None:
    data = b"Merk,Model,Merk,Land\nDell,Latitude,Dell,NL\n"

    assert read_problems(data, "fleet.csv") == [Problem("row 1", "-", "the header repeats Merk")]


@pytest.mark.parametrize("filename", ["fleet.pdf", "fleet.xls", "fleet"])
def test_an_unknown_file_type_is_refused(filename: str) -> None:
    problems = read_problems(b"%PDF-1.7", filename)

    assert problems == [Problem("file", "-", "unknown file type: send a CSV or an XLSX file")]


def test_the_file_type_is_known_whatever_the_case_of_its_extension() -> None:
    raw = read_raw(csv_text([BASE]).encode(), "FLEET.CSV")

    assert raw.headers == list(BASE)


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
def test_a_csv_larger_than_the_limit_is_refused(tmp_path: Path, as_path: bool) -> None:
    data = csv_text([BASE] * 10).encode()
    source: bytes | Path = data
    if as_path:
        source = tmp_path / "fleet.csv"
        source.write_bytes(data)

    problems = read_problems(source, "fleet.csv", limit=len(data) - 1)

    assert [(p.where, p.field) for p in problems] == [("file", "-")]
    assert problems[0].message.startswith("larger than")
    assert read_raw(source, "fleet.csv", limit=len(data)).frame.height == 10


def test_an_xlsx_larger_than_the_limit_is_refused() -> None:
    data = xlsx_bytes([list(BASE), list(BASE.values())])

    problems = read_problems(data, "fleet.xlsx", limit=len(data) - 1)

    assert problems[0].message.startswith("larger than")


def test_an_xlsx_is_read_with_date_cells_as_iso_dates() -> None:
    data = xlsx_bytes(
        [
            ["Productgroep", "Merk", "Model", "Aantal", "Aankoopdatum", "Gewicht", "Land", None],
            ["laptop", "Dell", "Latitude 5420", 3, datetime(2021, 3, 4, 10, 30), 1.4, "NL"],
            ["monitor", "HP", " E24 G4 ", 2.0, date(2022, 11, 30), None, "BE"],
        ]
    )

    raw = read_raw(data, "fleet.xlsx")
    frame = check_register(raw, today=TODAY)

    assert raw.headers == ["Productgroep", "Merk", "Model", "Aantal", "Aankoopdatum", "Gewicht", "Land"]
    assert raw.frame.get_column("Aankoopdatum").to_list() == ["2021-03-04", "2022-11-30"]
    assert raw.frame.get_column("Aantal").to_list() == ["3", "2"]
    assert frame.select("row", "product_group", "model", "quantity", "purchase_date", "weight_kg").rows() == [
        (2, "notebooks", "Latitude 5420", 3, date(2021, 3, 4), 1.4),
        (3, "monitors", "E24 G4", 2, date(2022, 11, 30), None),
    ]


def test_an_xlsx_read_from_a_path_gives_the_same_table(tmp_path: Path) -> None:
    data = xlsx_bytes([list(BASE), list(BASE.values())])
    path = tmp_path / "fleet.xlsx"
    path.write_bytes(data)

    assert read_raw(path, "fleet.xlsx").frame.equals(read_raw(data, "fleet.xlsx").frame)


def test_an_xlsx_cell_holding_a_formula_is_refused_naming_row_and_column() -> None:
    data = xlsx_bytes(
        [
            ["Productgroep", "Merk", "Model", "Aantal", "Aankoopdatum"],
            ["laptop", "Dell", "Latitude 5420", 1, date(2021, 3, 4)],
            ["laptop", "Dell", "Latitude 5420", "=1+1", date(2021, 3, 4)],
        ]
    )

    problems = read_problems(data, "fleet.xlsx")

    assert problems == [Problem("row 3", "Aantal", "a formula: type the value")]


def test_an_xlsx_without_a_header_for_a_filled_column_is_refused() -> None:
    data = xlsx_bytes([["Merk", None, "Model"], ["Dell", "x", "Latitude"]])

    problems = read_problems(data, "fleet.xlsx")

    assert problems == [Problem("row 1", "-", "every column needs a distinct header in row 1")]


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    problems = read_problems(b"product_group,model\n", "fleet.xlsx")

    assert [(p.where, p.field) for p in problems] == [("file", "-")]
    assert problems[0].message.startswith("not a readable XLSX workbook")


def test_blank_rows_of_an_xlsx_are_skipped() -> None:
    data = xlsx_bytes([list(BASE), list(BASE.values()), [], [None, None], list(BASE.values())])

    raw = read_raw(data, "fleet.xlsx")

    assert raw.frame.height == 2


def test_a_problem_below_a_blank_xlsx_row_names_its_real_row() -> None:
    data = xlsx_bytes(
        [
            ["product_group", "manufacturer", "model", "quantity", "purchase_date", "country"],
            ["laptop", "Dell", "Latitude 5420", 1, date(2021, 3, 4), "NL"],
            [],
            ["laptop", "Dell", "Latitude 5420", "many", date(2021, 3, 4), "NL"],
        ]
    )

    problems = problems_of_raw(read_raw(data, "fleet.xlsx"))

    assert [(p.where, p.field) for p in problems] == [("row 4", "quantity")]


@pytest.mark.parametrize("blank", ["\n", ",,,,\n"], ids=["empty line", "empty cells"])
def test_a_blank_line_at_the_end_of_a_csv_is_skipped(blank: str) -> None:
    text = csv_text([BASE]) + blank

    frame = check(text)

    assert frame.height == 1


# --- the template ----------------------------------------------------------------------------------------


def test_the_template_reads_back_without_problems() -> None:
    raw = read_raw(template_csv().encode(), "template.csv")

    [line] = check_register(raw, today=TODAY).to_dicts()

    assert raw.headers == list(ALL_COLUMNS)
    assert guess_mapping(raw.headers) == {name: name for name in ALL_COLUMNS}
    assert (
        line.items()
        >= {
            "product_group": "notebooks",
            "manufacturer": "Dell",
            "quantity": 25,
            "purchase_date": date(2023, 3, 15),
            "country": "NL",
            "asset_key": "NB-2023-001",
        }.items()
    )


def test_blank_retirement_dates_among_written_ones_stay_blank_and_the_written_ones_are_read() -> None:
    """The fast parse skips blank cells: a column of mostly blank dates reads as before."""
    cells = ["", "   ", "2024-05-06", "06.05.2024", " 2024-05-06 ", "", "2024-05-06 10:00"]
    rows = [{**BASE, "retired_date": cell, "status": "retired" if cell.strip() else ""} for cell in cells]
    frame = check(csv_text(rows))
    written = date(2024, 5, 6)
    assert frame.get_column("retired_date").to_list() == [written if cell.strip() else None for cell in cells]
    assert frame.get_column("status").to_list() == ["retired" if c.strip() else "in_use" for c in cells]
