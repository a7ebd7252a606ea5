"""wavesurfer.js and its regions plugin: installed by npm from package.json and the lock
(never copied into the repository), served by the app from that install under fixed names,
and named in the task pages' import map only when they are there."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.builders import add_admin, open_workbench, signed_in
from workbench.queue import RecordingQueue
from workbench.ui import vendor
from workbench.ui.server import create_app
from workbench.ui.work_api import task_page

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    wb = open_workbench(tmp_path_factory.mktemp("vendor"), queue=RecordingQueue())
    add_admin(wb)
    yield create_app(wb, secret=b"k" * 32)
    wb.close()


def test_package_json_and_its_lock_pin_wavesurfer_and_nothing_of_it_is_in_the_repository():
    declared = json.loads((ROOT / "package.json").read_text())["dependencies"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert set(declared) == {"wavesurfer.js"} and locked["node_modules/wavesurfer.js"]["version"].startswith("8.")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert not [name for name in tracked.split() if name.startswith("node_modules/") or "wavesurfer" in name.lower()]
    assert "/node_modules/" in (ROOT / ".gitignore").read_text().split()


def test_the_installed_files_are_served_by_name_to_a_signed_in_user_and_nothing_else_is(app):
    if vendor.installed_version() is None:
        pytest.skip("wavesurfer.js is not installed: run `npm ci`")
    client = signed_in(app, "admin")
    for name in vendor.FILES:
        served = client.get(f"{vendor.VENDOR_PREFIX}/{name}")
        assert served.status_code == 200 and served.headers["content-type"].startswith("text/javascript")
        assert served.content == (vendor.node_modules() / vendor.FILES[name][1]).read_bytes()
    for name in ("package.json", "..%2Fpackage.json", "wavesurfer.js", "regions.js"):
        assert client.get(f"{vendor.VENDOR_PREFIX}/{name}").status_code == 404
    assert signed_in(app, None).get(f"{vendor.VENDOR_PREFIX}/regions.esm.js").status_code == 401


def test_the_task_page_names_the_libraries_only_when_they_are_installed(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_NODE_MODULES", str(tmp_path / "nowhere"))
    imports = json.loads(re.search(r'importmap">(.*?)</script>', task_page("transcriber", 1)).group(1))["imports"]
    assert "wavesurfer" not in imports and "wavesurfer/regions" not in imports
    fake = tmp_path / "node_modules"
    for _, path in vendor.FILES.values():
        (fake / path).parent.mkdir(parents=True, exist_ok=True)
        (fake / path).write_text("export default {};")
    (fake / "wavesurfer.js" / "package.json").write_text('{"version": "8.0.1"}')
    monkeypatch.setenv("WORKBENCH_NODE_MODULES", str(fake))
    imports = json.loads(re.search(r'importmap">(.*?)</script>', task_page("transcriber", 1)).group(1))["imports"]
    assert imports["wavesurfer"] == "/ui-vendor/wavesurfer.esm.js?v=8.0.1"
    assert imports["wavesurfer/regions"] == "/ui-vendor/regions.esm.js?v=8.0.1"
