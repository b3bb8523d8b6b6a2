"""Every error as `{"error": "message"}`: DRF's exceptions, and Django's 400/403/404/500."""

import logging
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger("items")


def error_response(message: str, status: int) -> JsonResponse:
    """The contract's error body, compact like DRF's own JSON, for what answers outside DRF."""
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"separators": (",", ":")}
    )


def _first_message(detail: Any, where: str = "") -> str:
    """`{"name": ["This field is required."]}` → `name: This field is required.`"""
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = "" if key == "non_field_errors" else str(key)
            return _first_message(value, f"{where}.{inner}" if where and inner else where or inner)
    if isinstance(detail, list):
        if detail:
            return _first_message(detail[0], where)
        return f"{where}: invalid" if where else "Invalid request"
    return f"{where}: {detail}" if where else str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is unreachable or did not answer in time: say so, without its words.
        log.warning("database unavailable: %s", exc)
        return Response({"error": "The database is unavailable"}, status=503)
    response = drf_exception_handler(exc, context)
    if response is None:
        if isinstance(exc, DatabaseError):
            log.error("database error", exc_info=exc)
            return Response({"error": "Internal server error"}, status=500)
        # Anything else reaches handler500 (logged by Django, answered by server_error).
        return None
    if isinstance(exc, ValidationError):
        message = _first_message(exc.detail)
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        message = str(detail) if detail is not None else _first_message(response.data)
    response.data = {"error": message}
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response("Bad request", 400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response("Forbidden", 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response("Not found", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response("Internal server error", 500)
