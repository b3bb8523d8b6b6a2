"""Request bodies parsed strictly: hostile JSON is a 400 before any model sees it.

FastAPI parses bodies with `request.json()`. The route class below hands it a request whose
`json()` is app.strict_json's parser: bytes that are not UTF-8, `NaN`/`Infinity`, nesting
deeper than MAX_DEPTH and numbers too long to parse are refused.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

from app.strict_json import InvalidJSONError, parse_json


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = parse_json(await self.body())
            except InvalidJSONError as error:
                raise HTTPException(status_code=400, detail=str(error)) from None
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
