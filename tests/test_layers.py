"""The package's layers, read from its source: imports only run down, and no two modules
import each other when they load.

Imports inside functions and under ``TYPE_CHECKING`` do not run at load time, so the cycle
check leaves them out; the layer rules count every import, wherever it is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workbench"

# What each lower package may import from the rest of workbench (docs/architecture.md).
ALLOWED = {
    "languages": set(),
    "domain": set(),
    "audio": {"languages"},
    "drafts": {"languages"},
    "store": {"domain"},
}


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def imports(path: Path, *, load_time_only: bool) -> set[str]:
    """The workbench modules ``path`` imports (``from workbench.x import y`` names
    ``workbench.x.y`` when that is a module, else ``workbench.x``)."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    if load_time_only:
        for node in ast.walk(tree):
            deferred = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or (
                isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
            if deferred:
                skipped.update(id(sub) for sub in ast.walk(node) if sub is not node)
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("workbench"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if module_path(candidate) else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("workbench"))
    return found


def module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def top_package(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other_at_load_time():
    graph = {module_name(p): {m for m in imports(p, load_time_only=True) if module_path(m)} for p in sources()}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_planted_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_lower_layer_imports_nothing_above_it(package):
    upward = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources() if top_package(module_name(path)) == package
        for name in imports(path, load_time_only=False)
        if top_package(name) not in ALLOWED[package] | {package}
    )
    assert upward == []


def test_the_workflow_is_handed_its_queue_and_never_builds_one():
    building = sorted(f"{path.relative_to(ROOT)} imports {name}"
                      for path in sources() if top_package(module_name(path)) == "workflow"
                      for name in imports(path, load_time_only=False) if name == "workbench.queue")
    assert building == []


def test_no_workflow_service_inherits_another():
    """Services are composed over one context (workflow/context.py), not chained as mixins:
    each derives from ``Service`` alone."""
    from workbench.workflow.context import Service
    from workbench.workflow.service import DELEGATES

    assert {cls.__name__: cls.__bases__ for cls, _ in DELEGATES.values()} == {
        cls.__name__: (Service,) for cls, _ in DELEGATES.values()}
