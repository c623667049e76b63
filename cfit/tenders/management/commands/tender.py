from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cfit.accounts.scoping import system_scope
from cfit.criteria.actions import version_to_content
from cfit.criteria.content import LANGUAGES, Ambition, ImpactCategory
from cfit.criteria.models import FrameworkVersion
from cfit.tenders.actions import tender_spec
from cfit.tenders.eforms import NoticeError
from cfit.tenders.exports import FORMATS
from cfit.tenders.models import Tender
from cfit.tenders.spec import UnknownProductGroup, build_spec

CATEGORY_ALIASES = {
    "circularity": "circularity",
    "due_diligence": "due_diligence",
    "due-diligence": "due_diligence",
    "carbon": "carbon",
    "chemicals": "chemicals",
}


TEXT_TYPES = ("application/json", "application/xml")


class Command(BaseCommand):
    help = "Build tender documents from criteria choices without saving (build), or export a saved tender (export)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="build a tender's documents from choices, saving nothing")
        build.add_argument(
            "--product-group",
            action="append",
            required=True,
            dest="product_groups",
            help="one lot per product group; repeat for more lots",
        )
        build.add_argument(
            "--ambition",
            choices=[a.value for a in Ambition],
            default="baseline",
            help="default ambition of every impact category",
        )
        build.add_argument(
            "--category",
            action="append",
            default=[],
            metavar="CATEGORY=AMBITION",
            help="e.g. carbon=ambitious; repeatable",
        )
        build.add_argument("--lang", choices=LANGUAGES, default="en")
        build.add_argument("--title", default="")
        build.add_argument("--reference", default="DRAFT")
        build.add_argument("--buyer", default="", help="the buyer's name (eForms and OCDS)")
        build.add_argument(
            "--buyer-country", default="", help="the buyer's country, ISO 3166 alpha-2 (needed by eForms)"
        )
        build.add_argument(
            "--version", dest="framework_version", help="framework version; default the latest published"
        )
        self._output_arguments(build)
        export = sub.add_parser("export", help="export a saved tender")
        export.add_argument("tender_id", type=int)
        self._output_arguments(export)

    def _output_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=sorted(FORMATS), required=True)
        parser.add_argument(
            "-o", "--output", type=Path, help="file to write; JSON and XML formats may go to standard output"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spec = self.build_spec(options) if options["action"] == "build" else self.saved_spec(options)
        fmt = FORMATS[options["format"]]
        try:
            data = fmt.render(spec)
        except NoticeError as error:
            raise CommandError(f"{fmt.name}: {error}") from error
        if options["output"]:
            options["output"].write_bytes(data)
            self.stderr.write(
                f"Wrote {options['output']} ({fmt.name}, {len(spec.lots)} lot(s), {sum(len(lot.criteria) for lot in spec.lots)} criteria)."
            )
        elif fmt.content_type in TEXT_TYPES:
            sys.stdout.buffer.write(data)
        else:
            raise CommandError(f"{fmt.name} is binary: give -o FILE")

    def build_spec(self, options: dict[str, Any]):
        code = options["framework_version"]
        version = (
            FrameworkVersion.objects.published().filter(code=code).first()
            if code
            else FrameworkVersion.objects.latest_published()
        )
        if version is None:
            raise CommandError(
                f"no published framework version {code or ''}: run cfit loadframework".replace("  ", " ")
            )
        categories = {}
        for item in options["category"]:
            name, _, level = item.partition("=")
            name = CATEGORY_ALIASES.get(name.strip().lower())
            if name is None or level not in Ambition._value2member_map_:
                raise CommandError(
                    f"--category {item!r}: use CATEGORY=baseline|ambitious with CATEGORY one of {', '.join(c.value for c in ImpactCategory)}"
                )
            categories[ImpactCategory(name)] = Ambition(level)
        try:
            return build_spec(
                version_to_content(version),
                product_groups=options["product_groups"],
                ambition=Ambition(options["ambition"]),
                categories=categories,
                language=options["lang"],
                title=options["title"],
                reference=options["reference"],
                buyer=options["buyer"],
                buyer_country=options["buyer_country"],
            )
        except UnknownProductGroup as error:
            raise CommandError(str(error)) from error

    def saved_spec(self, options: dict[str, Any]):
        with system_scope():
            tender = (
                Tender.objects.select_related("organisation", "framework_version")
                .filter(pk=options["tender_id"])
                .first()
            )
            if tender is None:
                raise CommandError(f"no tender {options['tender_id']}")
            return tender_spec(tender)
