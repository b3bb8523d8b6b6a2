"""Request bodies the JSON parser must refuse (400), which Python's json module accepts."""

import io

import pytest
from rest_framework.exceptions import ParseError

from items.parsers import MAX_DEPTH, StrictJSONParser


def parse(body: bytes) -> object:
    return StrictJSONParser().parse(io.BytesIO(body))


def test_an_object_is_parsed() -> None:
    assert parse(b'{"name": "x", "description": null}') == {"name": "x", "description": None}


def test_nesting_up_to_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH - 1
    assert parse(b'{"a": ' + b"[" * depth + b"]" * depth + b"}") is not None


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "x",',
        b'{"name": "\\u0000"}',
        b'{"name": "\\ud800"}',
        b'{"\\udfff": "x"}',
        b'{"name": "\xff"}',
        b'{"name": NaN}',
        b'{"n": ' + b"9" * 5000 + b"}",
        b'{"a": ' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "truncated",
        "NUL",
        "lone surrogate",
        "surrogate key",
        "invalid UTF-8",
        "NaN",
        "huge number",
        "too deep",
        "far too deep",
    ],
)
def test_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse(body)
