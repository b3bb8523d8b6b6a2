"""Status codes and error bodies of every route, against the in-memory store."""

import io
import json
import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from gunicorn.http.errors import InvalidChunkSize
from werkzeug.test import TestResponse

from app.main import MAX_BODY_BYTES, close_store, create_app
from app.strict_json import MAX_DEPTH
from tests.unit.fake_store import FakeStore

JSON = "application/json"


def assert_error(response: TestResponse, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.mimetype == JSON
    body = response.get_json()
    assert isinstance(body, dict)
    assert list(body) == ["error"]
    assert isinstance(body["error"], str)
    assert body["error"]


def post_raw(client: FlaskClient, content: bytes) -> TestResponse:
    return client.post("/items", data=content, content_type=JSON)


def test_the_factory_opens_the_store_and_close_store_closes_it(store: FakeStore) -> None:
    app = create_app(store=store)
    assert store.opened
    assert not store.closed
    close_store(app)
    assert store.closed


def test_health(client: FlaskClient, store: FakeStore) -> None:
    response = client.get("/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok", "database": "up"})
    store.up = False
    response = client.get("/health")
    assert (response.status_code, response.get_json()) == (
        503,
        {"status": "error", "database": "down"},
    )


def test_health_does_not_wait_for_a_hung_database(client: FlaskClient, store: FakeStore) -> None:
    def hang() -> bool:
        time.sleep(5)
        return True

    store.ping = hang  # type: ignore[method-assign]
    started = time.monotonic()
    response = client.get("/health")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < 3, f"/health took {elapsed:.1f} s"


def test_liveness_never_asks_the_database(client: FlaskClient, store: FakeStore) -> None:
    def fail() -> bool:
        raise AssertionError("/health/live must not ping the database")

    store.ping = fail  # type: ignore[method-assign]
    response = client.get("/health/live")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_crud_round_trip(client: FlaskClient) -> None:
    created = client.post("/items", json={"name": "first", "description": "d", "other": 1})
    assert created.status_code == 201
    item = created.get_json()
    assert item is not None
    assert (item["name"], item["description"]) == ("first", "d")
    assert set(item) == {"id", "name", "description", "createdAt", "updatedAt"}
    assert item["createdAt"].endswith(".000Z")
    path = f"/items/{item['id']}"
    assert client.get(path).get_json() == item

    updated = client.put(path, json={"name": "renamed"})
    assert updated.status_code == 200
    assert updated.get_json() is not None
    assert (updated.get_json()["name"], updated.get_json()["description"]) == ("renamed", None)

    assert client.get("/items").get_json() == [updated.get_json()]
    deleted = client.delete(path)
    assert (deleted.status_code, deleted.data) == (204, b"")
    assert_error(client.get(path), 404)


def ids_of(response: TestResponse) -> list[Any]:
    assert response.status_code == 200, response.text
    assert isinstance(response.get_json(), list)
    return [item["id"] for item in response.get_json()]


def test_list_is_newest_first_and_paged(client: FlaskClient) -> None:
    ids = [client.post("/items", json={"name": f"n{i}"}).get_json()["id"] for i in range(3)]
    assert ids_of(client.get("/items")) == ids[::-1]
    assert ids_of(client.get("/items", query_string={"limit": "1", "offset": "1"})) == [ids[1]]
    assert ids_of(client.get("/items", query_string={"offset": str(2**63 - 1)})) == []


BAD_PAGING = [
    ("limit", v) for v in ["0", "101", "-1", "abc", "1.5", "", " 5", "+5", "5_0", "1.0", "٣"]
] + [("offset", v) for v in ["-1", "abc", "1.5", "", str(2**63), "9" * 5000, "%FF", "%00"]]


@pytest.mark.parametrize(("key", "value"), BAD_PAGING)
def test_bad_paging_is_400(client: FlaskClient, key: str, value: str) -> None:
    assert_error(client.get(f"/items?{key}={value}"), 400)


INVALID_BODIES = [
    b"",
    b"{",
    b"not json",
    b"\xff\xfe",
    b'{"name": "\xff"}',
    b"[]",
    b'"name"',
    b'"{\\"name\\": \\"a JSON string holding an object\\"}"',
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
def test_invalid_bodies_are_400(client: FlaskClient, content: bytes) -> None:
    assert_error(post_raw(client, content), 400)
    item = client.post("/items", json={"name": "kept"}).get_json()
    assert item is not None
    response = client.put(f"/items/{item['id']}", data=content, content_type=JSON)
    assert_error(response, 400)
    assert client.get(f"/items/{item['id']}").get_json() == item


def test_a_body_that_is_not_declared_json_is_400(client: FlaskClient) -> None:
    assert_error(client.post("/items", data=b'{"name": "x"}', content_type="text/plain"), 400)


def test_invalid_json_says_why(client: FlaskClient) -> None:
    response = post_raw(client, b'{"name": "a", "n": NaN}')
    assert response.get_json() == {"error": "Request body must be valid JSON (NaN is not JSON)"}


def nested(depth: int) -> bytes:
    return b'{"name": "deep", "extra": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def test_nesting_up_to_the_limit_is_accepted(client: FlaskClient) -> None:
    assert post_raw(client, nested(MAX_DEPTH)).status_code == 201


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeper_nesting_is_400(client: FlaskClient, depth: int) -> None:
    assert_error(post_raw(client, nested(depth)), 400)


def test_text_is_kept_verbatim(client: FlaskClient) -> None:
    name = "é" * 199 + "🙂"
    created = client.post("/items", json={"name": name, "description": " padded  "}).get_json()
    assert created is not None
    assert (created["name"], created["description"]) == (name, " padded  ")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("item_id", ["999", "abc", "0", "-1"])
def test_unknown_items_are_404(client: FlaskClient, method: str, item_id: str) -> None:
    body: Any = {"name": "x"} if method == "PUT" else None
    assert_error(client.open(f"/items/{item_id}", method=method, json=body), 404)


@pytest.mark.parametrize("path", ["/", "/nope", "/items/", "/items/1/extra", "/health/x"])
def test_unknown_paths_are_404(client: FlaskClient, path: str) -> None:
    assert_error(client.get(path), 404)


def test_unserved_methods_are_405_json(client: FlaskClient) -> None:
    response = client.patch("/items", json={})
    assert_error(response, 405)
    assert "GET" in response.headers["allow"]


def test_body_over_one_mebibyte_is_413(client: FlaskClient) -> None:
    assert_error(post_raw(client, b"x" * (MAX_BODY_BYTES + 1)), 413)


def test_streamed_body_over_one_mebibyte_is_413(client: FlaskClient) -> None:
    # Chunked, without Content-Length, as gunicorn hands it on: the limit must count bytes.
    response = client.post(
        "/items",
        input_stream=io.BytesIO(b"x" * (MAX_BODY_BYTES + 65536)),
        content_type=JSON,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_error(response, 413)


class BrokenChunks(io.BytesIO):
    """What gunicorn's chunked body reader does with a chunk size that is not hex."""

    def read(self, size: int | None = -1) -> bytes:
        raise InvalidChunkSize(b"zz")


def test_malformed_chunked_body_is_400(client: FlaskClient) -> None:
    response = client.post(
        "/items",
        input_stream=BrokenChunks(),
        content_type=JSON,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_error(response, 400)


def test_body_of_exactly_one_mebibyte_is_accepted(client: FlaskClient) -> None:
    envelope = json.dumps({"name": "big", "description": ""}).encode()
    description = "d" * (MAX_BODY_BYTES - len(envelope))
    content = json.dumps({"name": "big", "description": description}).encode()
    assert len(content) == MAX_BODY_BYTES
    assert post_raw(client, content).status_code == 201


def test_server_errors_do_not_leak_details(client: FlaskClient, store: FakeStore) -> None:
    def explode(limit: int, offset: int) -> list[Any]:
        raise RuntimeError("SELECT secret FROM internals")

    store.list = explode  # type: ignore[method-assign]
    response = client.get("/items")
    assert_error(response, 500)
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text


def test_openapi_describes_exactly_the_contract(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    assert document is not None
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
    error = {"$ref": "#/components/schemas/ErrorBody"}
    assert items["get"]["responses"]["400"]["content"]["application/json"]["schema"] == error
    # Only operations that can answer 400 document it (flask-openapi3 adds it everywhere).
    assert "400" not in document["paths"]["/health"]["get"]["responses"]
    assert "422" not in json.dumps(document["paths"])


def test_docs_page_is_served(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.text
    assert "/openapi.json" in response.text
