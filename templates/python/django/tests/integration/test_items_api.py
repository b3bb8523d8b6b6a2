"""Every route against the real database; each test runs in a transaction rolled back after it."""

from typing import Any

import pytest
from django.test import Client

from items.models import Item

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def http() -> Client:
    return Client(raise_request_exception=False)


def create(http: Client, **fields: Any) -> dict[str, Any]:
    response = http.post("/items", data=fields, content_type=JSON)
    assert response.status_code == 201, response.content
    item: dict[str, Any] = response.json()
    return item


def test_health_reports_the_database_up(http: Client) -> None:
    response = http.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "up"})


def test_create_stores_the_item(http: Client) -> None:
    item = create(http, name="first", description="with ünïcode and \U0001f600")
    assert set(item) == {"id", "name", "description", "createdAt", "updatedAt"}
    assert item["createdAt"] == item["updatedAt"]
    assert item["createdAt"].endswith("Z")
    stored = Item.objects.get(pk=item["id"])
    assert (stored.name, stored.description) == ("first", "with ünïcode and \U0001f600")


def test_get_returns_the_item_as_created(http: Client) -> None:
    item = create(http, name="x")
    assert http.get(f"/items/{item['id']}").json() == item


def test_the_listing_is_newest_first_and_paged(http: Client) -> None:
    ids = [create(http, name=f"item {n}")["id"] for n in range(5)]
    listed = http.get("/items?limit=100").json()
    assert [item["id"] for item in listed] == ids[::-1]
    assert [item["id"] for item in http.get("/items?limit=2&offset=1").json()] == ids[::-1][1:3]
    assert http.get("/items?offset=1000000").json() == []


def test_the_default_limit_is_20(http: Client) -> None:
    for n in range(21):
        create(http, name=f"item {n}")
    assert len(http.get("/items").json()) == 20


def test_put_replaces_name_and_description(http: Client) -> None:
    item = create(http, name="before", description="old")
    response = http.put(f"/items/{item['id']}", data={"name": "after"}, content_type=JSON)
    assert response.status_code == 200, response.content
    updated = response.json()
    assert (updated["id"], updated["name"], updated["description"]) == (item["id"], "after", None)
    assert updated["createdAt"] == item["createdAt"]
    assert updated["updatedAt"] >= item["updatedAt"]


def test_a_refused_put_changes_nothing(http: Client) -> None:
    item = create(http, name="keep")
    response = http.put(f"/items/{item['id']}", data={"name": ""}, content_type=JSON)
    assert response.status_code == 400
    assert http.get(f"/items/{item['id']}").json() == item


def test_delete_removes_the_item(http: Client) -> None:
    item = create(http, name="doomed")
    assert http.delete(f"/items/{item['id']}").status_code == 204
    assert http.get(f"/items/{item['id']}").status_code == 404
    assert http.delete(f"/items/{item['id']}").status_code == 404
    assert (
        http.put(f"/items/{item['id']}", data={"name": "x"}, content_type=JSON).status_code == 404
    )


@pytest.mark.parametrize("item_id", ["2147483647", "9223372036854775807"])
def test_absent_ids_are_404(http: Client, item_id: str) -> None:
    response = http.get(f"/items/{item_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Item not found"}
