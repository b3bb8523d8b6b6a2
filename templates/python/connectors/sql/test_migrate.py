from pathlib import Path

from app.migrate import MIGRATIONS_DIR, split_statements


def test_splits_statements_at_line_end_semicolons() -> None:
    sql = "-- a comment; not a statement\nCREATE TABLE a (x INT);\n\nCREATE INDEX i\n  ON a (x);\n"
    assert split_statements(sql) == ["CREATE TABLE a (x INT)", "CREATE INDEX i\n  ON a (x)"]


def test_keeps_a_last_statement_without_semicolon() -> None:
    assert split_statements("SELECT 1;\nSELECT 2") == ["SELECT 1", "SELECT 2"]


def test_every_migration_file_has_statements() -> None:
    files = sorted(Path(MIGRATIONS_DIR).glob("*.sql"))
    assert files, "migrations/ has no .sql files"
    for path in files:
        assert split_statements(path.read_text(encoding="utf-8")), path.name
