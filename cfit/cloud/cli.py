"""The cloud footprint of a FOCUS file from the command line, without Django: ``python -m
cfit.cloud.cli footprint FILE --format json`` (``cfit cloud footprint`` runs the same function).
Stores nothing. Plain Python.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from cfit.cloud.focus import read_focus
from cfit.cloud.footprint import CloudFootprint, compute_footprint
from cfit.cloud.reference import CloudReference, load_cloud_factors
from cfit.uploads import MAX_IMPORT_BYTES, ImportRefused

#: The columns of ``--format csv``: one line per service, region and month figure.
CSV_COLUMNS = [
    "breakdown", "key", "rows", "energy_kwh_low", "energy_kwh", "energy_kwh_high",
    "emissions_kgco2e_low", "emissions_kgco2e", "emissions_kgco2e_high",
]  # fmt: skip


def add_arguments(parser: Any) -> None:
    """The options of ``footprint`` (shared with the ``cfit cloud`` command)."""
    parser.add_argument("file", type=Path, help="FOCUS 1.0, 1.1 or 1.2 export (CSV or Parquet)")
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of standard output")


def footprint_file(path: Path, reference: CloudReference, *, limit: int = MAX_IMPORT_BYTES) -> CloudFootprint:
    """Read, check and compute a FOCUS file; ``ImportRefused`` names every problem of the file."""
    focus = read_focus(
        path,
        path.name,
        reference.focus_columns,
        vcpu_per_ocpu=reference.vcpu_per_ocpu,
        # The same limit as the pages and the API: a command is no safer a door.
        limit=limit,
    )
    return compute_footprint(focus, reference)


def write(result: CloudFootprint, out: IO[str], output_format: str = "json") -> None:
    if output_format == "json":
        out.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        return
    data = result.as_dict()
    lines = [",".join(CSV_COLUMNS)]
    groups = [
        ("total", "", data),
        *((b, k, v) for b in ("by_service", "by_region", "by_month") for k, v in data[b].items()),
    ]
    for breakdown, key, figures in groups:
        energy, emissions = figures["energy_kwh"], figures["emissions_kgco2e"]
        cells = [breakdown, key, figures.get("counted_rows", figures["rows"])]
        cells += [
            energy["low"],
            energy["value"],
            energy["high"],
            emissions["low"],
            emissions["value"],
            emissions["high"],
        ]
        lines.append(",".join(_csv_cell(c) for c in cells))
    out.write("\n".join(lines) + "\n")


def _csv_cell(value: object) -> str:
    text = str(value)
    if any(c in text for c in ',"\n') or text[:1] in ("=", "+", "-", "@"):
        # Quoted, and a leading sign neutralised, so that a spreadsheet runs no formula from a service name.
        text = "'" + text if text[:1] in ("=", "+", "@") else text
        return '"' + text.replace('"', '""') + '"'
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cfit cloud", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    add_arguments(
        sub.add_parser("footprint", help="the energy and emissions of a FOCUS file, stored nowhere")
    )
    args = parser.parse_args(argv)
    try:
        result = footprint_file(args.file, load_cloud_factors())
        out = args.output.open("w", newline="", encoding="utf-8") if args.output else sys.stdout
        try:
            write(result, out, args.format)
        finally:
            if args.output:
                out.close()
    except (ImportRefused, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
