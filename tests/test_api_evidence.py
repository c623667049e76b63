"""A supplier's program delivers evidence through the API, as Sid does on his page.

Green Refurb's document system sends each year's audit report with Sid's token (Sid: supplier, Green
Refurb); the same checks refuse a program renamed .pdf, the same action stores and audits it, and the
token reaches Green Refurb's obligations only: never a rival supplier's, never one of Pia's (procurer,
Rijkswaterstaat) contracts as a buyer.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cfit.audit.models import AuditRecord
from cfit.contracts import actions
from cfit.contracts.models import Obligation, Submission
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion

from .conftest import Persona, make_persona
from .contract_helpers import pdf
from .test_api_tokens import make_token, program
from .test_contract_evidence import PROGRAM, WEBP, clause_contract, document_obligation

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "detail", "field", "problems"}


@pytest.fixture
def document(procurer: Persona, supplier: Persona, framework: FrameworkVersion) -> Obligation:
    return document_obligation(procurer, supplier, framework)


@pytest.fixture
def sid_program(supplier: Persona) -> Client:
    return program(make_token(supplier, read_only=False, name="document system"))


def evidence_url(obligation: Obligation, what: str = "evidence") -> str:
    return f"/api/v1/contracts/supplied/{obligation.contract_id}/obligations/{obligation.pk}/{what}/"


def send(
    client: Client, obligation: Obligation, filename: str | None, data: bytes = b"", **fields: Any
) -> Any:
    body: dict[str, Any] = {
        key: str(value).lower() if isinstance(value, bool) else value for key, value in fields.items()
    }
    if filename is not None:
        body["file"] = SimpleUploadedFile(filename, data, "application/octet-stream")
    return client.post(evidence_url(obligation), body)


def test_sid_s_program_delivers_the_audit_report_through_the_same_checks_and_action(
    document: Obligation, sid_program: Client, supplier: Persona, procurer: Persona
) -> None:
    answer = send(sid_program, document, "audit-2027.pdf", pdf(), comment="Audit of 2027")
    assert answer.status_code == 201, answer.content
    receipt = answer.json()
    submission = Submission.objects.get()
    assert receipt["id"] == submission.pk and receipt["state"] == "delivered" and receipt["replaced"] is None
    assert (receipt["filename"], receipt["content_type"], receipt["sha256"]) == (
        "audit-2027.pdf", "application/pdf", submission.sha256,
    )  # fmt: skip
    # The action's audit records: Pia's log and Green Refurb's.
    logged = AuditRecord.objects.filter(action=AuditRecord.Action.EVIDENCE_DELIVERED)
    assert {r.organisation for r in logged} == {procurer.organisation, supplier.organisation}
    assert all(r.after["sha256"] == submission.sha256 and r.actor == supplier.user for r in logged)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("audit.pdf", PROGRAM),
        ("tool.exe", PROGRAM),
        ("screenshot.webp", PROGRAM),
        ("page.html", b"<html></html>"),
    ],
)
def test_a_program_or_a_page_is_refused_with_the_api_s_one_error_body(
    document: Obligation, sid_program: Client, filename: str, data: bytes
) -> None:
    answer = send(sid_program, document, filename, data)
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) >= ERROR_KEYS and body["code"] == "bad_request" and filename in body["detail"]
    assert not Submission.objects.exists()


def test_a_webp_screenshot_is_taken_and_a_document_needs_its_file(
    document: Obligation, sid_program: Client
) -> None:
    missing = send(sid_program, document, None, comment="forgot it")
    assert missing.status_code == 400 and set(missing.json()) >= ERROR_KEYS
    answer = send(sid_program, document, "Screenshot.webp", WEBP)
    assert answer.status_code == 201 and answer.json()["content_type"] == "image/webp"


def test_figures_come_with_the_file_by_key_and_a_wrong_key_or_shape_is_named(
    procurer: Persona, supplier: Persona, framework: FrameworkVersion, sid_program: Client
) -> None:
    code = next(
        c.code
        for c in Criterion.objects.filter(
            version=framework, type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE
        ).order_by("code")
        if actions._due_of(c, c.type)[0] == "figure"
    )
    obligation = clause_contract(procurer, supplier, framework, code).obligations.order_by("due_date").first()
    assert obligation is not None and obligation.figures
    keys = [f["key"] for f in obligation.figures]

    shape = send(sid_program, obligation, "report.pdf", pdf(), values="[1, 2]")
    assert shape.status_code == 400 and shape.json()["field"] == "values"
    wrong = send(sid_program, obligation, "report.pdf", pdf(), values=json.dumps({"unknown_key": "1"}))
    assert wrong.status_code == 400 and "unknown_key" in wrong.json()["detail"]
    values = {key: "1.234" for key in keys}  # the import rule: "1.234" reads 1.234, or 1234 for a count
    answer = send(sid_program, obligation, "report.pdf", pdf(), values=json.dumps(values))
    assert answer.status_code == 201, answer.content
    assert set(answer.json()["figures"]) == set(keys)
    assert all(Decimal(v) > 0 for v in answer.json()["figures"].values())


def test_sid_s_program_replaces_and_withdraws_until_pia_decides_then_gets_409(
    document: Obligation, sid_program: Client, supplier: Persona, procurer: Persona
) -> None:
    first = send(sid_program, document, "audit.pdf", pdf()).json()
    second = send(sid_program, document, "audit-2027.pdf", pdf() + b"%fixed\n", replace=True)
    assert second.status_code == 201 and second.json()["replaced"] == first["id"]
    assert Submission.objects.get(pk=first["id"]).set_aside == "replaced"
    # Without ``replace``, a second delivery is refused: nothing is due while Pia checks.
    assert send(sid_program, document, "again.pdf", pdf()).status_code == 400

    withdrawn = sid_program.post(
        evidence_url(document, "withdraw"),
        {"comment": "Not the audited year"},
        content_type="application/json",
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "due"
    assert withdrawn.json()["delivered"] == {}
    send(sid_program, document, "audit-2027.pdf", pdf())
    actions.accept(document, acting_user=procurer.user)

    locked = send(sid_program, document, "audit-2028.pdf", pdf(), replace=True)
    assert locked.status_code == 409
    assert locked.json()["code"] == "conflict" and "can no longer be replaced" in locked.json()["detail"]
    locked = sid_program.post(
        evidence_url(document, "withdraw"),
        {"comment": "Not the audited year"},
        content_type="application/json",
    )
    assert locked.status_code == 409 and set(locked.json()) >= ERROR_KEYS
    document.refresh_from_db()
    assert document.status == Obligation.Status.ACCEPTED
    assert Submission.objects.filter(obligation=document, set_aside="").count() == 1


def test_a_token_reaches_its_own_supplier_s_obligations_only(
    document: Obligation, supplier: Persona, procurer: Persona, framework: FrameworkVersion
) -> None:
    rival = make_persona("rita", "budget-hardware", "supporter", "admin")
    mine = document.contract
    rival_contract = actions.create_contract(
        procurer.organisation, reference="EV-RIVAL", title="Laptops", supplier_name="Budget Hardware",
        supplier_organisation=rival.organisation, value=mine.value, start_date=mine.start_date,
        end_date=mine.end_date, framework_version=framework, acting_user=procurer.user,
        criteria=[(document.contract_criterion.criterion, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)],
    )  # fmt: skip
    # Sid's token on Budget Hardware's obligation; Rita's and Pia's tokens on Green Refurb's.
    sid = program(make_token(supplier, read_only=False))
    tries = [
        (sid, rival_contract.obligations.get()),
        (program(make_token(rival, read_only=False)), document),
        (program(make_token(procurer, read_only=False)), document),
    ]
    for client, obligation in tries:
        answer = send(client, obligation, "audit.pdf", pdf())
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
        withdraw = client.post(
            evidence_url(obligation, "withdraw"), {"comment": "Not ours"}, content_type="application/json"
        )
        assert withdraw.status_code == 404
    # The contract number of one and the obligation of another: 404 too.
    mixed = f"/api/v1/contracts/supplied/{document.contract_id}/obligations/{rival_contract.obligations.get().pk}/evidence/"
    assert sid.post(mixed, {"file": SimpleUploadedFile("audit.pdf", pdf())}).status_code == 404
    # A read-only token and a viewer's token change nothing.
    read_only = send(
        program(make_token(supplier, read_only=True, name="reader")), document, "audit.pdf", pdf()
    )
    assert read_only.status_code == 403 and read_only.json()["code"] == "read_only_token"
    viewer = make_persona("sander", "green-refurb", "supporter", "viewer")
    assert send(program(make_token(viewer, read_only=False)), document, "audit.pdf", pdf()).status_code == 403
    assert not Submission.objects.exists()
