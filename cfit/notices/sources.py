"""Where notices come from: files, folders, and packages of them (TED's daily bulk packages are
.tar.gz of XML notices; other portals ship .zip), read one notice at a time.

Memory stays bounded by the largest single notice, never the package: members are read one by one
from the archive's stream. Untrusted packages: a member larger than ``MAX_MEMBER_BYTES``, or one
that inflates more than ``MAX_RATIO`` times (a zip bomb), is reported and skipped; nested archives
are not opened; links and devices inside a tar are ignored. Plain Python, no Django.
"""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from cfit.notices.eforms import NoticeRefused, parse_eforms
from cfit.notices.matching import Matcher, default_matcher
from cfit.notices.ocds import iter_ocds
from cfit.notices.record import NoticeRecord, ReadProblem

MAX_MEMBER_BYTES = 200 * 1024 * 1024  #: an OCDS package of a whole year can be this large
MAX_RATIO = 200  #: real XML compresses about 10 to 30 times
XML = (".xml",)
JSON = (".json", ".jsonl", ".ndjson")
TAR = (".tar.gz", ".tgz", ".tar")
ZIP = (".zip",)
#: Every ending the reader takes (the import page's file picker offers them).
NOTICE_ENDINGS = (*XML, *JSON, *TAR, *ZIP)


def read_notices(
    paths: Iterable[Path], *, matcher: Matcher | None = None, match: bool = True
) -> Iterator[NoticeRecord | ReadProblem]:
    """Every notice and release under ``paths``, in order, with the framework criteria its texts
    ask for (``matcher``, by default the shipped lexicon; none when ``match`` is false); a problem
    for each one that is none."""
    if not match:
        yield from _read(paths)
        return
    matcher = matcher or default_matcher()
    for item in _read(paths):
        if isinstance(item, NoticeRecord):
            item = replace(item, matched_criteria=matcher.match_record(item))
        yield item


def _read(paths: Iterable[Path]) -> Iterator[NoticeRecord | ReadProblem]:
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if _kind(child.name):
                    yield from _file(child)
        elif path.exists():
            if not _kind(path.name):
                yield ReadProblem.of(str(path), "not_notice_file")
            else:
                yield from _file(path)
        else:
            yield ReadProblem.of(str(path), "no_such_file")


def is_notice_file(name: str) -> bool:
    """Whether a file of this name is one the reader reads (by its ending)."""
    return bool(_kind(name))


def _kind(name: str) -> str:
    lower = name.lower()
    for kind, endings in (("xml", XML), ("json", JSON), ("tar", TAR), ("zip", ZIP)):
        if lower.endswith(endings):
            return kind
    return ""


def _file(path: Path) -> Iterator[NoticeRecord | ReadProblem]:
    kind = _kind(path.name)
    try:
        if kind == "tar":
            yield from _tar(path)
        elif kind == "zip":
            yield from _zip(path)
        else:
            if path.stat().st_size > MAX_MEMBER_BYTES:
                yield ReadProblem.of(str(path), "too_large", size=MAX_MEMBER_BYTES // 1_000_000)
                return
            yield from parse(path.read_bytes(), str(path), kind)
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as error:
        yield ReadProblem.of(str(path), "unreadable", detail=error)


def parse(data: bytes, where: str, kind: str) -> Iterator[NoticeRecord | ReadProblem]:
    """The notices of one file's bytes: an eForms notice (xml) or OCDS (json)."""
    if kind == "xml":
        try:
            yield parse_eforms(data)
        except NoticeRefused as error:
            yield ReadProblem(where, error.code, error.params)
    else:
        yield from iter_ocds(data, where)


def _tar(path: Path) -> Iterator[NoticeRecord | ReadProblem]:
    packed = path.stat().st_size
    unpacked = 0
    with tarfile.open(path, mode="r|*") as archive:  # a stream: one member at a time
        for member in archive:
            where = f"{path}!{member.name}"
            kind = _kind(member.name)
            if not member.isfile() or kind not in ("xml", "json"):
                continue
            if member.size > MAX_MEMBER_BYTES:
                yield ReadProblem.of(where, "too_large", size=MAX_MEMBER_BYTES // 1_000_000)
                continue
            unpacked += member.size
            if unpacked > MAX_RATIO * max(packed, 1) and unpacked > MAX_MEMBER_BYTES:
                yield ReadProblem.of(str(path), "zip_bomb", ratio=MAX_RATIO)
                return
            handle = archive.extractfile(member)
            if handle is not None:
                yield from parse(handle.read(), where, kind)


def _zip(path: Path) -> Iterator[NoticeRecord | ReadProblem]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            where = f"{path}!{info.filename}"
            kind = _kind(info.filename)
            if info.is_dir() or kind not in ("xml", "json"):
                continue
            if (
                info.file_size > MAX_MEMBER_BYTES
                or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536
            ):
                yield ReadProblem.of(where, "inflates", size=info.file_size, packed=info.compress_size)
                continue
            with archive.open(info) as handle:
                # The declared size can lie: never read more than it allows.
                data = handle.read(info.file_size + 1)
            if len(data) > info.file_size:
                yield ReadProblem.of(where, "larger_than_declared")
                continue
            yield from parse(data, where, kind)
