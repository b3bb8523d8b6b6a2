"""Black-box HTTP against a running service: BASE_URL, or one this suite starts and stops.

Point BASE_URL at a deployment (`BASE_URL=http://localhost:3000 make test`) to hold it to
the same checks; unset, the suite migrates the test database, serves the app on a free port
with `python -m app`, and at the end checks that SIGTERM stops it cleanly.
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

from app.config import database_url_for_tests
from app.migrate import migrate

START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 15


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
    database_url = database_url_for_tests()
    migrate(database_url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "app"], env=env)
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
