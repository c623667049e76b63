from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from pydantic import ValidationError as SchemaError

from cfit.accounts.actions import apply_notice_details
from cfit.accounts.models import Organisation
from cfit.accounts.scoping import system_scope
from cfit.criteria.actions import version_to_content
from cfit.criteria.content import LANGUAGES, Ambition, ImpactCategory
from cfit.criteria.models import FrameworkVersion
from cfit.tenders.actions import apply_notice_terms, buyer_details, tender_spec
from cfit.tenders.api import NoticeTermsIn
from cfit.tenders.eforms import NoticeError
from cfit.tenders.exports import FORMATS
from cfit.tenders.models import Tender
from cfit.tenders.spec import TenderSpec, UnknownProductGroup, build_spec

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
        build.add_argument("--buyer-email", default="", help="the buyer's contact e-mail (eForms BT-506)")
        build.add_argument(
            "--offers-deadline",
            default="",
            metavar="DATETIME",
            help="when offers are due, ISO 8601, e.g. 2027-03-01T12:00+01:00 (eForms BT-131)",
        )
        build.add_argument(
            "--notice",
            type=Path,
            metavar="FILE.json",
            help='the buyer\'s notice details and the tender\'s notice terms: {"buyer": {...}, "terms": {...}}, '
            "named and coded as the API's notice details and PUT /tenders/{id}/notice-terms",
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
            spec = build_spec(
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
        return self.with_notice(spec, options)

    def with_notice(self, spec: TenderSpec, options: dict[str, Any]) -> TenderSpec:
        """The spec with what a contract notice states beyond the criteria: the buyer's contact and
        deadline, and from ``--notice`` its details and terms, checked by the rules of the pages and
        the API (an unsaved organisation and tender, nothing stored)."""
        changes: dict[str, Any] = {"buyer_email": options["buyer_email"].strip()}
        if options["offers_deadline"]:
            changes["offers_deadline"] = _deadline(options["offers_deadline"])
        path: Path | None = options["notice"]
        if path is not None:
            given = _notice_file(path)
            buyer = Organisation(name=spec.buyer, country=spec.buyer_country.upper())
            tender = Tender()
            try:
                apply_notice_details(buyer, given.get("buyer") or {})
            except (TypeError, ValidationError) as error:
                raise CommandError(_problems(path, "buyer", error)) from error
            try:
                terms = NoticeTermsIn.model_validate(given.get("terms") or {}).model_dump(exclude_unset=True)
                apply_notice_terms(tender, terms)
            except (SchemaError, TypeError, ValidationError) as error:
                raise CommandError(_problems(path, "terms", error)) from error
            changes["buyer_details"] = buyer_details(buyer)
            changes["notice_terms"] = tender.notice_terms()
        return dataclasses.replace(spec, **changes)

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


def _deadline(text: str) -> datetime:
    """An ISO 8601 date-time; without an offset, in the platform's time zone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise CommandError(
            f"--offers-deadline {text!r}: give an ISO 8601 date and time, e.g. 2027-03-01T12:00+01:00"
        ) from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _notice_file(path: Path) -> dict[str, Any]:
    try:
        given = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path}: not a readable JSON file ({error})") from error
    if not isinstance(given, dict) or set(given) - {"buyer", "terms"}:
        raise CommandError(f'{path}: give an object with "buyer" and "terms" (and nothing else)')
    for part in ("buyer", "terms"):
        if not isinstance(given.get(part) or {}, dict):
            raise CommandError(f'{path}: "{part}" must be an object of names and values')
    return given


def _problems(path: Path, part: str, error: Exception) -> str:
    """Each problem of the file named by its part and field: 'notice.json: terms.contract_months: …'."""
    if isinstance(error, SchemaError):
        lines = [f"{part}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        lines = [f"{part}.{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
    else:
        lines = [f"{part}: {error}"]
    return f"{path}: " + "; ".join(lines)
