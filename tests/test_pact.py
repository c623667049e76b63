"""The pact's pages and rules: participation, buyer groups, working groups and their documents, joint
statements of demand and their collective demand, published in steps. Each rule is tested by trying to break it.

Personas: Pia, procurer at Rijkswaterstaat (not its administrator); Rita, administrator of
Rijkswaterstaat; Coco, administrator of the Dutch ministry that coordinates the NL buyer group; Sid,
of GreenRefurb (a supporter); Louise, procurer at Ville de Lyon, and Lena, its administrator; Sam, of
the secretariat.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cfit.accounts.models import Membership, Organisation
from cfit.criteria.models import Criterion, FrameworkVersion
from cfit.pact import actions
from cfit.pact.actions import PactRuleBroken
from cfit.pact.models import (
    BuyerGroup,
    GroupMembership,
    Signature,
    Statement,
    WorkingGroup,
    WorkingGroupDocument,
    WorkingGroupMember,
)
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db

ACTIVE, INVITED, REQUESTED, DECLINED = (
    GroupMembership.State.ACTIVE,
    GroupMembership.State.INVITED,
    GroupMembership.State.REQUESTED,
    GroupMembership.State.DECLINED,
)


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture
def rws_admin(db: Any) -> Persona:
    return make_persona(
        "rita", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN
    )


@pytest.fixture
def lyon_admin(db: Any) -> Persona:
    return make_persona(
        "lena", "ville-de-lyon", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ADMIN, "FR"
    )


@pytest.fixture
def group(coordinator: Persona) -> BuyerGroup:
    return actions.create_buyer_group(
        coordinator.organisation,
        name="Dutch buyer group",
        slug="nl-buyers",
        country="NL",
        language="nl",
        description="Dutch public buyers of ICT.",
    )


@pytest.fixture
def working_group(rws_admin: Persona, supplier: Persona) -> WorkingGroup:
    group = WorkingGroup.objects.create(name="Notebooks", slug="notebooks-wg", topic="notebooks")
    actions.add_working_group_member(
        group, rws_admin.organisation, WorkingGroupMember.Role.CHAIR, acting_user=None
    )
    actions.add_working_group_member(
        group, supplier.organisation, WorkingGroupMember.Role.OBSERVER, acting_user=None
    )
    return group


def make_statement(
    working_group: WorkingGroup, slug: str = "notebooks-2027", publish: bool = True
) -> Statement:
    statement = Statement.objects.create(
        working_group=working_group,
        slug=slug,
        title={"en": "Repairable notebooks", "nl": "Repareerbare laptops"},
        text={"en": "We will buy repairable notebooks.", "nl": "Wij kopen repareerbare laptops."},
        product_groups=["notebooks", "monitors"],
    )
    return actions.publish_statement(statement, acting_user=None) if publish else statement


@pytest.fixture
def statement(working_group: WorkingGroup) -> Statement:
    return make_statement(working_group)


def another_participant(number: int, type_: str = Organisation.Type.PROCURING_PARTICIPANT) -> Organisation:
    return Organisation.objects.create(
        name=f"Municipality {number:02d}", slug=f"municipality-{number:02d}", country="NL", type=type_
    )


# ---------------------------------------------------------------------------
# Participation
# ---------------------------------------------------------------------------


def test_a_supporter_cannot_become_a_participant(supplier: Persona) -> None:
    for as_type in Organisation.PARTICIPANT_TYPES:
        with pytest.raises(PactRuleBroken, match="supporter cannot become a participant"):
            actions.join_pact(
                supplier.organisation, as_type, signed_on=date(2026, 1, 1), users_served=10, acting_user=None
            )

    supplier.organisation.refresh_from_db()
    assert supplier.organisation.type == Organisation.Type.SUPPORTER
    assert supplier.organisation.signed_on is None


def test_the_participation_page_shows_the_supporter_rule_as_a_form_error(supplier: Persona) -> None:
    client = signed_in(supplier)
    assert client.get("/organisations/green-refurb/participation/").status_code == 200

    response = client.post(
        "/organisations/green-refurb/participation/",
        {"type": "procuring_participant", "signed_on": "2026-01-15", "users_served": "50"},
    )

    assert response.status_code == 200
    assert "supporter cannot become a participant" in text(response)
    assert 'id="errors-type"' in text(response)
    supplier.organisation.refresh_from_db()
    assert supplier.organisation.type == Organisation.Type.SUPPORTER


def test_an_administrator_records_the_participation(rws_admin: Persona) -> None:
    client = signed_in(rws_admin)

    no_date = client.post(
        "/organisations/rijkswaterstaat/participation/",
        {"type": "procuring_participant", "signed_on": "", "users_served": "9000"},
    )
    assert no_date.status_code == 200
    assert "gives the date it signed" in text(no_date)
    assert 'id="errors-signed_on"' in text(no_date)

    response = client.post(
        "/organisations/rijkswaterstaat/participation/",
        {"type": "procuring_participant", "signed_on": "2026-03-01", "users_served": "9000"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/organisations/rijkswaterstaat/participation/"
    organisation = Organisation.objects.get(slug="rijkswaterstaat")
    assert (organisation.signed_on, organisation.users_served) == (date(2026, 3, 1), 9000)
    assert any("saved" in m for m in messages_of(response))


def test_only_administrators_reach_the_participation_page(
    procurer: Persona, outsider: Persona, rws_admin: Persona
) -> None:
    url = "/organisations/rijkswaterstaat/participation/"
    assert signed_in(procurer).get(url).status_code == 404  # a member, not an administrator
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(outsider).post(url, {"type": "supporter", "users_served": "0"}).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    assert signed_in(rws_admin).get("/organisations/no-such-organisation/participation/").status_code == 404


def test_a_coordinator_keeps_its_type_while_it_leads_a_group(coordinator: Persona, group: BuyerGroup) -> None:
    with pytest.raises(PactRuleBroken, match="hand your buyer groups over"):
        actions.join_pact(
            coordinator.organisation,
            Organisation.Type.PROCURING_PARTICIPANT,
            signed_on=date(2026, 1, 1),
            users_served=1,
            acting_user=None,
        )
    coordinator.organisation.refresh_from_db()
    assert coordinator.organisation.type == Organisation.Type.COORDINATING_PARTICIPANT


def test_a_member_leaves_its_groups_before_becoming_a_supporter(
    rws_admin: Persona, group: BuyerGroup
) -> None:
    GroupMembership.objects.create(group=group, organisation=rws_admin.organisation, state=ACTIVE)

    response = signed_in(rws_admin).post(
        "/organisations/rijkswaterstaat/participation/", {"type": "supporter", "users_served": "0"}
    )

    assert "Leave your buyer groups" in text(response)
    assert Organisation.objects.get(slug="rijkswaterstaat").type == Organisation.Type.PROCURING_PARTICIPANT


# ---------------------------------------------------------------------------
# Buyer groups
# ---------------------------------------------------------------------------


def test_only_a_coordinating_participant_leads_a_buyer_group(
    rws_admin: Persona, supplier: Persona, coordinator: Persona
) -> None:
    for organisation in (rws_admin.organisation, supplier.organisation):
        with pytest.raises(ValidationError, match="led by a coordinating participant"):
            actions.create_buyer_group(organisation, name="X", slug=f"x-{organisation.slug}", country="NL")
    assert not BuyerGroup.objects.exists()

    assert actions.create_buyer_group(coordinator.organisation, name="Y", slug="y", country="NL").pk


def test_buyer_groups_are_public(group: BuyerGroup, rws_admin: Persona) -> None:
    GroupMembership.objects.create(group=group, organisation=rws_admin.organisation, state=ACTIVE)
    GroupMembership.objects.create(group=group, organisation=another_participant(1), state=REQUESTED)

    listing = text(Client().get("/groups/"))
    page = Client().get("/groups/nl-buyers/")

    row = re.search(r'<tr id="group-nl-buyers">(.*?)</tr>', listing, re.S).group(1)
    assert "Dutch buyer group" in row and "Nl Ministry" in row and "Dutch" in row
    assert '<td class="num">2</td>' in row  # the coordinator and Rijkswaterstaat: active members only
    assert page.status_code == 200
    html = text(page)
    assert "Dutch public buyers of ICT." in html and "Nl Ministry" in html
    assert 'data-organisation="rijkswaterstaat"' in html
    assert "Municipality 01" not in html  # an open request is not public
    assert 'id="join-form"' not in html and 'id="invite-form"' not in html
    assert Client().get("/groups/no-such-group/").status_code == 404


def test_a_request_to_join_reaches_active(
    group: BuyerGroup, rws_admin: Persona, coordinator: Persona
) -> None:
    rita = signed_in(rws_admin)
    assert 'id="join-form"' in text(rita.get("/groups/nl-buyers/"))

    response = rita.post("/groups/nl-buyers/join/", {"organisation": "rijkswaterstaat"}, follow=True)

    membership = GroupMembership.objects.get(group=group, organisation=rws_admin.organisation)
    assert membership.state == REQUESTED
    assert any("asked to join" in m for m in messages_of(response))
    assert 'id="join-form"' not in text(response)  # no second request

    coco = signed_in(coordinator)
    page = text(coco.get("/groups/nl-buyers/"))
    requests = re.search(r'<table id="requests">(.*?)</table>', page, re.S).group(1)
    assert "Rijkswaterstaat" in requests and f'id="answer-{membership.pk}"' in requests

    response = coco.post(f"/groups/memberships/{membership.pk}/answer/", {"accept": "yes"}, follow=True)

    membership.refresh_from_db()
    assert membership.state == ACTIVE and membership.decided_by == coordinator.user
    assert 'data-organisation="rijkswaterstaat"' in text(Client().get("/groups/nl-buyers/"))
    assert any("now a member" in m for m in messages_of(response))


def test_an_invitation_reaches_active(group: BuyerGroup, rws_admin: Persona, coordinator: Persona) -> None:
    coco = signed_in(coordinator)
    invite_form = re.search(
        r'<form[^>]*id="invite-form".*?</form>', text(coco.get("/groups/nl-buyers/")), re.S
    )
    assert 'value="rijkswaterstaat"' in invite_form.group(0)

    coco.post("/groups/nl-buyers/invite/", {"organisation": "rijkswaterstaat"})

    membership = GroupMembership.objects.get(group=group, organisation=rws_admin.organisation)
    assert membership.state == INVITED
    rita = signed_in(rws_admin)
    page = text(rita.get("/groups/nl-buyers/"))
    assert f'id="answer-{membership.pk}"' in page and 'id="join-form"' not in page

    rita.post(f"/groups/memberships/{membership.pk}/answer/", {"accept": "yes"})

    membership.refresh_from_db()
    assert membership.state == ACTIVE
    invite_form = re.search(
        r'<form[^>]*id="invite-form".*?</form>', text(coco.get("/groups/nl-buyers/")), re.S
    )
    assert 'value="rijkswaterstaat"' not in invite_form.group(0)  # members are not offered again


def test_a_request_and_an_invitation_meet_both_ways(
    group: BuyerGroup, rws_admin: Persona, lyon_admin: Persona, coordinator: Persona
) -> None:
    # asked, then invited: admitted at once
    signed_in(rws_admin).post("/groups/nl-buyers/join/", {"organisation": "rijkswaterstaat"})
    signed_in(coordinator).post("/groups/nl-buyers/invite/", {"organisation": "rijkswaterstaat"})
    assert GroupMembership.objects.get(organisation=rws_admin.organisation).state == ACTIVE

    # invited, then asked: the invitation is accepted
    actions.invite(group, lyon_admin.organisation, acting_user=coordinator.user)
    assert actions.request_to_join(group, lyon_admin.organisation, acting_user=None).state == ACTIVE

    with pytest.raises(PactRuleBroken, match="already a member"):
        actions.request_to_join(group, lyon_admin.organisation, acting_user=None)
    with pytest.raises(PactRuleBroken, match="already a member"):
        actions.invite(group, rws_admin.organisation, acting_user=coordinator.user)


def test_a_declined_invitation_leaves_the_way_open_to_ask(
    group: BuyerGroup, rws_admin: Persona, coordinator: Persona
) -> None:
    membership = actions.invite(group, rws_admin.organisation, acting_user=coordinator.user)
    rita = signed_in(rws_admin)

    rita.post(f"/groups/memberships/{membership.pk}/answer/", {"accept": "no"})

    membership.refresh_from_db()
    assert membership.state == DECLINED
    assert rita.post(f"/groups/memberships/{membership.pk}/answer/", {"accept": "yes"}).status_code == 404
    assert 'id="join-form"' in text(rita.get("/groups/nl-buyers/"))
    rita.post("/groups/nl-buyers/join/", {"organisation": "rijkswaterstaat"})
    membership.refresh_from_db()
    assert membership.state == REQUESTED


def test_a_supporter_cannot_join_a_buyer_group_nor_be_invited(
    group: BuyerGroup, supplier: Persona, coordinator: Persona
) -> None:
    with pytest.raises(PactRuleBroken, match="Only participants are members"):
        actions.request_to_join(group, supplier.organisation, acting_user=None)
    with pytest.raises(PactRuleBroken, match="Only participants are members"):
        actions.invite(group, supplier.organisation, acting_user=coordinator.user)

    sid = signed_in(supplier)
    assert 'id="join-form"' not in text(sid.get("/groups/nl-buyers/"))
    asked = sid.post("/groups/nl-buyers/join/", {"organisation": "green-refurb"}, follow=True)
    coco = signed_in(coordinator)
    invite_form = re.search(
        r'<form[^>]*id="invite-form".*?</form>', text(coco.get("/groups/nl-buyers/")), re.S
    )
    invited = coco.post("/groups/nl-buyers/invite/", {"organisation": "green-refurb"}, follow=True)

    assert any("Only participants are members" in m for m in messages_of(asked))
    assert 'value="green-refurb"' not in invite_form.group(0)
    assert any("Only participants are members" in m for m in messages_of(invited))
    assert not GroupMembership.objects.filter(organisation=supplier.organisation).exists()


def test_a_supporter_invited_before_it_became_one_cannot_accept(
    group: BuyerGroup, rws_admin: Persona, coordinator: Persona
) -> None:
    membership = actions.invite(group, rws_admin.organisation, acting_user=coordinator.user)
    actions.join_pact(
        rws_admin.organisation, Organisation.Type.SUPPORTER, signed_on=None, users_served=0, acting_user=None
    )

    response = signed_in(rws_admin).post(
        f"/groups/memberships/{membership.pk}/answer/", {"accept": "yes"}, follow=True
    )

    assert any("Only participants are members" in m for m in messages_of(response))
    membership.refresh_from_db()
    assert membership.state == INVITED


def test_a_non_coordinator_cannot_invite_or_admit(
    group: BuyerGroup, rws_admin: Persona, lyon_admin: Persona, procurer: Persona, supplier: Persona
) -> None:
    request = actions.request_to_join(group, rws_admin.organisation, acting_user=None)
    lena = signed_in(lyon_admin)

    assert 'id="coordination"' not in text(lena.get("/groups/nl-buyers/"))
    assert lena.post("/groups/nl-buyers/invite/", {"organisation": "ville-de-lyon"}).status_code == 403
    assert lena.post("/groups/no-such-group/invite/", {"organisation": "ville-de-lyon"}).status_code == 404
    for persona in (
        lyon_admin,
        procurer,
        rws_admin,
        supplier,
    ):  # procurer: a member of the asking organisation
        response = signed_in(persona).post(f"/groups/memberships/{request.pk}/answer/", {"accept": "yes"})
        assert response.status_code == 404
    assert Client().post(f"/groups/memberships/{request.pk}/answer/", {"accept": "yes"}).status_code == 302

    request.refresh_from_db()
    assert request.state == REQUESTED
    assert not GroupMembership.objects.filter(organisation=lyon_admin.organisation).exists()


def test_a_procurer_cannot_ask_to_join_for_its_organisation(group: BuyerGroup, procurer: Persona) -> None:
    pia = signed_in(procurer)
    assert 'id="join-form"' not in text(pia.get("/groups/nl-buyers/"))

    assert pia.post("/groups/nl-buyers/join/", {"organisation": "rijkswaterstaat"}).status_code == 403
    assert pia.post("/groups/nl-buyers/join/", {"organisation": "nl-ministry"}).status_code == 404
    assert not GroupMembership.objects.filter(organisation=procurer.organisation).exists()


def test_an_outsider_cannot_answer_another_organisations_invitation(
    group: BuyerGroup, rws_admin: Persona, lyon_admin: Persona, procurer: Persona, coordinator: Persona
) -> None:
    invitation = actions.invite(group, rws_admin.organisation, acting_user=coordinator.user)

    for persona in (lyon_admin, procurer, coordinator):  # coordinator: invitations are not its to answer
        client = signed_in(persona)
        assert (
            client.post(f"/groups/memberships/{invitation.pk}/answer/", {"accept": "yes"}).status_code == 404
        )
        assert f'id="answer-{invitation.pk}"' not in text(client.get("/groups/nl-buyers/"))
    assert (
        signed_in(lyon_admin).post("/groups/memberships/999999/answer/", {"accept": "yes"}).status_code == 404
    )

    invitation.refresh_from_db()
    assert invitation.state == INVITED


def test_changes_are_posted(group: BuyerGroup, rws_admin: Persona, coordinator: Persona) -> None:
    invitation = actions.invite(group, rws_admin.organisation, acting_user=coordinator.user)
    assert signed_in(rws_admin).get("/groups/nl-buyers/join/").status_code == 405
    assert signed_in(coordinator).get("/groups/nl-buyers/invite/").status_code == 405
    assert signed_in(rws_admin).get(f"/groups/memberships/{invitation.pk}/answer/").status_code == 405

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(rws_admin.user)
    assert (
        csrf_client.post(f"/groups/memberships/{invitation.pk}/answer/", {"accept": "yes"}).status_code == 403
    )
    invitation.refresh_from_db()
    assert invitation.state == INVITED


# ---------------------------------------------------------------------------
# Working groups
# ---------------------------------------------------------------------------


def upload_document(client: Client, name: str = "minutes.pdf", data: bytes = b"%PDF-1.4 minutes") -> Any:
    return client.post(
        "/working-groups/notebooks-wg/",
        {"title": "Minutes of 3 March", "language": "en", "url": "", "file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_working_groups_are_public_but_their_documents_are_not(
    working_group: WorkingGroup,
    rws_admin: Persona,
    outsider: Persona,
    secretary: Persona,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.UPLOAD_DIR = tmp_path
    rita = signed_in(rws_admin)
    response = upload_document(rita)
    assert any("Document added" in m for m in messages_of(response))
    item = WorkingGroupDocument.objects.get()
    url = f"/working-groups/notebooks-wg/documents/{item.pk}/"
    assert url in text(response)

    download = rita.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes"
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="minutes.pdf"' in download["Content-Disposition"]
    assert signed_in(secretary).get(url).status_code == 200

    listing = text(Client().get("/working-groups/"))
    public = text(Client().get("/working-groups/notebooks-wg/"))
    assert "Notebooks" in listing and 'id="wg-notebooks-wg"' in listing
    assert "Rijkswaterstaat" in public and "Chair" in public and "Observer" in public
    assert 'id="documents"' not in public and "Minutes of 3 March" not in public
    assert "Minutes of 3 March" not in text(signed_in(outsider).get("/working-groups/notebooks-wg/"))
    assert Client().get(url).status_code == 404
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(outsider).get("/working-groups/other-wg/documents/1/").status_code == 404


def test_a_link_document_redirects_members(
    working_group: WorkingGroup, rws_admin: Persona, outsider: Persona
) -> None:
    rita = signed_in(rws_admin)
    rita.post(
        "/working-groups/notebooks-wg/",
        {"title": "Shared folder", "language": "nl", "url": "https://example.org/folder"},
    )
    item = WorkingGroupDocument.objects.get()

    assert (
        rita.get(f"/working-groups/notebooks-wg/documents/{item.pk}/")["Location"]
        == "https://example.org/folder"
    )
    assert signed_in(outsider).get(f"/working-groups/notebooks-wg/documents/{item.pk}/").status_code == 404


def test_only_editors_add_documents(
    working_group: WorkingGroup, supplier: Persona, outsider: Persona, settings: Any, tmp_path: Any
) -> None:
    settings.UPLOAD_DIR = tmp_path
    sid = signed_in(supplier)  # an observer: sees the documents, does not add any
    page = text(sid.get("/working-groups/notebooks-wg/"))
    assert (
        'id="documents"' in page and 'id="document-form"' not in page and 'id="draft-statement"' not in page
    )

    assert upload_document(sid).status_code == 403
    assert upload_document(signed_in(outsider)).status_code == 404
    assert not WorkingGroupDocument.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_document_needs_an_accepted_kind_and_one_source(
    working_group: WorkingGroup, rws_admin: Persona, settings: Any, tmp_path: Any
) -> None:
    settings.UPLOAD_DIR = tmp_path
    rita = signed_in(rws_admin)

    wrong_kind = upload_document(rita, name="tool.exe", data=b"MZ")
    neither = rita.post("/working-groups/notebooks-wg/", {"title": "Nothing", "language": "en"})

    assert "Files of type .exe are not accepted." in text(wrong_kind)
    assert "Give either a link or a file." in text(neither)
    assert not WorkingGroupDocument.objects.exists()


# ---------------------------------------------------------------------------
# Statements of demand
# ---------------------------------------------------------------------------


def statement_form(slug: str = "monitors-2027", criteria: str = "", **extra: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "title_en": "Long-lasting monitors",
        "text_en": "We buy monitors that last.",
        "title_de": "Langlebige Monitore",
        "text_de": "",
        "product_groups": ["monitors"],
        "criteria": criteria,
        **extra,
    }


def test_a_draft_is_written_by_the_working_group_and_hidden_until_published(
    working_group: WorkingGroup,
    rws_admin: Persona,
    outsider: Persona,
    supplier: Persona,
    framework: FrameworkVersion,
) -> None:
    rita = signed_in(rws_admin)
    assert 'href="/statements/new/notebooks-wg/"' in text(rita.get("/working-groups/notebooks-wg/"))
    form = text(rita.get("/statements/new/notebooks-wg/"))
    assert 'name="title_nb"' in form and 'value="notebooks"' in form and 'value="monitors"' in form
    code = Criterion.objects.filter(version=framework).first().code

    response = rita.post("/statements/new/notebooks-wg/", statement_form(criteria=f"{code},  {code}"))

    assert response.status_code == 302
    statement = Statement.objects.get(slug="monitors-2027")
    assert statement.status == Statement.Status.DRAFT
    assert statement.title == {"en": "Long-lasting monitors", "de": "Langlebige Monitore"}
    assert statement.text == {"en": "We buy monitors that last."}
    assert (statement.product_groups, statement.criteria) == (["monitors"], [code])
    url = "/statements/monitors-2027/"
    for client in (Client(), signed_in(outsider), signed_in(supplier)):  # supplier: an observer only
        assert client.get(url).status_code == 404
        assert "Long-lasting monitors" not in text(client.get("/statements/"))
    assert rita.get(url).status_code == 200
    assert 'id="drafts"' in text(rita.get("/statements/"))

    rita.post("/statements/monitors-2027/edit/", statement_form(title_en="Monitors that last"))
    statement.refresh_from_db()
    assert statement.title["en"] == "Monitors that last"
    assert signed_in(outsider).post("/statements/monitors-2027/publish/").status_code == 404

    rita.post("/statements/monitors-2027/publish/")

    statement.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED
    assert Client().get(url).status_code == 200
    assert "Monitors that last" in text(Client().get("/statements/"))
    assert signed_in(outsider).get("/statements/monitors-2027/edit/").status_code == 403
    edited_late = rita.get("/statements/monitors-2027/edit/", follow=True)
    assert any("Only a draft is edited." in m for m in messages_of(edited_late))


def test_only_editors_draft_statements(
    working_group: WorkingGroup, outsider: Persona, supplier: Persona, secretary: Persona
) -> None:
    assert signed_in(outsider).get("/statements/new/notebooks-wg/").status_code == 404
    assert signed_in(supplier).post("/statements/new/notebooks-wg/", statement_form()).status_code == 404
    assert signed_in(secretary).get("/statements/new/notebooks-wg/").status_code == 200
    assert signed_in(secretary).get("/statements/new/no-such-wg/").status_code == 404
    assert not Statement.objects.exists()


def test_unknown_criterion_ids_are_refused_by_name(
    working_group: WorkingGroup, rws_admin: Persona, framework: FrameworkVersion
) -> None:
    code = Criterion.objects.filter(version=framework).first().code

    response = signed_in(rws_admin).post(
        "/statements/new/notebooks-wg/", statement_form(criteria=f"{code}, no-such-criterion, made-up-2")
    )

    assert response.status_code == 200
    errors = re.search(r'id="errors-criteria">(.*?)</div>', text(response), re.S).group(1)
    assert "Unknown criterion ids: no-such-criterion, made-up-2" in errors
    assert code not in errors
    assert not Statement.objects.exists()


def test_english_is_required_and_slugs_are_unique(
    working_group: WorkingGroup, statement: Statement, rws_admin: Persona
) -> None:
    rita = signed_in(rws_admin)
    no_english = rita.post("/statements/new/notebooks-wg/", statement_form(title_en="", text_en=""))
    taken = rita.post("/statements/new/notebooks-wg/", statement_form(slug="notebooks-2027"))
    reserved = rita.post("/statements/new/notebooks-wg/", statement_form(slug="new"))

    assert no_english.context["form"].errors.keys() >= {"title_en", "text_en"}
    assert "Another statement has this short name." in text(taken)
    assert "reserved" in text(reserved)
    assert Statement.objects.count() == 1


def test_a_statement_is_read_in_the_readers_language(
    statement: Statement, framework: FrameworkVersion
) -> None:
    code = Criterion.objects.filter(version=framework).first().code
    statement.criteria = [code]
    statement.save()

    dutch = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": "nl"}))
    french = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": "fr"}))

    assert "Repareerbare laptops" in dutch and "Wij kopen repareerbare laptops." in dutch
    assert (
        "Repairable notebooks" in french and "We will buy repairable notebooks." in french
    )  # no French: English
    assert f'href="/criteria/{code}/"' in french
    assert "Repareerbare laptops" in text(Client().get("/statements/", headers={"accept-language": "nl"}))


def demand_row(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r'data-value="([^"]*)"', row)


def sign(client: Client, organisation: str, **volumes: str) -> Any:
    data = {"organisation": organisation}
    for group in ("notebooks", "monitors"):
        data[f"units_{group}"] = volumes.get(f"units_{group}", "")
        data[f"spend_{group}"] = volumes.get(f"spend_{group}", "")
    return client.post("/statements/notebooks-2027/", data, follow=True)


def test_the_collective_demand_is_published_in_steps_that_hide_each_signatory(
    statement: Statement, rws_admin: Persona, lyon_admin: Persona
) -> None:
    """It used to add up live: the total went from 560 to 630 units when a fourth signatory signed for 70
    monitors, which anyone comparing the two read as that signatory's demand."""
    rita, lena = signed_in(rws_admin), signed_in(lyon_admin)
    assert 'id="sign-form"' in text(rita.get("/statements/notebooks-2027/"))
    assert 'id="sign-form"' not in text(Client().get("/statements/notebooks-2027/"))

    first = sign(
        rita,
        "rijkswaterstaat",
        units_notebooks="100",
        spend_notebooks="80000",
        units_monitors="50",
        spend_monitors="10000.50",
    )
    sign(lena, "ville-de-lyon", units_notebooks="200", spend_notebooks="150000")
    volumes = {"notebooks": (150, Decimal(100000)), "monitors": (60, Decimal(12000))}
    actions.sign_statement(statement, another_participant(1), volumes, acting_user=None)

    assert any("signed the statement" in m for m in messages_of(first))
    html = text(Client().get("/statements/notebooks-2027/"))
    # the total less the notebooks would be the two monitors' signatories: the notebooks go
    assert demand_row(html, "demand-notebooks") == ["3"]
    assert demand_row(html, "demand-monitors") == ["2"]
    assert 'data-reason="threshold">hidden: fewer than 3 signatories<' in html
    assert demand_row(html, "demand-total") == ["3", "560", "352000.50"]
    assert 'id="demand-rules"' in html and 'id="demand-updated"' in html

    # a fourth signatory alone: the total would move by its volumes, so it stays as published
    volumes = {"monitors": (70, Decimal(14000))}
    actions.sign_statement(statement, another_participant(2), volumes, acting_user=None)
    html = text(Client().get("/statements/notebooks-2027/"))
    assert demand_row(html, "demand-total") == ["3", "560", "352000.50"]
    assert "counted at the next update" in html
    signatories = re.search(r'<table id="signatories">(.*?)</table>', html, re.S).group(1)
    assert "Rijkswaterstaat" in signatories and "Ville De Lyon" in signatories and "France" in signatories
    assert "Municipality 02" in signatories  # who signed is public, from the moment it signs
    listed = re.search(
        r'<tr id="statement-notebooks-2027">(.*?)</tr>', text(Client().get("/statements/")), re.S
    )
    assert listed.group(1).endswith('<td class="num">4</td>')  # signatories

    # two more: the change since the last version comes from three of them, none dominating it
    for number, units in ((3, 80), (4, 90)):
        volumes = {"monitors": (units, Decimal(units * 200))}
        actions.sign_statement(statement, another_participant(number), volumes, acting_user=None)
    html = text(Client().get("/statements/notebooks-2027/"))
    assert demand_row(html, "demand-notebooks") == ["3", "450", "330000.00"]
    assert demand_row(html, "demand-monitors") == ["5", "350", "70000.50"]
    assert demand_row(html, "demand-total") == ["6", "800", "400000.50"]
    assert 'id="demand-rules"' not in html  # nothing hidden, nothing to explain
    assert "counted at the next update" not in html

    # signing again updates the volumes, and the form shows what was signed; alone, it waits
    form = text(rita.get("/statements/notebooks-2027/"))
    assert 'name="units_notebooks" value="100"' in form
    sign(rita, "rijkswaterstaat", units_notebooks="150", spend_notebooks="90000")

    html = text(Client().get("/statements/notebooks-2027/"))
    assert Signature.objects.count() == 6
    assert demand_row(html, "demand-notebooks") == ["3", "450", "330000.00"]
    assert demand_row(html, "demand-total") == ["6", "800", "400000.50"]


def test_the_collective_demand_is_written_the_readers_way(
    statement: Statement, rws_admin: Persona, lyon_admin: Persona
) -> None:
    """A Dutch reader saw the demand as "10400" devices beside "9.880.000,00" euros: the units were
    written without grouping, in every language."""
    sign(signed_in(rws_admin), "rijkswaterstaat", units_notebooks="10400", spend_notebooks="9880000")
    sign(signed_in(lyon_admin), "ville-de-lyon", units_notebooks="1250", spend_notebooks="1000000")
    volumes = {"notebooks": (10000, Decimal(8000000))}
    actions.sign_statement(statement, another_participant(1), volumes, acting_user=None)

    dutch = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": "nl"}))

    for row_id in ("demand-notebooks", "demand-total"):
        row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', dutch, re.S).group(1)
        assert ">21.650<" in row and ">18.880.000,00<" in row, row
        assert demand_row(dutch, row_id)[1] == "21650"


def test_a_supporter_cannot_sign(statement: Statement, supplier: Persona) -> None:
    with pytest.raises(PactRuleBroken, match="Only participants sign"):
        actions.sign_statement(statement, supplier.organisation, {}, acting_user=supplier.user)
    sid = signed_in(supplier)
    assert 'id="sign-form"' not in text(sid.get("/statements/notebooks-2027/"))

    response = sign(sid, "green-refurb", units_notebooks="10", spend_notebooks="1000")

    assert response.status_code == 200
    problems = re.search(r'id="sign-problems">(.*?)</div>', text(response), re.S).group(1)
    assert "Only participants sign statements of demand." in problems
    assert not Signature.objects.exists()


def test_a_procurer_cannot_sign_for_its_organisation(
    statement: Statement, procurer: Persona, outsider: Persona
) -> None:
    pia = signed_in(procurer)
    assert 'id="sign-form"' not in text(pia.get("/statements/notebooks-2027/"))

    assert sign(pia, "rijkswaterstaat", units_notebooks="10").status_code == 403
    assert sign(signed_in(outsider), "rijkswaterstaat", units_notebooks="10").status_code == 404
    assert (
        Client().post("/statements/notebooks-2027/", {"organisation": "rijkswaterstaat"}).status_code == 302
    )
    assert not Signature.objects.exists()


def test_only_published_statements_are_signed_and_only_for_their_groups(
    working_group: WorkingGroup, rws_admin: Persona
) -> None:
    draft = make_statement(working_group, "draft-one", publish=False)
    published = make_statement(working_group, "open-one")
    with pytest.raises(PactRuleBroken, match="not open for signature"):
        actions.sign_statement(draft, rws_admin.organisation, {}, acting_user=rws_admin.user)
    with pytest.raises(PactRuleBroken, match="servers"):
        actions.sign_statement(
            published, rws_admin.organisation, {"servers": (1, Decimal(1))}, acting_user=rws_admin.user
        )
    with pytest.raises(PactRuleBroken, match="negative"):
        actions.sign_statement(
            published, rws_admin.organisation, {"notebooks": (-1, Decimal(1))}, acting_user=rws_admin.user
        )

    published.status = Statement.Status.CLOSED
    published.save()
    response = signed_in(rws_admin).post("/statements/open-one/", {"organisation": "rijkswaterstaat"})
    assert "This statement is not open for signature." in text(response)
    assert 'id="sign-form"' not in text(signed_in(rws_admin).get("/statements/open-one/"))
    assert not Signature.objects.exists()


# ---------------------------------------------------------------------------
# Query counts do not grow with signatories and members
# ---------------------------------------------------------------------------


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_statement_page_query_count_does_not_grow(statement: Statement, rws_admin: Persona) -> None:
    anonymous, rita = Client(), signed_in(rws_admin)
    actions.sign_statement(
        statement, rws_admin.organisation, {"notebooks": (5, Decimal(5))}, acting_user=rws_admin.user
    )
    actions.sign_statement(statement, another_participant(1), {"monitors": (1, Decimal(1))}, acting_user=None)
    for client in (anonymous, rita):
        count_queries(client, "/statements/notebooks-2027/")  # warm up
    with_two = [count_queries(c, "/statements/notebooks-2027/") for c in (anonymous, rita)]

    for number in range(2, 10):
        actions.sign_statement(
            statement, another_participant(number), {"notebooks": (number, Decimal(number))}, acting_user=None
        )
    with_ten = [count_queries(c, "/statements/notebooks-2027/") for c in (anonymous, rita)]

    assert Signature.objects.count() == 10
    assert with_ten == with_two


def test_the_group_page_query_count_does_not_grow(
    group: BuyerGroup, coordinator: Persona, rws_admin: Persona
) -> None:
    anonymous, coco, rita = Client(), signed_in(coordinator), signed_in(rws_admin)
    clients = (anonymous, coco, rita)

    def add(number: int) -> None:
        GroupMembership.objects.create(group=group, organisation=another_participant(number), state=ACTIVE)
        GroupMembership.objects.create(
            group=group, organisation=another_participant(number + 50), state=REQUESTED
        )

    add(1)
    add(2)
    for client in clients:
        count_queries(client, "/groups/nl-buyers/")  # warm up
    with_two = [count_queries(c, "/groups/nl-buyers/") for c in clients]
    for number in range(3, 11):
        add(number)
    with_ten = [count_queries(c, "/groups/nl-buyers/") for c in clients]

    assert group.memberships.filter(state=ACTIVE).exclude(organisation=coordinator.organisation).count() == 10
    assert with_ten == with_two


def test_a_working_groups_page_lists_its_consultations_and_its_editors_start_one_there(
    working_group: WorkingGroup, rws_admin: Persona, supplier: Persona
) -> None:
    """The chair looked for the group's market consultations on the group's page and found none there."""
    from cfit.consultations import actions as consulting

    def consultation(title: str) -> Any:
        return consulting.create_consultation(
            working_group, title=title, description="", deadline=timezone.now() + timedelta(days=3),
            questions=[consulting.QuestionDraft("Refurbished?", "yes_no")], acting_user=rws_admin.user,
        )  # fmt: skip

    consulting.publish_consultation(consultation("Batteries that last"), acting_user=rws_admin.user)
    consultation("Draft on chargers")
    chair = text(signed_in(rws_admin).get("/working-groups/notebooks-wg/"))
    listed = chair.split('id="consultations"')[1].split("</ul>")[0]
    assert "Batteries that last" in listed and 'data-state="open"' in listed
    assert "Draft on chargers" in listed and 'data-state="draft"' in listed
    assert 'href="/consultations/new/working-group/notebooks-wg/"' in chair
    # The supplier observing it and the public see the published one only, and start none.
    for page in (
        text(signed_in(supplier).get("/working-groups/notebooks-wg/")),
        text(Client().get("/working-groups/notebooks-wg/")),
    ):
        assert "Batteries that last" in page and "Draft on chargers" not in page
        assert 'id="start-consultation"' not in page


def test_a_document_is_offered_in_the_language_its_member_reads_the_page_in(
    working_group: WorkingGroup, rws_admin: Persona
) -> None:
    """A chair reading in German added the German minutes; the form had them down as English."""
    rita = signed_in(rws_admin)
    rita.cookies["django_language"] = "de"
    form = text(rita.get("/working-groups/notebooks-wg/")).split('id="document-form"')[1]
    assert '<option value="de" selected>' in form and '<option value="en" selected>' not in form
