"""`python -m app.migrate`: apply the versioned SQL files in migrations/, in order, once each.

Plain SQL files and this small runner rather than Alembic: the schema is a few statements,
the same files serve every language create-backend-starter generates, and nothing here
depends on an ORM's dialect support. Applied versions are recorded in `schema_migrations`,
so running it again applies only what is new. To change the schema, add the next file
(`0002_add_something.sql`); never edit one that was applied.

Statements end with `;` at the end of a line; `--` comment lines are skipped.
"""

import sys
from pathlib import Path

from app import database
from app.config import ConfigError, load_settings

MIGRATIONS_DIR = Path("migrations")

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
  version VARCHAR(255) NOT NULL PRIMARY KEY,
  applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
)"""


def split_statements(sql: str) -> list[str]:
    statements: list[str] = []
    current: list[str] = []
    for line in sql.splitlines():
        if line.strip().startswith("--"):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current).strip().rstrip(";").strip())
            current = []
    statements.append("\n".join(current).strip())
    return [statement for statement in statements if statement]


def migrate(url: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply what is not applied yet; returns the versions applied by this run."""
    files = sorted(directory.glob("*.sql"))
    if not files:
        raise FileNotFoundError(f"no *.sql files in {directory.resolve()}")
    applied_now: list[str] = []
    connection = database.connect(url)
    try:
        cursor = connection.cursor()
        database.lock_migrations(cursor)
        cursor.execute(_VERSION_TABLE)
        cursor.execute("SELECT version FROM schema_migrations")
        done = {row[0] for row in cursor.fetchall()}
        connection.commit()
        for path in files:
            version = path.stem
            if version in done:
                continue
            # PostgreSQL applies a file and its record atomically; MySQL commits each DDL
            # statement on its own, so a failed file there may need manual cleanup.
            for statement in split_statements(path.read_text(encoding="utf-8")):
                cursor.execute(statement)
            cursor.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
            connection.commit()
            applied_now.append(version)
    finally:
        connection.close()
    return applied_now


def main() -> None:
    try:
        url = load_settings().database_url
        applied = migrate(url)
    except ConfigError as error:
        sys.exit(f"error: {error}")
    except Exception as error:  # the message, without a traceback, is what the operator needs
        sys.exit(f"migration failed: {type(error).__name__}: {error}")
    if applied:
        for version in applied:
            print(f"applied {version}")
    else:
        print("schema is up to date")


if __name__ == "__main__":
    main()
