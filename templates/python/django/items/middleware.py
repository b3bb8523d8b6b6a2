"""The 1 MiB request body limit, checked on Content-Length before the body is read."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
        return self.get_response(request)
