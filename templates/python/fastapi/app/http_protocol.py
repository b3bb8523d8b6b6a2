"""uvicorn's HTTP/1.1 protocol (h11) with the API's error shape and a bound on slow clients.

uvicorn answers a request it cannot parse (conflicting or invalid Content-Length, a bad
chunk size) with a plain-text 400, and waits as long as a client likes for a request head or
body that stops arriving, holding the connection open. This subclass answers the first as
`{"error": ...}` JSON like every other error of the API, and gives each request
`read_timeout` seconds from its first byte to arrive whole (head and body), else answers 408
and closes. Time spent in the endpoint does not count: the clock stops once the request has
been read.
"""

import asyncio
import json
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("app.http")

READ_TIMEOUT_SECONDS = 30.0


def error_response(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"error": message}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class ApiH11Protocol(H11Protocol):
    read_timeout: float = READ_TIMEOUT_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never finishes its first request head is bounded too.
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._reading_a_request():
            if self._read_deadline is None:
                self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        logger.info("refused a malformed HTTP request: %s", msg)
        self._answer_and_close(error_response(400, "Bad Request", "Malformed HTTP request"))

    def _reading_a_request(self) -> bool:
        """Whether a request is partly read: a head begun, or a body not yet complete."""
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            return True
        if state is h11.IDLE:
            return bool(self.conn.trailing_data[0])
        return False

    def _arm(self) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                self.transport.close()
                return
            # The endpoint waiting for the rest of the body sees the client gone and gives up;
            # whatever it then answers is dropped, and the client gets the 408 below.
            cycle.disconnected = True
            cycle.message_event.set()
        elif not self.conn.trailing_data[0]:
            if cycle is None:
                # Connected and never sent a byte: no request to answer.
                self.transport.close()
            # Else idle between requests, which uvicorn's keep-alive timeout owns.
            return
        self._answer_and_close(
            error_response(408, "Request Timeout", "Request not received in time")
        )

    def _answer_and_close(self, response: bytes) -> None:
        self.transport.write(response)
        self.transport.close()
