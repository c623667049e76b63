"""Joining and learning from peers, end to end in the browser.

An organisation applies without an account and signs the pact in the platform; Sam of the secretariat
approves it and it appears on the public list. Pia publishes a case study of her awarded tender, and
Louise, a buyer elsewhere, finds it by one of its criteria.
"""

from __future__ import annotations

from typing import Any

import pytest

from cfit.casestudies.models import CaseStudy
from cfit.criteria.models import FrameworkVersion
from cfit.joining.models import Application

from ..conftest import PASSWORD
from ..contract_helpers import awarded_tender
from .test_library import shot
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organisation_joins_and_a_buyer_finds_a_peers_case_study(
    live_server: Any, browser: Any, page: Any, framework: FrameworkVersion,
    procurer: Any, outsider: Any, secretary: Any,
) -> None:  # fmt: skip
    base = live_server.url

    # Uma applies for her city, signing the pact here and making her account on the way.
    page.goto(f"{base}/organisations/")
    page.click("#join-link")
    page.fill("#id_organisation_name", "Gemeente Utrecht")
    page.select_option("#id_country", "NL")
    page.check("input[name=type][value=procuring_participant]")
    page.fill("#id_users_served", "4200")
    page.fill("#id_contact_name", "Uma Utrecht")
    page.fill("#id_contact_email", "uma@utrecht.example")
    page.check("input[name=sign-signing][value=in_platform]")
    page.fill("#id_sign-signer_name", "Uma Utrecht")
    page.fill("#id_sign-signer_role", "Chief information officer")
    page.check("#id_sign-agree")
    page.fill("#id_account-username", "uma")
    page.fill("#id_account-password1", PASSWORD)
    page.fill("#id_account-password2", PASSWORD)
    shot(page, "join-apply")
    page.locator("#application-form button.primary").click()
    page.wait_for_selector("#state")
    assert "Submitted" in page.inner_text("#state")

    # Sam of the secretariat approves it; the organisation is on the public list at once.
    sam = browser.new_context(locale="en-GB").new_page()
    sign_in(sam, base, secretary.user.username)
    sam.goto(f"{base}/join/review/")
    sam.click("#waiting a")
    sam.check("input[name=decision][value=approve]")
    sam.locator("#decision-form button").click()
    sam.wait_for_selector("#state")
    assert "Approved" in sam.inner_text("#state")
    page.goto(f"{base}/organisations/")
    assert "Gemeente Utrecht" in page.inner_text("#organisations")
    assert Application.objects.get().organisation is not None

    # Pia publishes a case study of her awarded tender.
    tender = awarded_tender(procurer)
    pia = browser.new_context(locale="en-GB").new_page()
    sign_in(pia, base, procurer.user.username)
    pia.goto(f"{base}/case-studies/")
    pia.locator("#finished-tenders button").click()
    pia.wait_for_selector("#case-study-form")
    pia.fill("#id_title", "Laptops with a longer life")
    pia.check("#id_consent")
    pia.fill("#id_lessons_en", "Score battery replaceability.")
    shot(pia, "case-study-edit")
    pia.locator("#case-study-form button[name=publish]").click()
    pia.wait_for_selector("#lessons")
    case_study = CaseStudy.objects.get(tender=tender)
    assert case_study.status == CaseStudy.Status.PUBLISHED
    criterion = case_study.criteria()[0]

    # Louise, a buyer in Lyon, finds it by that criterion.
    louise = browser.new_context(locale="en-GB").new_page()
    sign_in(louise, base, outsider.user.username)
    louise.goto(f"{base}/case-studies/")
    louise.select_option("#filter-criterion", criterion)
    louise.locator("#case-study-filters button").click()
    louise.wait_for_url(f"**criterion={criterion}**")
    louise.click("#case-studies a")
    louise.wait_for_selector("#lessons")
    assert "Score battery replaceability." in louise.inner_text("#lessons")
    shot(louise, "case-study-found")
