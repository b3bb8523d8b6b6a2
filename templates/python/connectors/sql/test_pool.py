"""The connection pool against the real database: bounded, and its waits are bounded too."""

import time

import pytest

from app import database


def test_the_pool_hands_out_at_most_its_size_and_then_times_out(database_url: str) -> None:
    pool = database.Database(database_url, size=2, timeout=0.5)
    pool.open()
    try:
        with pool.cursor() as first, pool.cursor() as second:
            first.execute("SELECT 1")
            second.execute("SELECT 1")
            started = time.monotonic()
            with pytest.raises(database.UNAVAILABLE), pool.cursor():
                pass
            assert time.monotonic() - started < 3
        # Both went back: the pool serves again.
        with pool.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone()[0] == 1
    finally:
        pool.close()
