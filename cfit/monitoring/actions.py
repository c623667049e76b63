"""Monitoring's operations: open a campaign, start and fill a report, submit, accept or return it,
publish and withdraw results, change the disclosure rules, remind. Each runs in one transaction and
refreshes the aggregates it changes; publishing and withdrawing name who acted and leave an audit record.
Reminders are queued in an outbox and delivered apart from the transaction that queued them."""

from __future__ import annotations

import logging
import math
import smtplib
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from cfit.accounts.languages import ADDRESS_AND_LANGUAGE, by_language
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.permissions import Action, memberships_that_may
from cfit.audit.models import AuditRecord
from cfit.audit.recording import actor, record
from cfit.jobs.models import Job
from cfit.monitoring import aggregation
from cfit.monitoring.disclosure import Rules
from cfit.monitoring.indicators import BY_CODE, Aggregation, Kind
from cfit.monitoring.models import (
    Aggregate,
    Campaign,
    Coverage,
    DisclosureRules,
    Publication,
    Reminder,
    Report,
    ReportValue,
    reviewing_campaign,
)
from cfit.monitoring.prefill import prefill
from cfit.monitoring.results import campaign_scope
from cfit.numberfields import AmbiguousNumber, typed_number, unambiguous_number
from cfit.pact.models import BuyerGroup, GroupMembership
from cfit.sitelinks import page_address
from cfit.tabular import NotANumber, parse_number
from cfit.tenders.models import Tender

logger = logging.getLogger(__name__)
#: Bounds of a figure: (low, high), raw input.
Bounds = dict[tuple[str, str], tuple[Any, Any]]


class MonitoringError(Exception):
    """Raised if an operation does not fit the campaign's or the report's state; the message says why."""


def campaign_members(campaign: Campaign) -> list[Organisation]:
    """Who a campaign asks for a report: the group's active members, or every participant."""
    return list(campaign.members())


def group_order(organisations: list[Organisation]) -> dict[int, list[int]]:
    """Each organisation's active buyer groups, the one it joined first first (then by name): the order
    in which its groups' campaigns review its report (``reviewing_campaign``). One query."""
    order: dict[int, list[int]] = defaultdict(list)
    for organisation_id, group_id in (
        GroupMembership.objects.filter(organisation__in=organisations, state=GroupMembership.State.ACTIVE)
        .annotate(joined=Coalesce("decided", "created"))
        .order_by("organisation_id", "joined", "group__name", "group_id")
        .values_list("organisation_id", "group_id")
    ):
        order[organisation_id].append(group_id)
    return order


def open_campaigns_by_organisation(organisations: list[Organisation]) -> dict[int, list[Campaign]]:
    """The open campaigns that ask each organisation for a report: the pact-wide ones and those of the
    buyer groups it is an active member of; per year, the pact-wide campaign first, then its groups' in
    the order of ``group_order`` (the first of them reviews its report). Two queries, whatever the
    number of organisations."""
    groups = group_order(organisations)
    every_group = set().union(*groups.values()) if groups else set()
    campaigns = list(
        Campaign.objects.filter(status=Campaign.Status.OPEN)
        .filter(Q(group__isnull=True) | Q(group__in=every_group))
        .select_related("group")
        .order_by("-year", F("group__name").asc(nulls_first=True), "pk")
    )
    asking = {}
    for o in organisations:
        rank = {group_id: n for n, group_id in enumerate(groups[o.pk])}
        asking[o.pk] = sorted(
            (c for c in campaigns if c.group_id is None or c.group_id in rank),
            # The same order on every database: the latest year first, the pact-wide campaign first.
            key=lambda c: (-c.year, -1 if c.group_id is None else rank[c.group_id], c.pk),
        )
    return asking


@transaction.atomic
def open_campaign(
    *, year: int, group: BuyerGroup | None, title: str, opens: date, deadline: date, acting_user: Any
) -> Campaign:
    if deadline < opens:
        raise MonitoringError(_("The deadline is before the opening date."))
    if Campaign.objects.filter(year=year, group=group).exists():
        raise MonitoringError(_("There is already a campaign for %(year)s.") % {"year": year})
    campaign = Campaign.objects.create(
        year=year, group=group, title=title, opens=opens, deadline=deadline, created_by=actor(acting_user)
    )
    record(
        AuditRecord.Action.CAMPAIGN_OPENED, campaign, acting_user=acting_user,
        organisation=group.coordinator if group is not None else None,
        after={"year": year, "opens": opens.isoformat(), "deadline": deadline.isoformat()},
    )  # fmt: skip
    if group is not None:
        # A member that started its report before its group opened a campaign: the group's coordinator
        # reviews its members' reports (``reviewing_campaign``), so a draft moves here, from the
        # pact-wide campaign or from another group's. A member of two groups reports to the group it
        # joined first (``group_order``), not to whichever coordinator opened a campaign first: so a
        # draft in another group's campaign moves only if this group comes before that one for its
        # organisation, and a report ends where it would have been started, whatever the order of
        # opening. A report already submitted (or returned) stays with the campaign deciding on it.
        members = GroupMembership.objects.filter(group=group, state=GroupMembership.State.ACTIVE)
        drafts = list(
            Report.objects.filter(
                year=year, state=Report.State.DRAFT, organisation__in=members.values("organisation")
            )
            .exclude(campaign=campaign)
            .select_related("campaign", "organisation")
        )
        order = group_order([report.organisation for report in drafts])
        for report in drafts:
            groups = order[report.organisation_id]
            current = report.campaign.group_id
            if current is None or current not in groups or groups.index(group.pk) < groups.index(current):
                _move(report, campaign, acting_user=acting_user)
    return campaign


def _move(report: Report, campaign: Campaign, *, acting_user: Any) -> None:
    before = report.campaign
    report.campaign = campaign
    report.save(update_fields=["campaign", "updated"])
    record(
        AuditRecord.Action.REPORT_MOVED, report, acting_user=acting_user, organisation=report.organisation,
        before={"campaign": before.pk, "title": before.title}, after={"campaign": campaign.pk, "title": campaign.title},
    )  # fmt: skip


def submitting_campaign(report: Report) -> Campaign | None:
    """The campaign a report goes to when it is submitted: its own while that is open; once it is closed,
    the one of the open campaigns still asking the organisation for that year's report that would review
    a report started now (``reviewing_campaign``: its buyer group's, else the pact-wide one). None when
    no open campaign asks for it: the report can no longer be submitted."""
    if report.campaign.status == Campaign.Status.OPEN:
        return report.campaign
    organisation = report.organisation
    asking = [
        c for c in open_campaigns_by_organisation([organisation])[organisation.pk] if c.year == report.year
    ]
    pact_wide = next((c for c in asking if c.is_pact_wide), None)
    if pact_wide is not None:
        return reviewing_campaign(pact_wide, asking)
    return asking[0] if asking else None


@transaction.atomic
def start_report(campaign: Campaign, organisation: Organisation, *, acting_user: Any) -> Report:
    """The organisation's report of the campaign's year, pre-filled from its tenders and register;
    an existing report of that year (asked by another campaign) is reused. A new report is reviewed by
    the organisation's buyer group's campaign of that year, if one is open (of two groups, the one it
    joined first), else by the pact-wide one (``reviewing_campaign``)."""
    if campaign.status != Campaign.Status.OPEN:
        raise MonitoringError(_("This campaign is closed."))
    reviewer = reviewing_campaign(campaign, open_campaigns_by_organisation([organisation])[organisation.pk])
    report, created = Report.objects.get_or_create(
        organisation=organisation, year=campaign.year, defaults={"campaign": reviewer}
    )
    if created:
        ReportValue.objects.bulk_create(
            ReportValue(
                report=report, indicator=indicator, key=key, value=figure.value, origin=figure.origin,
                low=figure.low, high=figure.high, method=figure.method, sources=list(figure.sources),
            )
            for (indicator, key), figure in prefill(organisation, campaign.year).items()
        )  # fmt: skip
        _set_weights(report)
        record(AuditRecord.Action.REPORT_STARTED, report, acting_user=acting_user, organisation=organisation)
    return report


def _set_weights(report: Report) -> None:
    """Give each averaged value the weight it carries across participants (spend, devices retired)."""
    values = list(report.values.all())
    spend = sum(v.value or 0 for v in values if v.indicator == "ict_spend_eur")
    # Any other weight is the value of the indicator it names, for the same key (devices retired per
    # group) or for the whole report (obligations due, smelters reported).
    cells = {(v.indicator, v.key): v.value or 0 for v in values}
    changed = []
    for value in values:
        indicator = BY_CODE.get(value.indicator)
        if indicator is None or indicator.aggregation != Aggregation.WEIGHTED:
            continue
        weight = (
            spend
            if indicator.weight == "ict_spend_total"
            else cells.get((indicator.weight, value.key), cells.get((indicator.weight, ""), 0))
        )
        if value.weight != weight:
            value.weight = weight
            changed.append(value)
    ReportValue.objects.bulk_update(changed, ["weight"])


def parse_value(indicator_code: str, raw: Any, *, language: str | None = None) -> float | str | None:
    """A typed value of an indicator, or ``MonitoringError`` saying what is wrong; blank is None.

    One declared rule for figures, whoever gives them: a number (int, float, Decimal) as it is; a figure
    as text by the separators of its writer's ``language`` (as the page and the workbook read it,
    ``numberfields.typed_number``), or, without a language, only if every language of the platform reads
    it as the same number ("12,5", "1 234", "1.234,5"); "1.234" (1.234 in English, 1234 in Dutch) is then
    refused as ambiguous, never guessed."""
    indicator = BY_CODE[indicator_code]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if indicator.kind == Kind.TEXT:
        text = str(raw).strip()
        if len(text) > 5000:
            raise MonitoringError(_("longer than 5000 characters"))
        return text
    try:
        if isinstance(raw, str):
            raw = typed_number(raw, language) if language else unambiguous_number(raw)
        # A Decimal keeps its sign as a float ("-0" too); nothing that is not a finite number ("inf",
        # "1e400", 400 digits) is ever stored.
        number = parse_number(float(raw) if isinstance(raw, Decimal) else raw)
    except AmbiguousNumber as error:
        raise MonitoringError(
            _("ambiguous: the languages of the pact read %(text)s as different numbers; give it as a number")
            % {"text": str(raw).strip()[:40]}
        ) from error
    except (NotANumber, OverflowError) as error:
        raise MonitoringError(_("not a number")) from error
    if number < 0 or math.copysign(1.0, number) < 0:  # "-0" too: a count or quantity has no sign
        raise MonitoringError(_("must be zero or more"))
    if indicator.kind == Kind.INTEGER and not number.is_integer():
        raise MonitoringError(_("must be a whole number"))
    if number > indicator.largest:
        raise MonitoringError(
            _("at most %(max)s") % {"max": number_format(indicator.largest, force_grouping=True)}
        )
    return number


@transaction.atomic
def save_values(
    report: Report,
    values: dict[tuple[str, str], Any],
    *,
    acting_user: Any,
    shared: bool | None = None,
    bounds: Bounds | None = None,
) -> int:
    """Store a report's values; a value (or range) that differs from what was pre-filled becomes
    "reported", no longer the method's.

    ``values`` maps (indicator, key) to raw input, ``bounds`` the cells of bounded indicators
    (emissions) to their raw (low, high); a bounded figure must lie within its bounds, the given ones
    or else those it had. Unknown cells and bad values raise ``MonitoringError`` naming the cell, and
    nothing is stored then. Returns the number of changes."""
    if not report.is_editable:
        raise MonitoringError(_("A submitted report cannot be changed."))
    typed = _typed(values)
    typed_bounds = _typed_bounds(bounds or {})
    existing = {(v.indicator, v.key): v for v in report.values.all()}
    changes = 0
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for (code, key), value in typed.items():
        current = existing.get((code, key))
        indicator = BY_CODE[code]
        is_text = indicator.kind == Kind.TEXT
        cell = f"{code}[{key}]" if key else code
        if value is None:
            if current is not None:
                before[cell], after[cell] = _figure(current), None
                current.delete()
                changes += 1
            continue
        low, high = typed_bounds.get((code, key), (None, None))
        if indicator.bounded:
            if low is None and current is not None:
                low, high = current.low, current.high
            if low is None or high is None or not low <= value <= high:  # type: ignore[operator]
                raise MonitoringError(
                    _("%(indicator)s: give a low and a high bound around the figure (low ≤ figure ≤ high).")
                    % {"indicator": indicator.label}
                )
        if current is None:
            created = ReportValue.objects.create(
                report=report, indicator=code, key=key, value=None if is_text else value,
                text=str(value) if is_text else "", origin=ReportValue.Origin.REPORTED, low=low, high=high,
            )  # fmt: skip
            before[cell], after[cell] = None, _figure(created)
            changes += 1
        elif (current.text if is_text else current.value) != value or (current.low, current.high) != (
            low,
            high,
        ):
            before[cell] = _figure(current)
            current.value, current.text = (None, str(value)) if is_text else (value, "")
            current.low, current.high = low, high
            current.origin, current.method, current.sources = ReportValue.Origin.REPORTED, "", []
            current.save(update_fields=["value", "text", "origin", "low", "high", "method", "sources"])
            after[cell] = _figure(current)
            changes += 1
    if shared is not None and shared != report.shared_with_coordinator:
        before["shared_with_coordinator"], after["shared_with_coordinator"] = (
            report.shared_with_coordinator,
            shared,
        )
        report.shared_with_coordinator = shared
        report.save(update_fields=["shared_with_coordinator", "updated"])
    _set_weights(report)
    if before or after:
        record(
            AuditRecord.Action.REPORT_SAVED, report, acting_user=acting_user,
            organisation=report.organisation, before=before, after=after,
        )  # fmt: skip
    return changes


@transaction.atomic
def save_report(
    report: Report,
    values: dict[tuple[str, str], Any],
    *,
    acting_user: Any,
    shared: bool | None = None,
    bounds: Bounds | None = None,
    then_submit: bool = False,
) -> int:
    """Store a report's values and, if ``then_submit``, submit it: one transaction, so a refused
    submission (a closed campaign, a report already in) leaves the values as they were."""
    changes = save_values(report, values, acting_user=acting_user, shared=shared, bounds=bounds)
    if then_submit:
        submit(report, acting_user=acting_user)
    return changes


def _figure(value: ReportValue) -> Any:
    """A stored figure as the audit record shows it: the text or number, with its bounds if it has them."""
    figure = value.text if BY_CODE[value.indicator].kind == Kind.TEXT else value.value
    if value.low is None and value.high is None:
        return figure
    return {"value": figure, "low": value.low, "high": value.high}


def _typed(values: dict[tuple[str, str], Any]) -> dict[tuple[str, str], float | str | None]:
    typed: dict[tuple[str, str], float | str | None] = {}
    for (code, key), raw in values.items():
        indicator = BY_CODE.get(code)
        if indicator is None or key not in indicator.keys:
            raise MonitoringError(_("Unknown figure %(code)s [%(key)s].") % {"code": code, "key": key})
        try:
            typed[(code, key)] = parse_value(code, raw)
        except MonitoringError as error:
            raise MonitoringError(f"{indicator.label} [{key or '-'}]: {error}") from error
    return typed


def _typed_bounds(bounds: Bounds) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    typed: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for (code, key), (raw_low, raw_high) in bounds.items():
        indicator = BY_CODE.get(code)
        if indicator is None or not indicator.bounded or key not in indicator.keys:
            raise MonitoringError(_("Unknown figure %(code)s [%(key)s].") % {"code": code, "key": key})
        try:
            low, high = parse_value(code, raw_low), parse_value(code, raw_high)
        except MonitoringError as error:
            raise MonitoringError(f"{indicator.label}: {error}") from error
        if (low is None) != (high is None):
            raise MonitoringError(
                _("%(indicator)s: give both bounds, or neither.") % {"indicator": indicator.label}
            )
        typed[(code, key)] = (low, high)  # type: ignore[assignment]
    return typed


@transaction.atomic
def submit(report: Report, *, acting_user: Any) -> Report:
    """Send the report to the campaign that reviews it; its reviewers are told by mail once it is stored.
    The report's row is locked first: of two submissions at once, the second waits and is refused, so a
    submission is told once."""
    state = Report.objects.select_for_update().filter(pk=report.pk).values_list("state", flat=True).first()
    if not report.is_editable or state not in (Report.State.DRAFT, Report.State.RETURNED):
        raise MonitoringError(_("This report was already submitted."))
    target = submitting_campaign(report)
    if target is None:
        raise MonitoringError(
            _(
                "%(campaign)s is closed and no open campaign asks for this report: it can no longer be submitted."
            )
            % {"campaign": report.campaign.title}
        )
    if target != report.campaign:
        # Its campaign closed while another still asks for the year's report (the report counts in every
        # campaign of its year): it goes to the one that reviews it now rather than being stranded.
        _move(report, target, acting_user=acting_user)
    before = report.state
    report.state, report.submitted = Report.State.SUBMITTED, timezone.now()
    report.save(update_fields=["state", "submitted", "updated"])
    aggregation.refresh_for(report)
    record(
        AuditRecord.Action.REPORT_SUBMITTED, report, acting_user=acting_user, organisation=report.organisation,
        before={"state": before}, after={"state": report.state},
    )  # fmt: skip
    # once the submission is stored: a rolled-back one mails no one
    transaction.on_commit(lambda: _tell_submitted(report))
    return report


@transaction.atomic
def decide(report: Report, *, accept: bool, acting_user: Any, comment: str = "") -> Report:
    """The coordinator accepts a submitted report, or returns it with comments for the participant."""
    if report.state != Report.State.SUBMITTED:
        raise MonitoringError(_("Only a submitted report is accepted or returned."))
    if not accept and not comment.strip():
        raise MonitoringError(_("Say what to correct when you return a report."))
    before = report.state
    report.state = Report.State.ACCEPTED if accept else Report.State.RETURNED
    report.comment, report.decided = comment.strip(), timezone.now()
    report.save(update_fields=["state", "comment", "decided", "updated"])
    aggregation.refresh_for(report)
    record(
        AuditRecord.Action.REPORT_ACCEPTED if accept else AuditRecord.Action.REPORT_RETURNED, report,
        acting_user=acting_user, organisation=report.organisation,
        before={"state": before}, after={"state": report.state}, reason=report.comment,
    )  # fmt: skip
    if not accept:
        # once the decision is stored: a rolled-back return mails no one
        transaction.on_commit(lambda: _tell_returned(report))
    return report


def member_language(campaign: Campaign, organisation: Organisation) -> str:
    """The language a campaign writes to one of its members in, for who has no language of their own
    (``cfit.accounts.languages``). A buyer group's campaign writes in the group's language; a pact-wide
    one in the language of the member's own buyer group, else of its latest tender, else the platform's
    default: a pact-wide campaign's default (English) reached Oslo and Lyon in English."""
    if not campaign.is_pact_wide:
        return campaign.language
    languages = [
        *BuyerGroup.objects.filter(
            memberships__organisation=organisation, memberships__state=GroupMembership.State.ACTIVE
        )
        .exclude(language="")
        .order_by("pk")
        .values_list("language", flat=True)[:1],
        *Tender.unscoped.filter(organisation=organisation)
        .order_by("-created")
        .values_list("language", flat=True)[:1],
    ]
    return languages[0] if languages else settings.LANGUAGE_CODE


def _editors(organisation: Organisation) -> list[tuple[str, str | None]]:
    """The e-mail addresses of who may change the organisation's monitoring report, each with its
    reader's own language."""
    return list(
        memberships_that_may(Action.MONITORING_REPORT_EDIT)
        .filter(organisation=organisation)
        .exclude(user__email="")
        .values_list(*ADDRESS_AND_LANGUAGE)
    )


def _reviewers(campaign: Campaign) -> list[tuple[str, str | None]]:
    """The e-mail addresses of who decides on the reports a campaign reviews, each with its reader's own
    language: the administrators of its group's coordinator, or the secretariat's staff for a pact-wide
    campaign."""
    runners = memberships_that_may(Action.MONITORING_CAMPAIGN_OPEN).exclude(user__email="")
    if campaign.group is not None:
        runners = runners.filter(organisation_id=campaign.group.coordinator_id)
    else:
        runners = runners.filter(organisation__type=Organisation.Type.SECRETARIAT)
    return list(runners.values_list(*ADDRESS_AND_LANGUAGE))


def _tell_submitted(report: Report) -> None:
    """A plain-text mail to who reviews a submitted report, with the address of the decision on the
    campaign's page: one mail per language, each reader's own, else the campaign's (its buyer group's).
    A mail the server refuses is logged: the campaign's page lists the report waiting all the same."""
    campaign = report.campaign
    for language, recipients in by_language(_reviewers(campaign), campaign.language):
        with translation.override(language):
            params = {"name": report.organisation.name, "year": report.year, "title": campaign.title}
            subject = _("%(name)s submitted its %(year)s monitoring report") % params
            body = _(
                "%(name)s submitted its %(year)s monitoring report to %(title)s. Accept it, or return it "
                "with what to correct, on the campaign's page: %(address)s"
            ) % {
                **params,
                "address": page_address("monitoring:campaign", campaign.pk, anchor=f"decide-{report.pk}"),
            }
        try:
            EmailMessage(subject, body, None, recipients).send()
        except (OSError, smtplib.SMTPException):
            logger.exception(
                "The mail telling %s of the submitted report %s was not sent", recipients, report.pk
            )


def _tell_returned(report: Report) -> None:
    """A plain-text mail to who may correct a returned report, with the coordinator's comments: one mail
    per language, each reader's own, else the one the campaign writes to the member in. A mail the
    server refuses is logged: the report's page shows the comments all the same."""
    readers = _editors(report.organisation)
    if not readers:
        return
    for language, recipients in by_language(readers, member_language(report.campaign, report.organisation)):
        with translation.override(language):
            subject = _("Your %(year)s monitoring report was returned with comments") % {"year": report.year}
            body = _(
                "%(title)s returned the %(year)s monitoring report of %(name)s with these comments:\n\n"
                "%(comment)s\n\nCorrect the report and submit it again (Monitoring, your report of %(year)s)."
            ) % {
                "title": report.campaign.title,
                "year": report.year,
                "name": report.organisation.name,
                "comment": report.comment,
            }
            body += "\n\n" + _("Your report: %(address)s") % {
                "address": page_address("monitoring:report", report.pk)
            }
        try:
            EmailMessage(subject, body, None, recipients).send()
        except (OSError, smtplib.SMTPException):
            logger.exception(
                "The mail telling %s of its returned report %s was not sent", recipients, report.pk
            )


@transaction.atomic
def publish_results(campaign: Campaign, *, acting_user: Any) -> Campaign:
    """Make the campaign's collective figures public, as the disclosure rules let them be shown (the
    reports themselves never are). Records who published, when, and what the figures rested on."""
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("group").get(pk=campaign.pk)
    if campaign.results_published is not None:
        raise MonitoringError(_("These results are already published."))
    aggregation.refresh(
        campaign.year, [campaign.group_id] if campaign.group_id else [], pact=campaign.is_pact_wide
    )
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    campaign.results_published, campaign.results_published_by = timezone.now(), user
    campaign.save(update_fields=["results_published", "results_published_by"])
    _record(campaign, Publication.Action.PUBLISHED, user, "")
    record(
        AuditRecord.Action.RESULTS_PUBLISHED, campaign, acting_user=user, organisation=_runner(campaign),
        before={"published": False}, after={"published": True},
    )  # fmt: skip
    return campaign


@transaction.atomic
def withdraw_results(campaign: Campaign, *, acting_user: Any, reason: str) -> Campaign:
    """Take the campaign's collective figures off the public pages again, saying why."""
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("group").get(pk=campaign.pk)
    if campaign.results_published is None:
        raise MonitoringError(_("These results are not published."))
    if not reason.strip():
        raise MonitoringError(_("Say why the results are withdrawn."))
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    campaign.results_published, campaign.results_published_by = None, None
    campaign.save(update_fields=["results_published", "results_published_by"])
    _record(campaign, Publication.Action.WITHDRAWN, user, reason.strip())
    record(
        AuditRecord.Action.RESULTS_WITHDRAWN, campaign, acting_user=user, organisation=_runner(campaign),
        before={"published": True}, after={"published": False}, reason=reason.strip(),
    )  # fmt: skip
    return campaign


def _runner(campaign: Campaign) -> Organisation | None:
    """The organisation that runs a campaign: its group's coordinator; none for a pact-wide campaign."""
    return campaign.group.coordinator if campaign.group is not None else None


def _record(campaign: Campaign, action: str, user: Any, reason: str) -> Publication:
    scope = campaign_scope(campaign).key
    coverage = Coverage.objects.filter(scope=scope, year=campaign.year).first()
    cells = Aggregate.objects.filter(scope=scope, year=campaign.year)
    return Publication.objects.create(
        campaign=campaign, action=action, by=user, reason=reason,
        members=coverage.members if coverage else 0, reported=coverage.counted if coverage else 0,
        accepted=coverage.accepted if coverage else 0, cells=cells.count(),
        suppressed=cells.exclude(suppression="").count(),
    )  # fmt: skip


@transaction.atomic
def set_disclosure_rules(*, min_reporters: int, dominance_percent: int, acting_user: Any) -> DisclosureRules:
    """Change the pact's disclosure rules and apply them again to every stored figure.

    Refused (``MonitoringError``) below 3 reporting organisations, or a dominance share outside 50–95 %."""
    check_disclosure_rules(min_reporters, dominance_percent)
    user = actor(acting_user)
    old = DisclosureRules.objects.filter(pk=DisclosureRules.SINGLETON).first()
    rules, _created = DisclosureRules.objects.update_or_create(
        pk=DisclosureRules.SINGLETON,
        defaults={"min_reporters": min_reporters, "dominance_percent": dominance_percent, "updated_by": user},
    )
    aggregation.reprotect(None)
    record(
        AuditRecord.Action.DISCLOSURE_RULES_CHANGED, rules, acting_user=user,
        before={"min_reporters": old.min_reporters, "dominance_percent": old.dominance_percent} if old else None,
        after={"min_reporters": min_reporters, "dominance_percent": dominance_percent},
    )  # fmt: skip
    return rules


def request_disclosure_rules(*, min_reporters: int, dominance_percent: int, acting_user: Any) -> Job:
    """Queue new disclosure rules: a job stores them and applies them to every figure at once (see
    ``monitoring.jobs``). Refused now (``MonitoringError``) if the rules themselves are not allowed.
    Run at once where jobs do not run in the background (``JOBS_IN_BACKGROUND`` false: tests, tools)."""
    from cfit.jobs import runner
    from cfit.monitoring.jobs import APPLY_RULES

    check_disclosure_rules(min_reporters, dominance_percent)
    user_id = acting_user.pk if acting_user is not None and acting_user.is_authenticated else None
    # One job per rule set: asking twice for the same rules queues them once; different rules run in
    # the order they were asked for, so the last one asked for is the one in force.
    job, _new = runner.enqueue(
        APPLY_RULES,
        key=f"monitoring-rules:{min_reporters}:{dominance_percent}",
        min_reporters=min_reporters,
        dominance_percent=dominance_percent,
        user_id=user_id,
    )
    runner.dispatch(job, inline=not getattr(settings, "JOBS_IN_BACKGROUND", True))
    job.refresh_from_db()
    return job


def check_disclosure_rules(min_reporters: int, dominance_percent: int) -> None:
    try:
        Rules(min_reporters=min_reporters, dominance=dominance_percent / 100)
    except ValueError as error:
        raise MonitoringError(
            _("At least 3 reporting organisations, and a largest share from 50 to 95 percent.")
        ) from error


@transaction.atomic
def close_campaign(campaign: Campaign, *, acting_user: Any) -> Campaign:
    before = campaign.status
    campaign.status = Campaign.Status.CLOSED
    campaign.save(update_fields=["status"])
    record(
        AuditRecord.Action.CAMPAIGN_CLOSED, campaign, acting_user=acting_user, organisation=_runner(campaign),
        before={"status": before}, after={"status": campaign.status},
    )  # fmt: skip
    return campaign


@transaction.atomic
def send_reminders(today: date, days_before: int = 14) -> int:
    """Queue a reminder for the administrators of each member whose report of an open campaign is not
    in, when the deadline is at most ``days_before`` days away: one per language, each administrator's
    own, else the one the campaign writes to the member in (``member_language``); at most one a day per
    report and language. Returns the reminders queued; ``deliver_reminders`` sends them."""
    queued = 0
    for campaign in Campaign.objects.filter(
        status=Campaign.Status.OPEN, deadline__gte=today, deadline__lte=today + timedelta(days=days_before)
    ):
        done = set(
            Report.objects.filter(year=campaign.year, state__in=Report.COUNTED).values_list(
                "organisation", flat=True
            )
        )
        for organisation in campaign_members(campaign):
            if organisation.pk in done:
                continue
            admins = list(
                Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
                .exclude(user__email="")
                .values_list(*ADDRESS_AND_LANGUAGE)
            )
            if not admins:
                continue
            report = Report.objects.filter(
                organisation=organisation, year=campaign.year
            ).first() or start_report(campaign, organisation, acting_user=None)
            for language, recipients in by_language(admins, member_language(campaign, organisation)):
                subject, body = _reminder_text(campaign, organisation, report, language)
                _reminder, created = Reminder.objects.get_or_create(
                    report=report, day=today, language=language,
                    defaults={"recipients": recipients, "subject": subject, "body": body, "next_attempt": timezone.now()},
                )  # fmt: skip
                queued += created
    return queued


def _reminder_text(
    campaign: Campaign, organisation: Organisation, report: Report, language: str
) -> tuple[str, str]:
    """A reminder's subject and body in ``language``, the deadline as that language writes dates: the
    cron job that queues it runs in the default language. The body ends with the report's address."""
    with translation.override(language):
        deadline = date_format(campaign.deadline, "DATE_FORMAT")
        subject = _("Reminder: your %(year)s monitoring report is due on %(deadline)s") % {
            "year": campaign.year,
            "deadline": deadline,
        }
        body = _(
            "%(title)s asks %(name)s for its %(year)s monitoring report by %(deadline)s. Most figures are "
            "pre-filled from your tenders and device register: check them and submit."
        ) % {"title": campaign.title, "name": organisation.name, "year": campaign.year, "deadline": deadline}
        body += "\n\n" + _("Your report: %(address)s") % {
            "address": page_address("monitoring:report", report.pk)
        }
    return subject, body


#: Waiting time before the next attempt, after the n-th failed one.
RETRY_AFTER = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=8))


def deliver_reminders(now: datetime | None = None) -> int:
    """Hand the due reminders of the outbox to the mail server, one mail each; returns those delivered.

    A reminder is claimed first (its attempt counted, its next attempt pushed back) by an update that
    only one worker can win, then sent, and marked delivered only once the server took it: a failed
    send keeps its error and is tried again later, up to ``Reminder.MAX_ATTEMPTS`` times. A crash
    between the send and the mark can repeat a mail, never lose one. A reminder whose report came in
    meanwhile is cancelled."""
    now = now or timezone.now()
    delivered = 0
    connection = None
    for reminder in Reminder.objects.due(now).select_related("report").order_by("next_attempt", "pk"):
        wait = RETRY_AFTER[min(reminder.attempts, len(RETRY_AFTER) - 1)]
        claimed = Reminder.objects.filter(
            pk=reminder.pk, delivered__isnull=True, attempts=reminder.attempts
        ).update(attempts=F("attempts") + 1, next_attempt=now + wait)
        if claimed != 1:
            continue  # another worker has it
        if reminder.report.state in Report.COUNTED:
            Reminder.objects.filter(pk=reminder.pk).update(cancelled=True)
            continue
        message = EmailMessage(reminder.subject, reminder.body, None, list(reminder.recipients))
        try:
            connection = connection or get_connection()
            connection.send_messages([message])
        except (smtplib.SMTPException, OSError) as error:
            logger.warning(
                "reminder %s not delivered (attempt %s): %s", reminder.pk, reminder.attempts + 1, error
            )
            Reminder.objects.filter(pk=reminder.pk).update(last_error=str(error)[:1000])
            connection = None
            continue
        Reminder.objects.filter(pk=reminder.pk).update(delivered=timezone.now(), last_error="")
        delivered += 1
    return delivered
