"""API tokens: Pia's asset system calls the API as her, with a token she makes and revokes herself.

The token is shown once and only its digest is kept; a read-only token only reads; a program needs no
CSRF token (it has no cookies); a revoked, expired, mistyped or another user's token signs nobody in,
and never falls back to the browser's session; a token signs in to the API only, never to the pages;
what the token reaches is what its user reaches, nothing more.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cfit.accounts import actions
from cfit.accounts.models import ApiToken
from cfit.accounts.scoping import system_scope
from cfit.audit.models import AuditRecord
from cfit.tenders import actions as tender_actions

from .conftest import Persona


def signed_in(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def program(secret: str) -> Client:
    """A program: no session, no cookies, CSRF checked as a browser's would be."""
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


def make_token(persona: Persona, *, read_only: bool, name: str = "asset sync") -> str:
    page = signed_in(persona).post(
        "/accounts/tokens/", {"name": name, "days": "90", **({"read_only": "on"} if read_only else {})}
    )
    assert page.status_code == 200
    found = re.search(r'id="token-secret" readonly value="(cfit_[\w-]+)"', page.content.decode())
    assert found, page.content.decode()[:3000]
    return found.group(1)


TENDER = {"organisation": "rijkswaterstaat", "title": "Laptops", "reference": "RWS-API-1",
          "lots": [{"product_group": "notebooks"}]}  # fmt: skip


@pytest.mark.django_db
def test_pia_makes_a_token_and_her_program_reads_and_writes_as_her(procurer: Persona, framework: Any) -> None:
    secret = make_token(procurer, read_only=False)

    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest() and secret not in str(token.__dict__)
    assert signed_in(procurer).get("/accounts/tokens/").content.decode().count(secret) == 0  # shown once
    made = program(secret).post("/api/v1/tenders/", TENDER, content_type="application/json")
    assert made.status_code == 201, made.content
    listed = program(secret).get("/api/v1/tenders/")
    assert [t["reference"] for t in listed.json()] == ["RWS-API-1"]
    token.refresh_from_db()
    assert token.last_used is not None
    with system_scope():
        record = AuditRecord.objects.filter(action=AuditRecord.Action.TENDER_CREATED).get()
    assert record.actor == procurer.user  # the program acted as Pia


@pytest.mark.django_db
def test_a_read_only_token_reads_and_changes_nothing(procurer: Persona, framework: Any) -> None:
    secret = make_token(procurer, read_only=True)

    assert program(secret).get("/api/v1/tenders/").status_code == 200
    refused = program(secret).post("/api/v1/tenders/", TENDER, content_type="application/json")
    assert refused.status_code == 403 and "only read" in refused.json()["detail"]
    with system_scope():
        assert not tender_actions.Tender.objects.exists()


@pytest.mark.django_db
def test_what_a_token_reaches_is_what_its_user_reaches(
    procurer: Persona, outsider: Persona, framework: Any
) -> None:
    lyon = tender_actions.create_tender(
        outsider.organisation, title="Écrans", reference="LYON-1", acting_user=outsider.user
    )
    secret = make_token(procurer, read_only=False)

    assert program(secret).get(f"/api/v1/tenders/{lyon.pk}").status_code == 404
    assert program(secret).get("/api/v1/tenders/").json() == []
    other = {**TENDER, "organisation": "ville-de-lyon"}
    assert program(secret).post("/api/v1/tenders/", other, content_type="application/json").status_code in (
        403,
        404,
    )


@pytest.mark.django_db
def test_a_revoked_expired_mistyped_or_foreign_token_signs_nobody_in(
    procurer: Persona, outsider: Persona, framework: Any
) -> None:
    secret = make_token(procurer, read_only=True)
    expired = make_token(procurer, read_only=True, name="old")
    ApiToken.objects.filter(name="old").update(expires=timezone.now() - timedelta(seconds=1))

    assert program(expired).get("/api/v1/tenders/").status_code == 401
    assert (
        program(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/api/v1/tenders/").status_code == 401
    )
    assert program("not-a-cfit-token").get("/api/v1/tenders/").status_code == 401
    # A wrong token never falls back to the browser's session.
    browser = signed_in(procurer)
    assert browser.get("/api/v1/tenders/", HTTP_AUTHORIZATION="Bearer cfit_wrong").status_code == 401
    assert browser.get("/api/v1/tenders/").status_code == 200
    # Louise cannot revoke Pia's token; Pia can, and it signs in no more.
    token = ApiToken.objects.get(name="asset sync")
    assert signed_in(outsider).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert program(secret).get("/api/v1/tenders/").status_code == 200
    assert signed_in(procurer).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert program(secret).get("/api/v1/tenders/").status_code == 401
    token.refresh_from_db()
    assert token.revoked is not None
    with system_scope():
        actions_seen = list(
            AuditRecord.objects.filter(action__startswith="api_token")
            .order_by("pk")
            .values_list("action", flat=True)
        )
    assert actions_seen == ["api_token_created", "api_token_created", "api_token_revoked"]


@pytest.mark.django_db
def test_a_token_signs_in_to_the_api_only_never_to_the_pages(procurer: Persona) -> None:
    secret = make_token(procurer, read_only=False)

    page = program(secret).get("/tenders/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


@pytest.mark.django_db
def test_a_token_needs_a_name_and_a_lifetime_the_page_offers_and_few_at_once(procurer: Persona) -> None:
    client = signed_in(procurer)
    assert (
        "token-secret" not in client.post("/accounts/tokens/", {"name": " ", "days": "90"}).content.decode()
    )
    assert (
        "token-secret"
        not in client.post("/accounts/tokens/", {"name": "x", "days": "36500"}).content.decode()
    )
    for n in range(ApiToken.MAX_ACTIVE):
        actions.create_api_token(name=f"t{n}", days=30, read_only=True, acting_user=procurer.user)
    page = client.post("/accounts/tokens/", {"name": "one more", "days": "30"}).content.decode()
    assert "revoke one first" in page and "token-secret" not in page
    assert ApiToken.objects.count() == ApiToken.MAX_ACTIVE


def test_the_openapi_document_describes_the_token() -> None:
    from cfit.api import api

    schema = api.get_openapi_schema()
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())
