"""A disposal partner's report, applied to the register: received, its columns and words mapped,
previewed, then applied all at once.

The report is read and checked by ``cfit.impact.disposal`` (plain Python); here its asset keys meet the
organisation's register. A key the organisation does not hold is unknown, whoever else holds it: it is
listed back to the user as the file writes it, and nothing else is said or done about it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cfit.accounts.models import Organisation
from cfit.audit.recording import actor
from cfit.fleet.actions import (
    KEY_BATCH,
    event_refusal,
    record_event,
    register_limit,
    remember_values,
    saved_values,
)
from cfit.fleet.models import Asset, AssetEvent, DisposalReport
from cfit.impact.disposal import (
    COLUMNS,
    REQUIRED,
    DisposalLine,
    Word,
    guess_columns,
    read_report,
    words,
)
from cfit.impact.problems import group, refused
from cfit.impact.register import RawTable, checked_mapping, read_raw
from cfit.impact.vocabulary import normalise_word


def _read(report: DisposalReport) -> RawTable:
    return read_raw(Path(report.stored_file), report.filename, limit=register_limit())


def receive_report(
    organisation: Organisation, data: bytes, filename: str, *, acting_user: Any
) -> DisposalReport:
    """Keep an uploaded report until it is applied, its columns guessed; ``ImportRefused`` (size, zip
    bombs, formulas, not a CSV or XLSX: see ``register.read_raw``) before anything is stored."""
    raw = read_raw(data, filename, limit=register_limit())
    folder = Path(settings.UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{Path(filename).suffix.lower()}"
    stored.write_bytes(data)
    return DisposalReport.objects.create(
        organisation=organisation,
        filename=Path(filename).name[:255],
        stored_file=str(stored),
        headers=raw.headers,
        mapping=guess_columns(raw.headers),
        created_by=acting_user,
    )


def choose_report_columns(report: DisposalReport, mapping: dict[str, str]) -> None:
    """Set which column each header holds (``RegisterRefused`` for a mapping without a required
    column or with one column twice); the words step follows."""
    mapping = {header: target for header, target in mapping.items() if target in COLUMNS}
    checked_mapping(_read(report), mapping, REQUIRED, COLUMNS)
    DisposalReport.unscoped.filter(pk=report.pk).exclude(state=DisposalReport.State.DONE).update(
        mapping=mapping, state=DisposalReport.State.WORDS
    )
    report.refresh_from_db()


def report_words(report: DisposalReport) -> dict[str, list[Word]]:
    """Each distinct destination and method word of the report, with the code it stands for now."""
    return words(_read(report), report.mapping, saved_values(report.organisation))


def choose_report_words(report: DisposalReport, choices: dict[str, dict[str, str]]) -> None:
    """Remember the organisation's words for routes and methods (column → word → code), as the
    register import's value step does, and go on to the preview."""
    with transaction.atomic():
        remember_values(report.organisation, choices)
        DisposalReport.unscoped.filter(pk=report.pk).exclude(state=DisposalReport.State.DONE).update(
            state=DisposalReport.State.PREVIEW
        )
    report.refresh_from_db()


def routes_of(retired: Iterable[DisposalLine]) -> list[tuple[str, int]]:
    """Lines retired per route, the most first."""
    counts = Counter(line.route for line in retired)
    return sorted(counts.items(), key=lambda item: -item[1])


#: What applying a report does to each of its lines: retire it, add its data wiping, leave it unchanged
#: (retired already, nothing new), or nothing (a key the register does not hold).
OUTCOMES = ("retire", "wipe", "unchanged", "unknown")


@dataclass
class DisposalPlan:
    """What applying a report would change."""

    retire: list[tuple[DisposalLine, Asset]] = field(default_factory=list)
    #: Lines retired already, whose data wiping the report evidences (method or certificate new).
    wipe: list[tuple[DisposalLine, Asset]] = field(default_factory=list)
    #: Lines retired already, with nothing new in the report.
    unchanged: list[tuple[DisposalLine, Asset]] = field(default_factory=list)
    #: Keys the organisation does not hold, as the file writes them.
    unknown: list[DisposalLine] = field(default_factory=list)

    @property
    def by_route(self) -> list[tuple[str, int]]:
        return routes_of(line for line, _ in self.retire)

    def lines(self) -> dict[str, list[DisposalLine]]:
        """The report's lines by outcome (``OUTCOMES``)."""
        return {
            "retire": [line for line, _ in self.retire],
            "wipe": [line for line, _ in self.wipe],
            "unchanged": [line for line, _ in self.unchanged],
            "unknown": list(self.unknown),
        }

    @property
    def already_retired(self) -> list[tuple[DisposalLine, Asset]]:
        return sorted(self.wipe + self.unchanged, key=lambda pair: pair[0].row)

    @property
    def changes(self) -> int:
        return len(self.retire) + len(self.wipe)


def plan_report(report: DisposalReport, *, lock: bool = False) -> DisposalPlan:
    """Read and check the report, and match its keys with the organisation's lines (only its own);
    ``RegisterRefused`` naming each row and column of a problem, the file's or the register's (a date
    received before the line's purchase). ``lock``: the lines are locked for the update to come."""
    organisation = report.organisation
    raw = _read(report)
    lines = read_report(raw, report.mapping, today=timezone.localdate(), values=saved_values(organisation))
    keys = [line.asset_key for line in lines]
    held: dict[str, Asset] = {}
    for start in range(0, len(keys), KEY_BATCH):
        found = Asset.objects.of_organisation(organisation).filter(
            asset_key__in=keys[start : start + KEY_BATCH]
        )
        if lock:
            found = found.select_for_update()
        held.update((asset.asset_key, asset) for asset in found)
    plan = DisposalPlan()
    early: list[int] = []
    for line in lines:
        asset = held.get(line.asset_key)
        if asset is None:
            plan.unknown.append(line)
        elif line.on < asset.purchase_date:
            early.append(line.row)
        elif asset.is_retired:
            new = (line.method and line.method != asset.sanitisation_method) or (
                line.certificate and line.certificate != asset.sanitisation_certificate
            )
            (plan.wipe if new else plan.unchanged).append((line, asset))
        else:
            plan.retire.append((line, asset))
    if early:
        header = {target: header for header, target in report.mapping.items()}.get("retired_date", "")
        problem = group("before_purchase", column="retired_date", header=header, count=len(early), rows=early)
        raise refused(report.filename, [problem])
    return plan


def prepare_report(
    organisation: Organisation,
    data: bytes,
    filename: str,
    *,
    acting_user: Any,
    mapping: dict[str, str] | None = None,
    choices: dict[str, dict[str, str]] | None = None,
) -> tuple[DisposalReport, DisposalPlan]:
    """Take a report through its steps in one go, as the API does (the pages take them one by one):
    received, its columns as ``mapping`` gives them (header → column; default as guessed), its words
    as ``choices`` gives them (column → word → code; default as the organisation's own words and the
    shipped lists read them), and its preview planned. All or nothing: a refusal (``ImportRefused``,
    ``RegisterRefused`` naming each row and column, a word no one knows among them) keeps nothing,
    neither the report, its file nor its words. The report waits at its preview (``apply_disposal_report``)."""
    kept: list[Path] = []
    try:
        with transaction.atomic():
            report = receive_report(organisation, data, filename, acting_user=acting_user)
            kept.append(Path(report.stored_file))
            choose_report_columns(report, report.mapping if mapping is None else mapping)
            given = {
                column: {normalise_word(word): code for word, code in words.items()}
                for column, words in (choices or {}).items()
            }
            chosen: dict[str, dict[str, str]] = {}
            for column, found in report_words(report).items():
                for word in found:
                    code = given.get(column, {}).get(normalise_word(word.value)) or word.code
                    if code:  # a word no one knows is refused by the plan, row by row
                        chosen.setdefault(column, {})[word.value] = code
            choose_report_words(report, chosen)
            return report, plan_report(report)
    except BaseException:
        for path in kept:
            path.unlink(missing_ok=True)
        raise


def _kept(line: DisposalLine) -> dict[str, Any]:
    return {
        "row": line.row, "asset_key": line.asset_key, "date": line.on.isoformat(), "route": line.route,
        "method": line.method, "certificate": line.certificate,
    }  # fmt: skip


def applied_lines(report: DisposalReport) -> dict[str, list[DisposalLine]]:
    """What an applied report did to each of its lines (``OUTCOMES``), as kept when it was applied (its
    file is gone by then); empty lists for a report applied before the lines were kept."""
    kept = report.outcome if isinstance(report.outcome, dict) else {}
    return {
        outcome: [
            DisposalLine(
                row=int(item["row"]), asset_key=str(item["asset_key"]), on=date.fromisoformat(item["date"]),
                route=str(item["route"]), method=str(item["method"]), certificate=str(item["certificate"]),
            )
            for item in kept.get(outcome, [])
        ]
        for outcome in OUTCOMES
    }  # fmt: skip


class ReportApplied(Exception):
    """Raised if a report was applied already (a second click, another tab)."""


def apply_disposal_report(report: DisposalReport, *, acting_user: Any) -> DisposalPlan:
    """Apply a previewed report, all of it in one transaction or nothing: each line it names that is in
    use is retired at the date the partner received it, by its destination, with its sanitisation
    method and certificate (an event and an audit record per line, by ``record_event``'s rules);
    a line retired already gets a "data wiped" event where the report brings a method or certificate
    it did not have. Unknown keys are left alone. The file is deleted once applied; what was done to
    each line is kept on the report (``applied_lines``) with who applied it and when."""
    with transaction.atomic():
        claimed = DisposalReport.unscoped.filter(pk=report.pk, state=DisposalReport.State.PREVIEW).update(
            state=DisposalReport.State.DONE
        )
        if not claimed:
            raise ReportApplied
        plan = plan_report(report, lock=True)
        note = report.filename  # the events say which report they came from
        for line, asset in plan.retire:
            record_event(
                asset,
                AssetEvent.Kind.RETIRED,
                line.on,
                note,
                acting_user=acting_user,
                route=line.route,
                certificate=line.certificate,
                method=line.method,
            )
        for line, asset in plan.wipe:
            # The same rules as any event (a date received before the purchase was refused above).
            refusal = event_refusal(asset, AssetEvent.Kind.SANITISED, line.on)
            if refusal is not None:
                raise refusal
            record_event(
                asset,
                AssetEvent.Kind.SANITISED,
                line.on,
                note,
                acting_user=acting_user,
                certificate=line.certificate,
                method=line.method,
            )
        report.state = DisposalReport.State.DONE
        report.retired_lines, report.wiped_lines = len(plan.retire), len(plan.wipe)
        report.finished = timezone.now()
        report.applied_by = actor(acting_user)
        report.outcome = {outcome: [_kept(line) for line in found] for outcome, found in plan.lines().items()}
        report.save(
            update_fields=["state", "retired_lines", "wiped_lines", "finished", "applied_by", "outcome"]
        )
    Path(report.stored_file).unlink(missing_ok=True)
    DisposalReport.unscoped.filter(pk=report.pk).update(stored_file="")
    report.stored_file = ""
    return plan
