"""``cfit worker``: run queued jobs (register imports and the like) until stopped, as healthchecks'
``sendalerts`` does: poll, claim atomically, run, heartbeat; sweep stuck jobs and orphaned files."""

from __future__ import annotations

import logging
import signal
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from cfit.accounts.scoping import system_scope
from cfit.jobs import runner

log = logging.getLogger("cfit.jobs.worker")


class Command(BaseCommand):
    help = "Run queued jobs until stopped (--burst: until none is left; --once: at most one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run at most one job, then stop")
        parser.add_argument(
            "--burst", action="store_true", help="run queued jobs until none is left, then stop"
        )
        parser.add_argument(
            "--sweep-only", action="store_true", help="sweep stuck jobs and orphaned files, then stop"
        )
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at an empty queue")
        parser.add_argument(
            "--heartbeat", type=float, default=None, help="seconds between a job's heartbeats"
        )
        parser.add_argument(
            "--sweep-every", type=float, default=30.0, help="seconds between two sweeps of stuck jobs"
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="seconds without a heartbeat after which a running job has lost its worker (default 60)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = runner.worker_name()
        stale_after = (
            timedelta(seconds=options["stale_after"]) if options["stale_after"] is not None else None
        )
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            # Finish the job at hand (it is all or nothing anyway), then leave.
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        with system_scope():
            if options["sweep_only"]:
                self.stdout.write(str(runner.sweep(stale_after=stale_after)))
                return
            runner.beat(worker)
            swept_at = 0.0
            done = 0
            try:
                while not stopping:
                    if time.monotonic() - swept_at >= options["sweep_every"]:
                        found = runner.sweep(stale_after=stale_after)
                        if any(found.values()):
                            log.info("sweep: %s", found)
                        swept_at = time.monotonic()
                    job = runner.claim(worker)
                    if job is None:
                        if options["once"] or options["burst"]:
                            break
                        runner.beat(worker)
                        time.sleep(options["poll"])
                        continue
                    log.info("job %s (%s): claimed, attempt %s", job.pk, job.kind, job.attempts)
                    job = runner.run(job, worker, heartbeat=options["heartbeat"])
                    log.info("job %s (%s): %s", job.pk, job.kind, job.state)
                    done += 1
                    runner.beat(worker)
                    if options["once"]:
                        break
            finally:
                runner.forget(worker)
        if options["once"] or options["burst"]:
            self.stdout.write(f"{done} job(s) run")
