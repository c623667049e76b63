"""The number-heavy core is plain Python: importing it never brings Django along.

The core is the strict mypy override in pyproject.toml (one list, read here), so that a module added to
the core is both typed strictly and guarded by this test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def core_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    strict = [o for o in config["tool"]["mypy"]["overrides"] if o.get("disallow_untyped_defs")]
    assert len(strict) == 1, "pyproject.toml: exactly one strict override names the core"
    return list(strict[0]["module"])


def test_the_core_list_names_the_engines() -> None:
    modules = core_modules()

    assert {
        "cfit.impact.summary",
        "cfit.impact.register",
        "cfit.offers.reader",
        "cfit.offers.evaluate",
        "cfit.monitoring.disclosure",
        "cfit.consultations.summary",
        "cfit.joining.pact_text",
        "cfit.cloud.footprint",
        "cfit.tabular",
    } <= set(modules)
    assert all(not m.endswith("*") for m in modules), (
        "name modules; a package pattern would hide its Django parts"
    )
    assert len(modules) == len(set(modules)), "a core module is named twice"
    for module in modules:
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), (
            f"{module} named in pyproject.toml is missing"
        )


def test_importing_the_core_imports_no_django() -> None:
    program = (
        "import importlib, json, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))))\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )

    assert json.loads(done.stdout) == [], "the core imported Django"


def test_the_guard_sees_a_django_import() -> None:
    """The same check on a module known to import Django finds it (the test can fail)."""
    program = "import sys, cfit.tenders.response_template; print('django' in sys.modules)"

    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "True"
