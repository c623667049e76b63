"""Operations on the register that change several rows at once: import, events."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone

from cfit.accounts.models import Organisation
from cfit.audit import recording as audit
from cfit.audit.models import AuditRecord
from cfit.fleet.models import Asset, AssetEvent, AssetImport, SavedColumnMapping, SavedValueMapping
from cfit.impact.problems import ProblemGroup, RegisterRefused
from cfit.impact.register import (
    ALL_COLUMNS,
    DateOrder,
    RawTable,
    UnknownValue,
    annotate,
    guess_mapping,
    line_count,
    read_raw,
    read_register,
    table_headers,
    unknown_values,
)
from cfit.impact.vocabulary import normalise_word
from cfit.jobs import runner
from cfit.jobs.models import Job
from cfit.uploads import MAX_REGISTER_BYTES, ImportRefused

log = logging.getLogger(__name__)

#: The columns of a register download: the import's, then the data-sanitisation method (kept by the
#: end-of-use events and disposal reports; a register import leaves it as it is).
EXPORT_COLUMNS = [*ALL_COLUMNS, "sanitisation_method"]
#: Columns of a register line that an import sets (everything but the organisation and bookkeeping).
FIELDS = [c for c in ALL_COLUMNS if c != "asset_key"]


def register_limit() -> int:
    """The largest register file taken, by the page, the API, the command and the job alike (a
    workbook may unpack to ten times as much, see ``uploads.open_workbook``)."""
    return int(getattr(settings, "FLEET_REGISTER_MAX_BYTES", MAX_REGISTER_BYTES))


def saved_columns(organisation: Organisation) -> dict[str, str]:
    """The organisation's headers (normalised) and the standard column each holds, as last chosen."""
    return dict(SavedColumnMapping.unscoped.filter(organisation=organisation).values_list("header", "target"))


def saved_values(organisation: Organisation) -> dict[str, dict[str, str]]:
    """The organisation's own words for codes: column -> normalised word -> code."""
    out: dict[str, dict[str, str]] = {}
    for column, value, code in SavedValueMapping.unscoped.filter(organisation=organisation).values_list(
        "column", "value", "code"
    ):
        out.setdefault(column, {})[value] = code
    return out


def receive_register(
    organisation: Organisation, data: bytes, filename: str, *, user: Any = None, default_country: str = ""
) -> AssetImport:
    """Keep an uploaded register file until its columns are mapped; an unreadable file is refused now.

    Raises ``ImportRefused`` (size, zip bombs, formulas, not a CSV or XLSX) before anything is stored.
    The mapping offered is the organisation's own choices for headers it used before, then guesses.
    """
    raw = read_raw(data, filename, limit=register_limit())
    folder = Path(settings.UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_refused_files(organisation)
    stored = folder / f"{uuid.uuid4().hex}{Path(filename).suffix.lower()}"
    stored.write_bytes(data)
    return AssetImport.objects.create(
        organisation=organisation,
        filename=Path(filename).name[:255],
        stored_file=str(stored),
        headers=raw.headers,
        sheet=raw.sheet[:255],
        header_row=raw.header_row,
        mapping=guess_mapping(raw.headers, saved=saved_columns(organisation)),
        default_country=(default_country or organisation.country)[:2].upper(),
        rows=line_count(raw),
        created_by=user,
    )


def _read_stored(record: AssetImport, *, strip: bool = True) -> RawTable:
    """An import's stored file, read where its table was found on upload."""
    return read_raw(
        Path(record.stored_file),
        record.filename,
        limit=register_limit(),
        strip=strip,
        sheet=record.sheet,
        header_row=record.header_row,
    )


def _forget_refused_files(organisation: Organisation) -> None:
    """A refused file is kept for its annotated copy until the organisation sends another one."""
    kept = AssetImport.unscoped.filter(organisation=organisation, state=AssetImport.State.REFUSED).exclude(
        stored_file=""
    )
    for record in kept:
        Path(record.stored_file).unlink(missing_ok=True)
    kept.update(stored_file="")


def choose_columns(
    record: AssetImport, mapping: dict[str, str], date_order: str = DateOrder.AUTO.value
) -> dict[str, list[UnknownValue]]:
    """Set an import's column mapping (and how its numeric dates read) and remember the mapping for
    the organisation; then the values of its coded columns that nobody knows yet. None unknown: the
    import starts at once; else it waits for the value step (``choose_values``)."""
    mapping = {header: target for header, target in mapping.items() if target}
    organisation = record.organisation
    with transaction.atomic():
        for header, target in mapping.items():
            SavedColumnMapping.unscoped.update_or_create(
                organisation=organisation, header=normalise_word(header), defaults={"target": target}
            )
        record.mapping = mapping
        record.values = saved_values(organisation)
        raw = _read_stored(record)
        unknown = unknown_values(raw, mapping, record.values)
        record.state = AssetImport.State.VALUES if unknown else record.state
        # Conditional: a second POST of the form must not take a started import back a step.
        waiting = AssetImport.unscoped.filter(
            pk=record.pk, state__in=[AssetImport.State.MAPPING, AssetImport.State.VALUES]
        ).update(mapping=record.mapping, values=record.values, state=record.state, date_order=date_order)
        record.date_order = date_order
    if not waiting:
        return {}
    if not unknown:
        # After the commit: a background import reads the record afresh.
        start_import(record, mapping)
    return unknown


def pending_values(record: AssetImport) -> dict[str, list[UnknownValue]]:
    """The values an import waiting in the value step still needs mapped."""
    raw = _read_stored(record)
    return unknown_values(raw, record.mapping, saved_values(record.organisation))


def choose_values(record: AssetImport, choices: dict[str, dict[str, str]]) -> None:
    """Remember the organisation's words for codes (column -> word as written -> code) and start the
    import with them."""
    organisation = record.organisation
    with transaction.atomic():
        remember_values(organisation, choices)
        record.values = saved_values(organisation)
        record.save(update_fields=["values"])
    start_import(record, dict(record.mapping))


def remember_values(organisation: Organisation, choices: dict[str, dict[str, str]]) -> None:
    """Keep the organisation's words for codes (column -> word as written -> code): every later file
    of the organisation, a register or a disposal report, reads them so."""
    for column, words in choices.items():
        for word, code in words.items():
            SavedValueMapping.unscoped.update_or_create(
                organisation=organisation, column=column, value=normalise_word(word), defaults={"code": code}
            )


#: The job kind of a register import (see ``cfit.fleet.jobs``).
REGISTER_IMPORT = "fleet.register_import"


def start_import(record: AssetImport, mapping: dict[str, str]) -> Job | None:
    """Set the mapping and queue the import as a job; None if this import was started already (a
    second POST of the same form, or a stale page).

    With ``FLEET_IMPORT_IN_BACKGROUND`` the job runs in a worker (``cfit worker``), or in a thread of
    this process when no worker is alive; without, it runs now, before this returns (tests)."""
    mapping = {header: target for header, target in mapping.items() if target}
    with transaction.atomic():
        # The conditional update decides which of two simultaneous POSTs starts the import.
        started = AssetImport.unscoped.filter(
            pk=record.pk, state__in=[AssetImport.State.MAPPING, AssetImport.State.VALUES]
        ).update(mapping=mapping, state=AssetImport.State.RUNNING, stage="queued", progress=5)
        if not started:
            return None
        record.mapping, record.state, record.stage, record.progress = (
            mapping,
            AssetImport.State.RUNNING,
            "queued",
            5,
        )
        job, new = runner.enqueue(
            REGISTER_IMPORT,
            key=import_job_key(record),
            organisation=record.organisation,
            import_id=record.pk,
        )
    if not new:
        return None
    # After the commit: the import's own transactions must be short, not nested in this one.
    runner.dispatch(job, inline=not settings.FLEET_IMPORT_IN_BACKGROUND)
    if not settings.FLEET_IMPORT_IN_BACKGROUND:
        record.refresh_from_db()
    return job


def import_job_key(record: AssetImport) -> str:
    return f"register-import:{record.pk}"


def keep_import_going(record: AssetImport) -> None:
    """The progress page asks: where no worker runs, an import the web process lost (a restarted
    server) is taken up again (see ``runner.keep_going``)."""
    runner.keep_going(import_job_key(record))


#: Attempts at a progress write that meets a locked table, and the pause before each retry (seconds).
PROGRESS_ATTEMPTS, PROGRESS_PAUSE = 5, 0.05


def _progress(import_id: int, stage: str, progress: int, job: Job | None = None) -> None:
    """The import's stage and progress for its page. The bar is information, not the import: a write
    that meets a locked table (SQLite, while a page reads the import at that instant) is tried again a
    few times, then skipped, and the import goes on (it failed on that once, in a browser test)."""
    for attempt in range(1, PROGRESS_ATTEMPTS + 1):
        try:
            with transaction.atomic():  # a savepoint: a caller's transaction stays usable
                AssetImport.unscoped.filter(pk=import_id).update(stage=stage, progress=progress)
                if job is not None:
                    runner.report(job, stage, progress)
            return
        except OperationalError as error:
            if attempt == PROGRESS_ATTEMPTS:
                log.warning(
                    "register import %s: progress %s %s%% not written: %s", import_id, stage, progress, error
                )
                return
            time.sleep(PROGRESS_PAUSE * attempt)


def run_import(import_id: int, job: Job | None = None) -> AssetImport:
    """Read, check and store a mapped register file: all of it in one transaction, or nothing.

    Progress is written between the stages (outside the storing transaction, so that the page sees
    it); a refused file keeps its problems for the page; the uploaded file is deleted at the end.
    Safe to run again after a crash: nothing is written before the final transaction commits.
    """
    record = AssetImport.unscoped.select_related("organisation").get(pk=import_id)
    if record.state != AssetImport.State.RUNNING:
        return record  # finished already (a job run twice finds nothing to do)
    notes: list[ProblemGroup] = []
    try:
        _progress(import_id, "checking", 15, job)
        register = read_register(
            Path(record.stored_file),
            record.filename,
            record.mapping,
            limit=register_limit(),
            sheet=record.sheet,
            header_row=record.header_row,
            default_country=record.default_country,
            today=timezone.localdate(),
            values=record.values,
            date_order=DateOrder(record.date_order),
            notes=notes,
        )
        _progress(import_id, "storing", 50, job)

        def staged(share: float) -> None:
            _progress(import_id, "storing", 50 + int(40 * share), job)

        created, updated = store_register(record.organisation, register, record, on_progress=staged)
    except RegisterRefused as error:
        record.state = AssetImport.State.REFUSED
        record.problems = [g.as_dict() for g in error.groups]
    except ImportRefused as error:
        record.state = AssetImport.State.REFUSED
        record.problems = [str(p) for p in error.problems]
    except Exception as error:  # the boundary of a background job: record the failure for the page
        log.exception("register import %s failed", import_id)
        record.state = AssetImport.State.FAILED
        record.problems = [f"{error.__class__.__name__}: {error}"]
    else:
        record.state = AssetImport.State.DONE
        record.created_lines, record.updated_lines = created, updated
        record.notes = [note.as_dict() for note in notes]
    finish_import(record)
    return record


def finish_import(record: AssetImport) -> None:
    """Record an import's end (state and problems set by the caller); its file goes, unless refused."""
    record.progress = 100
    record.stage = record.state
    record.finished = timezone.now()
    if record.state != AssetImport.State.REFUSED and record.stored_file:
        # A refused file stays for its annotated copy (until the next upload); others go now.
        Path(record.stored_file).unlink(missing_ok=True)
        record.stored_file = ""
    record.save(
        update_fields=[
            "state",
            "problems",
            "created_lines",
            "updated_lines",
            "progress",
            "stage",
            "finished",
            "stored_file",
            "notes",
        ]
    )


def import_register_file(
    organisation: Organisation,
    data: bytes | Path,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    default_country: str = "",
    user: Any = None,
    date_order: DateOrder = DateOrder.AUTO,
    notes: list[ProblemGroup] | None = None,
) -> tuple[int, int]:
    """Check and store a register file at once (command line, API): (lines added, lines updated).
    ``notes`` receives what the reading did that the importer should know (``check_register``).

    Raises ``ImportRefused`` with every problem; nothing is stored then."""
    if mapping is None:
        headers = table_headers(data, filename, limit=register_limit())
        mapping = guess_mapping(headers, saved=saved_columns(organisation))
    register = read_register(
        data,
        filename,
        mapping,
        limit=register_limit(),
        default_country=default_country or organisation.country,
        today=timezone.localdate(),
        values=saved_values(organisation),
        date_order=date_order,
        notes=notes,
    )
    return store_register(organisation, register, None)


#: Rows per batch into the staging table: a few MB of Python tuples at a time.
STAGE_BATCH = 20_000
#: The import's own temporary table (per connection, so two imports never share it; gone with the
#: connection if the worker dies).
STAGED = "cfit_staged_asset_lines"


def store_register(
    organisation: Organisation,
    register: pl.DataFrame,
    record: AssetImport | None,
    *,
    on_progress: Any = None,
) -> tuple[int, int]:
    """Add new lines and update known ones by their asset key, all or nothing; log life events.

    A new line gets a "deployed" event at its purchase date; a line that is retired (now, or newly)
    gets a "retired" event at its retirement date, once.

    Bounded memory and short write transactions: the lines go first, in batches, into a temporary
    table (on SQLite a separate database, so that no batch holds the register's write lock for long);
    then one transaction moves them into the register with a few set-based statements, matching
    existing lines by key in the database rather than in Python. A crash anywhere before that final
    commit leaves the register as it was. ``on_progress(share)`` is told how far the staging got (0-1).
    """
    frame = _database_rows(register)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ALL_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGED} ({_staged_columns()})")
        try:
            _stage(cursor, frame, columns, on_progress)
            del frame
            cursor.execute(f"CREATE UNIQUE INDEX {STAGED}_key ON {STAGED} (asset_key)")
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {STAGED}")  # autovacuum never sees a temporary table
            with transaction.atomic():
                return _move_staged(cursor, organisation, record)
        finally:
            _drop_staged(cursor)


def _drop_staged(cursor: Any) -> None:
    try:
        # In a savepoint: after an error inside a caller's transaction, PostgreSQL refuses any
        # statement, and the table goes with the connection anyway; the error is what matters.
        with transaction.atomic():
            cursor.execute(f"DROP TABLE IF EXISTS {STAGED}")
    except DatabaseError:
        pass


def _database_rows(register: pl.DataFrame) -> pl.DataFrame:
    """The register's columns as the database stores them: codes and dates as text, no null text."""
    out = []
    for name in ALL_COLUMNS:
        column = pl.col(name)
        dtype = register.schema[name]
        if isinstance(dtype, pl.Enum):
            column = column.cast(pl.String)
        elif dtype == pl.Date:
            column = column.dt.strftime("%Y-%m-%d")
        if name in ("end_of_use_route", "sanitisation_certificate"):
            column = column.fill_null("")
        out.append(column.alias(name))
    return register.select(out)


def _staged_columns() -> str:
    quote = connection.ops.quote_name
    fields = {f.name: f for f in Asset._meta.concrete_fields}
    return ", ".join(f"{quote(name)} {fields[name].db_type(connection)}" for name in ALL_COLUMNS)


def _stage(cursor: Any, frame: pl.DataFrame, columns: str, on_progress: Any) -> None:
    total = max(frame.height, 1)
    if connection.vendor == "postgresql":
        # COPY from polars' own CSV writer: no Python object per cell at all.
        for start in range(0, frame.height, STAGE_BATCH * 5):
            data = frame.slice(start, STAGE_BATCH * 5).write_csv(include_header=False, null_value="\\N")
            with cursor.copy(f"COPY {STAGED} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
                copy.write(data.encode())
            if on_progress:
                on_progress(min(start + STAGE_BATCH * 5, total) / total)
        return
    marks = ", ".join(["%s"] * len(ALL_COLUMNS))
    sql = f"INSERT INTO {STAGED} ({columns}) VALUES ({marks})"
    for start in range(0, frame.height, STAGE_BATCH):
        # A short transaction per batch: the staging table is temporary, the register untouched.
        with transaction.atomic():
            cursor.executemany(sql, frame.slice(start, STAGE_BATCH).rows())
        if on_progress:
            on_progress(min(start + STAGE_BATCH, total) / total)


def _move_staged(cursor: Any, organisation: Organisation, record: AssetImport | None) -> tuple[int, int]:
    """The one transaction of an import: staged lines into the register, with their events."""
    quote = connection.ops.quote_name
    asset, event = Asset._meta.db_table, AssetEvent._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    org, source = organisation.pk, record.pk if record is not None else None
    known = f"SELECT 1 FROM {asset} a WHERE a.organisation_id = %s AND a.asset_key = s.asset_key"
    event_columns = "asset_id, kind, date, note, created, created_by_id"
    cursor.execute(f"SELECT COUNT(*) FROM {STAGED}")
    total = int(cursor.fetchone()[0])
    # Before the update, while the known lines still hold their old status: those newly retired.
    cursor.execute(
        f"INSERT INTO {event} ({event_columns}) SELECT a.id, 'retired', s.retired_date, '', %s, NULL "
        f"FROM {STAGED} s JOIN {asset} a ON a.organisation_id = %s AND a.asset_key = s.asset_key "
        f"WHERE s.status = 'retired' AND s.retired_date IS NOT NULL AND a.status <> 'retired'",
        [now, org],
    )
    assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in FIELDS)
    cursor.execute(
        f"UPDATE {asset} SET {assignments}, source_import_id = %s, updated = %s FROM {STAGED} s "
        f"WHERE {asset}.organisation_id = %s AND {asset}.asset_key = s.asset_key",
        [source, now, org],
    )
    updated = int(cursor.rowcount)
    field_list = ", ".join(quote(c) for c in FIELDS)
    insert_new = (
        f"INSERT INTO {asset} (organisation_id, asset_key, {field_list}, source_import_id, created, updated) "
        f"SELECT %s, s.asset_key, {', '.join(f's.{quote(c)}' for c in FIELDS)}, %s, %s, %s "
        f"FROM {STAGED} s WHERE NOT EXISTS ({known})"
    )
    new_events = (
        f"INSERT INTO {event} ({event_columns}) "
        "SELECT id, 'deployed', purchase_date, '', %s, CAST(NULL AS integer) FROM {lines} UNION ALL "
        "SELECT id, 'retired', retired_date, '', %s, CAST(NULL AS integer) FROM {lines} "
        "WHERE status = 'retired' AND retired_date IS NOT NULL"
    )
    if connection.vendor == "postgresql":
        # The new lines' ids straight from the insert: no second pass over the register.
        returning = "RETURNING id, purchase_date, status, retired_date"
        cursor.execute(
            f"WITH new AS ({insert_new} {returning}) {new_events.format(lines='new')}",
            [org, source, now, now, org, now, now],
        )
    else:
        # SQLite: the write lock is ours since the transaction began and ids only grow, so the new
        # lines are those above the highest id before the insert.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {asset}")
        highest = int(cursor.fetchone()[0])
        cursor.execute(insert_new, [org, source, now, now, org])
        lines = f"(SELECT * FROM {asset} WHERE id > {highest} AND organisation_id = {int(org)})"
        cursor.execute(new_events.format(lines=lines), [now, now])
    return total - updated, updated


class EventRefused(Exception):
    """A life-cycle event that cannot have happened: ``field`` is the form's field it concerns,
    ``message`` says why in the user's language."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def event_refusal(asset: Asset, kind: str, on: date, *, route: str = "") -> EventRefused | None:
    """Why an event cannot have happened to a line, or None: in the future, before the purchase, a
    route without a retirement, a retired line retired again. One set of rules for one line and for
    a batch (``retire_assets``, a disposal report)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from cfit.fleet.problems import message

    if on > timezone.localdate():
        return EventRefused("date", message("future", {}))
    if on < asset.purchase_date:
        return EventRefused("date", message("before_purchase", {}))
    if route and kind != AssetEvent.Kind.RETIRED:
        return EventRefused("end_of_use_route", message("route_not_retired", {}))
    if kind == AssetEvent.Kind.RETIRED and asset.status == "retired":
        retired = date_format(asset.retired_date, "SHORT_DATE_FORMAT") if asset.retired_date else "—"
        return EventRefused(
            "kind",
            _(
                "This line was retired on %(date)s already: record its redeployment first if it came back into use."
            )
            % {"date": retired},
        )
    return None


@transaction.atomic
def record_event(
    asset: Asset,
    kind: str,
    on: date,
    note: str,
    *,
    acting_user: Any,
    route: str = "",
    certificate: str = "",
    method: str = "",
) -> AssetEvent:
    """Log a life-cycle event; retiring a device also sets its status, retirement date and end-of-use
    route, and a redeployment brings a retired device back into use. ``certificate``: the reference of
    the data-wiping certificate, ``method`` its sanitisation method (a ``SanitisationMethod`` code),
    both kept on the line. ``EventRefused`` for an event that cannot have happened (see
    ``event_refusal``; a data wiping says its method or certificate); nothing is changed then."""
    from django.utils.translation import gettext as _

    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    refusal = event_refusal(asset, kind, on, route=route)
    if refusal is not None:
        raise refusal
    if kind == AssetEvent.Kind.SANITISED and not (method or certificate):
        raise EventRefused(
            "sanitisation_method", _("Give the sanitisation method or the certificate of the data wiping.")
        )
    before = asset.status
    fields = ["updated"]
    if kind == AssetEvent.Kind.RETIRED:
        asset.status, asset.retired_date, asset.end_of_use_route = "retired", on, route
        fields += ["status", "retired_date", "end_of_use_route"]
    elif kind in (AssetEvent.Kind.REDEPLOYED, AssetEvent.Kind.DEPLOYED) and asset.status == "retired":
        asset.status, asset.retired_date, asset.end_of_use_route = "in_use", None, ""
        fields += ["status", "retired_date", "end_of_use_route"]
    if certificate:
        asset.sanitisation_certificate = certificate
        fields.append("sanitisation_certificate")
    if method:
        asset.sanitisation_method = method
        fields.append("sanitisation_method")
    if len(fields) > 1:
        asset.save(update_fields=fields)
    event = AssetEvent.objects.create(
        asset=asset, kind=kind, date=on, note=note, created_by=audit.actor(acting_user)
    )
    after: dict[str, Any] = {"status": asset.status, "event": kind, "date": on.isoformat()}
    if route:
        after["end_of_use_route"] = route
    if certificate:
        after["sanitisation_certificate"] = certificate
    if method:
        after["sanitisation_method"] = method
    audit.record(
        AuditRecord.Action.ASSET_EVENT_RECORDED, asset, acting_user=acting_user, organisation=asset.organisation,
        before={"status": before}, after=after, reason=note,
    )  # fmt: skip
    return event


class BatchRefused(Exception):
    """Raised if any line of a batch cannot take its event: ``refusals`` names each such line (its
    asset key) with why, in the user's language; nothing of the batch is changed then."""

    def __init__(self, refusals: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{key}: {why}" for key, why in refusals))
        self.refusals = refusals


#: Lines whose keys are read from the database at once (well below SQLite's bound variables).
KEY_BATCH = 500
#: The most lines one batch retires: each takes an event and an audit record in one transaction.
MAX_BATCH = 5000


@transaction.atomic
def retire_assets(
    assets: Any,
    on: date,
    route: str,
    note: str,
    *,
    acting_user: Any,
    certificate: str = "",
    method: str = "",
    unknown_keys: Sequence[str] = (),
) -> int:
    """Retire many lines at once (devices sent together to a disposal partner): one retirement event
    per line, each with its audit record, all in one transaction, or none. ``assets``: the lines (a
    queryset the caller scoped to what the user may change, or a list). The rules of
    ``record_event`` hold for each line; ``BatchRefused`` names every line that breaks one, and every
    key of ``unknown_keys`` (keys asked for that the organisation does not hold: the API's batch names
    its lines by key). Returns how many lines were retired."""
    from django.utils.translation import gettext as _

    lines = list(assets.select_for_update()) if hasattr(assets, "select_for_update") else list(assets)
    refusals = [(key, _("not in the register")) for key in unknown_keys]
    refusals += [
        (asset.asset_key, refusal.message)
        for asset in lines
        if (refusal := event_refusal(asset, AssetEvent.Kind.RETIRED, on, route=route)) is not None
    ]
    if refusals:
        raise BatchRefused(refusals)
    for asset in lines:
        record_event(
            asset,
            AssetEvent.Kind.RETIRED,
            on,
            note,
            acting_user=acting_user,
            route=route,
            certificate=certificate,
            method=method,
        )
    return len(lines)


def annotated_file(
    record: AssetImport,
) -> tuple[list[str], list[list[str]], list[tuple[str, dict[str, str], str]], dict[int, list[int]]]:
    """A refused import's file and what each row breaks (see ``register.annotate``); ``FileNotFoundError``
    once the file is gone (the organisation sent another)."""
    if not record.stored_file:
        raise FileNotFoundError(record.filename)
    raw = _read_stored(record)
    checks, flags = annotate(
        raw,
        record.mapping,
        default_country=record.default_country,
        today=timezone.localdate(),
        values=record.values,
        date_order=DateOrder(record.date_order),
    )
    rows = [["" if v is None else str(v) for v in row] for row in raw.frame.iter_rows()]
    return raw.headers, rows, checks, flags
