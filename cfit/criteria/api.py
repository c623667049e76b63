"""Criteria library for machines: /api/v1/criteria, /product-groups, /versions."""

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as RequestInvalid

from cfit.apipaging import PageIn, page_of
from cfit.criteria import exchange
from cfit.criteria.access import get_criterion_for_user, get_version_for_user, visible_versions
from cfit.criteria.actions import version_to_content
from cfit.criteria.content import LANGUAGES
from cfit.criteria.models import Criterion, ImpactCategory, ProductGroup, Requirement, translated

router = Router(tags=["criteria"])

Lang = Field("en", pattern="^(en|nl|fr|de|nb)$", description="Language of the texts: en, nl, fr, de or nb.")


class CriteriaQuery(PageIn):
    version: str = Field("", description="Framework version; default the latest published.")
    product_group: str = ""
    impact_category: str = ""
    lifecycle_stage: str = ""
    type: str = ""
    ambition: str = ""
    strategy: str = ""
    q: str = Field("", description="Free text, searched in the id and the texts.")
    lang: str = Lang


class TextQuery(Schema):
    version: str = ""
    lang: str = Lang


class LangQuery(Schema):
    lang: str = Lang


class VersionExportQuery(Schema):
    lang: str = Field("", pattern="^(|en|nl|fr|de|nb)$", description="One language only; default all five.")


class CriterionSourceOut(Schema):
    """A source a criterion cites (the framework's ``sources``); its url is http(s) or empty."""

    title: str
    url: str
    ref: str


class RequirementOut(Schema):
    id: str
    group: str
    title: str
    dataType: str
    expectedValue: bool | int | float | str | None = None
    minValue: float | None = None
    maxValue: float | None = None
    options: list[str]
    unit: str
    satisfiedByLabels: list[str]


class CriterionOut(Schema):
    id: str
    version: str
    topic: str
    product_groups: list[str]
    impact_category: str
    lifecycle_stage: str
    strategies: list[str]
    type: str
    ambition: str
    threshold_origin: str
    title: str
    text: str
    rationale: str
    verification: dict[str, Any]
    sources: list[CriterionSourceOut]
    requirements: list[RequirementOut]
    languages: list[str]


class CriteriaPageOut(Schema):
    count: int
    page: int
    criteria: list[CriterionOut]


class ProductGroupOut(Schema):
    id: str
    kind: str
    cpv: str
    name: str
    description: str
    criteria: int


class VersionOut(Schema):
    code: str
    status: str
    published_at: str | None
    based_on: str | None
    changelog: str
    criteria: int


class ExportOut(Schema):
    version: str
    languages: list[str]
    product_groups: list[dict[str, Any]]
    impact_categories: list[dict[str, Any]]
    labels: list[dict[str, Any]]
    criteria: list[dict[str, Any]]


def requirement_out(r: Requirement, lang: str) -> dict[str, Any]:
    return {
        "id": r.code,
        "group": r.group,
        "title": translated(r.title, lang),
        "dataType": r.data_type,
        "expectedValue": r.expected_value,
        "minValue": r.min_value,
        "maxValue": r.max_value,
        "options": r.options,
        "unit": r.unit,
        "satisfiedByLabels": [label.code for label in r.satisfied_by_labels.all()],
    }


def criterion_out(c: Criterion, lang: str) -> dict[str, Any]:
    return {
        "id": c.code,
        "version": c.version.code,
        "topic": c.topic,
        "product_groups": [g.code for g in c.product_groups.all()],
        "impact_category": c.impact_category,
        "lifecycle_stage": c.lifecycle_stage,
        "strategies": [s.code for s in c.strategies.all()],
        "type": c.type,
        "ambition": c.ambition,
        "threshold_origin": c.threshold_origin,
        "title": c.rendered("title", lang),
        "text": c.rendered("text", lang),
        "rationale": c.rendered("rationale", lang),
        "verification": {
            "labels": [label.code for label in c.verification_labels.all()],
            "documents": c.rendered("verification_documents", lang),
        },
        "sources": c.sources,
        "requirements": [requirement_out(r, lang) for r in c.requirements.all()],
        "languages": [lang for lang in LANGUAGES if c.title.get(lang)],
    }


#: The parameters of the criteria's paging until December 2026: refused, not ignored, so that a client
#: asking for 500 criteria does not take the first page of 100 for all of them.
FORMER_PAGING = ("limit", "offset")


@router.get("/criteria", response=CriteriaPageOut, summary="Criteria, filtered, a page at a time")
def list_criteria(request: HttpRequest, filters: Query[CriteriaQuery]) -> dict[str, Any]:
    """The criteria of a version (the latest published by default) in the library's order."""
    former = [name for name in FORMER_PAGING if name in request.GET]
    if former:
        raise RequestInvalid(
            [
                {"loc": ("query", name), "msg": _("no longer taken: page with page and per_page")}
                for name in former
            ]
        )
    version = get_version_for_user(request.user, filters.version or None)
    found = (
        Criterion.objects.in_version(version)
        .filtered(**filters.dict(exclude={"version", "page", "per_page"}))
        .with_related()
        .order_by("position", "code", "id")
    )
    return page_of(found, filters, "criteria", lambda criterion: criterion_out(criterion, filters.lang))


@router.get("/criteria/{code}", response=CriterionOut, summary="One criterion")
def get_criterion(request: HttpRequest, code: str, params: Query[TextQuery]) -> dict[str, Any]:
    return criterion_out(get_criterion_for_user(request.user, code, params.version or None), params.lang)


@router.get("/product-groups", response=list[ProductGroupOut], summary="Product groups")
def list_product_groups(request: HttpRequest, params: Query[LangQuery]) -> list[dict[str, Any]]:
    version = get_version_for_user(request.user)
    counts: dict[int, int] = {}
    for group_id in Criterion.product_groups.through.objects.filter(criterion__version=version).values_list(
        "productgroup_id", flat=True
    ):
        counts[group_id] = counts.get(group_id, 0) + 1
    return [
        {
            "id": g.code,
            "kind": g.kind,
            "cpv": g.cpv,
            "name": translated(g.name, params.lang),
            "description": translated(g.description, params.lang),
            "criteria": counts.get(g.id, 0),
        }
        for g in ProductGroup.objects.all()
    ]


@router.get("/versions", response=list[VersionOut], summary="Framework versions")
def list_versions(request: HttpRequest) -> list[dict[str, Any]]:
    from django.db.models import Count

    return [
        {
            "code": v.code,
            "status": v.status,
            "published_at": v.published_at.isoformat() if v.published_at else None,
            "based_on": v.based_on.code if v.based_on else None,
            "changelog": v.changelog,
            "criteria": v.n_criteria,
        }
        for v in visible_versions(request.user)
        .select_related("based_on")
        .annotate(n_criteria=Count("criteria"))
    ]


@router.get(
    "/versions/{code}/export", response=ExportOut, summary="A whole version, as `cfit criteria export`"
)
def export_version(request: HttpRequest, code: str, params: Query[VersionExportQuery]) -> dict[str, Any]:
    version = get_version_for_user(request.user, code)
    return exchange.framework_to_json(
        version_to_content(version), lang=params.lang or None, category_names=category_names()
    )


def category_names() -> dict[str, dict[str, str]]:
    """The impact categories' names in every framework language, from the UI translations."""
    names: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            for value, label in ImpactCategory.choices:
                names.setdefault(value, {})[lang] = str(label)
    return names
