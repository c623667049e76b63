"""Today is the date where the user is, not where the server is.

``date.today()`` and a naive ``datetime.now()`` read the server's clock in the server's time zone: at
00:30 in Brussels a server on UTC still says yesterday, and a register checked then refuses nothing
bought "in the future" or files an event on the wrong day. The web and the API ask
``django.utils.timezone.localdate()`` (the site's time zone, ``TIME_ZONE``) and pass the date to the
plain-Python core, which takes ``today`` as a parameter. An AST scan of cfit/ finds no other call
outside the few explained below.
"""

from __future__ import annotations

import ast
from pathlib import Path

CFIT = Path(__file__).resolve().parents[1] / "cfit"

#: (file, calls) that may read the machine's clock, and why.
ALLOWED = {
    # The register checker's fallback when a caller gives no date (scripts, the core's own tests); the
    # web, the API and the jobs pass timezone.localdate().
    "impact/register.py": 2,
    # The command line runs on the user's own machine: its local date is the user's date.
    "impact/cli.py": 1,
}


def naive_clock_calls(tree: ast.AST) -> list[int]:
    """Lines calling ``date.today()``, ``datetime.today()``, ``datetime.utcnow()`` or ``datetime.now()``
    without a time zone (also as ``datetime.date.today()`` and ``datetime.datetime.now()``)."""
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        method = node.func.attr
        if (
            owner_name == "date"
            and method == "today"
            or owner_name == "datetime"
            and method in ("today", "utcnow")
            or owner_name == "datetime"
            and method == "now"
            and not node.args
            and not node.keywords
        ):
            lines.append(node.lineno)
    return lines


def test_naive_clock_calls_are_found() -> None:
    source = (
        "date.today()\ndatetime.now()\ndatetime.datetime.now()\ndatetime.utcnow()\n"
        "datetime.now(UTC)\ndatetime.now(tz=UTC)\ntimezone.localdate()\ntimezone.now()\n"
    )

    assert naive_clock_calls(ast.parse(source)) == [1, 2, 3, 4]


def test_no_module_reads_the_servers_clock_for_the_users_date() -> None:
    found: dict[str, list[int]] = {}
    for path in sorted(CFIT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = naive_clock_calls(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if lines:
            found[path.relative_to(CFIT).as_posix()] = lines

    unexplained = {name: lines for name, lines in found.items() if len(lines) != ALLOWED.get(name, 0)}
    assert unexplained == {}, "use django.utils.timezone.localdate() (or pass today to the core)"
