"""The settings pytest runs with: the database TEST_DATABASE_URL names, else DATABASE_URL's."""

import os

from config.database import database_settings
from config.settings import *  # noqa: F403

_TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
DATABASES = {"default": database_settings(_TEST_DATABASE_URL)} if _TEST_DATABASE_URL else {}
# The error handlers under test only apply with DEBUG off.
DEBUG = False
