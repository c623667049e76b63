"""After award, in the browser: the procurer makes the contract of an awarded lot and sees its
obligations; Sid (the supplier) signs in, uploads evidence and a take-back figure; the procurer accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cfit.contracts.models import Contract, Obligation
from cfit.contracts.schedule import Kind
from cfit.criteria.models import FrameworkVersion

from ..contract_helpers import awarded_tender
from .test_library import shot
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_award_contract_supplier_delivers_procurer_accepts(
    live_server: Any, browser: Any, page: Any, framework: FrameworkVersion, procurer: Any, supplier: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    tender = awarded_tender(procurer, "BR-CONTRACT-1")
    base = live_server.url
    sign_in(page, base, procurer.user.username)

    # The procurer makes the contract of the awarded lot with the supplier ranked first.
    page.goto(f"{base}/tenders/{tender.pk}/")
    page.click("#tender-contracts")
    page.select_option("#org-1", label=supplier.organisation.name)
    page.fill("#start-1", "2027-01-01")
    page.fill("#end-1", "2029-12-31")
    page.locator("form.award-lot button").click()
    page.wait_for_selector("#obligations")
    contract = Contract.unscoped.get(tender=tender)
    assert contract.supplier_name == "Groene IT BV"
    assert page.locator("#obligations tbody tr").count() == contract.obligations.count() > 0
    shot(page, "contract-obligations")

    # Sid signs in, finds the contract he supplies, and delivers a document and the take-back figures.
    sid = browser.new_context(locale="en-GB").new_page()
    sign_in(sid, base, supplier.user.username)
    sid.goto(f"{base}/contracts/")
    sid.locator("#supplied a").first.click()
    document = contract.obligations.filter(kind=Kind.DOCUMENT).order_by("due_date", "id").first()
    sid.locator(f"#obligation-{document.pk} a.button").click()
    evidence = tmp_path / "policy.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% responsible minerals policy\n")
    sid.set_input_files("#id_file", str(evidence))
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
        sid.fill(f"#id_figure_{field['key']}", "1.234,5" if field["unit"] == "kg" else "120")
    sid.locator("#deliver-form button").click()
    sid.wait_for_selector("#obligations")
    shot(sid, "contract-supplier")

    # The procurer sees both delivered and accepts them.
    page.goto(f"{base}/contracts/{contract.pk}/")
    for obligation in (document, take_back):
        row = page.locator(f"#obligation-{obligation.pk}")
        assert row.get_attribute("data-state") == "delivered"
        row.locator("textarea").fill("Checked against the clause.")
        row.get_by_role("button", name="Accept").click()
        page.wait_for_selector(f"#obligation-{obligation.pk}[data-state=accepted]")
    assert Obligation.objects.get(pk=take_back.pk).submissions.get().values
    assert set(
        Obligation.objects.filter(pk__in=[document.pk, take_back.pk]).values_list("status", flat=True)
    ) == {"accepted"}
    sid.goto(f"{base}/contracts/supplier/{contract.pk}/")
    assert "Checked against the clause." in sid.inner_text(f"#obligation-{document.pk}")
