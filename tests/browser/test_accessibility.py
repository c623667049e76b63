"""axe-core over the main pages of every persona: no violation of impact "serious" or "critical", and no
id used twice on a page.

axe-core (MPL-2.0, Deque Systems) is vendored in tests/browser/vendor/ with its licence and injected
by Playwright. The site's Content-Security-Policy allows only its own scripts, so the context that
runs axe bypasses it; the pages themselves are unchanged.

The site is the demo's (`cfit demo`): a published tender with three offers, a draft one, registers,
campaigns with submitted reports, buyer groups and a statement; plus a tender still receiving offers,
with an upload link and a supplier's question, so that the offers page shows all its forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from cfit.accounts.scoping import system_scope
from cfit.contracts.models import Contract
from cfit.criteria.models import Criterion, FrameworkVersion
from cfit.demo import create_demo_data, create_demo_partnership
from cfit.demo.contracts import REFERENCE as CONTRACT_TENDER
from cfit.demo.learning import create_demo_guides_and_events
from cfit.demo.notices import create_demo_notices
from cfit.fleet.models import Asset
from cfit.learning.models import Event
from cfit.monitoring.models import Campaign, Report
from cfit.offers import actions as offer_actions
from cfit.offers.models import OfferLine
from cfit.pact.models import Statement
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from ..test_offers import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# Every id on the page with how often it is used: a label's `for`, aria-labelledby and in-page links
# find only the first of two.
DUPLICATE_IDS = """() => {
  const counts = {};
  for (const element of document.querySelectorAll("[id]")) counts[element.id] = (counts[element.id] || 0) + 1;
  return Object.entries(counts).filter(([, n]) => n > 1).map(([id]) => id);
}"""


@dataclass(frozen=True)
class DemoSite:
    """The demo data and the addresses of its main pages, per persona (the demo's usernames)."""

    pages: dict[str, list[str]]


def demo_site() -> DemoSite:
    create_demo_data()
    create_demo_partnership()
    create_demo_notices()
    create_demo_guides_and_events()
    group_event = Event.objects.filter(buyer_group__slug="buyer-group-nl").first()
    assert group_event is not None
    with system_scope():
        published = Tender.objects.get(reference="RWS-2027-001")
        draft = Tender.objects.get(reference="RWS-2027-002")
        receiving = tender_actions.create_tender(
            published.organisation,
            title="Monitors 2027",
            reference="RWS-2027-003",
            language="en",
            acting_user=None,
        )
        tender_actions.add_lot(receiving, product_group="monitors", quantity=300, acting_user=None)
        receiving = publish(receiving)
        link = offer_actions.issue_upload_link(receiving, "Beta Computers")
        offer_actions.ask_clarification(link, "May the monitors come with a refurbished stand?")
        line = OfferLine.objects.filter(offer__tender=published).order_by("pk").first()
        asset = Asset.objects.filter(organisation=published.organisation).order_by("pk").first()
        campaign = (
            Campaign.objects.filter(group__slug="buyer-group-nl", reports__state=Report.State.SUBMITTED)
            .order_by("-year")
            .first()
        )
        report = Report.objects.filter(organisation=published.organisation).order_by("-year").first()
        draft_report = Report.objects.filter(
            organisation__slug="nl-ministry-bzk", state=Report.State.DRAFT
        ).first()  # its form, with every indicator's fields
        statement = Statement.objects.order_by("pk").first()
        # the demo contract: obligations in every state and the supplier's CMRT with its smelter check
        contract = Contract.unscoped.filter(tender__reference=CONTRACT_TENDER).first()
    assert line and asset and campaign and report and draft_report and statement, "the demo lacks a page"
    assert contract is not None and contract.minerals_reports.exists(), "the demo lacks its contract"
    criterion = Criterion.objects.filter(version__status=FrameworkVersion.Status.PUBLISHED).first()
    assert criterion is not None
    return DemoSite(
        pages={
            "": [
                "/",
                "/criteria/",
                f"/criteria/{criterion.code}/",
                "/criteria/compare/notebooks/",
                "/criteria/versions/",
                "/organisations/",
                "/groups/",
                "/groups/buyer-group-nl/",
                "/working-groups/",
                "/statements/",
                f"/statements/{statement.slug}/",
                "/results/",
                "/market/?by=year",
                "/monitoring/method/",
                "/accounts/login/",
                "/accounts/password/reset/",
                f"/offers/upload/{link.token}/",
                "/guides/",
                "/guides/notebooks-that-last/",
                "/events/",
                "/join/",
                "/case-studies/",
                "/consultations/",
                "/events/",
                "/search/?q=battery",
            ],
            "procurer": [
                "/tenders/",
                "/tenders/new/",
                f"/tenders/{draft.pk}/",
                f"/tenders/{draft.pk}/ambition/",
                f"/tenders/{draft.pk}/review/",
                f"/tenders/{draft.pk}/notice-terms/",
                f"/tenders/{published.pk}/",
                f"/tenders/{published.pk}/offers/",
                f"/tenders/{published.pk}/offers/compare/",
                f"/tenders/{published.pk}/offers/lines/{line.pk}/",
                f"/tenders/{receiving.pk}/offers/",
                "/fleet/",
                "/fleet/rijkswaterstaat/",
                "/fleet/rijkswaterstaat/assets/",
                f"/fleet/rijkswaterstaat/assets/{asset.pk}/",
                "/monitoring/",
                f"/monitoring/reports/{report.pk}/",
                "/organisations/mine/",
                "/accounts/password/",
                "/accounts/me/",  # the user's own language
                "/market/",  # with the organisation's notices of cfit tenders
                "/contracts/",
                f"/contracts/{contract.pk}/",
                f"/due-diligence/contract/{contract.pk}/",  # with the corrective-action forms
            ],
            "supplier": [f"/contracts/supplier/{contract.pk}/", f"/due-diligence/supplier/{contract.pk}/"],
            "coordinator": [
                "/monitoring/",
                "/monitoring/campaigns/new/",
                f"/monitoring/campaigns/{campaign.pk}/",
                f"/monitoring/campaigns/{campaign.pk}/publish/",
                f"/monitoring/reports/{draft_report.pk}/",
                "/groups/buyer-group-nl/",
                f"/statements/{statement.slug}/",
                "/statements/new/wg-notebooks/",
                "/organisations/nl-ministry-bzk/participation/",
                "/organisations/nl-ministry-bzk/notice-details/",
                f"/events/{group_event.pk}/",
                "/events/new/",
            ],
            "assets": ["/fleet/rijkswaterstaat/import/"],
            "secretariat": [
                "/criteria/versions/",
                f"/criteria/versions/{criterion.version.code}/",
                "/monitoring/",
                "/organisations/mine/",
                "/market/",  # with the import form
                "/guides/notebooks-that-last/edit/",
                "/working-groups/new/",
                "/working-groups/wg-notebooks/",  # with its seats' forms
            ],
        }
    )


def signed_in_context(browser: Any, base: str, username: str, **options: Any) -> Any:
    """A browser context with the user's session (signed in through Django, not the form: faster)."""
    context = browser.new_context(**options)
    if username:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
    return context


def open_page(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
             id: v.id, impact: v.impact, help: v.help,
             targets: v.nodes.map(node => node.target.join(" ")),
           }))"""
    )
    return result


@pytest.fixture
def site(framework: FrameworkVersion) -> Iterator[DemoSite]:
    yield demo_site()


def test_the_main_pages_of_every_persona_pass_axe(live_server: Any, browser: Any, site: DemoSite) -> None:
    base = live_server.url
    problems = []
    for username, urls in site.pages.items():
        context = signed_in_context(
            browser, base, username, bypass_csp=True, locale="en-GB", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        for url in urls:
            open_page(page, base + url)
            for violation in axe_violations(page):
                if violation["impact"] in FAILING_IMPACTS:
                    problems.append(
                        f"{username or 'anonymous'} {url}: {violation['id']} ({violation['impact']}, "
                        f"{violation['help']}) at {', '.join(violation['targets'][:5])}"
                    )
            for duplicate in page.evaluate(DUPLICATE_IDS):
                problems.append(f"{username or 'anonymous'} {url}: id {duplicate!r} is used twice")
        context.close()
    assert not problems, "\n".join(problems)


def test_every_page_links_the_site_icon(client: Client, framework: FrameworkVersion) -> None:
    """Browsers asked for /favicon.ico on every page and got a 404: the pages name their icon."""
    from django.contrib.staticfiles import finders

    page = client.get("/criteria/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("favicon.svg")
