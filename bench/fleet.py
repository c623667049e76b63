"""A national fleet register, end to end: read from CSV, checked, computed and aggregated.

``python -m bench.fleet --assets 1000000`` writes a synthetic register CSV (not timed), then runs the
whole chain in a fresh process ``--repeat`` times: read the file, check every cell, match models,
estimate, compute every line's footprint, aggregate the fleet and a scenario, with the manufacturers'
footprints shipped with cfit. The baseline, measured in the same run and also in fresh processes, is
reading the same file into text columns and nothing more: the floor that any checking and computing
adds to. Peak memory is the chain's process's high-water mark (the baseline runs apart, so that its
buffers do not count). ``--cli`` also times ``cfit impact fleet --country NL --format json`` on the
file, end to end, start-up included. Runs alternate (read, chain, command) so that a busy machine
slows them alike; the CPU seconds (of all the process's threads) are printed beside the wall-clock
ones because they vary far less when other work shares the cores. ``--register`` reuses a file
instead of writing one. Prints one JSON line: assets, seconds (median), assets_per_second,
peak_rss_mb, read_only_seconds, ratio_to_read, cpu_seconds, read_only_cpu_seconds, cpu_ratio_to_read,
cli_seconds; and the CPU seconds of each step of the chain (read_check, compute, summarise, scenario).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

AS_OF = date(2026, 11, 30)
GROUPS = ["notebooks", "desktops", "monitors", "smartphones", "tablets", "servers", "thin-clients"]
MAKERS = ["Dell", "HP", "Lenovo", "Apple", "Samsung", "Fujitsu"]
COUNTRIES = ["NL", "FR", "DE", "NO", "BE", "DK", "PL", "ES", "IT", "SE"]


def models(rng: np.random.Generator) -> list[tuple[str, str, str, str, str]]:
    """About 3,000 distinct models with their specs: real ones from the footprints (when present) and
    unknown ones. Specs belong to a model, as in a real register; half the lines leave them out."""
    out: list[tuple[str, str, str, str, str]] = []
    from cfit.impact.reference import load_shipped_footprints

    table = load_shipped_footprints()
    if table is not None:
        for group, maker, model, weight, screen in table.select(
            "product_group", "manufacturer", "model", "weight_kg", "screen_size_in"
        ).iter_rows():
            out.append((group, maker, model, str(weight or ""), str(int(screen)) if screen else ""))
    for n in range(3000 - len(out)):
        group = GROUPS[n % len(GROUPS)]
        weight = f"{rng.uniform(0.15, 25):.2f}"
        screen = str(int(rng.integers(5, 34))) if group not in ("servers", "desktops") else ""
        out.append((group, MAKERS[n % len(MAKERS)], f"Series {n % 97} Model {n}", weight, screen))
    return out


def write_register(path: Path, assets: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    catalogue = models(rng)
    pick = rng.integers(0, len(catalogue), assets)
    group, maker, model, weight, screen = (
        np.array([c[i] for c in catalogue], dtype=object) for i in range(5)
    )
    bought = np.datetime64("2016-01-01") + rng.integers(0, 3600, assets).astype("timedelta64[D]")
    retired = rng.random(assets) < 0.3
    service = rng.integers(700, 2900, assets).astype("timedelta64[D]")
    retired_on = np.minimum(bought + service, np.datetime64(AS_OF))
    retired &= retired_on > bought
    routes = np.array(["internal_reuse", "reuse", "refurbished", "recycled", "lost"])
    with_specs = rng.random(assets) < 0.5
    frame = pl.DataFrame(
        {
            "asset_key": [f"A{n:08d}" for n in range(assets)],
            "product_group": group[pick],
            "manufacturer": maker[pick],
            "model": model[pick],
            "quantity": rng.integers(1, 20, assets),
            "purchase_date": bought.astype(str),
            "condition": np.where(rng.random(assets) < 0.1, "refurbished", "new"),
            "acquisition": rng.choice(["bought", "leased", "service"], assets, p=[0.8, 0.15, 0.05]),
            "country": rng.choice(COUNTRIES, assets),
            "status": np.where(
                retired,
                "retired",
                rng.choice(["in_use", "in_stock", "in_repair"], assets, p=[0.9, 0.08, 0.02]),
            ),
            "retired_date": np.where(retired, retired_on.astype(str), ""),
            "end_of_use_route": np.where(
                retired, rng.choice(routes, assets, p=[0.2, 0.3, 0.2, 0.28, 0.02]), ""
            ),
            "weight_kg": np.where(with_specs, weight[pick], ""),
            "screen_size_in": np.where(with_specs, screen[pick], ""),
            "memory_gb": "",
            "storage_gb": "",
            "number_cpu": "",
            "yearly_kwh": np.where(
                rng.random(assets) < 0.2, np.round(rng.uniform(5, 200, assets), 1).astype(str), ""
            ),
        }
    )
    frame.write_csv(path)


def peak_mb() -> float:
    """This process's peak resident memory. ``VmHWM`` belongs to the process image, so it starts
    afresh at exec; ``ru_maxrss`` would carry over the parent's size at fork (the parent holds the
    generated register: that was the whole of the "1 GB" the first runs of this benchmark reported)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_once(path: Path) -> dict[str, float]:
    """The baseline, in this process: the file read into text columns and nothing more."""
    start, cpu = time.perf_counter(), time.process_time()
    pl.read_csv(path, infer_schema=False)
    return {
        "read_only_seconds": time.perf_counter() - start,
        "read_only_cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_mb(),
    }


def run_once(path: Path) -> dict[str, float]:
    """The timed chain, in this process; returns its seconds and peak memory."""
    from cfit.impact import fleet, summary
    from cfit.impact.reference import SHIPPED_PCF_TITLE, load_factors, load_shipped_footprints
    from cfit.impact.register import read_register

    reference = load_factors()
    shipped = load_shipped_footprints()
    if shipped is not None:
        reference = reference.with_pcf(shipped, SHIPPED_PCF_TITLE)
    _ = reference.index  # built once per reference, as the platform does
    limit = path.stat().st_size + 1

    start, cpu = time.perf_counter(), time.process_time()
    register = read_register(path, path.name, limit=limit, today=AS_OF)
    checked = time.process_time()
    lines = fleet.compute_lines(register, reference, AS_OF)
    computed = time.process_time()
    figures = summary.summarise(lines, reference, AS_OF)
    summarised = time.process_time()
    summary.scenario(lines, reference, summary.Scenario(2, 0.3, 0.3))
    end = time.process_time()
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": end - cpu,
        "read_check_cpu_seconds": checked - cpu,  # reading and checking the file: the part before the engine
        # The engine's steps, for whoever looks for the time: every line's figures, the summary, a what-if.
        "compute_cpu_seconds": computed - checked,
        "summarise_cpu_seconds": summarised - computed,
        "scenario_cpu_seconds": end - summarised,
        "peak_rss_mb": peak_mb(),
        "devices": figures.devices,
    }


def median(runs: list[dict[str, float]], name: str) -> float:
    return statistics.median(r[name] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time `cfit impact fleet` on the file")
    parser.add_argument("--register", type=Path, help="time this register file instead of writing one")
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
        path = args.register or Path(folder) / "register.csv"
        if args.register is None:
            write_register(path, args.assets)
        else:
            with path.open("rb") as file:
                args.assets = sum(1 for _ in file) - 1
        runs, reads, cli = [], [], []
        refused: str | None = None
        for _ in range(args.repeat):
            for mode, target in (("--read", reads), ("--run", runs)):
                child = subprocess.run(
                    [sys.executable, "-m", "bench.fleet", mode, str(path)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                target.append(json.loads(child.stdout.strip().splitlines()[-1]))
            if args.cli:
                start = time.perf_counter()
                command = subprocess.run(
                    [
                        str(Path(sys.executable).with_name("cfit")),
                        *("impact", "fleet", str(path), "--country", "NL", "--format", "json"),
                    ],
                    capture_output=True,
                    text=True,
                    env={**os.environ, "DJANGO_SETTINGS_MODULE": "cfit.settings"},
                )
                if command.returncode:  # e.g. a file larger than the command accepts
                    refused = (command.stderr.strip().splitlines() or ["failed"])[-1]
                else:
                    cli.append(time.perf_counter() - start)
    seconds, read_only = median(runs, "seconds"), median(reads, "read_only_seconds")
    cpu, read_cpu = median(runs, "cpu_seconds"), median(reads, "read_only_cpu_seconds")
    print(
        json.dumps(
            {
                "assets": args.assets,
                "seconds": round(seconds, 3),
                "assets_per_second": round(args.assets / seconds),
                "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
                "read_only_seconds": round(read_only, 3),
                "read_only_peak_rss_mb": round(max(r["peak_rss_mb"] for r in reads), 1),
                "ratio_to_read": round(seconds / read_only, 2),
                "cpu_seconds": round(cpu, 3),
                "read_check_cpu_seconds": round(median(runs, "read_check_cpu_seconds"), 3),
                **{
                    f"{step}_cpu_seconds": round(median(runs, f"{step}_cpu_seconds"), 3)
                    for step in ("compute", "summarise", "scenario")
                },
                "read_only_cpu_seconds": round(read_cpu, 3),
                "cpu_ratio_to_read": round(cpu / read_cpu, 2),
                "cli_seconds": round(statistics.median(cli), 3) if cli else None,
                "cli_refused": refused,
                "repeat": args.repeat,
            }
        )
    )


if __name__ == "__main__":
    main()
