"""The items API (a DRF viewset) and the OpenAPI document."""

import re

from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.serializers import BaseSerializer

from items.models import Item, now_ms
from items.pagination import LimitOffsetPaging
from items.serializers import ItemSerializer

# Ids are BIGINTs: "abc", "0", "01" or a number past 2**63-1 names no item (404, not 400).
_ID = re.compile(r"[1-9][0-9]{0,18}")
MAX_ID = 2**63 - 1

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
INVALID = OpenApiResponse(response=_ERROR_SCHEMA, description="Invalid JSON, fields or paging")
NOT_FOUND = OpenApiResponse(response=_ERROR_SCHEMA, description="No item has this id")
TOO_LARGE = OpenApiResponse(response=_ERROR_SCHEMA, description="The body is over 1 MiB")


def parse_id(raw: str) -> int | None:
    if not _ID.fullmatch(raw) or int(raw) > MAX_ID:
        return None
    return int(raw)


@extend_schema_view(
    list=extend_schema(
        summary="Items, newest first", responses={200: ItemSerializer(many=True), 400: INVALID}
    ),
    create=extend_schema(responses={201: ItemSerializer, 400: INVALID, 413: TOO_LARGE}),
    retrieve=extend_schema(responses={200: ItemSerializer, 404: NOT_FOUND}),
    update=extend_schema(
        summary="Replace name and description (a description left out becomes null)",
        responses={200: ItemSerializer, 400: INVALID, 404: NOT_FOUND, 413: TOO_LARGE},
    ),
    destroy=extend_schema(responses={204: None, 404: NOT_FOUND}),
)
class ItemViewSet(viewsets.ModelViewSet[Item]):
    queryset = Item.objects.order_by("-created_at", "-id")
    serializer_class = ItemSerializer
    pagination_class = LimitOffsetPaging
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    # PUT replaces an item; there is no partial update (PATCH is 405).
    http_method_names = ("get", "post", "put", "delete", "head", "options")

    def get_object(self) -> Item:
        pk = parse_id(self.kwargs["id"])
        if pk is None:
            raise NotFound("Item not found")
        try:
            return self.get_queryset().get(pk=pk)
        except Item.DoesNotExist as error:
            raise NotFound("Item not found") from error

    def perform_create(self, serializer: BaseSerializer[Item]) -> None:
        now = now_ms()
        serializer.save(created_at=now, updated_at=now)

    def perform_update(self, serializer: BaseSerializer[Item]) -> None:
        serializer.save(updated_at=now_ms())


class OpenApiView(SpectacularAPIView):
    """The OpenAPI document as `application/json` (drf-spectacular's default is YAML)."""

    # A list, as DRF declares it.
    renderer_classes = [OpenApiJsonRenderer2]  # noqa: RUF012
