"""The fleet's jobs: the register import, run by ``cfit worker``; and the sweep of abandoned uploads."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cfit.fleet import actions
from cfit.fleet.models import AssetImport
from cfit.jobs import runner
from cfit.jobs.models import Job

#: An upload nobody maps, or a refused file nobody downloads annotated, is deleted after this long.
ABANDONED_AFTER = timedelta(hours=24)
#: A register upload's file name, as ``actions.receive_register`` makes it: only these are swept.
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|txt|xlsx)$")
#: A file with no record is left alone this long: its record may be about to be created.
ORPHAN_GRACE = timedelta(hours=1)


def run_register_import(job: Job) -> None:
    actions.run_import(int(job.args["import_id"]), job)


def abandon_register_import(job: Job, reason: str) -> None:
    """The worker died once too often: the import fails, with the reason, and its file goes."""
    record = AssetImport.unscoped.filter(
        pk=job.args.get("import_id"), state=AssetImport.State.RUNNING
    ).first()
    if record is not None:
        record.state = AssetImport.State.FAILED
        record.problems = [reason]
        actions.finish_import(record)


def forget_abandoned_uploads() -> int:
    """Delete register files waiting too long for their mapping (or kept for a refused import's
    annotated copy), and files in the upload folder that no import names; the imports waiting are
    marked failed. Returns how many files went."""
    hours = getattr(settings, "FLEET_UPLOAD_ABANDONED_HOURS", None)
    after = timedelta(hours=hours) if hours is not None else ABANDONED_AFTER
    cutoff = timezone.now() - after
    removed = 0
    waiting = [AssetImport.State.MAPPING, AssetImport.State.VALUES, AssetImport.State.REFUSED]
    for record in AssetImport.unscoped.filter(state__in=waiting, created__lt=cutoff).exclude(stored_file=""):
        Path(record.stored_file).unlink(missing_ok=True)
        removed += 1
        if record.state == AssetImport.State.REFUSED:
            AssetImport.unscoped.filter(pk=record.pk).update(stored_file="")
        else:
            AssetImport.unscoped.filter(pk=record.pk, state=record.state).update(
                stored_file="",
                state=AssetImport.State.FAILED,
                stage=AssetImport.State.FAILED,
                problems=["abandoned before its columns were mapped; the file was deleted"],
                finished=timezone.now(),
            )
    folder = Path(settings.UPLOAD_DIR)
    if folder.is_dir():
        named = set(AssetImport.unscoped.exclude(stored_file="").values_list("stored_file", flat=True))
        oldest = time.time() - ORPHAN_GRACE.total_seconds()
        for path in folder.iterdir():
            # Only register uploads, by their name: other apps keep files in sub-folders here.
            if UPLOAD_NAME.match(path.name) and str(path) not in named and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


runner.register(
    runner.JobKind(
        name=actions.REGISTER_IMPORT,
        run=run_register_import,
        # All or nothing in one final transaction: a run cut short wrote nothing, so running it again is safe.
        retry_safe=True,
        max_attempts=3,
        on_abandoned=abandon_register_import,
    )
)
if forget_abandoned_uploads not in runner.SWEEPERS:
    runner.SWEEPERS.append(forget_abandoned_uploads)
