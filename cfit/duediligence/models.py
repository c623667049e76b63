"""Responsible minerals: the conformance lists the secretariat imports, and the CMRT/EMRT templates
suppliers deliver as evidence of a contract's obligation, read and stored with their smelters.

A ``MineralsReport`` belongs to one delivery of evidence (``contracts.Submission``) and is reached
only through its contract (``cfit.contracts.access``): the buyer's members and the supplier's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SmelterListQuerySet(models.QuerySet):
    def in_force(self, day: object) -> SmelterList | None:
        """The list that stood on ``day``: the latest dated on or before it, else the oldest there is
        (a report older than every list is checked against the first one, and says so)."""
        found = self.filter(as_of__lte=day).order_by("-as_of", "-version").first()
        return found or self.order_by("as_of", "version").first()


class SmelterList(models.Model):
    """A conformance list as the secretariat imported it: RMI's status of each smelter on a date."""

    version = models.PositiveIntegerField(
        _("version"), unique=True, help_text=_("1 for the first list imported.")
    )
    as_of = models.DateField(_("as of"), help_text=_("The date the statuses stand for."))
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.TextField(_("source"), blank=True, help_text=_("Where the list comes from."))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported on"), default=timezone.now)

    objects = SmelterListQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-version"]
        verbose_name = _("smelter conformance list")
        verbose_name_plural = _("smelter conformance lists")

    def __str__(self) -> str:
        return f"v{self.version} ({self.as_of})"


class SmelterStatus(models.Model):
    """One smelter of a conformance list."""

    smelter_list = models.ForeignKey(SmelterList, on_delete=models.CASCADE, related_name="smelters")
    smelter_id = models.CharField(_("smelter ID"), max_length=16)
    name = models.TextField(_("name"), blank=True)
    metal = models.CharField(_("metal"), max_length=32, blank=True)
    country = models.TextField(_("country"), blank=True)
    status = models.CharField(_("status"), max_length=16)

    class Meta:
        ordering = ["smelter_id"]
        constraints = [
            models.UniqueConstraint(fields=["smelter_list", "smelter_id"], name="smelter_once_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.smelter_id} {self.status}"


class MineralsReport(models.Model):
    """A CMRT or EMRT a supplier delivered, as read: the declaration, the answers, the smelters."""

    submission = models.OneToOneField(
        "contracts.Submission", on_delete=models.CASCADE, related_name="minerals_report"
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="minerals_reports"
    )
    kind = models.CharField(_("template"), max_length=8)  #: CMRT or EMRT
    revision = models.CharField(_("revision"), max_length=16)
    language = models.CharField(_("language"), max_length=40, blank=True)
    company_name = models.TextField(_("company"))
    authoriser = models.TextField(_("authorised by"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    #: every declaration field by key, the answers [{question, metal, answer, comment, row}] and the
    #: reader's warnings [{code, params, sheet, row, column}]: what the supplier's file says
    declaration = models.JSONField(default=dict)
    answers = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("minerals report")
        verbose_name_plural = _("minerals reports")

    def __str__(self) -> str:
        return f"{self.kind} {self.revision} {self.company_name}"

    @property
    def year(self) -> int:
        return (self.effective_date or self.created.date()).year


class Smelter(models.Model):
    """A smelter a report lists, as the template gives it (row of its Smelter List sheet)."""

    report = models.ForeignKey(MineralsReport, on_delete=models.CASCADE, related_name="smelters")
    row = models.PositiveIntegerField(_("row"))
    metal = models.CharField(_("metal"), max_length=32)
    smelter_id = models.CharField(_("smelter ID"), max_length=16, blank=True)
    name = models.TextField(_("smelter"), blank=True)
    lookup_name = models.TextField(_("look-up name"), blank=True)
    country = models.TextField(_("country"), blank=True)
    source = models.TextField(_("source of the ID"), blank=True)
    recycled = models.CharField(_("100% recycled or scrap"), max_length=40, blank=True)
    #: what the template's own look-up list and the countries of concern say of it, as read on delivery:
    #: [{code, params, column}]; the conformance status is looked up when shown (lists change)
    findings = models.JSONField(default=list)

    class Meta:
        ordering = ["report", "row"]
        # The share of conformant smelters per metal reads a contract's smelters by report.
        indexes = [models.Index(fields=["smelter_id"], name="dd_smelter_by_id")]

    def __str__(self) -> str:
        return f"{self.metal} {self.smelter_id or self.name}"
