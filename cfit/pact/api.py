"""Public API of joint statements of demand: the published ones, their signatories and their collective
demand, under the same disclosure control as the statement's page (``cfit.pact.demand``): a hidden
figure is given as ``null`` with the reason it is hidden, never its value."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from cfit.pact.demand import DemandFigure, collective_demand
from cfit.pact.models import Signature, Statement

router = Router(tags=["statements of demand"])

PUBLIC = [Statement.Status.PUBLISHED, Statement.Status.CLOSED]


class StatementSummaryOut(Schema):
    slug: str
    title: dict[str, str] = Field(description="{language: title}; English is always there")
    status: str = Field(
        description="published (open for signature) or closed (closed for good by its authors: no more "
        "signatures, and its collective demand as last published is final)"
    )
    working_group: str
    published: datetime | None
    closed: datetime | None = Field(description="when its authors closed it; null while open for signature")
    product_groups: list[str]
    signatories: int


class SignatoryOut(Schema):
    name: str
    country: str
    signed: date


class DemandOut(Schema):
    product_group: str = Field(description="a product group's code, or 'total'")
    signatories: int = Field(description="organisations that signed for it")
    units_per_year: int | None = Field(description="null when hidden")
    spend_eur_per_year: Decimal | None = Field(description="EUR; null when hidden")
    hidden: str | None = Field(
        description="why the figures are hidden: threshold (too few signatories), dominance (one gives "
        "most of it) or secondary (it would give another hidden figure away); null when shown"
    )


class StatementOut(StatementSummaryOut):
    text: dict[str, str] = Field(description="{language: text}")
    criteria: list[str] = Field(description="criterion ids referred to")
    signatory_list: list[SignatoryOut]
    demand: list[DemandOut] = Field(description="per product group, then the total, as last published")
    demand_updated: datetime | None = Field(
        description="when the collective demand was last published; it changes only in steps that reveal no "
        "signatory's volumes (the change since every earlier version passes the disclosure rules)"
    )
    demand_pending: bool = Field(
        description="signatures changed since the last update: they are counted at the next update (for a "
        "closed statement: never, the demand as last published is final)"
    )


def _summary(statement: Statement, signatories: int) -> dict[str, Any]:
    return {
        "slug": statement.slug,
        "title": statement.title,
        "status": statement.status,
        "working_group": statement.working_group.name,
        "published": statement.published,
        "closed": statement.closed,
        "product_groups": statement.product_groups,
        "signatories": signatories,
    }


def _demand(figure: DemandFigure) -> DemandOut:
    return DemandOut(
        product_group=figure.code,
        signatories=figure.signatories,
        units_per_year=figure.units,
        spend_eur_per_year=figure.spend,
        hidden=figure.suppressed or None,
    )


@router.get("/statements", response=list[StatementSummaryOut], summary="Joint statements of demand")
def statements(request: HttpRequest) -> list[StatementSummaryOut]:
    """Published and closed statements, the latest first (drafts stay with their working group)."""
    found = (
        Statement.objects.filter(status__in=PUBLIC)
        .select_related("working_group")
        .annotate(signed=Count("signatures"))
    )
    return [StatementSummaryOut(**_summary(s, s.signed)) for s in found]


@router.get("/statements/{slug}", response=StatementOut, summary="A joint statement of demand")
def statement(request: HttpRequest, slug: str) -> StatementOut:
    """A statement, its signatories and its collective demand as last published. A figure is given only
    when at least 3 signatories stand behind it and none gives more than 80 % of it (the pact's disclosure
    rules), and not when it would let a reader work a hidden figure back; it changes only in steps that
    pass the same rules, so that comparing two versions reveals no signatory's volumes."""
    found = Statement.objects.filter(slug=slug, status__in=PUBLIC).select_related("working_group").first()
    if found is None:
        raise Http404
    signatures = list(Signature.objects.filter(statement=found).select_related("organisation"))
    demand = collective_demand(found, [(code, code) for code in found.product_groups])
    return StatementOut(
        **_summary(found, len(signatures)),
        text=found.text,
        criteria=found.criteria,
        signatory_list=[
            SignatoryOut(name=s.organisation.name, country=s.organisation.country, signed=s.signed.date())
            for s in signatures
        ],
        demand=[_demand(figure) for figure in (*demand.rows, demand.total)],
        demand_updated=demand.updated,
        demand_pending=demand.pending,
    )
