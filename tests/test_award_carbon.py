"""The issue's own case: a lower declared carbon footprint earns more points, by command and by page.

A published notebook tender with carbon at "ambitious" receives two offers identical but for the
declared footprint per unit (250 and 400 kg CO2e). The footprint requirement declares ``better:
lower`` and the proportional rule, so the 250 kg offer earns the full carbon points and ranks first;
the old engine guessed the direction from ``min_value: 0`` and did the opposite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from cfit.accounts.scoping import acting_for
from cfit.offers import actions
from cfit.offers.reader import offer_to_json, read_offer
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from .test_offers import fill, open_offers, publish

FOOTPRINT = "wc-carbon-footprint-a.footprint"
CARBON = "wc-carbon-footprint-a"


@pytest.fixture
def tender(procurer, framework) -> Tender:
    tender = tender_actions.create_tender(
        procurer.organisation, title="Laptops 2027", reference="CARBON-1", language="en", acting_user=None
    )
    tender_actions.add_lot(
        tender, product_group="notebooks", quantity=200, ambitions={"carbon": "ambitious"}, acting_user=None
    )
    return publish(tender)


def offer_json(tender: Tender, footprint: float, path: Path) -> Path:
    spec = tender_actions.tender_spec(tender)
    workbook = fill(tender, [{"line_id": "L-1", FOOTPRINT: footprint}])
    path.write_text(json.dumps(offer_to_json(read_offer(workbook, "offer.xlsx", spec))))
    return path


def test_the_lower_footprint_ranks_first_through_the_command(tender: Tender, tmp_path: Path) -> None:
    low, high = (
        offer_json(tender, 250, tmp_path / "low.json"),
        offer_json(tender, 400, tmp_path / "high.json"),
    )
    out = tmp_path / "evaluation.json"

    call_command(
        "offers",
        "evaluate",
        "--tender",
        str(tender.pk),
        str(high),
        str(low),
        "--format",
        "json",
        "-o",
        str(out),
    )

    lot = json.loads(out.read_text())["lots"][0]
    by_file = {o["offer"]: o for o in lot["offers"]}
    assert by_file["low"]["criterion_points"][CARBON] > by_file["high"]["criterion_points"][CARBON]
    assert (by_file["low"]["rank"], by_file["high"]["rank"]) == (1, 2)
    footprint = next(
        r
        for c in lot["method"]["criteria"]
        if c["id"] == CARBON
        for r in c["requirements"]
        if r["id"] == FOOTPRINT
    )
    assert footprint["better"] == "lower" and footprint["scoring"] == {"rule": "proportional"}


def test_the_lower_footprint_ranks_first_on_the_comparison_page(
    tender: Tender, procurer, client: Client
) -> None:
    for supplier, footprint in (("Heavy BV", 400), ("Light BV", 250)):
        actions.import_offer(
            tender,
            fill(tender, [{"line_id": "L-1", FOOTPRINT: footprint}]),
            f"{supplier}.xlsx",
            supplier=supplier,
            acting_user=procurer.user,
        )
    open_offers(tender)
    client.force_login(procurer.user)

    html = client.get(f"/tenders/{tender.pk}/offers/compare/").content.decode()

    with acting_for(procurer.user):
        from cfit.offers.evaluation import evaluate_tender

        ranking = {r.offer: r for r in evaluate_tender(tender).results[0].offers}
    assert ranking["Light BV"].rank == 1 and ranking["Heavy BV"].rank == 2
    assert ranking["Light BV"].criterion_points[CARBON] > ranking["Heavy BV"].criterion_points[CARBON]
    assert html.index("Light BV") < html.index("Heavy BV")
