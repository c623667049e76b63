"""Defects found by walkthroughs (second round), each with the scenario that showed it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cfit.accounts.models import Organisation
from cfit.joining import actions as joining

from .conftest import PASSWORD, Persona
from .test_joining import apply_as

pytestmark = pytest.mark.django_db


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


# -- joining: an organisation's short name keeps its letters ------------------------------------------


@pytest.mark.parametrize(
    ("name", "country", "slug"),
    [
        ("Bærum kommune", "NO", "baerum-kommune"),
        ("Tromsø kommune", "NO", "tromso-kommune"),
        ("Åsnes kommune", "NO", "asnes-kommune"),
        ("Stadt Gießen", "DE", "stadt-giessen"),
        ("Landkreis München-Süd", "DE", "landkreis-munchen-sud"),
        ("Région Île-de-France", "FR", "region-ile-de-france"),
        ("Cœur d'Essonne Agglomération", "FR", "coeur-dessonne-agglomeration"),
        ("Gemeente IJsselstein", "NL", "gemeente-ijsselstein"),
        ("Provincie Noord-Brabant (Coöperatie)", "NL", "provincie-noord-brabant-cooperatie"),
    ],
)
def test_joining_makes_a_short_name_a_reader_of_the_language_expects(
    secretary: Persona, name: str, country: str, slug: str
) -> None:
    applicant = get_user_model().objects.create_user("applicant", password=PASSWORD)

    joining.approve(apply_as(applicant, name=name, country=country), acting_user=secretary.user)

    assert Organisation.objects.get(name=name).slug == slug


def test_a_second_organisation_of_the_same_short_name_gets_its_own(secretary: Persona) -> None:
    Organisation.objects.create(name="Bærum", slug="baerum-kommune", country="NO")
    old = Organisation.objects.create(name="Old", slug="brum-kommune", country="NO")
    applicant = get_user_model().objects.create_user("applicant", password=PASSWORD)

    joining.approve(apply_as(applicant, name="Bærum kommune", country="NO"), acting_user=secretary.user)

    assert Organisation.objects.get(name="Bærum kommune").slug == "baerum-kommune-2"
    old.refresh_from_db()
    assert old.slug == "brum-kommune"
