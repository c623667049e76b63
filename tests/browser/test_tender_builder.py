"""A procurer builds a two-lot tender in Dutch through the guided builder and reads the documents back."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from openpyxl import load_workbook

from cfit.accounts.scoping import system_scope
from cfit.criteria.models import FrameworkVersion
from cfit.tenders.eforms import FIELDS, NS
from cfit.tenders.models import LotCriterion, Tender
from cfit.tenders.response_template import ID_ROW

from ..conftest import PASSWORD
from ..tender_helpers import docx_text, shared
from .test_library import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form.narrow button").click()
    page.wait_for_url(base + "/")


def download(page: Any, selector: str, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_bytes()


def test_a_two_lot_tender_in_dutch(
    live_server: Any, page: Any, framework: FrameworkVersion, procurer: Any, tmp_path: Path
) -> None:
    base = live_server.url
    sign_in(page, base, procurer.user.username)
    # The switcher submits its form on change: wait for the page it leads to, not the one we are on.
    with page.expect_navigation():
        page.select_option("#language-switcher", "nl")
    page.wait_for_selector("html[lang=nl]")

    page.goto(base + "/tenders/new/")
    page.fill("#id_title", "Laptops en beeldschermen 2027")
    page.fill("#id_reference", "RWS-2027-LB")
    page.select_option("#id_language", "nl")
    page.check("#id_lot_notebooks")
    page.fill("#id_quantity_notebooks", "500")
    page.check("#id_lot_monitors")
    page.fill("#id_quantity_monitors", "300")
    shot(page, "tender-start-nl")
    page.locator("#tender-start button.primary").click()
    page.wait_for_url("**/ambition/")

    page.check("input[name=lot1_carbon][value=ambitious]")
    page.check("input[name=lot2_carbon][value=ambitious]")
    shot(page, "tender-ambition-nl")
    page.locator("#tender-ambition button.primary").click()
    page.wait_for_url("**/review/")
    shot(page, "tender-review-nl")
    page.locator("main > p > a.button.primary").click()
    page.wait_for_url("**/tenders/*/")
    # The notice terms, answered once in Dutch: the page says what is still unanswered.
    assert "Nog niet beantwoord in de aankondiging" in page.inner_text("#notice-terms-link")
    page.click("#notice-terms-link a")
    page.wait_for_url("**/notice-terms/")
    page.fill("#id_documents_url", "tenders.example.nl/RWS-2027-LB")
    page.select_option("#id_electronic_submission", "required")
    page.fill("#id_submission_url", "https://tenders.example.nl/RWS-2027-LB/inschrijven")
    page.fill("#id_offer_validity_days", "90")
    page.fill("#id_contract_months", "60")
    page.select_option("#id_framework_agreement", "fa-wo-rc")
    shot(page, "tender-notice-terms-nl")
    page.locator("#notice-terms-form button.primary").click()
    # A framework agreement of five years needs its justification: said next to the field, in Dutch.
    assert "raamovereenkomst van meer dan vier jaar" in page.inner_text(
        "#errors-framework_duration_justification"
    )
    page.fill(
        "#id_framework_duration_justification",
        "Leasecontracten van vier jaar die tot in het vijfde jaar lopen.",
    )
    page.locator("#notice-terms-form button.primary").click()
    page.wait_for_url("**/tenders/*/")
    assert "zijn opgeslagen" in page.inner_text("main")

    docx = download(page, "#download-docx", tmp_path)
    xlsx = download(page, "#download-xlsx-template", tmp_path)
    notice = download(page, "#download-eforms", tmp_path)  # the EU notice, next to the annex

    with system_scope():
        tender = Tender.objects.get(reference="RWS-2027-LB")
    assert tender.language == "nl" and tender.lots.count() == 2
    assert {lot.ambitions["carbon"] for lot in tender.lots.all()} == {"ambitious"}
    rows = list(LotCriterion.objects.filter(lot__tender=tender).select_related("criterion", "lot"))
    assert any(r.criterion.ambition == "ambitious" and r.criterion.impact_category == "carbon" for r in rows)

    schema = etree.XMLSchema(
        etree.parse(str(shared("eforms-sdk", "schemas", "maindoc", "UBL-ContractNotice-2.3.xsd")))
    )
    root = etree.fromstring(notice)
    assert schema.validate(root), schema.error_log
    assert root.xpath(FIELDS["BT-702(a)-notice"], namespaces=NS)[0].text == "NLD"
    assert len(root.xpath(FIELDS["BT-137-Lot"], namespaces=NS)) == 2
    # Every lot states the answered terms.
    assert [e.text for e in root.xpath(FIELDS["BT-15-Lot"], namespaces=NS)] == [
        "https://tenders.example.nl/RWS-2027-LB"
    ] * 2
    assert [e.text for e in root.xpath(FIELDS["BT-98-Lot"], namespaces=NS)] == ["90"] * 2
    assert [e.text for e in root.xpath(FIELDS["BT-36-Lot"], namespaces=NS)] == ["60"] * 2

    text = docx_text(docx)
    book = load_workbook(io.BytesIO(xlsx))
    meta = {row[0].value: row[1].value for row in book["_cfit"].iter_rows()}
    template_ids: set[str] = set()
    template_text: list[str] = []
    for number in (1, 2):
        sheet = book[meta[f"lot:{number}"]]
        template_ids.update(str(c.value) for c in sheet[ID_ROW])
        template_text.extend(str(c.value) for c in sheet[1])
    company = list(book[meta["company"]].iter_rows(min_row=2, values_only=True))
    template_ids.update(str(row[0]) for row in company)
    template_text.extend(str(row[2]) for row in company)
    joined = "\n".join(template_text)

    for row in rows:
        criterion = row.criterion
        assert criterion.code in text and criterion.rendered("title", "nl") in text, criterion.code
        for requirement in criterion.requirements.all():
            assert requirement.code in text and requirement.title["nl"] in text, requirement.code
            assert requirement.code in template_ids, requirement.code
            assert requirement.title["nl"] in joined, requirement.code
