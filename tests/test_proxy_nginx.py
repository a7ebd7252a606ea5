"""The documented nginx configuration (deploy/nginx/workbench.conf) in front of
`workbench serve --workers 2`, as README "Deploying for many workers" sets it up: TLS ends
at nginx (a self-signed certificate made here), the app marks its cookie Secure, each
signed-in browser stays on one process, a body over the proxy's limit is refused there with
413 and never reaches the app, and a Gradio event streams back through the proxy.

Skipped, loudly, without an nginx program; scripts/test installs it (Debian's nginx-light),
so under CI it runs."""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.builders import seed_transcribers_with_tasks
from tests.serving import REPO, free_port, wait_until_serving
from tests.test_serve_workers import two_free_ports

CONFIG = REPO / "deploy" / "nginx" / "workbench.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PASSWORD = "quiet-lantern-57"
BROWSERS = 12  # signed-in browsers; all twelve hashing to one process has odds 1 in 2,048
BODY_LIMIT_MB = 2  # the test's client_max_body_size, in place of the documented 2048m

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/test installs nginx-light); "
                                "the reverse proxy configuration is NOT tested here")


def rendered_config(text: str, *, ports: tuple[int, int], cert: Path, key: Path, listen: int, log: Path) -> str:
    """The documented file with its example values replaced by the test's; each example value
    must be present, so the test breaks when the file changes shape instead of testing less."""
    replacements = {
        "server 127.0.0.1:7860;": f"server 127.0.0.1:{ports[0]};",
        "server 127.0.0.1:7861;": f"server 127.0.0.1:{ports[1]};",
        "listen 443 ssl;": f"listen 127.0.0.1:{listen} ssl;",
        "listen 80;": f"listen 127.0.0.1:{free_port()};",
        "/etc/ssl/workbench/cert.pem": str(cert),
        "/etc/ssl/workbench/key.pem": str(key),
        "/var/log/nginx/workbench.access.log": str(log),
        "client_max_body_size 2048m;": f"client_max_body_size {BODY_LIMIT_MB}m;",
    }
    for example, value in replacements.items():
        assert text.count(example) == 1, f"deploy/nginx/workbench.conf no longer has {example!r} once"
        text = text.replace(example, value)
    return text


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """A store with BROWSERS transcribers and tasks, `workbench serve --workers 2` set up for a
    TLS proxy, and nginx running the documented configuration in front: yields the proxy's
    https URL, an SSL context trusting its certificate, the access log, and the two ports."""
    tmp = tmp_path_factory.mktemp("nginx")
    data_dir = tmp / "data"
    seed_transcribers_with_tasks(data_dir, BROWSERS)

    port, listen = two_free_ports(), free_port()
    origin = f"https://127.0.0.1:{listen}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("WORKBENCH_")}
    env |= {"WORKBENCH_DATA_DIR": str(data_dir), "WORKBENCH_COOKIE_SECURE": "always",
            "WORKBENCH_TRUSTED_PROXIES": "127.0.0.1", "WORKBENCH_ALLOWED_ORIGINS": origin}
    cert, key = self_signed(tmp)
    access_log = tmp / "access.log"
    site = tmp / "workbench.conf"
    site.write_text(rendered_config(CONFIG.read_text(), ports=(port, port + 1), cert=cert, key=key,
                                    listen=listen, log=access_log))
    (tmp / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
""")
    with (tmp / "serve.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", "--port", str(port),
                                   "--workers", "2", "--no-worker"],
                                  env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    proxy = subprocess.Popen([NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for upstream in (port, port + 1):
            wait_until_serving(f"http://127.0.0.1:{upstream}/login", server, timeout=180)
        trusted = ssl.create_default_context(cafile=str(cert))
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{origin}/login", verify=trusted).raise_for_status()
                break
            except httpx.TransportError:
                if proxy.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {(tmp / 'error.log').read_text()}") from None
                time.sleep(0.2)
        yield origin, trusted, access_log, (port, port + 1)
    finally:
        proxy.send_signal(signal.SIGQUIT)
        server.send_signal(signal.SIGTERM)
        for process in (proxy, server):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def a_browser(origin: str, trusted: ssl.SSLContext) -> httpx.Client:
    return httpx.Client(base_url=origin, verify=trusted, headers={"Origin": origin})


def sign_in(browser: httpx.Client, username: str) -> httpx.Response:
    return browser.post("/login", data={"username": username, "password": PASSWORD})


def upstreams_of(access_log: Path, marker: str) -> list[str]:
    """The upstream that answered each logged request whose line holds ``marker``."""
    time.sleep(0.2)  # nginx writes its access log line once the answer is sent
    return [re.search(r"upstream=(\S+)", line).group(1)
            for line in access_log.read_text().splitlines() if marker in line]


def test_signing_in_over_https_through_the_proxy_sets_a_secure_cookie(proxied):
    origin, trusted, _, _ = proxied
    with a_browser(origin, trusted) as browser:
        answer = sign_in(browser, "scribe0")
        assert answer.status_code == 303, answer.text
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("workbench_session=")
        assert "; secure" in cookie.lower() and "; httponly" in cookie.lower()
        # The session works through the proxy: the JSON claim is a state change, so the
        # origin check also accepted the public https origin.
        assert browser.post("/api/work/tasks/claim").status_code == 200


def test_plain_http_to_the_tls_port_is_refused_by_the_proxy(proxied):
    origin, _, access_log, _ = proxied
    answer = httpx.get(origin.replace("https://", "http://") + "/login", params={"probe": "plain"})
    assert answer.status_code == 400 and "HTTPS" in answer.text
    assert upstreams_of(access_log, "probe=plain") == ["-"]


def test_each_signed_in_browser_stays_on_one_process_and_both_processes_serve(proxied):
    origin, trusted, access_log, ports = proxied
    landed = {}
    for n in range(1, BROWSERS):
        with a_browser(origin, trusted) as browser:
            answer = sign_in(browser, f"scribe{n}")
            assert answer.status_code == 303
            for visit in range(6):
                assert browser.get("/login", params={"probe": f"b{n}-v{visit}"}).status_code in (200, 303)
        landed[n] = set(upstreams_of(access_log, f"probe=b{n}-v"))
    assert all(len(upstreams) == 1 for upstreams in landed.values()), landed
    assert set().union(*landed.values()) == {f"127.0.0.1:{port}" for port in ports}, landed


def test_a_body_over_the_proxys_limit_is_refused_by_the_proxy_with_413(proxied):
    origin, trusted, access_log, _ = proxied
    with a_browser(origin, trusted) as browser:
        assert sign_in(browser, "scribe0").status_code == 303
        over = browser.post("/gradio_api/upload", params={"probe": "over"},
                            files={"files": ("big.wav", b"\0" * ((BODY_LIMIT_MB + 1) * 1024 * 1024), "audio/wav")})
        assert over.status_code == 413
        # Under the proxy's limit the same upload reaches the app (whose own limit is 2 GB).
        under = browser.post("/gradio_api/upload", params={"probe": "under"},
                             files={"files": ("small.wav", b"\0" * (BODY_LIMIT_MB * 1024 * 1024 // 2), "audio/wav")})
        assert under.status_code != 413
    assert upstreams_of(access_log, "probe=over") == ["-"]  # nginx answered; no process saw it
    assert upstreams_of(access_log, "probe=under") != ["-"]


def test_a_gradio_event_streams_back_through_the_proxy(proxied):
    origin, trusted, _, _ = proxied
    with a_browser(origin, trusted) as browser:
        answer = sign_in(browser, "scribe0")
        assert answer.status_code == 303
        handlers = {dep["api_name"]: dep["id"] for dep in browser.get("/config").json()["dependencies"]}
        session_hash = "proxytest0001"
        joined = browser.post("/gradio_api/queue/join", json={
            "data": [], "fn_index": handlers["greet"], "session_hash": session_hash,
            "event_data": None, "trigger_id": None})
        assert joined.status_code == 200, joined.text
        completed = None
        with browser.stream("GET", "/gradio_api/queue/data", params={"session_hash": session_hash},
                            timeout=30) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            for line in stream.iter_lines():
                if '"process_completed"' in line:
                    completed = line
                    break
    assert completed is not None and '"success":true' in completed.replace(" ", "")
    assert "scribe0" in completed  # greet answers with the signed-in user
