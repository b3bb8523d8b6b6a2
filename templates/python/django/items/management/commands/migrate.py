"""`manage.py migrate`, one runner at a time: Django's own command under a database lock.

Kubernetes may start several pods, each with a migration init container, at once; the
lock (pg_advisory_lock / GET_LOCK, in config/database.py) makes the others wait, then find
nothing left to apply.
"""

from typing import Any

from django.core.management.commands import migrate
from django.db import connections

from config.database import migration_lock


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        with migration_lock(connection):
            super().handle(*args, **options)
