"""``cfit contracts remind``: reminders before due dates, overdue notices and escalations, once each.
``cfit contracts import ORG FILE``: a buyer's existing contracts from a CSV or XLSX file, all or nothing.

Run ``remind`` daily (cron or a systemd timer). It is idempotent: each obligation gets at most one mail
per stage and due date, however often it runs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cfit.accounts.models import Organisation
from cfit.contracts.actions import ContractError, import_contracts, send_notices
from cfit.contracts.rows import RowsRefused


class Command(BaseCommand):
    help = "Send the reminders and escalations of contract obligations (remind); import contracts (import)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="send each reminder, overdue notice and escalation once")
        remind.add_argument("--today", help="the day to act for (YYYY-MM-DD); today by default")
        imports = sub.add_parser("import", help="import a buyer's existing contracts, all or nothing")
        imports.add_argument("organisation", help="the buyer's short name (slug)")
        imports.add_argument("file", help="a CSV or XLSX file, one contract per row")
        imports.add_argument("--user", default="", help="the user the import is recorded for")
        imports.add_argument(
            "--sheet",
            default="",
            help="the workbook's sheet to read (by default the one with the contract columns)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
            return
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today: not a date (YYYY-MM-DD): {options['today']!r}") from None
        sent = send_notices(today)
        self.stdout.write(f"{sent} mail(s) sent")

    def _import(self, options: dict[str, Any]) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['organisation']!r}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        path = Path(options["file"])
        try:
            imported = import_contracts(
                organisation, path, path.name, acting_user=user, sheet=options["sheet"] or None
            )
        except RowsRefused as error:
            raise CommandError(str(error)) from None
        except ContractError as error:
            raise CommandError(str(error)) from None
        read = f" from sheet {imported.sheet!r}" if imported.sheet else ""
        self.stdout.write(f"{len(imported.contracts)} contract(s) imported for {organisation.slug}{read}")
