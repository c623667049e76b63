"""Monitoring's operations: open a campaign, start and fill a report, submit, accept or return it,
publish results, remind. Each runs in one transaction and refreshes the aggregates it changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.accounts.models import Membership, Organisation
from cfit.monitoring import aggregation
from cfit.monitoring.indicators import BY_CODE, Aggregation, Kind
from cfit.monitoring.models import Campaign, Reminder, Report, ReportValue
from cfit.monitoring.prefill import prefill
from cfit.pact.models import BuyerGroup, GroupMembership


class MonitoringError(Exception):
    """Raised if an operation does not fit the campaign's or the report's state; the message says why."""


def campaign_members(campaign: Campaign) -> list[Organisation]:
    """Who a campaign asks for a report: the group's active members, or every participant."""
    if campaign.group_id is None:
        return list(Organisation.objects.filter(type__in=Organisation.PARTICIPANT_TYPES))
    return list(
        Organisation.objects.filter(
            group_memberships__group_id=campaign.group_id,
            group_memberships__state=GroupMembership.State.ACTIVE,
        )
    )


@transaction.atomic
def open_campaign(
    *, year: int, group: BuyerGroup | None, title: str, opens: date, deadline: date, user: Any
) -> Campaign:
    if deadline < opens:
        raise MonitoringError(_("The deadline is before the opening date."))
    if Campaign.objects.filter(year=year, group=group).exists():
        raise MonitoringError(_("There is already a campaign for %(year)s.") % {"year": year})
    return Campaign.objects.create(
        year=year, group=group, title=title, opens=opens, deadline=deadline, created_by=user
    )


@transaction.atomic
def start_report(campaign: Campaign, organisation: Organisation) -> Report:
    """The organisation's report of the campaign's year, pre-filled from its tenders and register;
    an existing report of that year (asked by another campaign) is reused."""
    if campaign.status != Campaign.Status.OPEN:
        raise MonitoringError(_("This campaign is closed."))
    report, created = Report.objects.get_or_create(
        organisation=organisation, year=campaign.year, defaults={"campaign": campaign}
    )
    if created:
        ReportValue.objects.bulk_create(
            ReportValue(report=report, indicator=indicator, key=key, value=value, origin=origin)
            for (indicator, key), (value, origin) in prefill(organisation, campaign.year).items()
        )
        _set_weights(report)
    return report


def _set_weights(report: Report) -> None:
    """Give each averaged value the weight it carries across participants (spend, devices retired)."""
    values = list(report.values.all())
    spend = sum(v.value or 0 for v in values if v.indicator == "ict_spend_eur")
    retired = {v.key: v.value or 0 for v in values if v.indicator == "retired_units"}
    changed = []
    for value in values:
        indicator = BY_CODE.get(value.indicator)
        if indicator is None or indicator.aggregation != Aggregation.WEIGHTED:
            continue
        weight = spend if indicator.weight == "ict_spend_total" else retired.get(value.key, 0)
        if value.weight != weight:
            value.weight = weight
            changed.append(value)
    ReportValue.objects.bulk_update(changed, ["weight"])


def parse_value(indicator_code: str, raw: Any) -> float | str | None:
    """A typed value of an indicator, or ``MonitoringError`` saying what is wrong; blank is None."""
    indicator = BY_CODE[indicator_code]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if indicator.kind == Kind.TEXT:
        text = str(raw).strip()
        if len(text) > 5000:
            raise MonitoringError(_("longer than 5000 characters"))
        return text
    try:
        number = (
            float(str(raw).replace(",", ".").replace(" ", ""))
            if not isinstance(raw, (int, float))
            else float(raw)
        )
    except ValueError as error:
        raise MonitoringError(_("not a number")) from error
    if number != number or number < 0:
        raise MonitoringError(_("must be zero or more"))
    if indicator.kind == Kind.INTEGER and not number.is_integer():
        raise MonitoringError(_("must be a whole number"))
    if indicator.maximum is not None and number > indicator.maximum:
        raise MonitoringError(_("at most %(max)s") % {"max": indicator.maximum})
    return number


@transaction.atomic
def save_values(report: Report, values: dict[tuple[str, str], Any], *, shared: bool | None = None) -> int:
    """Store a report's values; a value that differs from what was pre-filled becomes "reported".

    ``values`` maps (indicator, key) to raw input; unknown cells and bad values raise
    ``MonitoringError`` naming the cell, and nothing is stored then. Returns the number of changes."""
    if not report.is_editable:
        raise MonitoringError(_("A submitted report cannot be changed."))
    typed: dict[tuple[str, str], float | str | None] = {}
    for (code, key), raw in values.items():
        indicator = BY_CODE.get(code)
        if indicator is None or key not in indicator.keys:
            raise MonitoringError(_("Unknown figure %(code)s [%(key)s].") % {"code": code, "key": key})
        try:
            typed[(code, key)] = parse_value(code, raw)
        except MonitoringError as error:
            raise MonitoringError(f"{indicator.label} [{key or '-'}]: {error}") from error
    existing = {(v.indicator, v.key): v for v in report.values.all()}
    changes = 0
    for (code, key), value in typed.items():
        current = existing.get((code, key))
        is_text = BY_CODE[code].kind == Kind.TEXT
        if value is None:
            if current is not None:
                current.delete()
                changes += 1
            continue
        if current is None:
            ReportValue.objects.create(
                report=report, indicator=code, key=key, value=None if is_text else value,
                text=value if is_text else "", origin=ReportValue.Origin.REPORTED,
            )  # fmt: skip
            changes += 1
        elif (current.text if is_text else current.value) != value:
            current.value, current.text = (None, value) if is_text else (value, "")
            current.origin = ReportValue.Origin.REPORTED
            current.save(update_fields=["value", "text", "origin"])
            changes += 1
    if shared is not None and shared != report.shared_with_coordinator:
        report.shared_with_coordinator = shared
        report.save(update_fields=["shared_with_coordinator", "updated"])
    _set_weights(report)
    return changes


@transaction.atomic
def submit(report: Report) -> Report:
    if not report.is_editable:
        raise MonitoringError(_("This report was already submitted."))
    if report.campaign.status != Campaign.Status.OPEN:
        raise MonitoringError(_("This campaign is closed."))
    report.state, report.submitted = Report.State.SUBMITTED, timezone.now()
    report.save(update_fields=["state", "submitted", "updated"])
    aggregation.refresh_for(report)
    return report


@transaction.atomic
def decide(report: Report, *, accept: bool, comment: str = "") -> Report:
    """The coordinator accepts a submitted report, or returns it with comments for the participant."""
    if report.state != Report.State.SUBMITTED:
        raise MonitoringError(_("Only a submitted report is accepted or returned."))
    if not accept and not comment.strip():
        raise MonitoringError(_("Say what to correct when you return a report."))
    report.state = Report.State.ACCEPTED if accept else Report.State.RETURNED
    report.comment, report.decided = comment.strip(), timezone.now()
    report.save(update_fields=["state", "comment", "decided", "updated"])
    aggregation.refresh_for(report)
    return report


@transaction.atomic
def publish_results(campaign: Campaign) -> Campaign:
    """Make the campaign's aggregates public (the reports themselves never are)."""
    campaign.results_published = timezone.now()
    campaign.save(update_fields=["results_published"])
    aggregation.refresh(
        campaign.year, [campaign.group_id] if campaign.group_id else [], pact=campaign.is_pact_wide
    )
    return campaign


@transaction.atomic
def close_campaign(campaign: Campaign) -> Campaign:
    campaign.status = Campaign.Status.CLOSED
    campaign.save(update_fields=["status"])
    return campaign


def send_reminders(today: date, days_before: int = 14) -> int:
    """Mail the administrators of members whose report of an open campaign is not in, when the
    deadline is at most ``days_before`` days away; at most once a day per report. Returns mails sent."""
    messages = []
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
            report = Report.objects.filter(
                organisation=organisation, year=campaign.year
            ).first() or start_report(campaign, organisation)
            _reminder, created = Reminder.objects.get_or_create(report=report, sent=today)
            if not created:
                continue
            admins = list(
                Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
            if admins:
                subject = _("Reminder: your %(year)s monitoring report is due on %(deadline)s") % {
                    "year": campaign.year,
                    "deadline": campaign.deadline.isoformat(),
                }
                body = _(
                    "%(title)s asks %(name)s for its %(year)s monitoring report by %(deadline)s. Most figures are "
                    "pre-filled from your tenders and device register: check them and submit."
                ) % {"title": campaign.title, "name": organisation.name, "year": campaign.year,
                     "deadline": campaign.deadline.isoformat()}  # fmt: skip
                messages.append((subject, body, None, admins))
                Reminder.objects.filter(report=report, sent=today).update(recipients=len(admins))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
