"""The market figures: of the ICT notices stored, how many use strategic procurement (BT-06), green
procurement criteria (BT-805) and each framework criterion (matched in their texts), by country,
buyer, year or product group, with filters. Public data: the notices are published by their buyers;
no figure here comes from what participants keep in cfit (the disclosure rules of the collective
results are for that and do not apply).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from cfit.notices.models import Notice, NoticeCriterion

#: breakdown → (the column grouped by, its label column)
BY = {
    "country": "buyer_country",
    "buyer": "buyer_key",
    "year": "year",
    "group": "product_groups__code",
}
OTHER = "—"  #: notices without a value for the breakdown (no country, or no framework product group)


@dataclass(frozen=True)
class Filters:
    country: str = ""
    buyer: str = ""  #: a buyer key (``linking.name_key``)
    year: int | None = None
    group: str = ""
    by: str = "country"

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        year = str(query.get("year", "")).strip()
        by = str(query.get("by", "country"))
        return cls(
            country=str(query.get("country", "")).strip().upper()[:2],
            buyer=str(query.get("buyer", "")).strip()[:200],
            year=int(year) if year.isdigit() and len(year) == 4 else None,
            group=str(query.get("group", "")).strip()[:64],
            by=by if by in BY else "country",
        )

    def as_query(self) -> dict[str, str]:
        values = {"country": self.country, "buyer": self.buyer, "group": self.group, "by": self.by}
        values["year"] = str(self.year) if self.year else ""
        return {k: v for k, v in values.items() if v}


def ict_notices(filters: Filters) -> QuerySet[Notice]:
    notices = Notice.objects.ict().current()
    if filters.country:
        notices = notices.filter(buyer_country=filters.country)
    if filters.buyer:
        notices = notices.filter(buyer_key=filters.buyer)
    if filters.year:
        notices = notices.filter(year=filters.year)
    if filters.group:
        notices = notices.filter(product_groups__code=filters.group)
    return notices


@dataclass
class Row:
    """One group of a breakdown: n ICT notices, and of them how many use each measure."""

    key: str
    label: str
    notices: int
    strategic: int
    gpp: int
    criteria: int  #: notices whose texts ask for at least one framework criterion

    def share(self, count: int) -> float | None:
        return 100.0 * count / self.notices if self.notices else None

    @property
    def strategic_share(self) -> float | None:
        return self.share(self.strategic)

    @property
    def gpp_share(self) -> float | None:
        return self.share(self.gpp)

    @property
    def criteria_share(self) -> float | None:
        return self.share(self.criteria)


@dataclass
class CriterionRow:
    criterion: str
    notices: int  #: notices asking for it
    of: int  #: ICT notices of the filtered set
    title: str = ""

    @property
    def share(self) -> float | None:
        return 100.0 * self.notices / self.of if self.of else None


@dataclass
class Market:
    filters: Filters
    total: Row
    rows: list[Row]
    criteria: list[CriterionRow] = field(default_factory=list)


def market(filters: Filters) -> Market:
    base = ict_notices(filters).annotate(
        has_match=Exists(NoticeCriterion.objects.filter(notice=OuterRef("pk")))
    )
    counts = {
        "notices": Count("pk", distinct=True),
        "strategic": Count("pk", filter=Q(uses_strategic=True), distinct=True),
        "gpp": Count("pk", filter=Q(uses_gpp=True), distinct=True),
        "criteria": Count("pk", filter=Q(has_match=True), distinct=True),
    }
    total = Row("", "", **base.aggregate(**counts))
    column = BY[filters.by]
    grouped = base.values(column).annotate(**counts, name=Max("buyer_name")).order_by("-notices", column)
    rows = [
        Row(
            str(row[column] or ""),
            (row["name"] if filters.by == "buyer" else str(row[column] or "")) or OTHER,
            row["notices"],
            row["strategic"],
            row["gpp"],
            row["criteria"],
        )  # fmt: skip
        for row in grouped
    ]
    if filters.by == "year":
        rows.sort(key=lambda r: r.key)
    matched = (
        NoticeCriterion.objects.filter(notice__in=ict_notices(filters).values("pk"))
        .values("criterion")
        .annotate(n=Count("notice", distinct=True))
        .order_by("-n", "criterion")
    )
    criteria = [CriterionRow(row["criterion"], row["n"], total.notices) for row in matched]
    return Market(filters, total, rows, criteria)


def criteria_by(filters: Filters) -> dict[tuple[str, str], int]:
    """(breakdown key, criterion) → notices asking for it, for the downloads."""
    column = "notice__" + BY[filters.by]
    found = (
        NoticeCriterion.objects.filter(notice__in=ict_notices(filters).values("pk"))
        .values(column, "criterion")
        .annotate(n=Count("notice", distinct=True))
    )
    return {(str(row[column] or ""), row["criterion"]): row["n"] for row in found}


#: How each measure of the downloads counts a notice as using it (docs/market-monitoring.md): a line
#: of the file says it, as the page does under its figures.
METHODS = {
    "strategic": "ICT notices (a CPV code under 30, 32, 48, 72, 503, 516, 642 or 80533), each counted once "
    "per group, a change notice in place of the notice it changes; using it: BT-06 holds a code other "
    "than 'none' on at least one lot (OCDS: the sustainability extension's goals), as the buyer declared",
    "gpp": "ICT notices, as above; using it: BT-805 says EU, national or other green procurement criteria "
    "were used on at least one lot (whether, never which), as the buyer declared",
    "criteria": "ICT notices, as above; using it: cfit's matcher finds a framework criterion family in the "
    "notice's titles, descriptions and award criteria (attached documents are not read): a lower bound",
}
#: The selection a download was made from, in its columns: an empty cell is no filter (every value).
SELECTION_HEADERS = ["country filter", "year filter", "product group filter", "buyer filter"]


def download_rows(found: Market, headers: Iterable[str]) -> list[list[Any]]:
    """Long form: one line per group and measure, with n notices, n using, the share in per cent, how
    the measure counts, and the selection (filters) the figures are of."""
    out: list[list[Any]] = [[*headers, "method", *SELECTION_HEADERS]]
    by_criterion = criteria_by(found.filters)
    filters = found.filters
    selection = [filters.country, filters.year or "", filters.group, filters.buyer]
    for row in [found.total, *found.rows]:
        group = row.label if row is not found.total else "all"
        lines = [
            ("strategic procurement (BT-06)", row.strategic, METHODS["strategic"]),
            ("green procurement criteria (BT-805)", row.gpp, METHODS["gpp"]),
            ("any framework criterion (texts)", row.criteria, METHODS["criteria"]),
        ]
        criteria = (
            [(c.criterion, c.notices) for c in found.criteria]
            if row is found.total
            else sorted((c, n) for (k, c), n in by_criterion.items() if k == row.key)
        )
        lines += [(f"criterion {criterion}", count, METHODS["criteria"]) for criterion, count in criteria]
        for measure, count, method in lines:
            out.append(
                [
                    filters.by,
                    group,
                    measure,
                    row.notices,
                    count,
                    _percent(count, row.notices),
                    method,
                    *selection,
                ]
            )
    return out


def _percent(count: int, of: int) -> float | None:
    return round(100.0 * count / of, 1) if of else None
