"""The permission table, walked through the real pages: every role × every action × its own organisation
and another one, and an anonymous visitor.

For each action a representative page or endpoint (``CASES``) is asked by a member of each role of an
organisation of each type the action can apply to. What the table allows must answer (200 or a
redirect that is not to sign in); everything else is refused with 403 or 404, and never reveals
another organisation's objects. The organisations, users and objects are built once for the module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cfit.accounts.access import is_secretariat_staff
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.permissions import (
    PERMISSIONS,
    Action,
    markdown,
    may,
    may_somewhere,
    memberships_that_may,
    organisations_where,
    role_may,
)
from cfit.consultations import actions as consultation_actions
from cfit.consultations.models import Consultation, Question
from cfit.contracts import actions as contract_actions
from cfit.criteria.models import Criterion, CriterionType, FrameworkVersion
from cfit.monitoring import actions as monitoring_actions
from cfit.monitoring.models import Campaign, Report
from cfit.pact import actions as pact_actions
from cfit.pact.models import BuyerGroup
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

Role = Membership.Role
Type = Organisation.Type
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class World:
    """Two organisations of each type ("home" and "other"), a user of each role in each, and the
    objects of the home organisations the actions are tried on."""

    users: dict[tuple[str, str, str], Any]  # (home|other, type, role) -> user
    organisations: dict[tuple[str, str], Organisation]  # (home|other, type) -> organisation
    tenders: dict[str, Tender]  # type -> the home organisation's tender
    contracts: dict[str, int]  # type -> a contract whose supplier is the home organisation
    obligations: dict[str, int]
    reports: dict[str, Report]  # participant type -> the home organisation's report
    group: BuyerGroup
    group_campaign: Campaign
    pact_campaign: Campaign
    version: FrameworkVersion
    criterion: Criterion
    consultation: Consultation  #: the buyer group's, published and open: suppliers answer it


def _build() -> World:
    User = get_user_model()
    organisations: dict[tuple[str, str], Organisation] = {}
    users: dict[tuple[str, str, str], Any] = {}
    for side in ("home", "other"):
        for kind in Type:
            organisation = Organisation.objects.create(
                slug=f"perm-{side}-{kind.value}".replace("_", "-"),
                name=f"{side} {kind.label}",
                country="NL",
                type=kind,
            )
            organisations[side, kind] = organisation
            for role in Role:
                user = User.objects.create_user(username=f"perm-{side}-{kind.value}-{role.value}")
                Membership.objects.create(user=user, organisation=organisation, role=role)
                users[side, kind, role] = user
    buyer_org = Organisation.objects.create(
        slug="perm-buyer", name="Buyer", country="NL", type=Type.PROCURING_PARTICIPANT
    )
    buyer = User.objects.create_user(username="perm-buyer")
    Membership.objects.create(user=buyer, organisation=buyer_org, role=Role.PROCURER)

    version = FrameworkVersion.objects.latest_published()
    assert version is not None
    criterion = Criterion.objects.filter(version=version, topic__contains="take-back").first()
    assert criterion is not None
    tenders, contracts, obligations = {}, {}, {}
    for kind in Type:
        home = organisations["home", kind]
        tenders[kind.value] = tender_actions.create_tender(
            home, title="Laptops", reference=f"PERM-{kind.value}", acting_user=buyer
        )
        if kind in Organisation.PARTICIPANT_TYPES:
            continue  # a supplier is never a participant
        contract = contract_actions.create_contract(
            buyer_org, reference=f"PERM-{kind.value}", title="Laptops", supplier_name=home.name,
            value=Decimal(1000), start_date=date(2026, 3, 1), end_date=date(2027, 2, 28),
            framework_version=version, criteria=[(criterion, CriterionType.CONTRACT_PERFORMANCE_CLAUSE)],
            acting_user=buyer, supplier_organisation=home,
        )  # fmt: skip
        contracts[kind.value] = contract.pk
        obligations[kind.value] = contract.obligations.values_list("pk", flat=True).first()

    coordinator = organisations["home", Type.COORDINATING_PARTICIPANT]
    group = pact_actions.create_buyer_group(
        coordinator, name="Perm group", slug="perm-group", country="NL", language="nl"
    )
    today = date.today()
    group_campaign = monitoring_actions.open_campaign(
        year=today.year - 1, group=group, title="Group", opens=today, deadline=today + timedelta(days=30),
        acting_user=None,
    )  # fmt: skip
    pact_campaign = monitoring_actions.open_campaign(
        year=today.year - 1, group=None, title="Pact", opens=today, deadline=today + timedelta(days=30),
        acting_user=None,
    )  # fmt: skip
    coordinator_admin = users["home", Type.COORDINATING_PARTICIPANT, Role.ADMIN]
    consultation = consultation_actions.create_consultation(
        group, title="Docking stations", description="Who repairs them?",
        deadline=timezone.now() + timedelta(days=30),
        questions=[consultation_actions.QuestionDraft("Spare parts for how many years?", Question.Kind.TEXT)],
        acting_user=coordinator_admin,
    )  # fmt: skip
    consultation_actions.publish_consultation(consultation, acting_user=coordinator_admin)
    reports = {
        kind.value: monitoring_actions.start_report(
            pact_campaign, organisations["home", kind], acting_user=None
        )
        for kind in Organisation.PARTICIPANT_TYPES
    }
    return World(
        users, organisations, tenders, contracts, obligations, reports, group, group_campaign, pact_campaign,
        version, criterion, consultation,
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once; each test runs in its own savepoint inside this transaction, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@dataclass(frozen=True)
class Case:
    """A representative request for an action on the home organisation of a type."""

    method: str
    url: Callable[[World, Organisation.Type], str]
    data: Callable[[World, Organisation.Type], dict[str, Any]] = lambda w, t: {}
    #: the organisation types it applies to (the objects exist only for these)
    types: tuple[Organisation.Type, ...] = tuple(Type)
    #: pact-wide work: "another organisation" is then a participant, not a second secretariat
    pact_wide: bool = False


def _slug(w: World, t: Organisation.Type) -> str:
    return w.organisations["home", t].slug


CASES: dict[Action, Case] = {
    Action.ORGANISATION_READ: Case("get", lambda w, t: f"/organisations/{_slug(w, t)}/"),
    Action.ORGANISATION_PROFILE_EDIT: Case(
        "get", lambda w, t: f"/organisations/{_slug(w, t)}/notice-details/"
    ),
    Action.TENDER_EDIT: Case("post", lambda w, t: f"/tenders/{w.tenders[t].pk}/edit/"),
    Action.TENDER_PUBLISH: Case(
        "post", lambda w, t: f"/tenders/{w.tenders[t].pk}/status/", lambda w, t: {"status": ""}
    ),
    Action.OFFER_EVALUATE: Case("post", lambda w, t: f"/tenders/{w.tenders[t].pk}/offers/"),
    Action.REGISTER_IMPORT: Case("get", lambda w, t: f"/fleet/{_slug(w, t)}/import/"),
    Action.SHORTLIST_EDIT: Case(
        "post",
        lambda w, t: f"/criteria/{w.criterion.code}/shortlist/",
        lambda w, t: {"shortlist": "new", "organisation": _slug(w, t), "name": "Perm"},
    ),
    Action.CONTRACT_MANAGE: Case("get", lambda w, t: f"/contracts/new/{_slug(w, t)}/"),
    Action.OBLIGATION_DELIVER: Case(
        "post",
        lambda w, t: f"/contracts/supplier/{w.contracts[t]}/obligations/{w.obligations[t]}/",
        types=(Type.SUPPORTER, Type.SECRETARIAT),
    ),
    Action.DATACENTRE_REPORT_FILE: Case("post", lambda w, t: f"/datacentres/providers/{_slug(w, t)}/new/"),
    Action.MONITORING_REPORT_EDIT: Case(
        "post", lambda w, t: f"/monitoring/reports/{w.reports[t].pk}/", types=Organisation.PARTICIPANT_TYPES
    ),
    Action.MONITORING_CAMPAIGN_OPEN: Case(
        "get",
        lambda w, t: (
            "/monitoring/campaigns/"
            + str((w.pact_campaign if t == Type.SECRETARIAT else w.group_campaign).pk)
            + "/"
        ),
        types=(Type.COORDINATING_PARTICIPANT, Type.SECRETARIAT),
    ),
    Action.BUYER_GROUP_RUN: Case(
        "post", lambda w, t: f"/groups/{w.group.slug}/invite/", types=(Type.COORDINATING_PARTICIPANT,)
    ),
    Action.PACT_COMMIT: Case("get", lambda w, t: f"/organisations/{_slug(w, t)}/participation/"),
    Action.FRAMEWORK_EDIT: Case(
        "post",
        lambda w, t: f"/criteria/versions/{w.version.code}/submit/",
        types=(Type.SECRETARIAT,),
        pact_wide=True,
    ),
    Action.AUDIT_READ: Case("get", lambda w, t: f"/organisations/{_slug(w, t)}/audit/"),
    Action.FACTORY_DISCLOSE: Case(
        "get", lambda w, t: f"/factories/disclose/{_slug(w, t)}/", types=(Type.SUPPORTER,)
    ),
    Action.CONSULTATION_ANSWER: Case(
        "post",
        lambda w, t: f"/consultations/{w.consultation.pk}/answer/",
        lambda w, t: {"organisation": _slug(w, t)},
    ),
    Action.FIGURES_SHARE: Case(
        "post", lambda w, t: f"/factories/sharing/{_slug(w, t)}/", types=tuple(Organisation.PARTICIPANT_TYPES)
    ),
}

#: The same checks through the JSON API (sent as JSON), for the actions the API offers.
API_CASES: dict[Action, Case] = {
    Action.TENDER_EDIT: Case(
        "put",
        lambda w, t: f"/api/v1/tenders/{w.tenders[t].pk}/deadline",
        lambda w, t: {"offers_deadline": "2099-01-01T12:00:00+01:00"},
    ),
    Action.TENDER_PUBLISH: Case(
        "post", lambda w, t: f"/api/v1/tenders/{w.tenders[t].pk}/status", lambda w, t: {"status": "awarded"}
    ),
}

# The pact-wide campaign is the secretariat's whoever its member is; a group's is its coordinator's.
PACT_WIDE_CAMPAIGN = (Action.MONITORING_CAMPAIGN_OPEN, Type.SECRETARIAT)


def _ask(client: Client, case: Case, world: World, kind: Organisation.Type) -> Any:
    url, data = case.url(world, kind), case.data(world, kind)
    if case.method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return getattr(client, case.method)(url, data, content_type="application/json")
    return client.post(url, data)


def _allowed(response: Any) -> bool:
    """Refused: 401, 403, 404 or sent to sign in. Anything else below 500 got past the check (the API
    may then refuse the change itself, e.g. 400 for a status the tender cannot take)."""
    assert response.status_code < 500, response.status_code
    if response.status_code in (401, 403, 404):
        return False
    return "/accounts/login/" not in response.get("Location", "")


def _asker(world: World, action: Action, kind: Organisation.Type, role: Membership.Role, side: str) -> Any:
    """Who asks, for this side: a member of the home organisation, of another organisation of the same
    type, or (for pact-wide work) of a buyer, which the secretariat's role must not be."""
    if side == "own":
        return world.users["home", kind, role]
    if CASES[action].pact_wide or (action, kind) == PACT_WIDE_CAMPAIGN:
        return world.users["home", Type.PROCURING_PARTICIPANT, role]
    return world.users["other", kind, role]


WALKS = [
    pytest.param(cases, a, t, id=f"{'api' if cases is API_CASES else 'page'}-{a.value}-{t.value}")
    for cases in (CASES, API_CASES)
    for a, case in cases.items()
    for t in case.types
]


@pytest.mark.parametrize(("cases", "action", "kind"), WALKS)
def test_each_role_may_exactly_what_the_table_says(
    world: World, db: Any, cases: dict[Action, Case], action: Action, kind: Organisation.Type
) -> None:
    """Every role, in its own organisation and in another one, then an anonymous visitor: one request
    each (the refusals change nothing; what an allowed request changes stays within this test)."""
    case = cases[action]
    wrong = []
    for role in Role:
        for side in ("own", "other"):
            client = Client()
            client.force_login(_asker(world, action, kind, role, side))
            expected = side == "own" and role_may(role, kind, action)
            response = _ask(client, case, world, kind)
            if _allowed(response) != expected:
                wrong.append(f"{role.value} ({side}): {response.status_code}, expected allowed={expected}")
    response = _ask(Client(), case, world, kind)
    if _allowed(response):
        wrong.append(f"anonymous: {response.status_code}")
    assert not wrong, wrong


def test_every_action_of_the_table_is_walked() -> None:
    assert set(CASES) == set(Action) == set(PERMISSIONS)


def test_a_secretariat_asset_manager_is_not_framework_staff(world: World, db: Any) -> None:
    """The bug this table fixed: asset managers keep registers; they do not edit the framework, run the
    pact-wide campaign or read every organisation's audit records."""
    asset_manager = world.users["home", Type.SECRETARIAT, Role.ASSET_MANAGER]
    secretariat = world.organisations["home", Type.SECRETARIAT]
    client = Client()
    client.force_login(asset_manager)

    assert not is_secretariat_staff(asset_manager)
    assert client.post(f"/criteria/versions/{world.version.code}/draft/").status_code == 403
    assert client.get(f"/monitoring/campaigns/{world.pact_campaign.pk}/").status_code == 404
    assert client.get(f"/organisations/{secretariat.slug}/audit/").status_code == 403
    # …but keeps the secretariat's register
    assert client.get(f"/fleet/{secretariat.slug}/import/").status_code == 200
    assert is_secretariat_staff(world.users["home", Type.SECRETARIAT, Role.PROCURER])


def test_the_helpers_agree_with_the_table(world: World, db: Any) -> None:
    procurer = world.users["home", Type.PROCURING_PARTICIPANT, Role.PROCURER]
    home = world.organisations["home", Type.PROCURING_PARTICIPANT]
    membership = Membership.objects.select_related("organisation").get(user=procurer)

    assert may(membership, Action.TENDER_EDIT) and may(procurer, Action.TENDER_EDIT, home)
    assert not may(membership, Action.TENDER_EDIT, world.organisations["other", Type.PROCURING_PARTICIPANT])
    assert not may(procurer, Action.REGISTER_IMPORT, home)
    assert list(organisations_where(procurer, Action.TENDER_EDIT)) == [home]
    assert not organisations_where(procurer, Action.AUDIT_READ).exists()
    assert list(memberships_that_may(Action.TENDER_EDIT, procurer)) == [membership]
    assert not may_somewhere(procurer, Action.FRAMEWORK_EDIT)
    with pytest.raises(TypeError):
        may(procurer, Action.TENDER_EDIT)


def test_the_permissions_page_is_generated_from_the_table() -> None:
    page = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert page == markdown(), "run: cfit permissions > docs/permissions.md"
