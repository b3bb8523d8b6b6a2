"""The HTTP protocol the server runs (app/http_protocol.py), over raw sockets to a real uvicorn."""

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request

from app.http_protocol import ApiH11Protocol

READ_TIMEOUT = 0.5


class FastTimeoutProtocol(ApiH11Protocol):
    read_timeout = READ_TIMEOUT


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return app


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = int(probe.getsockname()[1])
    config = uvicorn.Config(
        echo_app(), host="127.0.0.1", port=free, http=FastTimeoutProtocol, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield free
    server.should_exit = True
    thread.join(10)


def exchange(port: int, request: bytes, wait: float = 5.0) -> tuple[bytes, float]:
    """Send `request`, then read until the server closes; the answer and how long it took."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        started = time.monotonic()
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks), time.monotonic() - started


def read_one(conn: socket.socket) -> bytes:
    """One response with a Content-Length, from a connection that stays open."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += conn.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


def status_and_json(answer: bytes) -> tuple[int, dict[str, object], str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), json.loads(body), headers["content-type"]


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: 2\r\nContent-Length: 5\r\n",
        b"Content-Length: -1\r\n",
        b"Content-Length: abc\r\n",
    ],
)
def test_a_request_uvicorn_cannot_parse_gets_a_json_400(port: int, framing: bytes) -> None:
    answer, _ = exchange(port, b"POST /echo HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n{}")
    status, body, content_type = status_and_json(answer)
    assert (status, content_type) == (400, "application/json")
    assert isinstance(body["error"], str)
    assert body["error"]


def test_a_bad_chunk_size_gets_a_json_400(port: int) -> None:
    request = (
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    )
    status, _, content_type = status_and_json(exchange(port, request)[0])
    assert (status, content_type) == (400, "application/json")


def test_a_stalled_request_head_gets_a_408(port: int) -> None:
    answer, took = exchange(port, b"POST /echo HTTP/1.1\r\nHost: x\r\n")
    status, body, _ = status_and_json(answer)
    assert status == 408
    assert body["error"]
    assert READ_TIMEOUT <= took < READ_TIMEOUT + 3


def test_a_stalled_request_body_gets_a_408(port: int) -> None:
    answer, took = exchange(
        port, b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":'
    )
    status, _, content_type = status_and_json(answer)
    assert (status, content_type) == (408, "application/json")
    assert READ_TIMEOUT <= took < READ_TIMEOUT + 3


def test_a_complete_request_is_answered_and_the_connection_kept(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        for _ in range(2):
            conn.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
            answer = read_one(conn)
            assert answer.startswith(b"HTTP/1.1 200 ")
            assert answer.endswith(b'{"received":2}')
            # Slower than the read timeout between requests: idle time is not a stalled request.
            time.sleep(READ_TIMEOUT * 2)


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        started = time.monotonic()
        assert conn.recv(65536) == b""
        assert time.monotonic() - started < READ_TIMEOUT + 3
