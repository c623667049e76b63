"""CMRT/EMRT templates delivered through a contract's obligation, the conformance list the secretariat
imports, the buyer's smelter check, the boundaries, and the monitoring indicators they pre-fill."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from cfit.accounts.models import Membership, Organisation
from cfit.contracts import actions as contract_actions
from cfit.contracts.models import Contract, Obligation, Submission
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion
from cfit.duediligence.actions import import_smelter_list
from cfit.duediligence.figures import contract_checks, supplier_trend
from cfit.duediligence.models import MineralsReport, Smelter, SmelterList
from cfit.duediligence.monitoring import contract_figures
from cfit.monitoring.prefill import prefill
from cfit.uploads import ImportRefused

from .conftest import PASSWORD, make_persona
from .contract_helpers import contract_period
from .duediligence_helpers import DECLARATION, synthetic_template
from .test_duediligence_core import CMRT_SMELTERS, CONFORMANCE_CSV, _with_smelter_rows

pytestmark = pytest.mark.django_db


def signed_in(persona: Any) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def minerals_contract(
    framework: FrameworkVersion, buyer: Any, supplier_org: Organisation | None, reference: str = "DD-1"
) -> Contract:
    """A contract carrying the yearly CMRT clause (topic minerals-reporting) of the framework."""
    clause = Criterion.objects.filter(
        version=framework, topic="minerals-reporting", type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE
    ).first()
    assert clause is not None and clause.impact_category == "due_diligence"
    start, end = contract_period()
    return contract_actions.create_contract(
        buyer.organisation, reference=reference, title="Laptops", supplier_name="Groene IT BV",
        supplier_organisation=supplier_org, value=Decimal(8000), start_date=start,
        end_date=end, framework_version=framework,
        criteria=[(clause, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)], acting_user=buyer.user,
    )  # fmt: skip


@pytest.fixture
def contract(framework: FrameworkVersion, procurer: Any, supplier: Any) -> Contract:
    return minerals_contract(framework, procurer, supplier.organisation)


@pytest.fixture
def smelter_list(db: Any) -> SmelterList:
    return import_smelter_list(
        CONFORMANCE_CSV.encode(), "rmap.csv", as_of=date(2027, 1, 15), acting_user=None, origin="test"
    )


def first_obligation(contract: Contract) -> Obligation:
    return contract.obligations.order_by("due_date").first()  # type: ignore[return-value]


def test_a_delivered_cmrt_is_stored_with_its_declaration_and_smelters(
    contract: Contract, supplier: Any, smelter_list: SmelterList
) -> None:
    obligation = first_obligation(contract)
    data = synthetic_template(smelters=CMRT_SMELTERS, answers={"D75": "Yes"})

    submission = contract_actions.deliver(
        obligation, acting_user=supplier.user, data=data, filename="cmrt.xlsx"
    )

    report = MineralsReport.objects.get(submission=submission)
    assert (report.kind, report.revision, report.company_name) == ("CMRT", "6.5", "Groene IT BV")
    assert (report.authoriser, report.effective_date) == ("Marie Janssen", date(2027, 3, 1))
    assert {a["question"]: a["answer"] for a in report.answers if not a["metal"]}["A"] == "Yes"
    assert list(report.smelters.values_list("row", "smelter_id")) == [
        (5, "CID002763"), (6, "CID002920"), (7, "CID002030"), (8, ""), (9, "CID002763"), (10, "CID002920"),
        (11, "CID999999"),
    ]  # fmt: skip
    check = contract_checks(contract)[0]
    assert check.smelter_list == smelter_list
    assert [r.status for r in check.rows] == [
        "conformant", "active", "conformant", "unidentified", "conformant", "active", "unlisted",
    ]  # fmt: skip
    assert {s.metal: (s.smelters, s.conformant) for s in check.shares} == {"Gold": (3, 2), "Tantalum": (2, 0)}
    assert any("is not in the template's smelter look-up list" in f for f in check.rows[6].findings)


def test_a_broken_template_is_refused_and_nothing_is_half_stored(contract: Contract, supplier: Any) -> None:
    obligation = first_obligation(contract)
    bad = synthetic_template(declaration={"company_name": "X"}, smelters=CMRT_SMELTERS)
    with pytest.raises(contract_actions.ContractError) as refused:
        contract_actions.deliver(obligation, acting_user=supplier.user, data=bad, filename="cmrt.xlsx")
    assert "sheet Declaration, row 18, column D" in str(refused.value)
    # the obligation expects a template: a workbook that is none is refused too
    from openpyxl import Workbook

    other = io.BytesIO()
    Workbook().save(other)
    with pytest.raises(contract_actions.ContractError, match="not an RMI minerals reporting template"):
        contract_actions.deliver(
            obligation, acting_user=supplier.user, data=other.getvalue(), filename="list.xlsx"
        )
    # 100,000 smelter rows: refused at the limit, nothing stored
    huge = _with_smelter_rows(synthetic_template(smelters=CMRT_SMELTERS[:1]), 100_000)
    with pytest.raises(contract_actions.ContractError, match="more than 5,000 smelter rows"):
        contract_actions.deliver(obligation, acting_user=supplier.user, data=huge, filename="cmrt.xlsx")
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.DUE
    assert not Submission.objects.filter(obligation=obligation).exists()
    assert not MineralsReport.objects.exists() and not Smelter.objects.exists()


def test_a_template_delivered_for_another_document_is_recognised(
    framework: FrameworkVersion, procurer: Any, supplier: Any
) -> None:
    other = Criterion.objects.filter(
        version=framework, type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE, topic="factory-disclosure"
    ).first()
    assert other is not None
    contract = contract_actions.create_contract(
        procurer.organisation, reference="DD-OTHER", title="t", supplier_name="Groene IT BV",
        supplier_organisation=supplier.organisation, value=Decimal(1), start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31), framework_version=framework,
        criteria=[(other, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)], acting_user=procurer.user,
    )  # fmt: skip
    obligation = first_obligation(contract)
    if obligation.kind != "document":
        pytest.skip("the factory disclosure clause asks for no document in this framework version")
    contract_actions.deliver(
        obligation, acting_user=supplier.user, data=synthetic_template("EMRT", "2.1"), filename="emrt.xlsx"
    )
    assert MineralsReport.objects.get().kind == "EMRT"


def test_the_load_smelters_command_versions_lists_and_refuses_bad_ones(tmp_path: Path) -> None:
    good = tmp_path / "rmap.csv"
    good.write_text(CONFORMANCE_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("duediligence", "load-smelters", str(good), "--as-of", "2027-01-15", stdout=out)
    call_command("duediligence", "load-smelters", str(good), "--as-of", "2028-01-15", stdout=out)
    assert "version 2 as of 2028-01-15: 5 smelters" in out.getvalue()
    assert SmelterList.objects.in_force(date(2027, 6, 1)).version == 1  # type: ignore[union-attr]
    assert SmelterList.objects.in_force(date(2030, 1, 1)).version == 2  # type: ignore[union-attr]
    assert SmelterList.objects.in_force(date(2020, 1, 1)).version == 1  # type: ignore[union-attr]
    bad = tmp_path / "bad.csv"
    bad.write_text("Smelter ID,Status\nCID000001,Conformant\nnope,Conformant\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 3"):
        call_command("duediligence", "load-smelters", str(bad), "--as-of", "2029-01-01")
    assert SmelterList.objects.count() == 2
    with pytest.raises(ImportRefused):
        import_smelter_list(b"Smelter ID,Status\n", "empty.csv", as_of=date(2029, 1, 1), acting_user=None)


def test_the_check_command_runs_through_the_management_command_too(tmp_path: Path) -> None:
    template = tmp_path / "cmrt.xlsx"
    template.write_bytes(synthetic_template(smelters=CMRT_SMELTERS[:1]))
    out = io.StringIO()
    call_command("duediligence", "check", str(template), "--format", "json", stdout=out)
    assert '"kind": "CMRT"' in out.getvalue()


def test_the_supplier_uploads_through_its_page_and_the_buyer_sees_the_check(
    contract: Contract, procurer: Any, supplier: Any, smelter_list: SmelterList
) -> None:
    obligation = first_obligation(contract)
    client = signed_in(supplier)
    upload = SimpleUploadedFile("cmrt.xlsx", synthetic_template(smelters=CMRT_SMELTERS))
    response = client.post(
        f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/", {"form": "deliver", "file": upload}
    )
    assert response.status_code == 302
    assert MineralsReport.objects.filter(contract=contract).count() == 1

    buyer = signed_in(procurer)
    page = buyer.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="minerals-summary"' in page and "Gold 66.7 % (2/3)" in page
    check = buyer.get(f"/due-diligence/contract/{contract.pk}/").content.decode()
    assert 'data-smelter="CID002763" data-status="conformant"' in check
    assert 'data-year="2027" data-metal="Gold"' in check
    assert "CID999999 is not in the template" in check
    # the supplier sees its own check, without the buyer's corrective-action forms
    own = client.get(f"/due-diligence/supplier/{contract.pk}/")
    assert own.status_code == 200 and "CID002920" in own.content.decode()
    assert "smelter-finding" not in own.content.decode()
    # a smelter that is only active opens a corrective action on the contract
    assert check.count('class="smelter-finding"') == 3  # rows 6, 10 (active) and 11 (not in the list)
    response = buyer.post(
        f"/contracts/{contract.pk}/findings/",
        {
            "finding-kind": "non_conformant_smelter",
            "finding-description": "CMRT 6.5, row 6: Gold CID002920 ABC Refinery Pty Ltd.",
            "finding-action": "Source gold from conformant refiners.",
            "finding-owner": "Jan de Vries",
            "finding-deadline": "2099-09-30",
        },
    )
    assert response.status_code == 302
    assert contract.findings.get().kind == "non_conformant_smelter"

    # a broken template through the page: the problems are shown, nothing stored
    second = contract.obligations.order_by("due_date")[1]
    bad = SimpleUploadedFile("cmrt.xlsx", synthetic_template(declaration={"company_name": "X"}))
    response = client.post(
        f"/contracts/supplier/{contract.pk}/obligations/{second.pk}/", {"form": "deliver", "file": bad}
    )
    assert response.status_code == 200
    assert "row 18, column D" in response.content.decode()
    assert MineralsReport.objects.filter(contract=contract).count() == 1


def test_the_share_per_supplier_follows_the_years(
    framework: FrameworkVersion, contract: Contract, procurer: Any, supplier: Any, smelter_list: SmelterList
) -> None:
    later = minerals_contract(framework, procurer, supplier.organisation, reference="DD-2")
    contract_actions.deliver(
        first_obligation(contract), acting_user=supplier.user, filename="cmrt.xlsx",
        data=synthetic_template(smelters=CMRT_SMELTERS[:2]),
    )  # fmt: skip
    declaration = {**DECLARATION, "effective_date": date(2028, 2, 1)}
    contract_actions.deliver(
        first_obligation(later), acting_user=supplier.user, filename="cmrt.xlsx",
        data=synthetic_template(declaration=declaration, smelters=CMRT_SMELTERS[:3]),
    )  # fmt: skip
    years = {
        y.year: {s.metal: (s.smelters, s.conformant) for s in y.shares} for y in supplier_trend(contract)
    }
    assert years == {2027: {"Gold": (2, 1)}, 2028: {"Gold": (3, 2)}}


def test_nobody_else_sees_the_smelter_check(
    framework: FrameworkVersion, contract: Contract, supplier: Any, outsider: Any, smelter_list: SmelterList
) -> None:
    contract_actions.deliver(
        first_obligation(contract), acting_user=supplier.user, filename="cmrt.xlsx",
        data=synthetic_template(smelters=CMRT_SMELTERS),
    )  # fmt: skip
    other_supplier = make_persona(
        "oscar", "other-supplier", Organisation.Type.SUPPORTER, Membership.Role.ADMIN
    )
    for persona in (outsider, other_supplier):
        client = signed_in(persona)
        for url in (f"/due-diligence/contract/{contract.pk}/", f"/due-diligence/supplier/{contract.pk}/"):
            assert client.get(url).status_code == 404, (persona.user.username, url)
    # the supplier never reaches the buyer's side, nor another contract by tampering
    supplier_client = signed_in(supplier)
    assert supplier_client.get(f"/due-diligence/contract/{contract.pk}/").status_code == 404
    assert supplier_client.get(f"/due-diligence/supplier/{contract.pk + 999}/").status_code == 404
    anonymous = Client().get(f"/due-diligence/contract/{contract.pk}/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    # the buyer's per-supplier trend counts the buyer's own contracts only
    minerals_contract_of_outsider = minerals_contract(framework, outsider, supplier.organisation, "LYON-1")
    contract_actions.deliver(
        first_obligation(minerals_contract_of_outsider), acting_user=supplier.user, filename="cmrt.xlsx",
        data=synthetic_template(smelters=[{"metal": "Gold", "smelter_id": "CID002030"}]),
    )  # fmt: skip
    years = supplier_trend(contract)
    assert [(s.metal, s.smelters) for y in years for s in y.shares] == [("Gold", 3), ("Tantalum", 2)]


def test_the_monitoring_indicators_are_prefilled_from_contracts(
    contract: Contract, procurer: Any, supplier: Any, smelter_list: SmelterList
) -> None:
    obligations = list(contract.obligations.order_by("due_date"))
    year = obligations[0].due_date.year
    # the template of the year the obligation falls due in (smelters count in their template's year)
    declaration = {**DECLARATION, "effective_date": date(year, 3, 1)}
    contract_actions.deliver(
        obligations[0], acting_user=supplier.user, filename="cmrt.xlsx",
        data=synthetic_template(declaration=declaration, smelters=CMRT_SMELTERS),
    )  # fmt: skip
    contract_actions.open_finding(
        contract, kind="non_conformant_smelter", description="CID002920 is only active",
        action="Source from conformant refiners", owner="Jan", deadline=date(2099, 3, 1), acting_user=procurer.user,
    )  # fmt: skip
    figures = contract_figures(procurer.organisation, year)
    assert figures[("contracts_dd_clauses", "")] == 1
    assert figures[("obligations_due", "")] == 1
    # delivered today, long before its due date at the end of the contract's first year
    assert figures[("obligations_on_time_share", "")] == 100.0
    assert figures[("smelters_reported", "")] == 5  # Gold 3, Tantalum 2 (distinct identified)
    assert figures[("smelters_conformant_share", "")] == 40.0
    assert figures[("corrective_actions_open", "")] == 1
    values = prefill(procurer.organisation, year)
    assert values[("smelters_conformant_share", "")].value == 40.0
    assert values[("smelters_conformant_share", "")].origin == "prefilled"
    assert contract_figures(supplier.organisation, year) == {}


def test_the_demo_delivers_a_cmrt_once(contract: Contract, procurer: Any) -> None:
    from cfit.demo.minerals import create_demo_minerals

    make_persona("supplier", "green-refurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)
    create_demo_minerals(contract)
    create_demo_minerals(contract)  # idempotent
    create_demo_minerals(None)
    assert SmelterList.objects.count() == 1
    check = contract_checks(contract)[0]
    assert {r.status for r in check.rows} == {"conformant", "active", "non_conformant", "unidentified"}
    # every status reads as words, a smelter that is not conformant too (it showed "non_conformant")
    page = signed_in(procurer).get(f"/due-diligence/contract/{contract.pk}/").content.decode()
    assert 'data-status="non_conformant">' in page and "<td>Non-conformant</td>" in page
    assert "non_conformant</td>" not in page


def test_every_smelter_status_has_words_in_the_users_language() -> None:
    from django.utils import translation

    from cfit.duediligence.checks import STATUSES
    from cfit.duediligence.problems import STATUS_LABELS, STATUS_WORDS, message, status_label

    assert set(STATUS_LABELS) == {*STATUSES, "unlisted", "unidentified"}
    # the sentence's status word is the list's status as the check stores it, translated when shown
    assert set(STATUS_WORDS) == {s.replace("_", "-") for s in STATUSES} - {"conformant", "active"}
    with translation.override("en"):
        assert status_label("suspended") == "Suspended" and status_label("") == ""
        found = {"smelter_id": "CID003926", "status": "non-conformant", "as_of": "2027-01-15"}
        assert message("status_not_conformant", found) == "CID003926 is non-conformant (15 Jan 2027)"
