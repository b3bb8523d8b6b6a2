"""Strict JSON parsing of request bodies, whichever framework serves them.

The standard library accepts `NaN`/`Infinity` (not JSON), recurses until Python's stack runs
out on deep nesting, and raises on integers longer than it will parse; bytes that are not
UTF-8 must be refused, not guessed at. Each is an InvalidJSONError here, which the HTTP layer
answers with 400 and its message.
"""

import json
from typing import Any

MAX_DEPTH = 64


class InvalidJSONError(ValueError):
    """The body is not JSON this API accepts; the message says why, safe to show a client."""


def _not_json(constant: str) -> float:
    raise InvalidJSONError(f"Request body must be valid JSON ({constant} is not JSON)")


def parse_json(raw: bytes | str) -> Any:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidJSONError("Request body must be UTF-8 encoded JSON") from None
    try:
        value = json.loads(raw, parse_constant=_not_json)
    except InvalidJSONError:
        raise
    except RecursionError:
        raise InvalidJSONError(f"Request body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        # JSONDecodeError, and the ValueError for integers longer than Python will parse.
        raise InvalidJSONError("Request body must be valid JSON") from None
    if _depth(value) > MAX_DEPTH:
        raise InvalidJSONError(f"Request body nests deeper than {MAX_DEPTH} levels")
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
