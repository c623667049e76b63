"""Jobs: long operations stored in the database and run by a worker (see ``cfit.jobs.runner``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One long operation: what to do (``kind`` and ``args``), and how far it got."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")  #: waiting for a worker
        RUNNING = "running", _("Running")  #: claimed by a worker that heartbeats
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")  #: an error, or a worker that stopped too often

    # -- what
    kind = models.CharField(
        _("kind"), max_length=60, help_text=_("A registered kind, e.g. fleet.register_import.")
    )
    key = models.CharField(
        _("key"),
        max_length=200,
        blank=True,
        help_text=_("What the job works on (e.g. register-import:12): one queued or running job per key."),
    )
    args = models.JSONField(_("arguments"), default=dict)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # -- progress
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Times a worker claimed the job.")
    )
    error = models.TextField(_("error"), blank=True)
    # -- the worker
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True)
    heartbeat = models.DateTimeField(
        _("heartbeat"), null=True, blank=True, help_text=_("Last sign of life of the worker running it.")
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            # Two POSTs of the same import give one job: ``enqueue`` relies on this to refuse the second.
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(state__in=["queued", "running"]) & ~models.Q(key=""),
                name="one_live_job_per_key",
            ),
        ]
        indexes = [
            # the claim looks for the oldest queued job; the sweeper for running ones
            models.Index(fields=["state", "id"], name="job_state_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class WorkerBeat(models.Model):
    """A worker process's last sign of life: the web process runs jobs itself when none is alive."""

    name = models.CharField(_("worker"), max_length=200, unique=True, help_text=_("host:pid"))
    seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return self.name
