"""The task pages' JavaScript unit tests (``tests/js``, node's built-in test runner) as part of
the suite: a failing JS test fails it. Without node the test is skipped, loudly; under CI
(``CI`` set) a missing node is a failure, as scripts/test installs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).parent / "js"
# node:test's describe/it and a directory given to --test (Debian 12 ships 18.19).
NODE_AT_LEAST = (18, 19)


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        message = "node is missing: the JavaScript unit tests in tests/js did NOT run (scripts/test installs nodejs)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    assert found >= NODE_AT_LEAST, f"node {version} is too old for tests/js; 18.19 or newer is needed"
    return node


def test_the_javascript_unit_tests_pass():
    node = node_or_skip()
    run = subprocess.run([node, "--test", str(JS_TESTS)], capture_output=True, text=True, timeout=300,
                         cwd=JS_TESTS.parent.parent)
    summary = "\n".join(line for line in run.stdout.splitlines() if re.match(r"# (tests|pass|fail)\b", line))
    assert run.returncode == 0, f"node --test tests/js failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    assert re.search(r"^# pass [1-9]", run.stdout, re.M), f"node --test ran no test:\n{summary}"
