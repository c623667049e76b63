"""The engine on a register file from the command line, without Django: ``fleet`` (the fleet's
figures) and ``estimate`` (each device's embodied footprint). ``cfit impact fleet|estimate`` runs this;
``python -m cfit.impact.cli fleet register.csv`` runs it without starting the platform (a second less
for a national register). Stores nothing. Plain Python.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from cfit.impact import fleet, summary
from cfit.impact.figures import METHOD_VERSION
from cfit.impact.pcf import read_pcf_csv
from cfit.impact.problems import ProblemGroup
from cfit.impact.reference import SHIPPED_PCF_TITLE, Reference, load_factors, load_shipped_footprints
from cfit.impact.register import DateOrder, read_register
from cfit.tabular import read_source
from cfit.uploads import MAX_REGISTER_BYTES, ImportRefused

ESTIMATE_COLUMNS = [
    "row", "asset_key", "product_group", "manufacturer", "model", "quantity", "status",
    "embodied_low", "embodied_value", "embodied_high", "embodied_source", "embodied_method",
    "matched_model", "match_confidence", "match_distance",
]  # fmt: skip
#: Every factor of a line with its range, as the asset's page shows it; the grid factor's source ids.
LINE_COLUMNS = [
    *ESTIMATE_COLUMNS,
    "kwh_low", "kwh_value", "kwh_high", "kwh_source", "grid_low", "grid_value", "grid_high", "grid_year",
    "grid_source", "use_low", "use_value", "use_high", "life_years", "life_basis",
    "annual_low", "annual_value", "annual_high",
]  # fmt: skip


def add_arguments(parser: Any) -> None:
    """The options of ``fleet`` and ``estimate`` (shared with the ``cfit impact`` command)."""
    parser.add_argument("file", type=Path, help="register file (CSV or XLSX) with the standard columns")
    parser.add_argument("--country", default="", help="country of use of rows that give none, e.g. NL")
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD; default today")
    parser.add_argument(
        "--dates",
        choices=[order.value for order in DateOrder],
        default=DateOrder.AUTO.value,
        help="how dates such as 03/04/2024 read: day_first, month_first, or auto (day first unless the "
        "file puts a day over 12 second)",
    )
    parser.add_argument(
        "--pcf",
        type=Path,
        help="manufacturers' footprints (Boavizta CSV layout) to match; default: the shipped ones",
    )
    parser.add_argument(
        "--no-footprints", action="store_true", help="match no manufacturers' footprints at all"
    )
    parser.add_argument("-o", "--output", type=Path, help="write here instead of standard output")


def file_reference(pcf: Path | None, no_footprints: bool) -> Reference:
    """The shipped factors, with the shipped manufacturers' footprints or those of ``pcf``."""
    reference = load_factors()
    if no_footprints:
        return reference
    if pcf is not None:
        table, _ = read_pcf_csv(read_source(pcf, pcf.name), pcf.name)
        return reference.with_pcf(table, f"{pcf.name} (manufacturers' footprints)")
    shipped = load_shipped_footprints()
    return reference.with_pcf(shipped, SHIPPED_PCF_TITLE) if shipped is not None else reference


def compute(
    action: str,
    path: Path,
    reference: Reference,
    out: IO[str],
    *,
    country: str = "",
    output_format: str = "json",
    as_of: date | None = None,
    limit: int = MAX_REGISTER_BYTES,
    date_order: str = DateOrder.AUTO.value,
    notes: IO[str] | None = None,
) -> None:
    """Read, check and compute a register file; write the figures (``fleet``) or each line's embodied
    footprint (``estimate``) as JSON or CSV. ``ImportRefused`` names every problem of the file.
    ``limit`` is the largest file taken: the platform's register limit when the platform runs this.
    ``notes`` (standard error for the command) is told what the reading did that the user should
    know: a totals row left out, how numeric dates were read."""
    as_of = as_of or date.today()
    said: list[ProblemGroup] = []
    register = read_register(
        path,
        path.name,
        # The same limits as the pages (compressed and unpacked): a command is no safer a door.
        limit=limit,
        default_country=country.upper(),
        today=as_of,
        # The embodied estimate needs a group, a manufacturer and a model, nothing else.
        purpose="estimate" if action == "estimate" else "register",
        date_order=DateOrder(date_order),
        notes=said,
    )
    for note in said:
        if notes is not None:
            notes.write(f"{path.name}: note: {note.describe()}\n")
    lines = fleet.compute_lines(register, reference, as_of, explain=action == "estimate")
    if output_format == "csv":
        columns = LINE_COLUMNS if action == "fleet" else ESTIMATE_COLUMNS
        writer = csv.writer(out)
        # each line names the method that computed it, as the JSON outputs do
        writer.writerow([*columns, "method_version"])
        for row in lines.sort("row").select(columns).iter_rows():
            writer.writerow(
                ["" if v is None else round(v, 3) if isinstance(v, float) else v for v in row]
                + [METHOD_VERSION]
            )
    elif action == "fleet":
        figures = summary.summarise(lines, reference, as_of)
        out.write(json.dumps(figures.model_dump(mode="json"), ensure_ascii=False) + "\n")
    else:
        out.write(json.dumps(fleet.device_estimates(lines), ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cfit impact", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    for name in ("fleet", "estimate"):
        add_arguments(sub.add_parser(name))
    args = parser.parse_args(argv)
    try:
        reference = file_reference(args.pcf, args.no_footprints)
        out = args.output.open("w", newline="", encoding="utf-8") if args.output else sys.stdout
        try:
            compute(
                args.action,
                args.file,
                reference,
                out,
                country=args.country,
                output_format=args.format,
                as_of=args.as_of,
                date_order=args.dates,
                notes=sys.stderr,
            )
        finally:
            if args.output:
                out.close()
    except (ImportRefused, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
