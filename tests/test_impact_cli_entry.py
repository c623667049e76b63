"""``cfit impact fleet|estimate`` go straight to the Django-free engine and write what the management
command writes; the platform's reference data (``--database``) and every other command still go
through Django."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from cfit.cli import engine_arguments

#: Rijkswaterstaat's asset manager's register: two notebooks lines, one of them retired.
REGISTER = (
    "asset_key,product_group,manufacturer,model,quantity,purchase_date,country,status,retired_date,"
    "end_of_use_route\n"
    "RWS-1,notebooks,Dell,Latitude 5420,12,2022-03-01,NL,in_use,,\n"
    "RWS-2,notebooks,HP,EliteBook 840 G8,3,2019-05-01,,retired,2024-02-01,reuse\n"
)


@pytest.mark.parametrize(
    ("argv", "engine"),
    [
        (["cfit", "impact", "fleet", "r.csv"], ["fleet", "r.csv"]),
        (
            ["cfit", "impact", "estimate", "r.csv", "--country", "NL", "--format", "csv"],
            ["estimate", "r.csv", "--country", "NL", "--format", "csv"],
        ),
        (["cfit", "impact", "fleet", "r.csv", "-o", "out.json"], ["fleet", "r.csv", "-o", "out.json"]),
        # The platform's reference data is in its database.
        (["cfit", "impact", "fleet", "r.csv", "--database"], None),
        (["cfit", "impact", "fleet", "r.csv", "--settings=cfit.settings"], None),
        (["cfit", "impact", "--verbosity", "2", "fleet", "r.csv"], None),
        (["cfit", "impact", "load-factors"], None),
        (["cfit", "impact", "import-pcf", "boavizta.csv"], None),
        (["cfit", "migrate"], None),
        (["cfit"], None),
    ],
)
def test_only_a_computation_of_a_file_skips_django(argv: list[str], engine: list[str] | None) -> None:
    assert engine_arguments(argv) == engine


def console(*args: str) -> subprocess.CompletedProcess[str]:
    """The ``cfit`` console script, in a process of its own; says on standard error whether Django
    was imported."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write(f'django imported: {\"django\" in sys.modules}\\n'))\n"
        "from cfit.cli import main\n"
        f"sys.argv = ['cfit', *{list(args)!r}]\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_the_fleet_of_a_file_is_computed_without_starting_django(tmp_path: Path) -> None:
    path = tmp_path / "rijkswaterstaat.csv"
    path.write_text(REGISTER, encoding="utf-8")
    done = console("impact", "fleet", str(path), "--as-of", "2026-11-30", "--country", "NL")
    assert done.returncode == 0, done.stderr
    assert "django imported: False" in done.stderr
    figures = json.loads(done.stdout)
    assert figures["devices"] == 12
    # What the management command writes for the same file, to the letter.
    out = io.StringIO()
    call_command("impact", "fleet", str(path), "--as-of", "2026-11-30", "--country", "NL", stdout=out)
    assert json.loads(out.getvalue()) == figures


@pytest.mark.slow
def test_a_refused_file_says_why_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "rijkswaterstaat.csv"
    path.write_text(REGISTER.replace("2022-03-01", "not a date"), encoding="utf-8")
    done = console("impact", "estimate", str(path), "--country", "NL")
    assert done.returncode == 1
    assert "refused" in done.stderr
    assert "django imported: False" in done.stderr


@pytest.mark.slow
def test_other_commands_still_start_django() -> None:
    done = console("help", "impact")
    assert done.returncode == 0, done.stderr
    assert "django imported: True" in done.stderr
    assert "load-factors" in done.stdout
