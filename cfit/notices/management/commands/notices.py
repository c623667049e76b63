"""``cfit notices import FILE_OR_FOLDER...``: store published notices for the market page and the
monitoring pre-fill (``cfit notices read`` reads without a database and never comes here, unless a
Django option is given)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cfit.notices import actions
from cfit.notices import cli as reader_cli


class Command(BaseCommand):
    help = "Store published notices (import), or print what cfit reads from them (read)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="store eForms notices and OCDS releases, notice by notice")
        load.add_argument("paths", type=Path, nargs="+", metavar="FILE_OR_FOLDER")
        load.add_argument(
            "--batch", type=int, default=actions.BATCH_SIZE, help="notices committed together (default 500)"
        )
        load.add_argument("--ict", action="store_true", help="store only the notices that buy ICT (by CPV)")
        sub.add_parser("link", help="link the stored notices again to participants and their cfit tenders")
        read = sub.add_parser("read", help="as `cfit notices read`: one JSON object per notice")
        read.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER")
        read.add_argument("--format", choices=["json"], default="json")
        read.add_argument("--ict", action="store_true")
        read.add_argument("-o", "--output")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "read":
            argv = ["read", *options["paths"], "--format", options["format"]]
            argv += ["--ict"] if options["ict"] else []
            argv += ["-o", options["output"]] if options["output"] else []
            if reader_cli.main(argv):
                raise CommandError("some notices could not be read (named above)")
            return
        if options["action"] == "link":
            linked = actions.link_notices(acting_user=None).linked
            self.stdout.write(f"{linked} notice(s) linked to cfit tenders")
            return
        if options["batch"] < 1:
            raise CommandError("--batch takes a positive number")

        def progress(read: int, counts: dict[str, int]) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(
                    f"{read:,} read: {counts['created']:,} new, {counts['updated']:,} updated, "
                    f"{counts['unchanged']:,} unchanged, {counts['refused']:,} refused"
                )

        run = actions.import_notices(
            options["paths"],
            acting_user=None,
            batch_size=options["batch"],
            progress=progress,
            ict_only=options["ict"],
        )
        for problem in run.problems:
            self.stderr.write(f"{problem['where']}: {problem['reason']}")
        self.stdout.write(
            f"{run.created} new, {run.updated} updated, {run.unchanged} unchanged, "
            f"{run.refused} refused, {run.skipped} not ICT skipped; {run.linked} linked to cfit tenders"
        )
        if run.refused:
            raise CommandError(f"{run.refused} notice(s) or file(s) could not be stored; the others were")
