"""What a request body may hold, and how an item is written out (the contract's camelCase)."""

from datetime import UTC, datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from items.models import Item


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else: DRF's CharField turns 42 into "42" and true into "True".

    Like CharField, it refuses NUL and lone surrogate characters; unlike its default, it keeps
    surrounding whitespace (input is stored as sent, never silently altered).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.DATETIME)
class IsoMillisField(serializers.Field):  # type: ignore[type-arg]
    """A UTC timestamp as ISO 8601 with milliseconds: 2026-11-24T10:11:12.345Z."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: datetime) -> str:
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ItemSerializer(serializers.ModelSerializer[Item]):
    name = StrictCharField(min_length=1, max_length=200)
    # PUT replaces the whole item: a description left out becomes null.
    description = StrictCharField(allow_null=True, allow_blank=True, default=None)
    # The contract's JSON names, not Python's.
    createdAt = IsoMillisField(source="created_at")  # noqa: N815
    updatedAt = IsoMillisField(source="updated_at")  # noqa: N815

    class Meta:
        model = Item
        fields = ("id", "name", "description", "createdAt", "updatedAt")
        read_only_fields = ("id",)
