"""Who sees what in monitoring. The rules, each tested by trying to break it:

- a report's details: its organisation's members; the coordinator of the campaign that asked for it
  only where the organisation chose to share them; nobody else, ever (404). The secretariat runs the
  pact-wide campaign, but a report a buyer group's campaign asked for is shared with that group's
  coordinator, not with the secretariat: the pact-wide campaign lists it without a link;
- a report's status: also the coordinator of the campaign that asked for it;
- a campaign and its unpublished aggregates: the coordinator of its group (the secretariat for a
  pact-wide one);
- published aggregates: everyone; every aggregate, published or not, as the disclosure rules let it be
  shown (``protection.py``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.permissions import Action, may, may_somewhere, organisations_where, role_may
from cfit.monitoring.models import Campaign, Report
from cfit.pact.models import BuyerGroup


def runs_pact_wide(user: Any) -> bool:
    """Whether the user runs the pact-wide campaigns: the secretariat's staff (and superusers)."""
    return may_somewhere(user, Action.MONITORING_CAMPAIGN_OPEN, Organisation.Type.SECRETARIAT)


def groups_run_by(user: Any) -> QuerySet[BuyerGroup]:
    """The buyer groups whose campaigns the user opens and runs (its coordinator's administrators)."""
    return BuyerGroup.objects.filter(
        coordinator__in=organisations_where(user, Action.MONITORING_CAMPAIGN_OPEN)
    )


def runs_campaign(user: Any, campaign: Campaign) -> bool:
    group = campaign.group
    if group is None:
        return runs_pact_wide(user)
    return may(user, Action.MONITORING_CAMPAIGN_OPEN, group.coordinator_id)


def campaigns_run_by(user: Any, *, pact_wide: bool | None = None) -> QuerySet[Campaign]:
    """The campaigns of the buyer groups the user's organisations coordinate, and the pact-wide ones
    for the secretariat: one query, whatever their number (``pact_wide``: ``runs_pact_wide(user)`` if
    the caller already knows it)."""
    run = Q(group__coordinator__in=organisations_where(user, Action.MONITORING_CAMPAIGN_OPEN))
    if runs_pact_wide(user) if pact_wide is None else pact_wide:
        run |= Q(group__isnull=True)
    return Campaign.objects.filter(run).select_related("group")


def get_campaign_to_run(user: Any, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("group", "group__coordinator").filter(pk=campaign_id).first()
    if campaign is None or not runs_campaign(user, campaign):
        raise Http404
    return campaign


def member_role(user: Any, organisation_id: int) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation_id=organisation_id)
        .values_list("role", flat=True)
        .first()
    )


def get_report(user: Any, report_id: int, *, edit: bool = False) -> tuple[Report, bool]:
    """The report and whether the user reads it as its own organisation's; 404 if the user may not
    see its details, 403 if a member without an editing role tries to change it."""
    report = (
        Report.objects.select_related("organisation", "campaign", "campaign__group")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404
    role = member_role(user, report.organisation_id)
    if role is not None:
        if edit and not role_may(role, report.organisation.type, Action.MONITORING_REPORT_EDIT):
            raise PermissionDenied
        return report, True
    if not edit and report.shared_with_coordinator and runs_campaign(user, report.campaign):
        return report, False
    raise Http404


def own_reports(user: Any) -> QuerySet[Report]:
    """The reports of the organisations the user is a member of: those ``get_report`` gives it as its
    own. Never a report shared with a campaign the user runs (it reads those by their campaign)."""
    if not user.is_authenticated:
        return Report.objects.none()
    # One membership per user and organisation (a constraint): no report comes twice.
    return Report.objects.filter(organisation__memberships__user=user)


def shared_reports(user: Any) -> QuerySet[Report]:
    """The reports shared with the coordinator of a campaign the user runs: those ``get_report`` gives
    it to read but not as its own (the links of its campaigns' pages). Never a report not shared."""
    return Report.objects.filter(shared_with_coordinator=True, campaign__in=campaigns_run_by(user))


def reporting_organisations(user: Any) -> list[Organisation]:
    """The participants the user reports for."""
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(memberships__user=user, type__in=Organisation.PARTICIPANT_TYPES)
        .distinct()
        .order_by("name")
    )
