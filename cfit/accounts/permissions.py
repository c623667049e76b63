"""What each membership role may do, in which kind of organisation: the one table every check reads.

A user acts through a membership (a role in one organisation). An action is a word of the vocabulary
below (``tender.edit``, ``register.import``…); the table grants it to roles, possibly only in some types
of organisation (the framework is edited by the secretariat's staff, not by a buyer's administrator).

Views, the API and the permission-scoped getters (``*/access.py``) ask :func:`may` for one organisation
and :func:`memberships_that_may` / :func:`organisations_where` for collections. Who may reach an object
at all (a member of its organisation, a buyer through a linked lot, a coordinator the report is shared
with) stays with the getters: this table says what the role lets a member do once there.

``docs/permissions.md`` is generated from this table (``cfit permissions > docs/permissions.md``) and
a test checks it is current; ``tests/test_permission_table.py`` walks it through the real pages.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from typing import Any

from django.db.models import Q, QuerySet

from cfit.accounts.models import Membership, Organisation

Role = Membership.Role
Type = Organisation.Type


class Action(StrEnum):
    """The vocabulary of what a member may do (the value is the name used in docs and tests)."""

    #: read what the organisation owns: its tenders, register, reports, contracts, members
    ORGANISATION_READ = "organisation.read"
    #: edit the organisation's profile: the details its notices carry (legal type, address, telephone…)
    ORGANISATION_PROFILE_EDIT = "organisation.profile.edit"
    #: start and edit the organisation's tenders, their lots and criteria, link data centres to lots
    TENDER_EDIT = "tender.edit"
    #: publish a tender (its notice and documents)
    TENDER_PUBLISH = "tender.publish"
    #: open, evaluate, sign off and publish the results of the offers a tender received
    OFFER_EVALUATE = "offer.evaluate"
    #: import and edit the device register and the cloud use
    REGISTER_IMPORT = "register.import"
    #: keep the organisation's shortlists of criteria
    SHORTLIST_EDIT = "shortlist.edit"
    #: enter contracts, decide on the evidence suppliers deliver
    CONTRACT_MANAGE = "contract.manage"
    #: as the supplier of a contract, deliver the evidence its obligations ask for
    OBLIGATION_DELIVER = "obligation.deliver"
    #: as the provider of a data centre, file its reports
    DATACENTRE_REPORT_FILE = "datacentre.report.file"
    #: start, fill in and submit the organisation's yearly monitoring report
    MONITORING_REPORT_EDIT = "monitoring.report.edit"
    #: open and run a monitoring campaign: a buyer group's (its coordinator) or the pact-wide one
    MONITORING_CAMPAIGN_OPEN = "monitoring.campaign.open"
    #: run a buyer group: invite, accept and remove its members
    BUYER_GROUP_RUN = "buyer_group.run"
    #: answer for the organisation in the pact: commitments, joining buyer groups
    PACT_COMMIT = "pact.commit"
    #: edit, review and publish the criteria framework; see its drafts
    FRAMEWORK_EDIT = "framework.edit"
    #: read the organisation's audit records (the secretariat's: every organisation's)
    AUDIT_READ = "audit.read"
    #: as a supplier, disclose the factories where its product models are made
    FACTORY_DISCLOSE = "factory.disclose"
    #: as a supplier, answer the market consultations of buyer groups and working groups
    CONSULTATION_ANSWER = "consultation.answer"
    #: agree that the organisation's figures are shown beyond the disclosure rules (e.g. factory totals)
    FIGURES_SHARE = "figures.share"


ALL_ROLES = frozenset(Role)
#: Roles that change what the organisation owns (a viewer only reads).
EDITORS = frozenset({Role.ADMIN, Role.PROCURER, Role.ASSET_MANAGER})
#: Roles that buy: tenders, offers, contracts (an asset manager keeps the register).
BUYERS = frozenset({Role.ADMIN, Role.PROCURER})
#: Roles that keep the register (a procurer reads it).
REGISTER_KEEPERS = frozenset({Role.ADMIN, Role.ASSET_MANAGER})
#: The secretariat's staff: they maintain the framework and run the pact-wide campaign. Not its asset
#: managers, who keep the secretariat's own register like anyone else's.
SECRETARIAT_STAFF = frozenset({Role.ADMIN, Role.PROCURER})


@dataclass(frozen=True)
class Grant:
    """These roles, in organisations of these types (``None``: any type)."""

    roles: frozenset[Membership.Role]
    types: frozenset[Organisation.Type] | None = None

    def allows(self, role: str, organisation_type: str) -> bool:
        return role in self.roles and (self.types is None or organisation_type in self.types)

    def q(self) -> Q:
        """The memberships this grant covers, as a filter on ``Membership``."""
        condition = Q(role__in=sorted(self.roles))
        if self.types is not None:
            condition &= Q(organisation__type__in=sorted(self.types))
        return condition


@dataclass(frozen=True)
class Rule:
    grants: tuple[Grant, ...]
    #: Superusers (the platform's operators) count as granted wherever the question is "may this user
    #: do it somewhere", as they always could for the framework.
    superuser: bool = False

    def allows(self, role: str, organisation_type: str) -> bool:
        return any(grant.allows(role, organisation_type) for grant in self.grants)

    def q(self) -> Q:
        return reduce(operator.or_, (grant.q() for grant in self.grants))


def _only(*types: Organisation.Type) -> frozenset[Organisation.Type]:
    return frozenset(types)


#: The organisations that buy through cfit: the participants, and the secretariat for its own ICT. A
#: supporter (a supplier, refurbisher, NGO or label body) takes part in the dialogue and sells; it never
#: builds, publishes or evaluates a tender, nor manages a contract as its buyer (a supplier's "New
#: tender" would put it on a contract notice as the contracting authority, and let it score offers).
BUYING_TYPES = _only(*Organisation.PARTICIPANT_TYPES, Type.SECRETARIAT)


PERMISSIONS: dict[Action, Rule] = {
    Action.ORGANISATION_READ: Rule((Grant(ALL_ROLES),)),
    Action.ORGANISATION_PROFILE_EDIT: Rule((Grant(frozenset({Role.ADMIN})),)),
    Action.TENDER_EDIT: Rule((Grant(BUYERS, BUYING_TYPES),)),
    Action.TENDER_PUBLISH: Rule((Grant(BUYERS, BUYING_TYPES),)),
    Action.OFFER_EVALUATE: Rule((Grant(BUYERS, BUYING_TYPES),)),
    Action.REGISTER_IMPORT: Rule((Grant(REGISTER_KEEPERS),)),
    Action.SHORTLIST_EDIT: Rule((Grant(EDITORS),)),
    Action.CONTRACT_MANAGE: Rule((Grant(BUYERS, BUYING_TYPES),)),
    Action.OBLIGATION_DELIVER: Rule((Grant(EDITORS),)),
    Action.DATACENTRE_REPORT_FILE: Rule((Grant(EDITORS),)),
    Action.MONITORING_REPORT_EDIT: Rule((Grant(EDITORS, _only(*Organisation.PARTICIPANT_TYPES)),)),
    Action.MONITORING_CAMPAIGN_OPEN: Rule(
        (
            Grant(frozenset({Role.ADMIN}), _only(Type.COORDINATING_PARTICIPANT)),
            Grant(SECRETARIAT_STAFF, _only(Type.SECRETARIAT)),
        ),
        superuser=True,
    ),
    Action.BUYER_GROUP_RUN: Rule((Grant(frozenset({Role.ADMIN}), _only(Type.COORDINATING_PARTICIPANT)),)),
    Action.PACT_COMMIT: Rule((Grant(frozenset({Role.ADMIN})),)),
    Action.FRAMEWORK_EDIT: Rule((Grant(SECRETARIAT_STAFF, _only(Type.SECRETARIAT)),), superuser=True),
    Action.AUDIT_READ: Rule(
        (Grant(frozenset({Role.ADMIN})), Grant(SECRETARIAT_STAFF, _only(Type.SECRETARIAT)))
    ),
    Action.FACTORY_DISCLOSE: Rule((Grant(EDITORS, _only(Type.SUPPORTER)),)),
    Action.CONSULTATION_ANSWER: Rule((Grant(EDITORS, _only(Type.SUPPORTER)),)),
    Action.FIGURES_SHARE: Rule((Grant(frozenset({Role.ADMIN}), _only(*Organisation.PARTICIPANT_TYPES)),)),
}


def rule(action: Action | str) -> Rule:
    """The rule of an action; an unknown word is a programming error (KeyError/ValueError), not a refusal."""
    return PERMISSIONS[Action(action)]


def role_may(role: str, organisation_type: str, action: Action | str) -> bool:
    """The table itself: whether this role in this type of organisation may do the action."""
    return rule(action).allows(role, organisation_type)


def _pk(organisation: Organisation | int) -> int:
    return organisation if isinstance(organisation, int) else organisation.pk


def may(who: Membership | Any, action: Action | str, organisation: Organisation | int | None = None) -> bool:
    """Whether a membership, or a user through their membership of ``organisation``, may do ``action``
    there. A membership answers without a query (its organisation must be loaded); a user needs the
    organisation, and an anonymous user or an outsider may nothing."""
    if isinstance(who, Membership):
        if organisation is not None and who.organisation_id != _pk(organisation):
            return False
        return role_may(who.role, who.organisation.type, action)
    if organisation is None:
        raise TypeError("may(user, action) needs the organisation; use may_somewhere for any of them")
    if who is None or not who.is_authenticated:
        return False
    return memberships_that_may(action).filter(user=who, organisation_id=_pk(organisation)).exists()


def memberships_that_may(action: Action | str, user: Any = None) -> QuerySet[Membership]:
    """The memberships (of ``user`` if given) whose role lets them do ``action`` in their organisation."""
    found = Membership.objects.filter(rule(action).q()).select_related("organisation")
    if user is not None:
        if not user.is_authenticated:
            return Membership.objects.none()
        found = found.filter(user=user)
    return found


def organisations_where(user: Any, action: Action | str) -> QuerySet[Organisation]:
    """The organisations in which the user may do ``action``."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        pk__in=memberships_that_may(action, user).values("organisation_id")
    ).order_by("name")


def may_somewhere(
    user: Any, action: Action | str, organisation_type: Organisation.Type | None = None
) -> bool:
    """Whether the user may do ``action`` in at least one of their organisations (of that type if
    given); a superuser may wherever the rule says so."""
    if user is None or not user.is_authenticated:
        return False
    if rule(action).superuser and user.is_superuser:
        return True
    found = memberships_that_may(action, user)
    if organisation_type is not None:
        found = found.filter(organisation__type=organisation_type)
    return found.exists()


# -- the table as documentation


def markdown() -> str:
    """``docs/permissions.md``: the table, one row per action, one column per role and type."""
    types = list(Type)
    roles = list(Role)
    lines = [
        "# Permissions",
        "",
        "Generated from `cfit/accounts/permissions.py` by `cfit permissions > docs/permissions.md`; `tests/test_permission_table.py` checks it is current and walks the "
        "table through the real pages and API (every role × every action × own and another "
        "organisation, and an anonymous visitor).",
        "",
        "A user acts through a membership: a role in one organisation. An action is allowed to the "
        "roles listed in the column of the organisation's type. Who reaches an object at all (a member of its "
        "organisation, a buyer through a linked lot, a coordinator a report is shared with) is decided "
        "by the getters in `*/access.py`; the table says what the role lets a member do there. A "
        "refusal is 404 for an outsider (the organisation's existence is not revealed) and 403 for a "
        "member whose role does not allow it.",
        "",
        "## Adding a check",
        "",
        "1. Add a word to `Action` (`domain.verb`, e.g. `diligence.review`) with a `#:` line saying "
        "what it covers, and its `Rule` to `PERMISSIONS`.",
        "2. Check it in the app's `access.py` getter with `may(user, Action.X, organisation)` (one "
        "organisation), `memberships_that_may(Action.X, user)` or `organisations_where(user, "
        "Action.X)` (lists, forms' choices) or `may_somewhere(user, Action.X, type)` (pact-wide "
        "work); never a role list of your own.",
        "3. Add the action's representative URL to `CASES` in `tests/test_permission_table.py` and "
        "regenerate this page.",
        "",
        "## The table",
        "",
        "| Action | What it covers | " + " | ".join(str(t.label) for t in types) + " |",
        "|---|---|" + "---|" * len(types),
    ]
    for action in Action:
        cells = []
        for organisation_type in types:
            allowed = [str(r.label) for r in roles if role_may(r, organisation_type, action)]
            cells.append(", ".join(allowed) if allowed else "–")
        lines.append(f"| `{action.value}` | {_doc(action)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Superusers (the platform's operators) also count as allowed, anywhere, for: "
        + ", ".join(f"`{a.value}`" for a in Action if rule(a).superuser)
        + ".",
        "",
    ]
    return "\n".join(lines)


def _doc(action: Action) -> str:
    """The ``#:`` comment above the member, read from this file so that the doc and the code agree."""
    import inspect

    source = inspect.getsource(Action).splitlines()
    for number, line in enumerate(source):
        if line.strip().startswith(f"{action.name} ="):
            comment = source[number - 1].strip()
            return comment.removeprefix("#:").strip()
    return ""
