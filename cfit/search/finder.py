"""One search over criteria, guides, case studies, market consultations, events and joint statements of
demand, in the reader's language.

On PostgreSQL each source is searched with full-text search in the configuration of the reader's
language (Dutch stemming for Dutch readers…), best matches first; on SQLite (development, tests) every
word must occur in one of the fields, ignoring case. Only what the reader may see is searched: the
published framework version, published guides, case studies and consultations, published statements,
the events visible to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cfit.casestudies.models import CaseStudy
from cfit.consultations.models import Consultation
from cfit.criteria.models import Criterion, FrameworkVersion
from cfit.learning.access import visible_events
from cfit.learning.models import GuideVersion
from cfit.pact.models import Statement

#: PostgreSQL's text search configuration per language of the platform.
CONFIGS = {"en": "english", "nl": "dutch", "fr": "french", "de": "german", "nb": "norwegian"}
#: Results shown per source.
LIMIT = 20


@dataclass(frozen=True)
class Hit:
    title: str
    url: str


@dataclass(frozen=True)
class Source:
    kind: Any  #: a lazy label: "Criteria", "Case studies"…
    queryset: Callable[[Any], QuerySet[Any]]
    fields: Callable[[str], list[Any]]  #: text expressions to search, for a language
    hit: Callable[[Any, str], Hit]


def _json(field: str, language: str) -> Any:
    return Coalesce(
        KeyTextTransform(language, field), KeyTextTransform("en", field), Value(""), output_field=TextField()
    )


def _criteria(user: Any) -> QuerySet[Criterion]:
    version = FrameworkVersion.objects.latest_published()
    if version is None:
        return Criterion.objects.none()
    return Criterion.objects.in_version(version).prefetch_related("requirements")


SOURCES = [
    Source(
        _("Criteria"),
        _criteria,
        lambda language: [_json("title", language), _json("text", language)],
        lambda c, language: Hit(
            f"{c.rendered('title', language)} ({c.code})", reverse("criteria:criterion", args=[c.code])
        ),
    ),
    Source(
        _("Case studies"),
        lambda user: CaseStudy.objects.published().select_related("organisation"),
        lambda language: [F("title"), F("what_bought"), F("end_of_use"), _json("lessons", language)],
        lambda c, language: Hit(
            f"{c.title} · {c.organisation.name}", reverse("casestudies:detail", args=[c.pk])
        ),
    ),
    Source(
        _("Market consultations"),
        lambda user: Consultation.objects.published(),
        lambda language: [F("title"), F("description")],
        lambda c, language: Hit(c.title, reverse("consultations:detail", args=[c.pk])),
    ),
    Source(
        _("Events"),
        visible_events,
        lambda language: [F("title"), F("description")],
        lambda e, language: Hit(e.title, e.get_absolute_url()),
    ),
    Source(
        _("Joint statements of demand"),
        # published and closed statements are public; drafts stay with their working group
        lambda user: Statement.objects.exclude(status=Statement.Status.DRAFT),
        lambda language: [_json("title", language), _json("text", language)],
        lambda s, language: Hit(s.title_in(language), reverse("pact:statement", args=[s.slug])),
    ),
    Source(
        _("Guides"),
        # every published version; a guide found in several is listed once (``search`` keeps the first)
        lambda user: (
            GuideVersion.objects.filter(status=GuideVersion.Status.PUBLISHED)
            .select_related("guide")
            .order_by("guide_id", "-number")
        ),
        lambda language: [_json("title", language), _json("summary", language), _json("body", language)],
        lambda v, language: Hit(v.text("title", language) or v.guide.slug, v.guide.get_absolute_url()),
    ),
]


def _matching(queryset: QuerySet[Any], fields: list[Any], words: str, language: str) -> QuerySet[Any]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        config = CONFIGS.get(language, "simple")
        vector = SearchVector(*fields, config=config)
        query = SearchQuery(words, config=config, search_type="websearch")
        return (
            queryset.annotate(found=vector, rank=SearchRank(vector, query))
            .filter(found=query)
            .order_by("-rank")
        )
    names = [f"text_{i}" for i in range(len(fields))]
    queryset = queryset.annotate(**dict(zip(names, fields, strict=True)))
    for word in words.split():
        any_field = Q()
        for name in names:
            any_field |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(any_field)
    return queryset


def search(user: Any, words: str, language: str) -> list[tuple[Any, list[Hit]]]:
    """(kind, hits) per source that found something; nothing for an empty query."""
    words = " ".join(words.split())[:200]
    language = language.split("-")[0]
    if not words:
        return []
    found = []
    for source in SOURCES:
        rows = _matching(source.queryset(user), source.fields(language), words, language).distinct()[:LIMIT]
        hits = list(dict.fromkeys(source.hit(row, language) for row in rows))
        if hits:
            found.append((source.kind, hits))
    return found
