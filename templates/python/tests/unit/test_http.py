"""Status codes and error bodies of every route, against the in-memory store."""

import json

import pytest
from fastapi.testclient import TestClient

from app.body_limit import MAX_BODY_BYTES
from app.main import create_app


def assert_error(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    assert isinstance(body["error"], str)
    assert body["error"]


def test_lifespan_opens_and_closes_the_store(store):
    with TestClient(create_app(store=store)):
        assert store.opened
        assert not store.closed
    assert store.closed


def test_health(client, store):
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "up"})
    store.up = False
    response = client.get("/health")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "error", "database": "down"},
    )


def test_crud_round_trip(client):
    created = client.post("/items", json={"name": "first", "description": "d", "other": 1})
    assert created.status_code == 201
    item = created.json()
    assert (item["name"], item["description"]) == ("first", "d")
    assert set(item) == {"id", "name", "description", "createdAt", "updatedAt"}
    path = f"/items/{item['id']}"
    assert client.get(path).json() == item

    updated = client.put(path, json={"name": "renamed"})
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["description"]) == ("renamed", None)

    assert client.get("/items").json() == [updated.json()]
    deleted = client.delete(path)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert_error(client.get(path), 404)


def test_list_is_newest_first_and_paged(client):
    ids = [client.post("/items", json={"name": f"n{i}"}).json()["id"] for i in range(3)]
    assert [i["id"] for i in client.get("/items").json()] == ids[::-1]
    page = client.get("/items", params={"limit": "1", "offset": "1"}).json()
    assert [i["id"] for i in page] == [ids[1]]


BAD_PAGING = [("limit", v) for v in ["0", "101", "-1", "abc", "1.5", ""]] + [
    ("offset", v) for v in ["-1", "abc", "1.5", ""]
]


@pytest.mark.parametrize(("key", "value"), BAD_PAGING)
def test_bad_paging_is_400(client, key, value):
    assert_error(client.get(f"/items?{key}={value}"), 400)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'"name"',
        b"null",
        b"{}",
        b'{"name": ""}',
        b'{"name": 7}',
        b'{"name": "a", "description": 7}',
        json.dumps({"name": "x" * 201}).encode(),
    ],
)
def test_invalid_bodies_are_400(client, content):
    assert_error(client.post("/items", content=content), 400)
    item = client.post("/items", json={"name": "kept"}).json()
    assert_error(client.put(f"/items/{item['id']}", content=content), 400)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("item_id", ["999", "abc", "0", "-1"])
def test_unknown_items_are_404(client, method, item_id):
    body = {"name": "x"} if method == "PUT" else None
    assert_error(client.request(method, f"/items/{item_id}", json=body), 404)


@pytest.mark.parametrize("path", ["/", "/nope", "/items/", "/items/1/extra", "/health/x"])
def test_unknown_paths_are_404(client, path):
    assert_error(client.get(path), 404)


def test_unserved_methods_are_json_errors(client):
    response = client.patch("/items", json={})
    assert response.status_code in (404, 405)
    assert_error(response, response.status_code)


def test_body_over_one_mebibyte_is_413(client):
    assert_error(client.post("/items", content=b"x" * (MAX_BODY_BYTES + 1)), 413)


def test_streamed_body_over_one_mebibyte_is_413(client):
    def chunks():
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b"x" * 65536

    # A generator is sent chunked, without Content-Length: the limit must count bytes.
    assert_error(client.post("/items", content=chunks()), 413)


def test_body_of_exactly_one_mebibyte_is_accepted(client):
    envelope = json.dumps({"name": "big", "description": ""}).encode()
    description = "d" * (MAX_BODY_BYTES - len(envelope))
    content = json.dumps({"name": "big", "description": description}).encode()
    assert len(content) == MAX_BODY_BYTES
    assert client.post("/items", content=content).status_code == 201


def test_server_errors_do_not_leak_details(store):
    def explode(*args):
        raise RuntimeError("SELECT secret FROM internals")

    store.list = explode
    with TestClient(create_app(store=store), raise_server_exceptions=False) as client:
        response = client.get("/items")
    assert_error(response, 500)
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
