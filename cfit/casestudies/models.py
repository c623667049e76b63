"""Case studies: what a buyer asked, received and learned in a finished tender, published by its owner
for other buyers to learn from.

The facts (criteria, ambitions, how many offers and how they did against each criterion) are taken
from the tender when the case study is written (``facts.collect``) and kept as they were; what the
public sees of them is the owner's choice (the ``show_*`` switches), and nothing is public before the
owner consents and publishes. Offers are only ever shown aggregated: a bidder is named only if it
consented (``name_supplier``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation
from cfit.criteria.models import translated
from cfit.joining.countries import country_name
from cfit.tenders.models import Tender


class CaseStudyQuerySet(models.QuerySet):
    def published(self) -> CaseStudyQuerySet:
        return self.filter(status=CaseStudy.Status.PUBLISHED)

    def with_facet(self, kind: str, code: str) -> CaseStudyQuerySet:
        return self.filter(facets__kind=kind, facets__code=code)


class CaseStudy(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="case_study")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="case_studies", verbose_name=_("organisation")
    )
    title = models.TextField(_("title"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # -- what the owner chose to show
    show_criteria = models.BooleanField(_("show the criteria asked"), default=True)
    show_ambitions = models.BooleanField(_("show the ambitions chosen"), default=True)
    show_offers = models.BooleanField(
        _("show the number of offers and how they scored (aggregated)"), default=True
    )
    show_result = models.BooleanField(_("show the result"), default=True)
    name_supplier = models.BooleanField(
        _("name the winning supplier"),
        default=False,
        help_text=_("Only if the supplier agreed to be named; otherwise offers are shown aggregated only."),
    )
    consent = models.BooleanField(
        _("our organisation agrees to publish this case study"),
        default=False,
        help_text=_("Required to publish."),
    )
    # -- the result, as the owner tells it
    what_bought = models.TextField(_("what was bought"), blank=True)
    service_life_years = models.PositiveSmallIntegerField(
        _("expected service life (years)"), null=True, blank=True
    )
    end_of_use = models.TextField(_("end-of-use arrangements"), blank=True)
    lessons = models.JSONField(_("lessons learned"), default=dict, help_text=_("{language: text}"))
    # -- taken from the tender when the case study was started (see facts.collect)
    facts = models.JSONField(_("facts from the tender"), default=dict)
    country = models.CharField(_("country"), max_length=2)
    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    published = models.DateTimeField(_("published on"), null=True, blank=True)

    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "-created"]
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    def __str__(self) -> str:
        return self.title

    @property
    def country_name(self) -> str:
        """The country as the reader's language names it (the pages; files and the API keep the code)."""
        return country_name(self.country)

    def lessons_in(self, language: str | None = None) -> str:
        return translated(self.lessons, language)

    def lessons_language(self, language: str | None = None) -> str:
        """The language ``lessons_in`` gives the lessons in: the reader's, else English, else the first
        written (as ``translated`` falls back)."""
        lang = (language or get_language() or "en").split("-")[0]
        for candidate in (lang, "en", *self.lessons):
            if self.lessons.get(candidate):
                return candidate
        return lang

    @property
    def lots(self) -> list[dict[str, Any]]:
        return list(self.facts.get("lots", []))

    def product_groups(self) -> list[str]:
        return sorted({lot["product_group"] for lot in self.lots})

    def criteria(self) -> list[str]:
        """The criteria asked, if shown (the public facets and the API list only these)."""
        if not self.show_criteria:
            return []
        return sorted({c["code"] for lot in self.lots for c in lot["criteria"]})


class CaseStudyFacet(models.Model):
    """What a published case study can be found by: its product groups and (if shown) its criteria."""

    class Kind(models.TextChoices):
        PRODUCT_GROUP = "product_group", _("Product group")
        CRITERION = "criterion", _("Criterion")

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    code = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case_study", "kind", "code"], name="one_facet_per_case_study")
        ]
        # The finder filters published case studies by one kind and code.
        indexes = [models.Index(fields=["kind", "code"], name="case_study_facet_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.code}"
