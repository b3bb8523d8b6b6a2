"""app/gunicorn_worker.py over raw sockets to a real gunicorn with a short read timeout."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.gunicorn_worker import ApiWorker

READ_TIMEOUT = 0.5


class FastTimeoutWorker(ApiWorker):
    read_timeout = READ_TIMEOUT


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers with the body's length; a failed read is a 500, as a framework would make it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        received = len(environ["wsgi.input"].read(length))
    except Exception:
        start_response("500 Internal Server Error", [("Content-Type", "application/json")])
        return [b'{"error": "Internal server error"}']
    body = json.dumps({"received": received}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = int(probe.getsockname()[1])
    root = Path(__file__).resolve().parents[2]
    # A fixed command line: this interpreter's gunicorn serving this module.
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{free}",
            "--worker-class",
            f"{__name__}.FastTimeoutWorker",
            "--threads",
            "4",
            "--log-level",
            "critical",
            f"{__name__}:echo_app",
        ],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert server.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not start"
            try:
                socket.create_connection(("127.0.0.1", free), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield free
    finally:
        server.terminate()
        server.wait(15)


def exchange(port: int, request: bytes, wait: float = 10.0) -> tuple[bytes, float]:
    """Send `request`, then read until the server closes; the answer and how long it took."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        started = time.monotonic()
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks), time.monotonic() - started


def parse(answer: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(
        (name.lower(), value.strip())
        for name, _, value in (line.partition(":") for line in lines[1:])
    )
    return int(lines[0].split()[1]), headers, json.loads(body)


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        (
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            400,
        ),
        (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        (b"GET /" + b"a" * 16384 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 16384 + b"\r\n\r\n", 431),
    ],
    ids=[
        "two-content-lengths",
        "negative-length",
        "non-numeric-length",
        "long-path",
        "long-header",
    ],
)
def test_protocol_errors_are_json(port: int, request_head: bytes, status: int) -> None:
    answer, _ = exchange(port, request_head)
    code, headers, body = parse(answer)
    assert code == status
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert isinstance(body["error"], str)
    assert body["error"]


def test_a_stalled_request_head_gets_408(port: int) -> None:
    answer, took = exchange(port, b"GET /echo HTTP/1.1\r\nHost: x\r\n")
    code, headers, body = parse(answer)
    assert (code, body) == (408, {"error": "Request Timeout"})
    assert headers["connection"] == "close"
    assert READ_TIMEOUT <= took < READ_TIMEOUT + 4


def test_a_stalled_body_gets_408_not_the_apps_500(port: int) -> None:
    answer, took = exchange(
        port, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"x" * 10
    )
    code, _, body = parse(answer)
    assert (code, body) == (408, {"error": "Request Timeout"})
    assert READ_TIMEOUT <= took < READ_TIMEOUT + 4


def test_whole_requests_are_served_on_a_kept_alive_connection(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        for _ in range(2):
            conn.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
            answer = b""
            while not answer.endswith(b"}"):
                answer += conn.recv(65536)
            code, headers, body = parse(answer)
            assert (code, body) == (200, {"received": 3})
            assert headers.get("connection") != "close"
