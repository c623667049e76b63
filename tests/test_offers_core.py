"""Offers checked and scored from real generated templates, with every result known by hand."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cfit.criteria import content
from cfit.offers import reader
from cfit.offers.engine import Status
from cfit.offers.evaluate import evaluate, line_detail, to_json
from cfit.offers.reader import read_offer
from cfit.tenders.award import CostParameters, PriceRule
from cfit.tenders.response_template import FIRST_DATA_ROW, ID_ROW, build_response_template
from cfit.uploads import ImportRefused

from .offer_helpers import filled_template, line, small_spec

SPEC = small_spec()
GOOD = {"years": 5, "battery": "yes", "klass": "A", "cycles": 1000}


def offers_for_ranking() -> list[reader.OfferFile]:
    alpha = read_offer(
        filled_template(SPEC, [line("a1", 1000, **GOOD)], {"cpc-report-b.yearly": "yes"}), "alpha.xlsx", SPEC
    )
    beta = read_offer(  # no warranty years, but a TCO Gen10 certificate proves them
        filled_template(
            SPEC, [line("b1", 900, battery="yes", klass="A", cycles=500, labels="tco-certified-gen10")]
        ),
        "beta.xlsx",
        SPEC,
    )
    gamma = read_offer(filled_template(SPEC, [line("c1", 500, **{**GOOD, "years": 2})]), "gamma.xlsx", SPEC)
    delta = read_offer(
        filled_template(SPEC, [line("d1", 400, **{**GOOD, "battery": None})]), "delta.xlsx", SPEC
    )
    for offer, name in zip((alpha, beta, gamma, delta), ("Alpha", "Beta", "Gamma", "Delta"), strict=True):
        offer.supplier = name
    return [alpha, beta, gamma, delta]


def test_a_filled_template_gives_the_expected_results_and_ranking() -> None:
    [result] = evaluate(SPEC, offers_for_ranking())

    by_offer = {r.offer: r for r in result.offers}
    assert [by_offer[n].eligible for n in ("Alpha", "Beta", "Gamma", "Delta")] == [True, True, False, False]
    # Price: 80 × 900 / own price; quality: 20 × own cycles / best cycles (1000).
    assert by_offer["Alpha"].total == pytest.approx(80 * 900 / 1000 + 20)
    assert by_offer["Beta"].total == pytest.approx(80 + 20 * 500 / 1000)
    assert (by_offer["Alpha"].rank, by_offer["Beta"].rank, by_offer["Gamma"].rank) == (1, 2, 0)
    assert by_offer["Beta"].criterion_points == {"ac-cycles-a": pytest.approx(10.0)}

    details = {d["requirement"]: d for d in line_detail(result, 1)}
    assert details["ts-warranty-b.years"] | {} == details["ts-warranty-b.years"]
    assert (details["ts-warranty-b.years"]["status"], details["ts-warranty-b.years"]["evidence"]) == (
        "pass",
        "label",
    )
    assert details["ts-warranty-b.years"]["labels"] == ["tco-certified-gen10"]
    assert details["cpc-report-b.yearly"]["status"] == "not_answered"  # Beta gave no company answer
    gamma = {d["requirement"]: d for d in line_detail(result, 2)}
    assert (gamma["ts-warranty-b.years"]["status"], gamma["ts-warranty-b.years"]["value"]) == ("fail", 2)
    delta = {d["requirement"]: d for d in line_detail(result, 3)}
    assert delta["ts-repair-b.battery"]["status"] == "not_answered"
    alpha = {d["requirement"]: d for d in line_detail(result, 0)}
    assert alpha["cpc-report-b.yearly"] | {"value": None} == alpha["cpc-report-b.yearly"] | {"value": None}
    assert alpha["cpc-report-b.yearly"]["status"] == "pass"


def test_an_override_changes_the_result_and_is_marked() -> None:
    offers = offers_for_ranking()
    [result] = evaluate(SPEC, offers, overrides={(2, "c1", "ts-warranty-b.years"): Status.PASS})

    gamma = next(r for r in result.offers if r.offer == "Gamma")
    assert gamma.eligible and gamma.rank == 1  # cheapest once its warranty is accepted
    details = {d["requirement"]: d for d in line_detail(result, 2)}
    assert details["ts-warranty-b.years"]["evidence"] == "override"


def test_life_cycle_cost_counts_energy_maintenance_and_residual_value() -> None:
    costs = CostParameters(
        service_life_years=5,
        energy_price_per_kwh=Decimal("0.30"),
        maintenance_per_year=Decimal(10),
        residual_value=Decimal(50),
    )
    spec = small_spec(price_rule=PriceRule.LIFE_CYCLE_COST, costs=costs)
    [result] = evaluate(spec, offers_for_ranking())

    alpha = next(r for r in result.offers if r.offer == "Alpha")
    assert alpha.life_cycle_cost == pytest.approx(10 * (1000 + 20 * 0.30 * 5 + 10 * 5 - 50))


def test_json_evaluation_names_every_requirement_of_every_line() -> None:
    document = to_json(SPEC, evaluate(SPEC, offers_for_ranking()), evaluated_on=date(2026, 1, 1))

    json.dumps(document)  # serialisable as is
    lines = document["lots"][0]["lines"]
    assert len(lines) == 4 and all(len(item["requirements"]) == 5 for item in lines)
    assert document["method_version"]


def test_the_csv_and_json_forms_read_the_same_offer() -> None:
    xlsx = read_offer(
        filled_template(SPEC, [line("a1", 1000, **GOOD)], {"cpc-report-b.yearly": "yes"}), "a.xlsx", SPEC
    )
    as_json = json.dumps(reader.offer_to_json(xlsx)).encode()
    header = [
        "lot",
        *reader.FIXED,
        "ts-warranty-b.years",
        "ts-repair-b.battery",
        "ts-class-b.class",
        "ac-cycles-a.cycles",
        "company:cpc-report-b.yearly",
    ]
    csv_text = ";".join(header) + "\n" + "1;a1;Acme;Model a1;10;1000;20;;5;yes;A;1000;yes\n"

    for other in (read_offer(as_json, "a.json", SPEC), read_offer(csv_text.encode(), "a.csv", SPEC)):
        assert [(x.line_id, x.answers, x.unit_price) for x in other.lines] == [
            (x.line_id, x.answers, x.unit_price) for x in xlsx.lines
        ]
        assert other.company == xlsx.company == {"cpc-report-b.yearly": True}


def _refusal(data: bytes, filename: str = "offer.xlsx") -> str:
    with pytest.raises(ImportRefused) as error:
        read_offer(data, filename, SPEC)
    return str(error.value)


def _edit(data: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(data))
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_each_class_of_bad_file_is_refused_with_its_place() -> None:
    good = filled_template(SPEC, [line("a1", 1000, **GOOD)])
    other_tender = filled_template(small_spec("SOMETHING-ELSE"), [line("a1", 1000, **GOOD)])
    assert "belongs to tender 'SOMETHING-ELSE'" in _refusal(other_tender)
    assert "not a cfit response template" in _refusal(_edit(good, lambda b: b.remove(b["_cfit"])))

    def drop_column(book):  # type: ignore[no-untyped-def]
        book["Lot 1"].cell(row=ID_ROW, column=9).value = None

    assert "column ts-repair-b.battery is missing" in _refusal(_edit(good, drop_column))
    message = _refusal(filled_template(SPEC, [line("a1", 1000, **{**GOOD, "years": "five"})]))
    assert "sheet Lot 1, row 4, column H (ts-warranty-b.years): a number is expected" in message
    assert "not one of “A”, “B”, “C”" in _refusal(
        filled_template(SPEC, [line("a1", 1000, **{**GOOD, "klass": "Z"})])
    )
    assert "a whole number is expected" in _refusal(
        filled_template(SPEC, [line("a1", 1000, **{**GOOD, "years": 2.5})])
    )
    assert "unknown label(s) gold-star" in _refusal(
        filled_template(SPEC, [line("a1", 1000, labels="gold-star", **GOOD)])
    )
    assert "appears twice (first at sheet Lot 1, row 4)" in _refusal(
        filled_template(SPEC, [line("a1", 1000, **GOOD), line("a1", 900, **GOOD)])
    )
    assert "formulas are not accepted" in _refusal(filled_template(SPEC, [line("a1", "=A1*2", **GOOD)]))
    assert "row 5, column E (unit_price_eur): required" in _refusal(
        filled_template(SPEC, [line("a1", 1000, **GOOD), line("a2", None, **GOOD)])
    )
    assert "no product lines" in _refusal(filled_template(SPEC, []))


def test_oversized_malformed_and_bomb_files_are_refused() -> None:
    assert "larger than" in _refusal(b"x" * (21 * 1024 * 1024))
    assert "not a readable XLSX workbook" in _refusal(b"PK\x03\x04 this is not a workbook")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (250 * 1024 * 1024))
    assert "zip bomb" in _refusal(bomb.getvalue())
    assert "not valid JSON" in _refusal(b"{oops", "offer.json")
    assert "unknown format" in _refusal(b"hello", "offer.pdf")


def test_a_huge_sheet_is_cut_off_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_LINES", 3)
    rows = [line(f"x{n}", 1000, **GOOD) for n in range(5)]
    assert f"row {FIRST_DATA_ROW + 3}" in _refusal(
        filled_template(SPEC, rows)
    ) and "more than 3 product lines" in _refusal(filled_template(SPEC, rows))


def test_the_template_round_trips_its_hidden_ids() -> None:
    book = load_workbook(io.BytesIO(build_response_template(SPEC)))
    ids = [c.value for c in book["Lot 1"][ID_ROW]]
    assert ids[len(reader.FIXED) :] == [
        "ts-warranty-b.years",
        "ts-repair-b.battery",
        "ts-class-b.class",
        "ac-cycles-a.cycles",
    ]


def test_a_negative_answer_is_read_only_where_the_requirement_is_negative() -> None:
    cold = content.Requirement.model_validate(
        {
            "id": "x-robust-a.operating-cold",
            "title": {lang: f"cold ({lang})" for lang in content.LANGUAGES},
            "data_type": "number",
            "max_value": -20,
            "unit": "°C",
            "better": "lower",
        }
    )
    years = content.Requirement.model_validate(
        {
            "id": "x-warranty-b.years",
            "title": {lang: f"years ({lang})" for lang in content.LANGUAGES},
            "data_type": "integer",
            "min_value": 3,
            "unit": "years",
            "better": "higher",
        }
    )

    assert reader.parse_answer("-25", cold) == -25.0
    with pytest.raises(ValueError, match="0 or more"):
        reader.parse_answer("-1", years)
