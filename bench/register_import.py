"""A national register imported as a job, into an empty fleet and into one that already holds it.

``python -m bench.register_import --rows 1000000`` writes two synthetic register CSVs (not timed): the
first with ``--rows`` lines, the second as many, half of them the first's lines again (updated by
their asset key) and half new ones. Each import runs as a register-import job, the way ``cfit
worker`` runs it (read, check, stage, one final transaction), in a fresh process against a fresh
database: SQLite in a temporary folder, or ``DATABASE_URL`` (PostgreSQL; the organisation
``bench-register`` is emptied first). The baseline, measured in the same run and a process of its
own, is reading the same file into text columns and nothing more. Peak memory is each process's
high-water mark (``VmHWM``), Django and the framework included. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from bench.fleet import peak_mb

SLUG = "bench-register"
GROUPS = ["notebooks", "desktops", "monitors", "smartphones", "tablets", "thin-clients", "servers"]
MAKERS = ["Dell", "HP", "Lenovo", "Apple", "Samsung", "Fujitsu", "Acer", "Asus", "Microsoft", "Eizo"]
COUNTRIES = ["NL", "BE", "FR", "DE", "NO", "DK", "SE", "ES", "IT", "PL"]


def write_register(path: Path, rows: int, first_key: int, seed: int) -> None:
    """Realistic columns, in a buyer's own words where they have them: asset id, manufacturer, model,
    product group, purchase date, country; a screen size on about a third of the lines."""
    rng = np.random.default_rng(seed)
    group = np.array(GROUPS)[rng.integers(0, len(GROUPS), rows)]
    maker = np.array(MAKERS)[rng.integers(0, len(MAKERS), rows)]
    series = rng.integers(0, 400, rows)
    bought = np.datetime64("2015-01-01") + rng.integers(0, 3900, rows).astype("timedelta64[D]")
    screen = np.where(rng.random(rows) < 0.35, rng.integers(10, 34, rows).astype(str), "")
    frame = pl.DataFrame(
        {
            "Asset ID": pl.int_range(first_key, first_key + rows, eager=True).cast(pl.String).str.zfill(9),
            "Manufacturer": maker,
            "Model": pl.Series(series).cast(pl.String),
            "Product group": group,
            "Purchase date": bought.astype(str),
            "Country": np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), rows)],
            "Screen size": screen,
        }
    ).with_columns(
        ("INV-" + pl.col("Asset ID")).alias("Asset ID"),
        (pl.col("Manufacturer") + " Series " + pl.col("Model")).alias("Model"),
    )
    frame.write_csv(path)


MAPPING = {
    "Asset ID": "asset_key",
    "Manufacturer": "manufacturer",
    "Model": "model",
    "Product group": "product_group",
    "Purchase date": "purchase_date",
    "Country": "country",
    "Screen size": "screen_size_in",
}


def import_once(path: Path) -> dict[str, float]:
    """In this (fresh) process: one register import as a job; its seconds and the peak memory."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cfit.settings")
    django.setup()
    from django.conf import settings

    from cfit.accounts.models import Organisation
    from cfit.fleet import actions
    from cfit.fleet.models import Asset, AssetImport
    from cfit.jobs import runner

    settings.FLEET_IMPORT_IN_BACKGROUND = False
    settings.FLEET_REGISTER_MAX_BYTES = path.stat().st_size + 1  # the bench measures, it does not refuse
    organisation, _ = Organisation.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench register", "country": "NL", "type": "procuring_participant"}
    )
    before = Asset.unscoped.filter(organisation=organisation).count()
    upload = Path(settings.UPLOAD_DIR)
    upload.mkdir(parents=True, exist_ok=True)
    stored = upload / f"bench-{os.getpid()}.csv"
    shutil.copyfile(path, stored)  # the job deletes its file when done
    record = AssetImport.unscoped.create(
        organisation=organisation,
        filename=path.name,
        stored_file=str(stored),
        headers=list(MAPPING),
        mapping=MAPPING,
        default_country="NL",
        state=AssetImport.State.VALUES,
    )
    start = time.perf_counter()
    job = actions.start_import(record, MAPPING)
    seconds = time.perf_counter() - start
    record.refresh_from_db()
    assert job is not None and record.state == AssetImport.State.DONE, (record.state, record.problems)
    assert runner.KINDS  # the job ran through the job runner
    return {
        "seconds": seconds,
        "peak_rss_mb": peak_mb(),
        "lines_before": before,
        "created": record.created_lines,
        "updated": record.updated_lines,
    }


def read_once(path: Path) -> dict[str, float]:
    """The baseline, in this process: the file read into text columns and nothing more."""
    start = time.perf_counter()
    pl.read_csv(path, infer_schema=False)
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_mb()}


def child(mode: str, path: Path, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.register_import", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--import", dest="run", type=Path, help=argparse.SUPPRESS)  # a child's part
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(import_once(args.run)))
        return
    if args.read:
        print(json.dumps(read_once(args.read)))
        return
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cfit.settings", "CFIT_DATA_DIR": folder}
        env["CFIT_UPLOAD_DIR"] = str(Path(folder) / "uploads")
        first, second = Path(folder) / "register.csv", Path(folder) / "register-again.csv"
        write_register(first, args.rows, first_key=0, seed=1)
        write_register(second, args.rows, first_key=args.rows // 2, seed=2)
        file_mb = first.stat().st_size / 1e6
        cfit = str(Path(sys.executable).with_name("cfit"))
        subprocess.run([cfit, "migrate", "--no-input"], check=True, capture_output=True, env=env)
        if os.environ.get("DATABASE_URL"):
            subprocess.run(
                [
                    cfit,
                    "shell",
                    "-c",
                    f"from cfit.fleet.models import Asset; Asset.unscoped.filter(organisation__slug={SLUG!r}).delete()",
                ],
                check=True,
                capture_output=True,
                env=env,
            )
        empty = child("--import", first, env)
        full = child("--import", second, env)
        read = child("--read", first, env)
    engine = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    print(
        json.dumps(
            {
                "rows": args.rows,
                "database": engine,
                "file_mb": round(file_mb, 1),
                "into_empty": {k: round(v, 2) if isinstance(v, float) else v for k, v in empty.items()},
                "into_full": {k: round(v, 2) if isinstance(v, float) else v for k, v in full.items()},
                "read_only_seconds": round(read["seconds"], 3),
                "read_only_peak_rss_mb": round(read["peak_rss_mb"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
