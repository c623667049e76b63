"""Collective figures, computed by the database and stored per scope and year.

A scope is the whole pact (every participant) or a buyer group (its active members, the coordinator
included). Only reports that were submitted or accepted count. Sums are summed; averages are weighted
(``value × weight`` summed over ``weight``, with the weight each value carries since its report was
saved). Each refresh replaces the cells of the scopes and years it covers in one transaction: a page
never sees half a refresh. ``refresh`` runs after every submission, acceptance and return;
``refresh(None)`` recomputes everything (a few grouped queries, whatever the number of reports).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum

from cfit.accounts.models import Organisation
from cfit.monitoring.indicators import BY_CODE, Aggregation
from cfit.monitoring.models import PACT, Aggregate, Coverage, Report, ReportValue
from cfit.pact.models import BuyerGroup, GroupMembership

SUMMED = [code for code, i in BY_CODE.items() if i.aggregation == Aggregation.SUM]
WEIGHTED = [code for code, i in BY_CODE.items() if i.aggregation == Aggregation.WEIGHTED]


def _participants() -> QuerySet[Organisation]:
    return Organisation.objects.filter(type__in=Organisation.PARTICIPANT_TYPES)


def _coverage(year: int | None, groups: list[int] | None, pact: bool) -> list[Coverage]:
    reports = Report.objects.all() if year is None else Report.objects.filter(year=year)
    years = sorted(set(reports.values_list("year", flat=True))) if year is None else [year]
    out: list[Coverage] = []
    counted = Q(state__in=Report.COUNTED)
    accepted = Q(state=Report.State.ACCEPTED)
    if pact:
        members = _participants().count()
        for row in (
            reports.filter(organisation__type__in=Organisation.PARTICIPANT_TYPES)
            .values("year")
            .annotate(
                counted=Count("id", filter=counted),
                accepted=Count("id", filter=accepted),
                users=Sum("organisation__users_served", filter=counted),
            )
        ):
            out.append(Coverage(scope=PACT, year=row["year"], members=members, counted=row["counted"],
                                accepted=row["accepted"], users_served=row["users"] or 0))  # fmt: skip
    active = GroupMembership.objects.filter(state=GroupMembership.State.ACTIVE)
    if groups is not None:
        active = active.filter(group_id__in=groups)
    sizes = dict(active.values("group").annotate(n=Count("id")).values_list("group", "n"))
    slugs = dict(BuyerGroup.objects.filter(pk__in=sizes).values_list("pk", "slug"))
    rows = (
        reports.filter(organisation__group_memberships__in=active)
        .values("organisation__group_memberships__group", "year")
        .annotate(
            counted=Count("id", filter=counted),
            accepted=Count("id", filter=accepted),
            users=Sum("organisation__users_served", filter=counted),
        )
    )
    seen: set[tuple[int, int]] = set()
    for row in rows:
        group_id = row["organisation__group_memberships__group"]
        seen.add((group_id, row["year"]))
        out.append(Coverage(scope=slugs[group_id], group_id=group_id, year=row["year"], members=sizes[group_id],
                            counted=row["counted"], accepted=row["accepted"], users_served=row["users"] or 0))  # fmt: skip
    for group_id, size in sizes.items():
        out.extend(
            Coverage(scope=slugs[group_id], group_id=group_id, year=y, members=size)
            for y in years
            if (group_id, y) not in seen
        )
    return out


def _insert_select(
    scope_sql: str, group_sql: str, joins: str, where: list[str], params: list[Any], *, grouped: bool
) -> int:
    """INSERT ... SELECT of one kind of scope: the database groups and adds, no row comes to Python."""
    value, report, organisation = (
        ReportValue._meta.db_table,
        Report._meta.db_table,
        Organisation._meta.db_table,
    )
    aggregate = Aggregate._meta.db_table
    counted = ", ".join(["%s"] * len(Report.COUNTED))
    base_where = [f"r.state IN ({counted})", "v.value IS NOT NULL", *where]
    base_params = [*Report.COUNTED, *params]
    # A report has one value per (indicator, key): counting rows counts the reports behind a cell.
    common = f"""
        COUNT(*),
        SUM(CASE WHEN v.origin = %s THEN 1 ELSE 0 END),
        SUM(CASE WHEN v.origin = %s THEN 1 ELSE 0 END),
        CURRENT_TIMESTAMP
        FROM {value} v JOIN {report} r ON r.id = v.report_id JOIN {organisation} o ON o.id = r.organisation_id {joins}"""
    origins = [ReportValue.Origin.PREFILLED, ReportValue.Origin.ESTIMATED]
    columns = "scope, group_id, year, indicator, key, value, reporters, prefilled, estimated, refreshed"
    inserted = 0
    with connection.cursor() as cursor:
        for kind, value_sql, extra in (
            (SUMMED, "SUM(v.value)", ""),
            (WEIGHTED, "SUM(v.value * v.weight) / SUM(v.weight)", " AND v.weight > 0"),
        ):
            indicators = ", ".join(["%s"] * len(kind))
            cursor.execute(
                f"""INSERT INTO {aggregate} ({columns})
                SELECT {scope_sql}, {group_sql}, r.year, v.indicator, v.key, {value_sql}, {common}
                WHERE {" AND ".join(base_where)} AND v.indicator IN ({indicators}){extra}
                GROUP BY {f"{scope_sql}, {group_sql}, " if grouped else ""}r.year, v.indicator, v.key""",
                [*origins, *base_params, *kind],
            )
            inserted += cursor.rowcount
    return inserted


@transaction.atomic
def refresh(year: int | None, groups: list[int] | None = None, *, pact: bool = True) -> int:
    """Recompute the aggregates and coverage of a year (or of every year, ``None``) for the pact and
    the given buyer groups (``None``: all groups). Returns the number of cells stored.

    The aggregates are computed and written by the database in INSERT ... SELECT statements: a full
    re-aggregation of 5,000 participants × 10 years moves no report into Python."""
    stale = Aggregate.objects.all() if year is None else Aggregate.objects.filter(year=year)
    stale_coverage = Coverage.objects.all() if year is None else Coverage.objects.filter(year=year)
    scope = Q(group_id__in=groups) if groups is not None else Q(group__isnull=False)
    if pact:
        scope |= Q(scope=PACT)
    stale.filter(scope).delete()
    stale_coverage.filter(scope).delete()
    year_where, year_params = (["r.year = %s"], [year]) if year is not None else ([], [])
    types = ", ".join(["%s"] * len(Organisation.PARTICIPANT_TYPES))
    cells = 0
    if pact:
        cells += _pact_cells(types, year_where, year_params)
    if groups is None or groups:
        cells += _group_cells(groups, year_where, year_params)
    Coverage.objects.bulk_create(_coverage(year, groups, pact), batch_size=5000)
    return cells


def _pact_cells(types: str, year_where: list[str], year_params: list[Any]) -> int:
    # PACT is our own constant, not input: it can sit in the statement.
    return _insert_select(
        f"'{PACT}'",
        "CAST(NULL AS INTEGER)",
        "",
        [f"o.type IN ({types})", *year_where],
        [*Organisation.PARTICIPANT_TYPES, *year_params],
        grouped=False,
    )


def _group_cells(groups: list[int] | None, year_where: list[str], year_params: list[Any]) -> int:
    membership, group = GroupMembership._meta.db_table, BuyerGroup._meta.db_table
    joins = (
        f"JOIN {membership} m ON m.organisation_id = r.organisation_id JOIN {group} g ON g.id = m.group_id"
    )
    where = ["m.state = %s", *year_where]
    params: list[Any] = [GroupMembership.State.ACTIVE, *year_params]
    if groups is not None:
        where.append(f"g.id IN ({', '.join(['%s'] * len(groups))})")
        params.extend(groups)
    return _insert_select("g.slug", "g.id", joins, where, params, grouped=True)


def refresh_for(report: Report) -> None:
    """After a report changed state: its year, for the pact and the organisation's buyer groups."""
    groups = list(
        GroupMembership.objects.filter(
            organisation=report.organisation, state=GroupMembership.State.ACTIVE
        ).values_list("group_id", flat=True)
    )
    refresh(report.year, groups, pact=True)
