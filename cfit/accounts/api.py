"""/api/v1/me: who a token (or a session) is, what it may do, and in which organisations.

The first call of an integrator's program: the organisations' slugs are what the other paths take
(/api/v1/fleet/{slug}/assets), and the scopes say whether the token may write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cfit.accounts.models import Membership
from cfit.accounts.permissions import Action, may
from cfit.accounts.tokens import API_AUTH

router = Router(tags=["accounts"], auth=API_AUTH)


class TokenOut(Schema):
    name: str
    prefix: str = Field(description="The secret's first characters, as /accounts/tokens/ lists them")
    read_only: bool
    created: datetime
    expires: datetime


class MembershipOut(Schema):
    slug: str = Field(description="The organisation's name in paths, e.g. /api/v1/fleet/{slug}/assets")
    name: str
    type: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    role: str = Field(description="admin, procurer, asset_manager or viewer")
    may: list[str] = Field(
        description="What the role may do there (docs/permissions.md), e.g. register.import"
    )


class MeOut(Schema):
    username: str
    scopes: list[str] = Field(description="read, and write unless the token is read-only")
    token: TokenOut | None = Field(
        description="The token this request came with; null for a browser's session"
    )
    organisations: list[MembershipOut]


@router.get("/me", response=MeOut, summary="Who is calling: the token, its scopes and its organisations")
def me(request: HttpRequest) -> dict[str, Any]:
    token = getattr(request, "api_token", None)
    user = request.auth  # type: ignore[attr-defined]  # the signed-in user (token or session), never anonymous here
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    return {
        "username": user.get_username(),
        "scopes": ["read"] if token is not None and token.read_only else ["read", "write"],
        "token": token,
        "organisations": [
            {
                "slug": membership.organisation.slug,
                "name": membership.organisation.name,
                "type": membership.organisation.type,
                "country": membership.organisation.country,
                "role": membership.role,
                "may": [action.value for action in Action if may(membership, action)],
            }
            for membership in memberships.order_by("organisation__name")
        ],
    }
