"""Items in a SQL database, through the bounded pool in app/database.py.

Every query is parameterised (`%s` placeholders, values passed separately). What differs
between databases (the pool, getting the new id back) lives in app/database.py.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app import database
from app.db_api import Cursor
from app.models import Item
from app.storage import DatabaseUnavailableError

log = logging.getLogger(__name__)

# Ids are positive BIGINTs; anything else cannot exist, so it is a 404 without a query.
_ID = re.compile(r"[1-9][0-9]{0,18}")
_MAX_ID = 2**63 - 1

_SELECT = "SELECT id, name, description, created_at, updated_at FROM items"


def parse_id(raw: str) -> int | None:
    if not _ID.fullmatch(raw) or int(raw) > _MAX_ID:
        return None
    return int(raw)


def _item(row: Any) -> Item:
    item_id, name, description, created_at, updated_at = row
    return Item(
        id=int(item_id),
        name=name,
        description=description,
        created_at=created_at,
        updated_at=updated_at,
    )


class ItemStore:
    def __init__(self, url: str) -> None:
        self._database = database.Database(url)

    def open(self) -> None:
        self._database.open()

    def close(self) -> None:
        self._database.close()

    @contextmanager
    def _cursor(self) -> Iterator[Cursor]:
        try:
            with self._database.cursor() as cursor:
                yield cursor
        except database.UNAVAILABLE as error:
            raise DatabaseUnavailableError(str(error)) from error

    def ping(self) -> bool:
        try:
            with self._cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseUnavailableError as error:
            log.warning("database ping failed: %s", error)
            return False
        return True

    def list(self, limit: int, offset: int) -> list[Item]:
        with self._cursor() as cursor:
            cursor.execute(
                _SELECT + " ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s",
                (limit, offset),
            )
            return [_item(row) for row in cursor.fetchall()]

    def get(self, raw_id: str) -> Item | None:
        item_id = parse_id(raw_id)
        if item_id is None:
            return None
        with self._cursor() as cursor:
            return _fetch(cursor, item_id)

    def create(self, name: str, description: str | None) -> Item:
        with self._cursor() as cursor:
            item = _fetch(cursor, database.insert_item(cursor, name, description))
        if item is None:
            raise RuntimeError("the inserted item could not be read back")
        return item

    def update(self, raw_id: str, name: str, description: str | None) -> Item | None:
        item_id = parse_id(raw_id)
        if item_id is None:
            return None
        with self._cursor() as cursor:
            cursor.execute(
                "UPDATE items SET name = %s, description = %s, updated_at = CURRENT_TIMESTAMP(3)"
                " WHERE id = %s",
                (name, description, item_id),
            )
            # Read back rather than trust rowcount: MySQL counts only rows whose values changed.
            return _fetch(cursor, item_id)

    def delete(self, raw_id: str) -> bool:
        item_id = parse_id(raw_id)
        if item_id is None:
            return False
        with self._cursor() as cursor:
            cursor.execute("DELETE FROM items WHERE id = %s", (item_id,))
            return cursor.rowcount > 0


def _fetch(cursor: Cursor, item_id: int) -> Item | None:
    cursor.execute(_SELECT + " WHERE id = %s", (item_id,))
    row = cursor.fetchone()
    return None if row is None else _item(row)
