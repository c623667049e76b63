"""The market reader on a day's worth of notices and more: ``python -m bench.notices --notices 50000``.

Builds a corpus (not timed) from the real eForms notices and SDK examples and the real OCDS releases
of ``../shared/data/notices-real`` and ``../shared/data/eforms/examples``, each copy with its own
notice id: eForms notices packed as TED packs its daily bulk packages (a .tar.gz of XML files), OCDS
releases as JSON Lines. Then, in fresh processes, ``--repeat`` times and alternating: cfit's reader
(``cfit.notices.sources.read_notices``: every notice read, checked, classified and matched against the
framework's criteria, as ``cfit notices read`` does, records serialised to JSON) and the baseline, the same package streamed and each member
parsed by lxml (and each OCDS line by ``json.loads``) and nothing more. Prints one JSON line: notices,
seconds (median), notices_per_second, peak_rss_mb, baseline_seconds, ratio_to_baseline, and CPU
seconds beside the wall-clock ones.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

from bench.fleet import peak_mb

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def sources() -> tuple[list[bytes], list[str]]:
    xml = [p.read_bytes() for p in sorted((SHARED / "notices-real" / "eforms").rglob("*.xml"))]
    xml += [p.read_bytes() for p in sorted((SHARED / "eforms" / "examples").rglob("*.xml"))]
    releases: list[str] = []
    for path in sorted((SHARED / "notices-real" / "ocds").glob("*.json")):
        package = json.loads(path.read_text(encoding="utf-8"))
        found = package.get("releases") or [r.get("compiledRelease") for r in package.get("records", [])]
        releases += [json.dumps(r, ensure_ascii=False) for r in found if isinstance(r, dict)]
    if not xml or not releases:
        sys.exit(
            f"bench.notices needs ../shared/data (notices-real, eforms/examples) beside the repository: {SHARED}"
        )
    return xml, releases


def build(folder: Path, notices: int) -> tuple[Path, Path]:
    """A .tar.gz of eForms notices (9 in 10 of ``notices``) and a JSON Lines file of OCDS releases."""
    xml, releases = sources()
    n_xml = notices * 9 // 10
    package = folder / "notices.tar.gz"
    with tarfile.open(package, "w:gz", compresslevel=6) as archive:
        for n in range(n_xml):
            data = xml[n % len(xml)]
            start = data.find(b'schemeName="notice-id">')
            if start >= 0:
                start += len(b'schemeName="notice-id">')
                end = data.find(b"<", start)
                data = data[:start] + str(uuid.UUID(int=n)).encode() + data[end:]
            info = tarfile.TarInfo(f"{n // 1000:03}/{n:08}.xml")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    lines = folder / "releases.jsonl"
    with lines.open("w", encoding="utf-8") as out:
        for n in range(notices - n_xml):
            release = json.loads(releases[n % len(releases)])
            release["id"] = f"bench-{n}"
            out.write(json.dumps(release, ensure_ascii=False) + "\n")
    return package, lines


def run_once(package: Path, lines: Path, *, match: bool = True) -> dict[str, float]:
    from cfit.notices.record import ReadProblem
    from cfit.notices.sources import read_notices

    start, cpu = time.perf_counter(), time.process_time()
    read = problems = ict = matched = 0
    sink = io.StringIO()
    for item in read_notices([package, lines], match=match):
        if isinstance(item, ReadProblem):
            problems += 1
            continue
        read += 1
        ict += item.ict
        matched += bool(item.matched_criteria)
        sink.write(json.dumps(item.as_dict(), ensure_ascii=False))
        sink.seek(0)
        sink.truncate()
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_mb(),
        "read": read,
        "problems": problems,
        "ict": ict,
        "matched": matched,
    }


def baseline_once(package: Path, lines: Path) -> dict[str, float]:
    from lxml import etree

    start, cpu = time.perf_counter(), time.process_time()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with tarfile.open(package, mode="r|*") as archive:
        for member in archive:
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is not None:
                etree.fromstring(handle.read(), parser)
    with lines.open(encoding="utf-8") as handle:
        for line in handle:
            json.loads(line)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notices", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--without-matching", action="store_true", help="read and classify only, to see what matching costs"
    )
    parser.add_argument("--run", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_once(*args.run, match=not args.without_matching)))
        return
    if args.baseline:
        print(json.dumps(baseline_once(*args.baseline)))
        return
    with tempfile.TemporaryDirectory() as folder:
        package, lines = build(Path(folder), args.notices)
        size_mb = (package.stat().st_size + lines.stat().st_size) / 1e6
        runs: list[dict[str, float]] = []
        bases: list[dict[str, float]] = []
        for _ in range(args.repeat):
            for mode, target in (("--baseline", bases), ("--run", runs)):
                extra = ["--without-matching"] if args.without_matching else []
                child = subprocess.run(
                    [sys.executable, "-m", "bench.notices", mode, str(package), str(lines), *extra],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                target.append(json.loads(child.stdout.strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in runs)
    base = statistics.median(r["seconds"] for r in bases)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    base_cpu = statistics.median(r["cpu_seconds"] for r in bases)
    print(
        json.dumps(
            {
                "notices": args.notices,
                "read": runs[0]["read"],
                "problems": runs[0]["problems"],
                "ict": runs[0]["ict"],
                "matched": runs[0]["matched"],
                "input_mb": round(size_mb, 1),
                "seconds": round(seconds, 3),
                "notices_per_second": round(args.notices / seconds),
                "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
                "baseline_seconds": round(base, 3),
                "baseline_peak_rss_mb": round(max(r["peak_rss_mb"] for r in bases), 1),
                "ratio_to_baseline": round(seconds / base, 2),
                "cpu_seconds": round(cpu, 3),
                "baseline_cpu_seconds": round(base_cpu, 3),
                "cpu_ratio_to_baseline": round(cpu / base_cpu, 2),
                "repeat": args.repeat,
                "matching": not args.without_matching,
            }
        )
    )


if __name__ == "__main__":
    main()
