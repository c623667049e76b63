"""A date column is read in one order: the day first as Europe writes it, or the month first where the
column writes its days second (a US asset tool's or ITAD partner's export, "12/31/2021"). Before, each
cell was read day first: a US file's "03/04/2021" became 3 April without a word, and its "12/31/2021"
was refused as not a date.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.impact.disposal import read_report
from cfit.impact.problems import RegisterRefused
from cfit.impact.register import check_register, read_raw, read_register

TODAY = date(2026, 11, 30)
HEADER = "asset_key,product_group,manufacturer,model,purchase_date,country\n"


def register_with(dates: list[str]) -> bytes:
    rows = [f"A{n},notebooks,Dell,Latitude 5440,{d},NL" for n, d in enumerate(dates)]
    return (HEADER + "\n".join(rows) + "\n").encode()


def purchase_dates(data: bytes) -> list[date]:
    return read_register(data, "register.csv", today=TODAY).get_column("purchase_date").to_list()


def test_a_us_export_is_read_month_first() -> None:
    assert purchase_dates(register_with(["12/31/2021", "03/04/2021"])) == [
        date(2021, 12, 31),
        date(2021, 3, 4),
    ]


def test_a_european_file_is_read_day_first() -> None:
    assert purchase_dates(register_with(["31/12/2021", "03/04/2021"])) == [
        date(2021, 12, 31),
        date(2021, 4, 3),
    ]
    assert purchase_dates(register_with(["03.04.2021", "2021-03-04"])) == [date(2021, 4, 3), date(2021, 3, 4)]


def test_a_column_written_both_ways_is_refused_where_day_first_fails() -> None:
    data = register_with(["31/12/2021", "12/31/2021"])
    with pytest.raises(RegisterRefused) as refused:
        check_register(read_raw(data, "register.csv"), today=TODAY)
    (problem,) = refused.value.problems
    assert problem.where == "row 3" and problem.field == "purchase_date" and "12/31/2021" in problem.message


days = st.dates(min_value=date(2000, 1, 1), max_value=TODAY)


@settings(max_examples=100, deadline=None)
@given(dates=st.lists(days, min_size=1, max_size=8), separator=st.sampled_from("/-."))
def test_dates_written_either_way_read_back_as_written(dates: list[date], separator: str) -> None:
    """Day first always reads back; month first reads back whenever some day is past the 12th (else
    the file cannot say which it is, and Europe's order is taken)."""
    european = [d.strftime(f"%d{separator}%m{separator}%Y") for d in dates]
    assert purchase_dates(register_with(european)) == dates
    american = [d.strftime(f"%m{separator}%d{separator}%Y") for d in dates]
    if any(d.day > 12 for d in dates):
        assert purchase_dates(register_with(american)) == dates


def test_a_us_disposal_report_is_read_month_first() -> None:
    received = TODAY - timedelta(days=30)
    report = (
        f"Asset Tag,Date Received,Disposition\nA1,{received:%m/%d/%Y} 10:15,Recycled\nA2,03/04/2026,Resold\n"
    ).encode()
    raw = read_raw(report, "report.csv")
    mapping = {"Asset Tag": "asset_key", "Date Received": "retired_date", "Disposition": "end_of_use_route"}
    lines = read_report(raw, mapping, today=TODAY)
    assert [line.on for line in lines] == [received, date(2026, 3, 4)]
