"""Strict JSON request bodies: what DRF's JSONParser lets through, refused with 400.

Python's json module accepts lone surrogates (`"\\ud800"`) and NUL characters, which the
database would refuse with a 500, and nests until the interpreter's recursion limit.
"""

import json
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def _check(value: Any, depth: int = 1) -> None:
    if depth > MAX_DEPTH:
        raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        _check_string(value)
    elif isinstance(value, list):
        for element in value:
            _check(element, depth + 1)
    elif isinstance(value, dict):
        for key, element in value.items():
            _check_string(key)
            _check(element, depth + 1)


def _check_string(text: str) -> None:
    if "\x00" in text:
        raise ParseError("JSON strings may not contain NUL characters")
    if any("\ud800" <= char <= "\udfff" for char in text):
        raise ParseError("JSON strings may not contain lone surrogates")


def _refuse_constant(name: str) -> None:
    raise ParseError(f"{name} is not JSON")


class StrictJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw: bytes = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ParseError("The body is not valid UTF-8") from error
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError as error:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels") from error
        except ValueError as error:
            # Also numbers too long to convert (int's digit limit).
            raise ParseError("The body is not valid JSON") from error
        _check(data)
        return data
