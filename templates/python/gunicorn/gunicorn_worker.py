"""gunicorn's threaded worker, answering protocol errors in the API's JSON and timing out stalls.

gunicorn answers a request it cannot parse (two Content-Lengths, a 16 KiB path) with an HTML
page, and its gthread worker waits for a started request head or body for as long as the
client keeps the connection open. This worker answers those errors as `{"error": "..."}` with
the status gunicorn chose, and gives every read on a client connection READ_TIMEOUT_SECONDS:
a stalled head gets 408 JSON from the worker, a stalled body 408 JSON in place of whatever the
application answered to the failed read, and the connection is closed.
"""

import json
import socket
from collections.abc import Callable, Iterable, MutableMapping
from http import HTTPStatus
from ssl import SSLError
from typing import Any

from gunicorn import util
from gunicorn.http import Request
from gunicorn.http.errors import (  # type: ignore[attr-defined]  # newer than types-gunicorn
    ConfigurationProblem,
    ExpectationFailed,
    ForbiddenProxyRequest,
    InvalidResponseHeader,
    InvalidResponseHeaderName,
    LimitRequestHeaders,
    LimitRequestLine,
    ParseException,
    UnsupportedTransferCoding,
)
from gunicorn.workers.gthread import TConn, ThreadWorker

# Puma's and nginx's default for a request head or body to keep arriving.
READ_TIMEOUT_SECONDS = 30.0

StartResponse = Callable[[str, Iterable[tuple[str, str]]], None]
WsgiApp = Callable[[MutableMapping[str, Any], StartResponse], Iterable[bytes]]


class RequestTimeoutError(Exception):
    """No byte of a started request arrived within the read timeout.

    Not an OSError: gunicorn closes a connection silently on those, and the frameworks read
    a failing request body as a client disconnect (400).
    """


class _ClientSocket(socket.socket):
    """A client connection whose blocking reads give up after `read_timeout` seconds."""

    read_timeout = READ_TIMEOUT_SECONDS
    timed_out = False
    _bounded = False

    def setblocking(self, flag: bool) -> None:
        # gunicorn makes the connection blocking while a thread reads the request and writes
        # the answer; blocking here means for at most read_timeout.
        super().setblocking(flag)
        if flag:
            super().settimeout(self.read_timeout)
        self._bounded = flag

    def settimeout(self, value: float | None) -> None:
        # gunicorn's own timed reads (draining a closing connection) handle their timeouts.
        super().settimeout(value)
        self._bounded = False

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        try:
            return super().recv(bufsize, flags)
        except TimeoutError as error:
            if not self._bounded:
                raise
            self.timed_out = True
            raise RequestTimeoutError(f"no data for {self.read_timeout:g} s") from error


def _status_of(exc: BaseException) -> int:
    if isinstance(exc, RequestTimeoutError):
        return 408
    if isinstance(exc, LimitRequestLine):
        return 414
    if isinstance(exc, LimitRequestHeaders):
        return 431
    if isinstance(exc, UnsupportedTransferCoding):
        return 501
    if isinstance(exc, ExpectationFailed):
        return 417
    if isinstance(exc, ForbiddenProxyRequest | SSLError):
        return 403
    # A bad header from the application, or gunicorn misconfigured: the server's fault.
    if isinstance(exc, InvalidResponseHeader | InvalidResponseHeaderName | ConfigurationProblem):
        return 500
    if isinstance(exc, ParseException):
        return 400
    return 500


def _message_of(status: int, exc: BaseException) -> str:
    phrase = HTTPStatus(status).phrase
    if status == 400:
        # gunicorn's words name what was wrong ("Invalid header CONTENT-LENGTH"), never more
        # than a header name or a short piece of the request line.
        return f"{phrase}: {str(exc)[:200]}"
    return phrase


def json_error(status: int, message: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """A complete error answer in the API's shape: status line, headers, body."""
    body = json.dumps({"error": message}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    return f"{status} {HTTPStatus(status).phrase}", headers, body


class ApiWorker(ThreadWorker):
    """gunicorn's gthread worker with JSON protocol errors and bounded reads."""

    read_timeout = READ_TIMEOUT_SECONDS

    def enqueue_req(self, conn: TConn) -> None:
        if not isinstance(conn.sock, _ClientSocket):
            # A connection just accepted: adopt its file descriptor before the first read.
            client = _ClientSocket(fileno=conn.sock.detach())
            client.read_timeout = self.read_timeout
            conn.sock = client
        super().enqueue_req(conn)

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = _close_after_refused_bodies(_answer_body_timeouts(self.wsgi))

    def handle_request(self, req: Request, conn: TConn) -> bool:
        keepalive = super().handle_request(req, conn)
        # The rest of a body that stalled may still come: it is not the next request.
        return keepalive and not getattr(conn.sock, "timed_out", False)

    def handle_error(
        self, req: Request | None, client: socket.socket, addr: Any, exc: BaseException
    ) -> None:
        status = _status_of(exc)
        if status < 500:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        else:
            self.log.exception("Error handling request")
        status_line, headers, body = json_error(status, _message_of(status, exc))
        head = "".join(f"{name}: {value}\r\n" for name, value in headers)
        # The request could not be read to its end, so the connection cannot carry another.
        answer = f"HTTP/1.1 {status_line}\r\n{head}Connection: close\r\n\r\n".encode("latin-1")
        try:
            util.write_nonblock(client, answer + body)
        except Exception:
            self.log.debug("Failed to send error message.")


def _answer_body_timeouts(app: WsgiApp) -> WsgiApp:
    """WSGI middleware: a request whose body stalled gets 408, whatever the app made of it.

    The app sees the failed read as an exception and answers it (a 500, or a 400 for a
    "disconnected" client); the client gets the 408 the stall deserves.
    """

    def middleware(
        environ: MutableMapping[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        client = environ.get("gunicorn.socket")

        def timed_out() -> bool:
            return bool(getattr(client, "timed_out", False))

        def respond(status: str, headers: Iterable[tuple[str, str]]) -> None:
            if timed_out():
                status, headers, _ = json_error(408, HTTPStatus(408).phrase)
            start_response(status, headers)

        result = app(environ, respond)
        if not timed_out():
            return result
        if hasattr(result, "close"):
            result.close()
        return [json_error(408, HTTPStatus(408).phrase)[2]]

    return middleware


def _close_after_refused_bodies(app: WsgiApp) -> WsgiApp:
    """WSGI middleware: a 413 closes the connection, and says so.

    The app refuses a body over the limit without reading it. gunicorn then drains at most
    64 KiB of it before the next request and, failing that, closes the connection, but only
    after answering with keep-alive, so a client that reuses the connection meanwhile gets a
    reset instead of an answer. Applications cannot set `Connection` (gunicorn drops it as
    hop-by-hop), so the close is asked of gunicorn's response, whose method start_response is.
    """

    def middleware(
        environ: MutableMapping[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        def respond(status: str, headers: Iterable[tuple[str, str]]) -> None:
            if status.startswith("413"):
                response = getattr(start_response, "__self__", None)
                if response is not None and hasattr(response, "force_close"):
                    response.force_close()
            start_response(status, headers)

        return app(environ, respond)

    return middleware
