"""A large register import against real processes: a worker killed while it stores leaves the register
whole (as before, or fully imported) and the job is resumed after the sweep; and sign-in keeps working
while an import writes to a file-based SQLite database.

These tests run ``cfit worker`` (and a signing-in client) as separate processes on a database they
share: a fresh SQLite file, or the PostgreSQL test database. Persona: Arne, asset manager at
Rijkswaterstaat, importing a register of 300,000 lines.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

BIN = Path(sys.executable).parent
ROWS = 300_000
PASSWORD = "arne-password-2026"

SETUP = """
from pathlib import Path
from django.conf import settings
from django.contrib.auth import get_user_model
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.fleet import actions
from cfit.fleet.models import AssetImport
from bench.register_import import MAPPING, write_register

settings.FLEET_IMPORT_IN_BACKGROUND = True
settings.JOBS_THREAD_FALLBACK = False  # queued for the worker that the test starts
organisation = Organisation.objects.create(slug="rijkswaterstaat", name="Rijkswaterstaat", country="NL",
                                           type="procuring_participant")
user = get_user_model().objects.create_user(username="arne", password="{password}")
Membership.objects.create(user=user, organisation=organisation, role="asset_manager")
folder = Path(settings.UPLOAD_DIR)
folder.mkdir(parents=True, exist_ok=True)
path = folder / ("f" * 32 + ".csv")
write_register(path, {rows}, first_key=0, seed=3)
settings.FLEET_REGISTER_MAX_BYTES = path.stat().st_size + 1
with system_scope():
    record = AssetImport.unscoped.create(organisation=organisation, filename="register.csv",
        stored_file=str(path), headers=list(MAPPING), mapping=MAPPING, default_country="NL",
        state=AssetImport.State.VALUES)
    job = actions.start_import(record, MAPPING)
print(job.pk, record.pk)
"""

SIGN_IN = """
import json, time
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from cfit.jobs.models import Job
attempts = []
deadline = time.monotonic() + 60
while len(attempts) < 8 and time.monotonic() < deadline:
    job = Job.objects.get(pk={job})
    if job.state in ("done", "failed"):
        break
    if job.state == "queued" or job.progress < 90:  # the final transaction starts once every line is staged
        time.sleep(0.02)
        continue
    start = time.monotonic()
    response = Client().post("/accounts/login/", {{"username": "arne", "password": "{password}"}})
    attempts.append({{"status": response.status_code, "seconds": time.monotonic() - start}})
print(json.dumps(attempts))
"""


@dataclass
class World:
    """A database shared by this test and the processes it starts."""

    env: dict[str, str]
    query: Callable[[str], Any]

    def cfit(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [str(BIN / "cfit"), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def job(self, job_id: int) -> tuple[str, str, int, int]:
        return self.query(f"SELECT state, stage, progress, attempts FROM jobs_job WHERE id = {job_id}")

    def lines(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM fleet_asset")[0])

    def worker(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(
                [str(BIN / "cfit"), "worker", *args], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cfit.settings", "PYTHONPATH": str(Path.cwd())}
    env["CFIT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        if settings.get("PASSWORD"):
            env["PGPASSWORD"] = settings["PASSWORD"]
        env["DATABASE_URL"] = url

        def query(sql: str) -> Any:
            with psycopg.connect(url, autocommit=True) as db:
                return db.execute(sql).fetchone()

        yield World(env, query)
        return
    env.pop("DATABASE_URL", None)
    env["CFIT_DATA_DIR"] = str(tmp_path)
    database = tmp_path / "cfit.sqlite3"

    def query_sqlite(sql: str) -> Any:
        db = sqlite3.connect(database, timeout=30)
        try:
            return db.execute(sql).fetchone()
        finally:
            db.close()

    world = World(env, query_sqlite)
    world.cfit("migrate", "--no-input")
    yield world


def start_import(world: World) -> int:
    code = SETUP.format(rows=ROWS, password=PASSWORD)
    job_id, _ = map(int, world.cfit("shell", "-c", code).split()[-2:])
    return job_id


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_worker_killed_while_storing_leaves_the_register_whole_and_the_job_resumes(
    world: World, tmp_path: Path
) -> None:
    job_id = start_import(world)
    worker = world.worker("--heartbeat", "0.5", log=tmp_path / "worker.log")
    try:
        # Killed once every line is staged, in the final transaction (or just before it).
        wait_until(lambda: world.job(job_id)[2] >= 90, 45, "the import to store")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()

    after_kill = world.lines()
    state, stage, _, attempts = world.job(job_id)
    assert after_kill in (0, ROWS), f"half-written: {after_kill} lines"
    assert state == "running" and attempts == 1  # nobody has noticed yet

    time.sleep(1.2)  # the heartbeat goes stale
    world.cfit("worker", "--burst", "--stale-after", "1")

    state, stage, progress, attempts = world.job(job_id)
    assert (state, progress, attempts) == ("done", 100, 2)
    assert world.lines() == ROWS
    created = world.query("SELECT state, created_lines + updated_lines FROM fleet_assetimport")
    assert created == ("done", ROWS)
    deployed = world.query("SELECT COUNT(*) FROM fleet_assetevent WHERE kind = 'deployed'")[0]
    assert deployed == ROWS  # each line's events once, not once per attempt


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer is what is tested")
def test_sign_in_works_while_an_import_writes_to_sqlite(world: World, tmp_path: Path) -> None:
    if "DATABASE_URL" in world.env:
        pytest.skip("SQLite's single writer is what is tested")
    job_id = start_import(world)
    worker = world.worker("--heartbeat", "0.5", log=tmp_path / "worker.log")
    try:
        signer = world.cfit("shell", "-c", SIGN_IN.format(job=job_id, password=PASSWORD), timeout=120)
        worker_done = world.job(job_id)
        wait_until(lambda: world.job(job_id)[0] != "running", 60, "the import to finish")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    attempts = json.loads(signer.strip().splitlines()[-1])
    assert attempts, f"no sign-in while the import stored ({worker_done})"
    assert all(a["status"] == 302 for a in attempts), attempts  # 302: signed in, to the next page
    assert world.job(job_id)[0] == "done" and world.lines() == ROWS
