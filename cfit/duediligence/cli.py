"""``cfit duediligence check FILE``: read a CMRT/EMRT and check its smelters, without a database.

Prints the template's kind and revision, the declaration, and each smelter's check against the
template's own look-up list, the countries of concern and, with ``--smelters LIST``, a conformance
list (CSV or XLSX of smelter id, name, metal, country, status). Exit status 0 when the file was read,
1 when it was refused (the problems on standard error, each with its sheet, row and column), 2 for
wrong arguments. Plain Python: ``cfit.cli`` runs it without setting Django up.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from cfit.duediligence.checks import check_smelters, conformant_shares, read_conformance_list
from cfit.duediligence.template import TemplateRefused, read_template
from cfit.uploads import ImportRefused


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="cfit duediligence check", description=__doc__.splitlines()[0])
    parse.add_argument("file", help="the supplier's CMRT or EMRT (.xlsx)")
    parse.add_argument("--format", choices=("json", "text"), default="text")
    parse.add_argument("--smelters", help="a conformance list (CSV or XLSX) to check the smelters against")
    parse.add_argument("--as-of", help="the date the conformance list stands for (YYYY-MM-DD)")
    return parse


def report(path: Path, smelters: Path | None = None, as_of: date | None = None) -> dict[str, Any]:
    """What the command prints as JSON; raises ``ImportRefused`` for a refused file."""
    reading = read_template(path, path.name)
    conformance = read_conformance_list(smelters, smelters.name, as_of=as_of) if smelters else None
    checks = check_smelters(
        reading.smelters, reading.lookup, conformance, sheet=reading.sheets["smelter_list"]
    )
    out = reading.as_dict()
    out.pop("smelters")
    out["conformance_list"] = (
        {
            "file": smelters.name,
            "as_of": as_of.isoformat() if as_of else "",
            "smelters": len(conformance.smelters),
        }
        if smelters and conformance
        else None
    )
    out["smelters"] = [c.as_dict() for c in checks]
    out["shares"] = [
        {"metal": s.metal, "smelters": s.smelters, "conformant": s.conformant, "share": s.share}
        for s in conformant_shares(checks)
    ]
    return out


def _text(out: dict[str, Any], stream: Writer) -> None:
    d = out["declaration"]
    stream.write(f"{out['kind']} revision {out['revision']} ({out['language']})\n")
    stream.write(
        f"{d['company_name']}, scope {d['scope']}, authorised by {d['authoriser']} on {d['effective_date']}\n"
    )
    for w in out["warnings"]:
        stream.write(f"note: {w['sheet']} row {w['row']} {w['column']}: {w['message']}\n")
    for s in out["smelters"]:
        findings = "; ".join(f["message"] for f in s["findings"]) or "ok"
        stream.write(
            f"row {s['row']}: {s['metal']} {s['smelter_id'] or '-'} {s['name']} [{s['status'] or '-'}] {findings}\n"
        )


def main(argv: Sequence[str], stdout: Writer | None = None, stderr: Writer | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    args = parser().parse_args(list(argv))
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        stderr.write(f"--as-of: not a date (YYYY-MM-DD): {args.as_of!r}\n")
        return 2
    try:
        out = report(Path(args.file), Path(args.smelters) if args.smelters else None, as_of)
    except ImportRefused as error:
        if isinstance(error, TemplateRefused):
            for p in error.template_problems:
                stderr.write(f"{error.filename}: {p}\n")
        else:
            stderr.write(f"{error}\n")
        return 1
    if args.format == "json":
        stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        _text(out, stdout)
    return 0
