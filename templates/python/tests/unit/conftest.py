"""The HTTP layer against an in-memory store: no database needed."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app


class FakeStore:
    """Behaves like app.store.ItemStore, in memory; ids are positive integers."""

    def __init__(self) -> None:
        self.items: dict[int, dict[str, Any]] = {}
        self.up = True
        self.opened = False
        self.closed = False
        self._clock = 0

    def open(self) -> None:
        self.opened = True

    def close(self) -> None:
        self.closed = True

    def ping(self) -> bool:
        return self.up

    def list(self, limit: int, offset: int) -> list[dict[str, Any]]:
        ordered = sorted(
            self.items.values(), key=lambda item: (item["createdAt"], item["id"]), reverse=True
        )
        return ordered[offset : offset + limit]

    def get(self, raw_id: str) -> dict[str, Any] | None:
        return self.items.get(int(raw_id)) if raw_id.isdigit() else None

    def create(self, name: str, description: str | None) -> dict[str, Any]:
        item_id = len(self.items) + 1
        now = self._tick()
        item = {"id": item_id, "name": name, "description": description}
        item.update(createdAt=now, updatedAt=now)
        self.items[item_id] = item
        return item

    def update(self, raw_id: str, name: str, description: str | None) -> dict[str, Any] | None:
        item = self.get(raw_id)
        if item is not None:
            item.update(name=name, description=description, updatedAt=self._tick())
        return item

    def delete(self, raw_id: str) -> bool:
        return self.items.pop(int(raw_id), None) is not None if raw_id.isdigit() else False

    def _tick(self) -> str:
        self._clock += 1
        return f"2026-01-01T00:00:{self._clock:02d}.000Z"


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def client(store: FakeStore) -> Iterator[TestClient]:
    with TestClient(create_app(store=store)) as client:
        yield client
