"""A year of monitoring as a coordinator and the secretariat meet it, the defects of the phone walkthrough:
the mails a member gets (a pact-wide campaign's reminder in the member's language, a returned report
told by mail with the comments), the decisions on the campaign page below the members' table, and
closing a campaign only once confirmed. Then the mails people act on, each with the full address of its
page (a coordinator told of each report submitted, once, never for one rolled back), and a campaign past
its deadline saying so.

Personas: Nora runs the Norwegian buyer group (language nb), Olav is the City of Oslo's administrator
and Vera its viewer; Louise (Ville de Lyon) belongs to no buyer group and wrote her tender in French;
Sam is the secretariat.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cfit.accounts.models import Membership, Organisation
from cfit.monitoring import actions
from cfit.monitoring.models import Campaign, Report
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership
from cfit.tenders import actions as tenders
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db
Type, Role = Organisation.Type, Membership.Role


@pytest.fixture
def norway(settings: Any, outsider: Persona, secretary: Persona) -> dict[str, Any]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://cfit.example.org"
    nora = make_persona("nora", "dfo", Type.COORDINATING_PARTICIPANT, Role.ADMIN, "NO")
    olav = make_persona("olav", "oslo", Type.PROCURING_PARTICIPANT, Role.ADMIN, "NO")
    vera = make_persona("vera", "oslo", Type.PROCURING_PARTICIPANT, Role.VIEWER, "NO")
    for persona, address in (
        (nora, "nora@dfo.example"),
        (olav, "olav@oslo.example"),
        (vera, "vera@oslo.example"),
        (secretary, "sam@pact.example"),
    ):
        persona.user.email = address
        persona.user.save()
    group = pact.create_buyer_group(
        nora.organisation, name="Innkjøpsgruppe IKT Norge", slug="no", country="NO", language="nb"
    )
    GroupMembership.objects.create(
        group=group, organisation=olav.organisation, state=GroupMembership.State.ACTIVE
    )
    return {"nora": nora, "olav": olav, "vera": vera, "group": group, "louise": outsider, "sam": secretary}


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def submitted(campaign: Campaign, organisation: Organisation) -> Report:
    report = actions.start_report(campaign, organisation, acting_user=None)
    actions.save_values(report, {("users_served", ""): 48000}, acting_user=None)
    return actions.submit(report, acting_user=None)


def test_a_pact_wide_reminder_reaches_each_member_in_its_own_language(norway: dict[str, Any]) -> None:
    louise = norway["louise"]
    louise.user.email = "louise@lyon.example"
    louise.user.save()
    Membership.objects.filter(pk=louise.membership.pk).update(role=Role.ADMIN)
    tenders.create_tender(
        louise.organisation,
        title="Ordinateurs portables",
        reference="LYON-1",
        language="fr",
        acting_user=None,
    )
    actions.open_campaign(
        year=2025, group=None, title="Pact 2025", opens=date(2026, 1, 1), deadline=date(2026, 3, 31),
        acting_user=None,
    )  # fmt: skip

    call_command("monitoring", "remind", "--today", "2026-03-20", stdout=io.StringIO())

    subjects = {m.to[0]: m.subject for m in mail.outbox}
    # Oslo in its buyer group's Norwegian, Lyon (in no group) in the language of its tender
    assert (
        subjects["olav@oslo.example"] == "Påminnelse: oppfølgingsrapporten for 2025 har frist 31. mars 2026"
    )
    assert subjects["louise@lyon.example"].startswith("Rappel\u00a0: votre rapport de suivi 2025")
    # each ends with the full address of its own report, from the site's public address
    bodies = {m.to[0]: m.body for m in mail.outbox}
    for address, organisation in (("olav@oslo.example", norway["olav"]), ("louise@lyon.example", louise)):
        report = Report.objects.get(organisation=organisation.organisation, year=2025)
        assert bodies[address].rstrip().endswith(f"https://cfit.example.org/monitoring/reports/{report.pk}/")


def test_a_returned_report_is_told_by_mail_to_who_may_correct_it(
    norway: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    campaign = actions.open_campaign(
        year=2025, group=norway["group"], title="Oppfølging 2025", opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31), acting_user=None,
    )  # fmt: skip
    report = submitted(campaign, norway["olav"].organisation)

    with django_capture_on_commit_callbacks(execute=True):
        actions.decide(
            report, accept=False, comment="Antall brukere ser for høyt ut.", acting_user=norway["nora"].user
        )

    assert [m.to for m in mail.outbox] == [["olav@oslo.example"]]  # not Vera, who only reads
    assert "Antall brukere ser for høyt ut." in mail.outbox[0].body
    assert "Oppfølging 2025" in mail.outbox[0].body and "2025" in mail.outbox[0].subject


def test_an_accepted_report_and_a_refused_return_mail_no_one(
    norway: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    campaign = actions.open_campaign(
        year=2025, group=norway["group"], title="Oppfølging 2025", opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31), acting_user=None,
    )  # fmt: skip
    report = submitted(campaign, norway["olav"].organisation)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(actions.MonitoringError):
            actions.decide(report, accept=False, comment="  ", acting_user=norway["nora"].user)
        actions.decide(report, accept=True, acting_user=norway["nora"].user)

    assert mail.outbox == []


def test_the_campaign_page_puts_each_decision_below_the_members_table(norway: dict[str, Any]) -> None:
    campaign = actions.open_campaign(
        year=2025, group=norway["group"], title="Oppfølging 2025", opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31), acting_user=None,
    )  # fmt: skip
    report = submitted(campaign, norway["olav"].organisation)
    nora = signed_in(norway["nora"])

    page = nora.get(f"/monitoring/campaigns/{campaign.pk}/").content.decode()

    members_table = page[
        page.index('<table id="members"') : page.index("</table>", page.index('id="members"'))
    ]
    assert "form" not in members_table  # a phone scrolled the table sideways to find the decision
    section = page[page.index('id="to-decide"') :]
    assert f'id="accept-{report.pk}"' in section and f'id="return-{report.pk}"' in section
    assert 'for="comment-' in section and 'class="sr-only" for="comment-' not in section  # a visible label
    # the report was not shared: its details do not open from here
    assert f'href="/monitoring/reports/{report.pk}/"' not in page

    response = nora.post(f"/monitoring/reports/{report.pk}/decide/", {"decision": "return", "comment": ""})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED  # returned only with a comment that says what to correct


def test_closing_a_campaign_is_asked_for_twice(norway: dict[str, Any]) -> None:
    campaign = actions.open_campaign(
        year=2025, group=norway["group"], title="Oppfølging 2025", opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31), acting_user=None,
    )  # fmt: skip
    nora = signed_in(norway["nora"])

    page = nora.get(f"/monitoring/campaigns/{campaign.pk}/").content.decode()

    # behind a summary that says what closing does, not one tap away among the publication's buttons
    close = page[page.index('<details id="close-campaign">') :]
    assert close.index("<summary>") < close.index('id="confirm-close"') < close.index("</details>")


def test_the_new_campaign_form_proposes_the_year_still_without_a_campaign(norway: dict[str, Any]) -> None:
    today = timezone.localdate()
    nora = signed_in(norway["nora"])
    first = nora.get("/monitoring/campaigns/new/").content.decode()
    actions.open_campaign(
        year=today.year - 1, group=norway["group"], title="Oppfølging", opens=today,
        deadline=today + timedelta(days=90), acting_user=None,
    )  # fmt: skip

    then = nora.get("/monitoring/campaigns/new/").content.decode()

    assert f'name="year" value="{today.year - 1}"' in first
    assert f'name="year" value="{today.year}"' in then  # not last year's again, refused once filled in


def group_campaign(norway: dict[str, Any], deadline: date = date(2026, 3, 31)) -> Campaign:
    return actions.open_campaign(
        year=2025, group=norway["group"], title="Oppfølging 2025", opens=date(2026, 1, 1), deadline=deadline,
        acting_user=None,
    )  # fmt: skip


def drafted(campaign: Campaign, organisation: Organisation) -> Report:
    report = actions.start_report(campaign, organisation, acting_user=None)
    actions.save_values(report, {("users_served", ""): 48000}, acting_user=None)
    return report


# -- the mails a coordinator and a member act on, with the address of the page ---------------------------


def test_a_returned_report_mail_links_to_the_report_to_correct(
    norway: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    report = drafted(group_campaign(norway), norway["olav"].organisation)
    actions.submit(report, acting_user=None)
    with django_capture_on_commit_callbacks(execute=True):
        actions.decide(report, accept=False, comment="Antall brukere?", acting_user=norway["nora"].user)

    [message] = mail.outbox
    assert message.to == ["olav@oslo.example"]
    assert message.body.rstrip().endswith(f"https://cfit.example.org/monitoring/reports/{report.pk}/")


def test_the_coordinator_is_told_once_of_each_submission_with_the_decision_to_make(
    norway: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    campaign = group_campaign(norway)
    report = drafted(campaign, norway["olav"].organisation)

    with django_capture_on_commit_callbacks(execute=True):
        actions.submit(report, acting_user=norway["olav"].user)
        with pytest.raises(actions.MonitoringError):
            actions.submit(report, acting_user=norway["olav"].user)  # already in: refused, no second mail

    [message] = mail.outbox
    assert message.to == ["nora@dfo.example"]  # the group's coordinator: not Oslo, not the secretariat
    assert "Oslo" in message.subject and "2025" in message.subject
    assert f"https://cfit.example.org/monitoring/campaigns/{campaign.pk}/#decide-{report.pk}" in message.body
    page = signed_in(norway["nora"]).get(f"/monitoring/campaigns/{campaign.pk}/").content.decode()
    assert f'id="decide-{report.pk}"' in page  # the link's anchor is the decision's form

    # returned and submitted again: a new submission, a new mail
    actions.decide(report, accept=False, comment="Antall brukere?", acting_user=norway["nora"].user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit(report, acting_user=norway["olav"].user)
    assert [m.to for m in mail.outbox] == [["nora@dfo.example"]]


def test_a_submission_rolled_back_mails_no_one(
    norway: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    report = drafted(group_campaign(norway), norway["olav"].organisation)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.submit(report, acting_user=norway["olav"].user)
        raise RuntimeError("the request failed after the submission")

    assert callbacks == [] and mail.outbox == []
    assert Report.objects.get(pk=report.pk).state == Report.State.DRAFT


def test_a_submission_through_the_page_is_told_to_the_coordinator(
    norway: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    report = drafted(group_campaign(norway), norway["olav"].organisation)
    olav = signed_in(norway["olav"])
    form = olav.get(f"/monitoring/reports/{report.pk}/").context["form"]
    data = {name: "" if value is None else value for name, value in form.initial.items()}

    with django_capture_on_commit_callbacks(execute=True):
        response = olav.post(f"/monitoring/reports/{report.pk}/", {**data, "submit": "1"})

    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == Report.State.SUBMITTED
    assert [m.to for m in mail.outbox] == [["nora@dfo.example"]]


def test_a_pact_wide_submission_is_told_to_the_secretariat(
    norway: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    louise = norway["louise"]
    Membership.objects.filter(pk=louise.membership.pk).update(role=Role.ADMIN)
    campaign = actions.open_campaign(
        year=2025, group=None, title="Pact 2025", opens=date(2026, 1, 1), deadline=date(2026, 3, 31),
        acting_user=None,
    )  # fmt: skip
    report = drafted(campaign, louise.organisation)

    with django_capture_on_commit_callbacks(execute=True):
        actions.submit(report, acting_user=louise.user)

    [message] = mail.outbox
    assert message.to == ["sam@pact.example"]
    assert f"https://cfit.example.org/monitoring/campaigns/{campaign.pk}/#decide-{report.pk}" in message.body


# -- a campaign past its deadline ---------------------------------------------------------------------------


@given(
    deadline=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    status=st.sampled_from(Campaign.Status.values),
)
def test_a_campaign_is_overdue_only_while_open_and_past_its_deadline(
    deadline: date, today: date, status: str
) -> None:
    campaign = Campaign(year=2025, title="t", opens=deadline, deadline=deadline, status=status)
    days = campaign.days_overdue(today)
    if status == Campaign.Status.OPEN and today > deadline:
        assert days == (today - deadline).days > 0
    else:
        assert days == 0


def test_a_campaign_past_its_deadline_says_overdue_and_that_late_reports_are_still_taken(
    norway: dict[str, Any],
) -> None:
    today = timezone.localdate()
    campaign = group_campaign(norway, deadline=today - timedelta(days=6))
    olav, nora = signed_in(norway["olav"]), signed_in(norway["nora"])
    badge = f'data-campaign="{campaign.pk}" data-days="6"'

    index = olav.get("/monitoring/").content.decode()
    assert badge in index and "overdue by 6 days" in index
    assert "Start the report late" in index and "late reports are still accepted" in index
    assert badge in nora.get("/monitoring/").content.decode()  # the coordinator's list of campaigns
    page = nora.get(f"/monitoring/campaigns/{campaign.pk}/").content.decode()
    assert badge in page and 'id="late-reports"' in page

    report = drafted(campaign, norway["olav"].organisation)
    assert badge in olav.get(f"/monitoring/reports/{report.pk}/").content.decode()
    actions.submit(report, acting_user=norway["olav"].user)  # a late report is still taken
    assert badge not in olav.get("/monitoring/").content.decode()  # its report is in: nothing is late
    assert badge not in olav.get(f"/monitoring/reports/{report.pk}/").content.decode()

    actions.close_campaign(campaign, acting_user=norway["nora"].user)
    assert "data-days" not in nora.get(f"/monitoring/campaigns/{campaign.pk}/").content.decode()


def test_a_campaign_before_or_on_its_deadline_is_not_overdue(norway: dict[str, Any]) -> None:
    campaign = group_campaign(norway, deadline=timezone.localdate())
    index = signed_in(norway["olav"]).get("/monitoring/").content.decode()
    assert "data-days" not in index and f'id="start-{campaign.pk}"' in index
    assert "Start the report late" not in index
