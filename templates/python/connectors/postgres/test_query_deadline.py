"""The client-side deadline against the real server: a wait past it ends the connection."""

import time

import psycopg
import pytest

from app import database
from app.query_deadline import DEADLINES


def test_a_wait_past_the_deadline_fails_at_once_and_breaks_it(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        started = time.monotonic()
        with pytest.raises(psycopg.OperationalError), DEADLINES.deadline(connection, 0.3):
            connection.execute("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 3
        assert connection.broken


def test_work_done_in_time_is_left_alone(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        for _ in range(3):
            with DEADLINES.deadline(connection, 0.3):
                assert connection.execute("SELECT 1").fetchone() == (1,)
        time.sleep(0.5)  # past every deadline armed above
        assert connection.execute("SELECT 2").fetchone() == (2,)


def _sleep_past_the_deadline(pool: database.Database) -> None:
    with pool.cursor() as cursor:
        # Shorter than the server's statement_timeout: only the client-side deadline ends it.
        cursor.execute("SELECT pg_sleep(%s)", (database.QUERY_DEADLINE_SECONDS * 1.5,))


def test_the_pool_replaces_a_connection_the_deadline_broke(database_url: str) -> None:
    assert database.QUERY_DEADLINE_SECONDS * 1.5 < database.STATEMENT_TIMEOUT_MS / 1000
    pool = database.Database(database_url, size=1)
    pool.open()
    try:
        with pytest.raises(database.UNAVAILABLE):
            _sleep_past_the_deadline(pool)
        with pool.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone()[0] == 1
    finally:
        pool.close()
