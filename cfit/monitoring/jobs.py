"""Monitoring's long work as jobs (``cfit worker``): applying changed disclosure rules to every stored
figure, and recomputing every collective figure.

Both redo, at the pact's scale, a pass over every scope and year (tens of seconds for 5,000
participants × 10 years), far too long for the admin page that asks for it. Each runs in one
transaction under the per-year advisory locks of ``aggregation``, so a worker that dies half-way
leaves the figures as they were and the sweeper may safely run the job again.

New disclosure rules come into force *with* the figures they decide: the job stores the rules and
re-applies them in one transaction. Until it has run, the rules in force are the old ones and every
shown figure was decided by them; there is no moment at which a figure is shown that the rules in
force would hide.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from cfit.jobs import runner
from cfit.jobs.models import Job
from cfit.monitoring import actions, aggregation

APPLY_RULES = "monitoring.apply-rules"
REAGGREGATE = "monitoring.reaggregate"


def run_apply_rules(job: Job) -> None:
    runner.report(job, "applying the rules", 10)
    user: Any = get_user_model().objects.filter(pk=job.args.get("user_id")).first()
    actions.set_disclosure_rules(
        min_reporters=int(job.args["min_reporters"]),
        dominance_percent=int(job.args["dominance_percent"]),
        acting_user=user,
    )


def run_reaggregate(job: Job) -> None:
    runner.report(job, "recomputing", 10)
    aggregation.refresh(None)


runner.register(runner.JobKind(APPLY_RULES, run_apply_rules, retry_safe=True))
runner.register(runner.JobKind(REAGGREGATE, run_reaggregate, retry_safe=True))
