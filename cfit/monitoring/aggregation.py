"""Collective figures, computed by the database and stored per scope and year.

A scope is the whole pact (every participant) or a buyer group (its active members, the coordinator
included). Only reports that were submitted or accepted count. Sums are summed; averages are weighted
(``value × weight`` summed over ``weight``, with the weight each value carries since its report was
saved). Indicators with a breakdown that adds up (devices, spend, mass) also get a total per scope
(key ``TOTAL``). Emissions carry bounds: the low bounds are summed, and so are the high bounds (the
impact method's rule: the errors of shared factors are treated as fully correlated); a cell with a
report that gave no bounds has none.

Each refresh replaces the cells of the scopes and years it covers in one transaction, then applies the
disclosure rules to every scope of those years (``protection``): a page never sees half a refresh, and
never a figure before its decision. Refreshes of one year are serialised: on PostgreSQL by a
transaction-scoped advisory lock per year (``pg_advisory_xact_lock``), taken before anything is read, so
that two submissions at the same moment both count and never collide on the unique cells; SQLite
serialises writing transactions itself (``transaction_mode = IMMEDIATE``). The lock is per year, not per
scope, because the disclosure decisions of a year link all its scopes (a buyer group against the pact).

``refresh`` runs after every submission, acceptance and return; ``refresh(None)`` recomputes everything
(a few grouped queries, whatever the number of reports).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum

from cfit.accounts.models import Organisation
from cfit.monitoring import protection
from cfit.monitoring.disclosure import TOTAL
from cfit.monitoring.indicators import BY_CODE, WITH_TOTAL, Aggregation
from cfit.monitoring.models import PACT, Aggregate, Coverage, Report, ReportValue, ResultsEdition
from cfit.pact.models import BuyerGroup, GroupMembership

SUMMED = [code for code, i in BY_CODE.items() if i.aggregation == Aggregation.SUM]
WEIGHTED = [code for code, i in BY_CODE.items() if i.aggregation == Aggregation.WEIGHTED]
#: The first key of the advisory locks of aggregate refreshes (the second is the year): "cfit" in ASCII.
LOCK_NAMESPACE = 0x63666974


def lock_years(years: list[int]) -> None:
    """Serialise refreshes of these years until the transaction ends (PostgreSQL; SQLite serialises
    writes itself). Taken in ascending order, so that two refreshes of several years never deadlock."""
    if connection.vendor != "postgresql" or not years:
        return
    # The results edition's row first: whatever bumps it (a refresh at its end, a campaign or the rules
    # saved) may refresh afterwards, so taking it before the years keeps one order of locks for all.
    ResultsEdition.bump()
    with connection.cursor() as cursor:
        for year in sorted(set(years)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, year])


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
        members_users = _participants().aggregate(users=Sum("users_served"))["users"] or 0
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
                                accepted=row["accepted"], users_served=row["users"] or 0,
                                members_users_served=members_users))  # fmt: skip
        seen_pact = {c.year for c in out}
        out.extend(
            Coverage(scope=PACT, year=y, members=members, members_users_served=members_users)
            for y in years
            if y not in seen_pact
        )
    active = GroupMembership.objects.filter(state=GroupMembership.State.ACTIVE)
    if groups is not None:
        active = active.filter(group_id__in=groups)
    sizes = dict(active.values("group").annotate(n=Count("id")).values_list("group", "n"))
    users = dict(
        active.values("group").annotate(users=Sum("organisation__users_served")).values_list("group", "users")
    )
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
                            counted=row["counted"], accepted=row["accepted"], users_served=row["users"] or 0,
                            members_users_served=users.get(group_id) or 0))  # fmt: skip
    for group_id, size in sizes.items():
        out.extend(
            Coverage(scope=slugs[group_id], group_id=group_id, year=y, members=size,
                     members_users_served=users.get(group_id) or 0)
            for y in years
            if (group_id, y) not in seen
        )  # fmt: skip
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
    # A report has one value per (indicator, key): counting rows counts the reports behind a cell; a
    # total counts each report once, whatever the number of its keys.
    common = """
        SUM(CASE WHEN v.origin = %s THEN 1 ELSE 0 END),
        SUM(CASE WHEN v.origin = %s THEN 1 ELSE 0 END)"""
    total_common = """
        COUNT(DISTINCT CASE WHEN v.origin = %s THEN r.id END),
        COUNT(DISTINCT CASE WHEN v.origin = %s THEN r.id END)"""
    # Bounds add up only where every report behind the cell gave them.
    bounds = """CASE WHEN COUNT(v.low) = COUNT(*) AND COUNT(v.high) = COUNT(*) THEN SUM(v.low) END,
        CASE WHEN COUNT(v.low) = COUNT(*) AND COUNT(v.high) = COUNT(*) THEN SUM(v.high) END"""
    no_sources = "CAST('[]' AS jsonb)" if connection.vendor == "postgresql" else "'[]'"
    tables = f"FROM {value} v JOIN {report} r ON r.id = v.report_id JOIN {organisation} o ON o.id = r.organisation_id {joins}"
    origins = [ReportValue.Origin.PREFILLED, ReportValue.Origin.ESTIMATED]
    columns = (
        "scope, group_id, year, indicator, key, value, low, high, reporters, prefilled, estimated, "
        "suppression, method, sources, refreshed"
    )
    scope_group = f"{scope_sql}, {group_sql}, " if grouped else ""
    inserted = 0
    with connection.cursor() as cursor:
        for kind, key_sql, value_sql, bounds_sql, counts, extra in (
            (SUMMED, "v.key", "SUM(v.value)", bounds, f"COUNT(*), {common}", ""),
            (WEIGHTED, "v.key", "SUM(v.value * v.weight) / SUM(v.weight)", "NULL, NULL", f"COUNT(*), {common}",
             " AND v.weight > 0"),
            (list(WITH_TOTAL), "%s", "SUM(v.value)", "NULL, NULL", f"COUNT(DISTINCT r.id), {total_common}", ""),
        ):  # fmt: skip
            indicators = ", ".join(["%s"] * len(kind))
            key_params = [TOTAL] if key_sql == "%s" else []
            group_by = f"GROUP BY {scope_group}r.year, v.indicator" + (
                ", v.key" if key_sql == "v.key" else ""
            )
            cursor.execute(
                f"""INSERT INTO {aggregate} ({columns})
                SELECT {scope_sql}, {group_sql}, r.year, v.indicator, {key_sql}, {value_sql}, {bounds_sql},
                {counts}, '', '', {no_sources}, CURRENT_TIMESTAMP {tables}
                WHERE {" AND ".join(base_where)} AND v.indicator IN ({indicators}){extra}
                {group_by}""",
                [*key_params, *origins, *base_params, *kind],
            )
            inserted += cursor.rowcount
    return inserted


@transaction.atomic
def refresh(year: int | None, groups: list[int] | None = None, *, pact: bool = True) -> int:
    """Recompute the aggregates and coverage of a year (or of every year, ``None``) for the pact and
    the given buyer groups (``None``: all groups). Returns the number of cells stored.

    The aggregates are computed and written by the database in INSERT ... SELECT statements: a full
    re-aggregation of 5,000 participants × 10 years moves no report into Python (the disclosure
    decisions that follow read each year's figures once)."""
    years = [year] if year is not None else _all_years()
    lock_years(years)
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
    protection.apply(years)
    return cells


def _all_years() -> list[int]:
    return sorted(
        set(Report.objects.values_list("year", flat=True).distinct())
        | set(Aggregate.objects.values_list("year", flat=True).distinct())
    )


@transaction.atomic
def reprotect(year: int | None = None) -> None:
    """Apply the disclosure rules again (after they changed) to the stored figures of a year, or all."""
    years = [year] if year is not None else _all_years()
    lock_years(years)
    protection.apply(years)


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


#: Years whose refresh waits for the end of a ``deferred()`` block (``None``: refresh at once).
_deferred: ContextVar[set[int] | None] = ContextVar("deferred_refreshes", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the refreshes that report changes ask for, and run each year's once at the end: for bulk
    loads (the demo), where refreshing after every report would redo the same year many times. Pages
    read stale figures until the block ends; publishing still refreshes its own year at once."""
    years: set[int] = set()
    token = _deferred.set(years)
    try:
        yield
    finally:
        _deferred.reset(token)
    for year in sorted(years):
        refresh(year)


def refresh_for(report: Report) -> None:
    """After a report changed state: its year, for the pact and the organisation's buyer groups."""
    waiting = _deferred.get()
    if waiting is not None:
        waiting.add(report.year)
        return
    groups = list(
        GroupMembership.objects.filter(
            organisation=report.organisation, state=GroupMembership.State.ACTIVE
        ).values_list("group_id", flat=True)
    )
    refresh(report.year, groups, pact=True)
