"""The one table reader and the one number parser of every import (``cfit.tabular``)."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cfit.tabular import (
    MAX_WHOLE,
    NotANumber,
    decode_text,
    iter_frames,
    load_json,
    parse_number,
    parse_whole,
    read_frame,
    read_source,
    read_table,
    read_whole_frame,
)
from cfit.uploads import MAX_PROBLEMS, ImportRefused, Problems

# -- numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1.5", 1.5),
        ("1,5", 1.5),  # a decimal comma, as Dutch, French, German and Norwegian spreadsheets write it
        ("1,234", 1.234),  # one separator is always the decimal one
        ("1.234", 1.234),
        ("1.234,5", 1234.5),  # both: the last is decimal, the other groups thousands
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),  # repeated alone: thousands
        ("1,234,567", 1234567.0),
        ("1 234,5", 1234.5),
        ("1\u00a0234", 1234.0),  # a non-breaking space, as French spreadsheets group thousands
        ("1'234.5", 1234.5),
        ("-3e2", -300.0),
        ("2,5e3", 2500.0),
        (" 42 ", 42.0),
        (".5", 0.5),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_numbers_are_read_by_one_explicit_rule(text: Any, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text",
    ["", "abc", "1,2,3", "12.34.5", "1.23.456,7", "1,234,56", "nan", "inf", "-Infinity", "1e999", "5 %",
     "12 kWh", "€ 3", "0x1F", "١٢٣", "9" * 65, True, None, 10**400, float("nan"), float("inf")],
)  # fmt: skip
def test_what_is_not_a_number_by_the_rule_is_refused(text: Any) -> None:
    with pytest.raises(NotANumber):
        parse_number(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.integers(), st.floats(), st.booleans(), st.none()))
def test_parsing_never_raises_anything_but_not_a_number_and_is_finite(value: Any) -> None:
    try:
        number = parse_number(value)
    except NotANumber:
        return
    assert isinstance(number, float) and math.isfinite(number)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_written_by_python_reads_back_as_itself(number: float) -> None:
    assert parse_number(repr(number)) == number
    assert parse_number(repr(number).replace(".", ",")) == number  # the same with a decimal comma


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=99))
def test_a_number_formatted_with_thousands_reads_back(units: int, cents: int) -> None:
    number = units + (cents / 100 if units >= 0 else -cents / 100)
    english = f"{number:,.2f}"  # 1,234,567.89
    european = english.replace(",", " ").replace(".", ",").replace(" ", ".")  # 1.234.567,89
    assert parse_number(english) == pytest.approx(number)
    assert parse_number(european) == pytest.approx(number)
    assert parse_number(english.replace(",", "\u202f")) == pytest.approx(number)


def test_whole_numbers_stay_within_a_database_integer() -> None:
    assert parse_whole("2.147.483.647") == MAX_WHOLE
    with pytest.raises(NotANumber, match="whole number from"):
        parse_whole(MAX_WHOLE + 1)
    with pytest.raises(NotANumber, match="whole number is expected"):
        parse_whole("1,5")


# -- text and CSV ----------------------------------------------------------------------------------------

ROWS = "kind;amount\nlaptop;1,5\nmonitor;2\n"


@pytest.mark.parametrize(
    "data",
    [
        ROWS.encode(),
        b"\xef\xbb\xbf" + ROWS.encode(),
        ROWS.encode("utf-16"),
        ROWS.encode("utf-16-le"),
        ROWS.encode("utf-16-be"),
        ROWS.replace("\n", "\r").encode(),  # old Mac line ends: csv.Error before
        ROWS.replace("\n", "\r\n").encode(),
        ROWS.replace(";", "\t").encode(),
        ROWS.replace(";", ",").replace("1,5", '"1,5"').encode(),
        ROWS.encode("cp1252") + b"\n\n",
    ],
)
def test_every_common_way_of_saving_a_csv_reads_the_same(data: bytes) -> None:
    with read_table(data, "r.csv") as table:
        assert table.headers == ["kind", "amount"]
        assert list(table.rows) == [(2, ["laptop", "1,5"]), (3, ["monitor", "2"])]
        assert not table.problems


def test_windows_text_is_read_as_cp1252() -> None:
    assert decode_text("Société,€\n".encode("cp1252"), "r.csv") == "Société,€\n"
    assert decode_text(b"a\x81b\n", "r.csv") == "a\x81b\n"  # a byte cp1252 lacks: latin-1


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (b"", "file", "the file is empty"),
        (b" \n\r\n", "file", "the file is empty"),
        (b"a,b\n1,\x002\n", "row 2", "holds NUL characters: not a text file"),
        (b"a,b\n" + b"x" * 131_073 + b",1\n", "row 2", "a cell longer than 131,072 characters"),
        (b"a,a\n1,2\n", "row 1", "this header is repeated"),
        (b"a,,b\n1,2,3\n", "row 1", "a column without a header"),
        (b",,\n", "row 1", "the first row holds no column headers"),
    ],
)
def test_what_no_reader_should_choke_on_is_refused_by_row(data: bytes, where: str, message: str) -> None:
    with pytest.raises(ImportRefused) as refused, read_table(data, "r.csv") as table:
        list(table.rows)  # a problem of a data row shows as the rows are read
    assert (refused.value.problems[0].where, refused.value.problems[0].message) == (where, message)


@pytest.mark.parametrize(
    ("data", "code", "params"),
    [
        (b"", "empty_file", {}),
        (b"a,a\n1,2\n", "repeated_header", {"headers": "a"}),
        (b"x" * 200, "too_large", {"size": "0.0977 kB"}),
    ],
)
def test_refusals_of_a_whole_file_carry_a_code_for_translation(
    data: bytes, code: str, params: dict[str, str]
) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_table(data, "r.csv", limit=100)
    assert (refused.value.code, refused.value.params) == (code, params)


def test_ragged_rows_are_padded_and_surplus_cells_named() -> None:
    with read_table(b"a,b,c\n1\n1,2,3,4\n1,2,3,,\n", "r.csv") as table:
        assert list(table.rows) == [(2, ["1", "", ""]), (3, ["1", "2", "3"]), (4, ["1", "2", "3"])]
        assert [(p.where, p.message) for p in table.problems.found] == [
            ("row 3", "more cells than the header has columns")
        ]


def test_formulas_are_named_unless_the_import_keeps_them() -> None:
    data = b"a,b\n=1+1,2\n"
    with read_table(data, "r.csv") as table:
        list(table.rows)
        assert [(p.where, p.field) for p in table.problems.found] == [("row 2", "a")]
    with read_table(data, "r.csv", formulas="keep") as table:
        assert list(table.rows) == [(2, ["=1+1", "2"])]
        assert not table.problems


def test_a_file_on_disk_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a\n" * 1000)
    with pytest.raises(ImportRefused, match="larger than"):
        read_source(path, "big.csv", limit=100)
    assert read_source(path, "big.csv") == b"a\n" * 1000


def test_problems_keep_the_first_ones_and_count_them_all() -> None:
    problems = Problems("r.csv")
    for row in range(10_000):
        problems.add(f"row {row}", "a", "bad")
    with pytest.raises(ImportRefused) as refused:
        problems.raise_if_any()
    assert len(refused.value.problems) == MAX_PROBLEMS
    assert refused.value.count == 10_000
    assert "10000 problem(s)" in str(refused.value)


# -- workbooks and frames --------------------------------------------------------------------------------


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_reads_as_a_table_with_file_row_numbers() -> None:
    data = workbook([["kind", "amount", None], ["laptop", 1.5], [None, None], ["monitor", 2, None, None]])
    with read_table(data, "r.xlsx") as table:
        assert table.headers == ["kind", "amount"]
        assert list(table.rows) == [(2, ["laptop", 1.5]), (4, ["monitor", 2])]


def test_a_workbook_broken_half_way_is_refused_at_its_sheet_and_row() -> None:
    import zipfile

    members = {}
    with zipfile.ZipFile(io.BytesIO(workbook([["a"], [1], [2]]))) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet.replace("</sheetData>", "<row><c><v>1</v></c><row>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ImportRefused) as refused, read_table(out.getvalue(), "r.xlsx") as table:
        list(table.rows)
    assert refused.value.problems[0].where.startswith("sheet Sheet, row ")
    assert "not a readable XLSX workbook" in refused.value.problems[0].message


def test_frames_come_in_batches_of_text_with_their_rows() -> None:
    data = ("kind,amount\n" + "".join(f"laptop,{i}\n" for i in range(25))).encode()
    with read_table(data, "r.csv") as table:
        batches = list(iter_frames(table, batch_rows=10))
    assert [frame.height for frame, _ in batches] == [10, 10, 5]
    assert batches[2][1] == [22, 23, 24, 25, 26]
    with read_table(data, "r.csv") as table:
        frame, rows = read_frame(table)
    assert frame.columns == ["kind", "amount"] and frame.height == 25 and rows[0] == 2


# -- JSON ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000, "nested deeper than"),  # RecursionError before
        (b"[" * 40 + b"]" * 40, "nested deeper than"),
        (b"9" * 5000, "not valid JSON"),  # ValueError (over 4300 digits) before
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b"\xff", "not valid JSON"),
    ],
)
def test_json_that_would_break_a_reader_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        load_json(data, "r.json")


def test_json_with_a_byte_order_mark_is_read() -> None:
    assert load_json(b'\xef\xbb\xbf{"a": [1, 2.5]}', "r.json") == {"a": [1, 2.5]}


# -- the fast reader of big CSVs reads as the row-by-row one ----------------------------------------------

CELLS = st.text(alphabet=st.sampled_from('ab1 ,;"=\r\n\t-é'), max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    # Two columns at least: one column leaves the separator unknowable, and the two readers may then
    # split a row that is malformed for the guessed separator differently (each reads or refuses).
    header=st.lists(
        st.sampled_from(["kind", "amount", "model", "year"]), min_size=2, max_size=4, unique=True
    ),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=8),
    separator=st.sampled_from([",", ";", "\t"]),
    end=st.sampled_from(["\n", "\r\n", "\r"]),
    on_disk=st.booleans(),
)
def test_the_fast_csv_frame_reads_as_the_row_by_row_reader(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    rows: list[list[str]],
    separator: str,
    end: str,
    on_disk: bool,
) -> None:
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator=end).writerows([header, *rows])
    data = out.getvalue().encode()

    def outcome(read: Any) -> Any:
        try:
            headers, frame, numbers = read()
        except ImportRefused as refused:
            return "refused", [(p.where, p.field) for p in refused.problems]
        # The one difference, documented: a CR inside a quoted cell reads as a LF.
        cells = [tuple(c.replace("\r\n", "\n").replace("\r", "\n") for c in row) for row in frame.rows()]
        return headers, cells, numbers.to_list()

    def slow() -> Any:
        with read_table(data, "r.csv") as table:
            frame, numbers = read_frame(table)
            table.problems.raise_if_any()
            return table.headers, frame, numbers

    source: bytes | Path = data
    if on_disk:
        source = tmp_path_factory.mktemp("csv") / "r.csv"
        source.write_bytes(data)
    assert outcome(lambda: read_whole_frame(source, "r.csv")) == outcome(slow)


@pytest.mark.parametrize("where", ["head", "tail"])
def test_a_file_on_disk_that_is_not_utf8_past_its_first_block_reads_in_its_own_encoding(
    tmp_path: Path, where: str
) -> None:
    """polars checks the UTF-8 of a file on disk beyond its first block: a Windows file whose only
    non-ASCII cell comes late is still read as Windows text, as the same bytes are."""
    filler = b"".join(b"A%07d,Dell,Latitude 5440\r\n" % n for n in range(60_000))  # > 1 MB
    late = b"B0000001,Fujitsu,Caf\xe9 Book\r\n"
    data = b"asset_key,manufacturer,model\r\n" + (late + filler if where == "head" else filler + late)
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    headers, frame, rows = read_whole_frame(path, "r.csv")
    assert (headers, frame.rows(), rows.to_list()) == (lambda r: (r[0], r[1].rows(), r[2].to_list()))(
        read_whole_frame(data, "r.csv")
    )
    assert "Café Book" in frame.get_column("model").to_list()
    assert frame.height == 60_001


def test_an_unreadable_workbook_says_what_is_wrong_in_words_in_the_reader_s_language() -> None:
    """A CSV renamed .xlsx, a workbook without its parts, one with entities (the hostile corpus): each
    refusal says what the user can act on, never an exception's name ("BadZipFile", "KeyError",
    "ValueError"), and in Dutch too."""
    from django.utils import translation

    from cfit.refusals import refusal_texts

    from .hostile import workbook_cases

    expected = {
        "csv-renamed.xlsx": "another kind of file named .xlsx",
        "no-workbook-part.xlsx": "damaged or incomplete",
        "xxe-sheet1.xlsx": "refused for safety",
        "laughs-sheet1.xlsx": "refused for safety",
    }
    cases = {name: data for name, data in workbook_cases(workbook([["a"], [1]])) if name in expected}
    assert set(cases) == set(expected)
    for name, data in cases.items():
        with pytest.raises(ImportRefused) as refused, read_table(data, name) as table:
            list(table.rows)
        message = refused.value.problems[0].message
        assert expected[name] in message and "Error" not in message and "BadZip" not in message, message
        with translation.override("nl"):
            dutch = " ".join(refusal_texts(refused.value))
        assert "Error" not in dutch and "BadZip" not in dutch, dutch
