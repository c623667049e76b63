"""Estimate a device's embodied footprint from its specs, fitted on manufacturers' footprints.

Per product group, a ridge regression predicts ``log(embodied kgCO2e)`` from the logs of the specs a
register knows (screen size, mass, memory, storage, processors, yearly energy), the year of the
device and its manufacturer. Logs, because footprints scale multiplicatively with size. A spec that
a device lacks is filled with the group's median and flagged, so one fitted model serves every mix
of known specs. The range of an estimate comes from the model's own out-of-fold errors: the 10th
and 90th percentile of ``log(declared / estimated)`` on devices it was not fitted with.

``cross_validate`` scores the method the honest way: folds are whole footprint documents (the same
sheet often covers several variants of one model), so a device is never scored by a model that saw it
or its sibling. Plain Python and numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

Floats = npt.NDArray[np.float64]

#: Specs the estimator may use, as the register names them.
SPECS = ("screen_size_in", "weight_kg", "memory_gb", "storage_gb", "number_cpu", "yearly_kwh")
MIN_COVERAGE = 0.2  #: a spec enters a group's model when at least this share of its footprints state it
MIN_ROWS = 15  #: fewer footprints than this in a group: no model, the group default applies
MIN_MAKER_ROWS = 5  #: a manufacturer gets its own term with at least this many footprints
RIDGE = 1.0
INTERVAL = (0.1, 0.9)  #: the quantiles of out-of-fold log errors that form an estimate's range
FOLDS = 5


@dataclass(frozen=True)
class GroupModel:
    """A fitted model of one product group, storable as JSON (``as_dict`` / ``from_dict``)."""

    group: str
    specs: tuple[str, ...]
    medians: tuple[float, ...]  #: the fill value of each spec (log space)
    year_median: float
    makers: tuple[str, ...]
    mean: tuple[float, ...]  #: feature means and scales of the standardisation
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    log_low: float  #: out-of-fold error quantiles (log space) that form the range
    log_high: float
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupModel:
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)

    def features(self, frame: pl.DataFrame) -> tuple[Floats, npt.NDArray[np.bool_]]:
        """The design matrix of a frame with register columns, and which rows state at least one spec."""
        exprs: list[pl.Expr] = []
        stated: list[pl.Expr] = []
        for spec, median in zip(self.specs, self.medians, strict=True):
            raw = pl.col(spec).cast(pl.Float64) if spec in frame.columns else pl.lit(None, pl.Float64)
            known = (raw > 0).fill_null(False)
            stated.append(known)
            exprs.append(pl.when(known).then(raw.log()).otherwise(median).alias(f"{spec}"))
            exprs.append((~known).cast(pl.Float64).alias(f"{spec}_missing"))
        year = pl.col("year").cast(pl.Float64) if "year" in frame.columns else pl.lit(None, pl.Float64)
        exprs.append((year.fill_null(self.year_median) - self.year_median).alias("year_offset"))
        maker = pl.col("maker") if "maker" in frame.columns else pl.lit("", pl.String)
        exprs.extend((maker == m).fill_null(False).cast(pl.Float64).alias(f"maker_{m}") for m in self.makers)
        any_stated = pl.any_horizontal(stated) if stated else pl.lit(False)
        table = frame.select(*exprs, any_stated.alias("_stated"))
        matrix = table.drop("_stated").to_numpy().astype(np.float64)
        return matrix, table.get_column("_stated").to_numpy().astype(bool)

    def log_estimate(self) -> tuple[pl.Expr, pl.Expr]:
        """The model as polars expressions: ``log(kgCO2e)`` and whether a row states a spec.

        The same arithmetic as ``features`` followed by the standardisation and the dot product, but
        evaluated column by column, so no design matrix is ever built (a register may have millions
        of lines)."""
        mean, scale, coef = self.mean, self.scale, self.coef
        terms: list[pl.Expr] = []
        stated: list[pl.Expr] = []
        column = 0

        def term(feature: pl.Expr) -> pl.Expr:
            nonlocal column
            weight = coef[column] / scale[column]
            out = (feature - mean[column]) * weight
            column += 1
            return out

        for spec, median in zip(self.specs, self.medians, strict=True):
            raw = pl.col(spec).cast(pl.Float64)
            known = (raw > 0).fill_null(False)
            stated.append(known)
            terms.append(term(pl.when(known).then(raw.log()).otherwise(median)))
            terms.append(term((~known).cast(pl.Float64)))
        terms.append(term(pl.col("year").cast(pl.Float64).fill_null(self.year_median) - self.year_median))
        for maker in self.makers:
            terms.append(term((pl.col("maker") == maker).fill_null(False).cast(pl.Float64)))
        log_value = pl.sum_horizontal(terms) + self.intercept if terms else pl.lit(self.intercept)
        return log_value, (pl.any_horizontal(stated) if stated else pl.lit(False))

    def predict(self, frame: pl.DataFrame) -> tuple[Floats, Floats, Floats, npt.NDArray[np.bool_]]:
        """Central value, low and high (kgCO2e), and whether each row had a spec to estimate from."""
        missing = [c for c in (*self.specs, "year", "maker") if c not in frame.columns]
        frame = frame.with_columns(
            pl.lit(None, pl.String if c == "maker" else pl.Float64).alias(c) for c in missing
        )
        log_value, stated = self.log_estimate()
        table = frame.select(log_value.alias("log"), stated.alias("stated"))
        logs = table.get_column("log").to_numpy().astype(np.float64)
        return (
            np.exp(logs),
            np.exp(logs + self.log_low),
            np.exp(logs + self.log_high),
            table.get_column("stated").to_numpy().astype(bool),
        )


def _column(frame: pl.DataFrame, name: str) -> Floats:
    if name not in frame.columns:
        return np.full(frame.height, np.nan)
    return frame.get_column(name).cast(pl.Float64).fill_null(float("nan")).to_numpy().astype(np.float64)


def _fit_once(group: str, train: pl.DataFrame) -> GroupModel:
    target = np.log(train.get_column("embodied").to_numpy().astype(np.float64))
    specs = tuple(
        s
        for s in SPECS
        if s in train.columns and train.get_column(s).drop_nulls().len() >= MIN_COVERAGE * train.height
    )
    medians = tuple(float(np.nanmedian(np.log(_column(train, s)))) for s in specs)
    years = _column(train, "year")
    year_median = float(np.nanmedian(years)) if not np.all(np.isnan(years)) else 2020.0
    counts = train.get_column("maker").value_counts()
    makers = tuple(sorted(counts.filter(pl.col("count") >= MIN_MAKER_ROWS).get_column("maker").to_list()))
    draft = GroupModel(group, specs, medians, year_median, makers, (), (), (), 0.0, 0.0, 0.0, train.height)
    matrix, _ = draft.features(train)
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    standard = (matrix - mean) / scale
    intercept = float(target.mean())
    gram = standard.T @ standard + RIDGE * np.eye(standard.shape[1])
    coef = np.linalg.solve(gram, standard.T @ (target - intercept))
    return GroupModel(
        group,
        specs,
        medians,
        year_median,
        makers,
        tuple(mean),
        tuple(scale),
        tuple(coef),
        intercept,
        0.0,
        0.0,
        train.height,
    )


def _prepare(table: pl.DataFrame) -> pl.DataFrame:
    from cfit.impact.matching import normalise_manufacturer

    makers = [normalise_manufacturer(m) for m in table.get_column("manufacturer").to_list()]
    return table.with_columns(pl.Series("maker", makers, dtype=pl.String))


def _folds(table: pl.DataFrame, folds: int, seed: int) -> npt.NDArray[np.int64]:
    """A fold per footprint document, shuffled: variants of one sheet stay on the same side."""
    documents = table.get_column("document").to_list()
    unique = sorted(set(documents))
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = {doc: int(order[i] % folds) for i, doc in enumerate(unique)}
    return np.array([fold_of[d] for d in documents], dtype=np.int64)


@dataclass(frozen=True)
class Validation:
    group: str
    rows: int
    estimate_mdape: float  #: median absolute percentage error of the estimate, out of fold
    median_mdape: float  #: the same for the naive baseline: the training folds' group median
    log_errors: tuple[float, ...]


def cross_validate(pcf: pl.DataFrame, group: str, folds: int = FOLDS, seed: int = 2026) -> Validation:
    """Out-of-fold errors of the estimator and of the group median, on whole documents held out."""
    table = _prepare(pcf.filter(pl.col("product_group") == group))
    fold = _folds(table, folds, seed)
    truth = table.get_column("embodied").to_numpy().astype(np.float64)
    estimate = np.full(table.height, np.nan)
    baseline = np.full(table.height, np.nan)
    for k in range(folds):
        held = fold == k
        if not held.any() or (~held).sum() < 3:
            continue
        train = table.filter(pl.Series(~held))
        test = table.filter(pl.Series(held))
        model = _fit_once(group, train)
        estimate[held] = model.predict(test)[0]
        baseline[held] = float(np.median(train.get_column("embodied").to_numpy()))
    ok = ~np.isnan(estimate)
    return Validation(
        group,
        int(ok.sum()),
        float(np.median(np.abs(estimate[ok] - truth[ok]) / truth[ok])),
        float(np.median(np.abs(baseline[ok] - truth[ok]) / truth[ok])),
        tuple(np.log(truth[ok] / estimate[ok]).tolist()),
    )


def fit_group(pcf: pl.DataFrame, group: str) -> GroupModel | None:
    """The group's model fitted on all its footprints, with its range from out-of-fold errors."""
    table = _prepare(pcf.filter(pl.col("product_group") == group))
    if table.height < MIN_ROWS:
        return None
    validation = cross_validate(pcf, group)
    model = _fit_once(group, table)
    low, high = np.quantile(np.asarray(validation.log_errors), INTERVAL)
    return GroupModel(
        **{**model.__dict__, "log_low": float(min(low, 0.0)), "log_high": float(max(high, 0.0))}
    )


@dataclass(frozen=True)
class Estimator:
    """The fitted models of all product groups, with where they came from."""

    models: Mapping[str, GroupModel]
    source: str  #: the footprint data the models were fitted on

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "models": {g: m.as_dict() for g, m in self.models.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Estimator:
        return cls({g: GroupModel.from_dict(m) for g, m in data["models"].items()}, str(data["source"]))


def fit(pcf: pl.DataFrame, source: str, groups: Sequence[str] | None = None) -> Estimator:
    """Fit every product group that has enough footprints."""
    wanted = groups or sorted(set(pcf.get_column("product_group").to_list()))
    models = {g: m for g in wanted if (m := fit_group(pcf, g)) is not None}
    return Estimator(models, source)
