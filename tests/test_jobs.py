"""Jobs that survive: the atomic claim, one job per import, the sweeper, the worker command, the
fallback for a web process without a worker; and the fleet's part (register import as a job,
abandoned uploads, the assets API's page bound, the command's size limits).

Persona: Arne, asset manager at Rijkswaterstaat, who imports the register.
"""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.api import api
from cfit.fleet import actions
from cfit.fleet.jobs import forget_abandoned_uploads
from cfit.fleet.models import Asset, AssetEvent, AssetImport
from cfit.jobs import runner
from cfit.jobs.models import Job, WorkerBeat
from tests.conftest import PASSWORD, Persona, make_persona

pytestmark = pytest.mark.django_db

REGISTER = """asset_key,product_group,manufacturer,model,purchase_date,country,status,retired_date
RWS-1,notebooks,Dell,Latitude 5420,2021-03-01,NL,in_use,
RWS-2,monitors,Dell,P2422H,2019-06-15,NL,retired,2024-05-01
RWS-3,smartphones,Apple,iPhone 12,2020-09-01,NL,in_use,
"""
MAPPING = {h: h for h in REGISTER.splitlines()[0].split(",")}
CALLS: list[int] = []


def remember(job: Job) -> None:
    CALLS.append(job.pk)


def explode(job: Job) -> None:
    raise ValueError("no such tender")


def linger(job: Job) -> None:
    time.sleep(0.5)


for name, function, safe in (
    ("test.remember", remember, True),
    ("test.explode", explode, False),
    ("test.linger", linger, False),
):
    runner.register(runner.JobKind(name=name, run=function, retry_safe=safe, max_attempts=2))


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.FLEET_IMPORT_IN_BACKGROUND = False
    settings.UPLOAD_DIR = tmp_path / "uploads"
    CALLS.clear()
    with system_scope():  # as the worker and the commands run
        yield


@pytest.fixture
def asset_manager(db: Any) -> Persona:
    return make_persona(
        "arne", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.ASSET_MANAGER
    )


def uploaded(persona: Persona, text: str = REGISTER) -> AssetImport:
    record = actions.receive_register(persona.organisation, text.encode(), "register.csv", user=persona.user)
    record.state = AssetImport.State.VALUES  # mapped: ready to start
    record.save(update_fields=["state"])
    return record


# -- the claim


def test_of_two_workers_only_one_claims_a_job() -> None:
    job, _ = runner.enqueue("test.remember")

    first = runner.claim("worker-a")
    second = runner.claim("worker-b")

    assert first is not None and first.pk == job.pk and first.claimed_by == "worker-a"
    assert first.attempts == 1 and first.state == Job.State.RUNNING
    assert second is None


def test_workers_in_threads_claim_each_job_exactly_once(transactional_db: Any) -> None:
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("threads need a shared database file or PostgreSQL")
    jobs = [runner.enqueue("test.remember")[0].pk for _ in range(20)]
    claimed: list[int] = []

    def work(name: str) -> None:
        try:
            while (job := runner.claim(name)) is not None:
                claimed.append(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(claimed) == sorted(jobs)


def test_the_same_key_gives_one_live_job_and_a_new_one_once_finished() -> None:
    first, new = runner.enqueue("test.remember", key="register-import:1")
    again, new_again = runner.enqueue("test.remember", key="register-import:1")
    runner.run_now(first)
    after, new_after = runner.enqueue("test.remember", key="register-import:1")

    assert new and not new_again and again.pk == first.pk
    assert new_after and after.pk != first.pk


@given(keys=st.lists(st.sampled_from(["a", "b", "c", ""]), max_size=12))
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_never_two_live_jobs_share_a_key(keys: list[str]) -> None:
    for key in keys:
        runner.enqueue("test.remember", key=key)

    live = list(
        Job.objects.filter(state__in=["queued", "running"]).exclude(key="").values_list("key", flat=True)
    )

    assert len(live) == len(set(live))
    Job.objects.all().delete()


def test_a_job_runs_to_done_and_an_error_fails_it_with_the_reason() -> None:
    good, _ = runner.enqueue("test.remember")
    bad, _ = runner.enqueue("test.explode")

    good, bad = runner.run_now(good), runner.run_now(bad)

    assert good.state == Job.State.DONE and good.progress == 100 and good.finished
    assert [good.pk] == CALLS
    assert bad.state == Job.State.FAILED and bad.error == "ValueError: no such tender"


def test_a_running_job_keeps_its_heartbeat_fresh(transactional_db: Any) -> None:
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("the heartbeat thread needs a shared database file or PostgreSQL")
    job, _ = runner.enqueue("test.linger")
    claimed = runner.claim("worker-a")
    assert claimed is not None
    first_beat = claimed.heartbeat

    runner.run(claimed, "worker-a", heartbeat=0.05)

    claimed.refresh_from_db()
    assert claimed.state == Job.State.DONE and claimed.heartbeat > first_beat


# -- the sweeper


def stale(job: Job, *, attempts: int = 1) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING,
        claimed_by="gone:1",
        attempts=attempts,
        heartbeat=timezone.now() - timedelta(minutes=10),
    )


def test_the_sweeper_requeues_a_safe_job_whose_worker_went_silent() -> None:
    job, _ = runner.enqueue("test.remember")
    stale(job)
    fresh, _ = runner.enqueue("test.linger")
    runner.claim("alive:1")

    found = runner.sweep()

    job.refresh_from_db()
    fresh.refresh_from_db()
    assert found["requeued"] == 1 and job.state == Job.State.QUEUED and job.claimed_by == ""
    assert fresh.state == Job.State.RUNNING  # its worker is alive


def test_the_sweeper_fails_an_unsafe_job_and_a_safe_one_out_of_attempts() -> None:
    unsafe, _ = runner.enqueue("test.linger")
    tired, _ = runner.enqueue("test.remember")
    stale(unsafe)
    stale(tired, attempts=2)

    found = runner.sweep()

    assert found["failed"] == 2
    for job in (unsafe, tired):
        job.refresh_from_db()
        assert job.state == Job.State.FAILED and "worker stopped" in job.error


def test_an_import_whose_worker_died_too_often_fails_and_its_file_goes(
    asset_manager: Persona, settings: Any
) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = True
    settings.JOBS_THREAD_FALLBACK = False
    record = uploaded(asset_manager)
    job = actions.start_import(record, MAPPING)
    assert job is not None
    stale(job, attempts=3)

    runner.sweep()

    record.refresh_from_db()
    assert record.state == AssetImport.State.FAILED and record.stored_file == ""
    assert "worker stopped" in record.problems[0]
    assert not list(Path(settings.UPLOAD_DIR).iterdir())
    assert Asset.unscoped.count() == 0


def test_abandoned_uploads_and_files_no_import_names_are_deleted(
    asset_manager: Persona, settings: Any
) -> None:
    waiting = actions.receive_register(asset_manager.organisation, REGISTER.encode(), "old.csv")
    AssetImport.unscoped.filter(pk=waiting.pk).update(created=timezone.now() - timedelta(hours=25))
    recent = actions.receive_register(asset_manager.organisation, REGISTER.encode(), "new.csv")
    folder = Path(settings.UPLOAD_DIR)
    orphan = folder / ("a" * 32 + ".csv")
    orphan.write_text("x")
    young_orphan = folder / ("b" * 32 + ".csv")
    young_orphan.write_text("x")
    other = folder / "documents"
    other.mkdir()
    (other / ("c" * 32 + ".csv")).write_text("a working group's document")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))

    removed = forget_abandoned_uploads()

    waiting.refresh_from_db()
    recent.refresh_from_db()
    assert removed == 2
    assert (
        waiting.state == AssetImport.State.FAILED and not Path(waiting.stored_file or "/nonexistent").exists()
    )
    assert recent.state == AssetImport.State.MAPPING and Path(recent.stored_file).exists()
    assert not orphan.exists() and young_orphan.exists() and (other / ("c" * 32 + ".csv")).exists()


# -- the register import as a job


def test_an_import_runs_as_a_job_with_its_progress(asset_manager: Persona) -> None:
    record = uploaded(asset_manager)

    job = actions.start_import(record, MAPPING)

    assert job is not None
    job.refresh_from_db()
    record.refresh_from_db()
    assert job.kind == actions.REGISTER_IMPORT and job.state == Job.State.DONE
    assert job.key == f"register-import:{record.pk}" and job.organisation == asset_manager.organisation
    assert record.state == AssetImport.State.DONE and record.progress == 100
    assert (record.created_lines, record.updated_lines) == (3, 0)
    assert AssetEvent.objects.filter(kind="retired").count() == 1


def test_two_posts_of_the_same_import_start_one_job(asset_manager: Persona, settings: Any) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = True
    settings.JOBS_THREAD_FALLBACK = False  # queued for a worker, so that the second POST comes meanwhile
    record = uploaded(asset_manager)
    stale_copy = AssetImport.unscoped.get(pk=record.pk)

    first = actions.start_import(record, MAPPING)
    second = actions.start_import(stale_copy, MAPPING)
    call_command("worker", "--burst", stdout=io.StringIO())

    record.refresh_from_db()
    assert first is not None and second is None
    assert Job.objects.count() == 1
    assert record.state == AssetImport.State.DONE and Asset.unscoped.count() == 3


def test_a_second_mapping_post_does_not_take_a_started_import_back(
    asset_manager: Persona, settings: Any
) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = True
    settings.JOBS_THREAD_FALLBACK = False
    record = actions.receive_register(asset_manager.organisation, REGISTER.encode(), "register.csv")
    stale_copy = AssetImport.unscoped.get(pk=record.pk)
    actions.choose_columns(record, MAPPING)

    actions.choose_columns(stale_copy, MAPPING)

    record.refresh_from_db()
    assert record.state == AssetImport.State.RUNNING and Job.objects.count() == 1


def test_a_run_repeated_after_a_crash_imports_the_register_once(
    asset_manager: Persona, settings: Any
) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = True
    settings.JOBS_THREAD_FALLBACK = False
    record = uploaded(asset_manager)
    job = actions.start_import(record, MAPPING)
    assert job is not None
    stale(job)  # a worker claimed it and died before the final transaction
    runner.sweep()

    call_command("worker", "--once", stdout=io.StringIO())

    job.refresh_from_db()
    record.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2
    assert record.state == AssetImport.State.DONE and Asset.unscoped.count() == 3


def test_the_web_process_leaves_the_job_to_a_live_worker(asset_manager: Persona, settings: Any) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = True
    WorkerBeat.objects.create(name="host:1", seen=timezone.now())
    record = uploaded(asset_manager)

    actions.start_import(record, MAPPING)

    assert Job.objects.get().state == Job.State.QUEUED


def test_without_a_worker_the_web_process_starts_a_thread(
    asset_manager: Persona, settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = True
    WorkerBeat.objects.create(name="host:1", seen=timezone.now() - timedelta(minutes=5))  # long gone
    ran: list[int] = []
    monkeypatch.setattr(runner, "_run_in_thread", ran.append)
    record = uploaded(asset_manager)

    with django_capture_on_commit_callbacks(execute=True):
        job = actions.start_import(record, MAPPING)
    for thread in threading.enumerate():
        if thread.name.startswith("job-"):
            thread.join(timeout=10)

    assert job is not None and ran == [job.pk]


def test_the_worker_command_runs_what_is_queued_and_stops_in_burst_mode() -> None:
    jobs = [runner.enqueue("test.remember")[0].pk for _ in range(3)]
    out = io.StringIO()

    call_command("worker", "--burst", stdout=out)

    assert sorted(CALLS) == jobs and "3 job(s) run" in out.getvalue()
    assert not WorkerBeat.objects.exists()  # a stopped worker says so


def test_sqlite_connections_wait_for_a_writer_instead_of_failing() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20_000


# -- the API and the command


def test_a_page_number_past_any_fleet_is_refused_not_a_server_error(asset_manager: Persona) -> None:
    client = Client()
    client.login(username="arne", password=PASSWORD)

    response = client.get("/api/v1/fleet/rijkswaterstaat/assets?page=99999999999999999999")
    huge = client.get("/api/v1/fleet/rijkswaterstaat/assets?page=9223372036854775807")

    assert response.status_code == 422 and huge.status_code == 422


def test_the_footprint_sources_schema_has_a_name_of_its_own() -> None:
    schemas = api.get_openapi_schema()["components"]["schemas"]

    assert "FootprintSource" in schemas
    assert schemas["FleetFigures"]["properties"]["sources"]["items"]["$ref"].endswith("/FootprintSource")


def test_the_command_refuses_a_register_over_the_size_limit(
    asset_manager: Persona, settings: Any, tmp_path: Path
) -> None:
    settings.FLEET_REGISTER_MAX_BYTES = 200
    path = tmp_path / "register.csv"
    path.write_text(REGISTER * 3)

    with pytest.raises(CommandError, match="larger than"):
        call_command("assets", "import", "rijkswaterstaat", str(path))

    assert Asset.unscoped.count() == 0


def test_the_command_refuses_a_workbook_that_unpacks_to_too_much(
    asset_manager: Persona, settings: Any, tmp_path: Path
) -> None:
    settings.FLEET_REGISTER_MAX_BYTES = 300_000  # it may unpack to 10 × this, or 200 MB, whichever is more
    path = tmp_path / "register.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 210_000_000)

    with pytest.raises(CommandError, match="zip bomb"):
        call_command("assets", "import", "rijkswaterstaat", str(path))


def test_the_progress_page_takes_up_an_import_the_web_process_lost(
    asset_manager: Persona, settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    settings.FLEET_IMPORT_IN_BACKGROUND = True
    settings.JOBS_THREAD_FALLBACK = False
    record = uploaded(asset_manager)
    job = actions.start_import(record, MAPPING)
    assert job is not None
    stale(job)  # its thread died with the server that ran it
    settings.JOBS_THREAD_FALLBACK = True
    ran: list[int] = []
    monkeypatch.setattr(runner, "_run_in_thread", ran.append)
    client = Client()
    client.login(username="arne", password=PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/fleet/rijkswaterstaat/import/{record.pk}/status.json")
    for thread in threading.enumerate():
        if thread.name.startswith("job-"):
            thread.join(timeout=10)

    job.refresh_from_db()
    assert response.status_code == 200 and response.json()["state"] == "running"
    assert job.state == Job.State.QUEUED and ran == [job.pk]


# -- storing: what the set-based statements must always keep


def register_text(lines: list[tuple[str, bool]]) -> str:
    rows = ["asset_key,product_group,manufacturer,model,purchase_date,country,status,retired_date"]
    for key, retired in lines:
        status, date = ("retired", "2024-05-01") if retired else ("in_use", "")
        rows.append(f"{key},notebooks,Dell,Latitude {key},2021-03-01,NL,{status},{date}")
    return "\n".join(rows) + "\n"


@given(
    imports=st.lists(
        st.dictionaries(st.sampled_from(["K1", "K2", "K3", "K4", "K5"]), st.booleans(), min_size=1),
        min_size=1,
        max_size=4,
    )
)
@hypothesis_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_re_imports_keep_one_line_per_key_one_deployment_and_a_retirement_per_retiring(
    asset_manager: Persona, imports: list[dict[str, bool]]
) -> None:
    from cfit.impact.register import check_register, read_raw

    organisation = asset_manager.organisation
    Asset.unscoped.filter(organisation=organisation).delete()
    expected: dict[str, bool] = {}
    retirements = 0
    for lines in imports:
        raw = read_raw(register_text(list(lines.items())).encode(), "register.csv")
        created, updated = actions.store_register(organisation, check_register(raw), None)
        assert (created, updated) == (len(set(lines) - set(expected)), len(set(lines) & set(expected)))
        retirements += sum(1 for key, retired in lines.items() if retired and not expected.get(key, False))
        expected.update(lines)

    stored = dict(Asset.unscoped.filter(organisation=organisation).values_list("asset_key", "status"))
    events = AssetEvent.objects.filter(asset__organisation=organisation)
    assert stored == {key: "retired" if retired else "in_use" for key, retired in expected.items()}
    assert events.filter(kind="deployed").count() == len(expected)
    assert events.filter(kind="retired").count() == retirements
