"""``cfit duediligence``: read and check a CMRT/EMRT (``check``), import a conformance list (``load-smelters``).

``check`` needs no database (``cfit.cli`` runs it without Django; here it is the same code);
``load-smelters FILE --as-of DATE`` stores a conformance list (CSV or XLSX of smelter id, name, metal,
country, status) as the next version, all or nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cfit.uploads import ImportRefused


class Command(BaseCommand):
    help = "Read and check a CMRT/EMRT (check), import a smelter conformance list (load-smelters)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="read a CMRT/EMRT and check its smelters")
        check.add_argument("file")
        check.add_argument("--format", choices=("json", "text"), default="text")
        check.add_argument("--smelters", help="a conformance list (CSV or XLSX)")
        check.add_argument("--as-of", help="the date the conformance list stands for (YYYY-MM-DD)")
        load = sub.add_parser("load-smelters", help="import a conformance list as the next version")
        load.add_argument("file")
        load.add_argument("--as-of", required=True, help="the date the statuses stand for (YYYY-MM-DD)")
        load.add_argument(
            "--source", default="", help="where the list comes from (e.g. RMI's facility list URL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            from cfit.duediligence import cli

            argv = [options["file"], "--format", options["format"]]
            if options.get("smelters"):
                argv += ["--smelters", options["smelters"]]
            if options.get("as_of"):
                argv += ["--as-of", options["as_of"]]
            status = cli.main(argv, self.stdout, self.stderr)
            if status:
                raise CommandError("refused")
            return
        from cfit.duediligence.actions import import_smelter_list

        try:
            as_of = date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError(f"--as-of: not a date (YYYY-MM-DD): {options['as_of']!r}") from None
        path = Path(options["file"])
        try:
            smelter_list = import_smelter_list(
                path, path.name, as_of=as_of, acting_user=None, origin=options["source"]
            )
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        count = smelter_list.smelters.count()
        self.stdout.write(f"conformance list version {smelter_list.version} as of {as_of}: {count} smelters")
