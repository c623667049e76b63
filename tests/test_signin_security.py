"""Signing in: throttled per account and per address, and passwords changed or reset by e-mail.

Pia (``procurer``) is the account under attack; Coco (``coordinator``) signs in from elsewhere at the
same time. Time moves by ageing the recorded failures, never by sleeping.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings as site
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfit.accounts import throttle
from cfit.accounts.models import FailedSignIn

from .conftest import PASSWORD, Persona

ATTACKER = "203.0.113.7"


def sign_in(username: str, password: str, address: str = ATTACKER) -> tuple[bool, str]:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session, response.content.decode()


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def age_failures(by: timedelta) -> None:
    for failure in FailedSignIn.objects.all():
        FailedSignIn.objects.filter(pk=failure.pk).update(attempted=failure.attempted - by)


def test_sixty_wrong_passwords_lock_the_account_until_the_window_passes(
    procurer: Persona, coordinator
) -> None:
    for n in range(60):
        signed_in, _ = sign_in("pia", f"guess-{n}", address=f"198.51.100.{n}")
        assert not signed_in

    signed_in, page = sign_in("pia", PASSWORD, address="192.0.2.1")
    assert not signed_in
    assert "Too many failed sign-ins for this account" in page
    assert re.search(r"Try again in 1[45] minutes", page)
    # Locked refusals are not even recorded: the wait does not grow with the hammering.
    assert FailedSignIn.objects.filter(username="pia").count() == 5

    # Other accounts are unaffected, from anywhere.
    assert sign_in("coco", PASSWORD, address="192.0.2.1")[0]

    age_failures(throttle.WINDOW + timedelta(seconds=1))
    assert sign_in("pia", PASSWORD, address="192.0.2.1")[0]
    assert not FailedSignIn.objects.filter(username="pia").exists()


def test_the_account_is_locked_case_insensitively_and_for_unknown_names_too(procurer: Persona) -> None:
    for _ in range(5):
        sign_in("PIA", "wrong")
    assert not sign_in("pia", PASSWORD, address="192.0.2.9")[0]
    for _ in range(5):
        sign_in("nobody-here", "wrong", address="192.0.2.10")
    _, page = sign_in("nobody-here", "wrong", address="192.0.2.11")
    # The same words as for a real account: the throttle does not reveal which names exist.
    assert "Too many failed sign-ins for this account" in page


def test_twenty_failures_from_one_address_lock_that_address(procurer: Persona, coordinator) -> None:
    for n in range(20):
        sign_in(f"someone-{n}", "wrong")
    signed_in, page = sign_in("coco", PASSWORD)
    assert not signed_in
    assert "Too many failed sign-ins from your network address" in page
    assert sign_in("coco", PASSWORD, address="192.0.2.2")[0]


def test_a_success_forgets_the_accounts_failures(procurer: Persona) -> None:
    for _ in range(4):
        sign_in("pia", "wrong")
    assert sign_in("pia", PASSWORD)[0]
    for _ in range(4):
        sign_in("pia", "wrong")
    assert sign_in("pia", PASSWORD)[0]


def test_the_admin_sign_in_is_throttled_too(procurer: Persona) -> None:
    procurer.user.is_staff = True
    procurer.user.save(update_fields=["is_staff"])
    for _ in range(5):
        Client(REMOTE_ADDR=ATTACKER).post("/admin/login/", {"username": "pia", "password": "wrong"})
    client = Client(REMOTE_ADDR=ATTACKER)
    client.post("/admin/login/", {"username": "pia", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_client_address_behind_a_proxy_is_the_one_the_proxy_saw() -> None:
    from django.test import RequestFactory, override_settings

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert throttle.client_address(request) == "10.0.0.1"
    with override_settings(TRUSTED_PROXIES=1):
        assert throttle.client_address(request) == "203.0.113.7"
    with override_settings(TRUSTED_PROXIES=3):  # fewer entries than proxies: the direct peer
        assert throttle.client_address(request) == "10.0.0.1"
    assert throttle.client_address(RequestFactory().get("/", REMOTE_ADDR="not-an-ip")) == ""


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seconds_ago=st.lists(st.integers(min_value=0, max_value=14 * 60), min_size=0, max_size=12))
def test_a_lockout_never_outlasts_the_window(db: None, seconds_ago: list[int]) -> None:
    """Whatever the pattern of failures, a lockout ends at most WINDOW after the latest of them."""
    from django.utils import timezone

    from cfit.accounts.models import FailedSignIn as Row

    now = timezone.now()
    Row.objects.all().delete()
    Row.objects.bulk_create(
        [Row(username="pia", address="", attempted=now - timedelta(seconds=s)) for s in seconds_ago]
    )
    locked = throttle.lockout("pia", "", now=now)
    assert (locked is not None) == (len(seconds_ago) >= throttle.MAX_FAILURES_PER_ACCOUNT)
    if locked is not None:
        assert now < locked.until <= now + throttle.WINDOW


# -- password change and reset ----------------------------------------------------------------------------


def test_a_signed_in_member_changes_her_password(procurer: Persona) -> None:
    client = Client()
    client.force_login(procurer.user)
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "circular-fair-2027!",
            "new_password2": "circular-fair-2027!",
        },
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    assert sign_in("pia", "circular-fair-2027!")[0]
    assert Client().get("/accounts/password/").status_code == 302  # signed out: to the sign-in page


def test_a_password_is_reset_through_the_link_in_the_email(procurer: Persona) -> None:
    procurer.user.email = "pia@rijkswaterstaat.example"
    procurer.user.save(update_fields=["email"])
    anonymous = Client()
    page = anonymous.get("/accounts/login/").content.decode()
    assert "/accounts/password/reset/" in page

    response = anonymous.post(
        "/accounts/password/reset/", {"email": "pia@rijkswaterstaat.example"}, follow=True
    )
    assert "If an account has this e-mail address" in response.content.decode()
    assert len(mail.outbox) == 1
    # on the site's configured address (CFIT_SITE_URL), never the request's host (tests/test_own_language.py)
    link = re.search(rf"{re.escape(site.SITE_URL)}(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body)
    assert link is not None, mail.outbox[0].body
    form = anonymous.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = anonymous.post(
        form.redirect_chain[-1][0],
        {"new_password1": "circular-fair-2027!", "new_password2": "circular-fair-2027!"},
        follow=True,
    )
    assert "Your new password is set" in done.content.decode()
    assert sign_in("pia", "circular-fair-2027!")[0]
    # The link works once.
    assert "no longer valid" in anonymous.get(link.group(1), follow=True).content.decode()


def test_a_reset_request_does_not_reveal_whether_an_account_exists(procurer: Persona) -> None:
    procurer.user.email = "pia@rijkswaterstaat.example"
    procurer.user.save(update_fields=["email"])
    known = Client().post("/accounts/password/reset/", {"email": "pia@rijkswaterstaat.example"}, follow=True)
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert without_tokens(known.content.decode()) == without_tokens(unknown.content.decode())
    assert len(mail.outbox) == 1


def test_the_password_pages_are_translated(procurer: Persona) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    page = client.get("/accounts/password/reset/").content.decode()
    assert 'lang="nl"' in page
