"""``cfit assets``: an organisation's register from the command line (import all or nothing, export)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cfit.accounts.models import Organisation
from cfit.accounts.scoping import system_scope
from cfit.criteria.exchange import neutralise_formula
from cfit.fleet import actions
from cfit.fleet.models import Asset
from cfit.impact.problems import ProblemGroup
from cfit.impact.register import DateOrder
from cfit.uploads import ImportRefused


class Command(BaseCommand):
    help = "Import a register file into an organisation's fleet (import), or export its lines (export)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="check a register file and store it, all or nothing")
        load.add_argument("organisation", help="short name (slug) of the organisation")
        load.add_argument("file", type=Path)
        load.add_argument("--country", default="", help="country of use of rows that give none")
        load.add_argument(
            "--dates",
            choices=[order.value for order in DateOrder],
            default=DateOrder.AUTO.value,
            help="how dates such as 03/04/2024 read: day_first, month_first, or auto (day first unless "
            "the file puts a day over 12 second)",
        )
        load.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=COLUMN",
            help="which standard column a header of the file holds; repeatable; default: guessed",
        )
        export = sub.add_parser("export", help="write the organisation's lines as CSV")
        export.add_argument("organisation")
        export.add_argument("-o", "--output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['organisation']!r}")
        with system_scope():
            if options["action"] == "import":
                self.load(organisation, options)
            else:
                self.export(organisation, options)

    def load(self, organisation: Organisation, options: dict[str, Any]) -> None:
        mapping = None
        if options["map"]:
            pairs = [item.split("=", 1) for item in options["map"]]
            if any(len(pair) != 2 for pair in pairs):
                raise CommandError("--map takes HEADER=COLUMN")
            mapping = {header: column for header, column in pairs}
        path: Path = options["file"]
        notes: list[ProblemGroup] = []
        try:
            created, updated = actions.import_register_file(
                organisation,
                path,
                path.name,
                mapping=mapping,
                default_country=options["country"].upper(),
                date_order=DateOrder(options["dates"]),
                notes=notes,
            )
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(str(error)) from error
        for note in notes:
            self.stderr.write(f"{path.name}: note: {note.describe()}")
        self.stdout.write(f"{organisation.slug}: {created} lines added, {updated} updated")

    def export(self, organisation: Organisation, options: dict[str, Any]) -> None:
        out = options["output"].open("w", newline="", encoding="utf-8") if options["output"] else self.stdout
        try:
            writer = csv.writer(out)
            writer.writerow(actions.EXPORT_COLUMNS)
            for row in (
                Asset.objects.of_organisation(organisation).values_list(*actions.EXPORT_COLUMNS).iterator()
            ):
                writer.writerow(
                    ["" if v is None else neutralise_formula(v) if isinstance(v, str) else v for v in row]
                )
        finally:
            if options["output"]:
                out.close()
