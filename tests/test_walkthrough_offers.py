"""The tender-to-contract chain walked as its users walk it, in Dutch and French: what tripped them.

Pia (procurer, Rijkswaterstaat) publishes a Dutch or a French tender; suppliers fill its response
template (or its CSV form) as people of their language do, she compares, downloads the evaluation
report and reads what a losing bidder would read in it.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from docx import Document

from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from .test_offers import fill, open_offers, publish

REPAIRABLE_BATTERY = "pc-repair-design-b.battery"  # a yes/no specification of the notebooks lot
WARRANTY_YEARS = "pc-warranty-b.years"  # a whole number of years


@pytest.fixture
def dutch_tender(procurer: Any, framework: Any) -> Tender:
    return _tender(procurer, "nl")


def _tender(procurer: Any, language: str) -> Tender:
    tender = tender_actions.create_tender(
        procurer.organisation,
        title="Laptops 2027",
        reference=f"WALK-{language.upper()}",
        language=language,
        acting_user=None,
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=200, acting_user=None)
    return publish(tender)


def _upload(client: Client, tender: Tender, supplier: str, data: bytes, filename: str, language: str) -> str:
    """Pia imports a supplier's file through the offers page; the page as text (refusals included)."""
    upload = io.BytesIO(data)
    upload.name = filename
    response = client.post(
        f"/tenders/{tender.pk}/offers/",
        {"supplier": supplier, "file": upload},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_report_writes_the_amounts_the_comparison_page_shows(
    dutch_tender: Tender, procurer: Any, client: Client
) -> None:
    # 10 × (1 234,56 + 15 kWh × 0,25 EUR × 5 years) = 12 533,10 EUR, a float just under it; the report
    # cut it to 12 533,09 (and the gap to the winner, 2 350,60, to 2 350,59) where the page said ,10.
    client.force_login(procurer.user)
    alfa = fill(dutch_tender, [{"line_id": "A-1", "unit_price_eur": "1.234,56", "yearly_kwh": 15}])
    beta = fill(dutch_tender, [{"line_id": "B-1", "unit_price_eur": "999,5", "yearly_kwh": 15}])
    _upload(client, dutch_tender, "Alfa BV", alfa, "alfa.xlsx", "nl")
    _upload(client, dutch_tender, "Beta NV", beta, "beta.xlsx", "nl")
    open_offers(dutch_tender)

    page = client.get(f"/tenders/{dutch_tender.pk}/offers/compare/", HTTP_ACCEPT_LANGUAGE="nl")
    report = _docx_text(client.get(f"/tenders/{dutch_tender.pk}/offers/report.docx").content)

    assert "12.533,10" in page.content.decode()
    assert "12.533,10" in report and "12.533,09" not in report
    assert "2.350,60 EUR" in report and "2.350,59" not in report
