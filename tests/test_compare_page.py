"""The comparison page explains itself: why lines and offers are excluded, "no bid", how totals derive
from lines, what would change the ranking, and answers as people write them."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cfit.accounts.scoping import acting_for
from cfit.criteria.content import Requirement
from cfit.criteria.vocabulary import load_vocabulary
from cfit.offers import explain, signoff
from cfit.offers.evaluation import evaluate_tender
from cfit.offers.models import OfferLine
from cfit.tenders.models import Tender

from .evaluation_helpers import build_tender, names, open_offers, reopen, submit

BATTERY = "nb-battery-cycles-b"
RECYCLED = "pc-recycled-plastic-b"
CYCLES = f"{BATTERY}.cycles"
WARRANTY = "pc-warranty-b.years"
USB_PD = "nb-usb-c-b.usb-pd"


@pytest.fixture
def tender(procurer, framework) -> Tender:
    """Lot 1 notebooks, lot 2 monitors. In lot 1 the buyer scores battery cycles and recycled plastic
    (10 points each, proportional to the best offer) and the life-cycle cost (80 points).

    Alpha bids on both lots, the best battery (1000 cycles: all 10 points) at 900 EUR; Beta only on
    lot 1, cheaper (800 EUR) with 500 cycles; both declare 0 % recycled plastic. Gamma's first line
    offers a 2-year warranty (3 are required); Delta leaves USB Power Delivery unanswered.
    """
    tender = build_tender(
        procurer.organisation,
        reference="CMP-1",
        groups=("notebooks", "monitors"),
        award={1: {BATTERY: 10, RECYCLED: 10}},
    )
    submit(
        tender,
        "Alpha",
        {1: [{"line_id": "A-1", CYCLES: 1000}], 2: [{"line_id": "A-M1", "unit_price_eur": 200}]},
    )
    submit(tender, "Beta", {1: [{"line_id": "B-1", "unit_price_eur": 800, CYCLES: 500}]})
    submit(tender, "Gamma", {1: [{"line_id": "G-1", WARRANTY: 2}, {"line_id": "G-2"}]})
    submit(tender, "Delta", {1: [{"line_id": "D-1", USB_PD: None}]})
    return open_offers(tender)


def page(client: Client, tender: Tender) -> str:
    response = client.get(f"/tenders/{tender.pk}/offers/compare/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, lot: int) -> str:
    start = html.index(f'id="lot-{lot}"')
    end = html.find('<section class="lot"', start)
    return html[start : end if end > 0 else len(html)]


def test_an_excluded_offer_names_the_specification_it_misses(
    tender: Tender, procurer, client: Client
) -> None:
    name = names(tender)
    client.force_login(procurer.user)

    lot = section(page(client, tender), 1)

    assert name.criterion("pc-warranty-b") == "Manufacturer warranty of at least 3 years (pc-warranty-b)"
    assert (
        "Excluded because product line G-1 misses a technical specification: "
        f"{name.criterion('pc-warranty-b')}: {name.requirement(WARRANTY)} is 2 years, required ≥ 3 years."
    ) in lot
    assert (
        "Excluded with its offer: another product line of the offer misses a technical specification." in lot
    )
    assert f"{name.criterion('nb-usb-c-b')}: {name.requirement(USB_PD)} not answered" in lot
    # G-2 meets every specification itself: it is excluded only with its offer
    with_offer = next(row for row in lot.split("<tr") if row.startswith(' class="excluded-with-offer"'))
    assert ">G-2<" in with_offer and lot.count('<tr class="excluded-with-offer">') == 1


def test_a_supplier_without_lines_in_a_lot_shows_no_bid(tender: Tender, procurer, client: Client) -> None:
    client.force_login(procurer.user)

    lot = section(page(client, tender), 2)

    rows = {
        name: next(row.split("</tr>")[0] for row in lot.split("<tr") if f"<td>{name}</td>" in row)
        for name in ("Beta", "Gamma", "Delta")
    }
    for name, row in rows.items():
        assert "no bid" in row, name
        assert "excluded" not in row and "0.00" not in row, name
    assert 'data-state="ranked"' in lot and "A-M1" in lot


def test_the_page_states_how_totals_derive_from_lines(tender: Tender, procurer, client: Client) -> None:
    client.force_login(procurer.user)

    html = page(client, tender)

    assert html.count("An offer&#x27;s total is its cost points plus its quality points") == 2
    assert "compares the quantity-weighted mean of its lines&#x27; answers with the best offer&#x27;s" in html
    assert "an offer with one excluded product line is excluded as a whole" in html


def test_what_would_change_the_ranking(tender: Tender, procurer, client: Client) -> None:
    with acting_for(procurer.user):
        result = evaluate_tender(tender).results[0]
    change = explain.ranking_change(result)
    name = names(tender)
    client.force_login(procurer.user)

    lot = section(page(client, tender), 1)

    assert change is not None
    assert (change.winner.offer, change.runner_up.offer) == ("Beta", "Alpha")
    assert change.gap == pytest.approx(change.winner.total - change.runner_up.total) and 0 < change.gap < 10
    gaps = {gap.criterion: gap for gap in change.criteria}
    assert not gaps[BATTERY].possible and gaps[BATTERY].room == pytest.approx(0)
    assert gaps[RECYCLED].possible and gaps[RECYCLED].room == pytest.approx(10)
    # At the target cost Alpha's cost points close the gap exactly: a tie; below it, Alpha leads.
    assert change.cost is not None and change.cost.target is not None
    alpha_at_target = (
        80 * change.winner.life_cycle_cost / change.cost.target + change.runner_up.quality_points
    )
    assert alpha_at_target == pytest.approx(change.winner.total)
    assert change.cost.reduction == pytest.approx(change.runner_up.life_cycle_cost - change.cost.target)
    assert "Alpha ranks second" in lot and "behind Beta" in lot
    assert f"{name.criterion(RECYCLED)}: Alpha would rank first by gaining more than" in lot
    assert f"{name.criterion(BATTERY)}: Alpha already has all 10 points there." in lot
    assert "Cost: Alpha would rank first with a total cost below" in lot
    assert "What would change the ranking" not in section(page(client, tender), 2)  # one offer ranks


def test_the_line_page_shows_answers_as_people_write_them(tender: Tender, procurer, client: Client) -> None:
    line = OfferLine.objects.get(line_id="G-1")
    enumeration = next(r for r in names(tender).requirements.values() if r.data_type == "enumeration")
    client.force_login(procurer.user)

    html = client.get(f"/tenders/{tender.pk}/offers/lines/{line.pk}/").content.decode()

    answers = re.findall(r'<td class="answer[^"]*"[^>]*>(.*?)</td>', html)
    assert "2 years" in answers and "2.0" not in html
    assert "yes" in answers and "True" not in html
    option = enumeration.allowed_answers[0]
    assert load_vocabulary().option(option, "en") in answers  # by its label
    assert option not in answers or option == load_vocabulary().option(option, "en")
    assert "—" not in answers  # company declarations too: every answer is shown
    assert "Why this line is excluded" in html
    assert f"{names(tender).requirement(WARRANTY)} is 2 years, required ≥ 3 years" in html


def test_the_comparison_stays_sealed_until_the_deadline(procurer, framework, client: Client) -> None:
    tender = build_tender(procurer.organisation, reference="CMP-SEALED")
    submit(tender, "Alpha", {1: [{"line_id": "A-1"}]})
    client.force_login(procurer.user)

    assert client.get(f"/tenders/{tender.pk}/offers/compare/").status_code == 403


def test_the_comparison_page_does_not_query_per_offer_or_lot(
    procurer, framework, client: Client, django_assert_max_num_queries: Any
) -> None:
    tender = build_tender(
        procurer.organisation, reference="CMP-Q", groups=("notebooks", "monitors"), award={1: {BATTERY: 20}}
    )
    for name in ("Alpha", "Beta"):
        submit(tender, name, {1: [{"line_id": f"{name}-1"}, {"line_id": f"{name}-2", WARRANTY: 1}]})
    open_offers(tender)
    signoff.prepare_sign_off(tender, acting_user=procurer.user)  # the page then checks its digest
    client.force_login(procurer.user)
    with django_assert_max_num_queries(25) as few:
        page(client, tender)
    reopen(tender)
    for name in ("Gamma", "Delta", "Epsilon"):
        submit(tender, name, {1: [{"line_id": f"{name}-1"}], 2: [{"line_id": f"{name}-M"}]})
    open_offers(tender)

    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(client, tender)

    assert "Epsilon" in html and "no bid" in html and "the evaluation changed after the last sign-off" in html


# ---------------------------------------------------------------------------
# explain.py: plain Python, table-driven
# ---------------------------------------------------------------------------

DUTCH = {"yes": "ja", "no": "nee", "To be declared": "op te geven"}
WORDS = explain.Words(
    gettext=lambda text: DUTCH.get(text, text),
    language="nl",
    number=lambda value: str(value).replace(".", ","),
    day=lambda day: day.strftime("%d-%m-%Y"),
)


def requirement(data_type: str, **fields: Any) -> Requirement:
    base: dict[str, Any] = {"id": "x-b.r", "title": {lang: "R" for lang in ("en", "nl", "fr", "de", "nb")}}
    return Requirement.model_validate({**base, "data_type": data_type, **fields})


YEARS = requirement("integer", min_value=3, unit="years", better="higher")
SHARE = requirement("number", min_value=12.5, unit="%", better="higher")
CARBON = requirement("number", max_value=300, unit="kgCO2e", better="lower")
BOOLEAN = requirement("boolean", expected_value=True)
LEVEL = requirement(
    "enumeration", options=["tool-free", "common-tools", "proprietary"], allowed=["tool-free", "common-tools"]
)
YES_NO = requirement("enumeration", options=["yes", "no"], expected_value="yes")
DAY = requirement("date", better="lower")


@pytest.mark.parametrize(
    ("value", "req", "expected"),
    [
        (3.0, YEARS, "3 jaar"),
        (3, YEARS, "3 jaar"),
        (12.5, SHARE, "12,5 %"),
        (0.30000000000000004, SHARE, "0,3 %"),
        (True, BOOLEAN, "ja"),
        (False, BOOLEAN, "nee"),
        ("common-tools", LEVEL, "Algemeen verkrijgbaar gereedschap"),
        ("yes", YES_NO, "ja"),
        ("2027-03-01", DAY, "01-03-2027"),
        (None, YEARS, "—"),
        ("", YEARS, "—"),
        ("free text", None, "free text"),
    ],
)
def test_answers_read_as_people_write_them(value: Any, req: Requirement | None, expected: str) -> None:
    assert explain.answer_text(value, req, WORDS) == expected


@pytest.mark.parametrize(
    ("req", "expected"),
    [
        (YEARS, "≥ 3 jaar"),
        (SHARE, "≥ 12,5 %"),
        (CARBON, "≤ 300 kgCO2e"),
        (BOOLEAN, "ja"),
        (LEVEL, "Zonder gereedschap / Algemeen verkrijgbaar gereedschap"),
        (YES_NO, "ja"),
        (requirement("string"), "op te geven"),
    ],
)
def test_what_meets_a_requirement_reads_as_people_write_it(req: Requirement, expected: str) -> None:
    assert explain.expected_text(req, WORDS) == expected


def test_tidy_numbers() -> None:
    assert [explain.tidy(v) for v in (3.0, 2.5, 1e-9, 0.1 + 0.2)] == [3, 2.5, 0, 0.3]
    assert isinstance(explain.tidy(3.0), int)
    assert WORDS.day(date(2027, 1, 2)) == "02-01-2027"


def test_explain_does_not_import_django() -> None:
    code = "import sys, cfit.offers.explain; print('django' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


def offer_result(
    name: str, cost: float, quality: float, rank: int, points: dict[str, float] | None = None
) -> Any:
    from cfit.offers.scoring import OfferResult

    return OfferResult(name, True, 1, cost, 0.0, quality, 0.0, rank, points or {})


def lot_of(offers: list[Any], price_weight: float = 70, criteria: dict[str, float] | None = None) -> Any:
    """What ``ranking_change`` reads of a lot result: its offers (with totals) and its award method."""
    lowest = min(o.life_cycle_cost for o in offers)
    scored = [
        o.__class__(**{**o.__dict__, "price_points": price_weight * lowest / o.life_cycle_cost})
        for o in offers
    ]
    scored = [o.__class__(**{**o.__dict__, "total": o.price_points + o.quality_points}) for o in scored]
    method = SimpleNamespace(
        price_weight=Decimal(str(price_weight)),
        criteria=[SimpleNamespace(id=code, weight=Decimal(str(w))) for code, w in (criteria or {}).items()],
    )
    return SimpleNamespace(offers=scored, method=method)


def totals_at(lot: Any, name: str, cost: float) -> dict[str, float]:
    """Every offer's total when ``name`` costs ``cost`` instead, as ``rank_offers`` computes it."""
    costs = {o.offer: (cost if o.offer == name else o.life_cycle_cost) for o in lot.offers}
    lowest = min(costs.values())
    weight = float(lot.method.price_weight)
    return {o.offer: weight * lowest / costs[o.offer] + o.quality_points for o in lot.offers}


@pytest.mark.parametrize(
    ("offers", "target"),
    [
        # the runner-up stays dearer than the cheapest (a third offer) and overtakes the winner
        ([("W", 1000, 20, 1), ("R", 1200, 25, 2), ("T", 900, 5, 3)], 70 * 900 / 58),
        # it has to become the cheapest, which lowers the winner's cost points too
        ([("W", 1000, 40, 1), ("R", 1200, 25, 2)], 1000 * 55 / 70),
        # the winner's quality lead exceeds all cost points: no price helps
        ([("W", 1000, 100, 1), ("R", 1200, 25, 2)], None),
    ],
)
def test_the_cost_that_would_rank_the_runner_up_first(offers: list[Any], target: float | None) -> None:
    lot = lot_of([offer_result(*o) for o in offers])

    change = explain.ranking_change(lot)

    assert change is not None and change.cost is not None
    if target is None:
        assert change.cost.target is None
        assert (
            "no lower cost alone would rank R first"
            in explain.ranking_change_sentences(change, explain.Glossary("en", {}, {}), WORDS)[-1]
        )
        return
    assert change.cost.target == pytest.approx(target)
    at = totals_at(lot, "R", change.cost.target)
    assert at["R"] == pytest.approx(max(at.values()))  # a tie at the target
    below = totals_at(lot, "R", change.cost.target * 0.999)
    assert max(below, key=below.get) == "R"


def test_the_criteria_that_would_change_the_ranking() -> None:
    lot = lot_of(
        [
            offer_result("Alpha", 1000, 12, 1, {"ac-a": 4, "ac-b": 8}),
            offer_result("Runner", 1000, 9, 2, {"ac-a": 1, "ac-b": 8}),
        ],
        price_weight=80,
        criteria={"ac-a": 4, "ac-b": 8, "ac-c": 8},
    )
    names = explain.Glossary("en", {"ac-a": "Repairability", "ac-b": "Battery"}, {})

    change = explain.ranking_change(lot)
    assert change is not None
    sentences = explain.ranking_change_sentences(change, names, WORDS)

    assert (
        change.gap == pytest.approx(3) and not change.tie_wins
    )  # equal cost: the name decides a tie, Alpha first
    assert [(g.criterion, g.room, g.possible) for g in change.criteria] == [
        ("ac-a", 3, False),
        ("ac-b", 0, False),
        ("ac-c", 8, True),
    ]
    assert (
        "Repairability (ac-a) alone cannot change the ranking: Runner has 1 of 4 points there" in sentences[1]
    )
    assert sentences[2] == "Battery (ac-b): Runner already has all 8 points there."
    assert sentences[3].startswith("ac-c: Runner would rank first by gaining more than 3 points there")


def test_a_tie_that_goes_to_the_runner_up_needs_only_the_gap() -> None:
    lot = lot_of(
        [offer_result("Alpha", 1000, 12, 1, {"ac-a": 4}), offer_result("Beta", 990, 8, 2, {"ac-a": 0})],
        price_weight=80,
        criteria={"ac-a": 4},
    )

    change = explain.ranking_change(lot)

    assert change is not None and change.tie_wins  # ties go to the lower cost
    assert change.gap == pytest.approx(4 - 80 * (1 - 990 / 1000))
    sentences = explain.ranking_change_sentences(change, explain.Glossary("en", {}, {}), WORDS)
    assert "by gaining at least" in sentences[1]
