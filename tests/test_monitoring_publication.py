"""Publishing collective results is a decision with its facts in front of it, recorded with who and when,
and undone with a reason; the disclosure rules are the pact's to set; reminders go through an outbox.

Personas: Coco runs the Dutch group (five members: her ministry, Rijkswaterstaat, Utrecht, Delft,
Leiden); Pia is procurer at Rijkswaterstaat; Louise (Lyon) belongs to no group; Sam is the secretariat.
"""

from __future__ import annotations

import io
import smtplib
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cfit.accounts.models import Membership, Organisation
from cfit.monitoring import actions
from cfit.monitoring.models import PACT, Aggregate, Campaign, DisclosureRules, Publication, Reminder, Report
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db
Type, Role = Organisation.Type, Membership.Role


@pytest.fixture
def nl(coordinator: Persona, procurer: Persona) -> dict[str, Any]:
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL group", slug="nl", country="NL", language="nl"
    )
    members = [coordinator.organisation, procurer.organisation] + [
        Organisation.objects.create(slug=s, name=s.title(), country="NL", type=Type.PROCURING_PARTICIPANT)
        for s in ("utrecht", "delft", "leiden")
    ]
    for organisation in members[1:]:
        GroupMembership.objects.create(group=group, organisation=organisation, state="active")
    campaign = actions.open_campaign(
        year=2025,
        group=group,
        title="NL 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    return {"group": group, "campaign": campaign, "members": members}


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def submitted(campaign: Campaign, organisation: Organisation, units: int = 40, more: Any = None) -> Report:
    report = actions.start_report(campaign, organisation, acting_user=None)
    actions.save_values(report, {("units_new", "notebooks"): units, **(more or {})}, acting_user=None)
    return actions.submit(report, acting_user=None)


def facts(page: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'name="(reported|hidden)" value="(\d+)"', page))


def test_publishing_one_report_of_five_warns_and_shows_every_figure_hidden(
    nl: dict[str, Any], coordinator: Persona, procurer: Persona, client: Client
) -> None:
    submitted(nl["campaign"], procurer.organisation, more={("users_served", ""): 9500})
    coco = signed_in(coordinator)
    address = f"/monitoring/campaigns/{nl['campaign'].pk}/publish/"

    page = coco.get(address).content.decode()
    unconfirmed = coco.post(address, facts(page))
    published = coco.post(address, {**facts(page), "confirm": "on"})

    assert "Only 1 of 5 members reported, fewer than the 3 the disclosure rules ask" in page
    assert 'id="hidden-summary">0 of' in page and 'data-reason="threshold"' in page and "9,500" not in page
    assert unconfirmed.status_code == 200 and "Tick the box" in unconfirmed.content.decode()
    assert published.status_code == 302
    campaign = Campaign.objects.get(pk=nl["campaign"].pk)
    assert campaign.results_published is not None and campaign.results_published_by == coordinator.user
    record = Publication.objects.get(campaign=campaign)
    assert (record.action, record.by, record.reported, record.members) == (
        "published",
        coordinator.user,
        1,
        5,
    )
    assert record.suppressed == record.cells > 0
    public = client.get("/api/v1/monitoring/results", {"scope": "nl"}).json()
    cells = [
        c for by_year in public["indicators"].values() for keys in by_year.values() for c in keys.values()
    ]
    assert cells and all(c["value"] is None and c["suppressed"] == "threshold" for c in cells)
    assert public["coverage"]["2025"]["users_served"] is None


def test_figures_that_changed_since_they_were_read_are_shown_again_before_publishing(
    nl: dict[str, Any], coordinator: Persona, procurer: Persona
) -> None:
    coco = signed_in(coordinator)
    address = f"/monitoring/campaigns/{nl['campaign'].pk}/publish/"
    read = facts(coco.get(address).content.decode())
    submitted(nl["campaign"], procurer.organisation)

    response = coco.post(address, {**read, "confirm": "on"}, follow=True)

    assert "The figures changed while you were reading them" in response.content.decode()
    assert Campaign.objects.get(pk=nl["campaign"].pk).results_published is None


def test_only_who_runs_the_campaign_publishes_or_withdraws(
    nl: dict[str, Any], procurer: Persona, outsider: Persona, coordinator: Persona
) -> None:
    actions.publish_results(nl["campaign"], acting_user=coordinator.user)

    for persona in (procurer, outsider):
        client = signed_in(persona)
        assert client.get(f"/monitoring/campaigns/{nl['campaign'].pk}/publish/").status_code == 404
        assert (
            client.post(f"/monitoring/campaigns/{nl['campaign'].pk}/withdraw/", {"reason": "x"}).status_code
            == 404
        )
    assert Campaign.objects.get(pk=nl["campaign"].pk).results_published is not None


def test_withdrawing_results_needs_a_reason_and_is_recorded(
    nl: dict[str, Any], coordinator: Persona, client: Client
) -> None:
    actions.publish_results(nl["campaign"], acting_user=coordinator.user)
    coco = signed_in(coordinator)
    address = f"/monitoring/campaigns/{nl['campaign'].pk}/withdraw/"

    refused = coco.post(address, {"reason": " "}, follow=True)
    coco.post(address, {"reason": "Utrecht's figures were in the wrong unit."})

    assert "Say why" in refused.content.decode()
    assert Campaign.objects.get(pk=nl["campaign"].pk).results_published is None
    record = Publication.objects.filter(action="withdrawn").get()
    assert (record.by, record.reason) == (coordinator.user, "Utrecht's figures were in the wrong unit.")
    assert client.get("/api/v1/monitoring/results", {"scope": "nl"}).json()["years"] == []
    page = coco.get(f"/monitoring/campaigns/{nl['campaign'].pk}/").content.decode()
    assert "wrong unit" in page and 'id="publications"' in page


def test_the_pact_wide_campaign_links_only_reports_the_secretariat_may_open(
    nl: dict[str, Any], procurer: Persona, outsider: Persona, secretary: Persona
) -> None:
    pact_wide = actions.open_campaign(
        year=2025,
        group=None,
        title="Pact 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    in_group = actions.start_report(nl["campaign"], procurer.organisation, acting_user=None)
    actions.save_values(in_group, {("units_new", "notebooks"): 3}, shared=True, acting_user=None)
    outside = actions.start_report(
        pact_wide, outsider.organisation, acting_user=None
    )  # Lyon is in no buyer group
    actions.save_values(outside, {("units_new", "notebooks"): 4}, shared=True, acting_user=None)
    sam = signed_in(secretary)

    page = sam.get(f"/monitoring/campaigns/{pact_wide.pk}/").content.decode()

    assert f'href="/monitoring/reports/{in_group.pk}/"' not in page
    assert "shared with its buyer group" in page
    assert f'href="/monitoring/reports/{outside.pk}/"' in page
    assert sam.get(f"/monitoring/reports/{outside.pk}/").status_code == 200


# -- the pact's disclosure rules


def test_stricter_rules_hide_more_and_fewer_than_three_reporters_is_refused(
    nl: dict[str, Any], coordinator: Persona, procurer: Persona, secretary: Persona
) -> None:
    for organisation, units in zip(nl["members"][:3], (40, 41, 43), strict=True):
        submitted(nl["campaign"], organisation, units)
    cell = Aggregate.objects.filter(scope="nl", indicator="units_new", key="notebooks")
    assert cell.get().suppression == ""

    actions.set_disclosure_rules(min_reporters=4, dominance_percent=80, acting_user=secretary.user)

    assert cell.get().suppression == "threshold"
    with pytest.raises(actions.MonitoringError):
        actions.set_disclosure_rules(min_reporters=2, dominance_percent=80, acting_user=secretary.user)
    with pytest.raises(actions.MonitoringError):
        actions.set_disclosure_rules(min_reporters=3, dominance_percent=99, acting_user=secretary.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisclosureRules.objects.filter(pk=DisclosureRules.SINGLETON).update(min_reporters=2)
    assert DisclosureRules.current().min_reporters == 4


def test_one_organisation_dominating_a_figure_hides_it(nl: dict[str, Any]) -> None:
    for organisation, units in zip(nl["members"][:3], (5, 4, 900), strict=True):
        submitted(nl["campaign"], organisation, units)

    assert (
        Aggregate.objects.get(scope="nl", indicator="units_new", key="notebooks").suppression == "dominance"
    )


# -- reminders: an outbox that records delivery only once the mail server took the mail


class FlakyBackend(BaseEmailBackend):
    """Refuses the first ``failures`` sends, then takes mails into ``mail.outbox``."""

    failures = 1

    def send_messages(self, messages: Any) -> int:
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("the mail server went away")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def admins(nl: dict[str, Any], settings: Any, procurer: Persona) -> None:
    settings.EMAIL_BACKEND = "tests.test_monitoring_publication.FlakyBackend"
    FlakyBackend.failures = 1
    ada = make_persona("ada", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.ADMIN)
    ada.user.email = "ada@example.org"
    ada.user.save()


def test_a_reminder_that_fails_is_retried_and_goes_out_once(nl: dict[str, Any], admins: None) -> None:
    queued = actions.send_reminders(date(2026, 3, 20))
    first = actions.deliver_reminders()
    reminder = Reminder.objects.get()
    assert (queued, first, reminder.delivered, reminder.attempts) == (1, 0, None, 1)
    assert "went away" in reminder.last_error and mail.outbox == []
    assert actions.deliver_reminders() == 0  # not due yet: it waits before trying again

    later = timezone.now() + timedelta(hours=1)
    second = actions.deliver_reminders(later)
    again = actions.deliver_reminders(later + timedelta(days=1))
    actions.send_reminders(date(2026, 3, 20))  # the same day again: nothing new

    reminder.refresh_from_db()
    assert (second, again, reminder.attempts, reminder.last_error) == (1, 0, 2, "")
    assert reminder.delivered is not None
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert "monitoringsrapportage over 2025 moet uiterlijk 31 maart 2026" in mail.outbox[0].subject


def test_a_reminder_is_not_sent_once_the_report_is_in(
    nl: dict[str, Any], admins: None, procurer: Persona
) -> None:
    FlakyBackend.failures = 0
    actions.send_reminders(date(2026, 3, 20))
    actions.submit(Report.objects.get(organisation=procurer.organisation), acting_user=None)

    assert actions.deliver_reminders() == 0
    assert Reminder.objects.get().cancelled and mail.outbox == []


# -- bounds in the report's page and workbook


def test_the_report_page_and_workbook_carry_the_bounds_of_emissions(
    nl: dict[str, Any], procurer: Persona
) -> None:
    ada = make_persona("ada", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.ADMIN)
    report = actions.start_report(nl["campaign"], procurer.organisation, acting_user=None)
    client = signed_in(ada)

    posted = client.post(
        f"/monitoring/reports/{report.pk}/",
        {"v__embodied_tco2e__": "12.5", "b__embodied_tco2e____low": "10", "b__embodied_tco2e____high": "16"},
    )
    template = client.get(f"/monitoring/reports/{report.pk}/template.xlsx").content
    book = load_workbook(io.BytesIO(template))
    sheet = book["Report"]
    row = next(
        r for r in range(5, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "embodied_tco2e|"
    )
    bounds_in_book = (sheet.cell(row=row, column=7).value, sheet.cell(row=row, column=8).value)
    sheet.cell(row=row, column=8, value=30)
    edited = io.BytesIO()
    book.save(edited)
    client.post(
        f"/monitoring/reports/{report.pk}/upload/", {"file": SimpleUploadedFile("r.xlsx", edited.getvalue())}
    )

    stored = report.values.get(indicator="embodied_tco2e")
    assert posted.status_code == 302, posted.content.decode()[-3000:]
    assert bounds_in_book == (10, 16)
    assert (stored.low, stored.value, stored.high) == (10, 12.5, 30)
    page = client.get(f"/monitoring/reports/{report.pk}/").content.decode()
    assert "Reported by the organisation, with its own range" in page


def test_a_figure_of_the_pact_counts_every_participant_once(
    nl: dict[str, Any], outsider: Persona, coordinator: Persona
) -> None:
    pact_wide = actions.open_campaign(
        year=2025,
        group=None,
        title="Pact 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    for organisation, units in zip(nl["members"][:3], (40, 41, 43), strict=True):
        submitted(nl["campaign"], organisation, units)
    submitted(pact_wide, outsider.organisation, 42)

    pact_cell = Aggregate.objects.get(scope=PACT, indicator="units_new", key="notebooks")
    nl_cell = Aggregate.objects.get(scope="nl", indicator="units_new", key="notebooks")

    assert (pact_cell.value, pact_cell.reporters) == (166, 4)
    # the pact minus the group would give Lyon's figure: one of the two is hidden
    assert nl_cell.suppression == "secondary" and pact_cell.suppression == ""
