"""The 1 MiB request body limit: from Content-Length before the body is read, or while a
chunked body streams in."""

import io
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from gunicorn.http.errors import ParseException

from items.errors import error_response


class BodyLimitMiddleware:
    """413 for a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django enforces that setting only where it reads form data; DRF's parsers read the
    stream, so the limit is applied here, for every route.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH", "")
        limit: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if declared.isdigit() and int(declared) > limit:
            return error_response(f"The body is over {limit} bytes", 413)
        if not declared and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Django reads a body only up to CONTENT_LENGTH, so a chunked one would look empty
            # (and pass as a body without fields). gunicorn has de-chunked it: read it here,
            # never more than one byte past the limit, and hand it on with its length.
            try:
                body = request.META["wsgi.input"].read(limit + 1)
            except ParseException:
                # gunicorn decodes chunks as they are read: a malformed one is the client's error.
                return error_response("The body is not valid chunked transfer encoding", 400)
            if len(body) > limit:
                return error_response(f"The body is over {limit} bytes", 413)
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = io.BytesIO(body)
        return self.get_response(request)
