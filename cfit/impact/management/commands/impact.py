"""``cfit impact``: the impact engine from the command line.

``fleet`` and ``estimate`` compute a register file without touching the database (``cfit.impact.cli``:
shipped factors and footprints, or ``--pcf`` footprints, or ``--database`` for the platform's own
reference data);
``import-pcf`` and ``load-factors`` fill the platform's reference tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError

from cfit.impact import cli
from cfit.tabular import read_source
from cfit.uploads import ImportRefused

LINE_COLUMNS = cli.LINE_COLUMNS


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
            cli.add_arguments(command)
            command.add_argument("--database", action="store_true", help="use the platform's reference data")
        pcf = sub.add_parser(
            "import-pcf", help="replace the platform's footprints with a file and refit the estimator"
        )
        pcf.add_argument("file", type=Path)
        pcf.add_argument("--title", default="")
        pcf.add_argument("--licence", default="ODbL 1.0")
        sub.add_parser(
            "load-factors",
            help="load the shipped grid intensity table and, unless some are loaded, the shipped "
            "manufacturers' footprints (Boavizta, ODbL) into the platform's tables",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            match options["action"]:
                case "fleet" | "estimate":
                    self.compute(options)
                case "import-pcf":
                    self.import_pcf(options)
                case "load-factors":
                    from cfit.impact.actions import load_grid_factors, load_shipped_footprints

                    created, kept = load_grid_factors()
                    self.stdout.write(f"grid intensity: {created} rows added, {kept} kept as they were")
                    dataset = load_shipped_footprints()
                    if dataset is not None:
                        self.stdout.write(
                            f"manufacturers' footprints: {dataset.rows} loaded ({dataset.title})"
                        )
                    else:
                        self.stdout.write("manufacturers' footprints: kept the data set already loaded")
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(str(error)) from error

    def compute(self, options: dict[str, Any]) -> None:
        from cfit.fleet.actions import register_limit

        if options["database"]:
            from cfit.impact.store import current_reference

            reference = current_reference()
        else:
            reference = cli.file_reference(options["pcf"], options["no_footprints"])
        # the command's output wrapper writes like a text file
        out = (
            options["output"].open("w", newline="", encoding="utf-8")
            if options["output"]
            else cast(IO[str], self.stdout)
        )
        try:
            cli.compute(
                options["action"],
                options["file"],
                reference,
                out,
                country=options["country"],
                output_format=options["format"],
                as_of=options["as_of"],
                limit=register_limit(),  # the register's own limit, as the import page applies it
                date_order=options["dates"],
                notes=cast(IO[str], self.stderr),
            )
        finally:
            if options["output"]:
                out.close()

    def import_pcf(self, options: dict[str, Any]) -> None:
        from cfit.impact.actions import BOAVIZTA, import_pcf

        path: Path = options["file"]
        dataset, report = import_pcf(
            read_source(path, path.name),
            path.name,
            title=options["title"] or BOAVIZTA,
            licence=options["licence"],
        )
        kept = ", ".join(f"{group} {n}" for group, n in sorted(report.kept.items()))
        skipped = ", ".join(f"{group} {n}" for group, n in sorted(report.skipped.items())) or "none"
        self.stdout.write(f"{dataset.rows} footprints imported ({kept}); skipped out of scope: {skipped}")
        self.stdout.write(
            f"use share assumed (group median) for {report.assumed_use_ratio}; "
            f"error ratios above 1 ignored: {report.odd_error_ratio}; estimator refitted"
        )
