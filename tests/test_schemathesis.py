"""Schemathesis against the served OpenAPI document: no server error and no response off its schema.

Bounded for CI: a few examples per operation and a time budget for the whole run. Pia (``procurer``)
is signed in, with a published tender and an upload link, so that the tender and offer endpoints
answer with data, not only with 404; the public criteria and monitoring endpoints need no session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from cfit.tenders import actions as tender_actions

EXAMPLES_PER_OPERATION = 12
#: The whole run stops generating new cases after this many seconds (CI stays under ~90 s).
TIME_BUDGET_SECONDS = 75


@pytest.fixture(scope="module")
def budget_started() -> float:
    """When this module's first case ran (not when the suite collected it)."""
    return time.monotonic()


@pytest.fixture(autouse=True)
def pias_tender(procurer: Any, framework: Any) -> Iterator[None]:
    tender = tender_actions.create_tender(
        procurer.organisation, title="Laptops 2027", reference="FUZZ-1", acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=20, acting_user=None)
    tender_actions.set_offers_deadline(tender, timezone.now() + timedelta(days=14), acting_user=None)
    # The test database lives in one transaction: requests through the bare WSGI handler must not close
    # the connection at their end (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def pias_session(procurer: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Pia's session cookie and a CSRF token (cookies, headers), as a browser calling the API sends them."""
    client = Client()
    client.force_login(procurer.user)
    token = get_random_string(32)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}, {"X-CSRFToken": token}


# The document as the running site serves it (read once, when the tests are collected; it needs no
# database). schemathesis.pytest.from_fixture would load it per test, but does not work with pytest 9.2.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    # The same cases on every run: CI must not pass or fail by chance (run with a random seed locally
    # to explore: ``--hypothesis-seed=random`` does not apply here; drop this line instead).
    derandomize=True,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_case_within_its_schema(
    case: Any, pias_session: tuple[dict[str, str], dict[str, str]], budget_started: float
) -> None:
    if time.monotonic() - budget_started > TIME_BUDGET_SECONDS:
        pytest.skip("time budget for schemathesis spent")
    cookies, headers = pias_session
    case.call_and_validate(
        headers=headers, cookies=cookies, checks=[not_a_server_error, response_schema_conformance]
    )
