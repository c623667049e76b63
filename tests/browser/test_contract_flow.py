"""After award, in the browser: the procurer makes the contract of an awarded lot and sees its
obligations; Sid (the supplier) signs in, uploads his CMRT and a take-back figure; the procurer reads the
smelter check and accepts; a smelter that is not conformant opens a corrective action that Sid closes
with evidence."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cfit.contracts.models import Contract, Finding, Obligation
from cfit.contracts.schedule import Kind
from cfit.criteria.models import FrameworkVersion
from cfit.duediligence.actions import MINERALS_TOPICS, import_smelter_list
from cfit.duediligence.sample import synthetic_template

from ..contract_helpers import awarded_tender, contract_period
from .test_library import shot
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The secretariat's conformance list: one gold smelter conformant, one tantalum smelter not.
CONFORMANCE = (
    "Smelter ID,Standard Smelter Name,Metal,Country,Status\n"
    "CID002763,8853 S.p.A.,Gold,ITALY,Conformant\n"
    "CID003926,5D Production OU,Tantalum,ESTONIA,Non-Conformant\n"
)
#: Sid's smelter list, as the template completes it once he picks the metal and the look-up name.
SMELTERS = (
    {"metal": "Gold", "lookup_name": "8853 S.p.A.", "name": "8853 S.p.A.", "country": "ITALY",
     "smelter_id": "CID002763", "source": "RMI"},
    {"metal": "Tantalum", "lookup_name": "5D Production OU", "name": "5D Production OU", "country": "ESTONIA",
     "smelter_id": "CID003926", "source": "RMI"},
)  # fmt: skip


def test_award_contract_supplier_delivers_procurer_accepts(
    live_server: Any, browser: Any, page: Any, framework: FrameworkVersion, procurer: Any, supplier: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    tender = awarded_tender(procurer, "BR-CONTRACT-1")
    import_smelter_list(CONFORMANCE.encode(), "rmap.csv", as_of=date(2027, 1, 15), acting_user=None)
    base = live_server.url
    sign_in(page, base, procurer.user.username)

    # The procurer makes the contract of the awarded lot with the supplier ranked first.
    page.goto(f"{base}/tenders/{tender.pk}/")
    page.click("#tender-contracts")
    page.select_option("#org-1", label=supplier.organisation.name)
    start, end = contract_period()
    page.fill("#start-1", start.isoformat())
    page.fill("#end-1", end.isoformat())
    page.locator("form.award-lot button").click()
    page.wait_for_selector("#obligations")
    contract = Contract.unscoped.get(tender=tender)
    assert contract.supplier_name == "Groene IT BV"
    assert page.locator("#obligations tbody tr").count() == contract.obligations.count() > 0
    shot(page, "contract-obligations")

    # Sid signs in, finds the contract he supplies, delivers his CMRT and the take-back figures.
    sid = browser.new_context(locale="en-GB").new_page()
    sign_in(sid, base, supplier.user.username)
    sid.goto(f"{base}/contracts/")
    sid.locator("#supplied a").first.click()
    minerals = (
        contract.obligations.filter(
            kind=Kind.DOCUMENT, contract_criterion__criterion__topic__in=MINERALS_TOPICS
        )
        .order_by("due_date", "id")
        .first()
    )
    assert minerals is not None, "the awarded notebooks lot carries no minerals reporting clause"
    sid.locator(f"#obligation-{minerals.pk} a.button").click()
    cmrt = tmp_path / "cmrt-2027.xlsx"
    cmrt.write_bytes(synthetic_template(smelters=SMELTERS))
    sid.set_input_files("#id_file", str(cmrt))
    sid.locator("#deliver-form button").click()
    sid.wait_for_selector("#obligations")
    take_back = (
        contract.obligations.filter(contract_criterion__criterion__topic__contains="take-back")
        .order_by("due_date", "id")
        .first()
    )
    assert take_back is not None and [f["unit"] for f in take_back.figures] == ["units", "kg"]
    sid.locator(f"#obligation-{take_back.pk} a.button").click()
    for field in take_back.figures:
        sid.fill(f"#id_figure_{field['key']}", "1,234.5" if field["unit"] == "kg" else "120")
    sid.locator("#deliver-form button").click()
    sid.wait_for_selector("#obligations")
    shot(sid, "contract-supplier")

    # The procurer sees the smelter check of the CMRT: one smelter conformant, one not.
    page.goto(f"{base}/contracts/{contract.pk}/")
    assert "Gold 100.0 % (1/1), Tantalum 0.0 % (0/1)" in page.inner_text("#minerals-summary")
    page.locator("#minerals-summary a").click()
    smelters = page.locator("table.smelters tbody tr")
    assert smelters.count() == 2
    assert page.get_attribute("tr[data-smelter=CID002763]", "data-status") == "conformant"
    nonconformant = page.locator("tr[data-smelter=CID003926]")
    assert nonconformant.get_attribute("data-status") == "non_conformant"
    assert "Non-conformant" in nonconformant.inner_text()
    assert page.locator("tr[data-smelter=CID002763] details.smelter-finding").count() == 0
    shot(page, "contract-smelter-check")

    # The procurer accepts both deliveries.
    page.goto(f"{base}/contracts/{contract.pk}/")
    for obligation in (minerals, take_back):
        row = page.locator(f"#obligation-{obligation.pk}")
        assert row.get_attribute("data-state") == "delivered"
        row.locator("textarea").fill("Checked against the clause.")
        row.get_by_role("button", name="Accept").click()
        page.wait_for_selector(f"#obligation-{obligation.pk}[data-state=accepted]")
    assert Obligation.objects.get(pk=take_back.pk).submissions.get().values
    assert set(
        Obligation.objects.filter(pk__in=[minerals.pk, take_back.pk]).values_list("status", flat=True)
    ) == {"accepted"}

    # From the smelter check, the non-conformant smelter opens a corrective action.
    page.goto(f"{base}/due-diligence/contract/{contract.pk}/")
    nonconformant.locator("summary").click()
    nonconformant.get_by_label("Corrective action").fill("Source tantalum from conformant smelters only.")
    nonconformant.get_by_label("Owner at the supplier").fill("Jan de Vries")
    nonconformant.get_by_label("Deadline").fill("2099-09-30")
    nonconformant.get_by_role("button", name="Open a corrective action").click()
    page.wait_for_selector("#findings-table")
    finding = Finding.objects.get(contract=contract)
    assert (finding.kind, finding.status, finding.deadline) == (
        "non_conformant_smelter",
        "open",
        date(2099, 9, 30),
    )
    assert "CID003926" in finding.description and "row 6" in finding.description
    assert "CID003926" in page.inner_text(f"#finding-{finding.pk}")

    # Sid sees the comment, then closes the corrective action with his evidence.
    sid.goto(f"{base}/contracts/supplier/{contract.pk}/")
    assert "Checked against the clause." in sid.inner_text(f"#obligation-{minerals.pk}")
    evidence = tmp_path / "sourcing-change.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% tantalum now from conformant smelters\n")
    row = sid.locator(f"#finding-{finding.pk}")
    row.get_by_label("Evidence").set_input_files(str(evidence))
    row.get_by_label("How it was remedied").fill("The supplier of capacitors changed smelter.")
    row.get_by_role("button", name="Close with this evidence").click()
    sid.wait_for_selector(f"#finding-{finding.pk}[data-state=closed]")
    shot(sid, "contract-finding-closed")

    # The procurer sees it closed, with the evidence to download.
    page.goto(f"{base}/contracts/{contract.pk}/")
    closed = page.locator(f"#finding-{finding.pk}")
    assert closed.get_attribute("data-state") == "closed"
    assert "sourcing-change.pdf" in closed.inner_text()
    finding.refresh_from_db()
    assert bytes(finding.evidence).startswith(b"%PDF") and finding.closed_by == supplier.user
