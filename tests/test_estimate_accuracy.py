"""The accuracy benchmark scores the engine as it is used, beside its baselines, out of sample."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from bench import estimate_accuracy as bench
from cfit.impact.pcf import read_pcf_csv


@pytest.fixture(scope="module")
def declarations() -> pl.DataFrame:
    path = bench.default_pcf()
    if not path.exists():
        pytest.skip(f"the Boavizta data set is not at {path}")
    return read_pcf_csv(path.read_bytes(), path.name)[0]


def test_a_register_line_holds_only_what_registers_hold(declarations: pl.DataFrame) -> None:
    monitors = declarations.filter(pl.col("product_group") == "monitors").head(3)
    desktops = declarations.filter(pl.col("product_group") == "desktops").head(3)

    monitor_lines = bench.as_register_input(monitors, "monitors", "realistic")
    desktop_lines = bench.as_register_input(desktops, "desktops", "realistic")
    everything = bench.as_register_input(monitors, "monitors", "all")

    for spec in ("weight_kg", "yearly_kwh", "memory_gb", "storage_gb", "number_cpu"):
        assert monitor_lines.get_column(spec).null_count() == 3
    assert (
        monitor_lines.get_column("screen_size_in").to_list()
        == monitors.get_column("screen_size_in").to_list()
    )
    assert desktop_lines.get_column("screen_size_in").null_count() == 3
    assert everything.get_column("yearly_kwh").to_list() == monitors.get_column("yearly_kwh").to_list()


def test_the_two_splits_hold_out_rows_or_whole_documents() -> None:
    documents = ["a", "a", "b", "b", "c", "d", "e", "f", "g", "h"]

    rows = bench.row_folds(len(documents), 1)
    whole = bench.document_folds(documents, 1)

    assert sorted(np.bincount(rows).tolist()) == [2, 2, 2, 2, 2]
    assert whole[0] == whole[1] and whole[2] == whole[3]


def test_a_group_is_scored_with_its_baselines_and_coverage(declarations: pl.DataFrame) -> None:
    scores = bench.score_group(
        declarations, "smartphones", "rows", 2026, lambda rows: np.ones(rows.height, dtype=bool)
    )

    assert scores["rows"] == 38
    for name in ("group_median", "maker_median", "nearest_name"):
        assert 0 < scores[name] < 1
    for kind in ("realistic", "all"):
        assert 0 < scores[kind]["engine"] < 1 and 0 <= scores[kind]["coverage"] <= 1
        assert sum(m["rows"] for m in scores[kind]["by_method"].values()) == 38
