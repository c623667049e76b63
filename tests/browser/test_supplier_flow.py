"""A supplier's staff in the browser, in French and Norwegian: Sophie (administrator at GreenRefurb BV)
delivers a CMRT with a smelter identification typed wrong and is told which row the check flags;
Sander (a viewer at GreenRefurb BV) reads the same contract and is offered nothing he may not send."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cfit.accounts.models import Membership, Organisation
from cfit.contracts.models import Submission
from cfit.criteria.models import FrameworkVersion
from cfit.duediligence.models import MineralsReport
from cfit.duediligence.sample import synthetic_template

from ..conftest import make_persona
from ..test_duediligence import first_obligation, minerals_contract
from ..test_duediligence_core import CMRT_SMELTERS
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supplier_is_told_of_a_smelter_typo_and_a_viewer_is_offered_no_form(
    live_server: Any, browser: Any, framework: FrameworkVersion, procurer: Any, tmp_path: Path
) -> None:
    sophie = make_persona("sophie", "greenrefurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN, "FR")
    sander = make_persona("sander", "greenrefurb", Organisation.Type.SUPPORTER, Membership.Role.VIEWER)
    contract = minerals_contract(framework, procurer, sophie.organisation)
    obligation = first_obligation(contract)
    base = live_server.url

    # Sophie finds the contract GreenRefurb supplies and delivers its CMRT, CID02763 typed for CID002763.
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, sophie.user.username)
    page.goto(f"{base}/contracts/")
    page.locator("#supplied a").first.click()
    page.locator(f"#obligation-{obligation.pk} a.button").click()
    cmrt = tmp_path / "cmrt-2027.xlsx"
    cmrt.write_bytes(
        synthetic_template(smelters=[CMRT_SMELTERS[0], dict(CMRT_SMELTERS[0], smelter_id="CID02763")])
    )
    page.set_input_files("#id_file", str(cmrt))
    page.locator("#deliver-form button").click()
    page.wait_for_selector("#obligations")

    flagged = [s.row for s in MineralsReport.objects.get().smelters.all() if s.findings]
    assert f"la ligne {flagged[0]} de votre liste de fonderies" in page.inner_text("body")
    page.locator("#minerals-summary a").click()
    row = page.locator("tr[data-smelter=CID02763]")
    assert "CID02763" in row.inner_text() and row.locator("td").nth(6).inner_text().strip()
    page.context.close()

    # Sander, a viewer, reads the contract in Norwegian: no Deliver button, no form, and who delivers.
    viewer = browser.new_context(locale="nb-NO").new_page()
    viewer.set_default_timeout(15_000)
    sign_in(viewer, base, sander.user.username)
    viewer.goto(f"{base}/contracts/supplier/{contract.pk}/")
    assert viewer.locator("#obligations a.button").count() == 0
    assert viewer.locator("#reads-only").is_visible()
    viewer.goto(f"{base}/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/")
    assert viewer.locator("#deliver-form").count() == 0
    viewer.context.close()


def test_a_25_mb_evidence_file_is_refused_in_the_page_before_it_is_sent(
    live_server: Any, browser: Any, framework: FrameworkVersion, procurer: Any, tmp_path: Path
) -> None:
    # Sophie chose her 25 MB workbook: the browser sent it all, and the request-size guard answered
    # a bare line of text instead of the page; her comment and the form were gone. (The obligation asks
    # for RMI's CMRT: the input offers workbooks only.)
    sophie = make_persona("sophie", "greenrefurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN, "FR")
    contract = minerals_contract(framework, procurer, sophie.organisation)
    obligation = first_obligation(contract)
    base = live_server.url
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, sophie.user.username)
    deliver = f"{base}/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/"
    page.goto(deliver)
    report = tmp_path / "cmrt-2027.xlsx"
    report.write_bytes(b"PK\x03\x04" + b"0" * (25 * 1024 * 1024))

    page.set_input_files("#id_file", str(report))
    page.fill("#id_comment", "Rapport d'audit 2027")
    page.locator("#deliver-form button").click()

    assert page.url == deliver and page.locator("#deliver-form").is_visible()
    message = page.eval_on_selector("#id_file", "input => input.validationMessage")
    assert "20 Mo" in message  # in French
    assert page.input_value("#id_comment") == "Rapport d'audit 2027"
    assert not Submission.objects.exists()
    assert page.get_attribute("#id_file", "accept") == ".xlsx,.xlsm"
    page.context.close()


def test_a_supplier_replaces_a_wrong_pdf_in_french_and_the_buyer_sees_it_replaced(
    live_server: Any, browser: Any, framework: FrameworkVersion, procurer: Any, tmp_path: Path
) -> None:
    # Sophie sent last year's audit report; the buyer has not decided yet. She replaces it from her page,
    # saying why; Pia sees the earlier file struck through, marked replaced, and decides on the new one.
    from cfit.contracts import actions

    from ..test_contract_evidence import document_obligation

    sophie = make_persona("sophie", "greenrefurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN, "FR")
    obligation = document_obligation(procurer, sophie, framework)
    contract = obligation.contract
    wrong = actions.deliver(
        obligation, acting_user=sophie.user, data=b"%PDF-1.4\n% 2026\n%%EOF\n", filename="audit-2026.pdf"
    )
    base = live_server.url
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, sophie.user.username)
    page.goto(f"{base}/contracts/supplier/{contract.pk}/")
    page.locator(f"#obligation-{obligation.pk} a.button").click()
    assert page.locator("#current-delivery a").inner_text() == "audit-2026.pdf"
    report = tmp_path / "audit-2027.pdf"
    report.write_bytes(b"%PDF-1.4\n% 2027\n%%EOF\n")
    page.set_input_files("#replace-form input[type=file]", str(report))
    page.fill("#replace-form textarea", "Mauvaise année")
    page.locator("#replace-form button").click()
    page.wait_for_selector("#obligations")
    assert page.locator(f"#obligation-{obligation.pk}").get_attribute("data-state") == "delivered"
    page.context.close()

    buyer = browser.new_context(locale="fr-FR").new_page()
    buyer.set_default_timeout(15_000)
    sign_in(buyer, base, procurer.user.username)
    buyer.goto(f"{base}/contracts/{contract.pk}/")
    row = buyer.locator(f"#obligation-{obligation.pk}")
    assert row.locator(".submission[data-set-aside=replaced] del a").inner_text() == wrong.filename
    assert row.locator(".submission:not(.set-aside) a").inner_text() == "audit-2027.pdf"
    assert "Mauvaise année" in row.locator(".trail li[data-action=replaced]").inner_text()
    row.locator("form.decide button[value=accept]").click()
    buyer.wait_for_selector("#obligations")
    assert buyer.locator(f"#obligation-{obligation.pk}").get_attribute("data-state") == "accepted"
    buyer.context.close()
    # Accepted: Sophie's page offers neither replacing nor withdrawing any more.
    again = browser.new_context(locale="fr-FR").new_page()
    sign_in(again, base, sophie.user.username)
    again.goto(f"{base}/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/")
    assert again.locator("#replace-form, #withdraw-form").count() == 0
    again.context.close()
