"""An obligation that asks for RMI's CMRT or EMRT takes that template and nothing else, on the page and
through the API, saying what was wrong in the user's language; a template taken shows its smelter
check on the obligation.

Sid (Green Refurb, the supplier) delivers for Pia's (Rijkswaterstaat) contract; Louise (Ville de Lyon)
is an outsider.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cfit.contracts import actions as contract_actions
from cfit.contracts.models import Contract, Obligation, Submission
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion
from cfit.duediligence.actions import expected_templates
from cfit.duediligence.models import MineralsReport, SmelterList

from .conftest import Persona
from .contract_helpers import contract_period, pdf, workbook
from .duediligence_helpers import synthetic_template
from .test_api_tokens import make_token, program
from .test_duediligence import signed_in, smelter_list  # noqa: F401
from .test_duediligence_core import CMRT_SMELTERS

pytestmark = pytest.mark.django_db


def clause_contract(framework: FrameworkVersion, buyer: Persona, supplier: Persona, code: str) -> Contract:
    clause = Criterion.objects.get(version=framework, code=code)
    start, end = contract_period()
    return contract_actions.create_contract(
        buyer.organisation, reference=f"DD-{code}", title="Laptops", supplier_name="Green Refurb",
        supplier_organisation=supplier.organisation, value=Decimal(8000), start_date=start, end_date=end,
        framework_version=framework, criteria=[(clause, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)],
        acting_user=buyer.user,
    )  # fmt: skip


def first_document(contract: Contract) -> Obligation:
    found = contract.obligations.filter(kind="document").order_by("due_date").first()
    assert found is not None
    return found


def send(client: Client, obligation: Obligation, filename: str, data: bytes, **headers: Any) -> Any:
    return client.post(
        f"/api/v1/contracts/supplied/{obligation.contract_id}/obligations/{obligation.pk}/evidence/",
        {"file": SimpleUploadedFile(filename, data, "application/octet-stream")},
        **headers,
    )


@pytest.fixture
def cmrt(framework: FrameworkVersion, procurer: Persona, supplier: Persona) -> Obligation:
    return first_document(clause_contract(framework, procurer, supplier, "ws-cmrt-b"))


@pytest.fixture
def sid_program(supplier: Persona) -> Client:
    return program(make_token(supplier, read_only=False, name="document system"))


def test_a_cmrt_obligation_refuses_what_is_not_a_cmrt_naming_what_was_wrong_and_stores_nothing(
    cmrt: Obligation, sid_program: Client
) -> None:
    """Sid's program sent a PDF, an unrelated workbook and an EMRT where the clause asks for the CMRT,
    and each was taken: now each is refused with 400, saying what was wrong, and nothing is stored."""
    answers = {
        "pdf": send(sid_program, cmrt, "cmrt.pdf", pdf(), HTTP_ACCEPT_LANGUAGE="en"),
        "workbook": send(sid_program, cmrt, "smelters.xlsx", workbook(), HTTP_ACCEPT_LANGUAGE="en"),
        "emrt": send(
            sid_program, cmrt, "emrt.xlsx", synthetic_template("EMRT", "2.1"), HTTP_ACCEPT_LANGUAGE="en"
        ),
    }

    assert {what: answer.status_code for what, answer in answers.items()} == {
        "pdf": 400, "workbook": 400, "emrt": 400,
    }  # fmt: skip
    assert (
        answers["pdf"]
        .json()["detail"]
        .startswith("cmrt.pdf is not an Excel workbook (.xlsx): this obligation asks for RMI's CMRT")
    )
    assert "no Declaration sheet (looked for Declaration" in answers["workbook"].json()["detail"]
    assert (
        answers["emrt"]
        .json()["detail"]
        .startswith("emrt.xlsx is an RMI EMRT, but this obligation asks for RMI's CMRT")
    )
    cmrt.refresh_from_db()
    assert cmrt.status == Obligation.Status.DUE
    assert not Submission.objects.exists() and not MineralsReport.objects.exists()


def test_a_cmrt_taken_through_the_api_answers_with_its_smelter_check_and_an_outsider_finds_nothing(
    cmrt: Obligation,
    sid_program: Client,
    outsider: Persona,
    smelter_list: SmelterList,  # noqa: F811
) -> None:
    answer = send(sid_program, cmrt, "cmrt.xlsx", synthetic_template(smelters=CMRT_SMELTERS))
    louise = program(make_token(outsider, read_only=False))

    assert answer.status_code == 201, answer.content
    minerals = answer.json()["minerals"]
    assert (minerals["kind"], minerals["revision"], minerals["company_name"]) == (
        "CMRT",
        "6.5",
        "Groene IT BV",
    )
    assert {s["metal"]: (s["smelters"], s["conformant"]) for s in minerals["shares"]} == {
        "Gold": (3, 2), "Tantalum": (2, 0),
    }  # fmt: skip
    assert minerals["flagged"] >= 1
    assert send(louise, cmrt, "cmrt.xlsx", synthetic_template()).status_code == 404
    assert Submission.objects.count() == 1


def test_each_clause_asks_for_its_own_template(
    framework: FrameworkVersion, procurer: Persona, supplier: Persona, sid_program: Client
) -> None:
    """The EMRT clause takes an EMRT and refuses a CMRT; the product-level clause, which asks for both,
    takes either; other evidence is no template."""
    emrt = first_document(clause_contract(framework, procurer, supplier, "ws-emrt-b"))
    both = first_document(clause_contract(framework, procurer, supplier, "ws-cmrt-a"))

    refused = send(sid_program, emrt, "cmrt.xlsx", synthetic_template(), HTTP_ACCEPT_LANGUAGE="en")
    taken = send(sid_program, emrt, "emrt.xlsx", synthetic_template("EMRT", "2.1"))

    assert (expected_templates(emrt), expected_templates(both)) == (("EMRT",), ("CMRT", "EMRT"))
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith(
        "cmrt.xlsx is an RMI CMRT, but this obligation asks for RMI's EMRT"
    )
    assert taken.status_code == 201 and taken.json()["minerals"]["kind"] == "EMRT"
    assert send(sid_program, both, "emrt.xlsx", synthetic_template("EMRT", "2.1")).status_code == 201


def test_on_the_page_a_pdf_is_refused_and_a_cmrt_shows_its_smelter_check_on_the_obligation(
    cmrt: Obligation,
    supplier: Persona,
    smelter_list: SmelterList,  # noqa: F811
) -> None:
    sid = signed_in(supplier)
    page = f"/contracts/supplier/{cmrt.contract_id}/obligations/{cmrt.pk}/"

    form = sid.get(page).content.decode()
    refused = sid.post(
        page, {"form": "deliver", "file": SimpleUploadedFile("cmrt.pdf", pdf())}, HTTP_ACCEPT_LANGUAGE="en"
    )
    delivered = sid.post(
        page,
        {
            "form": "deliver",
            "file": SimpleUploadedFile("cmrt.xlsx", synthetic_template(smelters=CMRT_SMELTERS)),
        },
    )
    shown = sid.get(page).content.decode()

    assert 'accept=".xlsx,.xlsm"' in form and "RMI's CMRT, the Excel workbook you filled in" in form
    assert refused.status_code == 200
    assert "cmrt.pdf is not an Excel workbook (.xlsx)" in refused.content.decode()
    assert delivered.status_code == 302
    assert 'id="minerals-summary"' in shown and "CMRT 6.5 of Groene IT BV" in shown
    assert "Gold 66.7 % (2/3)" in shown
    assert f'href="/due-diligence/supplier/{cmrt.contract_id}/"' in shown
