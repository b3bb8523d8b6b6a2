"""The API as a client sees it, over real HTTP."""

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

JSON = {"content-type": "application/json"}


def assert_error(response: httpx2.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json()["error"], str)


@pytest.fixture
def item(http: httpx2.Client) -> Iterator[dict[str, Any]]:
    response = http.post("/items", json={"name": "functional", "description": "over HTTP"})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    yield created
    http.delete(f"/items/{created['id']}")


def test_health_and_liveness(http: httpx2.Client) -> None:
    assert http.get("/health").json() == {"status": "ok", "database": "up"}
    assert http.get("/health/live").json() == {"status": "ok"}


def test_the_openapi_document_and_the_docs_page(http: httpx2.Client) -> None:
    document = http.get("/openapi.json").json()
    assert {"/health", "/health/live", "/items", "/items/{id}"} <= set(document["paths"])
    assert http.get("/docs").status_code == 200


def test_an_item_round_trip(http: httpx2.Client, item: dict[str, Any]) -> None:
    path = f"/items/{item['id']}"
    assert http.get(path).json() == item
    assert http.get("/items", params={"limit": 100}).json()[0]["id"] == item["id"]
    updated = http.put(path, json={"name": "renamed"})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name"], updated.json()["description"]) == ("renamed", None)
    assert http.delete(path).status_code == 204
    assert_error(http.get(path), 404)


NESTED_TOO_DEEP = b'{"name": "x", "extra": ' + b"[" * 100 + b"]" * 100 + b"}"


@pytest.mark.parametrize(
    "content", [b'{"name": "x",', b"[]", b'{"name": ""}', b'{"name": "\\u0000"}', NESTED_TOO_DEEP]
)
def test_invalid_bodies_are_400(http: httpx2.Client, content: bytes) -> None:
    assert_error(http.post("/items", content=content, headers=JSON), 400)


def test_a_body_over_one_mebibyte_is_413(http: httpx2.Client) -> None:
    assert_error(http.post("/items", content=b" " * (1024 * 1024 + 1), headers=JSON), 413)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "limit=" + "9" * 500])
def test_bad_paging_is_400(http: httpx2.Client, query: str) -> None:
    assert_error(http.get(f"/items?{query}"), 400)


def test_unknown_paths_and_methods(http: httpx2.Client) -> None:
    assert_error(http.get("/nope"), 404)
    assert_error(http.patch("/items"), 405)
    assert_error(http.delete("/items"), 405)
