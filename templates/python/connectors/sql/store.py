"""Items in a SQL database, through a small connection pool.

Every query is parameterised (`%s` placeholders, values passed separately). What differs
between databases (connecting, getting the new id back) lives in app/database.py.
"""

import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from typing import Any

from app import database
from app.items import iso_utc

log = logging.getLogger(__name__)

# Ids are positive BIGINTs; anything else cannot exist, so it is a 404 without a query.
_ID = re.compile(r"[1-9][0-9]{0,18}")
_MAX_ID = 2**63 - 1

_SELECT = "SELECT id, name, description, created_at, updated_at FROM items"


class ConnectionPool:
    """Reuses DB-API connections across requests.

    FastAPI runs these synchronous endpoints on a thread pool and a connection must not be
    shared between threads, so each request takes one for itself and gives it back after
    committing. Connections are made on demand (at most one per worker thread) and only
    when needed, so the service starts, and /health answers, while the database is down.
    """

    def __init__(self, connect: Callable[[], Any], max_idle: int = 10) -> None:
        self._connect = connect
        self._max_idle = max_idle
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor in a transaction that commits when the block ends without an error."""
        connection = self._take()
        try:
            with closing(connection.cursor()) as cursor:
                yield cursor
            connection.commit()
        except BaseException:
            # Broken, or mid-transaction: a fresh connection is cheaper than finding out which.
            _close_quietly(connection)
            raise
        self._give_back(connection)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            _close_quietly(connection)

    def _take(self) -> Any:
        with self._lock:
            if self._closed:
                raise RuntimeError("the connection pool is closed")
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _give_back(self, connection: Any) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(connection)
                return
        _close_quietly(connection)


def _close_quietly(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # already broken: nothing more to do
        log.debug("closing a connection failed", exc_info=True)


def parse_id(raw: str) -> int | None:
    if not _ID.fullmatch(raw) or int(raw) > _MAX_ID:
        return None
    return int(raw)


def _item(row: Any) -> dict[str, Any]:
    item_id, name, description, created_at, updated_at = row
    return {
        "id": int(item_id),
        "name": name,
        "description": description,
        "createdAt": iso_utc(created_at),
        "updatedAt": iso_utc(updated_at),
    }


class ItemStore:
    def __init__(self, url: str) -> None:
        self._pool = ConnectionPool(lambda: database.connect(url))

    def open(self) -> None:
        """Nothing to do: connections are made on first use."""

    def close(self) -> None:
        self._pool.close()

    def ping(self) -> bool:
        # Twice: a pooled connection may have died with a database restart since it was used.
        for _ in range(2):
            try:
                with self._pool.cursor() as cursor:
                    cursor.execute("SELECT 1")
                    cursor.fetchone()
                return True
            except Exception as error:  # any failure means "down"
                log.warning("database ping failed: %s", error)
        return False

    def list(self, limit: int, offset: int) -> list[dict[str, Any]]:
        with self._pool.cursor() as cursor:
            cursor.execute(
                _SELECT + " ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s",
                (limit, offset),
            )
            return [_item(row) for row in cursor.fetchall()]

    def get(self, raw_id: str) -> dict[str, Any] | None:
        item_id = parse_id(raw_id)
        if item_id is None:
            return None
        with self._pool.cursor() as cursor:
            return self._fetch(cursor, item_id)

    def create(self, name: str, description: str | None) -> dict[str, Any]:
        with self._pool.cursor() as cursor:
            item_id = database.insert_item(cursor, name, description)
            item = self._fetch(cursor, item_id)
        assert item is not None
        return item

    def update(self, raw_id: str, name: str, description: str | None) -> dict[str, Any] | None:
        item_id = parse_id(raw_id)
        if item_id is None:
            return None
        with self._pool.cursor() as cursor:
            cursor.execute(
                "UPDATE items SET name = %s, description = %s, updated_at = CURRENT_TIMESTAMP(3)"
                " WHERE id = %s",
                (name, description, item_id),
            )
            # Read back rather than trust rowcount: MySQL counts only rows whose values changed.
            return self._fetch(cursor, item_id)

    def delete(self, raw_id: str) -> bool:
        item_id = parse_id(raw_id)
        if item_id is None:
            return False
        with self._pool.cursor() as cursor:
            cursor.execute("DELETE FROM items WHERE id = %s", (item_id,))
            return cursor.rowcount > 0

    @staticmethod
    def _fetch(cursor: Any, item_id: int) -> dict[str, Any] | None:
        cursor.execute(_SELECT + " WHERE id = %s", (item_id,))
        row = cursor.fetchone()
        return None if row is None else _item(row)
