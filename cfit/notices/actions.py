"""Storing published notices: ``import_notices`` reads files, folders and packages with the notice reader
(``cfit.notices.sources``, streaming) and stores each notice on its own.

Per notice, not all or nothing: a notice that cannot be read or stored is named (file, package member
or release, and the reason) and the others are kept. Idempotent by source and notice id: the same
notice read again changes nothing; a new version (or anything the reader now reads differently)
updates it; an older version than the stored one is left aside. Notices are committed in batches
(``batch_size``), so that a large folder shows progress and an interruption keeps what was stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q

from cfit.accounts.models import Organisation
from cfit.audit.models import AuditRecord
from cfit.audit.recording import actor, record
from cfit.notices.linking import Link, TenderIndex, TenderKey, name_key
from cfit.notices.matching import default_matcher
from cfit.notices.models import Notice, NoticeCriterion, NoticeImport, NoticeLink, NoticeProductGroup
from cfit.notices.record import NoticeRecord, ReadProblem
from cfit.notices.sources import read_notices
from cfit.tenders.models import Tender

BATCH_SIZE = 500
MAX_PROBLEMS_KEPT = 1000
#: (notices read so far, the import's counts) after each committed batch
Progress = Callable[[int, dict[str, int]], None]


def import_notices(
    paths: Iterable[Path],
    *,
    acting_user: Any = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    ict_only: bool = False,
) -> NoticeImport:
    """Store every notice under ``paths`` (only those buying ICT with ``ict_only``: TED's daily
    packages are mostly works and services the market page never counts); returns the run with its
    counts and problems.

    ``acting_user`` None is the platform itself (a command run)."""
    paths = list(paths)
    run = NoticeImport.objects.create(by=actor(acting_user), sources=[str(p) for p in paths][:100])
    counts = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0, "skipped": 0, "linked": 0}
    problems: list[dict[str, Any]] = []
    context = _Context()
    batch: list[NoticeRecord] = []
    stored: dict[tuple[str, str], Notice] = {}  #: the batch's notices as stored
    seen: set[tuple[str, str]] = set()  #: the notices stored by this run
    read = 0

    def refuse(problem: ReadProblem) -> None:
        counts["refused"] += 1
        if len(problems) < MAX_PROBLEMS_KEPT:
            problems.append(
                {
                    "where": problem.where,
                    "reason": problem.reason,
                    "code": problem.code,
                    "params": dict(problem.params),
                }
            )

    def flush() -> None:
        ids = [notice_key(notice) for notice in batch]
        stored.update(
            {(n.source, n.notice_id): n for n in Notice.objects.filter(notice_id__in=ids).order_by()}
        )
        with transaction.atomic():
            for notice in batch:
                key = (notice.source, notice_key(notice))
                data = notice.as_dict()
                digest = fingerprint(data)
                existing = stored.get(key)
                if existing is not None and (
                    _is_unchanged(notice, digest, existing)
                    or (key in seen and not _is_newer(notice, existing))
                ):
                    # the same notice twice in one run (a release in two packages): the first is kept
                    counts["unchanged"] += 1
                    seen.add(key)
                    continue
                seen.add(key)
                try:
                    with transaction.atomic():  # a savepoint: one notice that fails leaves the batch stored
                        outcome, linked, existing = _store(notice, data, digest, existing, context)
                except _TooLong as error:
                    refuse(ReadProblem.of(f"{notice.source} {notice.id}", "id_too_long", limit=error.limit))
                    continue
                except (DatabaseError, ValueError) as error:
                    refuse(ReadProblem.of(f"{notice.source} {notice.id}", "not_stored", detail=error))
                    continue
                stored[key] = existing
                counts[outcome] += 1
                counts["linked"] += linked
        batch.clear()
        stored.clear()
        if progress is not None:
            progress(read, dict(counts))

    for item in read_notices(paths):
        read += 1
        if isinstance(item, ReadProblem):
            refuse(item)
            continue
        if ict_only and not item.ict:
            counts["skipped"] += 1
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    if batch or progress is not None:
        flush()
    with transaction.atomic():
        for key, value in counts.items():
            setattr(run, key, value)
        run.problems = problems
        run.save()
        record(AuditRecord.Action.NOTICES_IMPORTED, run, acting_user=acting_user, after=run.counts())
    return run


def link_notices(*, acting_user: Any = None) -> NoticeImport:
    """Link the stored notices again: to organisations that joined and tenders made since their
    import (``cfit notices link``); returns a run whose ``linked`` is the number of links now."""
    context = _Context()
    run = NoticeImport.objects.create(by=actor(acting_user), sources=["(links only)"])
    wanted = Q(buyer_key__in=list(context.organisations)) | Q(
        procedure_id__in=list(context.tenders.by_procedure)
    )
    with transaction.atomic():
        # a notice whose buyer is no participant any more keeps no organisation and no link
        Notice.objects.filter(buyer_organisation__isnull=False).exclude(wanted).update(
            buyer_organisation=None
        )
        NoticeLink.unscoped.exclude(notice__in=Notice.objects.filter(wanted)).delete()
        for notice in Notice.objects.filter(wanted).iterator(chunk_size=1000):
            organisation_id = context.organisations.get(notice.buyer_key) if notice.buyer_key else None
            link = context.tenders.find(
                procedure_id=notice.procedure_id, reference=notice.reference, title=notice.title,
                organisation_id=organisation_id,
            )  # fmt: skip
            if link is not None:
                organisation_id = link.tender.organisation_id
            if notice.buyer_organisation_id != organisation_id:
                Notice.objects.filter(pk=notice.pk).update(buyer_organisation_id=organisation_id)
            run.linked += _link(notice, link)
        run.save()
        record(AuditRecord.Action.NOTICES_IMPORTED, run, acting_user=acting_user, after=run.counts())
    return run


class _Context:
    """What every notice of a run is compared with, read once: participants' names and cfit's tenders."""

    def __init__(self) -> None:
        self.matcher = default_matcher()
        self.organisations: dict[str, int] = {}
        for pk, name in Organisation.objects.values_list("pk", "name"):
            self.organisations.setdefault(name_key(name), pk)
        self.tenders = TenderIndex(
            TenderKey(pk, organisation_id, reference, title)
            for pk, organisation_id, reference, title in Tender.unscoped.values_list(
                "pk", "organisation_id", "reference", "title"
            )
        )


def fingerprint(data: dict[str, Any]) -> str:
    """What the reader gave for a notice (``NoticeRecord.as_dict``), as SHA-256."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notice_key(notice: NoticeRecord) -> str:
    """The stored notice id: BT-701; an OCDS release id is unique only within its contracting process,
    so it is kept with its ocid (``ocid/id``) unless it already starts with it."""
    if notice.source == "ocds" and notice.ocid and not notice.id.startswith(notice.ocid):
        return f"{notice.ocid}/{notice.id}"
    return notice.id


def _is_newer(notice: NoticeRecord, stored: Notice) -> bool:
    return bool(
        notice.version and stored.version and _version_key(notice.version) > _version_key(stored.version)
    )


def _is_unchanged(notice: NoticeRecord, digest: str, stored: Notice) -> bool:
    """Read as stored, or an older version than the stored one (left aside)."""
    if stored.fingerprint == digest:
        return True
    return bool(
        notice.version and stored.version and _version_key(notice.version) < _version_key(stored.version)
    )


def _version_key(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (0, version)


class _TooLong(ValueError):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"longer than {limit} characters")


def _fits(value: str, length: int) -> str:
    if len(value) > length:
        raise _TooLong(length)
    return value


def _store(
    notice: NoticeRecord, data: dict[str, Any], digest: str, stored: Notice | None, context: _Context
) -> tuple[str, int, Notice]:
    """("created" | "updated", links made, the stored notice) for one notice, inside a savepoint."""
    notice_id = _fits(notice_key(notice), 200)
    published = _date(notice.published)
    first_published = _first_published(notice, published)
    buyer_key = name_key(notice.buyer.name)
    fields = {
        "version": notice.version[:64],
        "subtype": notice.subtype[:64],
        "procedure_id": notice.ocid[:200],
        "reference": notice.reference[:200],
        "changes": notice.changes[:200],
        "release_id": notice.id[:200] if notice.source == "ocds" else "",
        "published": published,
        "first_published": first_published,
        "year": first_published.year if first_published else None,
        "buyer_name": notice.buyer.name,
        "buyer_key": buyer_key,
        "buyer_country": notice.buyer.country[:2],
        "buyer_organisation_id": context.organisations.get(buyer_key) if buyer_key else None,
        "title": notice.title,
        "language": notice.language[:8],
        "ict": notice.ict,
        "uses_strategic": any(code != "none" for code in notice.strategic.bt06),
        "uses_gpp": any(code != "none" for code in notice.strategic.bt805),
        "cpv": list(notice.cpv),
        "lots": data["lots"],
        "strategic": data["strategic"],
        "award_criteria": data["award_criteria"],
        "fingerprint": digest,
    }
    link = context.tenders.find(
        procedure_id=notice.ocid,
        reference=notice.reference,
        title=notice.title,
        organisation_id=fields["buyer_organisation_id"],
    )
    if link is not None:
        fields["buyer_organisation_id"] = link.tender.organisation_id
    if stored is None:
        stored = Notice.objects.create(source=notice.source, notice_id=notice_id, **fields)
        outcome = "created"
    else:
        for name, value in fields.items():
            setattr(stored, name, value)
        stored.save()
        stored.product_groups.all().delete()
        stored.matched.all().delete()
        outcome = "updated"
    _date_changes_of(stored)
    NoticeProductGroup.objects.bulk_create(
        NoticeProductGroup(notice=stored, code=code) for code in sorted(context.matcher.groups_of(notice.cpv))
    )
    NoticeCriterion.objects.bulk_create(
        NoticeCriterion(notice=stored, criterion=m.id[:80], confidence=m.confidence, evidence=m.evidence)
        for m in {m.id: m for m in notice.matched_criteria}.values()
    )
    return outcome, _link(stored, link), stored


def _first_published(notice: NoticeRecord, published: date | None) -> date | None:
    """When the tender a notice publishes was first published: for a change notice (BT-758), the
    stored notice it changes says; otherwise (or when that one is not stored yet) its own date."""
    if notice.changes:
        changed = (
            Notice.objects.filter(source=notice.source, notice_id=notice.changes)
            .values_list("first_published", "published")
            .first()
        )
        if changed is not None and (changed[0] or changed[1]):
            return changed[0] or changed[1]
    return published


def _date_changes_of(notice: Notice) -> None:
    """The change notices stored before the notice they change take its first publication (and of a
    chain of changes, each the first one's): imported in any order, a correction counts in the year
    the tender was published."""
    first = notice.first_published or notice.published
    seen = {notice.notice_id}
    changed = [notice.notice_id]
    while changed and first is not None:
        later = list(
            Notice.objects.filter(source=notice.source, changes__in=changed)
            .exclude(notice_id__in=seen)
            .values_list("notice_id", flat=True)
        )
        Notice.objects.filter(source=notice.source, notice_id__in=later).update(
            first_published=first, year=first.year
        )
        seen.update(later)
        changed = later


def _link(notice: Notice, link: Link | None) -> int:
    if link is None:
        NoticeLink.unscoped.filter(notice=notice).delete()
        return 0
    NoticeLink.unscoped.update_or_create(
        notice=notice,
        defaults={
            "organisation_id": link.tender.organisation_id,
            "tender_id": link.tender.id,
            "basis": link.basis,
            "similarity": link.similarity,
        },
    )
    return 1


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
