"""A client-side bound on waiting for PostgreSQL on an open connection.

statement_timeout is enforced by the server: a server that stops answering altogether
(frozen, or behind a network path that still acknowledges packets) never sends its error,
and psycopg has no client-side query timeout, so a request would wait as long as the outage.
`deadline()` shuts the connection's socket down when its time is up: the call waiting on it
fails at once with psycopg.OperationalError (the API answers 503), and the pool discards the
broken connection instead of handing it out again. One thread watches every deadline.
"""

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool


class QueryDeadlines:
    def __init__(self) -> None:
        self._due: list[tuple[float, int, psycopg.Connection[Any]]] = []
        self._armed: set[int] = set()
        self._ids = itertools.count()
        self._lock = threading.Condition()
        self._watcher: threading.Thread | None = None

    @contextmanager
    def deadline(self, connection: psycopg.Connection[Any], seconds: float) -> Iterator[None]:
        """Severs `connection` if the block is still running after `seconds`."""
        entry = next(self._ids)
        with self._lock:
            self._armed.add(entry)
            heapq.heappush(self._due, (time.monotonic() + seconds, entry, connection))
            if self._watcher is None:
                self._watcher = threading.Thread(
                    target=self._watch, name="query-deadlines", daemon=True
                )
                self._watcher.start()
            self._lock.notify()
        try:
            yield
        finally:
            with self._lock:
                self._armed.discard(entry)

    def _watch(self) -> None:
        with self._lock:
            while True:
                if not self._due:
                    self._lock.wait()
                    continue
                due, entry, connection = self._due[0]
                if entry not in self._armed:
                    heapq.heappop(self._due)
                    continue
                left = due - time.monotonic()
                if left > 0:
                    self._lock.wait(left)
                    continue
                heapq.heappop(self._due)
                self._armed.discard(entry)
                # Under the lock: the block cannot end, and its connection go back to the
                # pool for another request, between the check above and this.
                _sever(connection)


def _sever(connection: psycopg.Connection[Any]) -> None:
    try:
        descriptor = connection.pgconn.socket
    except psycopg.OperationalError:
        return  # already closed
    try:
        with socket.socket(fileno=os.dup(descriptor)) as duplicate:
            duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed meanwhile


DEADLINES = QueryDeadlines()


def check_within(seconds: float) -> Callable[[psycopg.Connection[Any]], None]:
    """A pool's `check`: psycopg_pool's own, given up on after `seconds`."""

    def check(connection: psycopg.Connection[Any]) -> None:
        with DEADLINES.deadline(connection, seconds):
            ConnectionPool.check_connection(connection)

    return check
