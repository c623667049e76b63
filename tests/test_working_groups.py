# ruff: noqa: F811  (the tests take the fixtures imported from tests/test_pact.py as arguments)
"""Working groups run from the pages, and statements of demand closed by their authors.

The secretariat creates and edits working groups and gives any seat; a chair's administrators give
and take the seats of members and observers of their own group; an organisation asks for a seat from
the group's page and the secretariat or a chair answers. A supporter (supplier, NGO, label body) sits
as an observer only, whatever the way in. A statement's authors close it for good: it then takes no
signature, and its collective demand as last published is final.

Personas (tests/conftest.py, tests/test_pact.py): Sam, of the secretariat; Rita, administrator of
Rijkswaterstaat, the notebooks group's chair; Pia, procurer at Rijkswaterstaat (not its administrator);
Sid, of GreenRefurb (a supporter, observer of the notebooks group); Lena, administrator of Ville de
Lyon; Louise, procurer at Ville de Lyon, an outsider to the group.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord
from cfit.monitoring.models import DisclosureRules
from cfit.pact import actions
from cfit.pact.actions import PactRuleBroken
from cfit.pact.models import (
    DemandPublication,
    Signature,
    Statement,
    WorkingGroup,
    WorkingGroupMember,
    WorkingGroupRequest,
)
from tests.conftest import Persona
from tests.test_pact import (  # noqa: F401 (fixtures)
    another_participant,
    count_queries,
    demand_row,
    lyon_admin,
    messages_of,
    rws_admin,
    signed_in,
    statement,
    text,
    working_group,
)

pytestmark = pytest.mark.django_db

CHAIR, MEMBER, OBSERVER = (
    WorkingGroupMember.Role.CHAIR,
    WorkingGroupMember.Role.MEMBER,
    WorkingGroupMember.Role.OBSERVER,
)
PAGE = "/working-groups/notebooks-wg/"


def seats(group: WorkingGroup) -> dict[str, str]:
    return dict(group.members.values_list("organisation__slug", "role"))


def give_seat(client: Client, organisation: str, role: str) -> Any:
    return client.post(f"{PAGE}seats/", {"organisation": organisation, "role": role}, follow=True)


# ---------------------------------------------------------------------------
# Creating and editing a working group
# ---------------------------------------------------------------------------


def test_the_secretariat_creates_and_edits_a_working_group(secretary: Persona) -> None:
    sam = signed_in(secretary)
    assert 'href="/working-groups/new/"' in text(sam.get("/working-groups/"))

    response = sam.post(
        "/working-groups/new/",
        {
            "name": "Smartphones",
            "slug": "smartphones-wg",
            "topic": "smartphones",
            "description": "Longer use.",
        },
        follow=True,
    )

    group = WorkingGroup.objects.get(slug="smartphones-wg")
    assert response.redirect_chain[-1][0] == "/working-groups/smartphones-wg/"
    assert any("seat its chair and members" in m for m in messages_of(response))
    assert 'id="seat-form"' in text(response) and 'id="edit-working-group"' in text(response)
    created = AuditRecord.objects.get(action=AuditRecord.Action.WORKING_GROUP_SAVED)
    assert created.actor == secretary.user and created.before is None
    assert created.after == {
        "name": "Smartphones",
        "slug": "smartphones-wg",
        "topic": "smartphones",
        "description": "Longer use.",
    }

    sam.post(
        "/working-groups/smartphones-wg/edit/",
        {
            "name": "Smartphones and tablets",
            "slug": "smartphones-wg",
            "topic": "smartphones",
            "description": "",
        },
    )
    group.refresh_from_db()
    assert group.name == "Smartphones and tablets"
    edited = AuditRecord.objects.filter(action=AuditRecord.Action.WORKING_GROUP_SAVED).latest("pk")
    assert edited.before["name"] == "Smartphones" and edited.after["name"] == "Smartphones and tablets"

    reserved = sam.post("/working-groups/new/", {"name": "New", "slug": "new", "topic": "x"})
    assert "reserved" in text(reserved) and not WorkingGroup.objects.filter(slug="new").exists()


def test_only_the_secretariat_creates_or_edits_working_groups(
    working_group: WorkingGroup, rws_admin: Persona, outsider: Persona
) -> None:
    rita = signed_in(rws_admin)  # the chair runs the seats, not the group itself
    assert 'href="/working-groups/new/"' not in text(rita.get("/working-groups/"))
    assert 'id="edit-working-group"' not in text(rita.get(PAGE))
    new = {"name": "Servers", "slug": "servers-wg", "topic": "servers"}
    for client in (rita, signed_in(outsider)):
        assert client.post("/working-groups/new/", new).status_code == 403
        assert client.post(f"{PAGE}edit/", {**new, "slug": "notebooks-wg"}).status_code == 403
    assert Client().post("/working-groups/new/", new).status_code == 302  # to sign in
    assert signed_in(outsider).get("/working-groups/no-such-wg/edit/").status_code == 404

    assert not WorkingGroup.objects.filter(slug="servers-wg").exists()
    assert WorkingGroup.objects.get().name == "Notebooks"


# ---------------------------------------------------------------------------
# Seats
# ---------------------------------------------------------------------------


def test_the_secretariat_seats_a_supplier_as_observer_and_refuses_it_as_member(
    working_group: WorkingGroup, secretary: Persona, supplier: Persona
) -> None:
    sam = signed_in(secretary)
    WorkingGroupMember.objects.filter(organisation=supplier.organisation).delete()

    refused = give_seat(sam, "green-refurb", MEMBER)

    assert any("takes part in a working group as an observer only" in m for m in messages_of(refused))
    assert "green-refurb" not in seats(working_group)

    given_seat = give_seat(sam, "green-refurb", OBSERVER)

    assert any("Green Refurb sits in Notebooks (Observer)" in m for m in messages_of(given_seat))
    assert seats(working_group)["green-refurb"] == OBSERVER
    record = AuditRecord.objects.filter(action=AuditRecord.Action.WORKING_GROUP_SEAT_SAVED).latest("pk")
    assert record.actor == secretary.user and record.organisation == supplier.organisation
    assert record.after == {"group": working_group.pk, "role": OBSERVER}

    promoted = give_seat(sam, "green-refurb", CHAIR)  # nor a chair, by a change of role
    assert any("observer only" in m for m in messages_of(promoted))
    assert seats(working_group)["green-refurb"] == OBSERVER


def test_a_chair_seats_members_and_observers_of_its_own_group(
    working_group: WorkingGroup, rws_admin: Persona, lyon_admin: Persona
) -> None:
    rita = signed_in(rws_admin)
    page = text(rita.get(PAGE))
    assert 'id="seat-form"' in page
    offered = page.split('id="seat_role"')[1].split("</select>")[0]
    assert 'value="member"' in offered and 'value="observer"' in offered and 'value="chair"' not in offered

    give_seat(rita, "ville-de-lyon", MEMBER)

    assert seats(working_group)["ville-de-lyon"] == MEMBER
    assert AuditRecord.objects.filter(action=AuditRecord.Action.WORKING_GROUP_SEAT_SAVED).latest(
        "pk"
    ).actor == (rws_admin.user)

    give_seat(rita, "ville-de-lyon", OBSERVER)
    assert seats(working_group)["ville-de-lyon"] == OBSERVER
    seat = working_group.members.get(organisation=lyon_admin.organisation)
    rita.post(f"{PAGE}seats/{seat.pk}/remove/")
    assert "ville-de-lyon" not in seats(working_group)
    removed = AuditRecord.objects.get(action=AuditRecord.Action.WORKING_GROUP_SEAT_REMOVED)
    assert removed.before == {"group": working_group.pk, "role": OBSERVER}

    # a chair gives no chair's seat, and neither changes nor takes one
    assert give_seat(rita, "ville-de-lyon", CHAIR).redirect_chain  # refused by the form: no such role
    assert "ville-de-lyon" not in seats(working_group)
    chair = working_group.members.get(role=CHAIR)
    assert rita.post(f"{PAGE}seats/", {"organisation": "rijkswaterstaat", "role": MEMBER}).status_code == 403
    assert rita.post(f"{PAGE}seats/{chair.pk}/remove/").status_code == 403
    assert seats(working_group)["rijkswaterstaat"] == CHAIR


def test_an_outsider_a_procurer_and_an_observer_run_no_seats(
    working_group: WorkingGroup, procurer: Persona, outsider: Persona, supplier: Persona
) -> None:
    observer_seat = working_group.members.get(role=OBSERVER)
    for persona in (outsider, procurer, supplier):  # Pia is of the chair but not its administrator
        client = signed_in(persona)
        assert 'id="seat-form"' not in text(client.get(PAGE))
        assert (
            client.post(f"{PAGE}seats/", {"organisation": "ville-de-lyon", "role": MEMBER}).status_code == 403
        )
        assert client.post(f"{PAGE}seats/{observer_seat.pk}/remove/").status_code == 403
    assert (
        Client().post(f"{PAGE}seats/", {"organisation": "ville-de-lyon", "role": MEMBER}).status_code == 302
    )
    assert signed_in(outsider).post("/working-groups/no-such-wg/seats/").status_code == 404

    assert seats(working_group) == {"rijkswaterstaat": CHAIR, "green-refurb": OBSERVER}


def test_the_last_chair_is_neither_removed_nor_changed(
    working_group: WorkingGroup, secretary: Persona, rws_admin: Persona
) -> None:
    sam = signed_in(secretary)
    chair = working_group.members.get(role=CHAIR)

    removed = sam.post(f"{PAGE}seats/{chair.pk}/remove/", follow=True)
    changed = give_seat(sam, "rijkswaterstaat", MEMBER)

    assert any("only chair" in m for m in messages_of(removed))
    assert any("only chair" in m for m in messages_of(changed))
    assert seats(working_group)["rijkswaterstaat"] == CHAIR

    another_participant(1)
    give_seat(sam, "municipality-01", CHAIR)
    give_seat(sam, "rijkswaterstaat", MEMBER)
    assert seats(working_group) == {
        "rijkswaterstaat": MEMBER,
        "municipality-01": CHAIR,
        "green-refurb": OBSERVER,
    }


# ---------------------------------------------------------------------------
# Asking to join
# ---------------------------------------------------------------------------


def test_a_request_to_join_is_accepted_by_the_chair(
    working_group: WorkingGroup, rws_admin: Persona, lyon_admin: Persona
) -> None:
    lena, rita = signed_in(lyon_admin), signed_in(rws_admin)
    assert 'id="seat-request-form"' in text(lena.get(PAGE))

    asked = lena.post(f"{PAGE}join/", {"organisation": "ville-de-lyon", "role": MEMBER}, follow=True)

    assert any("asked to join Notebooks" in m for m in messages_of(asked))
    assert 'id="own-seat-requests"' in text(asked) and 'id="seat-request-form"' not in text(asked)
    request = WorkingGroupRequest.objects.get()
    assert 'data-organisation="ville-de-lyon"' in text(rita.get(PAGE)).split('id="seat-requests"')[1]
    # Lena cannot answer her own request; nobody but the secretariat and the chair can
    assert lena.post(f"/working-groups/requests/{request.pk}/answer/", {"accept": "yes"}).status_code == 404

    accepted = rita.post(f"/working-groups/requests/{request.pk}/answer/", {"accept": "yes"}, follow=True)

    assert any("Ville De Lyon now sits in Notebooks" in m for m in messages_of(accepted))
    assert seats(working_group)["ville-de-lyon"] == MEMBER
    request.refresh_from_db()
    assert request.state == WorkingGroupRequest.State.ACCEPTED and request.decided_by == rws_admin.user
    assert list(
        AuditRecord.objects.filter(organisation=lyon_admin.organisation)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        AuditRecord.Action.WORKING_GROUP_JOIN_REQUESTED,
        AuditRecord.Action.WORKING_GROUP_SEAT_SAVED,
        AuditRecord.Action.WORKING_GROUP_REQUEST_DECIDED,
    ]
    assert rita.post(f"/working-groups/requests/{request.pk}/answer/", {"accept": "no"}).status_code == 404


def test_a_declined_request_may_be_asked_again_and_a_supporter_asks_as_observer(
    working_group: WorkingGroup, secretary: Persona, lyon_admin: Persona, supplier: Persona, outsider: Persona
) -> None:
    lena, sam = signed_in(lyon_admin), signed_in(secretary)
    lena.post(f"{PAGE}join/", {"organisation": "ville-de-lyon", "role": OBSERVER})
    request = WorkingGroupRequest.objects.get()
    assert (
        signed_in(outsider)
        .post(f"/working-groups/requests/{request.pk}/answer/", {"accept": "no"})
        .status_code
        == 404
    )

    sam.post(f"/working-groups/requests/{request.pk}/answer/", {"accept": "no"})

    request.refresh_from_db()
    assert request.state == WorkingGroupRequest.State.DECLINED and "ville-de-lyon" not in seats(working_group)
    assert 'id="seat-request-form"' in text(lena.get(PAGE))
    lena.post(f"{PAGE}join/", {"organisation": "ville-de-lyon", "role": MEMBER})
    request.refresh_from_db()
    assert request.state == WorkingGroupRequest.State.REQUESTED and request.role == MEMBER

    # a supporter is offered the observer's seat only, and the action refuses a member's
    WorkingGroupMember.objects.filter(organisation=supplier.organisation).delete()
    form = text(signed_in(supplier).get(PAGE)).split('id="seat-request-form"')[1].split("</form>")[0]
    assert 'value="observer"' in form and 'value="member"' not in form
    with pytest.raises(PactRuleBroken, match="observer only"):
        actions.request_working_group_seat(
            working_group, supplier.organisation, MEMBER, acting_user=supplier.user
        )
    with pytest.raises(PactRuleBroken, match="member or an observer"):
        actions.request_working_group_seat(working_group, lyon_admin.organisation, CHAIR, acting_user=None)


def test_a_supporter_asked_as_member_before_it_became_one_is_not_seated(
    working_group: WorkingGroup, lyon_admin: Persona, rws_admin: Persona
) -> None:
    request = actions.request_working_group_seat(
        working_group, lyon_admin.organisation, MEMBER, acting_user=lyon_admin.user
    )
    actions.join_pact(
        lyon_admin.organisation, Organisation.Type.SUPPORTER, signed_on=None, users_served=0, acting_user=None
    )

    with pytest.raises(PactRuleBroken, match="observer only"):
        actions.decide_working_group_request(request, accept=True, acting_user=rws_admin.user)

    assert "ville-de-lyon" not in seats(working_group)


# ---------------------------------------------------------------------------
# No way in lets a supporter hold a participant's seat
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("organisation_type", "role", "seated"),
    [
        (Organisation.Type.PROCURING_PARTICIPANT, CHAIR, True),
        (Organisation.Type.PROCURING_PARTICIPANT, MEMBER, True),
        (Organisation.Type.COORDINATING_PARTICIPANT, CHAIR, True),
        (Organisation.Type.COORDINATING_PARTICIPANT, OBSERVER, True),
        (Organisation.Type.SUPPORTER, CHAIR, False),
        (Organisation.Type.SUPPORTER, MEMBER, False),
        (Organisation.Type.SUPPORTER, OBSERVER, True),
        (Organisation.Type.SECRETARIAT, MEMBER, False),
        (Organisation.Type.SECRETARIAT, OBSERVER, False),
    ],
)
def test_who_holds_which_seat(
    working_group: WorkingGroup, organisation_type: str, role: str, seated: bool
) -> None:
    organisation = another_participant(1, organisation_type)
    if seated:
        actions.add_working_group_member(working_group, organisation, role, acting_user=None)
    else:
        with pytest.raises(PactRuleBroken):
            actions.add_working_group_member(working_group, organisation, role, acting_user=None)
        # nor in the admin, whose forms clean the seat
        with pytest.raises(Exception, match="observer only|holds no seat"):
            WorkingGroupMember(group=working_group, organisation=organisation, role=role).full_clean()

    assert working_group.members.filter(organisation=organisation).exists() == seated


def test_a_member_of_a_working_group_becomes_a_supporter_only_as_an_observer(
    working_group: WorkingGroup, rws_admin: Persona
) -> None:
    with pytest.raises(PactRuleBroken, match="observer only"):
        actions.join_pact(
            rws_admin.organisation,
            Organisation.Type.SUPPORTER,
            signed_on=None,
            users_served=0,
            acting_user=None,
        )
    rws_admin.organisation.refresh_from_db()
    assert rws_admin.organisation.is_participant


SIGNED = date(2026, 1, 1)

#: Each way an organisation's seat or type changes: (operation, organisation index, role or type).
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["seat", "ask", "accept", "become", "remove"]),
        st.integers(0, 2),
        st.sampled_from([CHAIR, MEMBER, OBSERVER]),
        st.sampled_from(
            [
                Organisation.Type.PROCURING_PARTICIPANT,
                Organisation.Type.SUPPORTER,
                Organisation.Type.COORDINATING_PARTICIPANT,
            ]
        ),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_no_sequence_of_changes_seats_a_supporter_as_member_or_chair(
    working_group: WorkingGroup, operations: list[tuple[str, int, str, str]]
) -> None:
    # two participants, which may become supporters on the way, and a supporter
    types = [
        Organisation.Type.PROCURING_PARTICIPANT,
        Organisation.Type.COORDINATING_PARTICIPANT,
        Organisation.Type.SUPPORTER,
    ]
    organisations = [
        Organisation.objects.get_or_create(slug=f"org-{n}", defaults={"name": f"Org {n}", "country": "NL"})[0]
        for n in range(3)
    ]
    WorkingGroupMember.objects.filter(organisation__in=organisations).delete()
    WorkingGroupRequest.objects.all().delete()
    for organisation, organisation_type in zip(organisations, types, strict=True):
        organisation.type = organisation_type
        organisation.signed_on = None if organisation_type == Organisation.Type.SUPPORTER else SIGNED
        organisation.save()

    for operation, index, role, as_type in operations:
        organisation = organisations[index]
        organisation.refresh_from_db()
        try:
            match operation:
                case "seat":
                    actions.add_working_group_member(working_group, organisation, role, acting_user=None)
                case "ask":
                    actions.request_working_group_seat(working_group, organisation, role, acting_user=None)
                case "accept":
                    for request in WorkingGroupRequest.objects.filter(
                        organisation=organisation, state=WorkingGroupRequest.State.REQUESTED
                    ):
                        actions.decide_working_group_request(request, accept=True, acting_user=None)
                case "become":
                    signed = None if as_type == Organisation.Type.SUPPORTER else SIGNED
                    actions.join_pact(
                        organisation, as_type, signed_on=signed, users_served=1, acting_user=None
                    )
                case "remove":
                    for seat in WorkingGroupMember.objects.filter(
                        group=working_group, organisation=organisation
                    ):
                        actions.remove_working_group_member(seat, acting_user=None)
        except PactRuleBroken:
            pass

        assert not WorkingGroupMember.objects.filter(
            organisation__type=Organisation.Type.SUPPORTER, role__in=[CHAIR, MEMBER]
        ).exists()
        assert working_group.members.filter(role=CHAIR).exists()  # the group keeps its chair


# ---------------------------------------------------------------------------
# Query counts of the new pages do not grow with seats and requests
# ---------------------------------------------------------------------------


def test_the_working_group_pages_query_counts_do_not_grow(
    working_group: WorkingGroup, secretary: Persona, rws_admin: Persona, lyon_admin: Persona
) -> None:
    clients = (Client(), signed_in(secretary), signed_in(rws_admin), signed_in(lyon_admin))

    def add(number: int) -> None:
        actions.add_working_group_member(working_group, another_participant(number), MEMBER, acting_user=None)
        actions.request_working_group_seat(
            working_group, another_participant(number + 50), OBSERVER, acting_user=None
        )

    add(1)
    add(2)
    for client in clients:
        count_queries(client, PAGE)  # warm up
    with_two = [count_queries(c, PAGE) for c in clients]
    lists_with_two = [count_queries(c, "/working-groups/") for c in clients]
    for number in range(3, 11):
        add(number)
    with_ten = [count_queries(c, PAGE) for c in clients]
    lists_with_ten = [count_queries(c, "/working-groups/") for c in clients]

    assert working_group.requests.count() == 10
    assert with_ten == with_two
    assert lists_with_ten == lists_with_two
    assert max(with_ten) <= 30


# ---------------------------------------------------------------------------
# Closing a statement
# ---------------------------------------------------------------------------

STATEMENT = "/statements/notebooks-2027/"


def test_its_authors_close_a_statement_after_confirming(
    statement: Statement, rws_admin: Persona, lyon_admin: Persona
) -> None:
    rita, lena = signed_in(rws_admin), signed_in(lyon_admin)
    actions.sign_statement(
        statement, lyon_admin.organisation, {"notebooks": (10, Decimal(10))}, acting_user=None
    )
    assert 'href="/statements/notebooks-2027/close/"' in text(rita.get(STATEMENT))
    assert 'href="/statements/notebooks-2027/close/"' not in text(lena.get(STATEMENT))

    confirm = rita.get(f"{STATEMENT}close/")
    assert "This cannot be undone." in text(confirm) and 'id="close-form"' in text(confirm)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED  # asking is not closing

    closed = rita.post(f"{STATEMENT}close/", follow=True)

    statement.refresh_from_db()
    assert statement.status == Statement.Status.CLOSED and statement.closed is not None
    assert any("takes no more signatures" in m for m in messages_of(closed))
    html = text(Client().get(STATEMENT))
    assert 'id="closed-on"' in html and "closed on" in html
    assert 'id="close"' not in text(rita.get(STATEMENT))
    record = AuditRecord.objects.get(action=AuditRecord.Action.STATEMENT_CLOSED)
    assert record.actor == rws_admin.user and record.after == {"status": Statement.Status.CLOSED}

    again = rita.post(f"{STATEMENT}close/", follow=True)
    assert any("Only a statement open for signature is closed." in m for m in messages_of(again))
    assert AuditRecord.objects.filter(action=AuditRecord.Action.STATEMENT_CLOSED).count() == 1


def test_only_its_authors_close_a_statement(
    statement: Statement, outsider: Persona, supplier: Persona, lyon_admin: Persona
) -> None:
    for persona in (outsider, supplier, lyon_admin):  # Sid only observes the group
        assert signed_in(persona).post(f"{STATEMENT}close/").status_code == 403
    assert Client().post(f"{STATEMENT}close/").status_code == 302
    assert signed_in(outsider).post("/statements/no-such-statement/close/").status_code == 404

    statement.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED and statement.closed is None


def test_a_closed_statement_takes_no_signature_nor_change(
    statement: Statement, rws_admin: Persona, lyon_admin: Persona
) -> None:
    actions.sign_statement(
        statement, lyon_admin.organisation, {"notebooks": (10, Decimal(10))}, acting_user=None
    )
    actions.close_statement(statement, acting_user=rws_admin.user)
    statement.refresh_from_db()
    lena = signed_in(lyon_admin)

    with pytest.raises(PactRuleBroken, match="not open for signature"):
        actions.sign_statement(
            statement, rws_admin.organisation, {"notebooks": (1, Decimal(1))}, acting_user=None
        )
    with pytest.raises(PactRuleBroken, match="not open for signature"):
        actions.sign_statement(
            statement, lyon_admin.organisation, {"notebooks": (99, Decimal(1))}, acting_user=None
        )
    with pytest.raises(PactRuleBroken, match="only while the statement is open"):
        actions.withdraw_signature(statement, lyon_admin.organisation, acting_user=None)
    page = text(lena.get(STATEMENT))
    assert 'id="sign-form"' not in page and 'id="withdraw-form"' not in page
    posted = lena.post(STATEMENT, {"organisation": "ville-de-lyon", "units_notebooks": "99"})
    assert "This statement is not open for signature." in text(posted)

    assert Signature.objects.get().volumes.get().units_per_year == 10


def test_a_closed_statements_last_figures_are_final_where_the_last_step_is_refused(
    statement: Statement, rws_admin: Persona
) -> None:
    """A fourth signatory alone after three: the total would move by its volumes, so closing publishes
    nothing more and the page says the figures as they stand are final."""
    for number in (1, 2, 3, 4):
        actions.sign_statement(
            statement,
            another_participant(number),
            {"notebooks": (100 * number, Decimal(1000))},
            acting_user=None,
        )
    versions = DemandPublication.objects.count()
    assert demand_row(text(Client().get(STATEMENT)), "demand-total") == ["3", "600", "3000.00"]

    assert actions.close_statement(statement, acting_user=rws_admin.user) is None

    html = text(Client().get(STATEMENT))
    assert DemandPublication.objects.count() == versions
    assert demand_row(html, "demand-total") == ["3", "600", "3000.00"]
    assert "these figures are final" in html and "could not be published without revealing" in html
    assert "counted at the next update" not in html
    found = Client().get("/api/v1/statements/notebooks-2027").json()
    assert found["status"] == "closed" and found["closed"] is not None
    listed = Client().get("/api/v1/statements").json()
    assert listed[0]["closed"] == found["closed"]
    record = AuditRecord.objects.get(action=AuditRecord.Action.STATEMENT_CLOSED)
    assert "kept" in record.reason


def test_closing_publishes_the_demand_one_last_time_where_the_rules_allow(
    statement: Statement, rws_admin: Persona
) -> None:
    """Three newcomers after four signatories, under stricter rules (a change from four at least), closed
    under the pact's (three): the three held back are published on closing."""
    DisclosureRules.objects.create(pk=DisclosureRules.SINGLETON, min_reporters=4)
    for number in range(1, 8):
        actions.sign_statement(
            statement, another_participant(number), {"notebooks": (100, Decimal(1000))}, acting_user=None
        )
    assert demand_row(text(Client().get(STATEMENT)), "demand-total") == ["4", "400", "4000.00"]
    DisclosureRules.objects.filter(pk=DisclosureRules.SINGLETON).update(min_reporters=3)

    published = actions.close_statement(statement, acting_user=rws_admin.user)

    assert published is not None
    html = text(Client().get(STATEMENT))
    assert demand_row(html, "demand-total") == ["7", "700", "7000.00"]
    assert "these figures are final." in html and "could not be published" not in html
    assert Client().get("/api/v1/statements/notebooks-2027").json()["demand_pending"] is False
