"""A year of monitoring on a phone (360 × 740, touch), in Norwegian and in French: the coordinator opens
the campaign and sees who has reported; a member starts its pre-filled report, takes the workbook down
and puts it back, submits; the coordinator returns it with comments (the member is told by mail), the
member corrects and submits again, the coordinator accepts, reviews coverage and what would be hidden,
publishes and closes the campaign; the secretariat publishes the pact-wide results; the public reads
them, a hidden figure with its reason in sight, and downloads them as CSV and XLSX.

Every step keeps to the phone's width: no page scrolls sideways, and the fields, badges and buttons a
step needs are within the screen, not at the far end of a table that scrolls on its own. The pages are
asserted by codes, states and structure, and by the messages the catalogue already translates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cfit.accounts.models import Membership, Organisation
from cfit.fleet.actions import import_register_file
from cfit.monitoring import actions
from cfit.monitoring.models import Campaign, Report
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership

from ..conftest import make_persona
from .test_tender_builder import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
REGISTER = (
    "asset_key,product_group,manufacturer,model,quantity,purchase_date,status,retired_date,end_of_use_route\n"
    "L-1,notebooks,Dell,Latitude 5420,120,{bought},in_use,,\n"
)


@dataclass(frozen=True)
class Country:
    language: str
    locale: str
    country: str
    group: str
    coordinator: str
    member: str
    #: a message the catalogue already has, as the page must not show it: in English
    opened_in_english: str = "Campaign opened."


COUNTRIES = [
    Country("nb", "nb-NO", "NO", "Innkjøpsgruppe IKT Norge", "nora", "olav"),
    Country("fr", "fr-BE", "BE", "Groupement d'achat TIC belge", "bea", "lea"),
]

# Elements that end to the right of the screen: the ones a step needs (``strict``), or any outside a box
# that scrolls sideways on its own (a wide table may; what is in it is not cut off).
OUTSIDE = """([selector, strict]) => {
  const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    if (["auto", "scroll"].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  return [...document.querySelectorAll(selector)]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(e => strict || !scrolls(e))
    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[" + e.name + "]" : ""));
}"""


def phone(browser: Any, locale: str) -> Any:
    context = browser.new_context(locale=locale, viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def fits(page: Any, needed: str = "") -> None:
    """The page does not scroll sideways, nothing sticks out of it but inside a box that scrolls on its
    own, and what ``needed`` finds is within the screen itself."""
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], page.url
    assert page.evaluate(OUTSIDE, ["main *", False]) == [], page.url
    if needed:
        assert page.evaluate(OUTSIDE, [needed, True]) == [], page.url


def download(page: Any, selector: str, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        page.locator(selector).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_bytes()


@pytest.mark.parametrize("land", COUNTRIES, ids=[c.language for c in COUNTRIES])
def test_a_year_of_monitoring_on_a_phone(
    live_server: Any, browser: Any, secretary: Any, land: Country, tmp_path: Path
) -> None:
    today = timezone.localdate()
    year = today.year - 1
    coordinator = make_persona(
        land.coordinator, f"{land.coordinator}-agency", Organisation.Type.COORDINATING_PARTICIPANT,
        Membership.Role.ADMIN, land.country,
    )  # fmt: skip
    member = make_persona(
        land.member, f"{land.member}-city", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN,
        land.country,
    )  # fmt: skip
    member.user.email = f"{land.member}@city.example"
    member.user.save()
    group = pact.create_buyer_group(
        coordinator.organisation, name=land.group, slug=f"group-{land.language}", country=land.country,
        language=land.language,
    )  # fmt: skip
    GroupMembership.objects.create(
        group=group, organisation=member.organisation, state=GroupMembership.State.ACTIVE
    )
    import_register_file(
        member.organisation, REGISTER.format(bought=f"{year}-03-01").encode(), "register.csv"
    )
    base = live_server.url

    # The coordinator opens the year's campaign.
    boss = phone(browser, land.locale)
    sign_in(boss, base, coordinator.user.username)
    boss.goto(base + "/monitoring/")
    fits(boss)
    boss.click("#new-campaign")
    boss.select_option("#id_scope", group.slug)
    boss.fill("#id_year", str(year))
    boss.fill("#id_title", f"{land.group} {year}")
    boss.fill("#id_opens", today.isoformat())
    boss.fill("#id_deadline", (today + timedelta(days=90)).isoformat())
    fits(boss)
    boss.locator("main form button").click()
    boss.wait_for_selector("#members")
    assert boss.evaluate("document.documentElement.lang") == land.language
    assert boss.locator(".message.success").inner_text() not in ("", land.opened_in_english)
    campaign = Campaign.objects.get(group=group, year=year)
    campaign_url = boss.url
    fits(boss)
    # two more members have reported, so that the group's figures rest on enough reports to be shown
    for slug, users in (("first-town", 4200), ("second-town", 3900)):
        other = Organisation.objects.create(
            slug=slug, name=slug.title(), country=land.country, type=Organisation.Type.PROCURING_PARTICIPANT
        )
        GroupMembership.objects.create(group=group, organisation=other, state=GroupMembership.State.ACTIVE)
        report = actions.start_report(campaign, other, acting_user=None)
        actions.save_values(
            report, {("users_served", ""): users, ("units_new", "notebooks"): 100}, acting_user=None
        )
        actions.decide(actions.submit(report, acting_user=None), accept=True, acting_user=None)
    boss.reload()
    assert boss.locator("#members tbody tr").count() == 4  # who has reported, and who has not

    # The member starts its pre-filled report: every field and its origin within the screen.
    city = phone(browser, land.locale)
    sign_in(city, base, member.user.username)
    city.goto(base + "/monitoring/")
    city.locator(f"#start-{campaign.pk}").click()
    city.wait_for_selector("#report-form")
    assert city.locator("#id_v__units_new__notebooks").input_value() == "120"
    assert city.locator("#indicator-units_new .origin-prefilled").count() == 1
    fits(city, "#report-form input, #report-form textarea, #report-form .badge, #report-form button")
    # the workbook, taken down and put back as it is, changes nothing
    city.locator("details.workbook summary").click()
    workbook = download(city, "#download-template", tmp_path)
    assert workbook[:2] == b"PK"
    (tmp_path / "filled.xlsx").write_bytes(workbook)
    city.set_input_files("#upload-form input[type=file]", str(tmp_path / "filled.xlsx"))
    with city.expect_navigation():
        city.locator("#upload-form button").click()
    assert city.locator(".message.error").count() == 0 and city.locator(".message.success").count() == 1
    city.fill("#id_v__users_served__", "48000")
    city.check("#id_shared")
    with city.expect_navigation():
        city.click("#submit-report")
    report = Report.objects.get(organisation=member.organisation, year=year)
    assert report.state == Report.State.SUBMITTED

    # The coordinator returns it with comments, from a form within the screen.
    boss.goto(campaign_url)
    decision = boss.locator(f"form.decide[data-organisation={member.organisation.slug}]")
    fits(boss, "form.decide, form.decide *")
    decision.locator("textarea").fill("48000?")
    with boss.expect_navigation():
        decision.locator("button[value=return]").click()
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED
    told = [m for m in mail.outbox if m.to == [member.user.email]]
    assert len(told) == 1 and "48000?" in told[0].body

    # The member reads the comments above its report, corrects and submits again.
    city.goto(base + f"/monitoring/reports/{report.pk}/")
    assert city.locator("#returned").inner_text().endswith("48000?")
    city.fill("#id_v__users_served__", "4800")
    with city.expect_navigation():
        city.click("#submit-report")
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED

    # The coordinator accepts, reviews coverage and what would be hidden, publishes and closes.
    boss.goto(campaign_url)
    with boss.expect_navigation():
        boss.locator(
            f"form.decide[data-organisation={member.organisation.slug}] button[value=accept]"
        ).click()
    assert boss.locator("form.decide").count() == 0
    boss.click("#publish")
    boss.wait_for_selector("#publish-form")
    fits(boss, "#publish-form, #publish-form *")
    assert boss.locator("#figures .suppressed").count() > 0  # what the disclosure rules hide, and why
    boss.check("#id_confirm")
    with boss.expect_navigation():
        boss.click("#confirm-publish")
    boss.wait_for_selector("#published")
    assert not boss.locator("#confirm-close").is_visible()  # one tap does not close the campaign
    boss.locator("#close-campaign summary").click()
    with boss.expect_navigation():
        boss.click("#confirm-close")
    campaign.refresh_from_db()
    assert campaign.results_published is not None and campaign.status == Campaign.Status.CLOSED

    # The secretariat publishes the pact-wide results of the year.
    desk = phone(browser, land.locale)
    sign_in(desk, base, secretary.user.username)
    desk.goto(base + "/monitoring/campaigns/new/")
    desk.select_option("#id_scope", "pact")
    desk.fill("#id_year", str(year))
    desk.fill("#id_title", f"Pact {year}")
    desk.fill("#id_opens", today.isoformat())
    desk.fill("#id_deadline", (today + timedelta(days=90)).isoformat())
    desk.locator("main form button").click()
    desk.wait_for_selector("#members")
    fits(desk)
    desk.click("#publish")
    desk.check("#id_confirm")
    with desk.expect_navigation():
        desk.click("#confirm-publish")
    desk.wait_for_selector("#published")
    assert Campaign.objects.get(group=None, year=year).results_published is not None

    # The public reads the group's results on a phone and downloads them.
    public = phone(browser, land.locale)
    public.goto(base + f"/results/?scope={group.slug}")
    public.wait_for_selector("#results")
    assert public.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert public.locator("#chart-devices svg rect").count() > 0
    reasons = public.locator("#results .suppressed .reason")
    assert reasons.count() > 0
    # a hidden figure says why in sight: a phone has no pointer to hover a tooltip with
    assert all(box["width"] > 20 for box in (r.bounding_box() for r in reasons.all()[:5]))
    rows = list(
        csv.DictReader(io.StringIO(download(public, "main a[href*='download.csv']", tmp_path).decode()))
    )
    served = [r for r in rows if r["indicator"] == "users_served" and r["year"] == str(year)]
    assert [float(r["value"]) for r in served] == [4200 + 3900 + 4800]
    assert download(public, "main a[href*='download.xlsx']", tmp_path)[:2] == b"PK"
