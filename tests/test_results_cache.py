"""The public results page is rendered once per edition of the results, scope and language, and a new
edition starts with every change the page shows: a reader never gets a page older than the figures.

Personas: Coco runs the Dutch group (her ministry, Rijkswaterstaat, Utrecht, Delft, Leiden report to it);
Sam is the secretariat; the reader is an anonymous visitor.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from cfit.accounts.models import Organisation
from cfit.monitoring import actions
from cfit.monitoring.models import Campaign, ResultsEdition
from cfit.pact import actions as pact
from cfit.pact.models import BuyerGroup, GroupMembership
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def nl(coordinator: Persona, procurer: Persona) -> dict[str, Any]:
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL group", slug="nl", country="NL", language="nl"
    )
    members = [coordinator.organisation, procurer.organisation] + [
        Organisation.objects.create(
            slug=s, name=s.title(), country="NL", type=Organisation.Type.PROCURING_PARTICIPANT
        )
        for s in ("utrecht", "delft", "leiden")
    ]
    for organisation in members[1:]:
        GroupMembership.objects.create(group=group, organisation=organisation, state="active")
    campaign = actions.open_campaign(
        year=2025, group=group, title="NL 2025", opens=date(2026, 1, 1), deadline=date(2026, 3, 31),
        acting_user=None,
    )  # fmt: skip
    for organisation, units in zip(members[:3], (401, 402, 403), strict=True):
        submit(campaign, organisation, units)
    actions.publish_results(campaign, acting_user=coordinator.user)
    return {"group": group, "campaign": campaign, "members": members}


def submit(campaign: Campaign, organisation: Organisation, units: int) -> None:
    report = actions.start_report(campaign, organisation, acting_user=None)
    actions.save_values(report, {("units_new", "notebooks"): units}, acting_user=None)
    actions.submit(report, acting_user=None)


def page(client: Client) -> str:
    response = client.get("/results/", {"scope": "nl"})
    assert response.status_code == 200
    return response.content.decode()


def main(html: str) -> str:
    """The page's own part (the header holds a new CSRF token on every answer)."""
    return html[html.index("<main") : html.index("</main>")]


def test_a_cached_page_is_served_without_computing_the_figures_again(
    nl: dict[str, Any], client: Client, django_assert_max_num_queries: Any
) -> None:
    first = page(client)

    with django_assert_max_num_queries(2):  # the scope's buyer group and the edition
        again = page(client)

    assert main(again) == main(first) and "1,206" in first


def test_every_change_the_page_shows_starts_a_new_edition(
    nl: dict[str, Any], client: Client, coordinator: Persona, secretary: Persona
) -> None:
    assert "1,206" in page(client)

    submit(nl["campaign"], nl["members"][3], 7)  # a fourth report refreshes the figures
    assert "1,213" in page(client)

    actions.set_disclosure_rules(min_reporters=5, dominance_percent=80, acting_user=secretary.user)
    shown = page(client)
    assert "1,213" not in shown and "at least 5 organisations" in shown

    BuyerGroup.objects.filter(pk=nl["group"].pk).update(name="renamed quietly")  # no signal: not shown
    group = BuyerGroup.objects.get(pk=nl["group"].pk)
    group.name = "Dutch buyers"
    group.save()
    assert "Dutch buyers" in page(client)

    actions.withdraw_results(nl["campaign"], acting_user=coordinator.user, reason="Wrong unit.")
    assert 'id="no-results"' in page(client)


def test_each_language_has_its_own_page(nl: dict[str, Any], client: Client) -> None:
    english = page(client)
    dutch = client.get("/results/", {"scope": "nl"}, HTTP_ACCEPT_LANGUAGE="nl").content.decode()

    assert "Collective results" in english
    assert "Collective results" not in dutch and "1.206" in dutch


def test_the_edition_grows_in_the_transaction_that_changes_the_figures(nl: dict[str, Any]) -> None:
    before = ResultsEdition.current()

    submit(nl["campaign"], nl["members"][4], 9)

    assert ResultsEdition.current() > before
