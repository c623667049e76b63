"""Public API of the pact's directory: participants and supporters, apart (supporters never participate)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from cfit.accounts.models import Organisation
from cfit.joining.directory import joined_on, listed

router = Router(tags=["participants"])


class ParticipantOut(Schema):
    name: str
    country: str
    type: str
    joined: date


class SupporterOut(Schema):
    name: str
    country: str
    joined: date


@router.get("/participants", response=list[ParticipantOut], summary="Participants of the pact")
def participants(request: HttpRequest) -> list[ParticipantOut]:
    """Procuring and coordinating participants, with the date each signed the pact (ISO 3166-1 alpha-2
    country). Supporters are listed apart, under /supporters."""
    return [
        ParticipantOut(name=o.name, country=o.country, type=o.type, joined=joined_on(o))
        for o in listed().filter(type__in=Organisation.PARTICIPANT_TYPES)
    ]


@router.get("/supporters", response=list[SupporterOut], summary="Supporters of the pact")
def supporters(request: HttpRequest) -> list[SupporterOut]:
    """Suppliers, refurbishers, NGOs and label bodies: in the market dialogue, never participants."""
    return [
        SupporterOut(name=o.name, country=o.country, joined=joined_on(o))
        for o in listed().filter(type=Organisation.Type.SUPPORTER)
    ]
