"""The four-eyes sign-off of an evaluation: prepared by one member, approved by another, bound to a digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cfit.accounts.models import Membership
from cfit.accounts.scoping import acting_for
from cfit.offers import actions, signoff
from cfit.offers.evaluation import evaluate_tender
from cfit.offers.models import EvaluationSignOff, OfferLine
from cfit.tenders.models import Tender

from .evaluation_helpers import build_tender, colleague, open_offers, submit

WARRANTY = "pc-warranty-b.years"


@pytest.fixture
def tender(procurer, framework) -> Tender:
    tender = build_tender(procurer.organisation, reference="SIGN-1")
    submit(tender, "Alpha", {1: [{"line_id": "A-1"}]})
    submit(tender, "Beta", {1: [{"line_id": "B-1", "unit_price_eur": 850, WARRANTY: 2}]})
    return open_offers(tender)


@pytest.fixture
def second(procurer):
    """Quinn, a second procurer at Rijkswaterstaat: the other pair of eyes."""
    return colleague(procurer, "quinn")


def override(tender: Tender, procurer, line_id: str = "B-1", decision: str = "pass") -> None:
    line = OfferLine.objects.select_related("offer__tender").get(offer__tender=tender, line_id=line_id)
    actions.override_result(
        line,
        WARRANTY,
        decision,
        "The datasheet on page 4 states a 5-year warranty.",
        acting_user=procurer.user,
    )


def current_digest(tender: Tender, user) -> str:
    with acting_for(user):
        return signoff.digest(evaluate_tender(tender))


def test_the_same_evaluation_has_the_same_digest_and_an_override_changes_it(tender: Tender, procurer) -> None:
    first = current_digest(tender, procurer.user)

    again = current_digest(tender, procurer.user)
    override(tender, procurer, decision="fail")  # changes no result (B-1 already fails), only the trail
    after = current_digest(tender, procurer.user)

    assert first == again and len(first) == 64
    assert after != first


def test_two_members_sign_off_and_the_tender_is_signed_off(tender: Tender, procurer, second) -> None:
    prepared = signoff.prepare_sign_off(
        tender, acting_user=procurer.user, note="Checked the warranty answers."
    )

    assert not signoff.is_signed_off(tender)
    approved = signoff.approve_sign_off(prepared, acting_user=second.user)

    assert approved.approved_by == second.user and approved.approved_at is not None
    assert approved.digest == current_digest(tender, procurer.user)
    assert signoff.is_signed_off(tender)


def test_the_preparer_cannot_approve_their_own_sign_off(tender: Tender, procurer) -> None:
    prepared = signoff.prepare_sign_off(tender, acting_user=procurer.user)

    with pytest.raises(signoff.SignOffError, match="Four eyes"):
        signoff.approve_sign_off(prepared, acting_user=procurer.user)

    assert not signoff.is_signed_off(tender)


@pytest.mark.parametrize("who", ["viewer", "outsider", "asset_manager"])
def test_only_an_editing_member_of_the_buyer_approves(
    tender: Tender, procurer, who: str, request: pytest.FixtureRequest
) -> None:
    prepared = signoff.prepare_sign_off(tender, acting_user=procurer.user)
    if who == "outsider":
        approver = request.getfixturevalue("outsider")
    else:
        approver = colleague(procurer, f"{who}-member", role=getattr(Membership.Role, who.upper()))

    with pytest.raises(signoff.SignOffError, match="administrator or procurer"):
        signoff.approve_sign_off(prepared, acting_user=approver.user)
    with pytest.raises(signoff.SignOffError, match="administrator or procurer"):
        signoff.prepare_sign_off(tender, acting_user=approver.user)

    assert not EvaluationSignOff.unscoped.filter(approved_at__isnull=False).exists()


def test_an_override_after_preparation_needs_a_new_sign_off(tender: Tender, procurer, second) -> None:
    prepared = signoff.prepare_sign_off(tender, acting_user=procurer.user)
    override(tender, procurer)

    with pytest.raises(signoff.SignOffError, match="changed after the sign-off was prepared"):
        signoff.approve_sign_off(prepared, acting_user=second.user)
    renewed = signoff.prepare_sign_off(tender, acting_user=second.user)
    signoff.approve_sign_off(renewed, acting_user=procurer.user)

    assert signoff.is_signed_off(tender)
    assert EvaluationSignOff.unscoped.filter(tender=tender).count() == 2


def test_an_override_after_approval_undoes_the_sign_off(tender: Tender, procurer, second) -> None:
    signoff.approve_sign_off(
        signoff.prepare_sign_off(tender, acting_user=procurer.user), acting_user=second.user
    )

    override(tender, procurer)

    assert not signoff.is_signed_off(tender)


def test_the_same_evaluation_is_prepared_once(tender: Tender, procurer, second) -> None:
    signoff.prepare_sign_off(tender, acting_user=procurer.user)

    with pytest.raises(signoff.SignOffError, match="waits for a second member"):
        signoff.prepare_sign_off(tender, acting_user=second.user)


def test_sealed_offers_cannot_be_signed_off(procurer, framework) -> None:
    tender = build_tender(procurer.organisation, reference="SIGN-SEALED")
    submit(tender, "Alpha", {1: [{"line_id": "A-1"}]})

    with pytest.raises(signoff.SignOffError, match="sealed"):
        signoff.prepare_sign_off(tender, acting_user=procurer.user)


def test_an_approved_sign_off_is_not_approved_again(tender: Tender, procurer, second) -> None:
    prepared = signoff.prepare_sign_off(tender, acting_user=procurer.user)
    signoff.approve_sign_off(prepared, acting_user=second.user)
    admin = colleague(procurer, "ada", role=Membership.Role.ADMIN)

    with pytest.raises(signoff.SignOffError, match="already approved"):
        signoff.approve_sign_off(prepared, acting_user=admin.user)
    with pytest.raises(signoff.SignOffError, match="already signed off"):
        signoff.prepare_sign_off(tender, acting_user=admin.user)


# ---------------------------------------------------------------------------
# The buttons on the comparison page
# ---------------------------------------------------------------------------


def test_the_page_offers_prepare_then_approve_to_a_second_member(
    tender: Tender, procurer, second, client: Client
) -> None:
    compare = f"/tenders/{tender.pk}/offers/compare/"
    client.force_login(procurer.user)

    before = client.get(compare).content.decode()
    response = client.post(
        f"/tenders/{tender.pk}/offers/sign-off/", {"note": "Ready for approval."}, follow=True
    )
    own = response.content.decode()
    client.force_login(second.user)
    other = client.get(compare).content.decode()
    prepared = EvaluationSignOff.unscoped.get(tender=tender)
    approved = client.post(f"/tenders/{tender.pk}/offers/sign-off/{prepared.pk}/approve/", follow=True)

    assert 'id="prepare-sign-off"' in before and "Not signed off" in before
    assert "Waiting for approval" in own and 'id="approve-sign-off"' not in own
    assert "you prepared it, so you cannot" in own
    assert 'id="approve-sign-off"' in other and "prepared by pia" in other and "Ready for approval." in other
    text = approved.content.decode()
    assert "Evaluation signed off by two members." in text and "approved by quinn" in text
    assert 'id="prepare-sign-off"' not in text and 'id="approve-sign-off"' not in text
    assert signoff.is_signed_off(tender)


def test_the_page_refuses_the_preparer_and_outsiders(
    tender: Tender, procurer, second, outsider, client: Client
) -> None:
    prepared = signoff.prepare_sign_off(tender, acting_user=procurer.user)
    approve = f"/tenders/{tender.pk}/offers/sign-off/{prepared.pk}/approve/"
    client.force_login(procurer.user)

    refused = client.post(approve, follow=True).content.decode()
    client.force_login(outsider.user)
    hidden = client.post(approve)
    viewer = colleague(procurer, "vic", role=Membership.Role.VIEWER)
    client.force_login(viewer.user)
    forbidden = client.post(approve)

    assert "Four eyes" in refused
    assert hidden.status_code == 404 and forbidden.status_code == 403
    assert client.get(f"/tenders/{tender.pk}/offers/sign-off/").status_code == 405
    prepared.refresh_from_db()
    assert not prepared.is_approved


def test_the_page_shows_a_stale_sign_off(tender: Tender, procurer, second, client: Client) -> None:
    signoff.approve_sign_off(
        signoff.prepare_sign_off(tender, acting_user=procurer.user), acting_user=second.user
    )
    override(tender, procurer)
    client.force_login(second.user)

    html = client.get(f"/tenders/{tender.pk}/offers/compare/").content.decode()

    assert "the evaluation changed after the last sign-off" in html and 'id="prepare-sign-off"' in html


def test_a_sign_off_needs_the_offers_open(procurer, framework, client: Client) -> None:
    tender = build_tender(procurer.organisation, reference="SIGN-EARLY")
    submit(tender, "Alpha", {1: [{"line_id": "A-1"}]})
    Tender.unscoped.filter(pk=tender.pk).update(offers_deadline=timezone.now() + timedelta(hours=1))
    client.force_login(procurer.user)

    response = client.post(f"/tenders/{tender.pk}/offers/sign-off/")

    assert response.status_code == 403 and not EvaluationSignOff.unscoped.exists()
