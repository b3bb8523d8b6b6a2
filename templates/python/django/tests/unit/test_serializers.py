"""What the item serializer accepts: the contract's field rules, without a database."""

from datetime import UTC, datetime
from typing import Any

import pytest

from items.models import Item
from items.serializers import ItemSerializer


def errors(data: Any) -> dict[str, Any]:
    serializer = ItemSerializer(data=data)
    assert not serializer.is_valid()
    return dict(serializer.errors)


def test_a_name_alone_is_valid_and_description_becomes_null() -> None:
    serializer = ItemSerializer(data={"name": "x"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"name": "x", "description": None}


def test_names_are_kept_as_sent() -> None:
    serializer = ItemSerializer(data={"name": "  é" * 66, "description": " d "})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["name"] == "  é" * 66
    assert serializer.validated_data["description"] == " d "


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": 42}, "name"),
        ({"name": True}, "name"),
        ({"name": None}, "name"),
        ({"name": ["x"]}, "name"),
        ({"name": "x", "description": 42}, "description"),
        ({"name": "x", "description": {"text": "x"}}, "description"),
    ],
)
def test_invalid_fields_are_named(data: dict[str, Any], field: str) -> None:
    assert field in errors(data)


def test_an_item_is_written_in_the_contracts_shape() -> None:
    created = datetime(2026, 11, 24, 10, 11, 12, 345000, tzinfo=UTC)
    item = Item(id=7, name="x", description=None, created_at=created, updated_at=created)
    assert ItemSerializer(item).data == {
        "id": 7,
        "name": "x",
        "description": None,
        "createdAt": "2026-11-24T10:11:12.345Z",
        "updatedAt": "2026-11-24T10:11:12.345Z",
    }
