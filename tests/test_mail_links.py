"""Mails people act on carry the full address of the page they act on, from the site's public address
(``CFIT_SITE_URL``); a coordinator hears of each report submitted for review; a campaign past its
deadline says so.

Defects as users met them: Olav's reminder said "check them and submit" without saying where; Nora
learnt that Oslo had submitted its report only by opening the campaign page; a supplier's overdue
notice named the contract but no page; a member opening the monitoring page a week after the deadline
was invited to "Start the report" as if nothing were late.

Personas: Nora runs the Norwegian buyer group (language nb), Olav is the City of Oslo's administrator
and Vera its viewer; Louise (Ville de Lyon) belongs to no buyer group and wrote her tender in French;
Sam is the secretariat; Pia buys for Rijkswaterstaat and Sid supplies it.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cfit.accounts.models import Membership, Organisation
from cfit.contracts import actions as contracts
from cfit.contracts.models import Contract
from cfit.criteria.models import FrameworkVersion
from cfit.monitoring import actions
from cfit.monitoring.models import Campaign, Report
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership
from cfit.settings import site_address
from cfit.sitelinks import page_address
from cfit.tenders import actions as tenders
from tests.conftest import PASSWORD, Persona, make_persona
from tests.contract_helpers import awarded_tender, contract_of

Type, Role = Organisation.Type, Membership.Role
SITE = "https://cfit.example.org"


@pytest.fixture
def norway(settings: Any, outsider: Persona, secretary: Persona) -> dict[str, Any]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = SITE
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


def group_campaign(norway: dict[str, Any], deadline: date = date(2026, 3, 31)) -> Campaign:
    return actions.open_campaign(
        year=2025, group=norway["group"], title="Oppfølging 2025", opens=date(2026, 1, 1), deadline=deadline,
        acting_user=None,
    )  # fmt: skip


def drafted(campaign: Campaign, organisation: Organisation) -> Report:
    report = actions.start_report(campaign, organisation, acting_user=None)
    actions.save_values(report, {("users_served", ""): 48000}, acting_user=None)
    return report


# -- the site's public address ------------------------------------------------------------------------------


def test_the_address_is_required_in_production_and_there_on_https() -> None:
    with pytest.raises(ImproperlyConfigured, match="CFIT_SITE_URL must be set in production"):
        site_address(None, production=True)
    with pytest.raises(ImproperlyConfigured, match="https"):
        site_address("http://cfit.example.org", production=True)
    for wrong in (
        "cfit.example.org",
        "ftp://cfit.example.org",
        "https://",
        "https://x.org/cfit",
        "https://x.org/?a=1",
    ):
        with pytest.raises(ImproperlyConfigured, match="CFIT_SITE_URL"):
            site_address(wrong, production=False)
    assert site_address("https://cfit.example.org/", production=True) == SITE
    assert site_address("", production=False) == "http://127.0.0.1:8000"


@pytest.mark.parametrize("address", [None, "http://cfit.example.org"])
def test_production_refuses_to_start_without_an_https_site_address(
    tmp_path: Any, address: str | None
) -> None:
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "CFIT_DATA_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "cfit.settings",
    } | ({"CFIT_SITE_URL": address} if address else {})
    result = subprocess.run(
        [sys.executable, "-m", "cfit", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "CFIT_SITE_URL" in result.stderr


@given(
    host=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){1,2}", fullmatch=True),
    slash=st.booleans(),
    pk=st.integers(min_value=1, max_value=10**9),
)
def test_a_page_address_is_the_site_address_then_the_pages_own_path(host: str, slash: bool, pk: int) -> None:
    from django.test import override_settings

    site = site_address(f"https://{host}{'/' if slash else ''}", production=True)
    with override_settings(SITE_URL=site):
        address = page_address("monitoring:report", pk)
    parts = urlsplit(address)
    assert f"{parts.scheme}://{parts.netloc}" == f"https://{host}"
    assert resolve(parts.path).url_name == "report" and resolve(parts.path).kwargs == {"report_id": pk}


# -- monitoring: reminders, returned and submitted reports --------------------------------------------------


@pytest.mark.django_db
def test_a_reminder_links_each_member_to_its_own_report_in_its_language(norway: dict[str, Any]) -> None:
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

    messages = {m.to[0]: m for m in mail.outbox}
    oslo = Report.objects.get(organisation=norway["olav"].organisation, year=2025)
    lyon = Report.objects.get(organisation=louise.organisation, year=2025)
    assert messages["olav@oslo.example"].subject.startswith("Påminnelse")
    assert f"{SITE}/monitoring/reports/{oslo.pk}/" in messages["olav@oslo.example"].body
    assert messages["louise@lyon.example"].subject.startswith("Rappel")
    assert f"{SITE}/monitoring/reports/{lyon.pk}/" in messages["louise@lyon.example"].body
    assert f"/monitoring/reports/{oslo.pk}/" not in messages["louise@lyon.example"].body


@pytest.mark.django_db
def test_a_returned_report_mail_links_to_the_report_to_correct(
    norway: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    report = drafted(group_campaign(norway), norway["olav"].organisation)
    actions.submit(report, acting_user=None)
    with django_capture_on_commit_callbacks(execute=True):
        actions.decide(report, accept=False, comment="Antall brukere?", acting_user=norway["nora"].user)

    [message] = mail.outbox
    assert message.to == ["olav@oslo.example"]
    assert message.body.rstrip().endswith(f"{SITE}/monitoring/reports/{report.pk}/")


@pytest.mark.django_db
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
    assert f"{SITE}/monitoring/campaigns/{campaign.pk}/#decide-{report.pk}" in message.body
    page = signed_in(norway["nora"]).get(f"/monitoring/campaigns/{campaign.pk}/").content.decode()
    assert f'id="decide-{report.pk}"' in page  # the link's anchor is the decision's form

    # returned and submitted again: a new submission, a new mail
    actions.decide(report, accept=False, comment="Antall brukere?", acting_user=norway["nora"].user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit(report, acting_user=norway["olav"].user)
    assert [m.to for m in mail.outbox] == [["nora@dfo.example"]]


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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
    assert f"{SITE}/monitoring/campaigns/{campaign.pk}/#decide-{report.pk}" in message.body


# -- contracts: reminders, overdue notices, escalations -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
def test_contract_notices_link_the_supplier_to_the_delivery_and_the_buyer_to_the_contract(
    framework: FrameworkVersion, procurer: Persona, supplier: Persona, settings: Any, language: str
) -> None:
    settings.SITE_URL = SITE
    contract: Contract = contract_of(awarded_tender(procurer), supplier.organisation, procurer)
    contract.tender.language = language
    contract.tender.save(update_fields=["language"])
    supplier.user.email = "sid@supplier.example"
    supplier.user.save(update_fields=["email"])
    procurer.user.email = "pia@buyer.example"
    procurer.user.save(update_fields=["email"])
    boss = make_persona("bea", procurer.organisation.slug, procurer.organisation.type, Role.ADMIN)
    boss.user.email = "bea@buyer.example"
    boss.user.save(update_fields=["email"])
    obligation = contract.obligations.order_by("due_date", "pk").first()
    assert obligation is not None
    contract.obligations.exclude(pk=obligation.pk).update(due_date=obligation.due_date + timedelta(days=400))
    obligation.checker = procurer.user
    obligation.save(update_fields=["checker"])
    deliver = f"{SITE}/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/"
    detail = f"{SITE}/contracts/{contract.pk}/"

    contracts.send_notices(obligation.due_date - timedelta(days=3))
    contracts.send_notices(obligation.due_date + timedelta(days=1))
    contracts.send_notices(obligation.due_date + timedelta(days=40))

    sent = [(m.to, m.body) for m in mail.outbox]
    assert [to for to, _body in sent] == [
        ["sid@supplier.example"],  # reminder
        ["sid@supplier.example"],  # overdue, to the supplier
        ["pia@buyer.example"],  # overdue, to the buyer's checker
        ["bea@buyer.example"],  # escalation, to the buyer's administrators
    ]
    for to, body in sent:
        last = body.rstrip().splitlines()[-1]
        assert last.endswith(deliver if to == ["sid@supplier.example"] else detail), (to, body)


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


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_a_campaign_before_or_on_its_deadline_is_not_overdue(norway: dict[str, Any]) -> None:
    campaign = group_campaign(norway, deadline=timezone.localdate())
    index = signed_in(norway["olav"]).get("/monitoring/").content.decode()
    assert "data-days" not in index and f'id="start-{campaign.pk}"' in index
    assert "Start the report late" not in index
