"""``cfit impact``: the impact engine from the command line.

``fleet`` and ``estimate`` compute a register file without touching the database (shipped factors,
plus ``--pcf`` footprints if given, or ``--database`` for the platform's own reference data);
``import-pcf`` and ``load-factors`` fill the platform's reference tables.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cfit.impact import fleet, summary
from cfit.impact.pcf import read_pcf_csv
from cfit.impact.reference import Reference, load_factors
from cfit.impact.register import check_register, read_raw
from cfit.uploads import ImportRefused

LINE_COLUMNS = [
    "row", "asset_key", "product_group", "manufacturer", "model", "quantity", "status",
    "embodied_low", "embodied_value", "embodied_high", "embodied_source", "matched_model", "match_confidence",
    "kwh_value", "kwh_source", "grid_value", "grid_year", "use_low", "use_value", "use_high",
    "life_years", "life_basis", "annual_low", "annual_value", "annual_high",
]  # fmt: skip


class Command(BaseCommand):
    help = "Compute a fleet file's footprint (fleet), each device's embodied estimate (estimate), or load reference data."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("fleet", "the footprint and circularity figures of a register file, stored nowhere"),
            ("estimate", "each device row's embodied footprint, its source and matched model"),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument(
                "file", type=Path, help="register file (CSV or XLSX) with the standard columns"
            )
            command.add_argument(
                "--country", default="", help="country of use of rows that give none, e.g. NL"
            )
            command.add_argument("--format", choices=["json", "csv"], default="json")
            command.add_argument(
                "--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD; default today"
            )
            command.add_argument(
                "--pcf", type=Path, help="manufacturers' footprints (Boavizta CSV layout) to match"
            )
            command.add_argument("--database", action="store_true", help="use the platform's reference data")
            command.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
        pcf = sub.add_parser(
            "import-pcf", help="replace the platform's footprints with a file and refit the estimator"
        )
        pcf.add_argument("file", type=Path)
        pcf.add_argument("--title", default="")
        pcf.add_argument("--licence", default="ODbL 1.0")
        sub.add_parser("load-factors", help="load the shipped grid intensity table into the editable one")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            match options["action"]:
                case "fleet" | "estimate":
                    self.compute(options)
                case "import-pcf":
                    self.import_pcf(options)
                case "load-factors":
                    from cfit.impact.actions import load_grid_factors

                    created, kept = load_grid_factors()
                    self.stdout.write(f"grid intensity: {created} rows added, {kept} kept as they were")
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(str(error)) from error

    def reference(self, options: dict[str, Any]) -> Reference:
        if options["database"]:
            from cfit.impact.store import current_reference

            return current_reference()
        reference = load_factors()
        if options["pcf"]:
            table, _ = read_pcf_csv(options["pcf"].read_bytes(), options["pcf"].name)
            reference = reference.with_pcf(table, f"{options['pcf'].name} (manufacturers' footprints)")
        return reference

    def compute(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        as_of = options["as_of"] or date.today()
        register = check_register(
            read_raw(path, path.name, limit=2**40), default_country=options["country"].upper(), today=as_of
        )
        reference = self.reference(options)
        lines = fleet.compute_lines(register, reference, as_of)
        out = options["output"].open("w", newline="", encoding="utf-8") if options["output"] else self.stdout
        try:
            if options["format"] == "csv":
                columns = LINE_COLUMNS if options["action"] == "fleet" else LINE_COLUMNS[:13]
                writer = csv.writer(out)
                writer.writerow(columns)
                for row in lines.sort("row").select(columns).iter_rows():
                    writer.writerow(
                        ["" if v is None else round(v, 3) if isinstance(v, float) else v for v in row]
                    )
            elif options["action"] == "fleet":
                out.write(json.dumps(summary.summarise(lines, reference, as_of), ensure_ascii=False) + "\n")
            else:
                out.write(json.dumps(fleet.device_estimates(lines), ensure_ascii=False) + "\n")
        finally:
            if options["output"]:
                out.close()

    def import_pcf(self, options: dict[str, Any]) -> None:
        from cfit.impact.actions import BOAVIZTA, import_pcf

        path: Path = options["file"]
        dataset, report = import_pcf(
            path.read_bytes(), path.name, title=options["title"] or BOAVIZTA, licence=options["licence"]
        )
        kept = ", ".join(f"{group} {n}" for group, n in sorted(report.kept.items()))
        skipped = ", ".join(f"{group} {n}" for group, n in sorted(report.skipped.items())) or "none"
        self.stdout.write(f"{dataset.rows} footprints imported ({kept}); skipped out of scope: {skipped}")
        self.stdout.write(
            f"use share assumed (group median) for {report.assumed_use_ratio}; "
            f"error ratios above 1 ignored: {report.odd_error_ratio}; estimator refitted"
        )
