"""The schema and the migration runner against the real database."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from config.database import migration_lock

pytestmark = pytest.mark.django_db


def test_the_models_match_the_committed_migrations() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_migrate_again_applies_nothing() -> None:
    out = StringIO()
    call_command("migrate", stdout=out)
    assert "No migrations to apply" in out.getvalue()


def test_a_second_runner_waits_for_the_first() -> None:
    """Two `migrate` runs at once (pods starting together): the second waits for the lock."""
    holding = threading.Event()
    release = threading.Event()
    acquired_at: list[float] = []

    def first() -> None:
        connection = connections.create_connection("default")
        try:
            with migration_lock(connection):
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def second() -> None:
        connection = connections.create_connection("default")
        try:
            with migration_lock(connection):
                acquired_at.append(time.monotonic())
        finally:
            connection.close()

    holder = threading.Thread(target=first)
    holder.start()
    assert holding.wait(10)
    waiter = threading.Thread(target=second)
    waiter.start()
    time.sleep(0.5)
    assert acquired_at == [], "the second runner got the lock while the first held it"
    released_at = time.monotonic()
    release.set()
    holder.join(10)
    waiter.join(10)
    assert len(acquired_at) == 1
    assert acquired_at[0] >= released_at
