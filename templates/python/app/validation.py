"""Request validation, by hand.

Plain checks rather than pydantic models: the rules are small, the messages are ours, and
the behaviour is the same on pydantic 1 and 2 (FastAPI supports both).
"""

import re
from collections.abc import Mapping
from typing import Any

NAME_MAX_LENGTH = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# The largest OFFSET databases take (a signed 64-bit integer); beyond it is a 400, not a 500.
MAX_OFFSET = 2**63 - 1

_DIGITS = re.compile(r"[0-9]+")


class ValidationError(Exception):
    """The request is malformed; the message is safe to show to the client (HTTP 400)."""


def parse_item(body: Any) -> tuple[str, str | None]:
    """The `name` and `description` of a POST or PUT body; unknown fields are ignored."""
    if not isinstance(body, dict):
        raise ValidationError("Request body must be a JSON object")
    name = body.get("name")
    if not isinstance(name, str):
        raise ValidationError("name is required and must be a string")
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise ValidationError(f"name must be 1 to {NAME_MAX_LENGTH} characters long")
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise ValidationError("description must be a string or null")
    return name, description


def parse_paging(query: Mapping[str, str]) -> tuple[int, int]:
    """`limit` (1 to 100, default 20) and `offset` (0 or more, default 0) from a query string."""
    limit = _integer(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _integer(query, "offset", 0, 0, MAX_OFFSET)
    return limit, offset


def _integer(query: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    if key not in query:
        return default
    raw = query[key]
    # ASCII digits only: int() would also accept " 5", "+5", "5_0" and other scripts' digits.
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise ValidationError(f"{key} must be an integer from {low} to {high}")
    return int(raw)
