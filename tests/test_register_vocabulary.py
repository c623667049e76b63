"""The words registers use, the value step's questions, problems grouped by message, the annotated
file, and the estimate's lighter check. Plain Python, no database."""

from __future__ import annotations

from datetime import date

import pytest

from cfit.impact import problems
from cfit.impact.problems import RegisterRefused
from cfit.impact.register import annotate, check_register, guess_mapping, read_raw, unknown_values
from cfit.impact.vocabulary import load_vocabulary

TODAY = date(2026, 1, 1)
GERMAN = """Inventarnummer;Gerätetyp;Hersteller;Modell;Aanschafdatum;Land;Status;Verwertungsweg;Bildschirmdiagonale (Zoll)
A1;Dienstnotebook;Dell;Latitude 5420;01.03.2021;DE;Leihgerät;;14
A2;Desktop-PC;Dell;OptiPlex 7090;1.3.2021;Deutschland;im Einsatz;;0
A3;Dienstnotebook;Dell;Latitude 5420;2021-03-01;DE;Leihgerät;;14
"""


def german(text: str = GERMAN) -> object:
    return read_raw(text.encode(), "register.csv")


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Aanschafdatum", "purchase_date"),
        ("Gerätetyp", "product_group"),
        ("Verwertungsweg", "end_of_use_route"),
        ("Bildschirmdiagonale (Zoll)", "screen_size_in"),
        ("Date d'achat", "purchase_date"),
        ("Device type", "product_group"),
        ("Skjermstørrelse", "screen_size_in"),
    ],
)
def test_the_headers_people_write_are_known(header: str, column: str) -> None:
    assert guess_mapping([header]) == {header: column}


@pytest.mark.parametrize(
    ("column", "word", "code"),
    [
        ("end_of_use_route", "Hergebruik", "internal_reuse"),
        ("end_of_use_route", "Doorverkocht", "reuse"),
        ("product_group", "Desktop-PC", "desktops"),
        ("acquisition", "Kauf", "bought"),
        ("end_of_use_route", "Wiederverwendung", "internal_reuse"),
        ("end_of_use_route", "Verkauf", "reuse"),
        ("country", "Nederland", "NL"),
        ("country", "Allemagne", "DE"),
        ("country", "uk", "GB"),
        ("status", "Außer Betrieb", "retired"),
    ],
)
def test_the_words_people_write_are_known(column: str, word: str, code: str) -> None:
    assert load_vocabulary().code(column, word) == code


def test_a_saved_column_choice_comes_before_a_guess() -> None:
    assert guess_mapping(["Typ", "Bezeichnung"], saved={"typ": "model", "bezeichnung": "manufacturer"}) == {
        "Typ": "model",
        "Bezeichnung": "manufacturer",
    }


def test_each_unknown_value_is_asked_once_with_its_count_and_suggestions() -> None:
    raw = german()
    mapping = guess_mapping(raw.headers)

    unknown = unknown_values(raw, mapping)

    assert set(unknown) == {"product_group", "status"}
    [group] = unknown["product_group"]
    assert (group.value, group.count, group.suggestions[:1]) == ("Dienstnotebook", 2, ("notebooks",))
    assert [(v.value, v.count) for v in unknown["status"]] == [("Leihgerät", 2)]


def test_the_organisations_own_words_are_known_values() -> None:
    raw = german()
    mapping = guess_mapping(raw.headers)
    own = {"product_group": {"dienstnotebook": "notebooks"}, "status": {"leihgerät": "in_stock"}}

    assert unknown_values(raw, mapping, own) == {}
    register = check_register(raw, mapping, today=TODAY, values=own)

    assert register.get_column("product_group").cast(str).to_list() == ["notebooks", "desktops", "notebooks"]
    assert register.get_column("status").cast(str).to_list() == ["in_stock", "in_use", "in_stock"]
    assert register.get_column("country").to_list() == ["DE", "DE", "DE"]
    assert register.get_column("purchase_date").to_list() == [date(2021, 3, 1)] * 3


def test_a_screen_size_of_0_means_no_screen() -> None:
    raw = german()
    own = {"product_group": {"dienstnotebook": "notebooks"}, "status": {"leihgerät": "in_stock"}}

    register = check_register(raw, guess_mapping(raw.headers), today=TODAY, values=own)

    assert register.get_column("screen_size_in").to_list() == [14.0, None, 14.0]


def test_problems_are_grouped_by_message_with_counts_rows_and_examples() -> None:
    rows = "\n".join(f"N{n};notebooks;Dell;Latitude 5420;vorgestern;DE" for n in range(196))
    text = (
        "Inventarnummer;Gerätetyp;Hersteller;Modell;Kaufdatum;Land\n"
        + rows
        + "\nX;notebooks;Dell;;2021-01-01;DE\n"
    )

    with pytest.raises(RegisterRefused) as refused:
        check_register(read_raw(text.encode(), "r.csv"), today=TODAY)

    groups = refused.value.groups
    assert [(g.code, g.header, g.count) for g in groups] == [
        ("not_date", "Kaufdatum", 196),
        ("required", "Modell", 1),
    ]
    assert groups[0].rows[:3] == (2, 3, 4) and len(groups[0].rows) == problems.MAX_ROWS
    assert groups[0].examples == ("vorgestern",)
    assert (
        groups[0].message
        == "not a date (accepted: 2024-03-31, 31-03-2024, 31/03/2024, 2024/03/31, 31.03.2024)"
    )


def test_a_refused_file_is_annotated_row_by_row() -> None:
    text = "Gerätetyp;Hersteller;Modell;Kaufdatum;Land\nnotebooks;Dell;Latitude;morgen;DE\nnotebooks;Dell;X;2021-01-01;DE\n"

    checks, flags = annotate(
        read_raw(text.encode(), "r.csv"), guess_mapping(text.splitlines()[0].split(";")), today=TODAY
    )

    assert list(flags) == [0]
    assert [checks[i][0] for i in flags[0]] == ["not_date"] and checks[flags[0][0]][2] == "Kaufdatum"


def test_the_estimate_asks_only_for_a_group_a_manufacturer_and_a_model() -> None:
    text = "product_group,manufacturer,model,screen_size_in\nmonitors,Dell,P2422H,0\nnotebooks,HP,EliteBook 840 G8,\n"

    register = check_register(read_raw(text.encode(), "r.csv"), today=TODAY, purpose="estimate")

    assert register.height == 2
    assert register.get_column("purchase_date").null_count() == 2
    with pytest.raises(RegisterRefused):
        check_register(read_raw(text.encode(), "r.csv"), today=TODAY)


def test_a_problem_group_survives_its_json() -> None:
    found = problems.group(
        "too_long", {"limit": 200}, column="model", header="Modell", count=3, rows=[4, 7, 9]
    )

    again = problems.ProblemGroup.from_dict(found.as_dict())

    assert again == found and again.message == "longer than 200 characters"
