"""Defects found by walkthroughs (second round), each with the scenario that showed it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cfit.accounts.models import Membership, Organisation
from cfit.joining import actions as joining
from cfit.pact.models import Signature, Statement, WorkingGroup

from .conftest import PASSWORD, Persona
from .test_joining import apply_as
from .test_pact import another_participant, make_statement, rws_admin, sign, text, working_group

__all__ = ["rws_admin", "working_group"]  # fixtures used from test_pact

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


# -- statements of demand: an administrator of two participants signs for the one it chose ------------


@pytest.fixture
def statement(working_group: WorkingGroup) -> Statement:
    return make_statement(working_group)


@pytest.fixture
def rita_of_two(rws_admin: Persona) -> Persona:
    """Rita administers Rijkswaterstaat and a second participant, Municipality 01."""
    Membership.objects.create(
        user=rws_admin.user, organisation=another_participant(1), role=Membership.Role.ADMIN
    )
    return rws_admin


def test_the_signing_form_prefills_and_signs_for_the_organisation_chosen(
    statement: Statement, rita_of_two: Persona
) -> None:
    rita = signed_in(rita_of_two)
    sign(rita, "rijkswaterstaat", units_notebooks="100", spend_notebooks="80000")
    sign(rita, "municipality-01", units_notebooks="7", spend_notebooks="5000")

    first = text(rita.get("/statements/notebooks-2027/?for=rijkswaterstaat"))
    chosen = text(rita.get("/statements/notebooks-2027/?for=municipality-01"))

    assert 'id="sign-chooser"' in first
    assert 'name="units_notebooks" value="100"' in first
    assert 'type="hidden" name="organisation" value="rijkswaterstaat"' in first
    assert 'name="units_notebooks" value="7"' in chosen
    assert 'type="hidden" name="organisation" value="municipality-01"' in chosen
    assert '<option value="municipality-01" selected>' in chosen
    assert "Volumes of Municipality 01" in chosen
    volumes = {
        s.organisation.slug: [v.units_per_year for v in s.volumes.all()]
        for s in Signature.objects.select_related("organisation").prefetch_related("volumes")
    }
    assert volumes == {"rijkswaterstaat": [100], "municipality-01": [7]}
