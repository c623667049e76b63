"""What a register's reading did that its importer should check, though nothing was wrong, and how its
numeric dates read when the file cannot tell.

Before, a totals row under an export's table was left out without a word, and a column of only
"03/04/2021"-like dates (every part at most 12) was read day first even from a US tool, with no way to
say otherwise but rewriting the file. Now the reader notes each (``check_register``'s ``notes``), the
import's result page, the API and the commands say them, and the mapping step, the API and both commands
take the order of the dates (``DateOrder``).

Personas: Arne, asset manager at Rijkswaterstaat (tests/test_fleet.py); Sam's US tool's export.
"""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.accounts.scoping import system_scope
from cfit.fleet.models import Asset, AssetImport
from cfit.impact.cli import main as impact_main
from cfit.impact.problems import ProblemGroup, RegisterRefused
from cfit.impact.register import DateOrder, check_register, date_reading, read_raw, read_register

from .test_fleet import asset_manager, signed_in  # noqa: F401 (fixtures)

TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _inline_imports(settings: Any, tmp_path: Path) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = False
    settings.UPLOAD_DIR = tmp_path / "uploads"


HEADER = "asset_key,product_group,manufacturer,model,purchase_date,country\n"


def register_with(dates: list[str], tail: str = "") -> bytes:
    rows = [f"A{n},notebooks,Dell,Latitude 5440,{d},NL" for n, d in enumerate(dates)]
    return (HEADER + "\n".join(rows) + "\n" + tail).encode()


def read(data: bytes, order: DateOrder = DateOrder.AUTO) -> tuple[list[date], list[ProblemGroup]]:
    notes: list[ProblemGroup] = []
    register = read_register(data, "register.csv", today=TODAY, date_order=order, notes=notes)
    return register.get_column("purchase_date").to_list(), notes


def codes(notes: list[ProblemGroup]) -> list[str]:
    return [note.code for note in notes]


# --- the reader ----------------------------------------------------------------------------------------


def test_a_us_export_is_read_month_first_and_says_so() -> None:
    dates, notes = read(register_with(["12/31/2021", "03/04/2021"]))
    assert dates == [date(2021, 12, 31), date(2021, 3, 4)]
    (note,) = notes
    assert note.code == "dates_month_first" and note.column == "purchase_date" and note.count == 2
    assert note.examples == ("12/31/2021", "03/04/2021")
    assert "month first" in note.describe() and "purchase_date" in note.describe()


def test_a_european_file_that_shows_its_order_says_nothing() -> None:
    dates, notes = read(register_with(["31/12/2021", "03/04/2021"]))
    assert dates == [date(2021, 12, 31), date(2021, 4, 3)]
    assert notes == []
    assert read(register_with(["2021-03-04", "2021-12-31"]))[1] == []  # ISO dates read one way only


def test_a_column_that_could_read_either_way_is_read_day_first_with_a_note() -> None:
    dates, notes = read(register_with(["03/04/2021", "05/06/2022"]))
    assert dates == [date(2021, 4, 3), date(2022, 6, 5)]
    assert codes(notes) == ["dates_day_first_assumed"]
    assert "month first" in notes[0].describe()  # it says how to have them read otherwise


def test_the_importer_says_the_order_and_nothing_is_noted() -> None:
    assert read(register_with(["03/04/2021", "05/06/2022"]), DateOrder.MONTH_FIRST) == (
        [date(2021, 3, 4), date(2022, 5, 6)],
        [],
    )
    assert read(register_with(["12/31/2021"]), DateOrder.MONTH_FIRST)[0] == [date(2021, 12, 31)]
    assert read(register_with(["03/04/2021"]), DateOrder.DAY_FIRST) == ([date(2021, 4, 3)], [])


@pytest.mark.parametrize(
    ("order", "written", "example"),
    [(DateOrder.DAY_FIRST, "12/31/2021", "31/03/2024"), (DateOrder.MONTH_FIRST, "31/12/2021", "03/31/2024")],
)
def test_a_date_that_does_not_read_in_the_chosen_order_is_refused_with_that_orders_examples(
    order: DateOrder, written: str, example: str
) -> None:
    with pytest.raises(RegisterRefused) as refused:
        read(register_with(["01/02/2021", written]), order)
    (group,) = refused.value.groups
    assert group.code == "not_date" and group.rows == (3,) and example in dict(group.params)["formats"]


def test_a_totals_row_left_out_is_noted_with_its_row_and_words() -> None:
    data = register_with(["2021-03-04", "2022-01-05"], tail=",,,,,\nTotal : 2,,,,,\n")
    dates, notes = read(data)
    assert dates == [date(2021, 3, 4), date(2022, 1, 5)]
    (note,) = notes
    assert note.code == "totals_left_out" and note.rows == (5,) and note.examples == ("Total : 2",)


def test_the_typed_read_and_the_text_read_note_the_same_once() -> None:
    # A clean CSV takes the typed read; the same file with a totals row takes the text read after
    # the typed try gave up: each says its notes once.
    clean = register_with(["03/04/2021"])
    with_total = register_with(["03/04/2021"], tail="Total : 1,,,,,\n")
    assert codes(read(clean)[1]) == ["dates_day_first_assumed"]
    assert codes(read(with_total)[1]) == ["totals_left_out", "dates_day_first_assumed"]
    raw_notes: list[ProblemGroup] = []
    check_register(read_raw(with_total, "register.csv"), today=TODAY, notes=raw_notes)
    assert codes(raw_notes) == codes(read(with_total)[1])


days = st.dates(min_value=date(2000, 1, 1), max_value=TODAY)


@settings(max_examples=100, deadline=None)
@given(dates=st.lists(days, min_size=1, max_size=8), separator=st.sampled_from("/-."))
def test_a_chosen_order_reads_back_what_was_written_and_auto_notes_what_it_could_not_see(
    dates: list[date], separator: str
) -> None:
    month_first = [d.strftime(f"%m{separator}%d{separator}%Y") for d in dates]
    day_first = [d.strftime(f"%d{separator}%m{separator}%Y") for d in dates]
    assert read(register_with(month_first), DateOrder.MONTH_FIRST) == (dates, [])
    assert read(register_with(day_first), DateOrder.DAY_FIRST) == (dates, [])
    # Left to find the order, the reader either reads the dates as written or says that it assumed.
    for written, order in ((month_first, True), (day_first, False)):
        found, notes = read(register_with(written))
        reading = date_reading(pl.Series(written), DateOrder.AUTO)  # what the reader decided
        if found != dates:
            assert order and codes(notes) == ["dates_day_first_assumed"] and not reading.shown
        elif reading.month_first:
            assert codes(notes) == ["dates_month_first"]
        else:
            assert codes(notes) == ([] if reading.shown else ["dates_day_first_assumed"])


# --- the pages -----------------------------------------------------------------------------------------

US_REGISTER = (
    HEADER
    + "US-1,notebooks,Dell,Latitude 5440,03/04/2021,US\nUS-2,notebooks,HP,EliteBook 840,05/06/2022,US\n"
)


def start(client: Client, text: str) -> AssetImport:
    response = client.post(
        "/fleet/rijkswaterstaat/import/",
        {"file": SimpleUploadedFile("us.csv", text.encode()), "default_country": "US"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with system_scope():
        return AssetImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def map_and_import(client: Client, record: AssetImport, **extra: str) -> AssetImport:
    fields = {f"column_{i}": record.mapping.get(h, "") for i, h in enumerate(record.headers)} | extra
    response = client.post(f"/fleet/rijkswaterstaat/import/{record.pk}/", fields)
    assert response.status_code == 302
    with system_scope():
        return AssetImport.objects.get(pk=record.pk)


def purchase_date_of(key: str) -> date:
    with system_scope():
        return Asset.objects.get(asset_key=key).purchase_date


def test_the_mapping_step_asks_how_dates_read_and_the_import_reads_them_so(
    asset_manager: Any,  # noqa: F811
) -> None:
    client = signed_in(asset_manager)
    record = start(client, US_REGISTER)
    page = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/").content.decode()
    assert 'name="date_order"' in page and "Month first: 03/04/2024 is 4 March 2024" in page
    done = map_and_import(client, record, date_order="month_first")
    assert done.state == AssetImport.State.DONE and done.date_order == "month_first" and done.notes == []
    assert purchase_date_of("US-1") == date(2021, 3, 4)


def test_the_result_page_says_what_it_assumed_in_the_users_language(asset_manager: Any) -> None:  # noqa: F811
    client = signed_in(asset_manager)
    done = map_and_import(client, start(client, US_REGISTER))  # an older form: no date_order sent
    assert done.state == AssetImport.State.DONE and done.date_order == "auto"
    assert purchase_date_of("US-1") == date(2021, 4, 3)
    assert [n["code"] for n in done.notes] == ["dates_day_first_assumed"]
    page = client.get(f"/fleet/rijkswaterstaat/import/{done.pk}/progress/").content.decode()
    assert 'id="import-notes"' in page and 'id="import-notes" hidden' not in page
    assert "“03/04/2021”" in page
    status = client.get(f"/fleet/rijkswaterstaat/import/{done.pk}/status.json").json()
    assert len(status["notes"]) == 1 and "purchase_date" in status["notes"][0]
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    dutch = client.get(f"/fleet/rijkswaterstaat/import/{done.pk}/status.json").json()
    assert dutch["notes"][0] != status["notes"][0]


# --- the API and the commands --------------------------------------------------------------------------


def test_the_api_takes_the_order_and_answers_with_the_notes(asset_manager: Any) -> None:  # noqa: F811
    client = signed_in(asset_manager)
    url = "/api/v1/fleet/rijkswaterstaat/assets/import"
    found = client.post(url, {"file": SimpleUploadedFile("us.csv", US_REGISTER.encode())}).json()
    assert found["created"] == 2 and len(found["notes"]) == 1 and "day first" in found["notes"][0]
    assert purchase_date_of("US-1") == date(2021, 4, 3)
    chosen = client.post(
        url, {"file": SimpleUploadedFile("us.csv", US_REGISTER.encode()), "date_order": "month_first"}
    ).json()
    assert chosen == {"created": 0, "updated": 2, "notes": []}
    assert purchase_date_of("US-1") == date(2021, 3, 4)
    refused = client.post(
        url, {"file": SimpleUploadedFile("us.csv", US_REGISTER.encode()), "date_order": "year_first"}
    )
    assert refused.status_code == 422


def test_the_commands_take_the_order_and_say_the_notes(asset_manager: Any, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "us.csv"
    path.write_text(US_REGISTER)
    out, err = StringIO(), StringIO()
    call_command("assets", "import", "rijkswaterstaat", str(path), stdout=out, stderr=err)
    assert (
        "2 lines added" in out.getvalue()
        and "us.csv: note: purchase_date: dates read with the day" in err.getvalue()
    )
    out, err = StringIO(), StringIO()
    call_command(
        "assets", "import", "rijkswaterstaat", str(path), "--dates", "month_first", stdout=out, stderr=err
    )
    assert err.getvalue() == "" and purchase_date_of("US-2") == date(2022, 5, 6)


def test_the_impact_command_says_the_notes_on_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "us.csv"
    path.write_text(US_REGISTER)
    assert impact_main(["fleet", str(path), "--no-footprints", "--as-of", "2026-11-30"]) == 0
    captured = capsys.readouterr()
    assert "note: purchase_date: dates read with the day first" in captured.err and captured.out.startswith(
        "{"
    )
    assert impact_main(["fleet", str(path), "--no-footprints", "--dates", "month_first"]) == 0
    assert "note" not in capsys.readouterr().err
