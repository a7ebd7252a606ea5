"""The code keeps a shape a reader can hold: no module over 400 lines and no function over
60 lines, unless a reason is written down.

A reason is either an entry in ``ALLOWED`` below or a ``# shape: <reason>`` comment: on one of a
module's first lines for the module, on the line above a function (or its first decorator) or
on its ``def`` line for the function. A function's docstring does not count towards its
length (the numpy-style docstrings with shapes and units are documentation, not logic).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workbench"
MODULE_LIMIT = 400
FUNCTION_LIMIT = 60
HEADER_LINES = 10
SHAPE_COMMENT = re.compile(r"#\s*shape:\s*(\S.*)?$")

# Paths relative to the repository; "path::qualname" names a function; a path ending in "/"
# covers everything below it. Every entry must still be needed (see the last test).
ALLOWED = {
    "workbench/store/migrations/": "a migration writes a schema out once, as data; it is never edited again",
}


@dataclass(frozen=True)
class Offence:
    """One module or function over its limit: ``key`` is what ``ALLOWED`` would name."""

    key: str
    lines: int
    limit: int

    def __str__(self) -> str:
        return f"{self.key}: {self.lines} lines (limit {self.limit})"


def _has_reason(lines: list[str], line_numbers: range) -> bool:
    for number in line_numbers:
        if 1 <= number <= len(lines):
            match = SHAPE_COMMENT.search(lines[number - 1])
            if match:
                if not match.group(1):
                    raise AssertionError(f"line {number}: '# shape:' needs a reason after it")
                return True
    return False


def _function_length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    length = node.end_lineno - node.lineno + 1
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        length -= body[0].end_lineno - body[0].lineno + 1
    return length


def _functions(tree: ast.AST, prefix: str = ""):
    """Every function with its dotted qualname (methods and nested functions included)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{prefix}{node.name}", node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def offences(source: str, name: str) -> list[Offence]:
    """The unexcused offences in one module's ``source`` (``name`` is its repository path);
    ``# shape:`` comments excuse, ``ALLOWED`` is applied by the caller."""
    lines = source.splitlines()
    found = []
    if len(lines) > MODULE_LIMIT and not _has_reason(lines, range(1, HEADER_LINES + 1)):
        found.append(Offence(name, len(lines), MODULE_LIMIT))
    for qualname, node in _functions(ast.parse(source)):
        length = _function_length(node)
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if length > FUNCTION_LIMIT and not _has_reason(lines, range(first - 1, node.lineno + 1)):
            found.append(Offence(f"{name}::{qualname}", length, FUNCTION_LIMIT))
    return found


def _allowed(key: str) -> bool:
    return key in ALLOWED or any(k.endswith("/") and key.startswith(k) for k in ALLOWED)


def tree_offences() -> list[Offence]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += offences(path.read_text(), path.relative_to(ROOT).as_posix())
    return found


def test_no_module_or_function_is_over_its_limit_without_a_written_reason():
    unexcused = [str(o) for o in tree_offences() if not _allowed(o.key)]
    assert unexcused == [], "split these, or write down why not:\n" + "\n".join(unexcused)


def test_every_allow_list_entry_is_still_needed_and_gives_a_reason():
    keys = {o.key for o in tree_offences()}
    stale = [k for k in ALLOWED
             if not (k in keys or (k.endswith("/") and any(o.startswith(k) for o in keys)))]
    assert stale == [], f"these no longer offend; remove them from ALLOWED: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


LONG_BODY = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LIMIT + 1))


@pytest.mark.parametrize("source, expected", [
    (f"def f():\n{LONG_BODY}\n", ["m.py::f"]),
    (f"class C:\n    def f(self):\n    {LONG_BODY.replace(chr(10), chr(10) + '    ')}\n", ["m.py::C.f"]),
    (f"# shape: a table of cases reads best in one piece\ndef f():\n{LONG_BODY}\n", []),
    (f"def f():  # shape: one straight recipe\n{LONG_BODY}\n", []),
    (f"def f():\n    '''Doc.\n\n    More.\n    '''\n" + "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LIMIT - 1)) + "\n", []),
    ("\n".join(f"x{i} = {i}" for i in range(MODULE_LIMIT + 1)) + "\n", ["m.py"]),
    ("# shape: generated table\n" + "\n".join(f"x{i} = {i}" for i in range(MODULE_LIMIT + 1)) + "\n", []),
])
def test_the_checker_finds_long_modules_and_functions_and_honours_written_reasons(source, expected):
    assert [o.key for o in offences(source, "m.py")] == expected


def test_a_shape_comment_without_a_reason_is_refused():
    with pytest.raises(AssertionError, match="needs a reason"):
        offences(f"# shape:\ndef f():\n{LONG_BODY}\n", "m.py")
