"""The criteria framework: versions, product groups, labels, criteria and their requirements.

Texts are stored per language as ``{lang: text}`` in JSON columns: a translation travels with its
field, is validated against the five framework languages by the content schema before it is saved,
and is read through ``translated()``, which falls back to English.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cfit.criteria import content
from cfit.criteria.rendering import DanglingReference, render_text
from cfit.criteria.wording import floor_text, threshold_text, topic_label, unit_label


def translated(texts: dict[str, str] | None, lang: str | None = None) -> str:
    """The text in ``lang`` (default: the active language), else English, else any."""
    if not texts:
        return ""
    lang = (lang or get_language() or "en").split("-")[0]
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


class ImpactCategory(models.TextChoices):
    CIRCULARITY = content.ImpactCategory.CIRCULARITY, _("Circularity and critical raw materials")
    DUE_DILIGENCE = content.ImpactCategory.DUE_DILIGENCE, _("Due diligence and transparency")
    CARBON = content.ImpactCategory.CARBON, _("Carbon and climate")
    CHEMICALS = content.ImpactCategory.CHEMICALS, _("Chemicals of concern")


class LifecycleStage(models.TextChoices):
    PROCUREMENT = content.LifecycleStage.PROCUREMENT, _("Procurement")
    CONTRACT_MANAGEMENT = content.LifecycleStage.CONTRACT_MANAGEMENT, _("Contract management")
    OPERATIONAL_MANAGEMENT = content.LifecycleStage.OPERATIONAL_MANAGEMENT, _("Operational management")
    END_OF_USE = content.LifecycleStage.END_OF_USE, _("End of use")


class Strategy(models.TextChoices):
    BUY_LESS = content.Strategy.BUY_LESS, _("Buy less")
    BUY_BETTER = content.Strategy.BUY_BETTER, _("Buy better")
    USE_BETTER = content.Strategy.USE_BETTER, _("Use better")
    USE_LONGER = content.Strategy.USE_LONGER, _("Use longer")


class CriterionType(models.TextChoices):
    #: about the company, checked before the offer
    SELECTION_CRITERION = content.CriterionType.SELECTION_CRITERION, _("Selection criterion")
    #: a must for the product: an offer that fails it is excluded
    TECHNICAL_SPECIFICATION = content.CriterionType.TECHNICAL_SPECIFICATION, _("Technical specification")
    #: scored, earns points
    AWARD_CRITERION = content.CriterionType.AWARD_CRITERION, _("Award criterion")
    #: an obligation during the contract, with what the supplier reports and when
    CONTRACT_PERFORMANCE_CLAUSE = (
        content.CriterionType.CONTRACT_PERFORMANCE_CLAUSE,
        _("Contract performance clause"),
    )


class Ambition(models.TextChoices):
    BASELINE = content.Ambition.BASELINE, _("Baseline")
    AMBITIOUS = content.Ambition.AMBITIOUS, _("Ambitious")


class DataType(models.TextChoices):
    BOOLEAN = content.DataType.BOOLEAN, _("Yes/no")
    NUMBER = content.DataType.NUMBER, _("Number")
    INTEGER = content.DataType.INTEGER, _("Whole number")
    STRING = content.DataType.STRING, _("Text")
    ENUMERATION = content.DataType.ENUMERATION, _("One of a list")
    DATE = content.DataType.DATE, _("Date")


class ThresholdOrigin(models.TextChoices):
    PUBLISHED = content.ThresholdOrigin.PUBLISHED, _("Published threshold")
    PROPOSAL = content.ThresholdOrigin.PROPOSAL, _("CFIT proposal (no published threshold)")
    LEGAL_FLOOR = content.ThresholdOrigin.LEGAL_FLOOR, _("Legal minimum")
    NONE = content.ThresholdOrigin.NONE, _("No numeric threshold")


class PublishedVersionError(ValidationError):
    """Raised if something tries to change a published framework version."""


class VersionUnderReviewError(ValidationError):
    """Raised if something tries to edit a version that is in review or approved: send it back first."""


# ---------------------------------------------------------------------------
# Reference lists
# ---------------------------------------------------------------------------


class ProductGroup(models.Model):
    class Kind(models.TextChoices):
        WORKPLACE = content.ProductGroupKind.WORKPLACE, _("Workplace ICT")
        DATA_CENTRE = content.ProductGroupKind.DATA_CENTRE, _("Data centre and cloud")
        SERVICE = content.ProductGroupKind.SERVICE, _("Services")

    code = models.SlugField(_("id"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    cpv = models.CharField(_("CPV code"), max_length=8, help_text=_("The main CPV code of public notices."))
    name = models.JSONField(_("name"), help_text=_("{language: name}"))
    description = models.JSONField(_("description"), default=dict)
    position = models.PositiveSmallIntegerField(default=0)
    #: When it last changed (a name edited in the admin, a framework loaded): ``edition()`` keys the
    #: pages every process caches, so that each shows the change at once.
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return translated(self.name)

    @classmethod
    def edition(cls) -> str:
        """A change counter of the product groups, read from the database (one small query): it changes
        whenever a group is saved, added or deleted, in whichever process. A page cached per process
        (the home page, the criteria library and pages) puts it in its cache key, so that a group renamed
        in the admin shows in every process at once, not after the cache's time."""
        found = cls.objects.aggregate(count=models.Count("pk"), last=models.Max("updated"))
        return f"{found['count']}-{found['last'].timestamp() if found['last'] else 0}"


class Label(models.Model):
    """A label or certificate that a tender may accept as proof, "or equivalent"."""

    code = models.SlugField(_("id"), max_length=64, unique=True)
    name = models.TextField(_("name"))
    issuer = models.TextField(_("issuer"), blank=True)
    url = models.URLField(_("web address"), blank=True, max_length=500)
    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_("{language: name} where a language names the label otherwise; the others read the name."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the active language where the label has one there, else its name."""
        return self.names.get((get_language() or "en").split("-")[0]) or self.name


class StrategyTag(models.Model):
    """One of the CFIT framework's four strategies, as a row so that criteria can be filtered by it."""

    code = models.CharField(max_length=16, choices=Strategy.choices, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_code_display()


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


class FrameworkVersionQuerySet(models.QuerySet):
    def published(self) -> FrameworkVersionQuerySet:
        return self.filter(status=FrameworkVersion.Status.PUBLISHED)

    def latest_published(self) -> FrameworkVersion | None:
        return self.published().order_by("-published_at", "-id").first()


# django-stubs cannot resolve the tenders' scoped manager (cfit.tenders is not checked yet)
class FrameworkVersion(models.Model):
    """A version of the whole framework. Edited as a draft, reviewed, approved by someone other than
    its last editor, then published; a published version never changes."""

    class Status(models.TextChoices):
        #: being edited by the secretariat
        DRAFT = "draft", _("Draft")
        #: submitted with release notes; frozen while a second person reviews it
        IN_REVIEW = "in_review", _("In review")
        #: accepted by someone other than the last editor, ready to publish
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    code = models.CharField(_("version"), max_length=32, unique=True, help_text=_("e.g. 2026.1"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("based on")
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Why this version was made."))
    release_notes = models.TextField(
        _("release notes"), blank=True, help_text=_("What the secretariat tells users about this version.")
    )
    changelog = models.TextField(
        _("change log"), blank=True, help_text=_("What changed since the previous published version.")
    )
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text=_("Hash of the content, to load files idempotently.")
    )
    created = models.DateTimeField(auto_now_add=True)
    # -- who did what: the approver must be someone other than the last editor
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted for review by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    unreviewed_accepted_reason = models.TextField(
        _("reason for accepting unreviewed translations"),
        blank=True,
        help_text=_("Given by the approver when translations were not reviewed; shown in the change log."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_version_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_status_display()})"

    @property
    def audit_label(self) -> str:
        """The name an audit record keeps: the status is in the record's before and after, as a code."""
        return self.code

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def check_editable(self) -> None:
        if self.is_published:
            raise PublishedVersionError(
                _("Version %(code)s is published and cannot change; edit a new draft instead."),
                code="published",
                params={"code": self.code},
            )
        if not self.is_editable:
            raise VersionUnderReviewError(
                _("Version %(code)s is %(status)s: send it back to draft to edit it."),
                code="in_review",
                params={"code": self.code, "status": self.get_status_display()},
            )

    def unreviewed_translations(self) -> FieldTranslationQuerySet:
        return self.translations.needing_review()


# ---------------------------------------------------------------------------
# Criteria and requirements
# ---------------------------------------------------------------------------


class CriterionQuerySet(models.QuerySet):
    def in_version(self, version: FrameworkVersion) -> CriterionQuerySet:
        return self.filter(version=version)

    def for_product_group(self, code: str) -> CriterionQuerySet:
        return self.filter(product_groups__code=code)

    def matching(self, query: str, lang: str) -> CriterionQuerySet:
        """Free-text search in the ids and in the texts of ``lang`` and English."""
        condition = Q(code__icontains=query)
        for language in {lang, "en"}:
            for field in ("title", "text", "rationale"):
                condition |= Q(**{f"{field}__{language}__icontains": query})
        return self.filter(condition)

    def filtered(
        self,
        *,
        product_group: str = "",
        impact_category: str = "",
        lifecycle_stage: str = "",
        type: str = "",
        ambition: str = "",
        strategy: str = "",
        q: str = "",
        lang: str = "en",
    ) -> CriterionQuerySet:
        """The library's filters; an empty value means 'any'."""
        queryset = self
        if product_group:
            queryset = queryset.filter(product_groups__code=product_group)
        if strategy:
            queryset = queryset.filter(strategies__code=strategy)
        for field, value in (
            ("impact_category", impact_category),
            ("lifecycle_stage", lifecycle_stage),
            ("type", type),
            ("ambition", ambition),
        ):
            if value:
                queryset = queryset.filter(**{field: value})
        if q.strip():
            queryset = queryset.matching(q.strip(), lang)
        return queryset.distinct() if (product_group or strategy or q) else queryset

    #: What a criterion's page and the API read besides the criterion itself.
    RELATED = ("product_groups", "strategies", "verification_labels", "requirements__satisfied_by_labels")

    def with_related(self) -> CriterionQuerySet:
        return self.select_related("version").prefetch_related(*self.RELATED)


class Criterion(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="criteria")
    # -- identity: the code is stable across versions; the topic pairs baseline and ambitious variants
    code = models.SlugField(_("id"), max_length=80)
    topic = models.SlugField(_("topic"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    # -- classification
    product_groups = models.ManyToManyField(
        ProductGroup, related_name="criteria", verbose_name=_("product groups")
    )
    impact_category = models.CharField(_("impact category"), max_length=16, choices=ImpactCategory.choices)
    lifecycle_stage = models.CharField(_("life-cycle stage"), max_length=32, choices=LifecycleStage.choices)
    strategies = models.ManyToManyField(StrategyTag, related_name="criteria", verbose_name=_("strategies"))
    type = models.CharField(_("type"), max_length=32, choices=CriterionType.choices)
    ambition = models.CharField(_("ambition"), max_length=16, choices=Ambition.choices)
    # -- texts, {language: text}
    title = models.JSONField(_("title"))
    text = models.JSONField(_("tender text"))
    rationale = models.JSONField(_("rationale"))
    # -- proof and provenance
    verification_labels = models.ManyToManyField(
        Label, blank=True, related_name="criteria", verbose_name=_("labels accepted as proof")
    )
    verification_documents = models.JSONField(_("verification documents"))
    sources = models.JSONField(_("sources"), help_text=_("[{title, url, ref}]"))
    threshold_origin = models.CharField(_("threshold"), max_length=16, choices=ThresholdOrigin.choices)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="criterion_code_unique_in_version")
        ]
        indexes = [
            # The library filters by version first, then by these.
            models.Index(fields=["version", "impact_category", "ambition"], name="criterion_library_filter"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.display_title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.version.check_editable()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("criteria:criterion", args=[self.code])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self.version.check_editable()
        return super().delete(*args, **kwargs)

    @property
    def display_title(self) -> str:
        """The title in the active language, references to requirements replaced by their values."""
        return self.rendered("title")

    def rendered(self, field: str, language: str | None = None) -> str:
        """A text (title, text, rationale, verification_documents) as people read it, in ``language``
        (default: the active one; English where the text has no such language).

        Reads the requirements (prefetch them on lists) only when the text has a reference.
        """
        lang = (language or get_language() or "en").split("-")[0]
        texts: dict[str, str] = getattr(self, field)
        text = translated(texts, lang)
        if "{{" not in text and "}}" not in text:
            return text
        requirements = {r.code: r for r in self.requirements.all()}
        return render_text(text, requirements, lang if texts.get(lang) else "en")

    @property
    def topic_label(self) -> str:
        """The topic's name in the active language (the code is for machines)."""
        return topic_label(self.topic)


class Requirement(models.Model):
    """A machine-checkable requirement: maps onto an OCDS requirement inside a requirement group."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="requirements")
    code = models.CharField(_("id"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    group = models.CharField(
        _("requirement group"),
        max_length=32,
        default="1",
        help_text=_("Requirements in one group all apply; different groups are alternatives."),
    )
    title = models.JSONField(_("title"))
    data_type = models.CharField(_("data type"), max_length=16, choices=DataType.choices)
    expected_value = models.JSONField(_("expected value"), null=True, blank=True)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    allowed = models.JSONField(
        _("allowed answers"),
        default=list,
        blank=True,
        help_text=_("The options of an enumeration that meet the requirement."),
    )
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    satisfied_by_labels = models.ManyToManyField(
        Label, blank=True, related_name="requirements", verbose_name=_("proved by label")
    )
    # How an award requirement is scored: declared in the framework, never guessed from the bounds.
    better = models.CharField(
        _("better answer"),
        max_length=8,
        blank=True,
        choices=[("higher", _("Higher is better")), ("lower", _("Lower is better"))],
    )
    scoring = models.JSONField(
        _("scoring rule"),
        null=True,
        blank=True,
        help_text=_("{rule, zero_at, full_at, bands, option_points}; see the framework README."),
    )
    legal_floors = models.JSONField(
        _("legal floors"),
        default=list,
        blank=True,
        help_text=_("[{regulation, article, value, applies_from, applies_until, scope, url}]"),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [models.UniqueConstraint(fields=["criterion", "code"], name="requirement_code_unique")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.criterion.version.check_editable()
        super().save(*args, **kwargs)

    @property
    def display_title(self) -> str:
        return translated(self.title)

    @property
    def threshold(self) -> str:
        """The expected answer in words a procurer reads, e.g. '≥ 300 cycles'."""
        return threshold_text(self)

    @property
    def unit_label(self) -> str:
        """The unit in the active language, e.g. 'werkdagen' for 'working days'."""
        return unit_label(self.unit)

    @property
    def floor_lines(self) -> list[tuple[content.LegalFloor, str]]:
        """Each legal floor with its value in words and units, e.g. '≥ 5 years', the earliest first."""
        return [(floor, floor_text(self, floor.value, self.better)) for floor in self.floors]

    def as_content(self, labels: list[str] | None = None) -> content.Requirement:
        """This requirement in the framework schema (``labels``: its label ids, when already fetched)."""
        return content.Requirement(
            id=self.code,
            title=self.title,
            data_type=content.DataType(self.data_type),
            expected_value=self.expected_value,
            min_value=self.min_value,
            max_value=self.max_value,
            options=self.options,
            allowed=self.allowed,
            unit=self.unit,
            group=self.group,
            satisfied_by_labels=labels
            if labels is not None
            else [label.code for label in self.satisfied_by_labels.all()],
            better=content.Better(self.better) if self.better else None,
            scoring=self.scoring,
            legal_floors=self.legal_floors,
        )

    @property
    def floors(self) -> list[content.LegalFloor]:
        """The legal floors that bind this requirement, the earliest first."""
        return sorted(
            (content.LegalFloor.model_validate(f) for f in self.legal_floors), key=lambda f: f.applies_from
        )

    @property
    def scoring_text(self) -> str:
        """How an award criterion scores this requirement, in the active language; '' for others."""
        from cfit.tenders.award import scored_requirement
        from cfit.tenders.award_text import requirement_sentence

        if self.criterion.type != CriterionType.AWARD_CRITERION:
            return ""
        language = (get_language() or "en")[:2]
        return requirement_sentence(scored_requirement(self.as_content(labels=[])), language)


# ---------------------------------------------------------------------------
# Review: the change log per field, translation state per field and language, and the audit trail
# ---------------------------------------------------------------------------

#: The texts of a criterion that are edited per language.
TEXT_FIELDS = ("title", "text", "rationale", "verification_documents")


class FieldChange(models.Model):
    """One field of one criterion changed in a draft: what it said before and after, who, when.

    ``field`` is a text field (with its ``language``) or ``<requirement id>.min_value`` /
    ``.max_value`` for a threshold, which has no language: thresholds are data, one for all languages.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="changes")
    criterion_code = models.SlugField(_("criterion"), max_length=80)
    field = models.CharField(_("field"), max_length=200)
    language = models.CharField(_("language"), max_length=2, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("Why the field changed when no person typed it, e.g. the legal floor that raised it."),
    )

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("field change")
        verbose_name_plural = _("field changes")

    def __str__(self) -> str:
        return f"{self.criterion_code}.{self.field}{f' ({self.language})' if self.language else ''}"


class FieldTranslationQuerySet(models.QuerySet):
    def needing_review(self) -> FieldTranslationQuerySet:
        return self.filter(state=FieldTranslation.State.NEEDS_REVIEW)


class FieldTranslation(models.Model):
    """The state of one field of one criterion in one language, once its source has changed.

    No row means the language was never put in doubt. ``source_before`` and ``source_after`` are
    what the translator compares: the source text (or the threshold) as the translation last
    followed it, and as it reads now.
    """

    class State(models.TextChoices):
        #: the source changed in another language (or a threshold changed); this language was not updated
        NEEDS_REVIEW = "needs_review", _("Needs review")
        #: a secretariat member checked this language against the new source
        REVIEWED = "reviewed", _("Reviewed")
        #: this language was edited together with the source
        UPDATED = "updated", _("Updated")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="translations")
    criterion_code = models.SlugField(_("criterion"), max_length=80)
    field = models.CharField(_("field"), max_length=32)
    language = models.CharField(_("language"), max_length=2)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    source_language = models.CharField(
        _("source language"), max_length=2, blank=True, help_text=_("Empty when a threshold changed.")
    )
    source_before = models.TextField(_("previous source"), blank=True)
    source_after = models.TextField(_("new source"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    objects = FieldTranslationQuerySet.as_manager()

    class Meta:
        ordering = ["criterion_code", "field", "language"]
        verbose_name = _("translation state")
        verbose_name_plural = _("translation states")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "criterion_code", "field", "language"], name="translation_state_unique"
            ),
            # A reviewed language names its reviewer: the approver relies on it.
            models.CheckConstraint(
                condition=~Q(state="reviewed") | Q(reviewed_at__isnull=False),
                name="reviewed_translation_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_code}.{self.field} ({self.language}): {self.state}"


class VersionEvent(models.Model):
    """The audit trail of a framework version: every step of its review, with who and why. Never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Draft created")
        EDITED = "edited", _("Criterion edited")
        REVIEWED = "reviewed", _("Translation reviewed")
        SUBMITTED = "submitted", _("Submitted for review")
        SENT_BACK = "sent_back", _("Sent back to draft")
        APPROVED = "approved", _("Approved")
        ACCEPTED_UNREVIEWED = "accepted_unreviewed", _("Unreviewed translations accepted")
        PUBLISHED = "published", _("Published")
        #: requirements raised to legal floors that came into force, proposed by ``propose-floors``
        FLOORS_PROPOSED = "floors_proposed", _("Legal floors proposed")
        #: the criteria of a file (the exchange XLSX or CSV) replaced the draft's, change by change
        IMPORTED = "imported", _("Imported from a file")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=24, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("version event")
        verbose_name_plural = _("version events")

    def __str__(self) -> str:
        return f"{self.version.code}: {self.kind}"


# ---------------------------------------------------------------------------
# What an organisation keeps for itself
# ---------------------------------------------------------------------------

from cfit.accounts.scoping import OrganisationOwned  # noqa: E402  (kept next to its only user)


class Shortlist(OrganisationOwned):
    """An organisation's private selection of criteria for an upcoming tender, with notes."""

    name = models.TextField(_("name"))
    notes = models.TextField(_("notes"), blank=True)
    criteria = models.ManyToManyField(Criterion, blank=True, related_name="+", verbose_name=_("criteria"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shortlist")
        verbose_name_plural = _("shortlists")

    def __str__(self) -> str:
        return self.name


def shown_changes(version: FrameworkVersion, changes: Any) -> list[tuple[FieldChange, Any, Any]]:
    """The change log's entries with their texts' before and after rendered for reading.

    A text is rendered with the requirements its criterion has in ``version`` now (a threshold
    changed with it has its own entry, before and after). A text whose reference no longer fits
    (a requirement since removed) is shown as stored.
    """
    changes = list(changes)
    codes = {c.criterion_code for c in changes if c.language}
    requirements: dict[str, dict[str, Requirement]] = {}
    for requirement in Requirement.objects.filter(
        criterion__version=version, criterion__code__in=codes
    ).select_related("criterion"):
        requirements.setdefault(requirement.criterion.code, {})[requirement.code] = requirement

    def shown(change: FieldChange, value: Any) -> Any:
        if not change.language or not isinstance(value, str):
            return value
        try:
            return render_text(value, requirements.get(change.criterion_code, {}), change.language)
        except DanglingReference:
            return value

    return [(change, shown(change, change.before), shown(change, change.after)) for change in changes]
