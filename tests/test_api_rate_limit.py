"""The API's rate limit, as an integrator's program meets it: Pia's sync program and Louise's dashboard
each have a token; an anonymous script reads the public criteria. Each caller has its own count; past
it, the answer is 429 with the one error body and Retry-After, and the next window starts afresh."""

from __future__ import annotations

from collections import Counter
from typing import Any
from unittest.mock import patch

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.test import Client, RequestFactory, override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cfit import apilimits

from .conftest import Persona
from .test_api_integrator import conforms
from .test_api_tokens import make_token, program

#: A moment in the middle of a 60-second window (1,800,000,000 is a multiple of 60): 30 s remain.
START = 1_800_000_030.0


@pytest.fixture
def limited(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """Three requests per minute for a token, two for an address; a clock the test moves."""
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_LIMIT_ANONYMOUS = 2
    settings.API_RATE_WINDOW = 60
    clock = {"now": START}
    monkeypatch.setattr(apilimits, "clock", lambda: clock["now"])
    return clock


@pytest.mark.django_db
def test_a_token_past_its_limit_is_answered_429_with_the_error_body_and_retry_after(
    procurer: Persona, limited: dict[str, float]
) -> None:
    sync = program(make_token(procurer, read_only=True))

    answers = [sync.get("/api/v1/me") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit"] for a in answers] == [f'"token";r={r};t=30' for r in (2, 1, 0, 0)]
    assert all(a["RateLimit-Policy"] == '"token";q=3;w=60' for a in answers)
    refused = conforms(answers[-1], "get", "/api/v1/me")
    assert refused["code"] == "throttled" and "30 seconds" in refused["detail"]
    assert answers[-1]["Retry-After"] == "30"


@pytest.mark.django_db
def test_the_count_starts_again_in_the_next_window(procurer: Persona, limited: dict[str, float]) -> None:
    sync = program(make_token(procurer, read_only=True))
    for _ in range(4):
        sync.get("/api/v1/me")
    limited["now"] = START + 29  # the same window: still refused, a second to wait
    still = sync.get("/api/v1/me")

    limited["now"] = START + 30  # the next window
    again = sync.get("/api/v1/me")

    assert still.status_code == 429 and still["Retry-After"] == "1"
    assert again.status_code == 200 and again["RateLimit"] == '"token";r=2;t=60'


@pytest.mark.django_db
def test_one_tokens_use_does_not_limit_another_token_nor_an_address(
    procurer: Persona, outsider: Persona, limited: dict[str, float]
) -> None:
    pias = program(make_token(procurer, read_only=True))
    pias_second = program(make_token(procurer, read_only=True, name="second"))
    louises = program(make_token(outsider, read_only=True))
    for _ in range(4):
        pias.get("/api/v1/me")

    assert pias.get("/api/v1/me").status_code == 429
    assert pias_second.get("/api/v1/me").status_code == 200
    assert louises.get("/api/v1/me").status_code == 200
    # Called from the same address without a token: the address's own count, untouched by Pia's.
    assert Client().get("/api/v1/versions")["RateLimit"] == '"address";r=1;t=30'


@pytest.mark.django_db
def test_calls_without_a_token_are_counted_by_address_in_the_callers_language(
    framework: Any, limited: dict[str, float]
) -> None:
    script = Client(REMOTE_ADDR="192.0.2.7", HTTP_ACCEPT_LANGUAGE="fr")
    other = Client(REMOTE_ADDR="192.0.2.8")

    answers = [script.get("/api/v1/versions") for _ in range(3)]
    # A mistyped token does not sign in: it counts as its address, not as a fresh caller.
    mistyped = script.get("/api/v1/versions", HTTP_AUTHORIZATION="Bearer cfit_wrong")

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1]["RateLimit-Policy"] == '"address";q=2;w=60'
    assert answers[-1].json()["code"] == "throttled" and answers[-1]["Content-Language"] == "fr"
    assert mistyped.status_code == 429
    assert other.get("/api/v1/versions").status_code == 200


@pytest.mark.django_db
def test_pages_are_not_limited_and_a_limit_of_0_is_none(
    procurer: Persona, limited: dict[str, float], settings: Any
) -> None:
    browser = Client()
    pages = [browser.get("/criteria/") for _ in range(4)]
    settings.API_RATE_LIMIT_ANONYMOUS = 0

    unlimited = [browser.get("/api/v1/versions") for _ in range(4)]

    assert all(p.status_code == 200 and not p.has_header("RateLimit") for p in pages)
    assert all(a.status_code == 200 and not a.has_header("RateLimit") for a in unlimited)


@pytest.mark.django_db
def test_an_unchanged_answer_304_still_says_where_the_caller_stands(
    procurer: Persona, limited: dict[str, float]
) -> None:
    sync = program(make_token(procurer, read_only=True))
    first = sync.get("/api/v1/me")

    unchanged = sync.get("/api/v1/me", HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304 and unchanged["RateLimit"] == '"token";r=1;t=30'


@pytest.mark.django_db
def test_with_the_database_cache_every_worker_counts_in_the_one_table(
    procurer: Persona, limited: dict[str, float], settings: Any
) -> None:
    from django.core.cache import caches
    from django.core.management import call_command

    from cfit.settings import api_rate_cache

    settings.CACHES = {**settings.CACHES, apilimits.CACHE: api_rate_cache("database")}
    call_command("createcachetable")
    sync = program(make_token(procurer, read_only=True))
    for _ in range(3):
        sync.get("/api/v1/me")

    caches.close_all()  # as another worker would: its own cache object, the same table
    del caches[apilimits.CACHE]

    assert sync.get("/api/v1/me").status_code == 429


@hypothesis_settings(max_examples=60)
@given(
    quota=st.integers(1, 12),
    window=st.integers(1, 3600),
    moments=st.lists(st.floats(0, 4 * 3600, allow_nan=False), max_size=80),
)
def test_no_window_lets_more_than_its_quota_through_and_each_lets_that_many(
    quota: int, window: int, moments: list[float]
) -> None:
    """Whatever the moments of the calls: in each window, the first ``quota`` calls pass and no more;
    what remains and the seconds until the reset are what the headers say."""
    request = RequestFactory().get("/api/v1/versions", REMOTE_ADDR="192.0.2.9")
    request.user = AnonymousUser()
    caches[apilimits.CACHE].clear()
    passed: Counter[int] = Counter()
    asked: Counter[int] = Counter()
    with override_settings(API_RATE_LIMIT_ANONYMOUS=quota, API_RATE_WINDOW=window):
        for moment in sorted(START + m for m in moments):
            with patch.object(apilimits, "clock", return_value=moment):
                standing = apilimits.count(request)
            assert standing is not None
            which = int(moment // window)
            asked[which] += 1
            passed[which] += standing.allowed
            assert 1 <= standing.reset <= window
            assert standing.remaining == max(0, quota - asked[which])

    assert all(passed[which] == min(quota, asked[which]) for which in asked)
