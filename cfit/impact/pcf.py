"""Manufacturers' product carbon footprints (PCF), read from the Boavizta data set's CSV layout.

A PCF sheet declares a device's total footprint over an assumed lifetime (``gwp_total``, kgCO2e) and
the share of it that is the use phase (``gwp_use_ratio``). What the engine needs is the embodied part
(manufacturing, transport, end of life): ``gwp_total × (1 − gwp_use_ratio)``; the use phase is
computed again with the buyer's own energy and grid, not the manufacturer's assumed ones. Where a
sheet gives no use share, the product group's median share is used and the row says so. Plain Python.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import polars as pl

from cfit.tabular import NotANumber, parse_number, read_table
from cfit.uploads import ImportRefused, Problem, Problems, refuse

#: The Boavizta data set's subcategories, mapped onto the register's product groups; others are skipped.
SUBCATEGORIES = {
    "laptop": "notebooks",
    "desktop": "desktops",
    "workstation": "desktops",
    "thin client": "thin-clients",
    "monitor": "monitors",
    "tablet": "tablets",
    "smartphone": "smartphones",
    "server": "servers",
    "printer": "printers",
}
REQUIRED = ("manufacturer", "name", "subcategory", "gwp_total")
RATIOS = ("gwp_use_ratio", "gwp_error_ratio")
NUMBERS = ("gwp_total", "yearly_tec", "lifetime", "weight", "screen_size", "memory", "number_cpu")
PCF_COLUMNS = {
    "manufacturer": pl.String,
    "model": pl.String,
    "product_group": pl.String,
    "embodied": pl.Float64,
    "gwp_total": pl.Float64,
    "use_ratio": pl.Float64,
    "use_ratio_assumed": pl.Boolean,
    "error_ratio": pl.Float64,
    "yearly_kwh": pl.Float64,
    "lifetime": pl.Float64,
    "weight_kg": pl.Float64,
    "screen_size_in": pl.Float64,
    "memory_gb": pl.Float64,
    "storage_gb": pl.Float64,
    "number_cpu": pl.Float64,
    "year": pl.Float64,
    "use_location": pl.String,
    "source_url": pl.String,
    "document": pl.String,
    "row": pl.Int64,
}
#: Rows a footprint file may have: the Boavizta data set has under 2,000; the estimator's fit grows
#: faster than the rows, so a file of a million rows is refused rather than fitted for hours.
MAX_PCF_ROWS = 5_000
_DRIVE = re.compile(r"(?:x(\d+)\s*)?(\d+(?:\.\d+)?)\s*(GB|TB)", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d{2}")


def parse_storage_gb(text: str) -> float | None:
    """Total storage of a drive description such as ``x4 1TB 2.5in HDD  x2 300GB 2.5in HDD`` (4300 GB)."""
    total = 0.0
    for count, size, unit in _DRIVE.findall(text):
        total += (int(count) if count else 1) * float(size) * (1000 if unit.upper() == "TB" else 1)
    return total or None


def unescape(text: str) -> str:
    """Undo byte escapes left in some names by the data set's scraping (``15\\xe2\\x80\\x9d`` is ``15"``)."""
    if "\\x" not in text:
        return text
    try:
        raw = codecs.escape_decode(text.encode("latin-1", "backslashreplace"))[0]
        return str(raw.decode("utf-8")).replace("\u201d", '"').replace("\u2013", "-")
    except (UnicodeDecodeError, ValueError):
        return text


def parse_year(text: str) -> float | None:
    found = _YEAR.search(text)
    return float(found.group()) if found else None


@dataclass
class PcfReport:
    """What an import read: rows kept per product group and rows skipped (out of the register's scope)."""

    kept: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    assumed_use_ratio: int = 0
    odd_error_ratio: int = 0  #: declared error ratios above 1, not used
    duplicates: int = 0  #: rows identical to an earlier row, read once


def read_pcf_csv(data: bytes, filename: str) -> tuple[pl.DataFrame, PcfReport]:
    """The PCF table of a Boavizta-layout CSV, or ``ImportRefused`` with every bad row and column.
    A row identical to an earlier one is the same declaration again: it is read once and counted."""
    with read_table(data, filename) as source:
        headers = source.headers
        missing = [c for c in REQUIRED if c not in headers]
        if missing:
            raise ImportRefused(filename, [Problem("row 1", c, "required column missing") for c in missing])
        problems = source.problems
        rows: list[dict[str, object]] = []
        report = PcfReport()
        seen: set[tuple[str, ...]] = set()
        for count, (number, cells) in enumerate(source.rows, start=1):
            if count > MAX_PCF_ROWS:
                raise refuse(filename, f"more than {MAX_PCF_ROWS:,} rows", where=f"row {number}")
            key = tuple(cells)
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            record = dict(zip(headers, cells, strict=True))
            row = _read_row(record, number, problems)
            if row is None:
                continue
            subcategory = (record.get("subcategory") or "").strip()
            group = SUBCATEGORIES.get(subcategory.lower())
            if group is None:
                report.skipped[subcategory or "(none)"] = report.skipped.get(subcategory or "(none)", 0) + 1
                continue
            row["product_group"] = group
            report.odd_error_ratio += bool(row.pop("odd_error"))
            report.kept[group] = report.kept.get(group, 0) + 1
            rows.append(row)
        problems.raise_if_any()
    if not rows:
        raise refuse(filename, "no footprint of a known product group")
    table = pl.DataFrame(rows, schema={k: v for k, v in PCF_COLUMNS.items() if k not in _DERIVED})
    table = with_embodied(table)
    report.assumed_use_ratio = int(table.get_column("use_ratio_assumed").sum())
    return table.select(list(PCF_COLUMNS)), report


_DERIVED = ("embodied", "use_ratio_assumed")


def _number(record: dict[str, str | None], column: str, number: int, problems: Problems) -> float | None:
    text = (record.get(column) or "").strip()
    if not text:
        return None
    try:
        value = parse_number(text)
    except NotANumber:
        problems.add(f"row {number}", column, f"not a number: {text[:40]!r}")
        return None
    if value < 0:
        problems.add(f"row {number}", column, f"not a positive number: {text[:40]!r}")
        return None
    return value


def _read_row(record: dict[str, str | None], number: int, problems: Problems) -> dict[str, object] | None:
    before = problems.count
    values = {c: _number(record, c, number, problems) for c in NUMBERS + RATIOS}
    use_ratio = values["gwp_use_ratio"]
    if use_ratio is not None and use_ratio > 1:
        problems.add(f"row {number}", "gwp_use_ratio", f"a share must be between 0 and 1, got {use_ratio}")
    name = unescape((record.get("name") or "").strip())
    manufacturer = (record.get("manufacturer") or "").strip()
    if not name:
        problems.add(f"row {number}", "name", "required: the cell is empty")
    if not manufacturer:
        problems.add(f"row {number}", "manufacturer", "required: the cell is empty")
    if values["gwp_total"] is None and problems.count == before:
        problems.add(f"row {number}", "gwp_total", "required: the cell is empty")
    elif values["gwp_total"] == 0:
        problems.add(f"row {number}", "gwp_total", "a footprint of 0 kgCO2e")
    if problems.count > before:
        return None
    error = values["gwp_error_ratio"]
    # Some server sheets state an "error ratio" above 1 (over ±100 %), which reads as a different
    # quantity rather than an error margin: it is not used, and the group's typical error applies.
    odd_error = error is not None and error > 1
    return {
        "manufacturer": manufacturer,
        "model": name,
        "gwp_total": values["gwp_total"],
        "use_ratio": values["gwp_use_ratio"],
        # A declared error of 0 means "not stated", not "exact": treat it as missing.
        "error_ratio": error if error and not odd_error else None,
        "odd_error": odd_error,
        "yearly_kwh": values["yearly_tec"] or None,
        "lifetime": values["lifetime"] or None,
        "weight_kg": values["weight"] or None,
        "screen_size_in": values["screen_size"] or None,
        "memory_gb": values["memory"] or None,
        "storage_gb": parse_storage_gb(record.get("hard_drive") or ""),
        "number_cpu": values["number_cpu"] or None,
        "year": parse_year(record.get("report_date") or "") or parse_year(record.get("name") or ""),
        "use_location": (record.get("use_location") or "").strip(),
        "source_url": (record.get("sources") or "").strip().split(";")[0].split(" ")[0],
        "document": (record.get("sources_hash") or record.get("sources") or name).strip(),
        "row": number,
    }


def with_embodied(table: pl.DataFrame) -> pl.DataFrame:
    """Add the embodied footprint; a missing use share takes its product group's median share."""
    group_share = pl.col("use_ratio").median().over("product_group")
    share = pl.coalesce(pl.col("use_ratio"), group_share, pl.lit(0.0))
    return table.with_columns(
        (pl.col("gwp_total") * (1 - share)).alias("embodied"),
        pl.col("use_ratio").is_null().alias("use_ratio_assumed"),
    )
