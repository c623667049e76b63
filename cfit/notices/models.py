"""Published notices as cfit stores them, for the market page and the monitoring pre-fill.

A notice is public data (TED, national portals): anyone may read what it says. What cfit adds about
a participant — that a notice is the publication of one of its cfit tenders (``NoticeLink``) — is
the participant's own and is organisation-scoped like the tender itself.

What the market page filters and counts by has proper columns (year, country, buyer, ICT, strategic
procurement, GPP, product groups and matched criteria as rows); what only gets shown (lots, codes,
award criteria) stays as the reader gave it, in JSON.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cfit.accounts.scoping import OrganisationOwned


class NoticeQuerySet(models.QuerySet["Notice"]):
    def ict(self) -> NoticeQuerySet:
        return self.filter(ict=True)

    def originals(self) -> NoticeQuerySet:
        """Without the OCDS releases that republish a stored eForms notice: OCDS for eForms gives such
        a release the notice's BT-701 as its id, and the eForms notice, which cfit reads directly,
        stands for both."""
        republished = Notice.objects.filter(
            source=Notice.Source.EFORMS, notice_id=models.OuterRef("release_id")
        )
        return self.exclude(models.Q(source=Notice.Source.OCDS) & models.Exists(republished))

    def current(self) -> NoticeQuerySet:
        """Each published notice once, as it now is: ``originals``, and not a notice a stored change
        notice replaces (eForms BT-758: a corrigendum and the notice it corrects are one notice)."""
        changed = Notice.objects.filter(
            source=models.OuterRef("source"), changes=models.OuterRef("notice_id")
        )
        return self.originals().exclude(models.Exists(changed))


class Notice(models.Model):
    class Source(models.TextChoices):
        EFORMS = "eforms", _("eForms (TED)")
        OCDS = "ocds", _("Open Contracting (OCDS)")

    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    notice_id = models.CharField(
        _("notice id"), max_length=200, help_text=_("BT-701, or the OCDS release id.")
    )
    version = models.CharField(
        _("version"), max_length=64, blank=True, help_text=_("BT-757, or the release date.")
    )
    subtype = models.CharField(_("subtype"), max_length=64, blank=True)
    procedure_id = models.CharField(
        _("procedure id"), max_length=200, blank=True, help_text=_("BT-04, or the ocid.")
    )
    reference = models.CharField(
        _("buyer's reference"), max_length=200, blank=True, help_text=_("BT-22, or tender.id.")
    )
    changes = models.CharField(
        _("changes notice"),
        max_length=200,
        blank=True,
        help_text=_("BT-758: the notice this change notice replaces."),
    )
    release_id = models.CharField(
        _("release id"),
        max_length=200,
        blank=True,
        help_text=_("OCDS: the release id as published (an eForms notice's BT-701 when it republishes one)."),
    )
    published = models.DateField(_("published"), null=True, blank=True)
    #: when the tender was first published: a change notice's is the notice's it changes (BT-758, followed
    #: back to the first stored one), anyone else's its own ``published``
    first_published = models.DateField(
        _("first published"),
        null=True,
        blank=True,
        help_text=_("A change notice: the publication date of the notice it changes."),
    )
    #: the year the notice counts in, the year of ``first_published`` (a December tender corrected in
    #: January counts in December's year)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    buyer_name = models.TextField(_("buyer"), blank=True)
    #: the buyer's name folded (case, accents, punctuation, legal-form noise): to group and to recognise participants
    buyer_key = models.CharField(max_length=200, blank=True)
    buyer_country = models.CharField(_("country"), max_length=2, blank=True)
    #: the participant the buyer is, when its name is a cfit organisation's (public: the notice names it)
    buyer_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.TextField(_("title"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    ict = models.BooleanField(_("ICT"), default=False)
    #: BT-06 holds a code other than "none" on some lot
    uses_strategic = models.BooleanField(_("strategic procurement"), default=False)
    #: BT-805 says EU, national or other green procurement criteria were used on some lot
    uses_gpp = models.BooleanField(_("green procurement criteria"), default=False)
    cpv = models.JSONField(_("CPV codes"), default=list)
    lots = models.JSONField(_("lots"), default=list)
    strategic = models.JSONField(_("strategic procurement codes"), default=dict)
    award_criteria = models.JSONField(_("award criteria"), default=list)
    #: SHA-256 of what the reader gave: the same notice read again is left as it is
    fingerprint = models.CharField(max_length=64, blank=True)
    imported = models.DateTimeField(_("imported"), auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "notice_id"]
        verbose_name = _("published notice")
        verbose_name_plural = _("published notices")
        constraints = [models.UniqueConstraint(fields=["source", "notice_id"], name="one_notice_per_id")]
        indexes = [
            models.Index(fields=["ict", "year", "buyer_country"], name="notice_ict_year_country"),
            models.Index(fields=["buyer_key"], name="notice_buyer"),
            models.Index(fields=["buyer_organisation", "year"], name="notice_organisation_year"),
            models.Index(fields=["reference"], name="notice_reference"),
            models.Index(fields=["procedure_id"], name="notice_procedure"),
            # Notice.objects.current(): is the notice changed by another one?
            models.Index(fields=["source", "changes"], name="notice_changes"),
            # Notice.objects.current(): does an OCDS release republish an eForms notice?
            models.Index(fields=["release_id"], name="notice_release"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.title[:80]}"

    @property
    def procedure_key(self) -> str:
        """What makes two notices one procedure (a competition and its result): BT-04 or the ocid."""
        return self.procedure_id or f"{self.source}:{self.notice_id}"

    @property
    def corrects_earlier(self) -> bool:
        """A change notice of a notice published on an earlier day (the lists show both dates)."""
        return bool(self.first_published and self.published and self.first_published != self.published)

    @property
    def public_url(self) -> str:
        """Where the notice is published, when its id says so (TED numbers its notices NNNNNN-YYYY)."""
        if self.source == self.Source.EFORMS and _ted_number(self.notice_id):
            return f"https://ted.europa.eu/en/notice/-/detail/{self.notice_id}"
        return ""


def _ted_number(notice_id: str) -> bool:
    number, _dash, year = notice_id.partition("-")
    return number.isdigit() and year.isdigit() and len(year) == 4


class NoticeProductGroup(models.Model):
    """A framework product group the notice's CPV codes name (``Matcher.groups_of``)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="product_groups")
    code = models.CharField(_("product group"), max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "code"], name="one_group_per_notice")]
        indexes = [models.Index(fields=["code"], name="notice_group_code")]

    def __str__(self) -> str:
        return self.code


class NoticeCriterion(models.Model):
    """A framework criterion the notice's texts ask for, as the matcher found it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="matched")
    criterion = models.CharField(_("criterion"), max_length=80)
    confidence = models.FloatField(_("confidence"))
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["criterion"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "criterion"], name="one_match_per_criterion")
        ]
        indexes = [models.Index(fields=["criterion"], name="notice_criterion")]

    def __str__(self) -> str:
        return self.criterion


class NoticeLink(OrganisationOwned):
    """A notice that is the publication of one of the organisation's cfit tenders, and why cfit says so.

    Organisation-scoped: only the tender's organisation ever sees that the notice is its tender's."""

    class Basis(models.TextChoices):
        PROCEDURE = "procedure", _("the procedure identifier cfit gave the tender")
        REFERENCE = "reference", _("the tender's reference")
        TITLE = "title", _("the buyer's name and a similar title")

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="link")
    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="notice_links")
    basis = models.CharField(_("linked by"), max_length=16, choices=Basis.choices)
    similarity = models.FloatField(_("title similarity"), null=True, blank=True)

    class Meta(OrganisationOwned.Meta):
        verbose_name = _("notice of a tender")
        verbose_name_plural = _("notices of tenders")

    def __str__(self) -> str:
        return f"{self.notice.notice_id} → {self.tender_id}"


class NoticeImport(models.Model):
    """One run of ``import_notices``: what it read, stored, updated and refused (the audit's object)."""

    started = models.DateTimeField(_("started"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sources = models.JSONField(_("files"), default=list)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    #: notices not stored because they buy no ICT (``ict_only``)
    skipped = models.PositiveIntegerField(_("not ICT, skipped"), default=0)
    linked = models.PositiveIntegerField(_("linked to tenders"), default=0)
    #: [{where, reason, code, params}] for each notice or file that could not be read or stored (the
    #: first 1,000): ``reason`` in English, ``code`` and ``params`` for the pages (``cfit.refusals``)
    problems = models.JSONField(_("problems"), default=list)

    class Meta:
        ordering = ["-started"]
        verbose_name = _("notice import")

    def __str__(self) -> str:
        return f"notice import {self.started:%Y-%m-%d %H:%M}"

    def counts(self) -> dict[str, Any]:
        return {
            k: getattr(self, k) for k in ("created", "updated", "unchanged", "refused", "skipped", "linked")
        }


#: ``ReportValue.method`` of a monitoring figure that counts published notices (``outside_cfit``)
PREFILLED_FROM_NOTICES = "published notices"


def outside_cfit(organisation: Any, year: int) -> list[Notice]:
    """The organisation's ICT procedures first published in ``year`` that cfit knows only from
    published notices: one notice per procedure (its first), none of whose notices is linked to a
    cfit tender (those are counted as cfit tenders already). A notice's year is the market's
    (``Notice.year``: a change notice's is the year of the notice it changes)."""
    procedures: dict[str, list[Notice]] = {}
    # a change notice shares its procedure (BT-04) with the notice it changes: grouped below, the first
    # publication dates the procedure; an OCDS republication of a TED notice has an ocid of its own
    notices = Notice.objects.originals().filter(
        buyer_organisation=organisation, ict=True, published__isnull=False
    )
    for notice in notices.annotate(
        linked=models.Exists(NoticeLink.unscoped.filter(notice=models.OuterRef("pk")))
    ):
        procedures.setdefault(notice.procedure_key, []).append(notice)
    out = []
    for group in procedures.values():
        first = min(group, key=lambda n: (n.first_published or n.published, n.published, n.notice_id))
        if first.year == year and not any(getattr(n, "linked", False) for n in group):
            out.append(first)
    return sorted(out, key=lambda n: (n.published, n.notice_id))
