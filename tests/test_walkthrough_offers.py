"""The tender-to-contract chain walked as its users walk it, in Dutch and French: what tripped them.

Pia (procurer, Rijkswaterstaat) publishes a Dutch or a French tender; suppliers fill its response
template (or its CSV form) as people of their language do, she compares, downloads the evaluation
report and reads what a losing bidder would read in it.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from cfit.accounts.models import Membership
from cfit.accounts.scoping import system_scope
from cfit.offers import actions
from cfit.offers.models import Offer, OfferLine
from cfit.offers.reader import offer_to_json, read_xlsx
from cfit.tenders import actions as tender_actions
from cfit.tenders.actions import tender_spec
from cfit.tenders.models import Tender

from .evaluation_helpers import colleague
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


def test_a_dutch_csv_offer_answers_ja_and_nee_with_decimal_commas(
    dutch_tender: Tender, procurer: Any, client: Client
) -> None:
    # The CSV form of a Dutch tender, as Excel in Dutch saves it: a BOM, ";" between cells, decimal
    # commas and "ja"/"nee". The reader took only "yes"/"no" there and refused every answer, in a
    # Dutch sentence asking for English words ("antwoord yes of no").
    client.force_login(procurer.user)
    typed = offer_to_json(
        read_xlsx(fill(dutch_tender, [{"line_id": "A-1"}]), "a.xlsx", tender_spec(dutch_tender))
    )
    line, company = typed["lots"][0]["lines"][0], typed["company"]

    def dutch(value: Any) -> str:
        if isinstance(value, bool):
            return "ja" if value else "nee"
        return str(value).replace(".", ",") if isinstance(value, float) else str(value)

    header = ["lot", "line_id", "manufacturer", "model", "quantity", "unit_price_eur", "yearly_kwh", "labels"]
    row = ["1", "A-1", "Acme", "Book 14", "10", "1.234,50", "15,5", ""]
    header += [*line["answers"], *(f"company:{code}" for code in company)]
    row += [dutch(v) for v in (*line["answers"].values(), *company.values())]
    wrong = dict(zip(header, row, strict=True)) | {REPAIRABLE_BATTERY: "misschien"}
    good, bad = io.StringIO(), io.StringIO()
    csv.writer(good, delimiter=";").writerows([header, row])
    csv.writer(bad, delimiter=";").writerows([header, list(wrong.values())])

    refused = _upload(client, dutch_tender, "Beta NV", ("\ufeff" + bad.getvalue()).encode(), "b.csv", "nl")
    accepted = _upload(client, dutch_tender, "Alfa BV", ("\ufeff" + good.getvalue()).encode(), "a.csv", "nl")

    assert f"rij 2, kolom {REPAIRABLE_BATTERY}: antwoord ja of nee, niet 'misschien'" in refused.replace(
        "&#x27;", "'"
    )
    assert "Alfa BV" in accepted
    with system_scope():
        offer = Offer.objects.get()
    assert offer.supplier == "Alfa BV"
    assert offer.lines.get().unit_price == pytest.approx(1234.5)
    assert offer.lines.get().answers[REPAIRABLE_BATTERY] is True


def test_a_supplier_answers_yes_in_its_own_language_in_a_french_template(
    procurer: Any, framework: Any, client: Client
) -> None:
    # A Flemish supplier fills the French tender's template and types "ja" past the drop-down (a
    # pasted column does): yes in any of the framework's languages is the same answer.
    tender = _tender(procurer, "fr")
    client.force_login(procurer.user)
    data = fill(tender, [{"line_id": "A-1", REPAIRABLE_BATTERY: "Ja", "pc-repair-design-b.display": "nee"}])

    _upload(client, tender, "Vlaamse IT", data, "vlaams.xlsx", "fr")

    with system_scope():
        answers = Offer.objects.get().lines.get().answers
    assert (answers[REPAIRABLE_BATTERY], answers["pc-repair-design-b.display"]) == (True, False)


def test_a_date_typed_in_a_number_cell_is_quoted_as_the_supplier_typed_it(
    dutch_tender: Tender, procurer: Any, client: Client
) -> None:
    # Excel turns "1-1-2027" typed in the warranty column into a date; the refusal quoted Python's
    # datetime.datetime(2027, 1, 1, 0, 0) to the supplier.
    client.force_login(procurer.user)
    data = fill(dutch_tender, [{"line_id": "A-1", WARRANTY_YEARS: datetime(2027, 1, 1)}])

    page = _upload(client, dutch_tender, "Alfa BV", data, "alfa.xlsx", "nl").replace("&#x27;", "'")

    assert f"rij 4, kolom Q ({WARRANTY_YEARS}): een getal verwacht, niet '2027-01-01'" in page
    assert "datetime" not in page


def test_a_price_that_reads_a_thousand_times_apart_is_refused_not_guessed(
    dutch_tender: Tender, procurer: Any, client: Client
) -> None:
    # "1.234" typed as text (a pasted column, a CSV) is 1 234 EUR to a Dutch supplier; the import read
    # it as 1,234 EUR, and that offer won the price points by a factor of a thousand. Only the
    # tender's own decimal comma is unambiguous ("15,5" kWh).
    client.force_login(procurer.user)
    data = fill(dutch_tender, [{"line_id": "A-1", "unit_price_eur": "1.234", "yearly_kwh": "15,5"}])

    page = _upload(client, dutch_tender, "Alfa BV", data, "alfa.xlsx", "nl").replace("&#x27;", "'")

    [problem] = re.findall(r"rij 4, kolom E \(unit_price_eur\): '1\.234' [^:]+", page)
    assert "1234" in problem and "1,234" in problem  # the two readings, typed as the tender writes them
    assert "kolom F" not in page
    with system_scope():
        assert not Offer.objects.exists()


def test_a_viewer_is_offered_no_form_it_may_not_send_nor_a_supplier_s_upload_link(
    dutch_tender: Tender, procurer: Any, client: Client
) -> None:
    # Vera reads her organisation's tenders. She was shown "Mark as awarded", the deadline, import,
    # upload-link, answer and override forms, each ending in a 403 page; and every supplier's secret
    # upload link, through which she could hand in an offer in that supplier's name.
    vera = colleague(procurer, "vera", Membership.Role.VIEWER)
    link = actions.issue_upload_link(dutch_tender, "Alfa BV", acting_user=procurer.user)
    actions.submit_through_link(link, fill(dutch_tender, [{"line_id": "A-1"}]), "alfa.xlsx")
    actions.ask_clarification(link, "Mag de garantie ook 4 jaar zijn?")
    reader = Client()
    reader.force_login(vera.user)
    client.force_login(procurer.user)
    tender_url, offers_url = f"/tenders/{dutch_tender.pk}/", f"/tenders/{dutch_tender.pk}/offers/"

    seen = {url: reader.get(url).content.decode() for url in (tender_url, offers_url)}

    assert f'action="/tenders/{dutch_tender.pk}/status/"' not in seen[tender_url]
    assert 'id="deadline-form"' not in seen[tender_url]
    assert 'id="offer-import"' not in seen[offers_url] and "/offers/links/" not in seen[offers_url]
    assert link.token not in seen[offers_url] and "Alfa BV" in seen[offers_url]
    assert "/answer/" not in seen[offers_url]
    procurer_sees = client.get(offers_url).content.decode()
    assert (
        link.token in procurer_sees and 'id="offer-import"' in procurer_sees and "/answer/" in procurer_sees
    )
    assert "Mark as awarded" in client.get(tender_url).content.decode()

    open_offers(dutch_tender)
    with system_scope():
        line = OfferLine.objects.get()
    line_url = f"/tenders/{dutch_tender.pk}/offers/lines/{line.pk}/"
    assert "override-form" not in reader.get(line_url).content.decode()
    assert "override-form" in client.get(line_url).content.decode()
    assert reader.post(f"/tenders/{dutch_tender.pk}/status/", {"status": "awarded"}).status_code == 403


def test_a_lot_without_offers_is_said_so_on_the_comparison_and_in_the_report(
    procurer: Any, framework: Any, client: Client
) -> None:
    # Laptops and monitors in two lots; nobody offered monitors. Lot 2 vanished from the comparison
    # and from the evaluation report, which a reader takes for a lot never tendered.
    tender = tender_actions.create_tender(
        procurer.organisation, title="Werkplek 2027", reference="WALK-LOTS", language="nl", acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=200, acting_user=None)
    tender_actions.add_lot(tender, product_group="monitors", quantity=100, acting_user=None)
    tender = publish(tender)
    actions.import_offer(tender, fill(tender, [{"line_id": "A-1"}]), "alfa.xlsx", supplier="Alfa BV")
    open_offers(tender)
    client.force_login(procurer.user)

    page = client.get(f"/tenders/{tender.pk}/offers/compare/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    report = _docx_text(client.get(f"/tenders/{tender.pk}/offers/report.docx").content)

    book = load_workbook(io.BytesIO(client.get(f"/tenders/{tender.pk}/offers/report.xlsx").content))

    monitors = tender_spec(tender).lots[1].title
    assert f"Perceel 2: {monitors}" in page and 'class="no-offers"' in page
    assert f"Perceel 2: {monitors}" in report
    assert [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == [1, 2]


@pytest.mark.parametrize(
    ("language", "quantity", "value"),
    [("nl", "1.000", "250.000,50"), ("fr", "1 000", "250 000,50"), ("en", "1,000", "250,000.50")],
)
def test_the_new_tender_page_reads_quantities_and_values_as_the_procurer_s_language_writes_them(
    procurer: Any, framework: Any, client: Client, language: str, quantity: str, value: str
) -> None:
    # Pia typed 1.000 laptops worth 250.000 EUR on the Dutch page: the tender held 1 laptop worth
    # 250 EUR (Django's fields read the thousands point as a decimal one), and French spaces were refused.
    client.force_login(procurer.user)
    page = {
        "organisation": procurer.organisation.slug,
        "title": "Laptops 2028",
        "reference": f"WALK-NEW-{language}",
        "language": language,
        "procedure": "open",
        "lot_notebooks": "on",
        "quantity_notebooks": quantity,
        "value_notebooks": value,
        "life_notebooks": "5",
    }

    response = client.post("/tenders/new/", page, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 302, response.context["form"].errors
    with system_scope():
        lot = Tender.objects.get(reference=f"WALK-NEW-{language}").lots.get()
    assert (lot.quantity, lot.estimated_value) == (1000, Decimal("250000.50"))


def test_a_supplier_sending_too_large_a_file_is_told_so_in_its_language(dutch_tender: Tender) -> None:
    # The size cap answers before the locale middleware, and answered a French supplier's upload
    # through its link in English.
    link = actions.issue_upload_link(dutch_tender, "Alfa BV", acting_user=None)
    upload = io.BytesIO(b"x" * (25 * 1024 * 1024))
    upload.name = "offre.xlsx"

    response = Client().post(f"/offers/upload/{link.token}/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 413
    assert response.content.decode() == "Le fichier dépasse 20 Mo."
