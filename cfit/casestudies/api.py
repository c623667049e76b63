"""Public API of case studies: the published ones, with what they can be found by."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from cfit.casestudies.models import CaseStudy, CaseStudyFacet

router = Router(tags=["case studies"])


class CaseStudyOut(Schema):
    id: int
    title: str
    organisation: str
    country: str
    product_groups: list[str]
    criteria: list[str]
    year: int


class CaseStudyFilter(Schema):
    product_group: str = ""
    criterion: str = ""
    country: str = ""


@router.get("/case-studies", response=list[CaseStudyOut], summary="Published case studies")
def case_studies(request: HttpRequest, filters: Query[CaseStudyFilter]) -> list[CaseStudyOut]:
    """Case studies buyers published from their finished tenders; criteria are listed only where the
    buyer chose to show them. Filter by product group, criterion id or country (ISO 3166-1 alpha-2)."""
    found = CaseStudy.objects.published().select_related("organisation")
    if filters.product_group:
        found = found.with_facet(CaseStudyFacet.Kind.PRODUCT_GROUP, filters.product_group)
    if filters.criterion:
        found = found.with_facet(CaseStudyFacet.Kind.CRITERION, filters.criterion)
    if filters.country:
        found = found.filter(country=filters.country.upper())
    return [
        CaseStudyOut(
            id=c.pk,
            title=c.title,
            organisation=c.organisation.name,
            country=c.country,
            product_groups=c.product_groups(),
            criteria=c.criteria(),
            year=c.year,
        )
        for c in found.distinct()
    ]
