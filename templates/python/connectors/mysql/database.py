"""MySQL through PyMySQL, pooled by SQLAlchemy: what the shared SQL code needs from a database.

SQLAlchemy serves here as the pool only (bounded, with a checkout timeout and a liveness
check on checkout); the queries stay plain DB-API calls shared with PostgreSQL.
"""

from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import pymysql
import sqlalchemy.exc
from sqlalchemy import Engine, NullPool, create_engine, make_url
from sqlalchemy.pool import PoolProxiedConnection

from app.db_api import Cursor

POOL_SIZE = 10
POOL_TIMEOUT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 2
# PyMySQL's socket timeouts: a database that stops answering mid-query is an error, not a hang.
READ_TIMEOUT_SECONDS = 5
_MIGRATION_LOCK = "schema_migrations"
_MIGRATION_LOCK_WAIT_SECONDS = 60

# Errors that mean "the database cannot be reached or did not answer" (HTTP 503).
UNAVAILABLE: tuple[type[Exception], ...] = (
    pymysql.err.OperationalError,
    pymysql.err.InterfaceError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
)

_CONNECT_ARGS: dict[str, Any] = {
    "charset": "utf8mb4",
    "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    "read_timeout": READ_TIMEOUT_SECONDS,
    "write_timeout": READ_TIMEOUT_SECONDS,
    # DATETIME has no time zone: make the session's UTC, so CURRENT_TIMESTAMP(3) is
    # written in UTC and the values read back can be labelled UTC.
    "init_command": "SET time_zone = '+00:00'",
}


def _engine(url: str, **options: Any) -> Engine:
    # mysql://user:password@host:port/database, spoken by PyMySQL.
    return create_engine(
        make_url(url).set(drivername="mysql+pymysql"), connect_args=_CONNECT_ARGS, **options
    )


class Database:
    """A bounded pool. Nothing connects before the first request, so the service starts,
    and /health answers 503, while the database is down."""

    def __init__(
        self, url: str, size: int = POOL_SIZE, timeout: float = POOL_TIMEOUT_SECONDS
    ) -> None:
        self._engine = _engine(
            url,
            pool_size=size,
            max_overflow=0,
            pool_timeout=timeout,
            # A connection that died with a database restart is replaced, not handed out.
            pool_pre_ping=True,
        )

    def open(self) -> None:
        """Nothing to do: connections are made on first use."""

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def cursor(self) -> Iterator[Cursor]:
        """A cursor in a transaction that commits when the block ends without an error."""
        connection = self._engine.raw_connection()
        try:
            with closing(connection.cursor()) as cursor:
                yield cursor
            connection.commit()
        finally:
            # Back to the pool, which rolls back whatever was not committed.
            connection.close()


def connect(url: str) -> PoolProxiedConnection:
    """One connection outside the pool, for migrations."""
    return _engine(url, poolclass=NullPool).raw_connection()


def insert_item(cursor: Cursor, name: str, description: str | None) -> int:
    # MySQL has no INSERT ... RETURNING; the driver reports the AUTO_INCREMENT id.
    cursor.execute("INSERT INTO items (name, description) VALUES (%s, %s)", (name, description))
    cursor.execute("SELECT LAST_INSERT_ID()")
    return int(cursor.fetchone()[0])


def lock_migrations(cursor: Cursor) -> None:
    """Held until the connection closes."""
    cursor.execute("SELECT GET_LOCK(%s, %s)", (_MIGRATION_LOCK, _MIGRATION_LOCK_WAIT_SECONDS))
    (acquired,) = cursor.fetchone()
    if acquired != 1:
        raise RuntimeError("another migration run holds the lock; try again when it is done")
