"""PostgreSQL through psycopg 3 and its pool: what the shared SQL code needs from a database."""

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from app.db_api import Cursor
from app.query_deadline import DEADLINES, check_within

POOL_SIZE = 10
# Waiting for a pooled connection, and connecting (libpq's minimum is 2 s).
POOL_TIMEOUT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 2
# A query the server works on for longer is cancelled by the server.
STATEMENT_TIMEOUT_MS = 10_000
# A server that does not answer at all is given up on by the client: a request's work on its
# connection, and the liveness check of a pooled connection (app/query_deadline.py).
QUERY_DEADLINE_SECONDS = 5.0
CHECK_DEADLINE_SECONDS = 1.0
# After this long without reaching the database, the pool stops retrying a connection in
# the background; the next request starts a fresh attempt at once instead of waiting out
# an ever longer back-off.
RECONNECT_TIMEOUT_SECONDS = 10.0
# Any fixed number: it names the lock that keeps two `migrate` runs from interleaving.
_MIGRATION_LOCK = 727_001

# Errors that mean "the database cannot be reached or did not answer" (HTTP 503).
UNAVAILABLE: tuple[type[Exception], ...] = (psycopg.OperationalError,)

_CONNECT_ARGS = {
    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
}


class Database:
    """A bounded pool. Nothing connects before the first request, so the service starts,
    and /health answers 503, while the database is down."""

    def __init__(
        self, url: str, size: int = POOL_SIZE, timeout: float = POOL_TIMEOUT_SECONDS
    ) -> None:
        self._pool: ConnectionPool[psycopg.Connection[TupleRow]] = ConnectionPool(
            url,
            min_size=0,
            max_size=size,
            timeout=timeout,
            reconnect_timeout=RECONNECT_TIMEOUT_SECONDS,
            kwargs=_CONNECT_ARGS,
            # A connection that died with a database restart is replaced, not handed out.
            check=check_within(CHECK_DEADLINE_SECONDS),
            open=False,
            name="items",
        )

    def open(self) -> None:
        self._pool.open(wait=False)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def cursor(self) -> Iterator[Cursor]:
        """A cursor in a transaction that commits when the block ends without an error."""
        with (
            self._pool.connection() as connection,
            DEADLINES.deadline(connection, QUERY_DEADLINE_SECONDS),
        ):
            with connection.cursor() as cursor:
                yield cursor
            # Here rather than on leaving the pool's block, so the deadline covers it too.
            connection.commit()


def connect(url: str) -> psycopg.Connection[TupleRow]:
    """One connection outside the pool, for migrations. Timestamps come back time zone aware."""
    return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS)


def insert_item(cursor: Cursor, name: str, description: str | None) -> int:
    cursor.execute(
        "INSERT INTO items (name, description) VALUES (%s, %s) RETURNING id",
        (name, description),
    )
    return int(cursor.fetchone()[0])


def lock_migrations(cursor: Cursor) -> None:
    """Held until the connection closes."""
    cursor.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
