"""A user's own language: chosen with the language switcher or on the account page, it is their pages'
language on a new device and the language of every mail cfit sends them; and a password reset whose
link a forged Host header cannot redirect.

Defects as users met them: Siri, of the secretariat in Oslo, got the pact-wide submissions in English;
Coco chose German on the site and still got her mails in the Dutch of her buyer group, and her pages in
Dutch again on her new laptop; a password reset asked with a forged Host header mailed a link to the
forger's site.

Personas: Sam and Siri are the secretariat, Louise (Ville de Lyon) submits to the pact-wide campaign,
Coco runs the Dutch buyer group, Pia buys for Rijkswaterstaat, Sid (GreenRefurb) supplies it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cfit.accounts.languages import by_language, own_language
from cfit.accounts.models import Membership, Organisation, Profile
from cfit.contracts import actions as contracts
from cfit.learning import actions as learning
from cfit.monitoring import actions as monitoring
from cfit.monitoring.models import Reminder
from cfit.pact.models import BuyerGroup, GroupMembership
from tests.conftest import PASSWORD, Persona, make_persona
from tests.contract_helpers import awarded_tender, contract_of

pytestmark = pytest.mark.django_db
Type, Role = Organisation.Type, Membership.Role
SITE = "https://cfit.example.org"
LANGUAGES = ["en", "nl", "fr", "de", "nb"]


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = SITE


def with_address(persona: Persona, address: str) -> Persona:
    persona.user.email = address
    persona.user.save(update_fields=["email"])
    return persona


def signed_in(persona: Persona, **headers: Any) -> Client:
    """A new browser (no language cookie) signed in through the sign-in page."""
    client = Client(**headers)
    response = client.post("/accounts/login/", {"username": persona.user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def switch(client: Client, language: str) -> None:
    """The language switcher in the page's header."""
    assert client.post("/i18n/setlang/", {"language": language, "next": "/"}).status_code == 302


def language_of(persona: Persona) -> str:
    """The persona's own language as stored now."""
    return own_language(get_user_model().objects.get(pk=persona.user.pk))


def page_language(client: Client, path: str = "/") -> str:
    match = re.search(r'<html lang="([^"]+)"', client.get(path).content.decode())
    assert match is not None
    return match.group(1)


# -- choosing a language --------------------------------------------------------------------------------


def test_the_switcher_makes_a_signed_in_users_choice_their_own(coordinator: Persona) -> None:
    client = signed_in(coordinator)

    switch(client, "de")

    assert language_of(coordinator) == "de"
    assert page_language(client) == "de"
    # an anonymous visitor's choice stays with the device
    anonymous = Client()
    switch(anonymous, "fr")
    assert page_language(anonymous) == "fr" and Profile.objects.count() == 1


def test_a_fresh_sign_in_shows_the_users_own_language_and_the_devices_choice_wins(
    coordinator: Persona,
) -> None:
    switch(signed_in(coordinator), "de")

    laptop = signed_in(coordinator, HTTP_ACCEPT_LANGUAGE="nl")  # a new browser asking for Dutch
    page = laptop.get("/").content.decode()

    assert '<html lang="de">' in page and "Zum Inhalt springen" in page
    switch(laptop, "fr")  # the device's choice wins, and becomes her own
    assert page_language(laptop) == "fr" and language_of(coordinator) == "fr"
    # signed out, the new device follows the browser again
    fresh = signed_in(coordinator, HTTP_ACCEPT_LANGUAGE="nl")
    fresh.post("/accounts/logout/")
    assert page_language(fresh) == "nl"


def test_a_user_without_a_language_keeps_the_browsers(procurer: Persona) -> None:
    assert page_language(signed_in(procurer, HTTP_ACCEPT_LANGUAGE="nl")) == "nl"


def test_the_account_page_saves_the_language_with_a_confirmation(
    procurer: Persona, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(procurer)
    with django_assert_max_num_queries(6):
        page = client.get("/accounts/me/").content.decode()
    assert 'id="language-form"' in page and "norsk (bokmål)" in page

    response = client.post("/accounts/me/", {"language": "nb"}, follow=True)

    assert language_of(procurer) == "nb"
    assert '<html lang="nb">' in response.content.decode()
    assert 'class="message success"' in response.content.decode()
    assert page_language(signed_in(procurer)) == "nb"
    client.post("/accounts/me/", {"language": ""})
    assert language_of(procurer) == ""
    assert client.post("/accounts/me/", {"language": "xx"}).status_code == 200  # refused, redisplayed
    assert language_of(procurer) == ""


def test_the_account_page_is_only_ones_own(procurer: Persona) -> None:
    response = Client().get("/accounts/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().post("/accounts/me/", {"language": "de"}).status_code == 302
    assert not Profile.objects.exists()


# -- mails in their readers' languages --------------------------------------------------------------------


def test_the_secretariat_gets_a_pact_wide_submission_each_in_their_own_language(
    secretary: Persona, outsider: Persona, django_capture_on_commit_callbacks: Any
) -> None:
    sam = with_address(secretary, "sam@pact.example")
    siri = with_address(
        make_persona("siri", "pact-secretariat", Type.SECRETARIAT, Role.ADMIN), "siri@pact.example"
    )
    switch(signed_in(siri), "nb")
    signed_in(sam).post("/accounts/me/", {"language": "en"})
    Membership.objects.filter(pk=outsider.membership.pk).update(role=Role.ADMIN)
    campaign = monitoring.open_campaign(
        year=2025, group=None, title="Pact 2025", opens=date(2026, 1, 1), deadline=date(2026, 3, 31),
        acting_user=None,
    )  # fmt: skip
    report = monitoring.start_report(campaign, outsider.organisation, acting_user=None)
    monitoring.save_values(report, {("users_served", ""): 48000}, acting_user=None)

    with django_capture_on_commit_callbacks(execute=True):
        monitoring.submit(report, acting_user=outsider.user)

    subjects = {tuple(m.to): m.subject for m in mail.outbox}
    assert subjects == {
        ("siri@pact.example",): "Ville De Lyon har sendt inn oppfølgingsrapporten for 2025",
        ("sam@pact.example",): "Ville De Lyon submitted its 2025 monitoring report",
    }
    for message in mail.outbox:  # the same link in every language
        assert f"{SITE}/monitoring/campaigns/{campaign.pk}/#decide-{report.pk}" in message.body


def test_who_chose_german_gets_german_mail(
    coordinator: Persona, procurer: Persona, django_capture_on_commit_callbacks: Any
) -> None:
    group = BuyerGroup.objects.create(
        name="Buyer group NL", slug="buyer-group-nl", country="NL", coordinator=coordinator.organisation,
        language="nl",
    )  # fmt: skip
    GroupMembership.objects.create(group=group, organisation=procurer.organisation, state="active")
    starts = timezone.now() + timedelta(days=10)
    event = learning.create_event(
        acting_user=coordinator.user, buyer_group=group, title="Kennissessie", starts=starts,
        ends=starts + timedelta(hours=2), place="Den Haag", capacity=1, language="nl",
    )  # fmt: skip
    with_address(coordinator, "coco@example.org")
    switch(signed_in(coordinator), "de")
    learning.register(event, acting_user=procurer.user)
    learning.register(event, acting_user=coordinator.user)

    with django_capture_on_commit_callbacks(execute=True):
        learning.unregister(event, acting_user=procurer.user)

    [message] = mail.outbox
    assert message.to == ["coco@example.org"]
    assert message.subject == "Sie haben einen Platz bei Kennissessie"


def test_a_reminder_goes_once_to_each_language_of_a_members_administrators(coordinator: Persona) -> None:
    coco = with_address(coordinator, "coco@ministry.example")
    bert = with_address(
        make_persona("bert", "nl-ministry", Type.COORDINATING_PARTICIPANT, Role.ADMIN),
        "bert@ministry.example",
    )
    switch(signed_in(bert), "de")
    monitoring.open_campaign(
        year=2025, group=None, title="Pact 2025", opens=date(2026, 1, 1), deadline=date(2026, 3, 31),
        acting_user=None,
    )  # fmt: skip

    assert monitoring.send_reminders(date(2026, 3, 20)) == 2
    assert monitoring.send_reminders(date(2026, 3, 20)) == 0  # once a day per report and language
    monitoring.deliver_reminders()

    by_address = {tuple(m.to): m.subject for m in mail.outbox}
    assert by_address[(coco.user.email,)].startswith("Reminder: your 2025 monitoring report")
    assert by_address[("bert@ministry.example",)].startswith("Erinnerung")
    assert sorted(Reminder.objects.values_list("language", flat=True)) == ["de", "en"]


def test_a_contract_notice_goes_to_each_reader_in_their_language_and_the_others_in_the_tenders(
    framework: Any, procurer: Persona, supplier: Persona
) -> None:
    contract = contract_of(awarded_tender(procurer), supplier.organisation, procurer)
    contract.tender.language = "nl"
    contract.tender.save(update_fields=["language"])
    with_address(supplier, "sid@supplier.example")
    sue = with_address(
        make_persona("sue", supplier.organisation.slug, Type.SUPPORTER, Role.VIEWER), "sue@supplier.example"
    )
    switch(signed_in(sue), "fr")
    obligation = contract.obligations.order_by("due_date", "pk").first()
    assert obligation is not None
    contract.obligations.exclude(pk=obligation.pk).update(due_date=obligation.due_date + timedelta(days=400))

    assert contracts.send_notices(obligation.due_date - timedelta(days=3)) == 2
    assert contracts.send_notices(obligation.due_date - timedelta(days=3)) == 0  # once

    subjects = {tuple(m.to): m.subject for m in mail.outbox}
    assert set(subjects) == {("sid@supplier.example",), ("sue@supplier.example",)}
    assert "bewijs uiterlijk" in subjects[("sid@supplier.example",)]  # the tender's Dutch
    assert subjects[("sue@supplier.example",)].startswith("Marché")  # her own French
    deliver = f"{SITE}/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/"
    assert all(m.body.rstrip().endswith(deliver) for m in mail.outbox)


@given(
    readers=st.lists(
        st.tuples(
            st.sampled_from(["", "a@x.example", "b@x.example", "c@x.example", "d@x.example"]),
            st.sampled_from([None, "", "xx", *LANGUAGES]),
        ),
        max_size=12,
    ),
    fallback=st.sampled_from(LANGUAGES),
)
def test_every_reader_gets_one_mail_in_their_own_language_or_the_fallback(
    readers: list[tuple[str, str | None]], fallback: str
) -> None:
    groups = by_language(readers, fallback)

    sent = [address for _language, addresses in groups for address in addresses]
    assert sorted(sent) == sorted({address for address, _language in readers if address})
    first = {}
    for address, language in readers:
        first.setdefault(address, language if language in LANGUAGES else fallback)
    for language, addresses in groups:
        assert addresses and all(first[address] == language for address in addresses)
    assert len({language for language, _addresses in groups}) == len(groups)


# -- the password reset ---------------------------------------------------------------------------------


def test_a_reset_link_points_at_the_site_whatever_the_host_header(procurer: Persona, settings: Any) -> None:
    """A loose ALLOWED_HOSTS lets a forged Host header through; the link still goes to the site."""
    settings.ALLOWED_HOSTS = ["*"]
    with_address(procurer, "pia@rijkswaterstaat.example")
    Profile.objects.create(user=procurer.user, language="nl")

    Client(HTTP_HOST="attacker.example").post(
        "/accounts/password/reset/", {"email": "pia@rijkswaterstaat.example"}
    )

    [message] = mail.outbox
    assert "attacker.example" not in message.body
    assert re.search(rf"^{re.escape(SITE)}/accounts/password/reset/\S+/\S+/$", message.body, re.M), (
        message.body
    )
    assert message.subject == "Uw wachtwoord voor cfit"  # her own language, not the request's
