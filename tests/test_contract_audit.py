"""Contract management in the audit log: each decision on a contract writes its record in the action's
transaction, in the buyer's log; the supplier's own acts (delivering, disputing, closing a corrective
action) in its organisation's log too; a refused action writes none.

Personas: Pia is procurer and Ada admin at Rijkswaterstaat (the buyer); Sid is admin of the supplier
Green Refurb; Léa is admin at Ville de Lyon, another buyer.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.contracts import actions
from cfit.contracts.models import Contract, Finding, Obligation
from cfit.contracts.schedule import Frequency, Kind
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion

from .conftest import PASSWORD, Persona, make_persona
from .contract_helpers import awarded_tender, contract_of, pdf, workbook

pytestmark = pytest.mark.django_db
Action = AuditRecord.Action
#: The actions of contract management (the import's summary aside).
CONTRACT_ACTIONS = [
    Action.CONTRACT_CREATED,
    Action.FREQUENCY_CHANGED,
    Action.DELIVERY_RECORDED,
    Action.EVIDENCE_DELIVERED,
    Action.EVIDENCE_DISPUTED,
    Action.EVIDENCE_ACCEPTED,
    Action.EVIDENCE_RETURNED,
    Action.FINDING_OPENED,
    Action.FINDING_CLOSED,
]


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def rows(page: Any) -> str:
    """The records table of an audit page (the action filter above it lists every action's name)."""
    return str(page.content.decode().split("<tbody>")[1])


def contract_records() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action__in=CONTRACT_ACTIONS).order_by("pk"))


def one(action: str) -> AuditRecord:
    return AuditRecord.objects.get(action=action)


@pytest.fixture
def contract(framework: FrameworkVersion, procurer: Persona, supplier: Persona) -> Contract:
    return contract_of(awarded_tender(procurer), supplier.organisation, procurer)


@pytest.fixture
def document(contract: Contract) -> Obligation:
    found = contract.obligations.filter(kind=Kind.DOCUMENT).first()
    assert found is not None
    return found


@pytest.fixture
def ada(procurer: Persona) -> Persona:
    return make_persona(
        "ada", procurer.organisation.slug, Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN
    )


@pytest.fixture
def lea(outsider: Persona) -> Persona:
    return make_persona(
        "lea", outsider.organisation.slug, Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN
    )


def take_back_contract(framework: FrameworkVersion, procurer: Persona, reference: str = "OLD-1") -> Contract:
    """A contract entered by hand, with a supplier not on the platform and one yearly figures clause."""
    take_back = Criterion.objects.filter(version=framework, topic__contains="take-back").first()
    assert take_back is not None
    return actions.create_contract(
        procurer.organisation, reference=reference, title="Existing laptops", supplier_name="Acme",
        value=Decimal("1000.50"), currency="eur", start_date=date(2026, 3, 1), end_date=date(2027, 2, 28),
        framework_version=framework, criteria=[(take_back, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)],
        acting_user=procurer.user,
    )  # fmt: skip


# -- contracts ----------------------------------------------------------------------------------------


def test_a_contract_from_an_award_is_recorded_in_the_buyers_log(
    contract: Contract, procurer: Persona, supplier: Persona
) -> None:
    [created] = contract_records()

    assert (created.action, created.organisation, created.actor) == (
        Action.CONTRACT_CREATED,
        procurer.organisation,
        procurer.user,
    )
    assert (created.object_type, created.object_id) == ("contracts.contract", str(contract.pk))
    assert created.object_label == str(contract) and created.before is None
    codes = sorted(contract.criteria.values_list("criterion__code", flat=True))
    assert {**created.after, "criteria": sorted(created.after["criteria"])} == {
        "reference": contract.reference,
        "title": contract.title,
        "supplier": "Groene IT BV",
        "supplier_organisation": supplier.organisation.slug,
        "value": "8000.00",
        "currency": "EUR",
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "framework_version": contract.framework_version.code,
        "tender": contract.tender.reference,
        "lot": 1,
        "criteria": codes,
    }


def test_a_contract_entered_by_hand_is_recorded_and_a_refused_one_is_not(
    framework: FrameworkVersion, procurer: Persona
) -> None:
    contract = take_back_contract(framework, procurer)

    created = one(Action.CONTRACT_CREATED)
    assert created.after["value"] == "1000.50" and created.after["currency"] == "EUR"
    assert created.after["supplier_organisation"] is None and created.after["tender"] is None
    with pytest.raises(actions.ContractError):
        take_back_contract(framework, procurer, reference=contract.reference)  # the reference is taken
    assert contract_records() == [created]


def test_an_import_writes_its_one_summary_and_no_record_per_contract(
    framework: FrameworkVersion, procurer: Persona
) -> None:
    take_back = Criterion.objects.filter(version=framework, topic__contains="take-back").first()
    assert take_back is not None
    data = (
        "reference,title,lot,supplier,value,currency,start_date,end_date,framework_version,criteria\n"
        f"IMP-1,Laptops,,Acme,100,EUR,2025-01-01,2026-12-31,,{take_back.code}\n"
        "IMP-2,Monitors,,Acme,200,EUR,2025-01-01,2026-12-31,,\n"
    ).encode()

    actions.import_contracts(procurer.organisation, data, "contracts.csv", acting_user=procurer.user)

    summary = one(Action.CONTRACTS_IMPORTED)
    assert summary.after == {"file": "contracts.csv", "contracts": ["IMP-1", "IMP-2"]}
    assert summary.organisation == procurer.organisation
    assert contract_records() == []


def test_changing_the_frequency_records_it_before_and_after(contract: Contract, procurer: Persona) -> None:
    row = contract.criteria.filter(type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE).first()
    assert row is not None and row.frequency == Frequency.YEARLY

    actions.change_frequency(row, Frequency.ONCE, acting_user=procurer.user)

    changed = one(Action.FREQUENCY_CHANGED)
    assert (changed.organisation, changed.actor) == (procurer.organisation, procurer.user)
    assert (changed.object_type, changed.object_id) == ("contracts.contractcriterion", str(row.pk))
    assert changed.before == {"frequency": "yearly", "obligations_due": 3}  # one per contract year
    assert changed.after == {"frequency": "once", "obligations_due": 1}
    due = list(row.obligations.values_list("pk", flat=True))
    # The same frequency again changes nothing: no obligation replaced, no second record.
    assert actions.change_frequency(row, Frequency.ONCE, acting_user=procurer.user) == 0
    assert list(row.obligations.values_list("pk", flat=True)) == due
    assert AuditRecord.objects.filter(action=Action.FREQUENCY_CHANGED).count() == 1


def test_a_delivery_is_recorded_with_the_obligations_it_brings(
    contract: Contract, procurer: Persona, monkeypatch: pytest.MonkeyPatch
) -> None:
    june = contract.start_date.replace(month=6)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: june)  # delivered today
    row = contract.criteria.filter(type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE).first()
    actions.change_frequency(row, Frequency.PER_DELIVERY, acting_user=procurer.user)

    delivery = actions.record_delivery(contract, june, acting_user=procurer.user, note="Batch 1").delivery

    recorded = one(Action.DELIVERY_RECORDED)
    assert (recorded.organisation, recorded.actor, recorded.object_id) == (
        procurer.organisation,
        procurer.user,
        str(delivery.pk),
    )
    assert recorded.after == {"delivered_on": june.isoformat(), "note": "Batch 1", "obligations_created": 1}
    with pytest.raises(actions.ContractError):
        actions.record_delivery(contract, contract.end_date + timedelta(days=1), acting_user=procurer.user)
    assert AuditRecord.objects.filter(action=Action.DELIVERY_RECORDED).count() == 1


# -- the obligation workflow --------------------------------------------------------------------------


def test_each_step_of_the_workflow_is_recorded_in_the_right_logs(
    contract: Contract, document: Obligation, procurer: Persona, supplier: Persona
) -> None:
    buyer, seller = procurer.organisation, supplier.organisation
    start = AuditRecord.objects.latest("pk").pk

    actions.deliver(document, acting_user=supplier.user, data=b"%PDF-1.4 report", filename="report.pdf")
    actions.return_obligation(document, acting_user=procurer.user, comment="The smelter list is missing.")
    actions.dispute(document, acting_user=supplier.user, comment="  It is on page 4. ")
    actions.accept(document, acting_user=procurer.user, comment="Found it.")

    written = [
        (r.action, r.organisation, r.actor, r.before, r.after, r.reason)
        for r in AuditRecord.objects.filter(pk__gt=start).order_by("pk")
    ]
    delivered = {
        "status": "delivered",
        "filename": "report.pdf",
        "sha256": hashlib.sha256(b"%PDF-1.4 report").hexdigest(),
        "figures": [],
        "declared": False,
    }
    assert written == [
        (Action.EVIDENCE_DELIVERED, buyer, supplier.user, {"status": "due"}, delivered, ""),
        (Action.EVIDENCE_DELIVERED, seller, supplier.user, {"status": "due"}, delivered, ""),
        (
            Action.EVIDENCE_RETURNED,
            buyer,
            procurer.user,
            {"status": "delivered"},
            {"status": "returned"},
            "The smelter list is missing.",
        ),
        (
            Action.EVIDENCE_DISPUTED,
            buyer,
            supplier.user,
            {"status": "returned"},
            {"status": "disputed"},
            "It is on page 4.",
        ),
        (
            Action.EVIDENCE_DISPUTED,
            seller,
            supplier.user,
            {"status": "returned"},
            {"status": "disputed"},
            "It is on page 4.",
        ),
        (
            Action.EVIDENCE_ACCEPTED,
            buyer,
            procurer.user,
            {"status": "disputed"},
            {"status": "accepted"},
            "Found it.",
        ),
    ]
    assert {
        (r.object_type, r.object_id, r.object_label) for r in AuditRecord.objects.filter(pk__gt=start)
    } == {("contracts.obligation", str(document.pk), str(document))}


def test_figures_delivered_for_a_supplier_not_on_the_platform_are_recorded_once(
    framework: FrameworkVersion, procurer: Persona
) -> None:
    obligation = take_back_contract(framework, procurer).obligations.get()

    actions.deliver(
        obligation,
        acting_user=None,
        values={"taken_back_units": "120", "taken_back_kg": "1.234,5"},
        comment="Q4",
    )

    delivered = one(Action.EVIDENCE_DELIVERED)  # only the buyer's log: the supplier has none
    assert (delivered.organisation, delivered.actor, delivered.actor_name) == (
        procurer.organisation,
        None,
        "",
    )
    assert delivered.after == {
        "status": "delivered",
        "filename": None,
        "sha256": None,
        "figures": ["taken_back_kg", "taken_back_units"],
        "declared": False,
    }
    assert delivered.reason == "Q4"


def test_refused_steps_write_no_record(
    contract: Contract, document: Obligation, procurer: Persona, supplier: Persona
) -> None:
    before = AuditRecord.objects.count()

    with pytest.raises(actions.ContractError):
        actions.accept(document, acting_user=procurer.user)  # nothing delivered yet
    with pytest.raises(actions.ContractError):
        actions.deliver(document, acting_user=supplier.user, comment="no file")
    with pytest.raises(actions.ContractError):
        actions.dispute(document, acting_user=supplier.user, comment="I disagree.")  # not returned
    actions.deliver(document, acting_user=supplier.user, data=pdf("x"), filename="x.pdf")
    with pytest.raises(actions.ContractError):
        actions.return_obligation(document, acting_user=procurer.user, comment="no")  # too short a reason
    with pytest.raises(actions.ContractError):
        actions.deliver(
            document, acting_user=supplier.user, data=pdf("y"), filename="y.pdf"
        )  # delivered already

    assert AuditRecord.objects.count() == before + 2  # the one delivery, in the buyer's and supplier's logs
    document.refresh_from_db()
    assert document.status == Obligation.Status.DELIVERED


def test_a_failing_audit_write_undoes_the_decision(
    monkeypatch: Any, contract: Contract, document: Obligation, procurer: Persona, supplier: Persona
) -> None:
    actions.deliver(document, acting_user=supplier.user, data=pdf("x"), filename="x.pdf")
    events = document.events.count()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(actions, "record", broken)
    with pytest.raises(RuntimeError):
        actions.accept(document, acting_user=procurer.user, comment="ok")

    document.refresh_from_db()
    assert document.status == Obligation.Status.DELIVERED and document.events.count() == events


# -- findings, through the pages -----------------------------------------------------------------------


def test_a_finding_opened_and_closed_on_the_pages_is_recorded(
    contract: Contract, document: Obligation, procurer: Persona, supplier: Persona
) -> None:
    buyer = signed_in(procurer)
    buyer.post(
        f"/contracts/{contract.pk}/findings/",
        {
            "finding-kind": "non_conformant_smelter",
            "finding-description": "Smelter CID001234 is not conformant.",
            "finding-action": "Remove the smelter from the supply chain.",
            "finding-owner": "Sid, sourcing",
            "finding-deadline": "2099-09-30",
        },
    )
    finding = contract.findings.get()

    opened = one(Action.FINDING_OPENED)
    assert (opened.organisation, opened.actor, opened.object_type, opened.object_id) == (
        procurer.organisation,
        procurer.user,
        "contracts.finding",
        str(finding.pk),
    )
    assert opened.before is None
    assert opened.after == {
        "kind": "non_conformant_smelter",
        "description": "Smelter CID001234 is not conformant.",
        "action": "Remove the smelter from the supply chain.",
        "owner": "Sid, sourcing",
        "deadline": "2099-09-30",
        "status": "open",
        "obligation": None,  # the page's form names none
    }

    seller = signed_in(supplier)
    close = f"/contracts/supplier/{contract.pk}/findings/{finding.pk}/close/"
    smelter_list = workbook("list")
    seller.post(close, {"close-note": "Removed, see the new smelter list."})  # no evidence: refused
    assert not AuditRecord.objects.filter(action=Action.FINDING_CLOSED).exists()
    seller.post(
        close,
        {
            "close-note": " Removed, see the new smelter list.",
            "close-file": SimpleUploadedFile("list.xlsx", smelter_list),
        },
    )

    closed = list(AuditRecord.objects.filter(action=Action.FINDING_CLOSED).order_by("pk"))
    assert [r.organisation for r in closed] == [procurer.organisation, supplier.organisation]
    for entry in closed:
        assert (entry.actor, entry.object_id) == (supplier.user, str(finding.pk))
        assert (entry.before, entry.after, entry.reason) == (
            {"status": "open"},
            {
                "status": "closed",
                "evidence_name": "list.xlsx",
                "evidence_sha256": hashlib.sha256(smelter_list).hexdigest(),
            },
            "Removed, see the new smelter list.",
        )

    with pytest.raises(actions.ContractError):  # already closed: nothing more is written
        actions.close_finding(
            finding, acting_user=supplier.user, data=workbook("again"), filename="b.xlsx", note="Again."
        )
    assert AuditRecord.objects.filter(action=Action.FINDING_CLOSED).count() == 2
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED and finding.evidence_name == "list.xlsx"


def test_a_finding_on_an_obligation_names_it(
    contract: Contract, document: Obligation, procurer: Persona
) -> None:
    finding = actions.open_finding(
        contract, kind="audit_result", description="Audit failed.", action="Fix it.", owner="Sid",
        deadline=date(2099, 9, 30), acting_user=procurer.user, obligation=document,
    )  # fmt: skip

    opened = one(Action.FINDING_OPENED)
    assert (opened.object_id, opened.after["obligation"]) == (str(finding.pk), str(document))


def test_a_refused_finding_writes_no_record(contract: Contract, procurer: Persona) -> None:
    with pytest.raises(actions.ContractError):
        actions.open_finding(
            contract, kind="complaint", description=" ", action="Fix it.", owner="Sid",
            deadline=date(2099, 9, 30), acting_user=procurer.user,
        )  # fmt: skip
    assert not AuditRecord.objects.filter(action=Action.FINDING_OPENED).exists()


# -- the audit pages -----------------------------------------------------------------------------------


def test_the_buyers_admin_reads_the_decisions_and_another_organisations_admin_does_not(
    contract: Contract,
    document: Obligation,
    procurer: Persona,
    supplier: Persona,
    ada: Persona,
    lea: Persona,
) -> None:
    actions.deliver(document, acting_user=supplier.user, data=pdf("x"), filename="x.pdf")
    signed_in(procurer).post(
        f"/contracts/{contract.pk}/obligations/{document.pk}/decide/",
        {"decision": "return", "comment": "The smelter list is missing."},
    )
    returned = one(Action.EVIDENCE_RETURNED)
    assert (returned.organisation, returned.actor) == (procurer.organisation, procurer.user)
    own = f"/organisations/{ada.organisation.slug}/audit/"

    listing = rows(signed_in(ada).get(own))
    detail = signed_in(ada).get(f"{own}{returned.pk}/").content.decode()

    assert "Contract evidence returned" in listing and "Contract evidence delivered" in listing
    assert "Contract created" in listing and str(document) in listing
    assert "The smelter list is missing." in detail
    # A recorded code is read by its label in the reader's language.
    assert "<code>status</code></td><td>Delivered</td><td>Returned</td>" in detail

    other = signed_in(lea)
    theirs = f"/organisations/{lea.organisation.slug}/audit/"
    assert str(document) not in rows(other.get(theirs))
    assert contract.reference not in other.get(f"{theirs}download.csv").content.decode()
    for url in (f"{theirs}{returned.pk}/", f"{own}{returned.pk}/", own):
        assert other.get(url).status_code == 404, url


def test_the_suppliers_admin_reads_what_the_supplier_did_and_not_the_buyers_decisions(
    contract: Contract, document: Obligation, procurer: Persona, supplier: Persona
) -> None:
    actions.deliver(document, acting_user=supplier.user, data=pdf("x"), filename="x.pdf")
    actions.accept(document, acting_user=procurer.user, comment="Checked.")

    page = signed_in(supplier).get(f"/organisations/{supplier.organisation.slug}/audit/")

    assert page.status_code == 200
    html = rows(page)
    assert "Contract evidence delivered" in html
    assert "Contract evidence accepted" not in html and "Contract created" not in html


def test_a_yes_or_no_in_a_record_reads_in_the_reader_s_language() -> None:
    """The page word check found "false" on a delivery's record (its ``declared``): JSON's words."""
    from django.utils import translation

    from cfit.audit.views import _shown

    with translation.override("nl"):
        assert (_shown(True), _shown(False), _shown(None), _shown([1])) == ("ja", "nee", "—", "[1]")
