"""Collective results at the pact's scale: 5,000 organisations × 10 years of monitoring reports.

``DATABASE_URL=postgres://... python -m bench.monitoring`` creates a scratch database next to the one
named (``<name>_bench_monitoring``, dropped at the end), migrates it, loads 5,000 participants in 40
buyer groups with a report a year each (about 40 figures per report, loaded with COPY), then measures:

- ``reaggregate_seconds``: a full re-aggregation of every scope and year by the database (median);
- ``p50_ms`` / ``p95_ms``: the collective results API (pact-wide and per buyer group, all years) over
  repeated requests through Django's full stack, with the disclosure decisions (taken at refresh, read
  with every figure) in force; ``suppressed_cells`` of ``cells`` are hidden by them;
- the baseline, in the same run: the same figures computed from the reports at request time, without
  the materialised aggregates (``on_the_fly_p50_ms``), and the ratio.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from urllib.parse import urlparse, urlunparse

#: The sources of a bounded figure, as the impact engine names them (JSON, as COPY writes it).
SOURCES = json.dumps(
    [
        {"id": "boavizta", "title": "Boavizta product footprints", "url": "https://boavizta.org"},
        {"id": "ember", "title": "Ember yearly electricity data", "url": "https://ember-energy.org"},
    ]
)


def scratch_database(url: str, purpose: str = "monitoring") -> str:
    """A new, empty database next to the one ``url`` names (``<name>_bench_<purpose>``), dropped first
    if a run before left it."""
    import psycopg

    parts = urlparse(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_{purpose}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def load(organisations: int, years: int, groups: int, seed: int) -> None:
    from django.db import connection

    from cfit.accounts.models import Organisation
    from cfit.impact.figures import METHOD_VERSION
    from cfit.monitoring.indicators import INDICATORS, Aggregation, Kind
    from cfit.monitoring.models import Campaign, Report
    from cfit.pact.models import BuyerGroup, GroupMembership

    rng = random.Random(seed)
    coordinators = Organisation.objects.bulk_create(
        Organisation(slug=f"coordinator-{g}", name=f"Coordinator {g}", country="NL",
                     type=Organisation.Type.COORDINATING_PARTICIPANT)
        for g in range(groups)
    )  # fmt: skip
    buyer_groups = BuyerGroup.objects.bulk_create(
        BuyerGroup(slug=f"group-{g}", name=f"Buyer group {g}", country="NL", coordinator=coordinators[g])
        for g in range(groups)
    )
    members = Organisation.objects.bulk_create(
        Organisation(slug=f"participant-{n}", name=f"Participant {n}", country="NL", users_served=rng.randrange(100, 50_000),
                     type=Organisation.Type.PROCURING_PARTICIPANT)
        for n in range(organisations - groups)
    )  # fmt: skip
    everyone = [*coordinators, *members]
    memberships = [
        GroupMembership(group=buyer_groups[g], organisation=coordinators[g], state="active")
        for g in range(groups)
    ]
    memberships += [
        GroupMembership(group=buyer_groups[n % groups], organisation=o, state="active")
        for n, o in enumerate(members)
    ]
    # a tenth of the participants sit in a second group
    memberships += [
        GroupMembership(group=buyer_groups[(n + 7) % groups], organisation=o, state="active")
        for n, o in enumerate(members) if n % 10 == 0
    ]  # fmt: skip
    GroupMembership.objects.bulk_create(memberships, batch_size=5000)
    first_year = 2026 - years
    pact = {
        y: Campaign.objects.create(year=y, title=f"Pact {y}", opens=f"{y + 1}-01-15", deadline=f"{y + 1}-03-31",
                                   results_published="2026-01-01T00:00:00Z")
        for y in range(first_year, first_year + years)
    }  # fmt: skip
    Campaign.objects.bulk_create(
        Campaign(year=y, group=g, title=f"{g.name} {y}", opens=f"{y + 1}-01-15", deadline=f"{y + 1}-03-31",
                 results_published="2026-01-01T00:00:00Z")
        for g in buyer_groups for y in range(first_year, first_year + years)
    )  # fmt: skip
    reports = Report.objects.bulk_create(
        (
            Report(organisation=o, year=y, campaign=pact[y], state=rng.choice(["accepted", "accepted", "submitted", "draft"]))
            for o in everyone for y in range(first_year, first_year + years)
        ),
        batch_size=10_000,
    )  # fmt: skip
    numeric = [i for i in INDICATORS if i.kind != Kind.TEXT]
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY monitoring_reportvalue (report_id, indicator, key, value, text, origin, weight, low, high, "
            "method, sources) FROM STDIN"
        ) as copy,
    ):
        for report in reports:
            for indicator in numeric:
                keys = indicator.keys if len(indicator.keys) <= 5 else rng.sample(indicator.keys, 3)
                for key in keys:
                    value = rng.uniform(0, indicator.maximum or 1000)
                    weight = rng.uniform(1, 1000) if indicator.aggregation == Aggregation.WEIGHTED else None
                    low, high = (value * 0.7, value * 1.4) if indicator.bounded else (None, None)
                    copy.write_row(
                        (
                            report.pk,
                            indicator.code,
                            key,
                            value,
                            "",
                            rng.choice(["reported", "prefilled", "estimated"]),
                            weight,
                            low,
                            high,
                            METHOD_VERSION if indicator.bounded else "",
                            SOURCES if indicator.bounded else "[]",
                        )
                    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def on_the_fly_figures() -> list[dict[str, object]]:
    """What the results API would cost without materialised aggregates: group the reports' values."""
    from django.db.models import Count, F, Q, Sum

    from cfit.monitoring.aggregation import SUMMED, WEIGHTED
    from cfit.monitoring.models import Report, ReportValue

    values = ReportValue.objects.filter(report__state__in=Report.COUNTED, value__isnull=False)
    fields = ["report__year", "indicator", "key"]
    origin = {"prefilled": Count("id", filter=Q(origin="prefilled")), "reporters": Count("id")}
    return [
        *values.filter(indicator__in=SUMMED).values(*fields).annotate(total=Sum("value"), **origin),
        *values.filter(indicator__in=WEIGHTED, weight__gt=0)
        .values(*fields)
        .annotate(weighted=Sum(F("value") * F("weight")), weights=Sum("weight"), **origin),
    ]


def measure(requests: int, groups: int) -> dict[str, float]:
    from django.test import Client

    from cfit.monitoring import aggregation
    from cfit.monitoring.models import Aggregate, ReportValue

    refreshes = []
    for _ in range(3):
        start = time.perf_counter()
        aggregation.refresh(None)
        refreshes.append(time.perf_counter() - start)
    client = Client()
    for n in range(5):  # warm up: the first requests import and build what every later one reuses
        client.get("/api/v1/monitoring/results", {"scope": "pact" if n % 2 else f"group-{n}"})
    timings = []
    for n in range(requests):
        scope = "pact" if n % 2 == 0 else f"group-{n % groups}"
        start = time.perf_counter()
        response = client.get("/api/v1/monitoring/results", {"scope": scope})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:200]
    # Baseline: the pact's figures of every year computed from the reports at request time.
    on_the_fly = []
    for _ in range(5):
        start = time.perf_counter()
        on_the_fly_figures()
        on_the_fly.append((time.perf_counter() - start) * 1000)
    quantiles = statistics.quantiles(timings, n=20)
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(quantiles[18], 1),
        "reaggregate_seconds": round(statistics.median(refreshes), 2),
        "on_the_fly_p50_ms": round(statistics.median(on_the_fly), 1),
        "speedup": round(statistics.median(on_the_fly) / statistics.median(timings), 1),
        "report_values": ReportValue.objects.count(),
        "cells": Aggregate.objects.count(),
        "suppressed_cells": Aggregate.objects.exclude(suppression="").count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/cfit")
    scratch = scratch_database(url)
    os.environ["DATABASE_URL"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cfit.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    try:
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        load(args.organisations, args.years, args.groups, seed=2026)
        load_seconds = time.perf_counter() - start
        figures = measure(args.requests, args.groups)
        print(json.dumps({"organisations": args.organisations, "years": args.years, **figures,
                          "groups": args.groups, "requests": args.requests, "load_seconds": round(load_seconds, 1)}))  # fmt: skip
    finally:
        connections.close_all()
        if not args.keep:
            drop_database(scratch)


if __name__ == "__main__":
    main()
