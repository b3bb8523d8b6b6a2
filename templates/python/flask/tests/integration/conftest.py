"""The real database: TEST_DATABASE_URL, else DATABASE_URL (the environment wins over .env)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.config import Settings, database_url_for_tests
from app.main import close_store, create_app
from app.migrate import migrate


@pytest.fixture(scope="session")
def database_url() -> str:
    url = database_url_for_tests()
    # Idempotent, so the suite also runs against a fresh database.
    migrate(url)
    return url


@pytest.fixture
def client(database_url: str) -> Iterator[FlaskClient]:
    app = create_app(Settings(database_url=database_url))
    try:
        yield app.test_client()
    finally:
        close_store(app)


@pytest.fixture
def make_item(client: FlaskClient) -> Iterator[Callable[..., dict[str, Any]]]:
    """POST an item; whatever a test creates is deleted after it."""
    created: list[Any] = []

    def make(**body: Any) -> dict[str, Any]:
        response = client.post("/items", json=body)
        assert response.status_code == 201, response.text
        item: dict[str, Any] = response.get_json()
        created.append(item["id"])
        return item

    yield make
    for item_id in created:
        client.delete(f"/items/{item_id}")
