"""Reading and checking a FinOps FOCUS export (CSV or Parquet): all or nothing.

A file is refused, with every problem named by row and column, when it lacks a column the footprint
needs, carries a column that no FOCUS version from 1.0 to 1.2 defines (custom columns start with
``x_``, as the specification asks), uses the column names of FOCUS 0.5 or earlier, gives usage in
a unit cfit cannot convert, a quantity without a unit, a negative usage that is neither a
correction nor a reversal, a charge period that is no date-time, or is larger than the limit of
every other import. Only the columns the footprint needs are read from the file. Plain Python, no
Django.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import polars as pl

from cfit.uploads import MAX_IMPORT_BYTES, Problems, check_size, refuse

#: Columns the footprint cannot do without (FOCUS 1.0 names; ConsumedQuantity and ConsumedUnit are
#: "conditional" in the specification, but without them there is no usage to count).
REQUIRED = (
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargePeriodStart",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ProviderName",
    "ServiceCategory",
    "ServiceName",
)
#: Columns read when present: where and what the usage was, and whether it reverses another charge.
OPTIONAL = ("RegionId", "ChargeClass", "ChargeDescription", "BilledCost")
#: Columns outside the specification that a well-known export adds, and why they are let through.
TOLERATED = {"Id": "the row number the FOCUS Sandbox sample data adds (FOCUS-Sample-Data)"}
#: Column names of FOCUS 0.5 and earlier drafts that 1.0 renamed or dropped: a file with them is of
#: a version cfit does not read, which is a clearer message than a list of unknown columns.
PRE_1_0 = ("UsageQuantity", "UsageUnit", "AmortizedCost", "ChargeType")
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
#: FOCUS date-time format (ISO 8601, UTC); exports also write a space for the "T" and leave out "Z".
DATE_TIME = r"^\d{4}-(0[1-9]|1[0-2])-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"


class UnitFamily(StrEnum):
    VCPU_HOURS = "vcpu_hours"  #: virtual CPU time
    INSTANCE_HOURS = "instance_hours"  #: time of a machine (its vCPUs come from its instance type)
    GB_HOURS = "gb_hours"  #: data held over hours or seconds: memory, or storage
    GB_MONTHS = "gb_months"  #: data held over months: storage
    GB = "gb"  #: an amount of data: transferred, processed or read


@dataclass(frozen=True)
class Unit:
    family: UnitFamily
    factor: float  #: multiplies the consumed quantity into the family's unit (vCPU-hours, GB-hours, GB)


SIZES = {
    "b": 1e-9, "byte": 1e-9, "bytes": 1e-9, "kb": 1e-6, "kib": 1024 / 1e9, "mb": 1e-3, "mib": 1024**2 / 1e9,
    "gb": 1.0, "gib": 1024**3 / 1e9, "gigabyte": 1.0, "gigabytes": 1.0, "tb": 1e3, "tib": 1024**4 / 1e9,
    "terabyte": 1e3, "terabytes": 1e3, "pb": 1e6, "pib": 1024**5 / 1e9,
}  # fmt: skip
HOURS = {
    "second": 1 / 3600, "seconds": 1 / 3600, "sec": 1 / 3600, "secs": 1 / 3600, "s": 1 / 3600,
    "minute": 1 / 60, "minutes": 1 / 60, "min": 1 / 60, "mins": 1 / 60,
    "hour": 1.0, "hours": 1.0, "hr": 1.0, "hrs": 1.0, "h": 1.0, "day": 24.0, "days": 24.0,
    "month": 730.0, "months": 730.0, "mo": 730.0, "mos": 730.0,  # 8,760 h / 12, as CCF and AWS count
    "year": 8760.0, "years": 8760.0,
}  # fmt: skip
MONTHLY = {"month", "months", "mo", "mos", "year", "years"}
CPUS = {"vcpu": 1.0, "vcpus": 1.0, "cpu": 1.0, "cpus": 1.0, "core": 1.0, "cores": 1.0}
OCPUS = ("ocpu", "ocpus")
#: Words of a unit that name the service rather than the quantity (AWS "Lambda-GB-Seconds").
SERVICE_WORDS = {"lambda", "per", "of"}


class WrongUnit(ValueError):
    """Raised if a unit names a quantity cfit counts (data, CPUs) with a time it cannot convert."""


def parse_unit(unit: str, vcpu_per_ocpu: float) -> Unit | None:
    """A FOCUS consumed unit as a quantity cfit counts, or None for one it does not (requests,
    IOPS, load-balancer capacity units, rates such as GiB per second). FOCUS writes units as
    "GB-Hours", "GB/Month", "1000 Requests"; providers vary the separators and the case."""
    words = [w for w in re.split(r"[\s\-_/]+", unit.strip().lower()) if w and w not in SERVICE_WORDS]
    factor = 1.0
    if words and re.fullmatch(r"\d+(\.\d+)?", words[0]):
        factor, words = float(words[0]), words[1:]
    if not words or len(words) > 2:
        return None
    head, tail = words[0], words[1:]
    if head in SIZES and not tail:
        return Unit(UnitFamily.GB, factor * SIZES[head])
    if head in HOURS and not tail and head not in MONTHLY:
        return Unit(UnitFamily.INSTANCE_HOURS, factor * HOURS[head])
    per_cpu = CPUS.get(head) or (vcpu_per_ocpu if head in OCPUS else None)
    if head in SIZES or per_cpu is not None:
        if tail[0] not in HOURS:
            raise WrongUnit(f"“{unit}”: cfit counts {head} per hour, second or month, not per “{tail[0]}”")
        hours = HOURS[tail[0]]
        if per_cpu is not None:
            return Unit(UnitFamily.VCPU_HOURS, factor * per_cpu * hours)
        family = UnitFamily.GB_MONTHS if tail[0] in MONTHLY else UnitFamily.GB_HOURS
        return Unit(family, factor * SIZES[head] * hours)
    return None


@dataclass(frozen=True)
class FocusFile:
    """A checked FOCUS file: ``usage`` holds one row per charge with the columns the footprint needs
    (``row``: the row number in the file; ``quantity``: the consumed quantity as a float)."""

    filename: str
    version: str  #: the lowest FOCUS version whose columns include all of the file's
    rows: int
    usage: pl.DataFrame


#: Every problem code of a FOCUS file and its English message; ``{name}`` marks a parameter. The pages
#: say them in the reader's language (``cfit.refusals``).
MESSAGES: dict[str, str] = {
    "focus_too_old": "columns of FOCUS 0.5 or earlier: cfit reads FOCUS 1.0, 1.1 and 1.2 (export the file "
    "again in a current FOCUS version)",
    "not_focus_column": "not a column of FOCUS 1.0, 1.1 or 1.2 (custom columns must start with “x_”)",
    "required_column": "required column missing",
    "repeated_column": "column given more than once",
    "column_type": "holds {type}, not text, a number or a date-time",
    "too_slow": "not a readable FOCUS file (reading it took too long)",
    "unreadable": "not a readable FOCUS file ({detail})",
    "not_utf8": "not a UTF-8 CSV file or a Parquet file, as FOCUS exports are",
    "no_header": "empty file: a FOCUS export starts with a row of column names",
    "not_number": "not a number: “{value}”",
    "negative_usage": "negative usage ({value}) in a charge that is neither a correction nor a reversal",
    "quantity_without_unit": "a consumed quantity ({value}) needs its unit",
    "not_date_time": "not a FOCUS date-time (e.g. 2024-09-18T22:00:00Z): “{value}”",
    "unknown_charge_category": "“{value}” is none of {categories}",
    "missing": "missing (FOCUS does not allow it to be empty)",
    "unit": "{detail}",
}


def detect_version(filename: str, columns: list[str], known: Mapping[str, frozenset[str]]) -> str:
    """The FOCUS version of a file's columns; refuses missing, unknown and pre-1.0 columns."""
    problems = Problems(filename)
    old = [c for c in PRE_1_0 if c in columns]
    if old and "ConsumedQuantity" not in columns:
        problems.add("header", ", ".join(old), MESSAGES["focus_too_old"], code="focus_too_old")
        problems.raise_if_any()
    every = frozenset().union(*known.values())
    for column in columns:
        if column not in every and not column.startswith("x_") and column not in TOLERATED:
            problems.add("header", column, MESSAGES["not_focus_column"], code="not_focus_column")
    for column in REQUIRED:
        if column not in columns:
            problems.add("header", column, MESSAGES["required_column"], code="required_column")
    if len(set(columns)) != len(columns):
        for column in sorted({c for c in columns if columns.count(c) > 1}):
            problems.add("header", column, MESSAGES["repeated_column"], code="repeated_column")
    problems.raise_if_any()
    focus = {c for c in columns if c in every}
    return next(v for v, names in sorted(known.items()) if focus <= names)


#: What reading a hostile file may raise. polars panics (``PanicException``, a ``BaseException``)
#: on some corrupt Parquet metadata and pages instead of raising an error: at this boundary, where
#: the bytes come from outside, a panic means the same to the user as an error.
#: The memory a child process reading an upload's Parquet may take (address space, so with room for
#: the reader's own reservations): a 20 MB file that needs more is not an honest export.
PARQUET_CHILD_BYTES = 4 * 1024**3
UNREADABLE = (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError, ValueError)


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [error.__class__.__name__])[0][:200]


def check_parquet_apart(data: bytes, filename: str, *, timeout: float = 60.0) -> None:
    """Read a Parquet file in a child process, with its memory capped, and refuse the file if the
    child fails. polars aborts the whole process on some corrupt Parquet metadata (an allocation of
    exabytes, a panic while panicking), which no ``except`` can catch: in a web worker that would
    take the other requests down with it. Whatever the child read, the parent then reads the same
    bytes with the same library."""
    code = (
        "import io, resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({PARQUET_CHILD_BYTES}, {PARQUET_CHILD_BYTES}))\n"
        "import polars as pl\n"
        "pl.read_parquet(io.BytesIO(sys.stdin.buffer.read()))\n"
    )
    try:
        child = subprocess.run(
            [sys.executable, "-c", code],
            input=data,
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "RUST_BACKTRACE": "0", "POLARS_MAX_THREADS": "1"},
        )
    except subprocess.TimeoutExpired as error:
        raise refuse(filename, MESSAGES["too_slow"], code="too_slow") from error
    if child.returncode:
        # The last line that says something: not a backtrace frame, not Rust's "note: run with …".
        lines = [
            line
            for line in child.stderr.decode("utf-8", "replace").splitlines()
            if line.strip() and not line.startswith((" ", "note:", "stack backtrace", "thread "))
        ]
        detail = lines[-1][:200] if lines else f"the reader stopped ({child.returncode})"
        raise refuse(
            filename,
            MESSAGES["unreadable"].format(detail=detail),
            code="unreadable",
            params={"detail": detail},
        )


def _is_parquet(source: bytes | Path, filename: str) -> bool:
    if filename.lower().endswith(".parquet"):
        return True
    if isinstance(source, Path):
        with source.open("rb") as file:
            return file.read(4) == b"PAR1"
    return source[:4] == b"PAR1"


def _csv_header(source: bytes | Path, filename: str) -> tuple[list[str], str]:
    if isinstance(source, Path):
        with source.open("rb") as file:
            head = file.read(65536)
    else:
        head = source[:65536]
    if b"\x00" in head:  # UTF-16 or a binary file: FOCUS exports are UTF-8 text
        raise refuse(filename, MESSAGES["not_utf8"], code="not_utf8")
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise refuse(filename, MESSAGES["no_header"], code="no_header")
    separator = max((",", ";", "\t"), key=first.count)
    return [h.strip() for h in next(csv.reader([first], delimiter=separator))], separator


def read_focus(
    source: bytes | Path,
    filename: str,
    focus_columns: Mapping[str, frozenset[str]],
    *,
    vcpu_per_ocpu: float = 2.0,
    limit: int = MAX_IMPORT_BYTES,
    isolate_parquet: bool = False,
) -> FocusFile:
    """Read and check a FOCUS export; ``ImportRefused`` names every problem by row and column.

    ``isolate_parquet``: read a Parquet file once in a child process first (see
    ``check_parquet_apart``); the web API sets it, a command reading its user's own file need not."""
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    check_size(b"", filename, limit, size=size)
    parquet = _is_parquet(source, filename)
    if parquet and isolate_parquet:
        check_parquet_apart(source.read_bytes() if isinstance(source, Path) else source, filename)
    data = source if isinstance(source, Path) else io.BytesIO(source)
    try:
        if parquet:
            columns = list(pl.read_parquet_schema(data))
            separator = ","
        else:
            columns, separator = _csv_header(source, filename)
    except UNREADABLE as error:
        detail = _first_line(error)
        raise refuse(
            filename,
            MESSAGES["unreadable"].format(detail=detail),
            code="unreadable",
            params={"detail": detail},
        ) from error
    version = detect_version(filename, columns, focus_columns)
    wanted = [c for c in (*REQUIRED, *OPTIONAL) if c in columns]
    if isinstance(data, io.BytesIO):
        data.seek(0)
    try:
        if parquet:
            frame = pl.read_parquet(data, columns=wanted)
        else:
            frame = pl.read_csv(
                data,
                columns=wanted,
                separator=separator,
                infer_schema=False,
                null_values=["NULL", ""],
                encoding="utf8-lossy",
            )
    except UNREADABLE as error:
        detail = _first_line(error)
        raise refuse(
            filename,
            MESSAGES["unreadable"].format(detail=detail),
            code="unreadable",
            params={"detail": detail},
        ) from error
    problems = Problems(filename)
    for column, dtype in frame.schema.items():
        if not (
            dtype in (pl.String, pl.Null, pl.Date) or dtype.is_numeric() or isinstance(dtype, pl.Datetime)
        ):
            problems.add(
                "header",
                column,
                MESSAGES["column_type"].format(type=dtype),
                code="column_type",
                params={"type": str(dtype)},
            )
    problems.raise_if_any()
    first_row = 1 if parquet else 2  # a CSV's first data row is the second line
    usage = _checked(frame, filename, first_row, vcpu_per_ocpu)
    return FocusFile(filename, version, frame.height, usage)


def _text(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.String).alias(column)
    dtype = frame.schema[column]
    if dtype == pl.String:
        return pl.col(column)
    if dtype.is_temporal():
        return pl.col(column).dt.strftime("%Y-%m-%dT%H:%M:%S").alias(column)
    return pl.col(column).cast(pl.String).alias(column)


def _checked(frame: pl.DataFrame, filename: str, first_row: int, vcpu_per_ocpu: float) -> pl.DataFrame:
    text = frame.select(
        pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64).alias("row"),
        *(_text(frame, c) for c in (*REQUIRED, *OPTIONAL) if c != "ConsumedQuantity"),
        pl.col("ConsumedQuantity").cast(pl.String).str.strip_chars().alias("quantity_text"),
        (
            pl.col("BilledCost").cast(pl.Float64, strict=False)
            if "BilledCost" in frame.columns
            else pl.lit(None, dtype=pl.Float64)
        ).alias("billed_cost"),
    ).with_columns(pl.col("quantity_text").cast(pl.Float64, strict=False).alias("quantity"))
    problems = Problems(filename)

    def name(rows: pl.DataFrame, field: str, code: str, **params: str) -> None:
        for row, value in rows.head(200).iter_rows():
            shown = {**params, "value": "" if value is None else str(value)}
            problems.add(f"row {row}", field, MESSAGES[code].format(**shown), code=code, params=shown)
        problems.count += max(0, rows.height - 200)

    quantity, unit = pl.col("quantity"), pl.col("ConsumedUnit")
    name(
        text.filter(
            pl.col("quantity_text").is_not_null()
            & (quantity.is_null() | ~quantity.is_finite().fill_null(False))
        ).select("row", "quantity_text"),
        "ConsumedQuantity",
        "not_number",
    )
    reversal = (pl.col("ChargeClass") == "Correction").fill_null(False) | (
        pl.col("billed_cost") < 0
    ).fill_null(False)
    name(
        text.filter((quantity < 0) & ~reversal).select("row", "quantity_text"),
        "ConsumedQuantity",
        "negative_usage",
    )
    name(
        text.filter(quantity.is_not_null() & unit.is_null()).select("row", "quantity_text"),
        "ConsumedUnit",
        "quantity_without_unit",
    )
    name(
        text.filter(~pl.col("ChargePeriodStart").str.contains(DATE_TIME).fill_null(False)).select(
            "row", "ChargePeriodStart"
        ),
        "ChargePeriodStart",
        "not_date_time",
    )
    name(
        text.filter(~pl.col("ChargeCategory").is_in(CHARGE_CATEGORIES).fill_null(False)).select(
            "row", "ChargeCategory"
        ),
        "ChargeCategory",
        "unknown_charge_category",
        categories=", ".join(CHARGE_CATEGORIES),
    )
    for column in ("ProviderName", "ServiceName"):
        name(
            text.filter(pl.col(column).is_null()).select("row", column),
            column,
            "missing",
        )
    # Units are few and rows many: each distinct unit is parsed once, then joined.
    units = text.get_column("ConsumedUnit").drop_nulls().unique().to_list()
    families: dict[str, tuple[str | None, float]] = {}
    for value in units:
        try:
            parsed = parse_unit(value, vcpu_per_ocpu)
        except WrongUnit as error:
            name(
                text.filter(unit == value).select("row", "ConsumedUnit"),
                "ConsumedUnit",
                "unit",
                detail=str(error),
            )
            continue
        families[value] = (parsed.family.value, parsed.factor) if parsed else (None, math.nan)
    problems.raise_if_any()
    unit_table = pl.DataFrame(
        {
            "ConsumedUnit": list(families),
            "unit_family": [f for f, _ in families.values()],
            "unit_factor": [x for _, x in families.values()],
        },
        schema={"ConsumedUnit": pl.String, "unit_family": pl.String, "unit_factor": pl.Float64},
    )
    return (
        text.drop("quantity_text")
        .with_columns(reversal.alias("reversal"))
        .join(unit_table, on="ConsumedUnit", how="left")
    )
