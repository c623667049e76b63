"""A whole monitoring campaign through the pages: the coordinator opens it, a participant accepts the
pre-filled figures, corrects one and submits, the coordinator accepts, reviews what would be shown and
publishes, and the public results page shows the new aggregate (two more members reported, so that it
rests on enough reports to be shown)."""

from __future__ import annotations

from typing import Any

import pytest

from cfit.accounts.models import Membership, Organisation
from cfit.fleet.actions import import_register_file
from cfit.monitoring import actions
from cfit.monitoring.models import Campaign
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership

from ..conftest import make_persona
from .test_library import shot
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGISTER = (
    "asset_key,product_group,manufacturer,model,quantity,purchase_date,status,retired_date,end_of_use_route\n"
    "L-1,notebooks,Dell,Latitude 5420,120,2025-03-01,in_use,,\n"
    "M-1,monitors,Dell,P2422H,40,2018-05-01,retired,2025-04-01,reuse\n"
)


def new_page(browser: Any) -> Any:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_whole_campaign(live_server: Any, browser: Any, page: Any) -> None:
    coco = make_persona(
        "coco", "nl-ministry", Organisation.Type.COORDINATING_PARTICIPANT, Membership.Role.ADMIN
    )
    ada = make_persona(
        "ada", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN
    )
    ada.organisation.users_served = 9500
    ada.organisation.save()
    group = pact.create_buyer_group(
        coco.organisation, name="Buyer group ICT NL", slug="nl", country="NL", language="nl"
    )
    GroupMembership.objects.create(
        group=group, organisation=ada.organisation, state=GroupMembership.State.ACTIVE
    )
    import_register_file(ada.organisation, REGISTER.encode(), "register.csv")
    base = live_server.url

    # The coordinator opens the campaign.
    sign_in(page, base, "coco")
    page.goto(base + "/monitoring/")
    page.click("#new-campaign")
    page.select_option("#id_scope", "nl")
    page.fill("#id_year", "2025")
    page.fill("#id_title", "Monitoring 2025 NL")
    page.fill("#id_opens", "2026-01-15")
    page.fill("#id_deadline", "2026-03-31")
    page.locator("#campaign-form button").click()
    page.wait_for_selector("#members")
    campaign_url = page.url
    campaign = Campaign.objects.get(group=group, year=2025)
    for slug, users, notebooks in (("utrecht", 4200, 100), ("delft", 3900, 110)):
        other = Organisation.objects.create(
            slug=slug, name=slug.title(), country="NL", type=Organisation.Type.PROCURING_PARTICIPANT
        )
        GroupMembership.objects.create(group=group, organisation=other, state=GroupMembership.State.ACTIVE)
        report = actions.start_report(campaign, other, acting_user=None)
        actions.save_values(
            report, {("users_served", ""): users, ("units_new", "notebooks"): notebooks}, acting_user=None
        )
        actions.submit(report, acting_user=None)

    # The participant starts the pre-filled report, corrects one figure and submits.
    participant = new_page(browser)
    sign_in(participant, base, "ada")
    participant.goto(base + "/monitoring/")
    participant.locator("#open-campaigns button").click()
    participant.wait_for_selector("#report-form")
    assert participant.locator("#id_v__units_new__notebooks").input_value() == "120"
    assert participant.locator("#id_v__users_served__").input_value() == "9500"
    assert participant.locator("#indicator-units_new .origin-prefilled").count() >= 1
    participant.fill("#id_v__users_served__", "9800")
    participant.check("#id_shared")
    shot(participant, "monitoring-report")
    participant.click("#submit-report")
    participant.wait_for_selector("#report-state")
    assert participant.locator("#report-state").inner_text() == "Submitted"

    # The coordinator accepts it and publishes the results.
    page.goto(campaign_url)
    form = page.locator("form.decide[data-organisation=rijkswaterstaat]")
    form.locator("button[value=accept]").click()
    page.wait_for_selector("#members")
    assert "Accepted" in page.locator("#members").inner_text()
    assert "3 of 4 members reported" in page.content()  # the coordinator did not report
    page.click("#publish")
    page.wait_for_selector("#publish-form")
    assert "2 reports are in but not accepted yet" in page.locator("#publish-warnings").inner_text()
    page.check("#id_confirm")
    page.click("#confirm-publish")
    page.wait_for_selector("text=The collective results of this campaign are public.")

    # The public sees the new aggregate.
    public = new_page(browser)
    public.goto(base + "/results/?scope=nl")
    public.wait_for_selector("#results")
    text = public.locator("#results").inner_text()
    assert "17,900" in text and "330" in text  # users served and notebooks bought, of three reports
    assert public.locator("#chart-devices svg rect").count() > 0
    shot(public, "collective-results")
