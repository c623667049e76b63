"""Case studies from finished tenders: the owner writes and publishes one, choosing what to show; other
buyers find it by product group, criterion and country; nothing of it is seen before it is published,
and offers are shown aggregated, a bidder named only with consent."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cfit.accounts.models import Membership
from cfit.casestudies.models import CaseStudy
from cfit.offers.signoff import approve_sign_off, prepare_sign_off
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from .conftest import Persona
from .contract_helpers import awarded_tender
from .evaluation_helpers import build_tender, colleague, open_offers, submit

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_data(case_study: CaseStudy, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Laptops with a longer life",
        "consent": "on",
        "show_criteria": "on",
        "show_ambitions": "on",
        "show_offers": "on",
        "show_result": "on",
        "what_bought": "40 refurbished-ready notebooks",
        "service_life_years": "6",
        "end_of_use": "Returned to the supplier for refurbishment.",
        "lessons_en": "Ask for battery replacement by the user.",
        "lessons_nl": "Vraag om een door de gebruiker vervangbare accu.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_buyer_publishes_a_case_study_that_others_find_by_criterion_and_country(
    framework: Any, procurer: Persona, outsider: Persona
) -> None:
    tender = awarded_tender(procurer)
    pia, louise, anonymous = signed_in(procurer.user), signed_in(outsider.user), Client()
    assert tender.reference in pia.get(reverse("casestudies:list")).text  # offered to write one
    assert tender.reference not in louise.get(reverse("casestudies:list")).text

    response = pia.post(reverse("casestudies:start", args=[tender.pk]))
    case_study = CaseStudy.objects.get()
    assert response.url == reverse("casestudies:edit", args=[case_study.pk])
    lot = case_study.lots[0]
    # The facts are aggregated: counts and point ranges, no bidder in them but the winner, kept apart.
    assert lot["offers"]["bids"] == 2 and 0 <= lot["offers"]["eligible"] <= 2
    assert all(0 <= met <= 2 for met in lot["offers"]["met"].values())
    assert case_study.service_life_years == lot["service_life_years"]
    criterion = lot["criteria"][0]["code"]

    # A draft is the organisation's only.
    detail = reverse("casestudies:detail", args=[case_study.pk])
    assert pia.get(detail).status_code == 200
    assert louise.get(detail).status_code == 404 and anonymous.get(detail).status_code == 404
    assert anonymous.get("/api/v1/case-studies").json() == []

    # Publishing needs consent.
    pia.post(
        reverse("casestudies:edit", args=[case_study.pk]),
        {**edit_data(case_study, consent=None), "publish": ""},
    )
    case_study.refresh_from_db()
    assert case_study.status == CaseStudy.Status.DRAFT
    pia.post(reverse("casestudies:edit", args=[case_study.pk]), {**edit_data(case_study), "publish": ""})
    case_study.refresh_from_db()
    assert case_study.status == CaseStudy.Status.PUBLISHED and case_study.lessons["nl"].startswith("Vraag")

    page = louise.get(detail).text
    assert "Laptops with a longer life" in page and "Ask for battery replacement" in page
    assert "Groene IT BV" not in page and "Budget Hardware NV" not in page  # no bidder named
    found = louise.get(reverse("casestudies:list"), {"criterion": criterion, "country": "NL"}).text
    assert "Laptops with a longer life" in found
    assert "Laptops with a longer life" not in louise.get(reverse("casestudies:list"), {"country": "FR"}).text
    assert (
        "Laptops with a longer life"
        not in louise.get(reverse("casestudies:list"), {"product_group": "servers"}).text
    )
    listed = anonymous.get("/api/v1/case-studies", {"criterion": criterion}).json()
    assert [(c["title"], c["organisation"], c["country"], c["product_groups"]) for c in listed] == [
        ("Laptops with a longer life", procurer.organisation.name, "NL", ["notebooks"])
    ]
    assert criterion in listed[0]["criteria"] and listed[0]["year"] == case_study.year

    # Naming the supplier is the owner's choice (with the supplier's consent); hiding criteria hides
    # them from the page, the finder and the API.
    pia.post(reverse("casestudies:edit", args=[case_study.pk]),
             {**edit_data(case_study, name_supplier="on", show_criteria=None), "publish": ""})  # fmt: skip
    page = louise.get(detail).text
    assert lot["winner"]["supplier"] in page and "criteria-asked" not in page
    assert anonymous.get("/api/v1/case-studies", {"criterion": criterion}).json() == []
    assert anonymous.get("/api/v1/case-studies").json()[0]["criteria"] == []

    # Withdrawn, it is the organisation's only again.
    pia.post(reverse("casestudies:withdraw", args=[case_study.pk]))
    assert louise.get(detail).status_code == 404 and anonymous.get("/api/v1/case-studies").json() == []


def test_only_the_owners_buyers_write_a_case_study_and_only_of_a_finished_tender(
    framework: Any, procurer: Persona, outsider: Persona
) -> None:
    # A tender closed without offers is enough here (and cheap): its case study tells no offers.
    tender = tender_actions.create_tender(
        procurer.organisation, title="Printers 2026", reference="PR-1", acting_user=procurer.user
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=5, acting_user=procurer.user)
    Tender.unscoped.filter(pk=tender.pk).update(status=Tender.Status.CLOSED)
    viewer = colleague(procurer, "vera", Membership.Role.VIEWER)
    start = reverse("casestudies:start", args=[tender.pk])
    assert signed_in(outsider.user).post(start).status_code == 404
    assert signed_in(viewer.user).post(start).status_code == 403
    assert Client().post(start).status_code == 302  # sign in first
    assert not CaseStudy.objects.exists()

    signed_in(procurer.user).post(start)
    case_study = CaseStudy.objects.get()
    edit = reverse("casestudies:edit", args=[case_study.pk])
    # The viewer reads the draft but does not change it; others do not even see it.
    assert signed_in(viewer.user).get(reverse("casestudies:detail", args=[case_study.pk])).status_code == 200
    assert signed_in(viewer.user).post(edit, edit_data(case_study)).status_code == 404
    assert signed_in(outsider.user).post(edit, edit_data(case_study)).status_code == 404
    assert (
        signed_in(outsider.user).post(reverse("casestudies:withdraw", args=[case_study.pk])).status_code
        == 404
    )
    case_study.refresh_from_db()
    assert case_study.status == CaseStudy.Status.DRAFT and case_study.title == tender.title
    assert case_study.lots[0]["offers"] == {"bids": 0, "eligible": 0}
    # A second case study of the same tender, or one of a tender still open, is refused.
    signed_in(procurer.user).post(start)
    assert CaseStudy.objects.count() == 1
    Tender.unscoped.filter(pk=tender.pk).update(status=Tender.Status.PUBLISHED)
    CaseStudy.objects.all().delete()
    assert signed_in(procurer.user).post(start).status_code == 404


def scored_tender(procurer: Persona, warranties: dict[str, int]) -> Tender:
    """An awarded notebooks tender whose warranty is an award criterion (30 points), one offer per
    supplier with its warranty in years."""
    tender = build_tender(procurer.organisation, reference="SCORED-1", award={1: {"pc-warranty-b": 30}})
    for supplier, years in warranties.items():
        submit(tender, supplier, {1: [{"line_id": "A-1", "pc-warranty-b.years": years}]})
    tender = open_offers(tender)
    approve_sign_off(
        prepare_sign_off(tender, acting_user=procurer.user), acting_user=colleague(procurer, "quinn").user
    )
    return tender_actions.change_status(tender, "awarded", acting_user=procurer.user)


def test_points_of_two_offers_are_not_published_and_the_page_says_why(
    framework: Any, procurer: Persona, outsider: Persona
) -> None:
    tender = scored_tender(procurer, {"Groene IT BV": 3, "Budget Hardware NV": 5})
    pia = signed_in(procurer.user)
    pia.post(reverse("casestudies:start", args=[tender.pk]))
    case_study = CaseStudy.objects.get()
    offers = case_study.lots[0]["offers"]

    # The facts keep no points of two offers (the lowest and highest would be each one's own), only why.
    assert offers["eligible"] == 2 and offers["points"] == {}
    assert offers["points_withheld"] == {"pc-warranty-b": "threshold"}
    pia.post(reverse("casestudies:edit", args=[case_study.pk]), {**edit_data(case_study), "publish": ""})
    page = signed_in(outsider.user).get(reverse("casestudies:detail", args=[case_study.pk])).text
    assert "points-withheld" in page and "fewer than 3 eligible offers" in page
    assert "disclosure rule" in page

    # Facts taken before the rule held the points of two offers: no page shows them either.
    lot = {**case_study.lots[0], "offers": {**offers, "points_withheld": {},
                                            "points": {"pc-warranty-b": {"weight": 30.0, "min": 11.5, "mean": 17.25, "max": 23.0}}}}  # fmt: skip
    CaseStudy.objects.filter(pk=case_study.pk).update(facts={**case_study.facts, "lots": [lot]})
    page = signed_in(outsider.user).get(reverse("casestudies:detail", args=[case_study.pk])).text
    assert "17.25" not in page and "23.0" not in page and "fewer than 3 eligible offers" in page


def test_points_of_three_offers_none_far_ahead_are_published(framework: Any, procurer: Persona) -> None:
    tender = scored_tender(procurer, {"Groene IT BV": 4, "Budget Hardware NV": 5, "Derde BV": 6})
    signed_in(procurer.user).post(reverse("casestudies:start", args=[tender.pk]))

    offers = CaseStudy.objects.get().lots[0]["offers"]

    assert offers["eligible"] == 3 and offers["points_withheld"] == {}
    assert set(offers["points"]) == {"pc-warranty-b"}
    # Only the mean: the lowest and highest points would each be one offer's own (and with three, a
    # bidder knowing its own points would know the other two).
    assert set(offers["points"]["pc-warranty-b"]) == {"weight", "mean"}


def test_a_case_study_never_shows_one_offers_points_even_from_facts_taken_before(
    framework: Any, procurer: Persona, outsider: Persona
) -> None:
    tender = scored_tender(procurer, {"Groene IT BV": 4, "Budget Hardware NV": 5, "Derde BV": 6})
    pia = signed_in(procurer.user)
    pia.post(reverse("casestudies:start", args=[tender.pk]))
    case_study = CaseStudy.objects.get()
    # Facts taken when the lowest and highest points were kept.
    offers = {**case_study.lots[0]["offers"], "points": {"pc-warranty-b": {"weight": 30.0, "min": 11.37, "mean": 17.21, "max": 23.09}}}  # fmt: skip
    lot = {**case_study.lots[0], "offers": offers}
    CaseStudy.objects.filter(pk=case_study.pk).update(facts={**case_study.facts, "lots": [lot]})
    case_study.refresh_from_db()
    pia.post(reverse("casestudies:edit", args=[case_study.pk]), {**edit_data(case_study), "publish": ""})

    page = signed_in(outsider.user).get(reverse("casestudies:detail", args=[case_study.pk])).text

    assert "17.21" in page or "17,21" in page
    assert not any(shown in page for shown in ("11.37", "11,37", "23.09", "23,09"))


def test_points_of_enough_offers_none_far_ahead_are_published() -> None:
    from cfit.casestudies.facts import disclosed_points
    from cfit.monitoring.disclosure import Rules

    points = {"C1": {"weight": 30.0, "min": 10.0, "mean": 15.0, "max": 20.0}}

    assert disclosed_points({"eligible": 3, "points": points, "points_withheld": {}}, Rules()) == (
        {"C1": {"weight": 30.0, "mean": 15.0}},
        {},
    )
    assert disclosed_points({"eligible": 3, "points": points}, Rules(min_reporters=4)) == (
        {},
        {"C1": "threshold"},
    )
    assert disclosed_points(
        {"eligible": 5, "points": {}, "points_withheld": {"C1": "dominance"}}, Rules()
    ) == (
        {},
        {"C1": "dominance"},
    )


def test_publishing_with_changes_is_all_or_nothing(framework: Any, procurer: Persona) -> None:
    tender = awarded_tender(procurer)
    pia = signed_in(procurer.user)
    pia.post(reverse("casestudies:start", args=[tender.pk]))
    case_study = CaseStudy.objects.get()

    # Publishing is refused (no consent): the changes sent with it are not saved half-way either.
    response = pia.post(
        reverse("casestudies:edit", args=[case_study.pk]),
        {**edit_data(case_study, consent=None, title="A new title"), "publish": ""},
    )

    case_study.refresh_from_db()
    assert response.status_code == 200 and "A new title" in response.text  # the form keeps what was typed
    assert case_study.status == CaseStudy.Status.DRAFT and case_study.title == tender.title
