"""PostgreSQL through psycopg 3: what the shared SQL code needs that differs by database."""

from typing import Any

import psycopg

CONNECT_TIMEOUT_SECONDS = 5
# Any fixed number: it names the lock that keeps two `migrate` runs from interleaving.
_MIGRATION_LOCK = 727_001


def connect(url: str) -> psycopg.Connection[Any]:
    # libpq reads postgres:// URLs as they are. Timestamps come back time zone aware.
    return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS)


def insert_item(cursor: Any, name: str, description: str | None) -> int:
    cursor.execute(
        "INSERT INTO items (name, description) VALUES (%s, %s) RETURNING id",
        (name, description),
    )
    return int(cursor.fetchone()[0])


def lock_migrations(cursor: Any) -> None:
    """Held until the connection closes."""
    cursor.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
