"""Monitoring campaigns, the participants' yearly reports, and the aggregates that collective results show.

A report belongs to an organisation and a year (one report a year, however many campaigns ask for it);
it is requested by a campaign, whose coordinator accepts or returns it. Its values are rows (indicator,
key), each marked as reported, pre-filled or estimated; emissions carry their low and high bounds, the
method version and its sources. Aggregates are materialised per scope (a buyer group, or the whole pact),
year, indicator and key, refreshed by the database on every submission, acceptance or return, so that
results pages never add up reports in Python; each carries the disclosure-control decision that says
whether it may be shown (``disclosure.py``). Publishing a campaign's results is recorded with who and
when (``Publication``); reminders go out through an outbox (``Reminder``) that retries failed sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord
from cfit.monitoring.disclosure import MIN_REPORTERS, Reason, Rules
from cfit.pact.models import BuyerGroup, GroupMembership


class Suppression(models.TextChoices):
    """Why a collective figure is not shown; empty: it is shown."""

    NONE = "", _("Shown")
    THRESHOLD = Reason.THRESHOLD.value, _("Fewer than the minimum number of reporting organisations")
    DOMINANCE = Reason.DOMINANCE.value, _("One organisation gives most of the figure")
    SECONDARY = (
        Reason.SECONDARY.value,
        _("Hidden so that a hidden figure cannot be worked out from the others"),
    )


class DisclosureRules(models.Model):
    """The pact's rules for showing collective figures, in public and to coordinators (a single row).

    Changed through ``actions.set_disclosure_rules``, which re-applies them to every figure."""

    #: the primary key of the single row
    SINGLETON = 1

    min_reporters = models.PositiveSmallIntegerField(
        _("minimum reporting organisations"), default=MIN_REPORTERS,
        validators=[MinValueValidator(MIN_REPORTERS)],
        help_text=_("A figure is shown only if at least this many organisations reported it (never fewer than 3)."),
    )  # fmt: skip
    dominance_percent = models.PositiveSmallIntegerField(
        _("largest share of one organisation (%)"), default=80,
        validators=[MinValueValidator(50), MaxValueValidator(95)],
        help_text=_("A figure is hidden when one organisation gives more than this share of it (50 to 95)."),
    )  # fmt: skip
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("disclosure rules")
        verbose_name_plural = _("disclosure rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(min_reporters__gte=MIN_REPORTERS), name="min_reporters_at_least_3"),
            models.CheckConstraint(
                condition=models.Q(dominance_percent__gte=50, dominance_percent__lte=95), name="dominance_from_50_to_95"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"n >= {self.min_reporters}, largest share <= {self.dominance_percent} %"

    @property
    def rules(self) -> Rules:
        return Rules(min_reporters=self.min_reporters, dominance=self.dominance_percent / 100)

    @classmethod
    def current(cls) -> Rules:
        """The rules in force: the stored row's, or the defaults."""
        row = cls.objects.filter(pk=cls.SINGLETON).first()
        return row.rules if row is not None else Rules()


class CampaignQuerySet(models.QuerySet):
    def overdue(self, today: date | None = None) -> CampaignQuerySet:
        """The campaigns ``Campaign.days_overdue`` counts late on ``today``: open, their deadline passed
        (a test holds the two to the same days)."""
        return self.filter(status=Campaign.Status.OPEN, deadline__lt=today or timezone.localdate())


class Campaign(models.Model):
    """A call for the reports of one year: a buyer group's (its coordinator runs it) or the pact's
    (the secretariat runs it)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("reporting year"))
    group = models.ForeignKey(
        BuyerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns",
        verbose_name=_("buyer group"), help_text=_("Empty for a pact-wide campaign run by the secretariat."),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    opens = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    results_published = models.DateTimeField(_("results published on"), null=True, blank=True)
    results_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("results published by"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "group__name"]
        verbose_name = _("monitoring campaign")
        verbose_name_plural = _("monitoring campaigns")
        constraints = [
            models.UniqueConstraint(fields=["group", "year"], name="one_campaign_per_group_and_year"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(group__isnull=True), name="one_pact_campaign_per_year"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pact_wide(self) -> bool:
        return self.group_id is None

    def days_overdue(self, today: date | None = None) -> int:
        """How many days ago an open campaign's deadline passed; 0 before it, on the day, or once closed.
        A late report is still taken until the campaign is closed."""
        if self.status != self.Status.OPEN:
            return 0
        return max(0, ((today or timezone.localdate()) - self.deadline).days)

    @property
    def overdue_days(self) -> int:
        """``days_overdue`` today, for the pages."""
        return self.days_overdue()

    @property
    def language(self) -> str:
        """The language the campaign writes to its members in: its buyer group's, or the default one."""
        group = self.group
        return group.language if group is not None and group.language else settings.LANGUAGE_CODE

    def members(self) -> models.QuerySet[Organisation]:
        """Who the campaign asks for a report: its group's active members, or every participant."""
        if self.group_id is None:
            return Organisation.objects.filter(type__in=Organisation.PARTICIPANT_TYPES)
        return Organisation.objects.filter(
            group_memberships__group_id=self.group_id,
            group_memberships__state=GroupMembership.State.ACTIVE,
        )


def reviewing_campaign(asked_by: Campaign, asking: Iterable[Campaign]) -> Campaign:
    """The campaign that reviews a new report asked for by ``asked_by``, among the open campaigns
    ``asking`` the organisation for a report: the organisation's buyer group's campaign of that year
    (its coordinator reviews its members' reports; of two groups, the first in ``asking``, which
    ``actions.open_campaigns_by_organisation`` orders by the group the organisation joined first), else
    ``asked_by`` itself. The report counts in every campaign of its year whichever reviews it. Asked by
    a group's campaign, the report of a member of two groups still goes to the group it joined first,
    so that the order in which campaigns open or a member starts its report decides nothing."""
    return next((c for c in asking if c.year == asked_by.year and c.group is not None), asked_by)


@dataclass(frozen=True)
class Move:
    """A report's latest move to another campaign (``actions._move``), as its audit record holds it."""

    from_title: str
    to_title: str
    at: datetime


class ReportQuerySet(models.QuerySet):
    def overdue(self, today: date | None = None) -> ReportQuerySet:
        """The reports ``Report.days_overdue`` counts late on ``today``: still written in, their campaign
        overdue (a test holds the two to the same days)."""
        return self.filter(
            state__in=Report.EDITABLE, campaign__in=Campaign.objects.overdue(today).values("pk")
        )


class Report(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned with comments")

    #: States whose figures count in aggregates.
    COUNTED = (State.SUBMITTED, State.ACCEPTED)
    #: States its organisation still writes in (and is late in, past an open campaign's deadline).
    EDITABLE = (State.DRAFT, State.RETURNED)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="reports")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    shared_with_coordinator = models.BooleanField(
        _("share the details with the coordinator"),
        default=False,
        help_text=_("Otherwise the coordinator sees only the report's status and the group's totals."),
    )
    comment = models.TextField(_("coordinator's comments"), blank=True)
    submitted = models.DateTimeField(null=True, blank=True)
    decided = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "organisation__name"]
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="one_report_a_year")]
        indexes = [models.Index(fields=["year", "state"], name="report_year_state")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE

    def days_overdue(self, today: date | None = None) -> int:
        """How late the report is: its campaign's ``days_overdue`` while it waits to be submitted (a draft,
        or returned), as the pages badge it; 0 once submitted or accepted."""
        return self.campaign.days_overdue(today) if self.is_editable else 0

    def latest_move(self) -> Move | None:
        """How the report came to the campaign it is in, if it moved there (``actions._move``): read from
        its audit record, so the page tells its members why another campaign reviews it."""
        found = (
            AuditRecord.objects.filter(
                action=AuditRecord.Action.REPORT_MOVED,
                object_type=self._meta.label_lower,
                object_id=str(self.pk),
            )
            .values_list("before", "after", "at")
            .first()
        )
        if found is None or not isinstance(found[0], dict) or not isinstance(found[1], dict):
            return None
        before, after, at = found
        if after.get("campaign") != self.campaign_id:
            return None
        return Move(str(before.get("title", "")), str(after.get("title", "")), at)


class ReportValue(models.Model):
    class Origin(models.TextChoices):
        REPORTED = "reported", _("Reported")
        PREFILLED = "prefilled", _("Pre-filled")  #: taken from the platform's tenders and register
        ESTIMATED = "estimated", _("Estimated")  #: computed by a model (emissions) or from estimates

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField(_("indicator"), max_length=40)
    key = models.CharField(_("breakdown"), max_length=40, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.REPORTED)
    #: What weighs the value in an average across participants (spend, devices retired); set on save.
    weight = models.FloatField(null=True, blank=True)
    # -- uncertainty: figures of a bounded indicator (emissions) only
    low = models.FloatField(_("low bound"), null=True, blank=True)
    high = models.FloatField(_("high bound"), null=True, blank=True)
    method = models.CharField(
        _("method"), max_length=40, blank=True,
        help_text=_("The impact method version that computed an estimated figure; empty for a reported one."),
    )  # fmt: skip
    #: the sources the impact engine named for the figure, as it gave them: [{id, title, url}]
    sources = models.JSONField(_("sources"), default=list, blank=True)

    class Meta:
        ordering = ["indicator", "key"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator", "key"], name="one_value_per_indicator_key")
        ]
        indexes = [models.Index(fields=["indicator", "key"], name="value_indicator_key")]

    def __str__(self) -> str:
        return f"{self.indicator}[{self.key}] = {self.value if self.value is not None else self.text[:20]}"


PACT = "pact"  #: the scope of pact-wide figures; a buyer group's scope is its slug


class Aggregate(models.Model):
    """A collective figure: the sum or weighted average of the counted reports of a scope and year."""

    scope = models.CharField(max_length=80, help_text=_("pact, or the buyer group's short name"))
    group = models.ForeignKey(
        BuyerGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="aggregates"
    )  #: empty: the whole pact
    year = models.PositiveSmallIntegerField()
    indicator = models.CharField(max_length=40)
    key = models.CharField(max_length=40, blank=True)
    value = models.FloatField(null=True)
    #: the sum of the reports' low and high bounds (bounded indicators; empty if a report gave none)
    low = models.FloatField(null=True)
    high = models.FloatField(null=True)
    reporters = models.PositiveIntegerField(default=0, help_text=_("Reports that gave this figure."))
    prefilled = models.PositiveIntegerField(default=0)
    estimated = models.PositiveIntegerField(default=0)
    suppression = models.CharField(
        max_length=10, choices=Suppression.choices, default=Suppression.NONE, blank=True,
        help_text=_("Why the figure is not shown, by the disclosure rules; empty: it is shown."),
    )  # fmt: skip
    #: bounded indicators: the method versions behind the figure, and the union of their sources
    method = models.CharField(max_length=80, blank=True)
    sources = models.JSONField(default=list, blank=True)
    refreshed = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "indicator", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "year", "indicator", "key"], name="one_aggregate_per_cell"
            ),
        ]
        # the results pages read one scope's years and indicators at a time
        indexes = [models.Index(fields=["scope", "year"], name="aggregate_scope_year")]

    def __str__(self) -> str:
        return f"{self.scope} {self.year} {self.indicator}[{self.key}] = {self.value}"


class Coverage(models.Model):
    """How much of a scope and year the aggregates rest on: members, reports counted, still in draft."""

    scope = models.CharField(max_length=80)
    group = models.ForeignKey(
        BuyerGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="coverage"
    )
    year = models.PositiveSmallIntegerField()
    members = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    users_served = models.FloatField(default=0)
    #: members' users served (the organisations' profiles), for the share of users the reports cover
    members_users_served = models.FloatField(default=0)
    users_served_suppression = models.CharField(
        max_length=10, choices=Suppression.choices, default=Suppression.NONE, blank=True
    )
    refreshed = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="one_coverage_per_scope_year")]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.counted} of {self.members}"


class ResultsEdition(models.Model):
    """The edition of the collective results: a number that grows, in the same transaction, with every
    change that the public results pages may show (figures refreshed or protected again, a campaign
    published or withdrawn, the disclosure rules, a buyer group's name). Pages cache what they render
    under it, so a reader never gets a page older than the figures (a single row, made by migration)."""

    SINGLETON = 1

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("results edition")
        verbose_name_plural = _("results editions")

    def __str__(self) -> str:
        return str(self.number)

    @classmethod
    def current(cls) -> int:
        found: int | None = cls.objects.filter(pk=cls.SINGLETON).values_list("number", flat=True).first()
        return found or 0

    @classmethod
    def bump(cls) -> None:
        """Start a new edition. The row is created by migration: an update only, so that two writers
        never both create it and one edition never covers two different sets of figures."""
        if not cls.objects.filter(pk=cls.SINGLETON).update(number=models.F("number") + 1):
            cls.objects.create(pk=cls.SINGLETON, number=1)  # a database emptied by hand


class Publication(models.Model):
    """The audit trail of publishing: who published or withdrew a campaign's results, when, why, and what
    the figures rested on at that moment."""

    class Action(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="publications")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    # -- what the figures rested on
    members = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    cells = models.PositiveIntegerField(default=0, help_text=_("Figures of the campaign's scope and year."))
    suppressed = models.PositiveIntegerField(
        default=0, help_text=_("Of which hidden by the disclosure rules.")
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.campaign} {self.action} {self.at:%Y-%m-%d}"


class ReminderQuerySet(models.QuerySet):
    def due(self, now: Any) -> ReminderQuerySet:
        """Reminders not yet handed to the mail server, whose next attempt is due."""
        return self.filter(
            delivered__isnull=True, cancelled=False, attempts__lt=Reminder.MAX_ATTEMPTS, next_attempt__lte=now
        )


class Reminder(models.Model):
    """A reminder of a report for one day in one language (its readers' own, or the campaign's), and
    the outbox entry that delivers it.

    Queued first, with its recipients and text; ``delivered`` is set only once the mail server took the
    mail, so that a failed send is retried (``attempts``, ``next_attempt``) rather than lost."""

    MAX_ATTEMPTS = 5

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField(
        help_text=_("The day the reminder is for: at most one a day per report and language.")
    )
    language = models.CharField(
        max_length=8, blank=True, help_text=_("The language the reminder is written in, its readers'.")
    )
    recipients = models.JSONField(default=list, help_text=_("E-mail addresses, as queued."))
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    # -- delivery
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered = models.DateTimeField(
        null=True, blank=True, help_text=_("When the mail server took the mail.")
    )
    cancelled = models.BooleanField(
        default=False, help_text=_("The report came in before the mail went out.")
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "day", "language"], name="one_reminder_a_day_per_language"
            )
        ]
        # the outbox worker looks for undelivered reminders only
        indexes = [
            models.Index(
                fields=["next_attempt"],
                name="reminder_undelivered",
                condition=models.Q(delivered__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} reminded for {self.day}"
