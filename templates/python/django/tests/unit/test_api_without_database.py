"""The HTTP layer where it answers before the database: routing, errors, limits, paging, docs.

pytest-django refuses database access here, so each of these is shown not to need one.
"""

import threading
import time
from typing import Any

import pytest
from django.test import Client

from items import health
from items.views import ItemViewSet

JSON = "application/json"


def assert_error(response: Any, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(JSON)
    assert isinstance(response.json()["error"], str)


@pytest.fixture
def http() -> Client:
    # As a server answers: an exception becomes a 500 response, not a test error.
    return Client(raise_request_exception=False)


def test_liveness_never_asks_the_database(http: Client) -> None:
    response = http.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_health_is_503_when_the_database_does_not_answer_within_2_seconds(
    http: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hangs() -> bool:
        time.sleep(3)
        return True

    probe = health.Probe(hangs, health.HEALTH_TIMEOUT_SECONDS)
    monkeypatch.setattr(health, "database_probe", probe)
    started = time.monotonic()
    response = http.get("/health")
    assert time.monotonic() - started < 2.8
    assert (response.status_code, response.json()) == (503, {"status": "error", "database": "down"})


def test_health_is_503_when_the_database_refuses(
    http: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "database_probe", health.Probe(lambda: False, 2.0))
    response = http.get("/health")
    assert (response.status_code, response.json()) == (503, {"status": "error", "database": "down"})


def test_health_asks_a_hung_database_once_and_answers_at_once_meanwhile(
    http: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    released = threading.Event()
    calls: list[float] = []

    def hangs_until_released() -> bool:
        calls.append(time.monotonic())
        return released.wait(10)

    probe = health.Probe(hangs_until_released, 1.0)
    monkeypatch.setattr(health, "database_probe", probe)
    assert http.get("/health").status_code == 503
    # The probe still running has had its second: the answer is known without a new wait.
    started = time.monotonic()
    assert http.get("/health").status_code == 503
    waited = time.monotonic() - started
    assert len(calls) == 1
    assert waited < 1.0
    # Once the hung probe ends, the next request asks the database again.
    released.set()
    while not probe.idle():
        time.sleep(0.01)
    assert http.get("/health").json() == {"status": "ok", "database": "up"}
    assert len(calls) == 2


def test_unknown_paths_are_404_json(http: Client) -> None:
    assert_error(http.get("/nope"), 404)
    assert_error(http.get("/items/"), 404)


@pytest.mark.parametrize("item_id", ["abc", "0", "-1", "1.5", "01", "9223372036854775808"])
def test_what_is_not_an_id_names_no_item(http: Client, item_id: str) -> None:
    assert_error(http.get(f"/items/{item_id}"), 404)
    assert_error(http.delete(f"/items/{item_id}"), 404)


def test_methods_not_served_are_405_json(http: Client) -> None:
    assert_error(http.delete("/items"), 405)
    assert_error(http.patch("/items/1", data="{}", content_type=JSON), 405)


@pytest.mark.parametrize(
    "body",
    ['{"name": "x",', "[]", '{"name": ""}', '{"name": 42}', '{"name": "\\u0000"}', "null", ""],
)
def test_invalid_bodies_are_400(http: Client, body: str) -> None:
    assert_error(http.post("/items", data=body, content_type=JSON), 400)


def test_a_body_over_one_mebibyte_is_413(http: Client) -> None:
    assert_error(http.post("/items", data=" " * (1024 * 1024 + 1), content_type=JSON), 413)


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=abc",
        "limit=1.5",
        "limit=",
        "offset=-1",
        "offset=abc",
        "offset=",
        "offset=9223372036854775808",
        "limit=" + "9" * 500,
    ],
)
def test_bad_paging_is_400(http: Client, query: str) -> None:
    response = http.get(f"/items?{query}")
    assert_error(response, 400)
    assert response.json()["error"].split(":")[0] in ("limit", "offset")


def test_a_server_error_is_500_json_without_internals(
    http: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ItemViewSet, "list", fail)
    response = http.get("/items")
    assert_error(response, 500)
    assert b"secret internals" not in response.content


def test_the_openapi_document_describes_every_route(http: Client) -> None:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(JSON)
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"/health", "/health/live", "/items", "/items/{id}"} <= set(paths)
    assert set(paths["/items/{id}"]) >= {"get", "put", "delete"}
    assert "patch" not in paths["/items/{id}"]


def test_the_docs_page_is_served(http: Client) -> None:
    assert http.get("/docs").status_code == 200
