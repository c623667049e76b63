"""A procurer imports an offer, sees it sealed until the deadline, then compares, overrides one result with a
justification and downloads the report."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from cfit.criteria.models import FrameworkVersion
from cfit.offers.models import ResultOverride
from cfit.tenders import actions as tender_actions

from ..test_offers import fill, knock_out_requirement, open_offers, publish
from .test_library import shot
from .test_tender_builder import download, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_compare_override_and_report(
    live_server: Any, page: Any, framework: FrameworkVersion, procurer: Any, tmp_path: Path
) -> None:
    tender = tender_actions.create_tender(
        procurer.organisation, title="Laptops 2027", reference="BR-OFF-1", acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=50, acting_user=None)
    tender = publish(tender)
    weak = knock_out_requirement(tender)
    offer = tmp_path / "beta.xlsx"
    offer.write_bytes(fill(tender, [{"line_id": "B-1"}, {"line_id": "B-2", weak.id: weak.min_value - 1}]))
    base = live_server.url
    sign_in(page, base, procurer.user.username)

    page.goto(f"{base}/tenders/{tender.pk}/")
    page.click("#tender-offers")
    page.fill("#id_supplier", "Beta Computers")
    page.set_input_files("#id_file", str(offer))
    page.locator("#offer-import button").click()
    page.wait_for_selector("#sealed")
    assert "1 offer received" in page.inner_text("#offer-count") and page.locator("#offers").count() == 0
    open_offers(tender)  # the deadline passes
    page.reload()
    page.wait_for_selector("#offers")
    assert "Beta Computers" in page.inner_text("#offers")

    page.click("#compare-offers")
    page.wait_for_selector("table.ranking")
    shot(page, "offers-compare")
    assert page.locator("table.lines tr.excluded").count() == 1
    page.click("table.lines tr.excluded a")
    row = page.locator(f"tr[id='req-{weak.id}']")
    assert "fail" in row.locator("td.result").inner_text()
    row.locator("summary").click()
    row.locator("select[name=decision]").select_option("pass")
    row.locator("textarea[name=justification]").fill("The datasheet on page 4 shows the required value.")
    row.locator("button").click()
    page.wait_for_selector("#audit-trail")
    assert "datasheet on page 4" in page.inner_text("#audit-trail")
    assert "pass" in page.locator(f"tr[id='req-{weak.id}'] td.result").inner_text()
    assert ResultOverride.objects.get().justification.startswith("The datasheet")

    page.goto(f"{base}/tenders/{tender.pk}/offers/compare/")
    assert page.locator("table.lines tr.excluded").count() == 0
    report = Document(io.BytesIO(download(page, "#report-docx", tmp_path)))
    text = "\n".join(cell.text for table in report.tables for row in table.rows for cell in row.cells)
    assert "Beta Computers" in text and weak.id in text
