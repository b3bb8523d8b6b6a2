"""Black-box HTTP against a running service: BASE_URL, or one this suite starts and stops.

Point BASE_URL at a deployment (`BASE_URL=http://localhost:3000 make test`) to hold it to
the same checks; unset, the suite migrates the test database, serves the app on a free port
with gunicorn, as `make start` does, and at the end checks that SIGTERM stops it cleanly.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2
import pytest

START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_serving(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with code {server.returncode} before serving")
        try:
            if httpx2.get(f"{url}/health/live", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within {START_TIMEOUT_SECONDS} s")


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    given = os.environ.get("BASE_URL", "").strip()
    # Only an http(s) URL names a deployment; tools such as Vite export BASE_URL=/ for
    # their own purposes, which must not stop the suite from serving the app itself.
    if given.startswith(("http://", "https://")):
        yield given.rstrip("/")
        return
    database_url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not database_url:
        pytest.fail("set TEST_DATABASE_URL or DATABASE_URL (or BASE_URL for a running service)")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], env=env, check=True)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, server)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert code == 0, f"the server exited with {code} on SIGTERM, not 0"


@pytest.fixture
def http(base_url: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=base_url, timeout=10) as client:
        yield client
