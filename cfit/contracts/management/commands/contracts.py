"""``cfit contracts remind``: reminders before due dates, overdue notices and escalations, once each.

Run it daily (cron or a systemd timer). It is idempotent: each obligation gets at most one mail per
stage and due date, however often it runs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cfit.contracts.actions import send_notices


class Command(BaseCommand):
    help = "Send the reminders and escalations of contract obligations (remind)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="send each reminder, overdue notice and escalation once")
        remind.add_argument("--today", help="the day to act for (YYYY-MM-DD); today by default")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today: not a date (YYYY-MM-DD): {options['today']!r}") from None
        sent = send_notices(today)
        self.stdout.write(f"{sent} mail(s) sent")
