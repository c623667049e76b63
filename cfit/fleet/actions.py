"""Operations on the register that change several rows at once: import, events."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cfit.accounts.models import Organisation
from cfit.accounts.scoping import system_scope
from cfit.fleet.models import Asset, AssetEvent, AssetImport, SavedColumnMapping, SavedValueMapping
from cfit.impact.problems import RegisterRefused
from cfit.impact.register import (
    ALL_COLUMNS,
    UnknownValue,
    annotate,
    check_register,
    guess_mapping,
    read_raw,
    unknown_values,
)
from cfit.impact.vocabulary import normalise_word
from cfit.uploads import ImportRefused, Problem

log = logging.getLogger(__name__)

#: Columns of a register line that an import sets (everything but the organisation and bookkeeping).
FIELDS = [c for c in ALL_COLUMNS if c != "asset_key"]
BATCH = 2000


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
    raw = read_raw(data, filename)
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
        mapping=guess_mapping(raw.headers, saved=saved_columns(organisation)),
        default_country=(default_country or organisation.country)[:2].upper(),
        rows=raw.frame.height,
        created_by=user,
    )


def _forget_refused_files(organisation: Organisation) -> None:
    """A refused file is kept for its annotated copy until the organisation sends another one."""
    kept = AssetImport.unscoped.filter(organisation=organisation, state=AssetImport.State.REFUSED).exclude(
        stored_file=""
    )
    for record in kept:
        Path(record.stored_file).unlink(missing_ok=True)
    kept.update(stored_file="")


def choose_columns(record: AssetImport, mapping: dict[str, str]) -> dict[str, list[UnknownValue]]:
    """Set an import's column mapping and remember it for the organisation; then the values of its
    coded columns that nobody knows yet. None unknown: the import starts at once; else it waits for
    the value step (``choose_values``)."""
    mapping = {header: target for header, target in mapping.items() if target}
    organisation = record.organisation
    with transaction.atomic():
        for header, target in mapping.items():
            SavedColumnMapping.unscoped.update_or_create(
                organisation=organisation, header=normalise_word(header), defaults={"target": target}
            )
        record.mapping = mapping
        record.values = saved_values(organisation)
        unknown = unknown_values(read_raw(Path(record.stored_file), record.filename), mapping, record.values)
        record.state = AssetImport.State.VALUES if unknown else record.state
        record.save(update_fields=["mapping", "values", "state"])
    if not unknown:
        # After the commit: a background import reads the record afresh.
        start_import(record, mapping)
    return unknown


def pending_values(record: AssetImport) -> dict[str, list[UnknownValue]]:
    """The values an import waiting in the value step still needs mapped."""
    raw = read_raw(Path(record.stored_file), record.filename)
    return unknown_values(raw, record.mapping, saved_values(record.organisation))


def choose_values(record: AssetImport, choices: dict[str, dict[str, str]]) -> None:
    """Remember the organisation's words for codes (column -> word as written -> code) and start the
    import with them."""
    organisation = record.organisation
    with transaction.atomic():
        for column, words in choices.items():
            for word, code in words.items():
                SavedValueMapping.unscoped.update_or_create(
                    organisation=organisation,
                    column=column,
                    value=normalise_word(word),
                    defaults={"code": code},
                )
        record.values = saved_values(organisation)
        record.save(update_fields=["values"])
    start_import(record, dict(record.mapping))


def start_import(record: AssetImport, mapping: dict[str, str]) -> None:
    """Set the mapping and run the import: in a thread beside the request (the page shows its progress)
    or inline, as ``FLEET_IMPORT_IN_BACKGROUND`` says."""
    record.mapping = {header: target for header, target in mapping.items() if target}
    record.state = AssetImport.State.RUNNING
    record.stage = "queued"
    record.progress = 5
    record.save(update_fields=["mapping", "state", "stage", "progress"])
    if settings.FLEET_IMPORT_IN_BACKGROUND:
        threading.Thread(target=_run_in_thread, args=(record.pk,), daemon=True).start()
    else:
        run_import(record.pk)


def _run_in_thread(import_id: int) -> None:
    try:
        with system_scope():
            run_import(import_id)
    finally:
        connection.close()  # this thread's own connection: nobody else will close it


def _progress(import_id: int, stage: str, progress: int) -> None:
    AssetImport.unscoped.filter(pk=import_id).update(stage=stage, progress=progress)


def run_import(import_id: int) -> AssetImport:
    """Read, check and store a mapped register file: all of it in one transaction, or nothing.

    Progress is written between the stages (outside the storing transaction, so that the page sees
    it); a refused file keeps its problems for the page; the uploaded file is deleted at the end.
    """
    record = AssetImport.unscoped.select_related("organisation").get(pk=import_id)
    path = Path(record.stored_file)
    try:
        _progress(import_id, "reading", 15)
        raw = read_raw(path, record.filename)
        _progress(import_id, "checking", 35)
        register = check_register(
            raw,
            record.mapping,
            default_country=record.default_country,
            today=date.today(),
            values=record.values,
        )
        _progress(import_id, "storing", 65)
        created, updated = store_register(record.organisation, register, record)
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
    record.progress = 100
    record.stage = record.state
    record.finished = timezone.now()
    if record.state != AssetImport.State.REFUSED:
        # A refused file stays for its annotated copy (until the next upload); others go now.
        path.unlink(missing_ok=True)
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
        ]
    )
    return record


def import_register_file(
    organisation: Organisation,
    data: bytes | Path,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    default_country: str = "",
    user: Any = None,
) -> tuple[int, int]:
    """Check and store a register file at once (command line, API): (lines added, lines updated).

    Raises ``ImportRefused`` with every problem; nothing is stored then."""
    raw = read_raw(data, filename) if isinstance(data, bytes) else read_raw(data, filename, limit=2**40)
    if mapping is None:
        mapping = guess_mapping(raw.headers, saved=saved_columns(organisation))
    register = check_register(
        raw,
        mapping,
        default_country=default_country or organisation.country,
        today=date.today(),
        values=saved_values(organisation),
    )
    return store_register(organisation, register, None)


def _value(row: dict[str, Any], name: str) -> Any:
    value = row[name]
    if value is None and name in ("end_of_use_route", "sanitisation_certificate"):
        return ""
    return value


@transaction.atomic
def store_register(
    organisation: Organisation, register: pl.DataFrame, record: AssetImport | None
) -> tuple[int, int]:
    """Add new lines and update known ones by their asset key, in one transaction; log life events.

    A new line gets a "deployed" event at its purchase date; a line that is retired (now, or newly)
    gets a "retired" event at its retirement date, once."""
    existing = dict(Asset.unscoped.filter(organisation=organisation).values_list("asset_key", "id"))
    retired_before = set(
        Asset.unscoped.filter(organisation=organisation, status="retired").values_list("id", flat=True)
    )
    new: list[Asset] = []
    changed: list[Asset] = []
    now = timezone.now()
    for row in register.iter_rows(named=True):
        values = {name: _value(row, name) for name in FIELDS}
        asset = Asset(organisation=organisation, asset_key=row["asset_key"], source_import=record, **values)
        if row["asset_key"] in existing:
            asset.pk = existing[row["asset_key"]]
            asset.updated = now  # bulk_update does not touch auto_now fields; the figures' cache reads it
            changed.append(asset)
        else:
            new.append(asset)
    Asset.unscoped.bulk_create(new, batch_size=BATCH)
    Asset.unscoped.bulk_update(changed, [*FIELDS, "source_import", "updated"], batch_size=BATCH)
    events = [AssetEvent(asset=a, kind=AssetEvent.Kind.DEPLOYED, date=a.purchase_date) for a in new]
    events += [
        AssetEvent(asset=a, kind=AssetEvent.Kind.RETIRED, date=a.retired_date)
        for a in [*new, *changed]
        if a.status == "retired" and a.retired_date and a.pk not in retired_before
    ]
    AssetEvent.objects.bulk_create(events, batch_size=BATCH)
    return len(new), len(changed)


@transaction.atomic
def record_event(asset: Asset, kind: str, on: date, note: str, user: Any) -> AssetEvent:
    """Log a life-cycle event; retiring a device also sets its status and retirement date, and a
    redeployment brings a retired device back into use."""
    if kind == AssetEvent.Kind.RETIRED:
        if on < asset.purchase_date:
            raise ImportRefused("event", [Problem("date", "date", "before the purchase date")])
        asset.status, asset.retired_date = "retired", on
        asset.save(update_fields=["status", "retired_date", "updated"])
    elif kind in (AssetEvent.Kind.REDEPLOYED, AssetEvent.Kind.DEPLOYED) and asset.status == "retired":
        asset.status, asset.retired_date, asset.end_of_use_route = "in_use", None, ""
        asset.save(update_fields=["status", "retired_date", "end_of_use_route", "updated"])
    return AssetEvent.objects.create(asset=asset, kind=kind, date=on, note=note, created_by=user)


def annotated_file(
    record: AssetImport,
) -> tuple[list[str], list[list[str]], list[tuple[str, dict[str, str], str]], dict[int, list[int]]]:
    """A refused import's file and what each row breaks (see ``register.annotate``); ``FileNotFoundError``
    once the file is gone (the organisation sent another)."""
    if not record.stored_file:
        raise FileNotFoundError(record.filename)
    raw = read_raw(Path(record.stored_file), record.filename, limit=2**40)
    checks, flags = annotate(
        raw,
        record.mapping,
        default_country=record.default_country,
        today=date.today(),
        values=record.values,
    )
    rows = [["" if v is None else str(v) for v in row] for row in raw.frame.iter_rows()]
    return raw.headers, rows, checks, flags
