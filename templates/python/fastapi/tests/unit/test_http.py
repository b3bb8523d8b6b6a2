"""Status codes and error bodies of every route, against the in-memory store."""

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from app.body_limit import MAX_BODY_BYTES
from app.main import create_app
from app.strict_json import MAX_DEPTH
from tests.unit.fake_store import FakeStore

JSON = {"content-type": "application/json"}


def assert_error(response: httpx2.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    assert isinstance(body["error"], str)
    assert body["error"]


def post_raw(client: TestClient, content: bytes | Iterator[bytes]) -> httpx2.Response:
    response: httpx2.Response = client.post("/items", content=content, headers=JSON)
    return response


def test_lifespan_opens_and_closes_the_store(store: FakeStore) -> None:
    with TestClient(create_app(store=store)):
        assert store.opened
        assert not store.closed
    assert store.closed


def test_health(client: TestClient, store: FakeStore) -> None:
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "up"})
    store.up = False
    response = client.get("/health")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "error", "database": "down"},
    )


def test_health_does_not_wait_for_a_hung_database(store: FakeStore) -> None:
    def hang() -> bool:
        time.sleep(5)
        return True

    store.ping = hang  # type: ignore[method-assign]
    with TestClient(create_app(store=store)) as client:
        started = time.monotonic()
        response = client.get("/health")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < 3, f"/health took {elapsed:.1f} s"


def test_liveness_never_asks_the_database(client: TestClient, store: FakeStore) -> None:
    def fail() -> bool:
        raise AssertionError("/health/live must not ping the database")

    store.ping = fail  # type: ignore[method-assign]
    response = client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_crud_round_trip(client: TestClient) -> None:
    created = client.post("/items", json={"name": "first", "description": "d", "other": 1})
    assert created.status_code == 201
    item = created.json()
    assert (item["name"], item["description"]) == ("first", "d")
    assert set(item) == {"id", "name", "description", "createdAt", "updatedAt"}
    assert item["createdAt"].endswith(".000Z")
    path = f"/items/{item['id']}"
    assert client.get(path).json() == item

    updated = client.put(path, json={"name": "renamed"})
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["description"]) == ("renamed", None)

    assert client.get("/items").json() == [updated.json()]
    deleted = client.delete(path)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert_error(client.get(path), 404)


def test_list_is_newest_first_and_paged(client: TestClient) -> None:
    ids = [client.post("/items", json={"name": f"n{i}"}).json()["id"] for i in range(3)]
    assert [i["id"] for i in client.get("/items").json()] == ids[::-1]
    page = client.get("/items", params={"limit": "1", "offset": "1"}).json()
    assert [i["id"] for i in page] == [ids[1]]
    assert client.get("/items", params={"offset": str(2**63 - 1)}).json() == []


BAD_PAGING = [
    ("limit", v) for v in ["0", "101", "-1", "abc", "1.5", "", " 5", "+5", "5_0", "1.0", "٣"]
] + [("offset", v) for v in ["-1", "abc", "1.5", "", str(2**63), "9" * 5000, "%FF", "%00"]]


@pytest.mark.parametrize(("key", "value"), BAD_PAGING)
def test_bad_paging_is_400(client: TestClient, key: str, value: str) -> None:
    assert_error(client.get(f"/items?{key}={value}"), 400)


INVALID_BODIES = [
    b"",
    b"{",
    b"not json",
    b"\xff\xfe",
    b'{"name": "\xff"}',
    b"[]",
    b'"name"',
    b"null",
    b"{}",
    b'{"name": ""}',
    b'{"name": 7}',
    b'{"name": true}',
    b'{"name": ["x"]}',
    b'{"name": "a", "description": 7}',
    b'{"name": "a", "description": false}',
    b'{"name": "NaN", "description": NaN}',
    b'{"name": "a", "n": Infinity}',
    b'{"name": "a\\u0000b"}',
    b'{"name": "a", "description": "\\ud800"}',
    b'{"name": "a", "n": ' + b"9" * 5000 + b"}",
    json.dumps({"name": "x" * 201}).encode(),
    json.dumps({"name": "é" * 201}).encode(),
]


@pytest.mark.parametrize("content", INVALID_BODIES)
def test_invalid_bodies_are_400(client: TestClient, content: bytes) -> None:
    assert_error(post_raw(client, content), 400)
    item = client.post("/items", json={"name": "kept"}).json()
    assert_error(client.put(f"/items/{item['id']}", content=content, headers=JSON), 400)
    assert client.get(f"/items/{item['id']}").json() == item


def nested(depth: int) -> bytes:
    return b'{"name": "deep", "extra": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def test_nesting_up_to_the_limit_is_accepted(client: TestClient) -> None:
    assert post_raw(client, nested(MAX_DEPTH)).status_code == 201


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeper_nesting_is_400(client: TestClient, depth: int) -> None:
    assert_error(post_raw(client, nested(depth)), 400)


def test_text_is_kept_verbatim(client: TestClient) -> None:
    name = "é" * 199 + "🙂"
    created = client.post("/items", json={"name": name, "description": " padded  "}).json()
    assert (created["name"], created["description"]) == (name, " padded  ")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("item_id", ["999", "abc", "0", "-1"])
def test_unknown_items_are_404(client: TestClient, method: str, item_id: str) -> None:
    body: Any = {"name": "x"} if method == "PUT" else None
    assert_error(client.request(method, f"/items/{id}", json=body), 404)


@pytest.mark.parametrize("path", ["/", "/nope", "/items/", "/items/1/extra", "/health/x"])
def test_unknown_paths_are_404(client: TestClient, path: str) -> None:
    assert_error(client.get(path), 404)


def test_unserved_methods_are_405_json(client: TestClient) -> None:
    response = client.patch("/items", json={})
    assert_error(response, 405)
    assert "GET" in response.headers["allow"]


def test_body_over_one_mebibyte_is_413(client: TestClient) -> None:
    assert_error(post_raw(client, b"x" * (MAX_BODY_BYTES + 1)), 413)


def test_streamed_body_over_one_mebibyte_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b"x" * 65536

    # A generator is sent chunked, without Content-Length: the limit must count bytes.
    assert_error(post_raw(client, chunks()), 413)


def test_body_of_exactly_one_mebibyte_is_accepted(client: TestClient) -> None:
    envelope = json.dumps({"name": "big", "description": ""}).encode()
    description = "d" * (MAX_BODY_BYTES - len(envelope))
    content = json.dumps({"name": "big", "description": description}).encode()
    assert len(content) == MAX_BODY_BYTES
    assert post_raw(client, content).status_code == 201


def test_server_errors_do_not_leak_details(store: FakeStore) -> None:
    def explode(limit: int, offset: int) -> list[Any]:
        raise RuntimeError("SELECT secret FROM internals")

    store.list = explode  # type: ignore[method-assign]
    with TestClient(create_app(store=store), raise_server_exceptions=False) as client:
        response = client.get("/items")
    assert_error(response, 500)
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text


def test_openapi_describes_exactly_the_contract(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert sorted(document["paths"]) == ["/health", "/health/live", "/items", "/items/{id}"]
    items = document["paths"]["/items"]
    assert set(items) == {"get", "post"}
    assert set(document["paths"]["/items/{id}"]) == {"get", "put", "delete"}
    schemas = document["components"]["schemas"]
    assert set(schemas["Item"]["properties"]) == {
        "id",
        "name",
        "description",
        "createdAt",
        "updatedAt",
    }
    assert schemas["ItemIn"]["properties"]["name"]["maxLength"] == 200
    assert items["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ItemIn"
    }
    created = items["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Item"}
    limit = next(p for p in items["get"]["parameters"] if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 20)
    # This API answers 400, never FastAPI's default 422.
    assert "422" not in json.dumps(document["paths"])


def test_docs_page_is_served(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.text
    assert "/openapi.json" in response.text
