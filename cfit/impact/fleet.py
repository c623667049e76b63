"""The footprint of a device fleet: every line computed at once, column by column, with polars.

For each register line (``quantity`` identical devices), per device:

- embodied (kgCO2e): the manufacturer's footprint of the matched model, ``gwp_total × (1 − use share)``
  ± its declared error (source ``pcf``); else the spec-based estimate with its out-of-fold range
  (``estimate``); else the product group's median with its 10th-90th percentile (``default``).
  A device bought refurbished carries ``refurbished_share`` of that;
- yearly energy (kWh): as declared ± ``declared_kwh_error``, else the matched footprint's, else the
  group's default;
- use phase (kgCO2e per year) = kWh × the grid intensity of the country of use (gCO2e/kWh) / 1000,
  for devices in use only (a device in stock or in repair draws no power worth counting);
- service life (years): retired devices their real one (retirement − purchase date); devices still in
  use the group's expected life, or their age if they already passed it;
- per year of service (kgCO2e per year) = embodied / service life + use phase.

Ranges are carried as three columns (low, value, high) through every step: products multiply lows
with lows and highs with highs, sums add them (see ``figures``). Plain Python, no Django.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, Literal

import numpy as np
import polars as pl

from cfit.impact.estimate import METHODS, estimate_lines
from cfit.impact.figures import METHOD_VERSION
from cfit.impact.reference import FALLBACK_GRID, Reference
from cfit.impact.register import REGISTER_SCHEMA, as_register

REGISTER_SCHEMA_VIEW = pl.Schema(REGISTER_SCHEMA)
#: Where a figure came from, as compact enumerations (cheap to make, group and compare).
EMBODIED_SOURCE = pl.Enum(["pcf", "estimate", "default"])
EMBODIED_METHOD = pl.Enum(["declaration", *METHODS, "group median"])
KWH_SOURCE = pl.Enum(["declared", "pcf", "default"])
LIFE_BASIS = pl.Enum(["actual", "expected", "age"])

BOUNDS = ("low", "value", "high")
#: The register columns of specs: the estimate uses some of them, per product group.
SPEC_COLUMNS = ("screen_size_in", "weight_kg", "memory_gb", "storage_gb", "number_cpu", "yearly_kwh")
#: Where a line's embodied figure and energy came from and how they were formed.
PROVENANCE = (
    "embodied_source",
    "embodied_method",
    "matched_model",
    "match_confidence",
    "match_distance",
    "kwh_source",
)
#: The computed columns, in the order that ``compute_lines`` gives them after the register's own.
LINE_FIGURES = (
    "grid_low",
    "grid_value",
    "grid_high",
    "grid_year",
    "grid_source",
    "grid_fallback",
    *PROVENANCE,
    "age_years",
    "life_years",
    "life_basis",
    "energised",
    "active",
    "mass_kg",
    *(f"{kind}_{b}" for b in BOUNDS for kind in ("embodied", "kwh")),
    *(f"use_{b}" for b in BOUNDS),
    *(f"annual_{b}" for b in BOUNDS),
)
DAYS_PER_YEAR = 365.25
#: The engine of the queries over every line: polars' streaming engine takes them in batches that
#: stay in the processor's cache, and spends about a third less work on a million lines than the
#: engine that runs each step over whole columns (the figures are the same).
ENGINE: Literal["streaming"] = "streaming"
AGE_BUCKETS = (1, 2, 3, 4, 5, 6, 7, 8)  #: upper edges in years; the last bucket is "8 and more"


def _models(register: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct models of the register (product group, manufacturer, model) and, for every line,
    the position of its own among them.

    A register of a million lines holds a few thousand models: each is matched once. Lines are tied
    to their model by a 64-bit hash of its names, computed afresh in each run (never stored), so a
    look-up of one integer replaces a join of the whole register on its texts."""
    names = register.select("product_group", "manufacturer", "model")
    key = names.hash_rows(seed=0)
    first = key.arg_unique()
    at = key.replace_strict(
        key.gather(first), pl.int_range(len(first), dtype=pl.UInt32, eager=True), return_dtype=pl.UInt32
    )
    return names[first], at.alias("_model")


def _match(models: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Each distinct model with the declaration of the same model, if any: its row, model name,
    embodied figure, error and yearly energy (null without one)."""
    index = reference.index
    found = (
        index.match_all(
            models.select("manufacturer", "model", pl.col("product_group").cast(pl.String)).iter_rows()
        )
        if index is not None
        else []
    )
    rows = [m.index for m in found] if found else [None] * models.height
    pcf_row = pl.Series("pcf_row", rows, dtype=pl.Int64)
    columns = [pcf_row]
    for name, source in (
        ("pcf_model", "model"),
        ("pcf_embodied", "embodied"),
        ("pcf_error", "error_ratio"),
        ("pcf_kwh", "yearly_kwh"),
    ):
        if reference.pcf is None:
            dtype = pl.String if name == "pcf_model" else pl.Float64
            columns.append(pl.Series(name, [None] * models.height, dtype=dtype))
        else:
            columns.append(reference.pcf.get_column(source).gather(pcf_row).alias(name))
    return models.with_columns(columns)


def _relevant_specs(reference: Reference, categories: list[str]) -> dict[str, list[int]]:
    """Per spec column, the product groups (their positions among ``categories``) whose estimate
    depends on it: the specs of the group's fitted patterns (a line takes the pattern of what it
    states, among those only) and the screen size, which ranks its siblings. A group without a
    fitted model is estimated from nothing: its lines take the group's default."""
    estimator = reference.estimator
    out: dict[str, list[int]] = {name: [] for name in SPEC_COLUMNS}
    if estimator is None:
        return out
    for position, group in enumerate(categories):
        model = estimator.models.get(group)
        if model is None:
            continue
        used = {"screen_size_in"}
        for key, pattern in model.patterns.items():
            used |= set(pattern.regression.specs) | (set(key.split("+")) - {""})
        for name in SPEC_COLUMNS:
            if name in used:
                out[name].append(position)
    return out


def _inputs(
    register: pl.DataFrame, models: pl.DataFrame, model_at: pl.Series, reference: Reference
) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct inputs of the embodied figure and, for every line, the position of its own.

    A line's embodied figure depends on its model and, when the model has no declaration of its own,
    on its purchase year and the specs its group's estimate uses; nothing else (its yearly energy and
    mass are its own, formed per line). Inputs that cannot change the figure are left out of the key
    (set to null), so a register's lines share few inputs: each is estimated once."""
    group_dtype = register.schema["product_group"]
    categories = group_dtype.categories.to_list() if isinstance(group_dtype, pl.Enum) else []
    estimator = reference.estimator
    estimated_groups = [
        i for i, g in enumerate(categories) if estimator is not None and g in estimator.models
    ]
    relevant = _relevant_specs(reference, categories)
    # What counts is decided per model (its group, whether it has a declaration), then looked up
    # per line by the model's position: one look-up per column instead of a test of each line.
    estimated = models.get_column("pcf_embodied").is_null() & models.get_column(
        "product_group"
    ).to_physical().is_in(estimated_groups)
    group_at = models.get_column("product_group").to_physical()

    def when_counts(groups: list[int]) -> pl.Expr:
        return pl.lit(estimated & group_at.is_in(groups)).gather(pl.col("_model"))

    keyed = (
        register.lazy()
        .with_columns(model_at)
        .select(
            "_model",
            pl.when(when_counts(estimated_groups))
            .then(pl.col("purchase_date").dt.year().cast(pl.Float64))
            .alias("year"),
            *[pl.when(when_counts(relevant[name])).then(pl.col(name)).alias(name) for name in SPEC_COLUMNS],
        )
        .collect()
    )
    key = keyed.hash_rows(seed=0)
    first = key.arg_unique()
    at = key.replace_strict(
        key.gather(first), pl.int_range(len(first), dtype=pl.UInt32, eager=True), return_dtype=pl.UInt32
    )
    return keyed[first], at.alias("_input")


def _by_group(reference: Reference, schema: pl.Schema) -> dict[str, pl.Expr]:
    """Per-group factors as look-ups by the group's position in its enumeration: cheaper than joining
    a table (which copies every column) or hashing each cell again for every factor."""
    group_dtype = schema["product_group"]
    categories = group_dtype.categories.to_list() if isinstance(group_dtype, pl.Enum) else []
    groups = [reference.groups.get(c) for c in categories]
    by_group = {
        "def_low": [g.embodied.low if g else None for g in groups],
        "def_value": [g.embodied.value if g else None for g in groups],
        "def_high": [g.embodied.high if g else None for g in groups],
        "kwh_def_low": [g.yearly_kwh.low if g else None for g in groups],
        "kwh_def_value": [g.yearly_kwh.value if g else None for g in groups],
        "kwh_def_high": [g.yearly_kwh.high if g else None for g in groups],
        "mass_default": [g.mass_kg if g else None for g in groups],
        "expected_life": [g.service_life_years if g else None for g in groups],
        "group_error": [g.pcf_error_ratio if g else None for g in groups],
    }
    group_at = pl.col("product_group").to_physical()
    return {
        name: pl.lit(pl.Series(values, dtype=pl.Float64)).gather(group_at).alias(name)
        for name, values in by_group.items()
    }


def _by_country(reference: Reference) -> tuple[list[pl.Expr], pl.Expr]:
    """The grid intensity of each line's country of use (the fallback for a country without one), and
    the position of each line's country among the factors, which those look-ups need first."""
    # The fallback factor sits after the countries, where an unknown country points.
    factors = [*reference.grid.values(), reference.grid[FALLBACK_GRID]]
    country_at = pl.col("country").replace_strict(
        {f.country: i for i, f in enumerate(factors[:-1])}, default=len(factors) - 1, return_dtype=pl.UInt32
    )
    by_country: dict[str, pl.Series] = {
        "grid_low": pl.Series([f.intensity.low for f in factors], dtype=pl.Float64),
        "grid_value": pl.Series([f.intensity.value for f in factors], dtype=pl.Float64),
        "grid_high": pl.Series([f.intensity.high for f in factors], dtype=pl.Float64),
        "grid_year": pl.Series([f.year for f in factors], dtype=pl.Int64),
        "grid_source": pl.Series([f.source for f in factors], dtype=pl.String),
    }
    return [
        *[pl.lit(values).gather(pl.col("_country_at")).alias(name) for name, values in by_country.items()],
        (pl.col("_country_at") == len(factors) - 1).alias("grid_fallback"),
    ], country_at.alias("_country_at")


def _estimate(
    inputs: pl.DataFrame, models: pl.DataFrame, reference: Reference, explain: bool
) -> pl.DataFrame:
    """Per distinct input: the estimate of an input without a declaration of its own model (the value
    and range, how it was formed, the nearest declared sibling and its distance), null otherwise."""
    estimator = reference.estimator
    height = inputs.height
    found: dict[str, np.ndarray[Any, Any]] = {b: np.full(height, np.nan) for b in BOUNDS}
    method = np.full(height, -1, dtype=np.int64)
    nearest = np.full(height, -1, dtype=np.int64)
    distance = np.full(height, np.nan)
    differs: list[str | None] = [None] * height if explain else []
    model_at = inputs.get_column("_model")
    if estimator is not None and estimator.models:
        group = models.get_column("product_group").cast(pl.String).gather(model_at)
        declared = models.get_column("pcf_embodied").is_not_null().gather(model_at)
        wanted = ~declared & group.is_in(list(estimator.models))
        if wanted.any():
            specs = {s for model in estimator.models.values() for s in model.specs} | {"screen_size_in"}
            positions = wanted.arg_true()
            # The names are looked up in the models (``names_from``): no copy of a text per input.
            narrow = inputs[positions].select(
                pl.lit(group.gather(positions)).alias("product_group"),
                pl.col("_model").alias("_model_key"),
                pl.col("_model").alias("_at"),
                *[pl.col(c) for c in SPEC_COLUMNS if c in specs],
                pl.col("year"),
            )
            rows = positions.to_numpy()
            estimates = estimate_lines(
                estimator.models, narrow, reference.index, explain=explain, names_from=models
            )
            for bound, figures in (
                ("value", estimates.value),
                ("low", estimates.low),
                ("high", estimates.high),
            ):
                found[bound][rows] = figures
            method[rows] = estimates.method
            nearest[rows] = estimates.nearest
            distance[rows] = np.where(np.isfinite(estimates.distance), estimates.distance, np.nan)
            if explain:
                for row, what in zip(rows, estimates.differs, strict=True):
                    differs[row] = ", ".join(what)
    names = (
        reference.pcf.get_column("model") if reference.pcf is not None else pl.Series([None], dtype=pl.String)
    )
    sibling = pl.Series("est_sibling", nearest).set(pl.Series(nearest < 0), None)
    columns = [
        *[pl.Series(f"est_{b}", found[b]).fill_nan(None) for b in BOUNDS],
        pl.Series("est_method", method).replace_strict(
            list(range(-1, len(METHODS))), [None, *METHODS], return_dtype=pl.String
        ),
        names.gather(sibling).alias("est_sibling"),
        pl.Series("est_distance", distance).fill_nan(None),
    ]
    if explain:
        columns.append(pl.Series("match_differs", differs, dtype=pl.String))
    return inputs.select("_model").with_columns(columns)


def _model_figures(models: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Per distinct model: its declaration's embodied figure with its range, the group's default, and
    the yearly energy of a line that declares none (the declaration's, or the group's default)."""
    by_group = _by_group(reference, models.schema)
    error = pl.coalesce("pcf_error", "group_error")
    has_pcf = pl.col("pcf_embodied").is_not_null()
    pcf_bounds = {
        "low": (pl.col("pcf_embodied") * (1 - error)).clip(lower_bound=0),
        "value": pl.col("pcf_embodied"),
        "high": pl.col("pcf_embodied") * (1 + error),
    }
    with_pcf_kwh = pl.col("pcf_kwh").is_not_null() & has_pcf
    return (
        models.lazy()
        .with_columns(by_group.values())
        .select(
            *[pcf_bounds[b].alias(f"pcf_{b}") for b in BOUNDS],
            *[pl.col(f"def_{b}") for b in BOUNDS],
            *[
                pl.when(with_pcf_kwh)
                .then(pl.col("pcf_kwh") * (pcf_bounds[b] / pl.col("pcf_embodied")))
                .otherwise(pl.col(f"kwh_def_{b}"))
                .alias(f"_kwh_{b}")
                for b in BOUNDS
            ],
            pl.when(with_pcf_kwh)
            .then(pl.lit("pcf", KWH_SOURCE))
            .otherwise(pl.lit("default", KWH_SOURCE))
            .alias("_kwh_source"),
            pl.col("pcf_model"),
        )
        .collect()
    )


def _input_figures(estimated: pl.DataFrame, per_model: pl.DataFrame, explain: bool) -> pl.DataFrame:
    """Per distinct input: the embodied figure (before a refurbished purchase's share) with its range,
    where it came from and how it was formed."""
    has_pcf = pl.col("pcf_value").is_not_null()
    has_estimate = pl.col("est_value").is_not_null()
    model = per_model.select(*(f"pcf_{b}" for b in BOUNDS), *(f"def_{b}" for b in BOUNDS), "pcf_model")[
        estimated.get_column("_model")
    ]
    return (
        estimated.hstack(model)
        .lazy()
        .select(
            pl.when(has_pcf)
            .then(pl.lit("pcf", EMBODIED_SOURCE))
            .when(has_estimate)
            .then(pl.lit("estimate", EMBODIED_SOURCE))
            .otherwise(pl.lit("default", EMBODIED_SOURCE))
            .alias("embodied_source"),
            pl.when(has_pcf)
            .then(pl.lit("declaration"))
            .when(has_estimate)
            .then(pl.col("est_method"))
            .otherwise(pl.lit("group median"))
            .cast(EMBODIED_METHOD)
            .alias("embodied_method"),
            pl.when(has_pcf)
            .then(pl.col("pcf_model"))
            .otherwise(pl.col("est_sibling"))
            .alias("matched_model"),
            pl.when(has_pcf).then(1.0).otherwise(0.0).alias("match_confidence"),
            pl.when(has_pcf)
            .then(0.0)
            .when(has_estimate)
            .then(pl.col("est_distance"))
            .alias("match_distance"),
            *[
                pl.when(has_pcf)
                .then(pl.col(f"pcf_{b}"))
                .when(has_estimate)
                .then(pl.col(f"est_{b}"))
                .otherwise(pl.col(f"def_{b}"))
                .alias(f"_embodied_{b}")
                for b in BOUNDS
            ],
            *(["match_differs"] if explain else []),
        )
        .collect()
    )


def compute_lines(
    register: pl.DataFrame, reference: Reference, as_of: date, *, explain: bool = False
) -> pl.DataFrame:
    """Every line with its footprint columns (per device; multiply by ``quantity`` for the line).

    Each line's embodied figure says where it came from: ``embodied_source`` (pcf, estimate, default),
    ``embodied_method`` (the declaration, siblings, siblings+specs, specs, or the group median),
    ``matched_model`` (the declaration used, or the nearest declared sibling) and ``match_distance``
    (0 for the same model); ``explain`` adds ``match_differs``, what the sibling differs in.

    The match is formed once per distinct model and the embodied figure once per distinct input of
    it (``_inputs``), then spread to their lines; what depends on the line (its declared energy and
    mass, condition, country, dates, status) is computed over the whole register in two queries, the
    first (``_own_figures``) while the models are matched.
    """
    register = as_register(register) if register.schema != REGISTER_SCHEMA_VIEW else register
    with ThreadPoolExecutor(1) as pool:
        # What a line takes from itself alone (polars, which leaves the interpreter free) is formed
        # while its model is matched and its embodied figure estimated (mostly Python).
        own = pool.submit(_own_figures, register, reference, as_of)
        names, model_at = _models(register)
        models = _match(names, reference)
        inputs, input_at = _inputs(register, models, model_at, reference)
        per_model = _model_figures(models, reference)
        per_input = _input_figures(_estimate(inputs, models, reference, explain), per_model, explain)
        figures = own.result()
    refurbished = pl.col("condition") == "refurbished"
    share = reference.refurbished_share
    refurb = {"low": share.low, "value": share.value, "high": share.high}
    kwh_error = reference.declared_kwh_error
    kwh_declared = {"low": 1 - kwh_error, "value": 1.0, "high": 1 + kwh_error}
    declared_kwh = pl.col("yearly_kwh").is_not_null()
    return (
        register.hstack(per_input[input_at])
        .hstack(per_model.select(*(f"_kwh_{b}" for b in BOUNDS), "_kwh_source")[model_at])
        .hstack(figures)
        .lazy()
        .with_columns(
            pl.when(declared_kwh)
            .then(pl.lit("declared", KWH_SOURCE))
            .otherwise(pl.col("_kwh_source"))
            .alias("kwh_source"),
            *[
                pl.when(declared_kwh)
                .then(pl.col("yearly_kwh") * kwh_declared[b])
                .otherwise(pl.col(f"_kwh_{b}"))
                .alias(f"kwh_{b}")
                for b in BOUNDS
            ],
            *[
                (pl.col(f"_embodied_{b}") * pl.when(refurbished).then(refurb[b]).otherwise(1.0)).alias(
                    f"embodied_{b}"
                )
                for b in BOUNDS
            ],
        )
        .with_columns(
            (pl.col(f"kwh_{b}") * pl.col(f"grid_{b}") / 1000 * pl.col("energised").cast(pl.Float64)).alias(
                f"use_{b}"
            )
            for b in BOUNDS
        )
        .with_columns(
            (pl.col(f"embodied_{b}") / pl.col("life_years") + pl.col(f"use_{b}")).alias(f"annual_{b}")
            for b in BOUNDS
        )
        .select(*REGISTER_SCHEMA, *(["match_differs"] if explain else []), *LINE_FIGURES)
        .collect(engine=ENGINE)
    )


def _own_figures(register: pl.DataFrame, reference: Reference, as_of: date) -> pl.DataFrame:
    """What each line's figures take from the line alone: its country's grid, its mass, its age,
    service life and state."""
    by_country, country_at = _by_country(reference)
    by_group = _by_group(reference, register.schema)
    retired = pl.col("status") == "retired"
    age = (pl.lit(as_of) - pl.col("purchase_date")).dt.total_days() / DAYS_PER_YEAR
    actual_life = ((pl.col("retired_date") - pl.col("purchase_date")).dt.total_days() / DAYS_PER_YEAR).clip(
        lower_bound=1 / 12
    )
    return (
        register.lazy()
        .with_columns(country_at, by_group["expected_life"], by_group["mass_default"])
        .select(
            *by_country,
            pl.coalesce("weight_kg", "mass_default").alias("mass_kg"),
            age.alias("age_years"),
            pl.when(retired)
            .then(actual_life)
            .otherwise(pl.max_horizontal(pl.col("expected_life"), age))
            .alias("life_years"),
            pl.when(retired)
            .then(pl.lit("actual", LIFE_BASIS))
            .when(age > pl.col("expected_life"))
            .then(pl.lit("age", LIFE_BASIS))
            .otherwise(pl.lit("expected", LIFE_BASIS))
            .alias("life_basis"),
            (pl.col("status") == "in_use").alias("energised"),
            (~retired).alias("active"),
        )
        .collect(engine=ENGINE)
    )


def device_estimates(lines: pl.DataFrame) -> list[dict[str, Any]]:
    """Per register row: its embodied footprint per device and its range, its source, how it was
    formed, the declaration used or the nearest declared sibling, its distance, what differed (when
    the lines were computed with ``explain``) and the method version."""
    differs = "match_differs" in lines.columns
    return [
        {
            "row": r["row"],
            "low": round(r["embodied_low"], 1),
            "value": round(r["embodied_value"], 1),
            "high": round(r["embodied_high"], 1),
            "source": r["embodied_source"],
            "method": r["embodied_method"],
            "matched_model": r["matched_model"],
            "match_confidence": r["match_confidence"],
            "match_distance": None if r["match_distance"] is None else round(r["match_distance"], 3),
            "differs": (r["match_differs"] or "").split(", ") if differs and r["match_differs"] else [],
            "method_version": METHOD_VERSION,
        }
        for r in lines.sort("row").iter_rows(named=True)
    ]
