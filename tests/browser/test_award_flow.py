"""An award a buyer can defend, end to end in the browser.

Petra (procurer) sets the deadline for offers and publishes; a supplier uploads through its link and
keeps the receipt; Petra sees that an offer arrived but nothing of it, and the comparison stays
closed; after the deadline she evaluates, overrides a result with a justification and prepares the
sign-off; Quinn, a second procurer of her organisation, approves it; the report shows it all.
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from cfit.criteria.models import FrameworkVersion
from cfit.offers.models import EvaluationSignOff, OfferReceipt
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from ..evaluation_helpers import colleague
from ..test_offers import fill, knock_out_requirement, open_offers
from .test_library import shot
from .test_tender_builder import download, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def report_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_deadline_sealed_receipt_override_four_eyes_and_report(
    live_server: Any, browser: Any, page: Any, framework: FrameworkVersion, procurer: Any, tmp_path: Path
) -> None:
    quinn = colleague(procurer, "quinn")
    tender = tender_actions.create_tender(
        procurer.organisation, title="Laptops 2027", reference="BR-AWARD-1", acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=40, acting_user=None)
    base = live_server.url
    sign_in(page, base, procurer.user.username)

    # The procurer sets the deadline and publishes.
    page.goto(f"{base}/tenders/{tender.pk}/")
    deadline = timezone.localtime(timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#deadline-form input[type=datetime-local]", deadline)
    page.locator("#deadline-form button").click()
    page.wait_for_selector("#offers-deadline")
    page.locator("button.primary", has_text="Publish").click()
    page.wait_for_load_state()
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED and tender.offers_deadline is not None

    # It gives a supplier an upload link.
    page.goto(f"{base}/tenders/{tender.pk}/offers/")
    page.fill("#id_link-supplier", "Beta Computers")
    page.get_by_role("button", name="Create a link").click()
    page.wait_for_selector("#upload-links")
    link = page.locator("#upload-links .token-link").inner_text().strip()

    # The supplier, signed in nowhere, uploads its offer and keeps the receipt.
    weak = knock_out_requirement(tender)
    data = fill(tender, [{"line_id": "B-1"}, {"line_id": "B-2", weak.id: weak.min_value - 1}])
    offer = tmp_path / "beta.xlsx"
    offer.write_bytes(data)
    supplier = browser.new_context(locale="en-GB").new_page()
    supplier.goto(link)
    supplier.set_input_files("#offer-upload input[type=file]", str(offer))
    supplier.locator("#offer-upload button").click()
    supplier.wait_for_selector("#receipts")
    digest = hashlib.sha256(data).hexdigest()
    assert digest in supplier.inner_text("main")
    shot(supplier, "award-receipt")

    # Before the deadline the procurer sees that an offer arrived, and nothing of it.
    page.goto(f"{base}/tenders/{tender.pk}/offers/")
    page.wait_for_selector("#sealed")
    assert "1 offer received" in page.inner_text("#offer-count")
    assert "Beta Computers" not in page.inner_text("#sealed") and page.locator("#offers").count() == 0
    closed = page.goto(f"{base}/tenders/{tender.pk}/offers/compare/")
    assert closed is not None and closed.status == 403 and "sealed" in page.inner_text("body")

    # After the deadline: compare, override with a justification, prepare the sign-off.
    open_offers(tender)
    page.goto(f"{base}/tenders/{tender.pk}/offers/compare/")
    page.wait_for_selector("table.ranking")
    page.click("table.lines tr.excluded a")
    row = page.locator(f"tr[id='req-{weak.id}']")
    row.locator("summary").click()
    row.locator("select[name=decision]").select_option("pass")
    row.locator("textarea[name=justification]").fill("The test report on page 7 shows the required value.")
    row.locator("button").click()
    page.wait_for_selector("#audit-trail")
    page.goto(f"{base}/tenders/{tender.pk}/offers/compare/")
    page.locator("#prepare-sign-off button").click()
    page.wait_for_selector("#sign-off-status")
    assert "Waiting for approval" in page.inner_text("#sign-off-status")
    assert page.locator("#approve-sign-off").count() == 0  # four eyes: not the one who prepared it

    # Quinn approves.
    second = browser.new_context(locale="en-GB").new_page()
    sign_in(second, base, quinn.user.username)
    second.goto(f"{base}/tenders/{tender.pk}/offers/compare/")
    second.locator("#approve-sign-off button").click()
    second.wait_for_selector("#sign-off-status")
    assert "Signed off" in second.inner_text("#sign-off-status")
    shot(second, "award-signed-off")
    sign_off = EvaluationSignOff.unscoped.get(tender=tender)
    assert sign_off.prepared_by == procurer.user and sign_off.approved_by == quinn.user

    # The report shows the method, the override with its author, the receipt and the sign-off.
    text = report_text(download(second, "#report-docx", tmp_path))
    assert (
        "The test report on page 7" in text
        and procurer.user.username in text.lower()
        or (procurer.user.get_full_name() in text)
    )
    assert OfferReceipt.unscoped.get(tender=tender).sha256 == digest and digest in text
    assert sign_off.digest in text
    assert "Life-cycle cost per unit" in text or "Cost per unit" in text

    # And the tender can now be marked awarded.
    second.goto(f"{base}/tenders/{tender.pk}/")
    second.get_by_role("button", name="Mark as awarded").click()
    second.wait_for_load_state()
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
