"""``cfit monitoring``: reminders before campaign deadlines (queued, then delivered from the outbox), the
outbox's retries, and a full re-aggregation (run by cron)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from cfit.monitoring import actions, aggregation


class Command(BaseCommand):
    help = (
        "Queue and send reminders before campaign deadlines (remind), retry the reminders not delivered "
        "yet (deliver), or recompute every collective figure (reaggregate)."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser(
            "remind", help="mail members whose report is not in, in the last days before a deadline"
        )
        remind.add_argument(
            "--days", type=int, default=14, help="days before the deadline to start reminding"
        )
        remind.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD; default today"
        )
        sub.add_parser(
            "deliver", help="send the reminders of the outbox that are due (failed ones are retried)"
        )
        again = sub.add_parser("reaggregate", help="recompute the aggregates of every scope and year")
        again.add_argument(
            "--queue",
            action="store_true",
            help="leave it to the worker (cfit worker) rather than wait for it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "remind":
            queued = actions.send_reminders(options["today"] or timezone.localdate(), options["days"])
            sent = actions.deliver_reminders()
            self.stdout.write(f"{queued} reminder(s) queued, {sent} sent")
        elif options["action"] == "deliver":
            self.stdout.write(f"{actions.deliver_reminders()} reminder(s) sent")
        elif options["queue"]:
            from cfit.jobs import runner
            from cfit.monitoring.jobs import REAGGREGATE

            job, new = runner.enqueue(REAGGREGATE, key="monitoring-reaggregate")
            self.stdout.write(f"job {job.pk} {'queued' if new else 'already ' + job.state}")
        else:
            cells = aggregation.refresh(None)
            self.stdout.write(f"{cells} collective figures recomputed")
