"""Guides for procurers (versioned, in the framework's five languages, linked to criteria) and knowledge
sessions (events) with registration, capacity, calendar files and materials.

A guide's texts are stored per language as ``{lang: text}`` like the framework's, and their translation
state follows the framework's rules (``cfit.criteria.translation``): when one language changes, the
languages not edited with it need review until the secretariat marks them reviewed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cfit.criteria.models import FieldTranslation, ImpactCategory, ProductGroup, translated
from cfit.criteria.vocabulary import load_vocabulary
from cfit.pact.models import BuyerGroup, WorkingGroup

#: The texts of a guide version that are written per language.
GUIDE_FIELDS = ("title", "summary", "body")


def theme_label(code: str, language: str) -> str:
    """A theme is one of the framework's impact categories or one of its topics (``vocabulary.yaml``)."""
    if code in ImpactCategory.values:
        return str(ImpactCategory(code).label)
    return load_vocabulary().topic(code, language)


def theme_codes() -> list[str]:
    from cfit.criteria.vocabulary import Kind

    return [*ImpactCategory.values, *sorted(load_vocabulary().codes(Kind.TOPIC))]


# ---------------------------------------------------------------------------
# Guides
# ---------------------------------------------------------------------------


class GuideQuerySet(models.QuerySet):
    def published(self) -> GuideQuerySet:
        return self.filter(versions__status=GuideVersion.Status.PUBLISHED).distinct()

    def explaining(self, criterion_code: str) -> GuideQuerySet:
        return self.filter(criterion_links__criterion_code=criterion_code)


class Guide(models.Model):
    """A mini-guide or manual for procurers, about product groups and themes; its texts live in versions."""

    class Kind(models.TextChoices):
        MINI_GUIDE = "mini_guide", _("Mini-guide")
        MANUAL = "manual", _("Manual")

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MINI_GUIDE)
    # -- what it is about
    product_groups = models.ManyToManyField(
        ProductGroup, blank=True, related_name="guides", verbose_name=_("product groups")
    )
    themes = models.JSONField(
        _("themes"),
        default=list,
        blank=True,
        help_text=_("Impact categories or topics of the framework (their codes)."),
    )
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("learning:guide", args=[self.slug])

    @property
    def current(self) -> GuideVersion | None:
        """The version readers see: the latest published one."""
        return self.versions.filter(status=GuideVersion.Status.PUBLISHED).order_by("-number").first()

    @property
    def draft(self) -> GuideVersion | None:
        return self.versions.filter(status=GuideVersion.Status.DRAFT).first()

    @property
    def criterion_codes(self) -> list[str]:
        return [link.criterion_code for link in self.criterion_links.all()]


class GuideCriterion(models.Model):
    """A criterion a guide explains, by its id: ids are stable across framework versions."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="criterion_links")
    criterion_code = models.SlugField(_("criterion"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["guide", "position", "criterion_code"]
        verbose_name = _("criterion explained")
        verbose_name_plural = _("criteria explained")
        constraints = [
            models.UniqueConstraint(fields=["guide", "criterion_code"], name="guide_criterion_once")
        ]
        # The criterion page asks which guides explain it.
        indexes = [models.Index(fields=["criterion_code"], name="guide_criterion_code")]

    def __str__(self) -> str:
        return f"{self.guide.slug} → {self.criterion_code}"


class GuideVersion(models.Model):
    """One version of a guide's texts. Edited as a draft by the secretariat, then published; a published
    version never changes (the next edit starts a new draft from it)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # -- texts, {language: text}
    title = models.JSONField(_("title"), default=dict)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    body = models.JSONField(
        _("text"),
        default=dict,
        blank=True,
        help_text=_("Paragraphs separated by an empty line; '## ' starts a heading, '- ' a list item."),
    )
    change_note = models.TextField(_("what changed"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["guide", "-number"]
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="guide_version_number_unique"),
            # One draft at a time: two drafts would each claim to be the next version.
            models.UniqueConstraint(
                fields=["guide"], condition=Q(status="draft"), name="one_draft_per_guide"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_guide_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guide.slug} v{self.number} ({self.get_status_display()})"

    def text(self, field: str, language: str) -> str:
        return translated(getattr(self, field), language)

    def has_language(self, language: str) -> bool:
        return bool((self.title.get(language) or "").strip() and (self.body.get(language) or "").strip())


class GuideTranslation(models.Model):
    """The state of one field of one guide version in one language once its source changed; the states
    and their meaning are the framework's (``FieldTranslation.State``). No row: never put in doubt."""

    version = models.ForeignKey(GuideVersion, on_delete=models.CASCADE, related_name="translations")
    field = models.CharField(_("field"), max_length=16)
    language = models.CharField(_("language"), max_length=2)
    state = models.CharField(_("state"), max_length=16, choices=FieldTranslation.State.choices)
    source_language = models.CharField(_("source language"), max_length=2, blank=True)
    source_before = models.TextField(_("previous source"), blank=True)
    source_after = models.TextField(_("new source"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["version", "field", "language"]
        verbose_name = _("guide translation state")
        verbose_name_plural = _("guide translation states")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "field", "language"], name="guide_translation_state_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state="reviewed") | Q(reviewed_at__isnull=False),
                name="reviewed_guide_translation_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}.{self.field} ({self.language}): {self.state}"


# ---------------------------------------------------------------------------
# Knowledge sessions and events
# ---------------------------------------------------------------------------


class Event(models.Model):
    """A knowledge session, webinar or meeting: of a buyer group, of a working group, or public."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # -- who it is for: neither group means public
    buyer_group = models.ForeignKey(
        BuyerGroup,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("buyer group"),
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("working group"),
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="en")
    # -- when and where (stored in UTC; shown in the platform's time zone)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    place = models.TextField(_("place"), blank=True)
    online_url = models.URLField(_("online link"), blank=True, max_length=500)
    capacity = models.PositiveIntegerField(_("places"), help_text=_("How many people can register."))
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts", "id"]
        # "event" alone is also a device's event in the register (a repair, a move): another word in
        # most languages, hence the context.
        verbose_name = pgettext_lazy("knowledge session", "event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(buyer_group__isnull=True) | Q(working_group__isnull=True),
                name="event_of_one_group_at_most",
            ),
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_has_a_place"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("learning:event", args=[self.pk])

    @property
    def ends_the_day_it_starts(self) -> bool:
        """In the platform's time zone, where the pages show the times: the end is then a time only."""
        return timezone.localtime(self.starts).date() == timezone.localtime(self.ends).date()

    @property
    def is_public(self) -> bool:
        return self.buyer_group_id is None and self.working_group_id is None

    @property
    def audience(self) -> str:
        if self.buyer_group_id:
            return str(self.buyer_group)
        if self.working_group_id:
            return str(self.working_group)
        return str(_("Public"))


class Registration(models.Model):
    """A person registered for an event, on a numbered seat, or waiting for one.

    Seats are numbered 1..capacity and unique per event: two registrations racing for the last place
    pick the same seat, and the database refuses the second (no overbooking, whatever the isolation)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    seat = models.PositiveIntegerField(_("seat"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    #: When a freed place came to this person from the waiting list (``actions.unregister``): the event
    #: page tells them, as the mail they were sent did.
    promoted = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "created", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_registration_per_person"),
            models.UniqueConstraint(fields=["event", "seat"], name="one_person_per_seat"),
            models.CheckConstraint(
                condition=(Q(status="registered") & Q(seat__isnull=False) & Q(seat__gte=1))
                | (Q(status="waiting") & Q(seat__isnull=True)),
                name="registered_has_seat_waiting_has_none",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.event} ({self.get_status_display()})"

    @property
    def waiting_position(self) -> int | None:
        """1 for the first on the waiting list (who takes the next freed seat); None with a seat."""
        if self.status != self.Status.WAITING:
            return None
        ahead = Registration.objects.filter(event_id=self.event_id, status=self.Status.WAITING).filter(
            Q(created__lt=self.created) | Q(created=self.created, id__lt=self.pk)
        )
        return ahead.count() + 1


class EventMaterial(models.Model):
    """Slides, recordings or notes of an event: a link or a stored file, for those who see the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), blank=True, max_length=500)
    stored_file = models.CharField(max_length=500, blank=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded", "id"]
        verbose_name = _("event material")
        verbose_name_plural = _("event materials")

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """The secret address of a person's calendar feed, for calendar programs that subscribe to it and
    cannot sign in. Only the SHA-256 digest of the secret is stored (as for API tokens); making a new
    address replaces the old one, which stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    digest = models.CharField(
        _("digest"), max_length=64, unique=True, help_text=_("SHA-256 of the address's secret.")
    )
    created = models.DateTimeField(_("made on"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"
