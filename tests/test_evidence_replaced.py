"""A supplier who delivered the wrong file may put it right until the buyer decides, never after.

Sid (supplier, Green Refurb) delivered last year's audit report instead of this year's; Pia (procurer,
Rijkswaterstaat) has not looked at it yet. Sid replaces it, or withdraws it, through his page: the earlier
file is kept and shown as replaced, the trail and both organisations' logs say who did it and why. Once
Pia has accepted or returned a delivery, it stays as it is, whatever Sid sends.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cfit.audit.models import AuditRecord
from cfit.contracts import actions
from cfit.contracts.models import Obligation, ObligationEvent, Submission
from cfit.criteria.models import FrameworkVersion
from cfit.duediligence.figures import contract_checks
from cfit.duediligence.sample import synthetic_template

from .conftest import Persona, make_persona
from .contract_helpers import pdf
from .test_contract_evidence import deliver_page, document_obligation, signed_in
from .test_duediligence import first_obligation, minerals_contract
from .test_duediligence_core import CMRT_SMELTERS

pytestmark = pytest.mark.django_db

WRONG = pdf() + b"% last year's audit report\n"
RIGHT = pdf() + b"% this year's audit report\n"


@pytest.fixture
def document(procurer: Persona, supplier: Persona, framework: FrameworkVersion) -> Obligation:
    """The audit report Sid owes Pia each year."""
    return document_obligation(procurer, supplier, framework)


def page_of(client: Client, obligation: Obligation) -> Any:
    return client.get(f"/contracts/supplier/{obligation.contract_id}/obligations/{obligation.pk}/")


def send(client: Client, obligation: Obligation, form: str, data: dict[str, Any]) -> Any:
    return deliver_page(client, obligation, {**data, "form": form})


def records(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action).select_related("organisation").order_by("pk"))


def test_sid_replaces_the_wrong_pdf_before_pia_decides_and_pia_sees_it_was_replaced(
    document: Obligation, supplier: Persona, procurer: Persona
) -> None:
    sid = signed_in(supplier)
    assert send(sid, document, "deliver", {"file": SimpleUploadedFile("audit.pdf", WRONG)}).status_code == 302
    page = page_of(sid, document).content.decode()
    assert 'id="replace-form"' in page and 'id="withdraw-form"' in page

    answer = send(
        sid,
        document,
        "replace",
        {"file": SimpleUploadedFile("audit-2027.pdf", RIGHT), "comment": "Wrong year"},
    )
    assert answer.status_code == 302
    document.refresh_from_db()
    assert document.status == Obligation.Status.DELIVERED  # still Pia's to check
    earlier, latest = document.submissions.order_by("pk")
    # The earlier file is kept, byte for byte, and marked replaced.
    assert (earlier.filename, bytes(earlier.data), earlier.set_aside) == ("audit.pdf", WRONG, "replaced")
    assert (latest.filename, bytes(latest.data), latest.set_aside) == ("audit-2027.pdf", RIGHT, "")
    event = document.events.get(action=ObligationEvent.Action.REPLACED)
    assert (event.by, event.submission, event.comment) == (supplier.user, latest, "Wrong year")
    # One record in Pia's log and one in Green Refurb's, naming both files.
    replaced = records(AuditRecord.Action.EVIDENCE_REPLACED)
    assert {r.organisation for r in replaced} == {procurer.organisation, supplier.organisation}
    assert all(r.before["sha256"] == earlier.sha256 and r.after["sha256"] == latest.sha256 for r in replaced)
    assert all(r.actor == supplier.user and r.reason == "Wrong year" for r in replaced)

    # Pia's page shows both files, the earlier one as replaced, and the trail says so.
    pia = signed_in(procurer)
    buyer = pia.get(f"/contracts/{document.contract_id}/").content.decode()
    assert 'data-set-aside="replaced"' in buyer and 'data-action="replaced"' in buyer
    assert buyer.index("audit.pdf") < buyer.index("audit-2027.pdf")
    old = pia.get(f"/contracts/{document.contract_id}/obligations/{document.pk}/evidence/{earlier.pk}/")
    assert b"".join(old.streaming_content if old.streaming else [old.content]) == WRONG
    # Her decision now is on the new file.
    answer = pia.post(
        f"/contracts/{document.contract_id}/obligations/{document.pk}/decide/",
        {"decision": "accept", "seen": latest.pk},
    )
    document.refresh_from_db()
    assert document.status == Obligation.Status.ACCEPTED
    assert document.events.get(action=ObligationEvent.Action.ACCEPTED).submission == latest


def test_sid_withdraws_a_delivery_saying_why_and_delivers_again(
    document: Obligation, supplier: Persona, procurer: Persona
) -> None:
    sid = signed_in(supplier)
    send(sid, document, "deliver", {"file": SimpleUploadedFile("audit.pdf", WRONG)})
    # A withdrawal says why.
    assert send(sid, document, "withdraw", {"withdraw-comment": ""}).status_code == 200
    assert send(sid, document, "withdraw", {"withdraw-comment": "ok"}).status_code == 200
    document.refresh_from_db()
    assert document.status == Obligation.Status.DELIVERED

    assert send(sid, document, "withdraw", {"withdraw-comment": "Not the audited year"}).status_code == 302
    document.refresh_from_db()
    assert document.status == Obligation.Status.DUE
    withdrawn = document.submissions.get()
    assert (withdrawn.set_aside, bytes(withdrawn.data)) == ("withdrawn", WRONG)
    logged = records(AuditRecord.Action.EVIDENCE_WITHDRAWN)
    assert {r.organisation for r in logged} == {procurer.organisation, supplier.organisation}
    assert all(
        r.before == {"status": "delivered", "filename": "audit.pdf", "sha256": withdrawn.sha256}
        for r in logged
    )
    # Pia has nothing to decide and sees the file withdrawn.
    buyer = signed_in(procurer).get(f"/contracts/{document.contract_id}/").content.decode()
    assert 'data-set-aside="withdrawn"' in buyer and 'class="decide"' not in buyer

    assert (
        send(sid, document, "deliver", {"file": SimpleUploadedFile("audit-2027.pdf", RIGHT)}).status_code
        == 302
    )
    document.refresh_from_db()
    assert document.status == Obligation.Status.DELIVERED
    assert [s.set_aside for s in document.submissions.order_by("pk")] == ["withdrawn", ""]


def test_a_withdrawal_after_a_return_leaves_the_obligation_returned_with_pia_s_comment(
    document: Obligation, supplier: Persona, procurer: Persona
) -> None:
    actions.deliver(document, acting_user=supplier.user, data=WRONG, filename="audit.pdf")
    actions.return_obligation(document, acting_user=procurer.user, comment="Last year's report")
    actions.deliver(document, acting_user=supplier.user, data=WRONG, filename="audit-again.pdf")
    actions.withdraw_delivery(document, acting_user=supplier.user, comment="Sent the same one again")
    document.refresh_from_db()
    assert document.status == Obligation.Status.RETURNED


@pytest.mark.parametrize("decision", ["accept", "return"])
def test_once_pia_has_decided_the_delivery_stays_as_it_is(
    document: Obligation, supplier: Persona, procurer: Persona, decision: str
) -> None:
    sid = signed_in(supplier)
    send(sid, document, "deliver", {"file": SimpleUploadedFile("audit.pdf", WRONG)})
    signed_in(procurer).post(
        f"/contracts/{document.contract_id}/obligations/{document.pk}/decide/",
        {"decision": decision, "comment": "Checked against the audit"},
    )
    document.refresh_from_db()
    decided = document.status
    assert decided in (Obligation.Status.ACCEPTED, Obligation.Status.RETURNED)
    page = page_of(sid, document).content.decode()
    assert 'id="replace-form"' not in page and 'id="withdraw-form"' not in page

    # Sent anyway (a page left open, a form replayed): refused, nothing changes.
    replaced = send(sid, document, "replace", {"file": SimpleUploadedFile("audit-2027.pdf", RIGHT)})
    withdrawn = send(sid, document, "withdraw", {"withdraw-comment": "Not the audited year"})
    for answer in (replaced, withdrawn):
        assert answer.status_code == 200
        assert "can no longer be replaced or withdrawn" in answer.content.decode()
    document.refresh_from_db()
    assert document.status == decided
    assert [(s.filename, s.set_aside) for s in document.submissions.all()] == [("audit.pdf", "")]
    assert not AuditRecord.objects.filter(
        action__in=[AuditRecord.Action.EVIDENCE_REPLACED, AuditRecord.Action.EVIDENCE_WITHDRAWN]
    ).exists()
    with pytest.raises(actions.EvidenceLocked):
        actions.replace_delivery(document, acting_user=supplier.user, data=RIGHT, filename="audit-2027.pdf")
    with pytest.raises(actions.EvidenceLocked):
        actions.withdraw_delivery(document, acting_user=supplier.user, comment="Not the audited year")


def test_pia_does_not_accept_a_file_replaced_after_she_opened_the_page(
    document: Obligation, supplier: Persona, procurer: Persona
) -> None:
    first = actions.deliver(document, acting_user=supplier.user, data=WRONG, filename="audit.pdf")
    pia = signed_in(procurer)
    assert (
        f'name="seen" value="{first.pk}"' in pia.get(f"/contracts/{document.contract_id}/").content.decode()
    )
    actions.replace_delivery(document, acting_user=supplier.user, data=RIGHT, filename="audit-2027.pdf")
    pia.post(
        f"/contracts/{document.contract_id}/obligations/{document.pk}/decide/",
        {"decision": "accept", "seen": first.pk},
    )
    document.refresh_from_db()
    assert document.status == Obligation.Status.DELIVERED


def test_nobody_else_replaces_or_withdraws_sid_s_delivery(
    document: Obligation, supplier: Persona, procurer: Persona, outsider: Persona
) -> None:
    actions.deliver(document, acting_user=supplier.user, data=WRONG, filename="audit.pdf")
    rival = make_persona("rita", "budget-hardware", "supporter", "admin")
    viewer = make_persona("sander", "green-refurb", "supporter", "viewer")
    for persona, status in ((rival, 404), (outsider, 404), (procurer, 404), (viewer, 403)):
        client = signed_in(persona)
        replaced = send(client, document, "replace", {"file": SimpleUploadedFile("x.pdf", RIGHT)})
        withdrawn = send(client, document, "withdraw", {"withdraw-comment": "Not the audited year"})
        assert (replaced.status_code, withdrawn.status_code) == (status, status), persona.user.username
    assert [(s.filename, s.set_aside) for s in Submission.objects.all()] == [("audit.pdf", "")]


def test_a_cmrt_replaced_for_a_typo_is_no_longer_the_one_checked(
    framework: FrameworkVersion, procurer: Persona, supplier: Persona
) -> None:
    contract = minerals_contract(framework, procurer, supplier.organisation)
    obligation = first_obligation(contract)
    typo = synthetic_template(smelters=[CMRT_SMELTERS[0], dict(CMRT_SMELTERS[0], smelter_id="CID02763")])
    actions.deliver(obligation, acting_user=supplier.user, data=typo, filename="cmrt.xlsx")
    fixed = synthetic_template(smelters=[CMRT_SMELTERS[0]])
    latest = actions.replace_delivery(obligation, acting_user=supplier.user, data=fixed, filename="cmrt.xlsx")
    checks = contract_checks(contract)
    assert len(checks) == 1
    assert checks[0].report.submission == latest
