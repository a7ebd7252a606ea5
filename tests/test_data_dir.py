"""The data directory holds the database (password hashes, applicants' names and banks),
uploads and audio: only its owner may read it. And a data directory the workbench cannot
use stops the commands with one line saying why, not a traceback."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serving import free_port, wait_until_serving

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CLIP = REPO_ROOT / "sample_data" / "ko_call.mp3"
PASSWORD = "quiet-lantern-57"


def cli_env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WORKBENCH_")}
    env["WORKBENCH_DATA_DIR"] = str(data_dir)
    return env


def workbench(*args: str, data_dir: Path, **options) -> subprocess.CompletedProcess:
    """Run the ``workbench`` command as an operator's shell would (its usual umask 022)."""
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], env=cli_env(data_dir), cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.umask(0o022),
                          **options)


def modes(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode)
            for path in [root, *root.rglob("*")]}


def test_the_data_directory_and_every_file_in_it_are_owner_only(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)  # made by hand before, as the umask allows
    data_dir.chmod(0o755)
    added = workbench("users", "add", "root", "--name", "Root", "--role", "admin", "--password", PASSWORD,
                      data_dir=data_dir)
    assert added.returncode == 0, added.stderr
    imported = workbench("clips", "import", str(SAMPLE_CLIP), "--language", "ko", "--project", "p",
                         data_dir=data_dir)
    assert imported.returncode == 0, imported.stderr
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "--no-worker", "--port", str(port)],
                              env=cli_env(data_dir), cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, preexec_fn=lambda: os.umask(0o022))
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/login", server, timeout=120)
        found = modes(data_dir)  # while serving: the WAL and shared-memory files exist
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert {"workbench.db", "workbench.db-wal", "session-secret.key"} <= set(found)
    assert any(name.startswith("uploads/") and name.endswith(".mp3") for name in found)
    assert {name: mode for name, mode in found.items() if mode & 0o077} == {}
    assert found["."] == 0o700


@pytest.fixture
def read_only_mount(tmp_path):
    """A directory on a read-only bind mount; skipped where this machine may not mount."""
    source, mounted = tmp_path / "source", tmp_path / "mounted"
    source.mkdir()
    mounted.mkdir()
    if subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(mounted)], capture_output=True).returncode:
        pytest.skip("cannot bind-mount here")
    subprocess.run(["mount", "-o", "remount,ro,bind", str(mounted)], check=True, capture_output=True)
    try:
        yield mounted
    finally:
        subprocess.run(["umount", str(mounted)], check=True)


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and all(word in line for word in words), line


@pytest.mark.parametrize("command", [["serve", "--no-worker"], ["users", "list"], ["worker"]])
def test_a_read_only_data_directory_stops_with_one_line(read_only_mount, command):
    assert_one_line_error(workbench(*command, data_dir=read_only_mount), "Read-only file system",
                          str(read_only_mount))


@pytest.mark.parametrize("where", ["cannot-be-created", "under-a-file"])
def test_an_unusable_data_directory_stops_with_one_line(tmp_path, where):
    (tmp_path / "a-file").write_text("not a directory")
    data_dir = {"cannot-be-created": Path("/sys/workbench-data"), "under-a-file": tmp_path / "a-file" / "data"}[where]
    assert_one_line_error(workbench("serve", "--no-worker", data_dir=data_dir), str(data_dir.parent))


def test_a_bad_setting_stops_with_one_line(tmp_path):
    env_setting = {"WORKBENCH_COOKIE_SECURE": "sometimes"}
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "serve", "--no-worker"],
                            env=cli_env(tmp_path / "data") | env_setting, cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=300)
    assert_one_line_error(result, "WORKBENCH_COOKIE_SECURE")


def test_files_written_before_the_umask_change_are_made_owner_only_at_start_and_links_out_are_not_followed(tmp_path):
    data_dir, outside = tmp_path / "data", tmp_path / "elsewhere.flac"
    (data_dir / "clips" / "7").mkdir(parents=True)
    old_audio = data_dir / "clips" / "7" / "clean.flac"
    old_audio.write_bytes(b"client audio")
    outside.write_bytes(b"not the workbench's")
    (data_dir / "clips" / "7" / "linked.flac").symlink_to(outside)
    (data_dir / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    for path, mode in [(old_audio, 0o644), (outside, 0o644), (data_dir / "clips", 0o755),
                       (data_dir / "clips" / "7", 0o755), (tmp_path, 0o755)]:
        path.chmod(mode)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "--no-worker", "--port", str(port)],
                              env=cli_env(data_dir), cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.umask(0o022))
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/login", server, timeout=120)
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert stat.S_IMODE(old_audio.stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "clips" / "7").stat().st_mode) == 0o700
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # the link's target, outside: left alone
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert "made 3 file(s) and folder(s)" in log
