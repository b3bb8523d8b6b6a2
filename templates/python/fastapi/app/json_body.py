"""Request bodies parsed strictly: hostile JSON is a 400 before any model sees it.

FastAPI parses bodies with `request.json()`. The route class below hands it a request whose
`json()` refuses what the standard library would accept or choke on: bytes that are not
UTF-8, `NaN`/`Infinity`, nesting deeper than MAX_DEPTH, and numbers too long to parse.
"""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

MAX_DEPTH = 64


class InvalidJSON(HTTPException):
    def __init__(self, message: str) -> None:
        super().__init__(status_code=400, detail=message)


def _not_json(constant: str) -> float:
    raise InvalidJSON(f"Request body must be valid JSON ({constant} is not JSON)")


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidJSON("Request body must be UTF-8 encoded JSON") from None
    try:
        value = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise InvalidJSON(f"Request body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        # JSONDecodeError, and the ValueError for integers longer than Python will parse.
        raise InvalidJSON("Request body must be valid JSON") from None
    if _depth(value) > MAX_DEPTH:
        raise InvalidJSON(f"Request body nests deeper than {MAX_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
