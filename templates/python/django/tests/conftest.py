"""pytest-django, on the database the tests are given rather than one it creates.

pytest-django would create `test_<name>` next to the configured database, which needs the
right to create databases; the tests instead use TEST_DATABASE_URL (else DATABASE_URL) as it
is (config/test_settings.py), migrated once, and run each test in a transaction rolled back
after it. Unit tests never reach it: pytest-django refuses database access to tests
without the `django_db` mark.
"""

import pytest
from django.core.management import call_command
from pytest_django import DjangoDbBlocker


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker: DjangoDbBlocker) -> None:
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)
