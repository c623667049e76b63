"""The submission window of a tender: a deadline, receipts, offers sealed until the deadline, questions.

Pia (``procurer``) runs the tender; GreenRefurb (Sid's company, ``supplier``) and Rival BV send offers
through their upload links; Louise (``outsider``) runs another organisation's tender. Time moves by
updating the deadline, never by sleeping.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from cfit.accounts.scoping import system_scope
from cfit.demo.offers import create_demo_offers
from cfit.offers import actions, signoff
from cfit.offers.access import OffersSealed, check_opened
from cfit.offers.models import Clarification, Offer, OfferLine, OfferReceipt, UploadLink
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from .evaluation_helpers import colleague
from .test_offers import fill, move_deadline, open_offers, publish


def draft(persona: Any, reference: str = "WINDOW-1") -> Tender:
    tender = tender_actions.create_tender(
        persona.organisation, title="Laptops 2027", reference=reference, acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=20, acting_user=None)
    return tender


@pytest.fixture
def tender(procurer, framework) -> Tender:
    return publish(draft(procurer))


def upload(client: Client, link: UploadLink, data: bytes, name: str = "offer.xlsx") -> Any:
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/offers/upload/{link.token}/", {"file": file}, follow=True)


def in_days(days: float) -> datetime:
    return timezone.now() + timedelta(days=days)


# -- the deadline -----------------------------------------------------------------------------------------


def test_publishing_is_refused_without_a_deadline_in_the_future(procurer, framework, client: Client) -> None:
    tender = draft(procurer)

    with pytest.raises(tender_actions.TenderError, match="deadline"):
        tender_actions.publish_tender(tender, acting_user=None)
    tender_actions.set_offers_deadline(tender, in_days(1), acting_user=procurer.user)
    Tender.unscoped.filter(pk=tender.pk).update(offers_deadline=in_days(-1))  # it passed while a draft
    with pytest.raises(tender_actions.TenderError, match="deadline"):
        tender_actions.change_status(tender, "published", acting_user=None)
    client.force_login(procurer.user)
    refused = client.post(
        f"/api/v1/tenders/{tender.pk}/status", {"status": "published"}, content_type="application/json"
    )

    assert refused.status_code == 400 and "deadline" in refused.json()["detail"]
    tender.refresh_from_db()
    assert tender.is_draft


def test_the_procurer_sets_the_deadline_on_the_tenders_page_and_then_publishes(
    procurer, framework, client: Client
) -> None:
    tender = draft(procurer)
    client.force_login(procurer.user)
    local = timezone.localtime(in_days(10)).replace(second=0, microsecond=0)

    response = client.post(
        f"/tenders/{tender.pk}/", {"offers_deadline": local.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    client.post(f"/tenders/{tender.pk}/status/", {"status": "published"})

    tender.refresh_from_db()
    assert tender.offers_deadline == local and timezone.is_aware(tender.offers_deadline)
    assert "Offers are received until" in response.content.decode()
    assert tender.status == Tender.Status.PUBLISHED


def test_a_viewer_cannot_set_the_deadline(procurer, framework, client: Client) -> None:
    from cfit.accounts.models import Membership

    from .conftest import make_persona

    tender = draft(procurer)
    viewer = make_persona(
        "vera", procurer.organisation.slug, procurer.organisation.type, Membership.Role.VIEWER
    )
    client.force_login(viewer.user)

    response = client.post(f"/tenders/{tender.pk}/", {"offers_deadline": "2099-01-01T12:00"})

    assert response.status_code == 403
    tender.refresh_from_db()
    assert tender.offers_deadline is None


def test_the_api_sets_and_only_extends_a_published_deadline(procurer, framework, client: Client) -> None:
    tender = draft(procurer)
    client.force_login(procurer.user)
    url = f"/api/v1/tenders/{tender.pk}/deadline"

    def put(moment: str) -> Any:
        return client.put(url, {"offers_deadline": moment}, content_type="application/json")

    assert put("2099-01-01T12:00:00").status_code == 422  # no time zone
    past = put(in_days(-1).isoformat())
    assert past.status_code == 400 and "future" in past.json()["detail"]
    first = put(in_days(10).isoformat())
    assert first.status_code == 200 and first.json()["offers_deadline"]
    tender = tender_actions.change_status(tender, "published", acting_user=None)
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    shorter = put(in_days(5).isoformat())
    assert shorter.status_code == 400 and "extended" in shorter.json()["detail"]
    later = in_days(20)
    assert put(later.isoformat()).status_code == 200

    link.refresh_from_db()
    assert link.expires_at == later  # open links move with the deadline
    move_deadline(tender, timedelta(seconds=-1))
    reopened = put(in_days(30).isoformat())
    assert reopened.status_code == 400 and "open" in reopened.json()["detail"]


def test_an_upload_link_expires_at_the_deadline(tender: Tender, procurer) -> None:
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)

    assert link.expires_at == tender.offers_deadline


def test_a_tender_is_awarded_only_after_the_deadline_and_a_four_eyes_sign_off(
    tender: Tender, procurer
) -> None:
    actions.import_offer(
        tender, fill(tender, [{"line_id": "A-1"}]), "a.xlsx", supplier="Alpha", acting_user=None
    )
    with pytest.raises(tender_actions.TenderError, match="after the deadline"):
        tender_actions.change_status(tender, "awarded", acting_user=None)

    open_offers(tender)
    with pytest.raises(tender_actions.TenderError, match="signed off"):
        tender_actions.change_status(tender, "awarded", acting_user=None)
    quinn = colleague(procurer, "quinn")
    signoff.approve_sign_off(
        signoff.prepare_sign_off(tender, acting_user=procurer.user), acting_user=quinn.user
    )
    assert tender_actions.change_status(tender, "awarded", acting_user=None).status == Tender.Status.AWARDED


# -- receiving ----------------------------------------------------------------------------------------------


def test_an_upload_after_the_deadline_is_refused_and_stores_nothing(
    tender: Tender, procurer, client: Client, tmp_path: Path
) -> None:
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    data = fill(tender, [{"line_id": "GR-1"}])
    open_offers(tender)
    client.force_login(procurer.user)

    page = upload(Client(), link, data).content.decode()
    file = io.BytesIO(data)
    file.name = "alpha.xlsx"
    api = client.post(f"/api/v1/tenders/{tender.pk}/offers/", {"supplier": "Alpha", "file": file})
    path = tmp_path / "alpha.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="deadline"):
        call_command("offers", "import", "--tender", str(tender.pk), "--supplier", "Alpha", str(path))
    with pytest.raises(actions.OfferError, match="deadline"):
        actions.import_offer(tender, data, "alpha.xlsx", supplier="Alpha")

    assert "deadline for offers has passed" in page and 'id="offer-upload"' not in page
    assert api.status_code == 400 and "deadline" in api.json()["detail"]
    with system_scope():
        assert not Offer.objects.exists() and not OfferReceipt.objects.exists()
    assert not OfferLine.objects.exists()


def test_a_receipt_holds_the_sha256_of_the_exact_bytes_received(tender: Tender, procurer) -> None:
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    first, second = fill(tender, [{"line_id": "GR-1"}]), fill(tender, [{"line_id": "GR-2"}])
    anonymous = Client()

    response = upload(anonymous, link, first, "green.xlsx")
    upload(anonymous, link, second, "green-v2.xlsx")  # replaces the offer, keeps the first receipt

    receipts = list(OfferReceipt.unscoped.filter(link=link).order_by("received_at", "id"))
    assert [r.sha256 for r in receipts] == [
        hashlib.sha256(first).hexdigest(),
        hashlib.sha256(second).hexdigest(),
    ]
    assert [(r.filename, r.size, r.via) for r in receipts] == [
        ("green.xlsx", len(first), Offer.Via.UPLOAD_LINK),
        ("green-v2.xlsx", len(second), Offer.Via.UPLOAD_LINK),
    ]
    link.refresh_from_db()
    assert receipts[0].offer is None and receipts[1].offer == link.offer
    assert f"Your receipt: SHA-256 {receipts[0].sha256}" in response.content.decode()
    page = anonymous.get(f"/offers/upload/{link.token}/").content.decode()
    assert receipts[0].sha256 in page and receipts[1].sha256 in page and "green-v2.xlsx" in page


def test_an_import_gets_a_receipt_naming_who_received_it(tender: Tender, procurer) -> None:
    data = fill(tender, [{"line_id": "A-1"}])

    receipt = actions.import_offer(tender, data, "alpha.xlsx", supplier="Alpha", acting_user=procurer.user)

    assert receipt.sha256 == hashlib.sha256(data).hexdigest()
    assert (receipt.received_by, receipt.via, receipt.link) == (procurer.user, Offer.Via.IMPORT, None)
    assert receipt.offer is not None and receipt.offer.supplier == "Alpha"


def test_a_refused_file_gets_no_receipt(tender: Tender, procurer) -> None:
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)

    page = upload(Client(), link, b"not a workbook").content.decode()

    assert "nothing was stored" in page
    assert not OfferReceipt.unscoped.exists() and not Offer.unscoped.exists()


def test_a_second_supplier_never_sees_the_first_suppliers_receipts(tender: Tender, procurer) -> None:
    green = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    rival = actions.issue_upload_link(tender, "Rival BV", acting_user=procurer.user)
    upload(Client(), green, fill(tender, [{"line_id": "GR-1"}]), "green-offer.xlsx")
    receipt = OfferReceipt.unscoped.get()

    page = Client().get(f"/offers/upload/{rival.token}/").content.decode()

    assert receipt.sha256 not in page and "green-offer.xlsx" not in page and "GreenRefurb" not in page
    assert 'id="receipts"' not in page


# -- sealed until the deadline ------------------------------------------------------------------------------


def test_the_offers_page_shows_only_how_many_arrived_before_the_deadline(
    tender: Tender, procurer, client: Client
) -> None:
    actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    actions.import_offer(
        tender, fill(tender, [{"line_id": "A-1"}, {"line_id": "A-2"}]), "alpha-file.xlsx", supplier="Alpha"
    )
    client.force_login(procurer.user)

    sealed = client.get(f"/tenders/{tender.pk}/offers/").content.decode()
    open_offers(tender)
    opened = client.get(f"/tenders/{tender.pk}/offers/").content.decode()

    assert "1 offer received so far" in sealed and "GreenRefurb" in sealed  # the links issued
    assert "Alpha" not in sealed and "alpha-file.xlsx" not in sealed and 'id="offers"' not in sealed
    assert 'id="compare-offers"' not in sealed
    assert "Alpha" in opened and 'id="offers"' in opened and 'id="compare-offers"' in opened


def test_check_opened_refuses_before_the_deadline(tender: Tender) -> None:
    with pytest.raises(OffersSealed, match="sealed until"):
        check_opened(tender)
    Tender.unscoped.filter(pk=tender.pk).update(offers_deadline=None)
    tender.refresh_from_db()
    with pytest.raises(OffersSealed, match="not set"):
        check_opened(tender)

    open_offers(tender)
    check_opened(tender)


def test_the_offers_api_is_sealed_until_the_deadline(tender: Tender, procurer, client: Client) -> None:
    client.force_login(procurer.user)
    file = io.BytesIO(fill(tender, [{"line_id": "A-1"}]))
    file.name = "alpha.xlsx"

    sent = client.post(f"/api/v1/tenders/{tender.pk}/offers/", {"supplier": "Alpha", "file": file})
    listed = client.get(f"/api/v1/tenders/{tender.pk}/offers/")
    evaluated = client.get(f"/api/v1/tenders/{tender.pk}/offers/evaluation")
    open_offers(tender)
    listed_after = client.get(f"/api/v1/tenders/{tender.pk}/offers/")

    assert sent.status_code == 201 and set(sent.json()) == {
        "id",
        "supplier",
        "via",
        "filename",
        "size",
        "sha256",
        "received_at",
    }
    assert sent.json()["via"] == Offer.Via.API
    assert listed.status_code == 403 and "sealed until" in listed.json()["detail"]
    assert evaluated.status_code == 403
    assert listed_after.status_code == 200 and listed_after.json()[0]["supplier"] == "Alpha"


def test_comparison_line_and_report_are_sealed_until_the_deadline(
    tender: Tender, procurer, client: Client
) -> None:
    """Needs ``check_opened(tender)`` in the three evaluation views."""
    actions.import_offer(tender, fill(tender, [{"line_id": "A-1"}]), "a.xlsx", supplier="Alpha")
    line = OfferLine.objects.get()
    client.force_login(procurer.user)
    urls = [
        f"/tenders/{tender.pk}/offers/compare/",
        f"/tenders/{tender.pk}/offers/lines/{line.pk}/",
        f"/tenders/{tender.pk}/offers/report.docx",
        f"/tenders/{tender.pk}/offers/report.xlsx",
    ]

    before = {url: client.get(url) for url in urls}
    open_offers(tender)
    after = {url: client.get(url).status_code for url in urls}

    for url, response in before.items():
        assert response.status_code == 403, url
        assert "Offers are sealed until" in response.content.decode(), url
    assert after == dict.fromkeys(urls, 200)


def test_results_cannot_be_overridden_before_the_deadline(tender: Tender, procurer) -> None:
    actions.import_offer(tender, fill(tender, [{"line_id": "A-1"}]), "a.xlsx", supplier="Alpha")
    line = OfferLine.objects.get()

    with pytest.raises(actions.OfferError, match="after the deadline"):
        actions.override_result(line, "any", "pass", "The datasheet shows it.", acting_user=procurer.user)


# -- questions and answers ----------------------------------------------------------------------------------


def test_suppliers_see_the_answers_of_their_tender_never_who_asked(
    tender: Tender, procurer, outsider, client: Client
) -> None:
    green = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    rival = actions.issue_upload_link(tender, "Rival BV", acting_user=procurer.user)
    lyon = publish(draft(outsider, "LYON-1"))
    elsewhere = actions.issue_upload_link(lyon, "GreenRefurb", acting_user=outsider.user)
    anonymous = Client()
    anonymous.post(
        f"/offers/upload/{green.token}/questions/", {"question": "May we offer refurbished docks?"}
    )
    anonymous.post(f"/offers/upload/{green.token}/questions/", {"question": "Is a 4-year warranty enough?"})
    first, second = Clarification.unscoped.order_by("id")
    client.force_login(procurer.user)

    buyer_page = client.get(f"/tenders/{tender.pk}/offers/").content.decode()
    client.post(
        f"/tenders/{tender.pk}/offers/questions/{first.pk}/answer/",
        {"answer": "Yes, with the same warranty."},
    )
    rival_page = anonymous.get(f"/offers/upload/{rival.token}/").content.decode()
    green_page = anonymous.get(f"/offers/upload/{green.token}/").content.decode()
    elsewhere_page = anonymous.get(f"/offers/upload/{elsewhere.token}/").content.decode()

    assert "May we offer refurbished docks?" in buyer_page and "4-year warranty" in buyer_page
    first.refresh_from_db()
    assert (first.answered_by, first.answer) == (procurer.user, "Yes, with the same warranty.")
    assert "May we offer refurbished docks?" in rival_page and "Yes, with the same warranty." in rival_page
    assert timezone.localtime(first.answered_at).strftime("%Y-%m-%d %H:%M") in rival_page
    assert "GreenRefurb" not in rival_page  # never who asked
    assert "4-year warranty" not in rival_page  # unanswered questions stay with who asked
    assert "4-year warranty" in green_page and "Yes, with the same warranty." in green_page
    assert "refurbished docks" not in elsewhere_page and "Yes, with the same" not in elsewhere_page
    assert second.answered_at is None


def test_questions_close_at_the_deadline(tender: Tender, procurer) -> None:
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    open_offers(tender)

    response = Client().post(f"/offers/upload/{link.token}/questions/", {"question": "Too late?"})

    assert response.status_code == 200 and "until the deadline for offers" in response.content.decode()
    assert not Clarification.unscoped.exists()


def test_an_outsider_cannot_answer_a_question(tender: Tender, procurer, outsider, client: Client) -> None:
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    question = actions.ask_clarification(link, "Which warranty?")
    client.force_login(outsider.user)

    response = client.post(
        f"/tenders/{tender.pk}/offers/questions/{question.pk}/answer/", {"answer": "Any, of course."}
    )

    assert response.status_code == 404
    question.refresh_from_db()
    assert not question.is_answered


# -- the demo -----------------------------------------------------------------------------------------------


def test_the_demo_tender_received_its_offers_before_its_deadline(procurer, framework) -> None:
    tender = draft(procurer, "DEMO-1")

    offers = create_demo_offers(tender)

    tender.refresh_from_db()
    receipts = list(OfferReceipt.unscoped.filter(tender=tender))
    assert tender.status == Tender.Status.PUBLISHED and len(offers) == len(receipts) == 3
    assert all(r.received_at < tender.offers_deadline < timezone.now() for r in receipts)
    assert all(r.link is not None and r.link.offer_id == r.offer_id for r in receipts)
    assert Clarification.unscoped.filter(tender=tender, answered_at__lt=tender.offers_deadline).count() == 1
    check_opened(tender)
