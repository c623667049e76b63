"""The disclosure decisions and the provenance of the stored collective figures of a year.

After every refresh, each indicator of a year becomes one table of ``disclosure.py`` (every scope, every
reporting organisation's contributions), so that the decisions see how the pact and its buyer groups
relate; the decision of each cell is stored on its ``Aggregate`` row (``suppression``), and the decision
on the users served by the reporting organisations on the ``Coverage`` row. Every page, chart, download
and API answer reads these decisions: none decides for itself.

The contributions weighed by the rules are the figures themselves for sums (with their low and high
bounds for emissions: a bound dominated by one organisation would reveal it too), and the weights for
averages (an organisation that carries most of the weight of an average sets it).

Bounded figures also get their provenance here: the method versions behind them and the union of their
sources.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection

from cfit.accounts.models import Organisation
from cfit.monitoring import disclosure
from cfit.monitoring.disclosure import PUBLISHED, Decision, Rules, Table
from cfit.monitoring.indicators import BY_CODE, Aggregation, Kind
from cfit.monitoring.models import (
    PACT,
    Aggregate,
    Coverage,
    DisclosureRules,
    Report,
    ReportValue,
    ResultsEdition,
)
from cfit.pact.models import BuyerGroup, GroupMembership

NUMERIC = [code for code, i in BY_CODE.items() if i.kind != Kind.TEXT]
BOUNDED = [code for code, i in BY_CODE.items() if i.bounded]
#: The table of the users served by the reporting organisations (coverage), beside the indicators'.
COVERAGE_USERS = "coverage:users_served"


def apply(years: list[int], rules: Rules | None = None) -> None:
    """Decide and store, for every scope and indicator of these years, which figures may be shown.

    Runs inside the refresh's transaction (and lock): reads the counted reports of each year once."""
    rules = rules or DisclosureRules.current()
    for year in years:
        decisions, provenance = decide_year(year, rules)
        _store(year, decisions, provenance)
    # every refresh and every re-protection ends here: the results pages cached so far are old
    ResultsEdition.bump()


@dataclass
class Decisions:
    """The decisions of a year: per cell, and the indicators none of whose cells needs hiding."""

    cells: dict[tuple[str, str, str], Decision] = field(default_factory=dict)
    clean: set[str] = field(default_factory=set)

    def get(self, scope: str, code: str, key: str) -> Decision | None:
        found = self.cells.get((scope, code, key))
        if found is None and code in self.clean:
            return PUBLISHED
        return found


def decide_year(
    year: int, rules: Rules
) -> tuple[Decisions, dict[tuple[str, str], tuple[str, list[dict[str, Any]]]]]:
    """The decisions of every cell of the year (the coverage's users served under ``COVERAGE_USERS``),
    and ``{(scope, indicator): (method, sources)}`` of bounded figures.

    The inner cells of every indicator are weighed first, by the database's rows in one grouped pass: an
    indicator whose inner cells all pass the rules shows everything (``disclosure.protect`` proves why)
    and needs no table; only the others go through the elimination."""
    frame, users, scopes = _load(year)
    strata = _strata(scopes)
    frame = frame.with_columns(
        pl.col("organisation").replace_strict(strata, default=None, return_dtype=pl.String).alias("stratum")
    ).filter(pl.col("stratum").is_not_null())
    decisions = Decisions()
    present = set(frame.get_column("indicator").unique().to_list())
    unsafe = _with_unsafe_inner_cells(frame, rules)
    decisions.clean = present - unsafe
    for code in sorted(unsafe):
        indicator = BY_CODE[code]
        width = 3 if indicator.bounded else 1
        part = frame.filter(pl.col("indicator") == code).select("organisation", "key", "m0", "m1", "m2")
        contributions = {(o, k): tuple(m[:width]) for o, k, *m in part.iter_rows()}
        found = disclosure.protect(Table(scopes, contributions, totals=indicator.has_total), rules)
        decisions.cells.update({(scope, code, key): decision for (scope, key), decision in found.items()})
    coverage = disclosure.protect(
        Table(scopes, {(organisation, ""): (served,) for organisation, served in users.items()}), rules
    )
    for (scope, _key), decision in coverage.items():
        # The users served of the reporting organisations' profiles are, in practice, the figures of the
        # users served indicator: hidden wherever that is, lest one give the other away.
        reported = decisions.get(scope, "users_served", "")
        if decision.published and reported is not None and not reported.published:
            decision = Decision(disclosure.Reason.SECONDARY)
        decisions.cells[(scope, COVERAGE_USERS, "")] = decision
    return decisions, _provenance(frame, scopes)


def _strata(scopes: dict[str, frozenset[str]]) -> dict[str, str]:
    """Each organisation's stratum: the scopes it is in, as one label."""
    found: dict[str, list[str]] = defaultdict(list)
    for scope, members in scopes.items():
        for organisation in members:
            found[organisation].append(scope)
    return {organisation: "|".join(sorted(names)) for organisation, names in found.items()}


def _with_unsafe_inner_cells(frame: pl.DataFrame, rules: Rules) -> set[str]:
    """Indicators with an inner cell (a stratum's contributions to one key) that fails the rules."""
    measures = ("m0", "m1", "m2")
    inner = frame.group_by("indicator", "stratum", "key").agg(
        pl.len().alias("n"),  # an organisation has one figure per indicator and key in a year
        *[pl.col(m).abs().sum().alias(f"{m}_sum") for m in measures],
        *[pl.col(m).abs().max().alias(f"{m}_max") for m in measures],
    )
    dominated = pl.any_horizontal(
        [
            (pl.col(f"{m}_sum") > 0) & (pl.col(f"{m}_max") > rules.dominance * pl.col(f"{m}_sum"))
            for m in measures
        ]
    )
    failing = inner.filter((pl.col("n") < rules.min_reporters) | dominated)
    return set(failing.get_column("indicator").unique().to_list())


def _provenance(
    frame: pl.DataFrame, scopes: dict[str, frozenset[str]]
) -> dict[tuple[str, str], tuple[str, list[dict[str, Any]]]]:
    """The method versions and the union of the sources behind each scope's bounded figures."""
    combinations = (
        frame.filter(pl.col("indicator").is_in(BOUNDED))
        .group_by("indicator", "method", "sources")
        .agg(pl.col("organisation").unique())
    )
    found: dict[tuple[str, str], tuple[set[str], dict[str, dict[str, Any]]]] = {}
    for code, method, sources, organisations in combinations.iter_rows():
        reporting = set(organisations)
        listed = json.loads(sources) if sources else []
        for scope, members in scopes.items():
            if not members & reporting:
                continue
            methods, by_id = found.setdefault((scope, code), (set(), {}))
            if method:
                methods.add(method)
            for source in listed:
                if isinstance(source, dict) and source.get("id"):
                    key = str(source["id"])
                    by_id.setdefault(
                        key,
                        {"id": key, "title": str(source.get("title", "")), "url": str(source.get("url", ""))},
                    )
    return {
        cell: (", ".join(sorted(methods)), [by_id[i] for i in sorted(by_id)])
        for cell, (methods, by_id) in found.items()
    }


def _load(year: int) -> tuple[pl.DataFrame, dict[str, float], dict[str, frozenset[str]]]:
    """The year's counted figures (one query) as the measures the rules weigh (``m0`` to ``m2``: the
    figure and its bounds; an average's weight), the users served of the reporting organisations, and
    the reporting organisations of each scope (the pact's participants, each buyer group's members)."""
    value, report, organisation = (
        ReportValue._meta.db_table,
        Report._meta.db_table,
        Organisation._meta.db_table,
    )
    counted = ", ".join(["%s"] * len(Report.COUNTED))
    numeric = ", ".join(["%s"] * len(NUMERIC))
    bounded = ", ".join(["%s"] * len(BOUNDED))
    sources = "CAST(v.sources AS TEXT)" if connection.vendor == "postgresql" else "v.sources"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT r.organisation_id, v.indicator, v.key, v.value, v.weight, v.low, v.high, v.method,
                CASE WHEN v.indicator IN ({bounded}) THEN {sources} END
            FROM {value} v JOIN {report} r ON r.id = v.report_id
            WHERE r.year = %s AND r.state IN ({counted}) AND v.value IS NOT NULL AND v.indicator IN ({numeric})""",
            [*BOUNDED, year, *Report.COUNTED, *NUMERIC],
        )
        raw = cursor.fetchall()
        cursor.execute(
            f"""SELECT o.id, o.type, o.users_served FROM {report} r JOIN {organisation} o ON o.id = r.organisation_id
            WHERE r.year = %s AND r.state IN ({counted})""",
            [year, *Report.COUNTED],
        )
        reporting = cursor.fetchall()
    schema = {
        "organisation": pl.Int64, "indicator": pl.String, "key": pl.String, "value": pl.Float64,
        "weight": pl.Float64, "low": pl.Float64, "high": pl.Float64, "method": pl.String, "sources": pl.String,
    }  # fmt: skip
    weighted = [code for code, i in BY_CODE.items() if i.aggregation == Aggregation.WEIGHTED]
    figure = pl.col("value")
    frame = (
        pl.DataFrame(raw, schema=schema, orient="row")
        # an average counts where its weight does (the aggregate leaves out weights of zero)
        .filter(~pl.col("indicator").is_in(weighted) | (pl.col("weight") > 0))
        .with_columns(
            pl.col("organisation").cast(pl.String),
            pl.when(pl.col("indicator").is_in(weighted)).then(pl.col("weight")).otherwise(figure).alias("m0"),
            pl.when(pl.col("indicator").is_in(weighted)).then(pl.col("weight")).otherwise(pl.coalesce("low", figure)).alias("m1"),
            pl.when(pl.col("indicator").is_in(weighted)).then(pl.col("weight")).otherwise(pl.coalesce("high", figure)).alias("m2"),
        )
    )  # fmt: skip
    participants = frozenset(str(pk) for pk, kind, _ in reporting if kind in Organisation.PARTICIPANT_TYPES)
    users = {str(pk): float(served or 0) for pk, _kind, served in reporting}
    scopes: dict[str, frozenset[str]] = {PACT: participants}
    members: dict[str, set[str]] = defaultdict(set)
    for slug, organisation_id in GroupMembership.objects.filter(
        state=GroupMembership.State.ACTIVE
    ).values_list("group__slug", "organisation_id"):
        if str(organisation_id) in users:  # only reporting organisations contribute
            members[slug].add(str(organisation_id))
    for slug in BuyerGroup.objects.order_by("name").values_list("slug", flat=True):
        if slug in members:
            scopes[slug] = frozenset(members[slug])
    return frame, users, scopes


def _store(
    year: int,
    decisions: Decisions,
    provenance: dict[tuple[str, str], tuple[str, list[dict[str, Any]]]],
) -> None:
    """Write the decisions: one update per reason (refreshed rows come back shown), and the provenance
    of the few bounded cells whose provenance changed."""
    by_reason: dict[str, list[int]] = defaultdict(list)
    changed_provenance = []
    for pk, scope, code, key, suppression, method, sources in Aggregate.objects.filter(year=year).values_list(
        "pk", "scope", "indicator", "key", "suppression", "method", "sources"
    ):
        decision = decisions.get(scope, code, key)
        # A stored figure without a decision has no known contributors: it is not shown (fail closed).
        reason = disclosure.Reason.THRESHOLD if decision is None else decision.reason
        wanted = reason.value if reason else ""
        if wanted != suppression:
            by_reason[wanted].append(pk)
        if code in BOUNDED:
            found = provenance.get((scope, code), ("", []))
            if (method, sources) != found:
                changed_provenance.append(Aggregate(pk=pk, method=found[0], sources=found[1]))
    for suppression, pks in by_reason.items():
        for start in range(0, len(pks), 900):  # SQLite allows a limited number of parameters
            Aggregate.objects.filter(pk__in=pks[start : start + 900]).update(suppression=suppression)
    Aggregate.objects.bulk_update(changed_provenance, ["method", "sources"], batch_size=500)
    for row in Coverage.objects.filter(year=year).only("pk", "scope", "counted", "users_served_suppression"):
        decision = decisions.get(row.scope, COVERAGE_USERS, "")
        if decision is None:
            suppression = "" if not row.counted else disclosure.Reason.THRESHOLD.value
        else:
            suppression = decision.reason.value if decision.reason else ""
        if row.users_served_suppression != suppression:
            Coverage.objects.filter(pk=row.pk).update(users_served_suppression=suppression)
