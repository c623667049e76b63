"""The cloud footprint of a FOCUS file from the command line, without Django: ``python -m
cfit.cloud.cli footprint FILE --format json`` (``cfit cloud footprint`` runs the same function), and
what the same workload would emit elsewhere: ``cfit cloud compare FILE [--to aws:eu-north-1 ...]``.
Stores nothing. Plain Python.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from cfit.cloud.compare import Comparison, UnknownPlace, compare_places, parse_family_moves, parse_place
from cfit.cloud.focus import FocusFile, read_focus
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


#: The columns of ``compare --format csv``: today's figures first, then one line per place.
COMPARE_COLUMNS = [
    "provider", "region", "country", "grid_gco2e_per_kwh", "energy_kwh_low", "energy_kwh", "energy_kwh_high",
    "emissions_kgco2e_low", "emissions_kgco2e", "emissions_kgco2e_high",
    "change_kgco2e_low", "change_kgco2e", "change_kgco2e_high",
]  # fmt: skip


def add_compare_arguments(parser: Any) -> None:
    add_arguments(parser)
    parser.add_argument(
        "--to",
        action="append",
        metavar="PROVIDER:REGION",
        help="a place to compare with, e.g. aws:eu-north-1 (repeat it; default: every known region)",
    )
    parser.add_argument(
        "--family",
        action="append",
        metavar="FAMILY=EQUIVALENT",
        help="move the instances of a family to a declared equivalent of the same vCPUs and memory, "
        "e.g. m5=m7g (repeatable; without --to: where the workload runs today)",
    )
    parser.add_argument("--region", action="append", help="only the workload of this RegionId (repeatable)")
    parser.add_argument(
        "--service", action="append", help="only the workload of this ServiceName (repeatable)"
    )
    parser.add_argument(
        "--limit", type=int, default=10, help="at most this many places, lowest first (0: all)"
    )


def read_file(path: Path, reference: CloudReference, *, limit: int = MAX_IMPORT_BYTES) -> FocusFile:
    """Read and check a FOCUS file; ``ImportRefused`` names every problem of the file."""
    return read_focus(
        path,
        path.name,
        reference.focus_columns,
        vcpu_per_ocpu=reference.vcpu_per_ocpu,
        # The same limit as the pages and the API: a command is no safer a door.
        limit=limit,
    )


def footprint_file(path: Path, reference: CloudReference, *, limit: int = MAX_IMPORT_BYTES) -> CloudFootprint:
    """Read, check and compute a FOCUS file; ``ImportRefused`` names every problem of the file."""
    return compute_footprint(read_file(path, reference, limit=limit), reference)


def compare_file(path: Path, reference: CloudReference, options: Any) -> Comparison:
    """The comparison the ``compare`` arguments ask for; ``ValueError`` for a place written wrong or
    unknown."""
    places = [parse_place(text) for text in options.to] if options.to else None
    families = parse_family_moves(options.family or [], reference)
    return compare_places(
        read_file(path, reference),
        reference,
        to=places,
        families=families,
        regions=options.region,
        services=options.service,
        limit=options.limit or None,
    )


def write_comparison(result: Comparison, out: IO[str], output_format: str = "json") -> None:
    if output_format == "json":
        out.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        return
    out.write(",".join(COMPARE_COLUMNS) + "\n")
    today = ["today", ",".join(result.regions), "", ""]
    if result.family_moves:
        out.write("# " + "; ".join(result.family_moves) + "\n")
    spans = [result.energy_kwh, result.emissions_kgco2e]
    lines = [today + [f"{getattr(s, b):.6f}" for s in spans for b in ("low", "value", "high")] + ["", "", ""]]
    for a in result.alternatives:
        spans = [a.energy_kwh, a.emissions_kgco2e, a.change_kgco2e]
        head = [
            a.provider,
            a.region or "today",
            a.country,
            f"{a.grid_gco2e_per_kwh.value:.1f}" if a.region else "",
        ]
        lines.append(head + [f"{getattr(s, b):.6f}" for s in spans for b in ("low", "value", "high")])
    out.writelines(",".join(_csv_cell(c) for c in line) + "\n" for line in lines)


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
    add_compare_arguments(
        sub.add_parser(
            "compare", help="what the same workload would emit in other regions and at other providers"
        )
    )
    args = parser.parse_args(argv)
    try:
        reference = load_cloud_factors()
        if args.action == "compare":
            comparison = compare_file(args.file, reference, args)
        else:
            result = footprint_file(args.file, reference)
        out = args.output.open("w", newline="", encoding="utf-8") if args.output else sys.stdout
        try:
            if args.action == "compare":
                write_comparison(comparison, out, args.format)
            else:
                write(result, out, args.format)
        finally:
            if args.output:
                out.close()
    except (ImportRefused, OSError, UnknownPlace, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
