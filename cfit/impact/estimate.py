"""Estimate a device's embodied footprint from what its register line says, fitted on manufacturers'
declarations.

A register knows a device's manufacturer, model name and purchase date, sometimes its screen size,
rarely its mass or yearly energy. Two sources of evidence, blended per product group:

- **siblings**: the declarations of the same manufacturer's closest models (``matching``), ranked by
  a distance that weighs what differs between two names (series, model number digit by digit,
  suffix, generation, form factor, variant, screen size, year). The weights are learned from the
  declarations: a robust non-negative regression of how far apart two declarations of one
  manufacturer are (``|log(a / b)|``) on what differs between their names, refitted on each
  declaration's nearest pairs, since only near siblings are ever used. The estimate is the weighted
  median of the nearest ``NEIGHBOURS`` (weight ``1 / (floor + distance)²``);
- **regression on the specs the line states**: a ridge regression of ``log(embodied)`` per pattern
  of stated specs (screen size, mass, memory, storage, processors, yearly kWh; a spec enters a
  group's patterns when at least ``MIN_COVERAGE`` of its declarations state it), each fitted only on
  the declarations that state those specs, with the year and the manufacturer. A line never leans
  on a spec it lacks: it takes the pattern of what it states.

How much the siblings weigh against the regression, and the range of the result, are measured, not
assumed: each declaration is estimated as if it were unknown (its siblings without itself, the
regression out of fold), the declarations are put in buckets by the distance of their nearest
sibling, and per pattern and bucket the blend weight is the inverse-variance one (robust variances
of both errors) and the range the 10th and 90th percentiles of the blended errors. A line's figure
thus carries the measured error of the path it took. Plain Python and numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from cfit.impact.families import DIFFERENCES, YEAR, NameTable, alternates, differences, parse_model
from cfit.impact.matching import ModelIndex, Siblings, normalise_manufacturer

Floats = npt.NDArray[np.float64]
#: Normalised manufacturers of lines, as codes into a list of names (cheap to compare on millions).
Makers = tuple[npt.NDArray[np.int64], Sequence[str]]

#: Specs the estimator may use, as the register names them.
SPECS = ("screen_size_in", "weight_kg", "memory_gb", "storage_gb", "number_cpu", "yearly_kwh")
#: The groups whose registers usually state a screen size.
SCREEN_GROUPS = frozenset({"notebooks", "monitors", "tablets", "smartphones"})
MIN_COVERAGE = 0.2  #: a spec enters a group's patterns when at least this share of its declarations state it
MIN_ROWS = 15  #: fewer declarations than this in a group: no model, the group default applies
MIN_PATTERN_ROWS = 12  #: a pattern of specs needs this many declarations that state them all
MIN_MAKER_ROWS = 5  #: a manufacturer gets its own term with at least this many declarations
MIN_PATH_ROWS = 20  #: a bucket with fewer declarations borrows its calibration from the whole pattern
RIDGE = 1.0
INTERVAL = (0.1, 0.9)  #: the quantiles of the measured log errors that form an estimate's range
FOLDS = 5
NEIGHBOURS = 5  #: declared siblings blended
#: Declarations of one manufacturer a group is fitted on: the distance fit compares every pair, so its
#: time and memory grow with the square; the largest in the Boavizta data set has 162.
MAX_MAKER_ROWS = 200
NEAR_PAIRS = 10  #: the distance is refitted on each declaration's nearest pairs
REFITS = 2
BUCKETS = (0.25, 0.5, 0.75)  #: quantiles of the nearest sibling's distance that bound the buckets
#: How an estimate was formed, as ``Estimates.method`` gives it.
METHODS = ("siblings", "siblings+specs", "specs")


# -- the parts of a fitted model, storable as JSON ------------------------------------------------


@dataclass(frozen=True)
class Regression:
    """Ridge regression of ``log(embodied)`` on the log specs of one pattern, the year and the maker."""

    specs: tuple[str, ...]
    makers: tuple[str, ...]
    year_median: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    rows: int

    def design(
        self, specs: Mapping[str, Floats], years: Floats, makers: Makers | npt.NDArray[np.str_]
    ) -> Floats:
        columns = [np.log(specs[s]) for s in self.specs]
        columns.append(np.where(np.isnan(years), self.year_median, years) - self.year_median)
        if isinstance(makers, tuple):
            codes, names = makers
            where = {name: i for i, name in enumerate(names)}
            columns.extend((codes == where.get(m, -1)).astype(np.float64) for m in self.makers)
        else:
            columns.extend((makers == m).astype(np.float64) for m in self.makers)
        return np.column_stack(columns) if columns else np.zeros((len(years), 0))

    def predict(
        self, specs: Mapping[str, Floats], years: Floats, makers: Makers | npt.NDArray[np.str_]
    ) -> Floats:
        matrix = self.design(specs, years, makers)
        standard = (matrix - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(standard @ np.asarray(self.coef) + self.intercept, dtype=np.float64)


@dataclass(frozen=True)
class Path:
    """The calibration of one path: how much the siblings weigh, and the measured range (log)."""

    weight: float  #: the siblings' weight in the blend; 0 is the regression alone
    log_low: float
    log_high: float
    rows: int  #: declarations the calibration was measured on


@dataclass(frozen=True)
class PatternModel:
    regression: Regression
    #: One path per bucket of the nearest sibling's distance (``GroupModel.edges``), then the path of
    #: a line without any sibling (an unknown manufacturer, or no declaration data at hand).
    paths: tuple[Path, ...]
    #: The same for the lines that state no purchase year (their siblings ranked without it).
    paths_no_year: tuple[Path, ...] = ()


@dataclass(frozen=True)
class GroupModel:
    """The fitted estimator of one product group."""

    group: str
    specs: tuple[str, ...]  #: the specs its patterns may use
    floor: float  #: how far apart two declarations that differ in nothing are (log)
    weights: tuple[float, ...]  #: per difference (``families.DIFFERENCES``), log per unit
    neighbours: int
    edges: tuple[float, ...]  #: bucket bounds of the nearest sibling's distance
    patterns: Mapping[str, PatternModel]  #: by the pattern's specs joined with "+" ("" for none)
    rows: int
    #: Out-of-fold accuracy with what a register states (see ``fit_group``): rows, the MdAPE of the
    #: estimate and of the group median.
    validation: Mapping[str, float] = field(default_factory=dict)
    #: The distance for lines that state no purchase year (``fit_distance(year=False)``).
    floor_no_year: float = 0.0
    weights_no_year: tuple[float, ...] = ()

    def distance_for(self, year_known: bool) -> tuple[float, tuple[float, ...]]:
        if year_known or not self.weights_no_year:
            return self.floor, self.weights
        return self.floor_no_year, self.weights_no_year

    def pattern_for(self, stated: frozenset[str]) -> str:
        """The fitted pattern with the most of the stated specs and no other."""
        best = ""
        for key in self.patterns:
            specs = frozenset(key.split("+")) - {""}
            if specs <= stated and len(specs) > len(frozenset(best.split("+")) - {""}):
                best = key
        return best

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "specs": list(self.specs),
            "floor": self.floor,
            "weights": dict(zip(DIFFERENCES, self.weights, strict=True)),
            "neighbours": self.neighbours,
            "edges": list(self.edges),
            "rows": self.rows,
            "validation": dict(self.validation),
            "floor_no_year": self.floor_no_year,
            "weights_no_year": dict(zip(DIFFERENCES, self.weights_no_year, strict=True)),
            "patterns": {
                key: {
                    "regression": {
                        k: list(v) if isinstance(v, tuple) else v for k, v in vars(p.regression).items()
                    },
                    "paths": [vars(path) for path in p.paths],
                    "paths_no_year": [vars(path) for path in p.paths_no_year],
                }
                for key, p in self.patterns.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupModel:
        patterns = {
            key: PatternModel(
                _regression(p["regression"]),
                tuple(Path(**path) for path in p["paths"]),
                tuple(Path(**path) for path in p.get("paths_no_year", [])),
            )
            for key, p in data["patterns"].items()
        }
        weights = data["weights"]
        return cls(
            data["group"],
            tuple(data["specs"]),
            float(data["floor"]),
            tuple(float(weights.get(name, 0.0)) for name in DIFFERENCES),
            int(data["neighbours"]),
            tuple(data["edges"]),
            patterns,
            int(data["rows"]),
            {k: float(v) for k, v in data.get("validation", {}).items()},
            float(data.get("floor_no_year", 0.0)),
            tuple(float(data.get("weights_no_year", {}).get(n, 0.0)) for n in DIFFERENCES)
            if data.get("weights_no_year")
            else (),
        )


def _regression(data: Mapping[str, Any]) -> Regression:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return Regression(**values)


@dataclass(frozen=True)
class Estimator:
    """The fitted models of all product groups, with where they came from."""

    models: Mapping[str, GroupModel]
    source: str  #: the footprint data the models were fitted on

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "models": {g: m.as_dict() for g, m in self.models.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Estimator:
        models = data.get("models", {})
        if any("patterns" not in m for m in models.values()):
            # A fit of an earlier method (stored before cfit-impact-2): no use, the defaults apply.
            return cls({}, str(data.get("source", "")))
        return cls({g: GroupModel.from_dict(m) for g, m in models.items()}, str(data["source"]))


# -- estimating ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimates:
    """Per line: the embodied estimate (kgCO2e) and its range, and how it was formed."""

    value: Floats
    low: Floats
    high: Floats
    method: npt.NDArray[np.int64]  #: index into ``METHODS``
    nearest: npt.NDArray[np.int64]  #: the nearest declared sibling's row (-1: none)
    distance: Floats  #: its distance (inf: none)
    differs: list[tuple[str, ...]]  #: what it differs in (filled when asked to explain)


def _specs(frame: pl.DataFrame, names: Sequence[str]) -> dict[str, Floats]:
    out: dict[str, Floats] = {}
    for name in names:
        if name in frame.columns:
            values = frame.get_column(name).cast(pl.Float64).to_numpy().astype(np.float64)
            out[name] = np.where(values > 0, values, np.nan)
        else:
            out[name] = np.full(frame.height, np.nan)
    return out


def siblings_of(
    model: GroupModel,
    frame: pl.DataFrame,
    index: ModelIndex | None,
    *,
    exclude: Sequence[int] | None = None,
    explain: bool = False,
) -> Siblings:
    """The declared siblings of each line of one group (columns manufacturer, model, screen_size_in,
    year): each distinct line is ranked once, then the result is spread back to the lines."""
    height = frame.height
    none = Siblings(
        np.full(height, np.nan), np.full(height, -1, np.int64), np.full(height, np.inf), [()] * height
    )
    if index is None or height == 0:
        return none
    columns = [pl.col("manufacturer"), pl.col("model"), pl.col("screen_size_in"), pl.col("year")]
    lines = frame.select(
        pl.col("manufacturer").cast(pl.String),
        pl.col("model").cast(pl.String),
        pl.col("screen_size_in").cast(pl.Float64)
        if "screen_size_in" in frame.columns
        else pl.lit(None, pl.Float64),
        pl.col("year").cast(pl.Float64) if "year" in frame.columns else pl.lit(None, pl.Float64),
    )
    if exclude is not None:
        # Each line is its own query: it may not use its own declaration.
        queries = [(m, n, model.group, s, y) for m, n, s, y in lines.iter_rows()]
        return index.siblings(
            queries, model.weights, model.floor, model.neighbours, exclude=exclude, explain=explain
        )
    key = lines.select(pl.struct(columns).hash(seed=0)).to_series()
    first = key.arg_unique()
    distinct = lines[first]
    queries = [(m, n, model.group, s, y) for m, n, s, y in distinct.iter_rows()]
    found = index.siblings(queries, model.weights, model.floor, model.neighbours, explain=explain)
    at = key.replace_strict(key.gather(first), pl.Series(range(len(first)), dtype=pl.Int64)).to_numpy()
    return Siblings(
        found.log_value[at],
        found.nearest[at],
        found.distance[at],
        [found.differs[i] for i in at] if explain else [()] * height,
    )


def estimate_group(
    model: GroupModel, frame: pl.DataFrame, index: ModelIndex | None, *, explain: bool = False
) -> Estimates:
    """The estimate of every line of one product group (a frame with the register's manufacturer,
    model and spec columns and ``year``, the purchase year): siblings and the regression of the
    line's pattern of stated specs, blended and ranged as measured for its path."""
    frame = frame.with_columns(pl.lit(model.group, pl.String).alias("product_group"))
    return estimate_lines({model.group: model}, frame, index, explain=explain)


def estimate_lines(
    models: Mapping[str, GroupModel],
    frame: pl.DataFrame,
    index: ModelIndex | None,
    *,
    explain: bool = False,
    names_from: pl.DataFrame | None = None,
) -> Estimates:
    """The estimate of every line of a register frame (``product_group``, ``manufacturer``, ``model``,
    the spec columns, ``year``; optionally ``_model_key``, a hash of the first three that the caller
    already has, and then, instead of the names, ``_at``, each line's row in ``names_from``). Lines of
    a group without a model get nan.

    Siblings are ranked once per distinct (model, screen size, year), never per line; the regression
    and the blend run on whole columns (a register may have millions of lines)."""
    height = frame.height
    value, low, high = (np.full(height, np.nan) for _ in range(3))
    method = np.full(height, -1, dtype=np.int64)
    nearest = np.full(height, -1, dtype=np.int64)
    distance = np.full(height, np.inf)
    differs: list[tuple[str, ...]] = [()] * height
    if height == 0 or not models:
        return Estimates(value, low, high, method, nearest, distance, differs)
    names = ["product_group", "manufacturer", "model"]
    identity = pl.col("_model_key") if "_model_key" in frame.columns else pl.struct(names).hash(seed=0)
    screen = (
        pl.col("screen_size_in").cast(pl.Float64)
        if "screen_size_in" in frame.columns
        else pl.lit(None, pl.Float64)
    )
    year = pl.col("year").cast(pl.Float64) if "year" in frame.columns else pl.lit(None, pl.Float64)
    key = frame.select(
        pl.struct(identity.alias("m"), screen.alias("s"), year.alias("y")).hash(seed=1)
    ).to_series()
    first = key.arg_unique()
    at = key.replace_strict(key.gather(first), pl.Series(range(len(first)), dtype=pl.Int64)).to_numpy()
    if "_at" in frame.columns and names_from is not None:
        # The names of the distinct lines only, from the caller's frame (no copy of a million texts).
        positions = frame.get_column("_at").gather(first)
        named = names_from.select(
            pl.col("manufacturer").cast(pl.String), pl.col("model").cast(pl.String)
        ).gather(positions)
        distinct = (
            frame.select(
                pl.col("product_group").cast(pl.String), screen.alias("screen_size_in"), year.alias("year")
            )[first]
            .hstack(named)
            .select("product_group", "manufacturer", "model", "screen_size_in", "year")
        )
    else:
        distinct = frame.select(
            pl.col("product_group").cast(pl.String),
            pl.col("manufacturer").cast(pl.String),
            pl.col("model").cast(pl.String),
            screen.alias("screen_size_in"),
            year.alias("year"),
        )[first]
    groups_of = np.asarray(distinct.get_column("product_group").fill_null("").to_numpy()).astype(str)
    # Written manufacturers are few: each is normalised once, then coded by a look-up.
    written = distinct.get_column("manufacturer").fill_null("")
    spellings = written.unique(maintain_order=True).to_list()
    normalised = [normalise_manufacturer(m) for m in spellings]
    maker_names = list(dict.fromkeys(normalised))
    code_of = {name: i for i, name in enumerate(maker_names)}
    makers_of = (
        written.replace_strict(spellings, [code_of[n] for n in normalised], return_dtype=pl.Int64)
        .to_numpy()
        .astype(np.int64)
    )
    group_names = list(models)
    group_of = (
        pl.Series(groups_of.tolist(), dtype=pl.String)
        .replace_strict(group_names, list(range(len(group_names))), default=-1, return_dtype=pl.Int64)
        .to_numpy()
        .astype(np.int64)
    )
    # Siblings, per distinct line.
    sibling_log = np.full(len(first), np.nan)
    sibling_row = np.full(len(first), -1, dtype=np.int64)
    sibling_distance = np.full(len(first), np.inf)
    sibling_differs: list[tuple[str, ...]] = [()] * len(first)
    if index is not None:
        manufacturers = distinct.get_column("manufacturer").to_list()
        names_of = distinct.get_column("model").to_list()
        sizes = distinct.get_column("screen_size_in").to_list()
        purchase_years = distinct.get_column("year")
        dated = purchase_years.is_not_null().to_numpy()
        purchased = purchase_years.to_list()
        for code, (group, model) in enumerate(models.items()):
            chosen = np.flatnonzero(group_of == code)
            if not len(chosen):
                continue
            for year_known in (True, False):
                part = chosen[dated[chosen] == year_known]
                if not len(part):
                    continue
                floor, weights = model.distance_for(year_known)
                found = index.siblings(
                    [(manufacturers[i], names_of[i], group, sizes[i], purchased[i]) for i in part.tolist()],
                    weights,
                    floor,
                    model.neighbours,
                    explain=explain,
                )
                sibling_log[part] = found.log_value
                sibling_row[part] = found.nearest
                sibling_distance[part] = found.distance
                if explain:
                    for i, what in zip(part, found.differs, strict=True):
                        sibling_differs[i] = what
    # The regression and the blend, per line.
    groups = group_of[at]
    makers = makers_of[at]
    years = frame.select(year).to_series().to_numpy().astype(np.float64)
    line_log = sibling_log[at]
    line_distance = sibling_distance[at]
    wanted_specs = sorted({s for m in models.values() for s in m.specs})
    specs = _specs(frame, wanted_specs)
    for code, model in enumerate(models.values()):
        rows = np.flatnonzero(groups == code)
        if not len(rows):
            continue
        part = _combine(
            model,
            {s: specs[s][rows] for s in model.specs},
            years[rows],
            (makers[rows], maker_names),
            line_log[rows],
            line_distance[rows],
        )
        value[rows], low[rows], high[rows], method[rows] = part
    nearest = sibling_row[at]
    distance = line_distance
    if explain:
        differs = [sibling_differs[i] for i in at]
    return Estimates(value, low, high, method, nearest, distance, differs)


def _combine(
    model: GroupModel,
    specs: Mapping[str, Floats],
    years: Floats,
    makers: Makers,
    sibling_log: Floats,
    sibling_distance: Floats,
) -> tuple[Floats, Floats, Floats, npt.NDArray[np.int64]]:
    height = len(years)
    stated = np.zeros(height, dtype=np.int64)
    for bit, name in enumerate(model.specs):
        stated |= (~np.isnan(specs[name])).astype(np.int64) << bit
    value = np.full(height, np.nan)
    low = np.full(height, np.nan)
    high = np.full(height, np.nan)
    method = np.full(height, METHODS.index("specs"), dtype=np.int64)
    has_sibling = np.isfinite(sibling_distance) & ~np.isnan(sibling_log)
    bucket = np.where(
        has_sibling,
        np.searchsorted(np.asarray(model.edges), sibling_distance, side="right"),
        len(model.edges) + 1,
    )
    for mask in np.unique(stated):
        rows = np.flatnonzero(stated == mask)
        names = frozenset(n for bit, n in enumerate(model.specs) if mask >> bit & 1)
        pattern = model.patterns.get(model.pattern_for(names))
        if pattern is None:
            continue
        regression = pattern.regression.predict(
            {s: specs[s][rows] for s in pattern.regression.specs}, years[rows], (makers[0][rows], makers[1])
        )
        # Paths of the lines with a purchase year, then of those without (their own calibration).
        offset = len(pattern.paths)
        paths = pattern.paths + (pattern.paths_no_year or pattern.paths)
        path = bucket[rows] + np.where(np.isnan(years[rows]), offset, 0)
        weight = np.array([p.weight for p in paths])[path]
        sibling = np.nan_to_num(sibling_log[rows])
        blended = np.where(weight > 0, weight * sibling + (1 - weight) * regression, regression)
        value[rows] = np.exp(blended)
        low[rows] = np.exp(blended + np.array([p.log_low for p in paths])[path])
        high[rows] = np.exp(blended + np.array([p.log_high for p in paths])[path])
        method[rows] = np.where(
            weight >= 1, METHODS.index("siblings"), np.where(weight > 0, METHODS.index("siblings+specs"), 2)
        )
    return value, low, high, method


def _makers(frame: pl.DataFrame) -> npt.NDArray[np.str_]:
    """The normalised manufacturer of each line."""
    makers = frame.get_column("manufacturer").cast(pl.String).fill_null("")
    distinct = makers.unique().to_list()
    normalised = makers.replace_strict(distinct, [normalise_manufacturer(m) for m in distinct])
    return np.asarray(normalised.to_numpy()).astype(str)


# -- fitting -----------------------------------------------------------------------------------------


def _nnls(gram: Floats, moment: Floats) -> Floats:
    """Least squares from its normal equations (``gram = XᵀX``, ``moment = Xᵀy``) with every
    coefficient but the first (the intercept) kept non-negative: the most negative is dropped until
    none is left."""
    active = list(range(len(moment)))
    while True:
        coef = np.zeros(len(moment))
        ridge = 1e-9 * np.eye(len(active))
        system = gram[np.ix_(active, active)] + ridge
        try:
            coef[active] = np.linalg.solve(system, moment[active])
        except np.linalg.LinAlgError:
            # Declarations that are all alike leave the system singular: the least-squares solution
            # of the same equations is the answer then.
            coef[active] = np.linalg.lstsq(system, moment[active], rcond=None)[0]
        negative = [a for a in active[1:] if coef[a] < 0]
        if not negative:
            return coef
        active.remove(min(negative, key=lambda a: coef[a]))


def _robust_nnls(matrix: Floats, target: Floats, rounds: int = 8) -> Floats:
    """``_nnls`` by iteratively reweighted least squares towards least absolute deviations: a few
    declarations far off their siblings (a different method, a typo) do not pull the weights."""
    weight = np.ones(len(target))
    coef = np.zeros(matrix.shape[1])
    for _ in range(rounds):
        weighted = matrix * weight[:, None]
        coef = _nnls(weighted.T @ matrix, weighted.T @ target)
        weight = 1.0 / np.maximum(np.abs(target - matrix @ coef), 0.02)
    return coef


def fit_distance(table: pl.DataFrame, group: str, *, year: bool = True) -> tuple[float, tuple[float, ...]]:
    """How far apart two declarations of one manufacturer are, given what differs between their
    names: (floor, weight per difference), fitted on the nearest pairs of each declaration.
    ``year=False`` fits it for lines that state no purchase year: the name's own signs of age (digits,
    generation) then carry the weight that the year would."""
    makers = [normalise_manufacturer(m) for m in table.get_column("manufacturer").to_list()]
    names = [
        parse_model(m, alternates(n)[0], group) for m, n in table.select("manufacturer", "model").iter_rows()
    ]
    sizes = table.get_column("screen_size_in").to_list()
    years = table.get_column("year").to_list()
    logs = np.log(table.get_column("embodied").to_numpy().astype(np.float64))
    blocks: list[tuple[Floats, Floats]] = []
    for maker in sorted(set(makers)):
        rows = [i for i, m in enumerate(makers) if m == maker]
        if len(rows) < 2:
            continue
        names_of = [names[i] for i in rows]
        block = NameTable(names_of, [sizes[i] for i in rows], [years[i] for i in rows])
        found = differences(block, block)
        if not year:
            found[..., YEAR] = 0.0
            found[..., YEAR + 1] = 1.0
        apart = np.abs(logs[rows][:, None] - logs[rows][None, :])
        blocks.append((found, apart))
    if not blocks:
        return 0.1, tuple(0.0 for _ in DIFFERENCES)

    def solve(weights: Floats | None) -> Floats:
        features, targets = [], []
        for found, apart in blocks:
            size = found.shape[0]
            keep = ~np.eye(size, dtype=bool)
            if weights is not None:
                distance = found @ weights
                distance[~keep] = np.inf
                nearest = min(NEAR_PAIRS, size - 1)
                bound = np.partition(distance, nearest - 1, axis=1)[:, nearest - 1][:, None]
                keep &= distance <= bound
            features.append(found[keep])
            targets.append(apart[keep])
        matrix = np.concatenate(features)
        return _robust_nnls(np.column_stack([np.ones(len(matrix)), matrix]), np.concatenate(targets))

    coef = solve(None)
    for _ in range(REFITS):
        coef = solve(coef[1:])
    return float(coef[0]), tuple(float(c) for c in coef[1:])


def _eligible(table: pl.DataFrame) -> tuple[str, ...]:
    if not table.height:
        return ()
    return tuple(
        s
        for s in SPECS
        if s in table.columns
        and int((table.get_column(s).cast(pl.Float64).fill_null(0.0) > 0).sum())
        >= MIN_COVERAGE * table.height
    )


def _fit_regression(
    specs: Mapping[str, Floats],
    years: Floats,
    makers: npt.NDArray[np.str_],
    target: Floats,
    names: tuple[str, ...],
) -> Regression:
    known = years[~np.isnan(years)]
    year_median = float(np.median(known)) if len(known) else 2020.0
    counts: dict[str, int] = {}
    for maker in makers.tolist():
        counts[maker] = counts.get(maker, 0) + 1
    chosen = tuple(sorted(m for m, n in counts.items() if n >= MIN_MAKER_ROWS))
    draft = Regression(names, chosen, year_median, (), (), (), 0.0, len(target))
    matrix = draft.design(specs, years, makers)
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    standard = (matrix - mean) / scale
    intercept = float(target.mean())
    gram = standard.T @ standard + RIDGE * np.eye(standard.shape[1])
    coef = np.linalg.solve(gram, standard.T @ (target - intercept))
    return Regression(
        names,
        chosen,
        year_median,
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in coef),
        intercept,
        len(target),
    )


def _interval(errors: Floats) -> tuple[float, float]:
    """The ``INTERVAL`` quantiles of measured errors, widened for a finite sample as split conformal
    prediction does (rank ``ceil((n + 1) × level)`` of n): a range measured on 40 declarations covers
    its stated share of new lines, not only of those 40."""
    count = len(errors)
    if not count:
        return 0.0, 0.0
    tail = (1 - (INTERVAL[1] - INTERVAL[0])) / 2
    upper = min(1.0, float(np.ceil((count + 1) * (1 - tail))) / count)
    low, high = np.quantile(errors, [1 - upper, upper])
    return float(low), float(high)


def _robust_variance(errors: Floats) -> float:
    return float((1.4826 * np.median(np.abs(errors))) ** 2) if len(errors) else np.inf


def _paths(
    truth: Floats, regression: Floats, sibling: Floats, distance: Floats, edges: Floats
) -> tuple[Path, ...]:
    has = np.isfinite(distance) & ~np.isnan(sibling)
    bucket = np.where(has, np.searchsorted(edges, distance, side="right"), len(edges) + 1)
    paths: list[Path] = []
    for b in range(len(edges) + 2):
        rows = bucket == b
        if rows.sum() < MIN_PATH_ROWS:
            rows = has if b <= len(edges) else np.ones(len(truth), dtype=bool)
        if b <= len(edges) and rows.any():
            sibling_variance = _robust_variance(truth[rows] - sibling[rows])
            regression_variance = _robust_variance(truth[rows] - regression[rows])
            total = sibling_variance + regression_variance
            weight = regression_variance / total if total > 0 else 0.5
            weight = round(weight, 3)
        else:
            weight = 0.0
        blended = weight * np.nan_to_num(sibling[rows]) + (1 - weight) * regression[rows]
        errors = truth[rows] - blended
        low, high = _interval(errors)
        paths.append(Path(weight, min(float(low), 0.0), max(float(high), 0.0), int(rows.sum())))
    return tuple(paths)


def _out_of_fold(
    specs: Mapping[str, Floats],
    years: Floats,
    makers: npt.NDArray[np.str_],
    target: Floats,
    names: tuple[str, ...],
) -> Floats:
    fold = np.random.default_rng(2026).permutation(len(target)) % FOLDS
    out = np.full(len(target), np.nan)
    for k in range(FOLDS):
        held = fold == k
        if held.any() and (~held).sum() >= 3:
            model = _fit_regression(
                {s: v[~held] for s, v in specs.items()}, years[~held], makers[~held], target[~held], names
            )
            out[held] = model.predict({s: v[held] for s, v in specs.items()}, years[held], makers[held])
    return out


def _calibration_siblings(
    table: pl.DataFrame, group: str, index: ModelIndex
) -> dict[tuple[bool, bool], Siblings]:
    """Each declaration's siblings as if it were an unknown line, by (screen size stated, purchase
    year stated): all the other declarations are candidates, and the distance is fitted without the
    declaration (fivefold), so that its errors are those a line would see."""
    fold = np.random.default_rng(2026).permutation(table.height) % FOLDS
    queries = table.select("manufacturer", "model", "screen_size_in", "year")
    frames = {
        (screen, year): queries.with_columns(
            *([] if screen else [pl.lit(None, pl.Float64).alias("screen_size_in")]),
            *([] if year else [pl.lit(None, pl.Float64).alias("year")]),
        )
        for screen in (True, False)
        for year in (True, False)
    }
    height = table.height
    out = {
        state: Siblings(np.full(height, np.nan), np.full(height, -1, np.int64), np.full(height, np.inf), [])
        for state in frames
    }
    for k in range(FOLDS):
        held = np.flatnonzero(fold == k)
        if not len(held):
            continue
        train = table.filter(pl.Series(fold != k))
        for year in (True, False):
            floor, weights = fit_distance(train, group, year=year)
            model = GroupModel(group, (), floor, weights, NEIGHBOURS, (), {}, height)
            for screen in (True, False):
                found = siblings_of(model, frames[(screen, year)][held], index, exclude=held.tolist())
                target = out[(screen, year)]
                target.log_value[held] = found.log_value
                target.nearest[held] = found.nearest
                target.distance[held] = found.distance
    return out


def fit_group(pcf: pl.DataFrame, group: str) -> GroupModel | None:
    """The group's estimator fitted on its declarations, calibrated on its own measured errors."""
    table = _capped(pcf.filter(pl.col("product_group") == group))
    if table.height < MIN_ROWS:
        return None
    floor, weights = fit_distance(table, group)
    floor_no_year, weights_no_year = fit_distance(table, group, year=False)
    specs = _eligible(table)
    truth = np.log(table.get_column("embodied").to_numpy().astype(np.float64))
    years = table.get_column("year").cast(pl.Float64).to_numpy().astype(np.float64)
    makers = _makers(table)
    values = _specs(table, specs)
    index = ModelIndex(
        table.get_column("manufacturer").to_list(),
        table.get_column("model").to_list(),
        table.get_column("product_group").to_list(),
        table.get_column("screen_size_in").to_list(),
        table.get_column("year").to_list(),
        table.get_column("embodied").to_list(),
    )
    calibration = _calibration_siblings(table, group, index)
    distances = np.concatenate([found.distance for found in calibration.values()])
    finite = distances[np.isfinite(distances)]
    edges = np.quantile(finite, BUCKETS) if len(finite) >= 4 * MIN_PATH_ROWS else np.array([])
    patterns: dict[str, PatternModel] = {}
    measured: dict[str, tuple[Floats, Floats, Siblings, npt.NDArray[np.bool_], tuple[Path, ...]]] = {}
    for size in range(len(specs) + 1):
        for names in combinations(specs, size):
            rows = np.ones(table.height, dtype=bool)
            for name in names:
                rows &= ~np.isnan(values[name])
            if rows.sum() < MIN_PATTERN_ROWS:
                continue
            chosen = {n: values[n][rows] for n in names}
            regression = _fit_regression(chosen, years[rows], makers[rows], truth[rows], names)
            out_of_fold = _out_of_fold(chosen, years[rows], makers[rows], truth[rows], names)
            screen = "screen_size_in" in names
            dated, undated = calibration[(screen, True)], calibration[(screen, False)]
            paths = _paths(truth[rows], out_of_fold, dated.log_value[rows], dated.distance[rows], edges)
            # Without a year the regression loses it too: measured again with the year left out.
            no_year = _out_of_fold(chosen, np.full(int(rows.sum()), np.nan), makers[rows], truth[rows], names)
            paths_no_year = _paths(
                truth[rows], no_year, undated.log_value[rows], undated.distance[rows], edges
            )
            patterns["+".join(names)] = PatternModel(regression, paths, paths_no_year)
            measured["+".join(names)] = (truth[rows], out_of_fold, dated, rows, paths)
    if "" not in patterns:
        return None
    draft = GroupModel(group, specs, floor, weights, NEIGHBOURS, (), patterns, table.height)
    validation = _validation(*measured[draft.pattern_for(_register_pattern(group))], edges)
    return GroupModel(
        group,
        specs,
        floor,
        weights,
        NEIGHBOURS,
        tuple(float(e) for e in edges),
        patterns,
        table.height,
        validation,
        floor_no_year,
        weights_no_year,
    )


def _capped(table: pl.DataFrame) -> pl.DataFrame:
    """The table with at most ``MAX_MAKER_ROWS`` declarations per manufacturer, a fixed random choice
    of them where there are more (the fit stays the same from one run to the next)."""
    makers = [normalise_manufacturer(m or "") for m in table.get_column("manufacturer").to_list()]
    rows: dict[str, list[int]] = {}
    for index, maker in enumerate(makers):
        rows.setdefault(maker, []).append(index)
    if all(len(found) <= MAX_MAKER_ROWS for found in rows.values()):
        return table
    rng = np.random.default_rng(2026)
    keep = sorted(
        i
        for found in rows.values()
        for i in (found if len(found) <= MAX_MAKER_ROWS else rng.choice(found, MAX_MAKER_ROWS, replace=False))
    )
    return table[keep]


def _register_pattern(group: str) -> frozenset[str]:
    """What a register usually states of a group's specs: the screen size where there is one."""
    return frozenset({"screen_size_in"}) if group in SCREEN_GROUPS else frozenset()


def _validation(
    truth: Floats,
    regression: Floats,
    found: Siblings,
    rows: npt.NDArray[np.bool_],
    paths: tuple[Path, ...],
    edges: Floats,
) -> dict[str, float]:
    """The estimate's errors on the declarations it was calibrated on, each estimated as if unknown
    (siblings without itself, distance and regression fitted without it): the measure that an
    import reports at once; ``cross_validate`` and ``bench.estimate_accuracy`` hold out more."""
    sibling, distance = found.log_value[rows], found.distance[rows]
    has = np.isfinite(distance) & ~np.isnan(sibling)
    bucket = np.where(has, np.searchsorted(edges, distance, side="right"), len(edges) + 1)
    weight = np.array([p.weight for p in paths])[bucket]
    blended = weight * np.nan_to_num(sibling) + (1 - weight) * regression
    value = np.exp(truth)
    return {
        "rows": float(len(truth)),
        "estimate_mdape": round(float(np.median(np.abs(np.exp(blended) - value) / value)), 4),
        "median_mdape": round(float(np.median(np.abs(np.median(value) - value) / value)), 4),
    }


def fit(pcf: pl.DataFrame, source: str, groups: Sequence[str] | None = None) -> Estimator:
    """Fit every product group that has enough declarations."""
    wanted = groups or sorted(set(pcf.get_column("product_group").to_list()))
    models = {g: m for g in wanted if (m := fit_group(pcf, g)) is not None}
    return Estimator(models, source)


# -- how good it is --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validation:
    group: str
    rows: int
    estimate_mdape: float  #: median absolute percentage error of the estimate, out of fold
    median_mdape: float  #: the same for the naive baseline: the training folds' group median
    coverage: float  #: share of declared values inside the estimate's range
    log_errors: tuple[float, ...]


def cross_validate(pcf: pl.DataFrame, group: str, folds: int = FOLDS, seed: int = 2026) -> Validation:
    """Out-of-fold errors of the estimate on random rows, with what a register states (manufacturer,
    model, year; the screen size where the group has one; no other spec), and of the group median.
    ``bench.estimate_accuracy`` gives the full picture (both splits, every baseline)."""
    table = pcf.filter(pl.col("product_group") == group)
    order = np.random.default_rng(seed).permutation(table.height)
    fold = np.empty(table.height, dtype=np.int64)
    fold[order] = np.arange(table.height) % folds
    truth = table.get_column("embodied").to_numpy().astype(np.float64)
    estimate = np.full(table.height, np.nan)
    low = np.full(table.height, np.nan)
    high = np.full(table.height, np.nan)
    baseline = np.full(table.height, np.nan)
    for k in range(folds):
        held = fold == k
        train = table.filter(pl.Series(~held))
        test = table.filter(pl.Series(held))
        model = fit_group(train, group)
        if model is None or not held.any():
            continue
        index = ModelIndex(
            train.get_column("manufacturer").to_list(),
            train.get_column("model").to_list(),
            train.get_column("product_group").to_list(),
            train.get_column("screen_size_in").to_list(),
            train.get_column("year").to_list(),
            train.get_column("embodied").to_list(),
        )
        inputs = test.select(
            "manufacturer",
            "model",
            "year",
            (pl.col("screen_size_in") if group in SCREEN_GROUPS else pl.lit(None, pl.Float64)).alias(
                "screen_size_in"
            ),
        )
        found = estimate_group(model, inputs, index)
        estimate[held], low[held], high[held] = found.value, found.low, found.high
        baseline[held] = float(np.median(train.get_column("embodied").to_numpy()))
    ok = ~np.isnan(estimate)
    return Validation(
        group,
        int(ok.sum()),
        float(np.median(np.abs(estimate[ok] - truth[ok]) / truth[ok])) if ok.any() else float("nan"),
        float(np.median(np.abs(baseline[ok] - truth[ok]) / truth[ok])) if ok.any() else float("nan"),
        float(np.mean((low[ok] <= truth[ok]) & (truth[ok] <= high[ok]))) if ok.any() else float("nan"),
        tuple(np.log(truth[ok] / estimate[ok]).tolist()),
    )
