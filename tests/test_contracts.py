"""Contracts from an award, their obligations, the supplier's evidence and the buyer's decisions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cfit.accounts.models import Membership
from cfit.accounts.scoping import acting_for
from cfit.contracts import actions
from cfit.contracts.models import Contract, Notice, Obligation, ObligationEvent
from cfit.contracts.schedule import Frequency, Kind
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion
from cfit.duediligence.actions import expected_templates
from cfit.duediligence.sample import synthetic_template

from .conftest import PASSWORD, make_persona
from .contract_helpers import awarded_tender, contract_of, pdf, workbook

pytestmark = pytest.mark.django_db


def signed_in(persona: Any) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


@pytest.fixture
def contract(framework: FrameworkVersion, procurer: Any, supplier: Any) -> Contract:
    return contract_of(awarded_tender(procurer), supplier.organisation, procurer)


def test_an_awarded_lot_becomes_a_contract_with_the_winner_and_obligations(contract: Contract) -> None:
    assert contract.supplier_name == "Groene IT BV"  # the cheaper offer ranks first
    assert contract.value == Decimal("8000.00")  # 10 units × 800 EUR
    assert contract.currency == "EUR"
    rows = list(contract.criteria.all())
    assert rows, "the lot's criteria are carried"
    clauses = [r for r in rows if r.type == CriterionType.CONTRACT_PERFORMANCE_CLAUSE]
    specs = [r for r in rows if r.type == CriterionType.TECHNICAL_SPECIFICATION]
    assert clauses and specs
    for row in clauses:
        assert row.frequency == Frequency.YEARLY
        assert row.obligations.count() == 3  # one per contract year
    for row in specs:
        assert row.frequency == Frequency.ONCE
        assert [o.due_date for o in row.obligations.all()] == [contract.start_date + timedelta(days=90)]
    assert (
        Obligation.objects.filter(contract=contract)
        .exclude(due_date__range=(contract.start_date, contract.end_date))
        .count()
        == 0
    )


def test_take_back_asks_for_units_and_kg(framework: FrameworkVersion, procurer: Any) -> None:
    take_back = Criterion.objects.filter(version=framework, topic__contains="take-back").first()
    assert take_back is not None
    contract = actions.create_contract(
        procurer.organisation, reference="OLD-1", title="Existing laptops", supplier_name="Acme",
        value=Decimal(1000), start_date=date(2026, 3, 1), end_date=date(2027, 2, 28),
        framework_version=framework, criteria=[(take_back, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)],
        acting_user=procurer.user,
    )  # fmt: skip
    obligation = contract.obligations.get()
    assert obligation.kind == Kind.FIGURE
    assert [f["unit"] for f in obligation.figures] == ["units", "kg"]
    assert obligation.due_date == date(2027, 2, 28)


def test_deliver_accept_return_dispute_leave_a_trail(
    contract: Contract, procurer: Any, supplier: Any
) -> None:
    figure = contract.obligations.filter(kind=Kind.FIGURE).first() or contract.obligations.first()
    document = contract.obligations.filter(kind=Kind.DOCUMENT).first()
    assert document is not None

    with pytest.raises(actions.ContractError):
        actions.deliver(document, acting_user=supplier.user, comment="no file")
    actions.deliver(document, acting_user=supplier.user, data=b"%PDF-1.4 report", filename="report.pdf")
    actions.return_obligation(document, acting_user=procurer.user, comment="The smelter list is missing.")
    with pytest.raises(actions.ContractError):
        actions.dispute(document, acting_user=supplier.user, comment="")
    actions.dispute(document, acting_user=supplier.user, comment="It is on page 4.")
    actions.accept(document, acting_user=procurer.user, comment="Found it.")

    document.refresh_from_db()
    assert document.status == Obligation.Status.ACCEPTED
    trail = [(e.action, e.by, e.comment) for e in document.events.exclude(action="created")]
    assert trail == [
        ("delivered", supplier.user, ""),
        ("returned", procurer.user, "The smelter list is missing."),
        ("disputed", supplier.user, "It is on page 4."),
        ("accepted", procurer.user, "Found it."),
    ]
    assert figure is not None


def test_figures_read_by_the_number_rule_and_refuse_negatives(
    framework: FrameworkVersion, procurer: Any
) -> None:
    take_back = Criterion.objects.filter(version=framework, topic__contains="take-back").first()
    contract = actions.create_contract(
        procurer.organisation, reference="OLD-2", title="t", supplier_name="Acme", value=Decimal(1),
        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), framework_version=framework,
        criteria=[(take_back, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)], acting_user=procurer.user,
    )  # fmt: skip
    obligation = contract.obligations.get()
    with pytest.raises(actions.ContractError):
        actions.deliver(obligation, acting_user=None, values={"taken_back_units": "-3", "taken_back_kg": "1"})
    with pytest.raises(actions.ContractError):
        actions.deliver(obligation, acting_user=None, values={"taken_back_units": "12"})
    submission = actions.deliver(
        obligation, acting_user=None, values={"taken_back_units": "120", "taken_back_kg": "1.234,5"}
    )
    assert submission.values == {"taken_back_units": "120", "taken_back_kg": "1234.5"}


def test_changing_the_frequency_keeps_what_was_delivered(
    contract: Contract, procurer: Any, supplier: Any
) -> None:
    row = contract.criteria.filter(type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE).first()
    first = row.obligations.order_by("period").first()
    # The clause asks for a CMRT, which it takes alone; a PDF for any other.
    data, filename = (synthetic_template(), "a.xlsx") if expected_templates(first) else (pdf("x"), "a.pdf")
    actions.deliver(first, acting_user=supplier.user, data=data, filename=filename, values={
        f["key"]: "1" for f in first.figures}, declared=True)  # fmt: skip

    actions.change_frequency(row, Frequency.ONCE, acting_user=procurer.user)

    assert list(row.obligations.values_list("period", "status")) == [(1, "delivered")]


def test_reminders_overdue_and_escalation_are_sent_once_each(
    contract: Contract, procurer: Any, supplier: Any
) -> None:
    supplier.user.email = "sid@supplier.example"
    supplier.user.save(update_fields=["email"])
    boss = make_persona("bea", procurer.organisation.slug, procurer.organisation.type, Membership.Role.ADMIN)
    boss.user.email = "bea@buyer.example"
    boss.user.save(update_fields=["email"])
    first_due = contract.obligations.order_by("due_date").first().due_date
    count = contract.obligations.filter(due_date=first_due).count()

    call_command("contracts", "remind", "--today", (first_due - timedelta(days=20)).isoformat())
    assert len(mail.outbox) == 0
    call_command("contracts", "remind", "--today", (first_due - timedelta(days=3)).isoformat())
    call_command("contracts", "remind", "--today", (first_due - timedelta(days=2)).isoformat())
    assert len(mail.outbox) == count
    assert all(m.to == ["sid@supplier.example"] for m in mail.outbox)

    actions.send_notices(first_due + timedelta(days=1))
    actions.send_notices(first_due + timedelta(days=1))
    assert len(mail.outbox) == 2 * count
    actions.send_notices(first_due + timedelta(days=31))
    actions.send_notices(first_due + timedelta(days=40))
    assert len(mail.outbox) == 3 * count
    assert mail.outbox[-1].to == ["bea@buyer.example"]
    assert Notice.objects.filter(obligation__contract=contract).count() == 3 * count


def test_the_buyer_page_shows_what_is_due_late_delivered_and_accepted(
    contract: Contract, procurer: Any, supplier: Any
) -> None:
    obligations = list(contract.obligations.order_by("due_date", "id")[:2])
    Obligation.objects.filter(pk=obligations[0].pk).update(due_date=timezone.localdate() - timedelta(days=1))
    client = signed_in(procurer)

    page = client.get(f"/contracts/{contract.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="obligation-{obligations[0].pk}" data-state="late"' in html
    assert 'data-state="due"' in html


def test_the_supplier_delivers_through_its_page_and_the_buyer_accepts(
    contract: Contract, procurer: Any, supplier: Any
) -> None:
    obligation = contract.obligations.filter(kind=Kind.DOCUMENT).first()
    client = signed_in(supplier)
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence_book = workbook("2027")

    page = client.post(
        f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/",
        {"form": "deliver", "file": SimpleUploadedFile("cmrt.xlsx", evidence_book), "comment": "2027"},
    )
    assert page.status_code == 302
    submission = obligation.submissions.get()
    download = client.get(
        f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/evidence/{submission.pk}/"
    )
    assert (
        download.status_code == 200
        and b"".join(download.streaming_content if download.streaming else [download.content])
        == evidence_book
    )

    buyer = signed_in(procurer)
    assert (
        buyer.get(
            f"/contracts/{contract.pk}/obligations/{obligation.pk}/evidence/{submission.pk}/"
        ).status_code
        == 200
    )
    buyer.post(
        f"/contracts/{contract.pk}/obligations/{obligation.pk}/decide/",
        {"decision": "accept", "comment": "ok"},
    )
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.ACCEPTED
    assert "Accepted" in client.get(f"/contracts/supplier/{contract.pk}/").content.decode()


# -- boundaries -------------------------------------------------------------------------------------


def test_another_supplier_sees_nothing_of_the_contract(contract: Contract, procurer: Any) -> None:
    rival = make_persona("rita", "rival-supplies", "supporter", Membership.Role.ADMIN)
    client = signed_in(rival)
    obligation = contract.obligations.first()

    for url in (
        f"/contracts/supplier/{contract.pk}/",
        f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/",
        f"/contracts/{contract.pk}/",
        f"/contracts/tender/{contract.tender_id}/",
        f"/tenders/{contract.tender_id}/offers/compare/",
        f"/tenders/{contract.tender_id}/offers/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/",
            {"form": "deliver", "declared": "on"},
        ).status_code
        == 404
    )
    assert contract.reference not in client.get("/contracts/").content.decode()


def test_the_supplier_never_reaches_the_buyers_side(contract: Contract, supplier: Any) -> None:
    client = signed_in(supplier)
    obligation = contract.obligations.filter(kind=Kind.DOCUMENT).first()
    actions.deliver(obligation, acting_user=supplier.user, data=pdf("x"), filename="x.pdf")

    assert client.get(f"/contracts/{contract.pk}/").status_code == 404
    assert (
        client.post(
            f"/contracts/{contract.pk}/obligations/{obligation.pk}/decide/", {"decision": "accept"}
        ).status_code
        == 404
    )
    assert client.get(f"/tenders/{contract.tender_id}/offers/compare/").status_code == 404
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.DELIVERED


def test_another_buyer_never_sees_the_contract(contract: Contract, outsider: Any) -> None:
    client = signed_in(outsider)
    obligation = contract.obligations.first()
    submission = actions.deliver(
        contract.obligations.filter(kind=Kind.DOCUMENT).first(),
        acting_user=None,
        data=pdf("x"),
        filename="x.pdf",
    )

    for url in (
        f"/contracts/{contract.pk}/",
        f"/contracts/{contract.pk}/obligations/{submission.obligation_id}/evidence/{submission.pk}/",
        f"/contracts/supplier/{contract.pk}/",
        f"/contracts/tender/{contract.tender_id}/",
        f"/contracts/{contract.pk}/obligations/{obligation.pk}/decide/",
    ):
        assert client.get(url).status_code in {404, 405}, url
    assert contract.reference not in client.get("/contracts/").content.decode()
    with acting_for(outsider.user):
        assert not Contract.objects.filter(pk=contract.pk).exists()


def test_a_submission_of_another_obligation_is_not_reachable_by_tampering(
    contract: Contract, procurer: Any, supplier: Any
) -> None:
    other = awarded_tender(procurer, "CONTRACT-2")
    rival_org = make_persona("rex", "rex-supplies", "supporter", Membership.Role.ADMIN)
    second = contract_of(other, rival_org.organisation, procurer)
    hidden = actions.deliver(
        second.obligations.filter(kind=Kind.DOCUMENT).first(),
        acting_user=None,
        data=pdf("secret"),
        filename="s.pdf",
    )
    mine = contract.obligations.first()
    client = signed_in(supplier)

    assert (
        client.get(
            f"/contracts/supplier/{contract.pk}/obligations/{mine.pk}/evidence/{hidden.pk}/"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/contracts/supplier/{second.pk}/obligations/{hidden.obligation_id}/evidence/{hidden.pk}/"
        ).status_code
        == 404
    )
    assert ObligationEvent.objects.filter(obligation__contract=second).exists()


def test_a_viewer_of_the_supplier_reads_but_does_not_deliver(contract: Contract, supplier: Any) -> None:
    viewer = make_persona("vic", supplier.organisation.slug, "supporter", Membership.Role.VIEWER)
    client = signed_in(viewer)
    obligation = contract.obligations.first()

    assert client.get(f"/contracts/supplier/{contract.pk}/").status_code == 200
    assert (
        client.post(
            f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/",
            {"form": "deliver", "declared": "on"},
        ).status_code
        == 403
    )


def test_the_demo_has_an_awarded_tender_with_a_contract_accepted_returned_and_late(
    framework: FrameworkVersion,
) -> None:
    from cfit.demo import DEMO_PASSWORD, create_demo_data
    from cfit.demo.contracts import REFERENCE

    create_demo_data()
    create_demo_data()  # idempotent

    contract = Contract.unscoped.get(tender__reference=REFERENCE)
    assert contract.tender.status == "awarded"
    states = {o.state for o in contract.obligations.all()}
    assert {"accepted", "returned", "late", "due"} <= states
    supplier = Client()
    assert supplier.login(username="supplier", password=DEMO_PASSWORD)
    assert "late" in supplier.get(f"/contracts/supplier/{contract.pk}/").content.decode().lower()
    buyer = Client()
    assert buyer.login(username="procurer", password=DEMO_PASSWORD)
    assert buyer.get(f"/contracts/{contract.pk}/").status_code == 200


def test_a_finding_opens_a_corrective_action_the_supplier_closes_with_evidence(
    contract: Contract, procurer: Any, supplier: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    buyer = signed_in(procurer)
    smelter_list = workbook("smelters")
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
    seller = signed_in(supplier)
    page = seller.get(f"/contracts/supplier/{contract.pk}/").content.decode()
    assert "Remove the smelter from the supply chain." in page
    rival = signed_in(make_persona("rob", "rob-supplies", "supporter", Membership.Role.ADMIN))
    close = f"/contracts/supplier/{contract.pk}/findings/{finding.pk}/close/"

    assert (
        rival.post(
            close, {"close-note": "done", "close-file": SimpleUploadedFile("x.pdf", pdf("x"))}
        ).status_code
        == 404
    )
    seller.post(close, {"close-note": "Removed, see the new smelter list."})
    finding.refresh_from_db()
    assert finding.status == "open"  # no evidence, not closed
    with pytest.raises(actions.ContractError):
        actions.close_finding(finding, acting_user=supplier.user, data=b"", filename="", note="Removed it.")
    seller.post(
        close,
        {
            "close-note": "Removed, see the new smelter list.",
            "close-file": SimpleUploadedFile("list.xlsx", smelter_list),
        },
    )

    finding.refresh_from_db()
    assert (finding.status, finding.closed_by, finding.evidence_name) == (
        "closed",
        supplier.user,
        "list.xlsx",
    )
    evidence = buyer.get(f"/contracts/{contract.pk}/findings/{finding.pk}/evidence/")
    assert evidence.status_code == 200 and evidence.content == smelter_list
    assert rival.get(f"/contracts/supplier/{contract.pk}/findings/{finding.pk}/evidence/").status_code == 404


def test_a_finding_names_the_obligation_it_concerns_of_its_own_contract_only(
    contract: Contract, framework: FrameworkVersion, procurer: Any, supplier: Any
) -> None:
    """The buyer links a finding to the obligation whose evidence showed it; both sides see which.
    Another contract's obligation (even the same buyer's) is refused, naming the field, and nothing
    is recorded."""
    criterion = Criterion.objects.filter(version=framework, topic__contains="take-back").first()
    assert criterion is not None
    other = actions.create_contract(
        procurer.organisation, reference="OTHER-1", title="Monitors", supplier_name="Another BV",
        value=Decimal(1000), start_date=date(2027, 1, 1), end_date=date(2028, 1, 1),
        framework_version=framework, criteria=[(criterion, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)],
        acting_user=procurer.user,
    )  # fmt: skip
    obligation = contract.obligations.select_related("contract_criterion__criterion").first()
    foreign = other.obligations.first()
    assert obligation is not None and foreign is not None
    buyer = signed_in(procurer)
    finding = {
        "finding-kind": "non_conformant_smelter",
        "finding-description": "The smelter list names a smelter that is not conformant.",
        "finding-action": "Replace the smelter.",
        "finding-owner": "Sid, sourcing",
        "finding-deadline": "2099-09-30",
    }

    page = buyer.get(f"/contracts/{contract.pk}/").content.decode()
    assert f'value="{obligation.pk}"' in page and f'value="{foreign.pk}"' not in page
    refused = buyer.post(
        f"/contracts/{contract.pk}/findings/", {**finding, "finding-obligation": foreign.pk}, follow=True
    )
    assert not contract.findings.exists()
    assert "The finding is not recorded. Obligation it concerns: Select a valid choice." in (
        refused.content.decode()
    )
    buyer.post(f"/contracts/{contract.pk}/findings/", {**finding, "finding-obligation": obligation.pk})

    assert contract.findings.get().obligation == obligation
    code = obligation.contract_criterion.criterion.code
    for page in (
        buyer.get(f"/contracts/{contract.pk}/"),
        signed_in(supplier).get(f"/contracts/supplier/{contract.pk}/"),
    ):
        assert f"Concerns the obligation {code} due" in page.content.decode()


def test_the_buyer_records_deliveries_and_per_delivery_criteria_fall_due_after_each(
    contract: Contract, procurer: Any, supplier: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, "per delivery" could be chosen but no page recorded a delivery: no obligation ever fell
    due. A viewer, the supplier and another buyer cannot record one; a date outside the contract is
    refused and records nothing."""
    from cfit.contracts.schedule import PER_DELIVERY_AFTER_DAYS

    # At the contract's end, when every delivery below has been made (none is recorded ahead).
    first, last = contract.start_date, contract.end_date
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: last)
    march, may, september = (first.replace(month=month).isoformat() for month in (3, 5, 9))

    row = contract.criteria.filter(type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE).first()
    assert row is not None
    buyer = signed_in(procurer)
    buyer.post(f"/contracts/{contract.pk}/criteria/{row.pk}/frequency/", {"frequency": "per_delivery"})
    assert not row.obligations.filter(status=Obligation.Status.DUE).exists()
    url = f"/contracts/{contract.pk}/deliveries/"
    viewer = signed_in(make_persona("vera", procurer.organisation.slug, "procuring_participant", "viewer"))
    rival = signed_in(make_persona("rita", "rival-buyer", "procuring_participant", Membership.Role.PROCURER))
    for outsider in (viewer, signed_in(supplier), rival):
        assert outsider.post(url, {"delivery-delivered_on": march}).status_code in (403, 404)
    assert not contract.deliveries.exists()

    after_the_end = (last + timedelta(days=367)).isoformat()
    refused = buyer.post(url, {"delivery-delivered_on": after_the_end}, follow=True)
    assert "The delivery date lies outside the contract period." in refused.content.decode()
    assert not contract.deliveries.exists()
    page = buyer.post(url, {"delivery-delivered_on": march, "delivery-note": "40 notebooks"}, follow=True)

    assert "1 obligation falls due after it" in page.content.decode()
    assert "40 notebooks" in page.content.decode()
    due = row.obligations.get(status=Obligation.Status.DUE)
    assert due.due_date == date.fromisoformat(march) + timedelta(days=PER_DELIVERY_AFTER_DAYS)
    buyer.post(url, {"delivery-delivered_on": september})
    assert row.obligations.filter(status=Obligation.Status.DUE).count() == 2
    # Recorded late, out of order, or twice on one day: each delivery still brings its obligation.
    for day in (may, may, last - timedelta(days=11), last - timedelta(days=3)):
        buyer.post(url, {"delivery-delivered_on": str(day)})
    dates = sorted(row.obligations.values_list("due_date", flat=True))
    assert len(dates) == 6 and dates.count(date.fromisoformat(may) + timedelta(days=30)) == 2
    assert dates[-2:] == [last, last]  # the contract's last day
