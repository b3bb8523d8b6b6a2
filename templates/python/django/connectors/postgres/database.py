"""PostgreSQL through psycopg 3 and Django's connection pool (psycopg_pool)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dj_database_url
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponseBase

from config.query_deadline import DEADLINES, check_within

# One connection per gunicorn thread (gunicorn.conf.py), so no request waits for another's.
POOL_SIZE = 8
# Waiting for a connection when the database is down ends here (HTTP 503), and connecting
# gives up after libpq's shortest timeout.
POOL_TIMEOUT_SECONDS = 1.5
CONNECT_TIMEOUT_SECONDS = 2
# A query the server works on for longer is cancelled by the server.
STATEMENT_TIMEOUT_MS = 10_000
# A server that does not answer at all is given up on by the client: each query, and the
# liveness check of a pooled connection (config/query_deadline.py).
QUERY_DEADLINE_SECONDS = 5.0
CHECK_DEADLINE_SECONDS = 1.0
# After this long without reaching the database, the pool stops retrying a connection in
# the background (with an ever longer back-off, which kept it answering 503 for many
# seconds after the database was back); the next request starts a fresh attempt at once.
RECONNECT_TIMEOUT_SECONDS = 10.0
# Any fixed number: it names the lock that keeps two `migrate` runs from interleaving.
MIGRATION_LOCK = 727_001


def database_settings(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a postgres:// URL, its query options kept."""
    settings: dict[str, Any] = dict(dj_database_url.parse(url, conn_health_checks=True))
    settings["OPTIONS"] = {
        **settings.get("OPTIONS", {}),
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        "pool": {
            "min_size": 0,
            "max_size": POOL_SIZE,
            "timeout": POOL_TIMEOUT_SECONDS,
            "reconnect_timeout": RECONNECT_TIMEOUT_SECONDS,
            "check": check_within(CHECK_DEADLINE_SECONDS),
        },
    }
    return settings


def query_deadline(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Middleware: each query of a request runs under the client-side deadline."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        with queries_within(QUERY_DEADLINE_SECONDS):
            return get_response(request)

    return middleware


@contextmanager
def queries_within(seconds: float) -> Iterator[None]:
    """Each query this thread's connection runs in the block is given up on after `seconds`."""

    def within_deadline(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        with DEADLINES.deadline(context["connection"].connection, seconds):
            return execute(sql, params, many, context)

    with connection.execute_wrapper(within_deadline):
        yield


# Added to settings.MIDDLEWARE.
MIDDLEWARE = ["config.database.query_deadline"]


@contextmanager
def migration_lock(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock: a second runner waits until the first is done."""
    with connection.cursor() as cursor:
        # Waiting for the lock, and a long migration, must not hit the statement timeout.
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
            cursor.execute("RESET statement_timeout")
