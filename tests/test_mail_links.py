"""Mails people act on carry the full address of the page they act on, from the site's public address
(``CFIT_SITE_URL``); a coordinator hears of each report submitted for review; a campaign past its
deadline says so.

The monitoring mails and the overdue campaign are tested with the rest of the monitoring year, in
tests/test_monitoring_cycle.py.

Defects as users met them: Olav's reminder said "check them and submit" without saying where; Nora
learnt that Oslo had submitted its report only by opening the campaign page; a supplier's overdue
notice named the contract but no page; a member opening the monitoring page a week after the deadline
was invited to "Start the report" as if nothing were late.

Personas here: Pia buys for Rijkswaterstaat, Sid (GreenRefurb) supplies it, Bea is Rijkswaterstaat's
administrator.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve
from hypothesis import given
from hypothesis import strategies as st

from cfit.accounts.models import Membership, Organisation
from cfit.contracts import actions as contracts
from cfit.contracts.models import Contract
from cfit.criteria.models import FrameworkVersion
from cfit.settings import site_address
from cfit.sitelinks import page_address
from tests.conftest import Persona, make_persona
from tests.contract_helpers import awarded_tender, contract_of

Type, Role = Organisation.Type, Membership.Role
SITE = "https://cfit.example.org"


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
