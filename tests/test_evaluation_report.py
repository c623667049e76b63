"""The evaluation report (DOCX and XLSX) read back: in the tender's language, complete enough to defend
every point of an award: method, ranking, every result, overrides, receipts and the sign-off."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from docx import Document
from openpyxl import load_workbook

from cfit.accounts.scoping import acting_for
from cfit.offers import actions, signoff
from cfit.offers.evaluation import evaluate_tender
from cfit.offers.models import OfferLine
from cfit.tenders.award_text import award_method_paragraphs
from cfit.tenders.models import Tender

from .evaluation_helpers import build_tender, colleague, fill_offer, names, open_offers
from .tender_helpers import docx_text

BATTERY = "nb-battery-cycles-b"
CYCLES = f"{BATTERY}.cycles"
WARRANTY = "pc-warranty-b.years"
JUSTIFICATION = "=SUM(A1:A9) is what the supplier typed; the datasheet on page 4 shows 5 years."
SOFFICE = "/usr/bin/soffice"


def nl(message: str) -> str:
    """A message as the Dutch report writes it: the report is in the tender's language."""
    with translation.override("nl"):
        return translation.gettext(message)


@pytest.fixture
def tender(procurer, framework) -> Tender:
    """A Dutch tender, two lots; lot 1 scores battery cycles (20 points) besides the life-cycle cost.
    Alpha bids on both lots; Beta (whose manufacturer and model look like formulas) only on lot 1,
    cheaper, with a 2-year warranty (3 required) that the buyer then accepts with a justification."""
    procurer.user.first_name, procurer.user.last_name = "Pia", "de Vries"
    procurer.user.save(update_fields=["first_name", "last_name"])
    tender = build_tender(
        procurer.organisation,
        reference="REP-1",
        language="nl",
        groups=("notebooks", "monitors"),
        award={1: {BATTERY: 20}},
    )
    files = {
        "Alpha": fill_offer(tender, {1: [{"line_id": "A-1", CYCLES: 1000}], 2: [{"line_id": "A-M1"}]}),
        "Beta": fill_offer(
            tender,
            {
                1: [
                    {
                        "line_id": "B-1",
                        "unit_price_eur": 800,
                        WARRANTY: 2,
                        "manufacturer": '@HYPERLINK("x")',
                        "model": "-1+2 Pro",
                    }
                ]
            },
        ),
    }
    for supplier, data in files.items():
        actions.import_offer(
            tender, data, f"{supplier.lower()}.xlsx", supplier=supplier, acting_user=procurer.user
        )
    tender.files = files  # type: ignore[attr-defined]  # the exact bytes, for the receipts
    open_offers(tender)
    line = OfferLine.objects.select_related("offer__tender").get(line_id="B-1")
    actions.override_result(line, WARRANTY, "pass", JUSTIFICATION, acting_user=procurer.user)
    return tender


def download(client: Client, tender: Tender, fmt: str) -> bytes:
    response = client.get(f"/tenders/{tender.pk}/offers/report.{fmt}")
    assert response.status_code == 200, response.content[:500]
    return response.content


def lot_method(tender: Tender, user: Any, lot: int) -> list[str]:
    with acting_for(user):
        result = evaluate_tender(tender).result_for(lot)
    assert result is not None
    return award_method_paragraphs(result.method, "nl")


def test_the_docx_report_holds_everything_in_the_tender_language(
    tender: Tender, procurer, client: Client
) -> None:
    client.force_login(procurer.user)

    text = docx_text(download(client, tender, "docx"))

    # the tender's language, criteria by their Dutch names with their ids in brackets
    assert "Perceel 1" in text and "Perceel 2" in text
    dutch = names(tender, "nl")
    assert dutch.criterion(BATTERY) in text and dutch.criterion("pc-warranty-b") in text
    assert "Fabrieksgarantie van ten minste 3 jaar (pc-warranty-b)" in text
    assert "Garantieperiode (pc-warranty-b.years)" in text
    # the award method in full, as the tender documents state it
    for lot in (1, 2):
        for paragraph in lot_method(tender, procurer.user, lot):
            assert paragraph in text, paragraph
    # per offer and line every result, answers as people write them
    assert "Alpha" in text and "Beta" in text and "A-1" in text and "B-1" in text and "A-M1" in text
    assert "2 jaar" in text and "2.0 jaar" not in text and "2 years" not in text
    assert nl("no bid") in text  # Beta on lot 2
    # the override with its decision, justification, full name and time
    assert JUSTIFICATION in text and "Pia de Vries" in text
    # the receipts: supplier, file and the SHA-256 of the exact bytes received
    for supplier, data in tender.files.items():  # type: ignore[attr-defined]
        assert hashlib.sha256(data).hexdigest() in text
        assert f"{supplier.lower()}.xlsx" in text
    # no sign-off yet, and the digest of what the report shows
    assert nl("Not signed off.") in text
    with acting_for(procurer.user):
        assert signoff.digest(evaluate_tender(tender)) in text


def test_the_report_states_the_sign_off(tender: Tender, procurer, client: Client) -> None:
    second = colleague(procurer, "quinn")
    second.user.first_name, second.user.last_name = "Quinn", "Jansen"
    second.user.save(update_fields=["first_name", "last_name"])
    prepared = signoff.prepare_sign_off(tender, acting_user=procurer.user, note="Warranty override checked.")
    signoff.approve_sign_off(prepared, acting_user=second.user)
    client.force_login(procurer.user)

    text = docx_text(download(client, tender, "docx"))
    book = load_workbook(io.BytesIO(download(client, tender, "xlsx")))

    assert nl("Signed off: prepared and approved by two members; the digest matches this evaluation.") in text
    assert "Pia de Vries" in text and "Quinn Jansen" in text and prepared.digest in text
    assert "Warranty override checked." in text
    rows = {row[0]: row[1] for row in book.worksheets[-1].iter_rows(min_row=2, values_only=True)}
    assert prepared.digest in rows.values() and "Quinn Jansen" in rows.values()


def test_the_xlsx_report_reads_back_and_neutralises_formulas(
    tender: Tender, procurer, client: Client
) -> None:
    client.force_login(procurer.user)

    book = load_workbook(io.BytesIO(download(client, tender, "xlsx")))

    ranking, results, points, method, overrides, receipts, sign_off = book.worksheets
    ranked = list(ranking.iter_rows(min_row=2, values_only=True))
    # Alpha's 1000 cycles earn all 20 points, Beta's 300 a share of 0.3: Alpha first despite its price
    assert [(row[0], row[1], row[2]) for row in ranked if row[1]] == [
        (1, 1, "Alpha"),
        (1, 2, "Beta"),
        (2, 1, "Alpha"),
    ]
    assert any(row[2] == "Beta" and row[0] == 2 and row[1] is None for row in ranked)  # no bid on lot 2
    lines = list(results.iter_rows(min_row=2, values_only=True))
    assert {row[3] for row in lines if row[2] == "B-1"} == {'\'@HYPERLINK("x")'}
    warranty = next(
        row for row in lines if row[2] == "B-1" and row[6] == "Garantieperiode (pc-warranty-b.years)"
    )
    assert warranty[5] == "Fabrieksgarantie van ten minste 3 jaar (pc-warranty-b)"
    assert warranty[9] == "2 jaar" and warranty[12] == 2
    with translation.override("nl"):
        declaration = gettext("declaration")
    declarations = [row for row in lines if row[7] == declaration]
    assert declarations and all(row[9] != "—" for row in declarations)  # the company's answers
    assert any(row[2] == names(tender, "nl").criterion(BATTERY) for row in points.iter_rows(values_only=True))
    assert [row[1] for row in method.iter_rows(min_row=2, values_only=True) if row[0] == 1] == [
        f"'{p}" if p.startswith(("=", "+", "-", "@")) else p for p in lot_method(tender, procurer.user, 1)
    ]
    [entry] = list(overrides.iter_rows(min_row=2, values_only=True))
    assert entry[1:3] == ("Beta", "B-1") and entry[5] == "'" + JUSTIFICATION and entry[6] == "Pia de Vries"
    assert {row[5] for row in receipts.iter_rows(min_row=2, values_only=True)} == {
        hashlib.sha256(data).hexdigest()
        for data in tender.files.values()  # type: ignore[attr-defined]
    }
    assert any(row[1] == nl("Not signed off.") for row in sign_off.iter_rows(values_only=True))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value[:1] in "=+-@"), (sheet.title, value)


def test_the_report_is_sealed_until_the_deadline(procurer, framework, client: Client) -> None:
    tender = build_tender(procurer.organisation, reference="REP-SEALED")
    client.force_login(procurer.user)

    assert client.get(f"/tenders/{tender.pk}/offers/report.docx").status_code == 403
    assert client.get(f"/tenders/{tender.pk}/offers/report.pdf").status_code == 404


@pytest.mark.skipif(
    not Path(SOFFICE).exists() or not shutil.which("pdftotext"), reason="needs LibreOffice and pdftotext"
)
def test_the_docx_report_converts_to_pdf(tender: Tender, procurer, client: Client, tmp_path: Path) -> None:
    client.force_login(procurer.user)
    source = tmp_path / "report.docx"
    source.write_bytes(download(client, tender, "docx"))

    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    # table cells wrap names and digests over lines, and pdftotext drops the hyphen where one wraps
    squeezed = "".join(text.split()).replace("-", "")

    # The lots are named in the tender's language (Dutch), as the annex and the notice name them.
    assert "Perceel 1: Notebooks (laptops)" in text and "Perceel 2: Beeldschermen" in text
    assert "Fabrieksgarantievantenminste3jaar(pcwarrantyb)" in squeezed
    assert "PiadeVries" in squeezed and "".join(JUSTIFICATION.split()).replace("-", "") in squeezed
    assert hashlib.sha256(tender.files["Alpha"]).hexdigest() in squeezed  # type: ignore[attr-defined]


def test_the_reports_write_points_and_times_as_the_page_does(
    tender: Tender, procurer, client: Client
) -> None:
    """The DOCX's ranking read "100" and "0" where the page shows "100,00" and "0,00", and the XLSX
    wrote receipt times in ISO form beside dates written the Dutch way."""
    client.force_login(procurer.user)

    document = Document(io.BytesIO(download(client, tender, "docx")))
    book = load_workbook(io.BytesIO(download(client, tender, "xlsx")))

    ranking = [t for t in document.tables if [c.text for c in t.rows[0].cells][3:4] == [nl("Price points")]]
    assert ranking
    points = [cell.text for table in ranking for row in table.rows[1:] for cell in row.cells[3:]]
    assert points and all(re.fullmatch(r"\d{1,3},\d{2}|—", p) for p in points), points
    assert "100,00" in points
    receipts = book[nl("Receipts of the offer files")[:31]]
    times = [row[3] for row in receipts.iter_rows(min_row=2, values_only=True)]
    assert times and not any(re.search(r"\d{4}-\d{2}-\d{2}T", t) for t in times), times
    assert all(re.search(r"\d{1,2} \w+ \d{4}", t) for t in times), times
