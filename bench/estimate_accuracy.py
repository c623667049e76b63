"""How well the engine's embodied footprint predicts manufacturers' declarations it has not seen.

``python -m bench.estimate_accuracy`` reads the Boavizta footprints (the shipped copy, or ``--pcf``)
and scores, per product group, the embodied figure the engine gives a device whose own declaration is
held out, as it is used:

- **inputs**: the headline gives the engine only what a register holds: manufacturer, model name,
  purchase year (the declaration's year) and, for the groups with a screen, the screen size; the
  second figure gives it every spec of the declaration (mass, yearly kWh, memory, storage, ...);
- **splits**: five folds of random rows (a register's device often has siblings in the data, as in
  reality) and five folds of whole documents (the variants of one sheet never on both sides);
- **what is scored**: ``engine``, the engine's whole path with the training folds as its manufacturer
  data (match, else estimate, else the group's default), and ``specs_only``, the same without
  manufacturer data to match or compare with; against three baselines fitted on the same training
  folds: the group's median, the manufacturer's median in the group, and the declaration of the same
  manufacturer's nearest model name (``difflib`` ratio);
- **metrics**: the median absolute percentage error (MdAPE) and, for the engine, the share of true
  values inside each figure's low-high range against the coverage the range states.

The truth is the declared embodied footprint, ``gwp_total × (1 − gwp_use_ratio)``. Nothing is tuned
on the held-out rows: every fit (defaults, estimator, its ranges) sees the training folds only.
``--part`` scores only the rows of one part of the documents (``dev`` or ``lockbox``: a stable third
of the documents, by hash, never looked at while the method was developed). Prints one JSON line;
``--table`` prints a readable table instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import hashlib
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from cfit.impact import estimate, fleet
from cfit.impact.families import DEVICE_WORDS
from cfit.impact.figures import Span
from cfit.impact.matching import normalise_manufacturer
from cfit.impact.pcf import read_pcf_csv
from cfit.impact.reference import Reference, load_factors
from cfit.impact.register import as_register

SHARED = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "boavizta-pcf" / "boavizta-data-us.csv"
)
GROUPS = ("notebooks", "desktops", "monitors", "smartphones", "tablets", "servers")
#: Groups whose devices have a screen, whose size a register often states.
SCREEN_GROUPS = frozenset({"notebooks", "monitors", "tablets", "smartphones"})
SPECS = ("screen_size_in", "weight_kg", "memory_gb", "storage_gb", "number_cpu", "yearly_kwh")
FOLDS = 5
AS_OF = date(2026, 1, 1)
Scores = dict[str, Any]


def default_pcf() -> Path:
    """The shipped copy of the Boavizta data when there is one, else the shared one."""
    try:
        from cfit.impact.reference import SHIPPED_PCF

        if SHIPPED_PCF.exists():
            return SHIPPED_PCF
    except ImportError:
        pass
    return SHARED


def row_folds(height: int, seed: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    order = np.random.default_rng(seed).permutation(height)
    fold = np.empty(height, dtype=np.int64)
    fold[order] = np.arange(height) % FOLDS
    return fold


def document_folds(documents: list[str], seed: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    unique = sorted(set(documents))
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = {doc: int(order[i] % FOLDS) for i, doc in enumerate(unique)}
    return np.array([fold_of[d] for d in documents], dtype=np.int64)


def lockbox(documents: list[str]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """A stable third of the documents, set aside while the method was developed."""
    return np.array([hashlib.sha1(d.encode()).digest()[0] % 3 == 0 for d in documents], dtype=bool)


def as_register_input(test: pl.DataFrame, group: str, inputs: str) -> pl.DataFrame:
    """The held-out declarations as register lines: what a register would hold about each device."""
    year = pl.col("year").cast(pl.Int32)
    specs = SPECS if inputs == "all" else (("screen_size_in",) if group in SCREEN_GROUPS else ())
    frame = test.select(
        pl.int_range(pl.len()).cast(pl.Int64).alias("row"),
        pl.col("product_group"),
        pl.col("manufacturer"),
        pl.col("model"),
        pl.lit(1, pl.Int64).alias("quantity"),
        pl.when(year.is_not_null()).then(pl.date(year, 6, 30)).alias("purchase_date"),
        pl.lit("new").alias("condition"),
        pl.lit("bought").alias("acquisition"),
        pl.lit("NL").alias("country"),
        pl.lit("in_use").alias("status"),
        pl.lit(f"{group}-test").alias("asset_key"),
        *[
            (pl.col(s) if s in specs else pl.lit(None, pl.Float64)).cast(pl.Float64).alias(s)
            for s in SPECS
            if s != "number_cpu"
        ],
        (pl.col("number_cpu") if "number_cpu" in specs else pl.lit(None)).cast(pl.Int64).alias("number_cpu"),
    )
    return as_register(frame)


def training_reference(base: Reference, train: pl.DataFrame, group: str, with_pcf: bool) -> Reference:
    """The engine's reference as if the training folds were all the manufacturer data there is: the
    group's default and the estimator fitted on them, and them to match against."""
    values = train.get_column("embodied")
    median = float(values.median() or 0.0)
    low = float(values.quantile(0.1, "linear") or median)
    high = float(values.quantile(0.9, "linear") or median)
    groups = dict(base.groups)
    groups[group] = dataclasses.replace(base.groups[group], embodied=Span(low, median, high))
    reference = dataclasses.replace(base, groups=groups)
    reference = reference.with_estimator(estimate.fit(train, "training folds", groups=[group]))
    return reference.with_pcf(train if with_pcf else None, "training folds")


def engine_figures(register: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    lines = fleet.compute_lines(register, reference, AS_OF)
    method = "embodied_method" if "embodied_method" in lines.columns else "embodied_source"
    return lines.sort("row").select(
        "embodied_low", "embodied_value", "embodied_high", pl.col(method).alias("embodied_source")
    )


#: The baseline reads names as the first matcher did: lower-case words, the manufacturer's name and
#: the words that say what a device is dropped, glued generations split ("840g8" is "840 g8").
BASELINE_NOISE = DEVICE_WORDS | {"tower", "sff"}


def folded_name(manufacturer: str, model: str) -> str:
    text = unicodedata.normalize("NFKD", model).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9.]+", " ", text.replace("+", " plus ")).replace(" .", " ").strip()
    text = re.sub(r"(\d)([a-z]{1,2})(\d)", r"\1 \2\3", text)
    drop = BASELINE_NOISE | set(normalise_manufacturer(manufacturer).split())
    return " ".join(t for t in text.split() if t not in drop and t != ".")


def baselines(train: pl.DataFrame, test: pl.DataFrame) -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
    """The three naive predictions of each held-out row, from the training folds only."""
    truth = train.get_column("embodied").to_numpy()
    group_median = float(np.median(truth))
    makers = [normalise_manufacturer(m) for m in train.get_column("manufacturer").to_list()]
    names = [folded_name(m, n) for m, n in train.select("manufacturer", "model").iter_rows()]
    by_maker: dict[str, list[int]] = {}
    for i, maker in enumerate(makers):
        by_maker.setdefault(maker, []).append(i)
    maker_median, nearest = [], []
    for manufacturer, model in test.select("manufacturer", "model").iter_rows():
        rows = by_maker.get(normalise_manufacturer(manufacturer), [])
        if not rows:
            maker_median.append(group_median)
            nearest.append(group_median)
            continue
        maker_median.append(float(np.median(truth[rows])))
        query = folded_name(manufacturer, model)
        best = max(rows, key=lambda i: difflib.SequenceMatcher(None, query, names[i]).ratio())
        nearest.append(float(truth[best]))
    height = test.height
    return {
        "group_median": np.full(height, group_median),
        "maker_median": np.array(maker_median),
        "nearest_name": np.array(nearest),
    }


def mdape(predicted: np.ndarray[Any, Any], truth: np.ndarray[Any, Any]) -> float:
    return round(float(np.median(np.abs(predicted - truth) / truth)), 4)


def score_group(
    table: pl.DataFrame,
    group: str,
    split: str,
    seed: int,
    scored: Callable[[pl.DataFrame], np.ndarray[Any, Any]],
) -> Scores:
    """Every prediction of one group out of fold, then its scores over the rows ``scored`` keeps."""
    rows = table.filter(pl.col("product_group") == group)
    documents = rows.get_column("document").to_list()
    fold = row_folds(rows.height, seed) if split == "rows" else document_folds(documents, seed)
    truth = rows.get_column("embodied").to_numpy()
    base = load_factors()
    kinds = ("realistic", "all")
    predicted: dict[str, np.ndarray[Any, Any]] = {}
    for kind in kinds:
        for name in ("engine", "engine_low", "engine_high", "specs_only"):
            predicted[f"{kind}:{name}"] = np.full(rows.height, np.nan)
    sources: dict[str, list[str]] = {kind: [""] * rows.height for kind in kinds}
    for name in ("group_median", "maker_median", "nearest_name"):
        predicted[name] = np.full(rows.height, np.nan)
    for k in range(FOLDS):
        held = fold == k
        if not held.any() or (~held).sum() < 3:
            continue
        train = rows.filter(pl.Series(~held))
        test = rows.filter(pl.Series(held))
        with_pcf = training_reference(base, train, group, with_pcf=True)
        without_pcf = with_pcf.with_pcf(None, "")
        at = np.flatnonzero(held)
        for kind in kinds:
            register = as_register_input(test, group, kind)
            figures = engine_figures(register, with_pcf)
            predicted[f"{kind}:engine"][at] = figures.get_column("embodied_value").to_numpy()
            predicted[f"{kind}:engine_low"][at] = figures.get_column("embodied_low").to_numpy()
            predicted[f"{kind}:engine_high"][at] = figures.get_column("embodied_high").to_numpy()
            for i, source in zip(at, figures.get_column("embodied_source").cast(pl.String), strict=True):
                sources[kind][i] = source
            specs_only = engine_figures(register, without_pcf).get_column("embodied_value").to_numpy()
            predicted[f"{kind}:specs_only"][at] = specs_only
        for name, values in baselines(train, test).items():
            predicted[name][at] = values
    keep = scored(rows) & ~np.isnan(predicted["realistic:engine"])
    out: Scores = {"rows": int(keep.sum())}
    for name in ("group_median", "maker_median", "nearest_name"):
        out[name] = mdape(predicted[name][keep], truth[keep])
    for kind in kinds:
        value = predicted[f"{kind}:engine"][keep]
        inside = (predicted[f"{kind}:engine_low"][keep] <= truth[keep]) & (
            truth[keep] <= predicted[f"{kind}:engine_high"][keep]
        )
        kept_sources = np.array([s for s, k in zip(sources[kind], keep, strict=True) if k])
        out[kind] = {
            "engine": mdape(value, truth[keep]),
            "specs_only": mdape(predicted[f"{kind}:specs_only"][keep], truth[keep]),
            "coverage": round(float(inside.mean()), 3),
            "by_method": {
                str(s): {
                    "rows": int((kept_sources == s).sum()),
                    "mdape": mdape(value[kept_sources == s], truth[keep][kept_sources == s]),
                    "coverage": round(float(inside[kept_sources == s].mean()), 3),
                }
                for s in sorted(set(kept_sources.tolist()))
            },
        }
    baseline_best = min(out["group_median"], out["maker_median"], out["nearest_name"])
    out["beats_baselines"] = out["realistic"]["engine"] < baseline_best
    return out


def stated_coverage() -> float:
    low, high = estimate.INTERVAL
    return round(high - low, 2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pcf", type=Path, default=None, help="Boavizta footprint CSV (default: the shipped copy)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--part", choices=["all", "dev", "lockbox"], default="all")
    parser.add_argument("--groups", nargs="*", default=list(GROUPS))
    parser.add_argument("--table", action="store_true", help="a readable table instead of JSON")
    args = parser.parse_args()
    path: Path = args.pcf or default_pcf()
    if not path.exists():
        sys.exit(f"{path} not found: pass --pcf with the Boavizta footprint CSV")
    table, _ = read_pcf_csv(path.read_bytes(), path.name)

    def scored(rows: pl.DataFrame) -> np.ndarray[Any, Any]:
        box = lockbox(rows.get_column("document").to_list())
        return {"all": np.ones(rows.height, dtype=bool), "dev": ~box, "lockbox": box}[args.part]

    start = time.perf_counter()
    splits = {
        split: {group: score_group(table, group, split, args.seed, scored) for group in args.groups}
        for split in ("rows", "documents")
    }
    result = {
        "method": fleet_method_version(),
        "folds": FOLDS,
        "seed": args.seed,
        "part": args.part,
        "inputs": {
            "realistic": "manufacturer, model, purchase year; screen size in "
            + ", ".join(sorted(SCREEN_GROUPS)),
            "all": "every spec of the declaration",
        },
        "stated_coverage": stated_coverage(),
        "splits": splits,
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.table:
        print_table(result)
    else:
        print(json.dumps(result))


def fleet_method_version() -> str:
    from cfit.impact.figures import METHOD_VERSION

    return METHOD_VERSION


def print_table(result: dict[str, Any]) -> None:
    print(
        f"method {result['method']}, part {result['part']}, seed {result['seed']}, "
        f"stated coverage {result['stated_coverage']:.0%}"
    )
    header = (
        f"{'split':10} {'group':12} {'rows':>5} | {'engine':>7} {'specs':>7} {'cover':>6} | "
        f"{'all:eng':>7} {'cover':>6} | {'group':>7} {'maker':>7} {'name':>7} | beats"
    )
    print(header)
    for split, groups in result["splits"].items():
        for group, s in groups.items():
            print(
                f"{split:10} {group:12} {s['rows']:>5} | {s['realistic']['engine']:>7.1%} "
                f"{s['realistic']['specs_only']:>7.1%} {s['realistic']['coverage']:>6.0%} | "
                f"{s['all']['engine']:>7.1%} {s['all']['coverage']:>6.0%} | {s['group_median']:>7.1%} "
                f"{s['maker_median']:>7.1%} {s['nearest_name']:>7.1%} | {s['beats_baselines']}"
            )


if __name__ == "__main__":
    main()
