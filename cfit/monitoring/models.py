"""Monitoring campaigns, the participants' yearly reports, and the aggregates that collective results show.

A report belongs to an organisation and a year (one report a year, however many campaigns ask for it);
it is requested by a campaign, whose coordinator accepts or returns it. Its values are rows (indicator,
key), each marked as reported, pre-filled or estimated. Aggregates are materialised per scope (a buyer
group, or the whole pact), year, indicator and key, refreshed by the database on every submission,
acceptance or return, so that results pages never add up reports in Python.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation
from cfit.pact.models import BuyerGroup


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

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


class Report(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned with comments")

    #: States whose figures count in aggregates.
    COUNTED = (State.SUBMITTED, State.ACCEPTED)

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
        return self.state in (self.State.DRAFT, self.State.RETURNED)


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
    reporters = models.PositiveIntegerField(default=0, help_text=_("Reports that gave this figure."))
    prefilled = models.PositiveIntegerField(default=0)
    estimated = models.PositiveIntegerField(default=0)
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
    refreshed = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="one_coverage_per_scope_year")]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.counted} of {self.members}"


class Reminder(models.Model):
    """A reminder sent for a report, so that each is sent once per report and date."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    sent = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "sent"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.report} reminded {self.sent}"
