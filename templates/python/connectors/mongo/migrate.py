"""`python -m app.migrate`: ensure MongoDB's indexes now rather than at the next start-up.

MongoDB has no schema to migrate; the service ensures the same indexes when it starts.
This exists so `make migrate` means "the database is ready" for every database.
"""

import sys

from app.config import ConfigError, load_settings
from app.store import ItemStore


def migrate(url: str) -> list[str]:
    """Returns the names of the indexes ensured."""
    store = ItemStore(url)
    try:
        return store.ensure_indexes()
    finally:
        store.close()


def main() -> None:
    try:
        names = migrate(load_settings().database_url)
    except ConfigError as error:
        sys.exit(f"error: {error}")
    except Exception as error:  # the message, without a traceback, is what the operator needs
        sys.exit(f"could not ensure indexes: {type(error).__name__}: {error}")
    print(f"indexes ready: {', '.join(names)}")


if __name__ == "__main__":
    main()
