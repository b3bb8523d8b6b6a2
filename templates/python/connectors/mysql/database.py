"""MySQL through PyMySQL: what the shared SQL code needs that differs by database."""

from typing import Any
from urllib.parse import unquote, urlsplit

import pymysql

CONNECT_TIMEOUT_SECONDS = 5
_MIGRATION_LOCK = "schema_migrations"
_MIGRATION_LOCK_WAIT_SECONDS = 60


def connect(url: str) -> pymysql.connections.Connection:
    # PyMySQL takes keyword arguments, not URLs: mysql://user:password@host:port/database
    parts = urlsplit(url)
    return pymysql.connect(
        host=parts.hostname or "localhost",
        port=parts.port or 3306,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=unquote(parts.path.lstrip("/")),
        charset="utf8mb4",
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        # DATETIME has no time zone: make the session's UTC, so CURRENT_TIMESTAMP(3) is
        # written in UTC and the values read back can be labelled UTC.
        init_command="SET time_zone = '+00:00'",
    )


def insert_item(cursor: Any, name: str, description: str | None) -> int:
    # MySQL has no INSERT ... RETURNING; the driver reports the AUTO_INCREMENT id.
    cursor.execute("INSERT INTO items (name, description) VALUES (%s, %s)", (name, description))
    return int(cursor.lastrowid)


def lock_migrations(cursor: Any) -> None:
    """Held until the connection closes."""
    cursor.execute("SELECT GET_LOCK(%s, %s)", (_MIGRATION_LOCK, _MIGRATION_LOCK_WAIT_SECONDS))
    (acquired,) = cursor.fetchone()
    if acquired != 1:
        raise RuntimeError("another migration run holds the lock; try again when it is done")
