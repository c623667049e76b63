"""Nobody sees what is not theirs: attempts to cross the organisation boundary."""

from __future__ import annotations

import pytest
from django.test import Client

from cfit.accounts.scoping import ScopeNotSet, acting_for, system_scope
from cfit.criteria.models import Criterion, FrameworkVersion, Shortlist


@pytest.fixture
def shortlist(procurer, framework: FrameworkVersion) -> Shortlist:
    with system_scope():
        shortlist = Shortlist.objects.create(
            organisation=procurer.organisation, name="Laptops 2027 (internal)"
        )
        shortlist.criteria.add(Criterion.objects.filter(version=framework).first())
    return shortlist


def test_an_unscoped_query_fails_loudly(shortlist: Shortlist) -> None:
    with pytest.raises(ScopeNotSet):
        list(Shortlist.objects.all())


def test_queries_are_scoped_to_the_acting_users_organisations(
    shortlist: Shortlist, procurer, outsider
) -> None:
    with acting_for(procurer.user):
        assert list(Shortlist.objects.all()) == [shortlist]
    with acting_for(outsider.user):
        assert list(Shortlist.objects.all()) == []
        assert not Shortlist.objects.filter(pk=shortlist.pk).exists()
    with acting_for(None):
        assert list(Shortlist.objects.all()) == []


def test_an_outsider_cannot_open_another_organisations_page(
    client: Client, shortlist: Shortlist, outsider, coordinator, supplier
) -> None:
    for persona in (outsider, coordinator, supplier):
        client.force_login(persona.user)
        response = client.get(f"/organisations/{shortlist.organisation.slug}/")
        assert response.status_code == 404, persona.user.username


def test_the_member_sees_the_shortlist_and_members(client: Client, shortlist: Shortlist, procurer) -> None:
    client.force_login(procurer.user)

    page = client.get(f"/organisations/{procurer.organisation.slug}/").content.decode()

    assert "Laptops 2027 (internal)" in page and "pia" in page


def test_anonymous_users_are_sent_to_sign_in(client: Client, shortlist: Shortlist) -> None:
    response = client.get(f"/organisations/{shortlist.organisation.slug}/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_outsider_cannot_add_to_or_see_another_shortlist(
    client: Client, shortlist: Shortlist, outsider, framework
) -> None:
    criterion = Criterion.objects.filter(version=framework).last()
    client.force_login(outsider.user)

    response = client.post(f"/criteria/{criterion.code}/shortlist/", {"shortlist": shortlist.pk})
    page = client.get(f"/criteria/{criterion.code}/").content.decode()

    assert response.status_code == 404
    with system_scope():
        assert criterion not in shortlist.criteria.all()
    assert "Laptops 2027 (internal)" not in page


def test_an_outsider_cannot_create_a_shortlist_for_another_organisation(
    client: Client, procurer, outsider, framework
) -> None:
    criterion = Criterion.objects.filter(version=framework).first()
    client.force_login(outsider.user)

    response = client.post(
        f"/criteria/{criterion.code}/shortlist/",
        {"shortlist": "new", "organisation": procurer.organisation.slug, "name": "planted"},
    )

    assert response.status_code == 404
    with system_scope():
        assert not Shortlist.objects.filter(name="planted").exists()


def test_a_member_can_add_to_its_own_shortlist(
    client: Client, shortlist: Shortlist, procurer, framework
) -> None:
    criterion = Criterion.objects.filter(version=framework).last()
    client.force_login(procurer.user)

    response = client.post(f"/criteria/{criterion.code}/shortlist/", {"shortlist": shortlist.pk})

    assert response.status_code == 302
    with system_scope():
        assert criterion in shortlist.criteria.all()


def test_participants_list_is_public_but_shows_no_internal_data(client: Client, shortlist: Shortlist) -> None:
    page = client.get("/organisations/").content.decode()

    assert shortlist.organisation.name in page
    assert "Laptops 2027" not in page and "pia" not in page


def test_participants_list_does_not_reveal_users_served(client: Client, procurer) -> None:
    """Users served is protected in the published coverage; a public list of each organisation's
    figure would let anyone add a hidden coverage figure back up."""
    organisation = procurer.organisation
    organisation.users_served = 48_213
    organisation.save(update_fields=["users_served"])

    page = client.get("/organisations/").content.decode()

    assert organisation.name in page
    assert "48213" not in page and "48,213" not in page and "48\u202f213" not in page


def test_only_the_secretariat_edits_and_publishes(
    client: Client, framework, procurer, coordinator, secretary
) -> None:
    for persona in (procurer, coordinator):
        client.force_login(persona.user)
        assert client.post(f"/criteria/versions/{framework.code}/draft/").status_code == 403
        assert FrameworkVersion.objects.count() == 1
    client.force_login(secretary.user)
    assert client.post(f"/criteria/versions/{framework.code}/draft/").status_code == 302
    assert FrameworkVersion.objects.count() == 2
