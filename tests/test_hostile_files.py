"""Every import takes a file or refuses it by name: never a traceback, a hang or unbounded memory.

Each import path is driven through the function its page and command call, with a corpus of a few
hundred generated hostile files (``tests.hostile``) and with hypothesis strategies over the formats.
The outcome of every file is either a result or an ``ImportRefused`` that names the file and, for each
problem, a place (file, row, sheet and row, JSON path). The register's reader (``cfit.impact.register``)
is driven in its own tests at the end, so that its state is visible on its own.
"""

from __future__ import annotations

import csv
import inspect
import io
import signal
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cfit.criteria import content, exchange
from cfit.impact import cli
from cfit.impact.estimate import MAX_MAKER_ROWS, _capped, fit
from cfit.impact.pcf import MAX_PCF_ROWS, read_pcf_csv
from cfit.impact.reference import load_factors
from cfit.monitoring.workbook import FIRST_ROW, build_template, read_upload
from cfit.offers.reader import FIXED, offer_to_json, read_offer
from cfit.tenders.response_template import FIRST_DATA_ROW, ID_ROW
from cfit.uploads import MAX_PROBLEMS, MAX_REGISTER_BYTES, ImportRefused
from tests import hostile
from tests.offer_helpers import filled_template, line, small_spec

SECONDS_PER_FILE = 20  #: far above any real file of the corpus (the slowest takes about a second)
FUZZ = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))

Reader = Callable[[bytes, str], Any]


class Hang(BaseException):
    """Raised if one file takes longer than ``SECONDS_PER_FILE``: a BaseException, so that no
    ``except Exception`` of a reader turns a hang into a refusal."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise Hang(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def outcome(read: Reader, name: str, data: bytes) -> str:
    """ "read" or "refused"; anything else (another exception, a hang, a refusal that names no place)
    fails with the file's name."""
    try:
        with time_bound(SECONDS_PER_FILE):
            read(data, name)
    except ImportRefused as refused:
        assert refused.filename == name
        assert name in str(refused)
        assert refused.problems, f"{name}: a refusal without a problem"
        assert len(refused.problems) <= MAX_PROBLEMS
        for problem in refused.problems:
            assert problem.where and problem.field and problem.message, f"{name}: {problem!r} names no place"
        return "refused"
    return "read"


def drive(read: Reader, cases: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """Every case through ``read``; all failures at once, each with its file."""
    results: dict[str, str] = {}
    failures: list[str] = []
    for name, data in cases:
        try:
            results[name] = outcome(read, name, data)
        except (Exception, Hang) as error:  # noqa: BLE001 - the point: name every file that is not refused cleanly
            failures.append(f"{name}: {error.__class__.__name__}: {str(error)[:200]}")
    assert not failures, f"{len(failures)} of {len(results) + len(failures)} files:\n" + "\n".join(failures)
    return results


def peak_megabytes(read: Reader, name: str, data: bytes) -> tuple[str, float]:
    tracemalloc.start()
    try:
        result = outcome(read, name, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak / 1e6


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


# -- offers: the supplier's template, its CSV and JSON forms (page, API, upload link, command) ----------

SPEC = small_spec()
OFFER_HEADER = ["lot", *FIXED, "ts-warranty-b.years", "ts-repair-b.battery"]
OFFER_ROW = ["1", "L1", "Acme", "Model 1", "10", "499.5", "20", "", "4", "yes"]


def read_offer_file(data: bytes, name: str) -> Any:
    return read_offer(data, name, SPEC)


@pytest.fixture(scope="module")
def offer_template() -> bytes:
    return filled_template(SPEC, [line("L1", 500.0, years=4), line("L2", 450.0, years=5)])


def test_offer_files_are_read_or_refused_by_name(offer_template: bytes) -> None:
    columns = [1, 4, 5, 6, 7, 8]
    results = drive(read_offer_file, hostile.text_cases(OFFER_HEADER, OFFER_ROW, columns=columns))
    assert results["good.csv"] == results["utf16-bom.csv"] == results["bare-cr.csv"] == "read"
    assert results["semicolons.csv"] == results["cp1252.csv"] == "read"
    assert results["huge-cell.csv"] == results["nul-bytes.csv"] == "refused"

    book = load_workbook(io.BytesIO(offer_template), read_only=True)
    lot_sheet = next(name for name in book.sheetnames if name not in ("_cfit", "Instructions"))
    book.close()
    cells = [(lot_sheet, FIRST_DATA_ROW, column) for column in (1, 4, 5, 6, 8)]
    workbooks = drive(
        read_offer_file,
        [*hostile.workbook_cases(offer_template), *hostile.cell_cases(offer_template, cells)],
    )
    assert workbooks["good.xlsx"] == "read"
    assert workbooks["zip-bomb.xlsx"] == workbooks["truncated.xlsx"] == "refused"
    assert all(outcome == "refused" for name, outcome in workbooks.items() if "laughs" in name)

    document = offer_to_json(read_offer(offer_template, "good.xlsx", SPEC))
    documents = drive(read_offer_file, hostile.json_cases(document))
    assert documents["good.json"] == documents["bom.json"] == "read"
    assert documents["deep-list.json"] == documents["huge-int.json"] == "refused"


def test_an_offer_quantity_beyond_a_database_integer_is_refused_by_name() -> None:
    # Before: 10**12 passed the reader and failed in the database insert (integer out of range).
    row = list(OFFER_ROW)
    row[4] = str(10**12)
    with pytest.raises(ImportRefused) as refused:
        read_offer(csv_bytes([OFFER_HEADER, row]), "big.csv", SPEC)
    assert refused.value.problems[0].where == "row 2"
    assert "quantity" in refused.value.problems[0].field


@FUZZ
@given(
    rows=st.lists(
        st.lists(st.text(alphabet=st.sampled_from('ab1,.;"=\r\n\t -\x00é€'), max_size=8), max_size=12),
        max_size=6,
    ),
    keep_header=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_any_offer_csv_is_read_or_refused(rows: list[list[str]], keep_header: bool, encoding: str) -> None:
    text = csv_bytes(([OFFER_HEADER] if keep_header else []) + rows).decode()
    outcome(read_offer_file, "fuzz.csv", text.encode(encoding, errors="replace"))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["lots", "lot", "lines", "answers", "company", *FIXED]), inner, max_size=5
        )
    ),
    max_leaves=30,
)


@FUZZ
@given(document=JSON_VALUES)
def test_any_offer_json_is_read_or_refused(document: Any) -> None:
    import json

    outcome(read_offer_file, "fuzz.json", json.dumps(document).encode())


CELL_VALUES = (
    st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), max_size=30)
    | st.booleans()
    | st.datetimes()
)


@FUZZ
@given(value=CELL_VALUES, column=st.integers(min_value=1, max_value=9))
def test_any_offer_cell_is_read_or_refused(offer_template: bytes, value: Any, column: int) -> None:
    book = load_workbook(io.BytesIO(offer_template))
    sheet = next(ws for ws in book.worksheets if ws.title not in ("_cfit", "Instructions"))
    assert sheet.cell(row=ID_ROW, column=1).value == "line_id"
    sheet.cell(row=FIRST_DATA_ROW, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    outcome(read_offer_file, "fuzz.xlsx", out.getvalue())


# -- criteria: an edited export back as a draft (page and ``cfit criteria import``) ---------------------


@pytest.fixture(scope="module")
def small_framework(framework_content: content.Framework) -> content.Framework:
    return framework_content.model_copy(update={"criteria": framework_content.criteria[:2]})


def test_criteria_files_are_read_or_refused_by_name(
    framework_content: content.Framework, small_framework: content.Framework
) -> None:
    def read(data: bytes, name: str) -> Any:
        return exchange.parse_import(data, name, framework_content)

    rows = exchange.framework_to_rows(small_framework)
    table = list(csv.reader(io.StringIO(exchange.rows_to_csv(rows))))
    header, good = table[0], table[1]
    columns = [
        header.index(c)
        for c in ("criterion_id", "data_type", "expected_value", "min_value", "scoring", "sources")
    ]
    results = drive(read, hostile.text_cases(header, good, columns=columns))
    assert results["good.csv"] == results["bare-cr.csv"] == results["utf16-bom.csv"] == "read"
    assert results["huge-cell.csv"] == "refused"

    workbook = exchange.rows_to_xlsx(rows, version="2026.1", about=[])
    cells = [("Criteria", 2, column + 1) for column in columns]
    workbooks = drive(read, [*hostile.workbook_cases(workbook), *hostile.cell_cases(workbook, cells)])
    assert workbooks["good.xlsx"] == "read"
    assert workbooks["zip-bomb.xlsx"] == "refused"

    document = exchange.framework_to_json(small_framework)
    documents = drive(read, hostile.json_cases(document, paths=30))
    assert documents["good.json"] == "read"
    assert documents["deep-list.json"] == documents["deep-object.json"] == "refused"

    yamls = drive(read, hostile.yaml_cases())
    assert yamls["laughs.yaml"] == yamls["deep.yaml"] == yamls["python-tag.yaml"] == "refused"


def test_a_scoring_cell_nested_a_thousand_deep_is_refused_at_its_row(
    framework_content: content.Framework, small_framework: content.Framework
) -> None:
    # Before: RecursionError out of json.loads, a server error on the import page.
    rows = exchange.framework_to_rows(small_framework)
    rows[0]["scoring"] = "[" * 5000 + "]" * 5000
    with pytest.raises(ImportRefused) as refused:
        exchange.parse_import(exchange.rows_to_csv(rows).encode(), "deep.csv", framework_content)
    assert [(p.where, p.field) for p in refused.value.problems][:1] == [("row 2", "scoring")]


@FUZZ
@given(document=JSON_VALUES)
def test_any_criteria_json_is_read_or_refused(framework_content: content.Framework, document: Any) -> None:
    import json

    outcome(
        lambda d, n: exchange.parse_import(d, n, framework_content),
        "fuzz.json",
        json.dumps(document).encode(),
    )


# -- manufacturers' footprints (``cfit impact import-pcf`` and the reference page) ------------------------

PCF_HEADER = [
    "manufacturer",
    "name",
    "subcategory",
    "gwp_total",
    "gwp_use_ratio",
    "screen_size",
    "report_date",
]
PCF_ROW = ["Dell", "Latitude 5420", "laptop", "300", "0.2", "14", "2021"]


def import_footprints(data: bytes, name: str) -> Any:
    """What ``impact.actions.import_pcf`` does before the database: read, then refit the estimator."""
    table, report = read_pcf_csv(data, name)
    return fit(table, name), report


def test_footprint_files_are_read_or_refused_by_name() -> None:
    results = drive(import_footprints, hostile.text_cases(PCF_HEADER, PCF_ROW, columns=[0, 2, 3, 4, 6]))
    assert results["good.csv"] == results["semicolons.csv"] == results["utf16-le-no-bom.csv"] == "read"
    assert results["cp1252.csv"] == "read"  # as Windows saves it
    assert results["nul-everywhere.csv"] == results["huge-cell.csv"] == "refused"


def test_a_million_identical_footprints_are_refused_quickly_in_bounded_memory() -> None:
    # Before: 90 s and 1.9 GB, then IndexError in estimate.fit_group (here: a short row, 13 MB).
    name, data = hostile.problem_flood(
        ["manufacturer", "name", "subcategory", "gwp_total"], ["D", "L", "laptop", "3"], 1_000_000
    )
    started = time.monotonic()
    result, peak = peak_megabytes(import_footprints, name, data)
    assert result == "refused"
    assert time.monotonic() - started < 30
    assert peak < 400


def test_identical_footprints_are_read_once_and_fitted() -> None:
    # Before: LinAlgError (singular matrix) in the estimator's distance fit, and memory growing with
    # the square of the rows of one manufacturer.
    rows = [PCF_HEADER, *[PCF_ROW] * 5000]
    table, report = read_pcf_csv(csv_bytes(rows), "same.csv")
    assert (table.height, report.duplicates) == (1, 4999)
    assert "notebooks" in fit(pl.concat([table] * 20), "same").models  # LinAlgError before


def test_the_estimator_fits_on_a_bounded_number_of_declarations_per_manufacturer() -> None:
    # Before: 3,000 declarations of one manufacturer took over 5 minutes and 7.9 GB (all pairs compared).
    rows = [
        PCF_HEADER,
        *[[f"{'DELL' if i % 2 else 'Dell'}", f"Latitude {i}", *PCF_ROW[2:]] for i in range(1000)],
    ]
    table, _ = read_pcf_csv(csv_bytes(rows), "many.csv")
    capped = _capped(table)
    assert capped.height == MAX_MAKER_ROWS
    assert capped.equals(_capped(table))  # the same choice every time


def test_a_flood_of_bad_footprints_lists_the_first_problems_and_counts_them_all() -> None:
    # Before: the bad-rows variant of a million rows returned 3,000,000 problems.
    rows = [PCF_HEADER, *[["", f"L{i}", "laptop", "x", "y", "z", ""] for i in range(MAX_PCF_ROWS - 1)]]
    with pytest.raises(ImportRefused) as refused:
        read_pcf_csv(csv_bytes(rows), "flood.csv")
    assert len(refused.value.problems) == MAX_PROBLEMS
    assert refused.value.count > 3 * (MAX_PCF_ROWS - 2)


# -- the monitoring report's workbook (the report page) -------------------------------------------------


def read_report(data: bytes, name: str) -> Any:
    return read_upload(data, name, year=2026, organisation_slug="rijkswaterstaat", language="en")


@pytest.fixture(scope="module")
def report_template() -> bytes:
    return build_template(
        year=2026, organisation_slug="rijkswaterstaat", organisation_name="RWS", values={}, key_labels={}
    )


def test_report_workbooks_are_read_or_refused_by_name(report_template: bytes) -> None:
    cells = [("Report", FIRST_ROW, column) for column in (1, 6, 7, 8)]
    results = drive(
        read_report, [*hostile.workbook_cases(report_template), *hostile.cell_cases(report_template, cells)]
    )
    assert results["good.xlsx"] == "read"
    assert results["zip-bomb.xlsx"] == results["broken-late-sheet1.xlsx"] == "refused"
    assert results["cell-Report-r5c6-5.xlsx"] == "refused"  # 400 digits as text: stored as infinity before


@FUZZ
@given(
    value=CELL_VALUES,
    row=st.integers(min_value=FIRST_ROW, max_value=FIRST_ROW + 40),
    column=st.sampled_from([1, 6, 7, 8]),
)
def test_any_report_cell_is_read_or_refused(
    report_template: bytes, value: Any, row: int, column: int
) -> None:
    book = load_workbook(io.BytesIO(report_template))
    book["Report"].cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    outcome(read_report, "fuzz.xlsx", out.getvalue())


# -- ``cfit impact fleet|estimate``: the same limits as the pages ----------------------------------------


@pytest.fixture(scope="module")
def reference() -> Any:
    return load_factors()


def compute_from(tmp: Path, reference: Any, action: str = "estimate") -> Reader:
    def read(data: bytes, name: str) -> Any:
        path = tmp / name
        path.write_bytes(data)
        try:
            cli.compute(action, path, reference, io.StringIO(), country="NL")
        finally:
            path.unlink()

    return read


def test_the_impact_commands_refuse_a_workbook_that_unpacks_to_gigabytes(
    tmp_path: Path, reference: Any
) -> None:
    # Before: read with no unpacked limit (``limit=2**40``): a 3 MB workbook took 2.5 GB and more.
    rows = [
        ["product_group", "manufacturer", "model", "purchase_date"],
        ["notebooks", "Dell", "L", "2024-01-01"],
    ]
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    cases = dict(hostile.workbook_cases(out.getvalue()))
    result, peak = peak_megabytes(compute_from(tmp_path, reference), "bomb.xlsx", cases["zip-bomb.xlsx"])
    assert result == "refused"
    assert peak < 100
    assert outcome(compute_from(tmp_path, reference), "good.xlsx", cases["good.xlsx"]) == "read"
    # The register's own limit (a national register is larger than other imports), applied by size:
    # shown here with a small limit rather than a 160 MB file.
    too_big = tmp_path / "big.csv"
    too_big.write_bytes(b"product_group\n" + b"notebooks\n" * 2_200_000)
    with pytest.raises(ImportRefused, match="larger than"):
        cli.compute("fleet", too_big, reference, io.StringIO(), limit=20 * 1024 * 1024)
    assert inspect.signature(cli.compute).parameters["limit"].default == MAX_REGISTER_BYTES


# -- the register (cfit.impact.register.read_raw: page, API, ``cfit assets import``, impact commands) ---
# Its reader is being rewritten to stream; these show what it does with the same corpus.

REGISTER_HEADER = ["product_group", "manufacturer", "model", "quantity", "purchase_date", "country"]
REGISTER_ROW = ["notebooks", "Dell", "Latitude 5420", "10", "2024-03-31", "NL"]


def test_register_files_are_read_or_refused_by_name(tmp_path: Path, reference: Any) -> None:
    read = compute_from(tmp_path, reference)
    drive(read, hostile.text_cases(REGISTER_HEADER, REGISTER_ROW, columns=[0, 3, 4]))


def test_register_workbooks_are_read_or_refused_by_name(tmp_path: Path, reference: Any) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(REGISTER_HEADER)
    book.active.append(REGISTER_ROW)
    out = io.BytesIO()
    book.save(out)
    cells = [("Sheet", 2, column) for column in (1, 4, 5)]
    drive(
        compute_from(tmp_path, reference),
        [*hostile.workbook_cases(out.getvalue()), *hostile.cell_cases(out.getvalue(), cells)],
    )


def test_the_impact_command_answers_a_zip_bomb_with_a_command_error(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(REGISTER_HEADER)
    out = io.BytesIO()
    book.save(out)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(dict(hostile.workbook_cases(out.getvalue()))["zip-bomb.xlsx"])
    with pytest.raises(CommandError, match="zip bomb"):
        call_command("impact", "estimate", str(path), "--no-footprints", stdout=io.StringIO())
