"""What the routes need from a store of items, whichever database is behind it."""

from typing import Protocol

from app.models import Item


class DatabaseUnavailableError(Exception):
    """The database could not be reached or did not answer in time (HTTP 503)."""


class Store(Protocol):
    """app.store.ItemStore implements this; the unit tests use an in-memory one.

    Ids arrive as the client sent them: a string that is not an id names nothing (404).
    Every method may raise DatabaseUnavailableError.
    """

    def open(self) -> None: ...

    def close(self) -> None: ...

    def ping(self) -> bool: ...

    def list(self, limit: int, offset: int) -> list[Item]: ...

    def get(self, raw_id: str) -> Item | None: ...

    def create(self, name: str, description: str | None) -> Item: ...

    def update(self, raw_id: str, name: str, description: str | None) -> Item | None: ...

    def delete(self, raw_id: str) -> bool: ...
