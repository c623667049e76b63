"""``cfit cloud``: the footprint of cloud use from the command line, and comparisons of places.

``footprint FILE`` computes a FinOps FOCUS export with the function the Django-free entry point uses
(``python -m cfit.cloud.cli footprint FILE``): with the shipped grid intensity table, or with
``--database`` the platform's own (as the API), and stores nothing.
"""

from __future__ import annotations

import argparse
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError

from cfit.cloud import cli
from cfit.cloud.reference import load_cloud_factors
from cfit.uploads import ImportRefused


class Command(BaseCommand):
    help = "Compute the energy and emissions of a FOCUS export of cloud use (footprint), stored nowhere."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        footprint = sub.add_parser(
            "footprint", help="the energy and emissions of a FOCUS file, stored nowhere"
        )
        cli.add_arguments(footprint)
        compare = sub.add_parser(
            "compare", help="what the same workload would emit in other regions and at other providers"
        )
        cli.add_compare_arguments(compare)
        for parser_ in (footprint, compare):
            parser_.add_argument(
                "--database",
                action="store_true",
                help="use the platform's grid intensity table (as the API does)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database"]:
            from cfit.impact.store import current_reference

            impact = current_reference()
            reference = load_cloud_factors(grid=impact.grid, grid_sources=impact.sources)
        else:
            reference = load_cloud_factors()
        try:
            if options["action"] == "compare":
                comparison = cli.compare_file(options["file"], reference, argparse.Namespace(**options))
            else:
                result = cli.footprint_file(options["file"], reference)
        except (ImportRefused, OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        # the command's output wrapper writes like a text file
        out = (
            options["output"].open("w", newline="", encoding="utf-8")
            if options["output"]
            else cast(IO[str], self.stdout)
        )
        try:
            if options["action"] == "compare":
                cli.write_comparison(comparison, out, options["format"])
            else:
                cli.write(result, out, options["format"])
        finally:
            if options["output"]:
                out.close()
