"""Jobs that survive a restart: stored in the database, claimed atomically by a worker (``cfit worker``).

Why no queue library: the claim is healthchecks' ``sendalerts`` pattern, an
``UPDATE … SET state='running' WHERE id=… AND state='queued'`` that exactly one worker wins (the row
count says who). It needs no broker to install and watch, works the same on SQLite and PostgreSQL,
and a job is enqueued in the same transaction as the record it works on, so a request that rolls
back leaves no job behind and a committed one never loses its job. Our volume (a few imports an
hour) is far below what polling a table costs.

A running job's worker writes a heartbeat every few seconds from a side thread. ``sweep`` finds
running jobs whose heartbeat is stale (the worker was killed, or recycled): a kind that is safe to
repeat (all or nothing, like the register import) goes back to the queue until ``max_attempts``
claims, any other fails with a clear error. Apps add their own clean-ups to the sweep (e.g. the
fleet deletes abandoned register uploads).

Where no worker runs (``make demo`` serves ``runserver`` only), ``dispatch`` runs the job in a thread
of the web process, through the same claim, so that a worker started later never runs it twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from cfit.jobs.models import Job, WorkerBeat

log = logging.getLogger(__name__)

#: Seconds between two heartbeats of a running job.
HEARTBEAT_SECONDS = 5.0
#: A running job whose heartbeat is older than this has lost its worker.
STALE_AFTER = timedelta(seconds=60)
#: A worker seen this recently is alive: the web process leaves queued jobs to it.
WORKER_ALIVE = timedelta(seconds=30)


@dataclass(frozen=True)
class JobKind:
    """What a kind of job runs, and what happens when its worker is lost."""

    name: str
    run: Callable[[Job], None]
    #: Safe to run again after a worker died half-way (all or nothing): the sweeper re-queues it.
    retry_safe: bool = False
    max_attempts: int = 3
    #: Called (with the job and a reason) when the sweeper gives up on a job, to mark what it worked on.
    on_abandoned: Callable[[Job, str], None] | None = None


KINDS: dict[str, JobKind] = {}
#: Clean-ups the sweep also runs (orphaned files and the like); each returns how many things it removed.
SWEEPERS: list[Callable[[], int]] = []


def register(kind: JobKind) -> None:
    KINDS[kind.name] = kind


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def enqueue(kind: str, *, key: str = "", organisation: Any = None, **args: Any) -> tuple[Job, bool]:
    """Queue a job; (the job, True) — or (the job already queued or running for ``key``, False)."""
    if kind not in KINDS:
        raise ValueError(f"no job kind {kind!r}")
    try:
        with transaction.atomic():
            return Job.objects.create(kind=kind, key=key, organisation=organisation, args=args), True
    except IntegrityError:
        live = Job.objects.filter(key=key, state__in=[Job.State.QUEUED, Job.State.RUNNING]).first()
        if live is None:  # finished between the insert and the look-up: a new one may go
            return enqueue(kind, key=key, organisation=organisation, **args)
        return live, False


def claim(worker: str, job_id: int | None = None) -> Job | None:
    """The oldest queued job (or job ``job_id``), now running for ``worker``; None if none is left.

    The conditional update is the lock: of two workers that picked the same candidate, one updates
    a row and the other none, and looks again."""
    while True:
        queued = Job.objects.filter(state=Job.State.QUEUED, kind__in=list(KINDS))
        if job_id is not None:
            queued = queued.filter(pk=job_id)
        candidate = queued.order_by("id").values_list("id", flat=True).first()
        if candidate is None:
            return None
        now = timezone.now()
        won = Job.objects.filter(pk=candidate, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING,
            claimed_by=worker[:200],
            heartbeat=now,
            started=now,
            attempts=F("attempts") + 1,
            error="",
        )
        if won:
            return Job.objects.get(pk=candidate)
        if job_id is not None:
            return None


def report(job: Job, stage: str, progress: int) -> None:
    """A running job's stage and progress, for the pages that show it (outside any transaction)."""
    Job.objects.filter(pk=job.pk).update(stage=stage[:100], progress=max(0, min(100, progress)))


class Heartbeat:
    """A side thread that keeps a running job's heartbeat fresh while the job works (even inside one
    long SQL statement), with its own database connection."""

    def __init__(self, job: Job, worker: str, every: float) -> None:
        self.job_id, self.worker, self.every = job.pk, worker, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{job.pk}")

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=30)

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, claimed_by=self.worker[:200]).update(
                        heartbeat=timezone.now()
                    )
                except Exception:  # a busy database: the next beat tries again
                    log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)
        finally:
            connection.close()


def run(job: Job, worker: str, *, heartbeat: float | None = None) -> Job:
    """Run a claimed job to its end and record it: done, or failed with the error.

    An exception is not retried (it would repeat); only a lost worker is (see ``sweep``). The final
    update checks the claim, so a job the sweeper took away meanwhile is not overwritten."""
    kind = KINDS[job.kind]
    every = (
        heartbeat if heartbeat is not None else getattr(settings, "JOBS_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
    )
    state, error = Job.State.DONE, ""
    with Heartbeat(job, worker, every):
        try:
            kind.run(job)
        except Exception as exc:  # the boundary of a job: record the failure, keep the worker alive
            log.exception("job %s (%s) failed", job.pk, job.kind)
            state, error = Job.State.FAILED, f"{exc.__class__.__name__}: {exc}"[:2000]
    Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, claimed_by=worker[:200]).update(
        state=state, error=error, finished=timezone.now(), progress=100, stage=state
    )
    job.refresh_from_db()
    return job


def run_now(job: Job) -> Job:
    """Claim and run a queued job in this thread (tests, development, and the web process's fallback)."""
    worker = worker_name()
    claimed = claim(worker, job.pk)
    if claimed is None:  # a worker was quicker
        job.refresh_from_db()
        return job
    return run(claimed, worker)


def worker_alive() -> bool:
    return WorkerBeat.objects.filter(seen__gte=timezone.now() - WORKER_ALIVE).exists()


def dispatch(job: Job, *, inline: bool) -> None:
    """Get a queued job going: ``inline`` runs it now, in this thread; otherwise a live worker takes
    it, or, when none has been seen lately and ``JOBS_THREAD_FALLBACK`` allows (the default), a thread
    of this process claims it once the transaction commits."""
    if inline:
        run_now(job)
        return
    if worker_alive() or not getattr(settings, "JOBS_THREAD_FALLBACK", True):
        return

    def start() -> None:
        threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True, name=f"job-{job.pk}").start()

    transaction.on_commit(start)


def _run_in_thread(job_id: int) -> None:
    try:
        sweep()  # no worker sweeps here: the web process looks after what its threads left behind
        job = Job.objects.filter(pk=job_id).first()
        if job is not None:
            run_now(job)
        # and whatever else waits (e.g. re-queued by the sweep above), as a worker in burst mode would
        worker = worker_name()
        while (other := claim(worker)) is not None:
            run(other, worker)
    except Exception:
        log.exception("job %s in the web process failed", job_id)
    finally:
        connection.close()  # this thread's own connection: nobody else will close it


def sweep(*, stale_after: timedelta | None = None) -> dict[str, int]:
    """Re-queue (where safe, up to the kind's ``max_attempts`` claims) or fail the running jobs whose
    worker has gone silent; then run the apps' clean-ups. Returns what it did, by name."""
    requeued, failed = _take_back(Job.objects.all(), stale_after)
    removed = sum(clean() for clean in SWEEPERS)
    return {"requeued": requeued, "failed": failed, "removed": removed}


def _take_back(jobs: Any, stale_after: timedelta | None) -> tuple[int, int]:
    stale_after = (
        stale_after if stale_after is not None else getattr(settings, "JOBS_STALE_AFTER", STALE_AFTER)
    )
    cutoff = timezone.now() - stale_after
    requeued = failed = 0
    for job in jobs.filter(state=Job.State.RUNNING, heartbeat__lt=cutoff):
        kind = KINDS.get(job.kind)
        # Conditional on the heartbeat read: a worker that was only slow and beat meanwhile keeps it.
        silent = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, heartbeat=job.heartbeat)
        if kind is not None and kind.retry_safe and job.attempts < kind.max_attempts:
            requeued += silent.update(
                state=Job.State.QUEUED, claimed_by="", stage="queued", error="worker lost; queued again"
            )
            continue
        reason = f"the worker stopped {job.attempts} time(s) while running it"
        if silent.update(state=Job.State.FAILED, finished=timezone.now(), error=reason, stage="failed"):
            failed += 1
            if kind is not None and kind.on_abandoned is not None:
                kind.on_abandoned(job, reason)
    return requeued, failed


def keep_going(key: str) -> None:
    """For a page that watches a job: where no worker is alive, take up the job with ``key`` if the
    web process lost it (a restarted server) or never started it. Cheap when all is well."""
    job = Job.objects.filter(key=key).order_by("-id").first()
    if job is None or job.is_finished or not getattr(settings, "JOBS_THREAD_FALLBACK", True):
        return
    waiting = job.state == Job.State.QUEUED and job.created < timezone.now() - timedelta(seconds=10)
    stale = job.state == Job.State.RUNNING and (
        job.heartbeat is None
        or job.heartbeat < timezone.now() - getattr(settings, "JOBS_STALE_AFTER", STALE_AFTER)
    )
    if not (waiting or stale) or worker_alive():
        return
    _take_back(Job.objects.filter(pk=job.pk), None)
    job.refresh_from_db()
    if job.state == Job.State.QUEUED:
        dispatch(job, inline=False)


def beat(worker: str) -> None:
    WorkerBeat.objects.update_or_create(name=worker[:200], defaults={"seen": timezone.now()})


def forget(worker: str) -> None:
    WorkerBeat.objects.filter(name=worker[:200]).delete()
