"""How well the spec-based estimate predicts manufacturers' declared embodied footprints.

``python -m bench.estimate_accuracy`` reads the Boavizta footprints from ``../shared/data`` and, per
product group, runs a five-fold cross-validation in which whole footprint documents are held out (the
variants of one sheet never sit on both sides), so no device is scored by a model fitted on it. The
naive baseline, measured on the same folds, is the training folds' group median. The truth is the
declared embodied footprint, ``gwp_total × (1 − gwp_use_ratio)``. Prints one JSON line with, per
group, the median absolute percentage error (MdAPE) of both and their ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cfit.impact.estimate import FOLDS, cross_validate
from cfit.impact.pcf import read_pcf_csv

PCF = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "boavizta-pcf" / "boavizta-data-us.csv"
GROUPS = ("notebooks", "desktops", "monitors", "smartphones", "tablets", "servers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pcf", type=Path, default=PCF)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not args.pcf.exists():
        sys.exit(f"{args.pcf} not found: pass --pcf with the Boavizta footprint CSV")
    table, _ = read_pcf_csv(args.pcf.read_bytes(), args.pcf.name)
    start = time.perf_counter()
    groups = {}
    for group in GROUPS:
        result = cross_validate(table, group, seed=args.seed)
        groups[group] = {
            "rows": result.rows,
            "estimate_mdape": round(result.estimate_mdape, 4),
            "median_mdape": round(result.median_mdape, 4),
            "error_ratio": round(result.estimate_mdape / result.median_mdape, 3),
        }
    print(
        json.dumps(
            {
                "folds": FOLDS,
                "held_out": "whole footprint documents",
                "groups": groups,
                "beats_median": sorted(
                    g for g, r in groups.items() if r["estimate_mdape"] < r["median_mdape"]
                ),
                "seconds": round(time.perf_counter() - start, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
