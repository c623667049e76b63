"""The apps import each other without a circle, and none of them imports the demo.

The demo depends on every app (it builds their objects); an app that imported it back would tie the
apps into a circle, as ``accounts`` and ``monitoring`` once were through their demo modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cfit"
#: The only modules outside cfit/demo that may import it: the command that runs it.
DEMO_USERS = {"cfit.accounts.management.commands.demo"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _imports(tree: ast.Module, *, top_level_only: bool) -> set[str]:
    """The modules a file imports (``from x import y`` counts as x and x.y); with ``top_level_only``,
    those run when the module is loaded: not the ones inside functions or under TYPE_CHECKING."""
    if top_level_only:
        nodes: list[ast.AST] = []
        for statement in tree.body:
            if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
                continue
            nodes.extend(
                ast.walk(statement) if not isinstance(statement, ast.FunctionDef | ast.ClassDef) else []
            )
    else:
        nodes = list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_app_module_imports_the_demo() -> None:
    offenders = sorted(
        name
        for name, tree in _sources().items()
        if not (name == "cfit.demo" or name.startswith("cfit.demo."))
        and name not in DEMO_USERS
        and any(i == "cfit.demo" or i.startswith("cfit.demo.") for i in _imports(tree, top_level_only=False))
    )
    assert not offenders, offenders


def test_the_modules_loaded_at_import_form_no_circle() -> None:
    """Among cfit's modules, the imports that run when a module loads form no cycle (imports inside
    functions, which break a circle by deferring it, are not counted: they are the known exceptions)."""
    sources = _sources()
    graph = {
        name: {i for i in _imports(tree, top_level_only=True) if i in sources and i != name}
        for name, tree in sources.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target] if target in path else [name, target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, cycles[:5]


APP_MODULES = sorted(
    _module_name(path) for kind in ("models", "actions", "access") for path in PACKAGE.glob(f"*/{kind}.py")
)


@pytest.mark.slow
@pytest.mark.parametrize("order", ["alphabetical", "reverse"])
def test_each_app_module_imports_in_a_fresh_interpreter(order: str) -> None:
    """Import the apps' models, actions and access modules one after the other in a new interpreter,
    in both orders: a circle shows as an ImportError on whichever module comes first."""
    modules = APP_MODULES if order == "alphabetical" else APP_MODULES[::-1]
    script = (
        "import os, importlib, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cfit.settings')\n"
        "django.setup()\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import cfit.demo\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
