"""limit/offset paging: a plain JSON array, with bad values refused (400), never ignored."""

import re
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The largest OFFSET databases take (a signed 64-bit integer); beyond it is a 400, not a 500.
MAX_OFFSET = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def paging_value(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise ValidationError({name: f"must be a whole number from {low} to {high}"})
    return int(raw)


class LimitOffsetPaging(BasePagination):
    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any]:
        limit = paging_value(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = paging_value(request, "offset", 0, 0, MAX_OFFSET)
        return list(queryset[offset : offset + limit])

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        return Response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return schema

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        def parameter(name: str, description: str, **bounds: int) -> dict[str, Any]:
            return {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": {"type": "integer", **bounds},
            }

        return [
            parameter(
                "limit",
                "How many items, newest first",
                minimum=1,
                maximum=MAX_LIMIT,
                default=DEFAULT_LIMIT,
            ),
            parameter(
                "offset",
                "How many of the newest items to skip",
                minimum=0,
                maximum=MAX_OFFSET,
                default=0,
            ),
        ]
