"""The real database: TEST_DATABASE_URL, else DATABASE_URL (the environment wins over .env)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings, database_url_for_tests
from app.main import create_app
from app.migrate import migrate


@pytest.fixture(scope="session")
def database_url() -> str:
    url = database_url_for_tests()
    # Idempotent, so the suite also runs against a fresh database.
    migrate(url)
    return url


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def make_item(client: TestClient) -> Iterator[Callable[..., dict[str, Any]]]:
    """POST an item; whatever a test creates is deleted after it."""
    created: list[Any] = []

    def make(**body: Any) -> dict[str, Any]:
        response = client.post("/items", json=body)
        assert response.status_code == 201, response.text
        item: dict[str, Any] = response.json()
        created.append(item["id"])
        return item

    yield make
    for item_id in created:
        client.delete(f"/items/{item_id}")
