"""MySQL through mysqlclient, the driver Django recommends."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dj_database_url
from django.db.backends.base.base import BaseDatabaseWrapper

# Django has no pool for MySQL: each gunicorn thread keeps its connection for this long,
# checked before reuse, so their number is bounded by the threads (gunicorn.conf.py).
CONNECTION_MAX_AGE_SECONDS = 60
CONNECT_TIMEOUT_SECONDS = 2
# A read or write the server does not answer within this long fails (HTTP 503). The MySQL
# client library tries a read up to three times, so a query waits at most three times this.
IO_TIMEOUT_SECONDS = 3
# It names the lock that keeps two `migrate` runs from interleaving.
MIGRATION_LOCK = "items_migrations"
# GET_LOCK waits in steps, each inside the read timeout.
LOCK_WAIT_STEP_SECONDS = 2


def database_settings(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a mysql:// URL, its query options kept."""
    settings: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=CONNECTION_MAX_AGE_SECONDS, conn_health_checks=True)
    )
    settings["OPTIONS"] = {
        **settings.get("OPTIONS", {}),
        # utf8mb4: every Unicode character, not MySQL's three-byte "utf8".
        "charset": "utf8mb4",
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "read_timeout": IO_TIMEOUT_SECONDS,
        "write_timeout": IO_TIMEOUT_SECONDS,
        "isolation_level": "read committed",
    }
    return settings


# Added to settings.MIDDLEWARE: none, the read and write timeouts bound every query.
MIDDLEWARE: list[str] = []


@contextmanager
def queries_within(seconds: float) -> Iterator[None]:
    """Nothing to add: the read and write timeouts (IO_TIMEOUT_SECONDS) bound every query.

    The PostgreSQL connector's counterpart sets a deadline of `seconds`; callers such as
    /health bound their own wait for the answer.
    """
    del seconds
    yield


@contextmanager
def migration_lock(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Hold a named MySQL lock (GET_LOCK): a second runner waits until the first is done."""
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT GET_LOCK(%s, %s)", [MIGRATION_LOCK, LOCK_WAIT_STEP_SECONDS])
            row = cursor.fetchone()
            if row is not None and row[0] == 1:
                break
            time.sleep(0.1)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT RELEASE_LOCK(%s)", [MIGRATION_LOCK])
