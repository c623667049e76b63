from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.criteria import exchange
from cfit.criteria.actions import FrameworkError, compare_versions, import_as_draft, version_to_content
from cfit.criteria.api import category_names
from cfit.criteria.content import LANGUAGES, coverage_markdown
from cfit.criteria.floors import propose_floor_raises
from cfit.criteria.models import FrameworkVersion
from cfit.tabular import read_source
from cfit.uploads import ImportRefused


class Command(BaseCommand):
    help = (
        "Export the criteria framework (json, csv, xlsx), or import an edited export as a new draft version."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="print or write a whole framework version")
        export.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        export.add_argument(
            "--version", dest="framework_version", help="version code; default the latest published"
        )
        export.add_argument(
            "--lang", choices=LANGUAGES, help="one language only (such a file cannot be imported)"
        )
        export.add_argument("-o", "--output", type=Path, help="file to write; default standard output")
        sub.add_parser("coverage", help="print the coverage table of the latest published version (Markdown)")
        floors = sub.add_parser(
            "propose-floors",
            help="open a draft raising requirements to legal floors now in force (daily; never publishes)",
        )
        floors.add_argument(
            "--on",
            type=date.fromisoformat,
            help="the date the floors are checked on (YYYY-MM-DD); default today",
        )
        imp = sub.add_parser("import", help="load an edited export (json, csv, xlsx or yaml) as a new draft")
        imp.add_argument("file", type=Path)
        imp.add_argument("--code", help="version code of the new draft; default <latest>-draftN")
        imp.add_argument("--note", default="", help="why this draft was made")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.export(options)
        elif options["action"] == "coverage":
            version = FrameworkVersion.objects.latest_published()
            if version is None:
                raise CommandError(_("no published version: run cfit loadframework"))
            framework = version_to_content(version)
            self.stdout.write(coverage_markdown(framework))
            requirements = sum(len(c.requirements) for c in framework.criteria)
            self.stdout.write(
                "\n"
                + _("%(criteria)s criteria, %(requirements)s requirements, version %(code)s")
                % {"criteria": len(framework.criteria), "requirements": requirements, "code": version.code}
            )
        elif options["action"] == "propose-floors":
            self.stdout.write(propose_floor_raises(on=options["on"]).describe())
        else:
            self.import_(options)

    def export(self, options: dict[str, Any]) -> None:
        code = options["framework_version"]
        version = (
            FrameworkVersion.objects.filter(code=code).first()
            if code
            else FrameworkVersion.objects.latest_published()
        )
        if version is None:
            raise CommandError(
                _("no framework version %(code)s") % {"code": code}
                if code
                else _("no published version: run cfit loadframework")
            )
        framework = version_to_content(version)
        fmt, lang = options["format"], options["lang"]
        if fmt == "json":
            document = exchange.framework_to_json(framework, lang=lang, category_names=category_names())
            data: bytes = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
        elif lang:
            raise CommandError(_("--lang is for json only: csv and xlsx always hold the five languages"))
        elif fmt == "csv":
            data = exchange.rows_to_csv(exchange.framework_to_rows(framework)).encode()
        else:
            data = exchange.framework_to_xlsx(framework, version=version.code, status=version.status)
        if options["output"]:
            options["output"].write_bytes(data)
            self.stderr.write(
                _("Wrote %(file)s (%(count)s criteria of %(code)s).")
                % {"file": options["output"], "count": len(framework.criteria), "code": version.code}
            )
        elif fmt == "xlsx":
            raise CommandError(_("xlsx is binary: give -o FILE"))
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()

    def import_(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            # The same size limit as an upload, checked before the file is read.
            data = read_source(path, path.name)
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        base = FrameworkVersion.objects.latest_published()
        reference = version_to_content(base) if base else None
        try:
            framework = exchange.parse_import(data, path.name, reference, on=timezone.localdate())
            version = import_as_draft(
                framework, code=options["code"], note=options["note"], filename=path.name
            )
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        except FrameworkError as error:
            raise CommandError(f"{path.name}: {error}") from error
        self.stdout.write(
            _("Imported %(count)s criteria from %(file)s as draft version %(code)s.")
            % {"count": len(framework.criteria), "file": path.name, "code": version.code}
        )
        # A deleted row removes its criterion from the draft: say so, so that a row lost while editing
        # the sheet is seen now rather than in the change log at publication.
        diff = compare_versions(base, version) if base else None
        if base and diff:
            said = {
                "removed": _("Compared with %(code)s, removed %(count)s: %(criteria)s"),
                "added": _("Compared with %(code)s, added %(count)s: %(criteria)s"),
            }
            for what, message in said.items():
                if diff[what]:
                    self.stdout.write(
                        message
                        % {"code": base.code, "count": len(diff[what]), "criteria": ", ".join(diff[what])}
                    )
            if diff["changed"]:
                self.stdout.write(
                    _("Compared with %(code)s, changed %(count)s: %(criteria)s")
                    % {
                        "code": base.code,
                        "count": len(diff["changed"]),
                        "criteria": "; ".join(
                            f"{code} ({', '.join(fields)})" for code, fields in diff["changed"].items()
                        ),
                    }
                )
