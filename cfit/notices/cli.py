"""``cfit notices read FILE_OR_FOLDER... --format json``: one JSON object per notice or release,
without a database. eForms XML (any subtype), OCDS (release and record packages, single releases,
JSON Lines), and folders and packages of them (.tar.gz, .zip). A notice that cannot be read is
named on standard error with the reason, and the others are printed (exit status 1 when any was
refused). Plain Python.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from cfit.notices.record import ReadProblem
from cfit.notices.sources import read_notices


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cfit notices", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    read = sub.add_parser("read", help="print what cfit reads from notices, one JSON object per line")
    read.add_argument("paths", type=Path, nargs="+", metavar="FILE_OR_FOLDER")
    read.add_argument("--format", choices=["json"], default="json", help="JSON Lines: one object per notice")
    read.add_argument("--ict", action="store_true", help="only notices that buy ICT (by their CPV codes)")
    read.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    refused = 0
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for item in read_notices(args.paths):
            if isinstance(item, ReadProblem):
                refused += 1
                print(item, file=sys.stderr)
            elif item.ict or not args.ict:
                out.write(json.dumps(item.as_dict(), ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    if refused:
        print(f"{refused} notice(s) or file(s) could not be read; the others were.", file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
