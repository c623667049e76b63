"""A year of an organisation's cloud use, end to end: a FOCUS export read, checked and computed.

``python -m bench.cloud --rows 1000000`` writes a synthetic FOCUS 1.0 export (not timed): every
column of the specification, usage of all four kinds (instance hours named in the charge
description, vCPU-hours, GB-months of object and block storage, GB-hours of memory, GB of data
transfer) and charges cfit does not count (requests, taxes), over three providers, about thirty
regions (a few unknown) and twelve months. Then it runs in a fresh process, ``--repeat`` times: read
the file, check every row, compute every row's energy and emissions and group them by service,
region and month, as ``cfit cloud footprint`` does (the coefficients are loaded before the clock
starts, as a server holds them). The baseline, measured in the same run in fresh processes too, is
reading the same file into text columns and nothing more. Runs alternate (read, footprint) so that
a busy machine slows them alike; CPU seconds are printed beside wall-clock ones. ``--format
parquet`` writes and reads Parquet instead of CSV; ``--file`` reuses an export. Prints one JSON
line: rows, seconds (median), rows_per_second, peak_rss_mb, read_only_seconds, ratio_to_read,
cpu_seconds, read_only_cpu_seconds, cpu_ratio_to_read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from bench.fleet import peak_mb

#: (ServiceCategory, ServiceName, ConsumedUnit, ChargeDescription, typical quantity, share of rows)
USAGE = [
    ("Compute", "Amazon Elastic Compute Cloud", "Hours", "$0.0416 per On Demand Linux t3.medium Instance Hour", 1, 0.20),
    ("Compute", "Amazon Elastic Compute Cloud", "Hours", "$0.34 per On Demand Linux c5.2xlarge Instance Hour", 1, 0.10),
    ("Databases", "Amazon Relational Database Service", "vCPU-Hours", "USD 0.10 per hour per vCPU", 4, 0.05),
    ("Compute", "AWS Lambda", "Lambda-GB-Seconds", "AWS Lambda - Total Compute", 30, 0.05),
    ("Storage", "Amazon Simple Storage Service", "GB-Months", "$0.023 per GB - first 50 TB / month of storage used", 2, 0.15),
    ("Storage", "Amazon Elastic Block Store", "GB-Months", "$0.08 per GB-month of General Purpose (gp3) provisioned storage", 5, 0.10),
    ("Networking", "Amazon Virtual Private Cloud", "GB", "$0.090 per GB - first 10 TB / month data transfer out", 3, 0.15),
    ("Integration", "Amazon Simple Queue Service", "Requests", "$0.40 per million Amazon SQS standard requests", 1000, 0.15),
    ("Compute", "Amazon Elastic Compute Cloud", "Hours", "$0.10 per hour of a machine of its own", 1, 0.05),
]  # fmt: skip
PROVIDERS = [("AWS", ["us-east-1", "us-west-2", "eu-central-1", "eu-west-1", "eu-north-1", "ap-south-2"]),
             ("Microsoft", ["westeurope", "northeurope", "eastus", "swedencentral"]),
             ("Google Cloud", ["europe-west1", "europe-west4", "us-central1", "asia-east1"])]  # fmt: skip


def focus_columns() -> list[str]:
    table = pl.read_csv(
        Path(__file__).resolve().parents[1] / "cfit/cloud/factors/focus-columns.csv", infer_schema=False
    )
    return table.filter(pl.col("focus_version") == "1.0").get_column("column_id").to_list()


def write_focus(path: Path, rows: int, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    kind = rng.choice(len(USAGE), rows, p=np.array([u[5] for u in USAGE]) / sum(u[5] for u in USAGE))
    provider = rng.choice(len(PROVIDERS), rows, p=[0.7, 0.2, 0.1])
    region = np.array(
        [
            PROVIDERS[p][1][i % len(PROVIDERS[p][1])]
            for p, i in zip(provider, rng.integers(0, 12, rows), strict=True)
        ]
    )
    month = rng.integers(1, 13, rows)
    day = rng.integers(1, 29, rows)
    hour = rng.integers(0, 24, rows)
    start = [f"2025-{m:02d}-{d:02d}T{h:02d}:00:00Z" for m, d, h in zip(month, day, hour, strict=True)]
    quantity = np.array([USAGE[k][4] for k in kind]) * rng.gamma(2.0, 0.5, rows)
    cost = np.round(quantity * rng.uniform(0.001, 0.2, rows), 10)
    pick = {n: np.array([u[n] for u in USAGE])[kind] for n in range(4)}
    known = {
        "BillingPeriodStart": [f"2025-{m:02d}-01T00:00:00Z" for m in month],
        "BillingPeriodEnd": [
            f"2025-{m + 1:02d}-01T00:00:00Z" if m < 12 else "2026-01-01T00:00:00Z" for m in month
        ],
        "ChargePeriodStart": start,
        "ChargePeriodEnd": start,
        "ChargeCategory": np.where(rng.random(rows) < 0.01, "Tax", "Usage"),
        "ChargeFrequency": "Usage-Based",
        "ServiceCategory": pick[0],
        "ServiceName": pick[1],
        "ConsumedUnit": pick[2],
        "PricingUnit": pick[2],
        "ChargeDescription": pick[3],
        "ConsumedQuantity": np.round(quantity, 9),
        "PricingQuantity": np.round(quantity, 9),
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "ContractedCost": cost,
        "ProviderName": np.array([p[0] for p in PROVIDERS])[provider],
        "PublisherName": np.array([p[0] for p in PROVIDERS])[provider],
        "InvoiceIssuerName": np.array([p[0] for p in PROVIDERS])[provider],
        "RegionId": region,
        "RegionName": region,
        "BillingAccountId": "1234567890123",
        "BillingAccountName": "Rijkswaterstaat",
        "BillingCurrency": "EUR",
        "SubAccountId": rng.integers(10**10, 10**11, rows).astype(str),
        "SkuId": rng.integers(10**9, 10**10, rows).astype(str),
        "ResourceId": [f"arn:aws:ec2:{r}:123456789012:instance/i-{n:017x}" for n, r in enumerate(region)],
        "Tags": '{"environment": "production", "business_unit": "water"}',
    }
    frame = pl.DataFrame(
        {
            c: (known[c] if c in known else pl.repeat(None, rows, dtype=pl.String, eager=True))
            for c in focus_columns()
        }
    )
    if path.suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_csv(path)


def read_once(path: Path) -> dict[str, float]:
    """The baseline, in this process: the file read into text columns and nothing more."""
    start, cpu = time.perf_counter(), time.process_time()
    if path.suffix == ".parquet":
        pl.read_parquet(path)
    else:
        pl.read_csv(path, infer_schema=False)
    return {
        "read_only_seconds": time.perf_counter() - start,
        "read_only_cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_mb(),
    }


def run_once(path: Path) -> dict[str, float]:
    """The timed footprint, in this process: read, check, compute, group, as JSON."""
    from cfit.cloud.focus import read_focus
    from cfit.cloud.footprint import compute_footprint
    from cfit.cloud.reference import load_cloud_factors

    reference = load_cloud_factors()
    start, cpu = time.perf_counter(), time.process_time()
    focus = read_focus(
        path,
        path.name,
        reference.focus_columns,
        vcpu_per_ocpu=reference.vcpu_per_ocpu,
        limit=path.stat().st_size + 1,
    )
    checked = time.process_time()
    result = compute_footprint(focus, reference)
    json.dumps(result.as_dict())
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "check_cpu_seconds": checked - cpu,
        "peak_rss_mb": peak_mb(),
        "counted_rows": result.counted_rows,
    }


def median(runs: list[dict[str, float]], name: str) -> float:
    return statistics.median(r[name] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--file", type=Path, help="time this FOCUS export instead of writing one")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)  # the child process's part
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)  # the baseline's child
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_once(args.run)))
        return
    if args.read:
        print(json.dumps(read_once(args.read)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = args.file or Path(folder) / f"focus.{args.format}"
        if args.file is None:
            write_focus(path, args.rows)
        runs: list[dict[str, float]] = []
        reads: list[dict[str, float]] = []
        for _ in range(args.repeat):
            for mode, target in (("--read", reads), ("--run", runs)):
                child = subprocess.run(
                    [sys.executable, "-m", "bench.cloud", mode, str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                target.append(json.loads(child.stdout.strip().splitlines()[-1]))
        size_mb = path.stat().st_size / 1e6
    rows = args.rows if args.file is None else pl.scan_csv(path).select(pl.len()).collect().item()
    seconds, read_only = median(runs, "seconds"), median(reads, "read_only_seconds")
    cpu, read_cpu = median(runs, "cpu_seconds"), median(reads, "read_only_cpu_seconds")
    print(
        json.dumps(
            {
                "rows": rows,
                "format": args.format,
                "file_mb": round(size_mb, 1),
                "seconds": round(seconds, 3),
                "rows_per_second": round(rows / seconds),
                "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
                "read_only_seconds": round(read_only, 3),
                "read_only_peak_rss_mb": round(max(r["peak_rss_mb"] for r in reads), 1),
                "ratio_to_read": round(seconds / read_only, 2),
                "cpu_seconds": round(cpu, 3),
                "check_cpu_seconds": round(median(runs, "check_cpu_seconds"), 3),
                "read_only_cpu_seconds": round(read_cpu, 3),
                "cpu_ratio_to_read": round(cpu / read_cpu, 2),
                "counted_rows": runs[0]["counted_rows"],
                "repeat": args.repeat,
            }
        )
    )


if __name__ == "__main__":
    main()
