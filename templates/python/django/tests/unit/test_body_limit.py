"""The body limit middleware on bodies without a declared length (Transfer-Encoding: chunked)."""

import io

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from gunicorn.http.errors import InvalidChunkSize

from items.middleware import BodyLimitMiddleware

LIMIT = 1024 * 1024


def chunked(body: bytes) -> HttpRequest:
    """A request as gunicorn hands over a chunked one: de-chunked input, no CONTENT_LENGTH."""
    request = RequestFactory().post("/items", data=body, content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = io.BytesIO(body)
    return request


def test_a_chunked_body_reaches_the_view_whole() -> None:
    seen: list[bytes] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.body)
        return HttpResponse(status=204)

    response = BodyLimitMiddleware(view)(chunked(b'{"name":"x"}'))
    assert response.status_code == 204
    assert seen == [b'{"name":"x"}']


def test_a_chunked_body_over_the_limit_is_413_without_reading_it_all() -> None:
    stream = io.BytesIO(b" " * (4 * LIMIT))
    request = chunked(b"")
    request.META["wsgi.input"] = stream

    def view(request: HttpRequest) -> HttpResponse:
        raise AssertionError("the view must not run")

    response = BodyLimitMiddleware(view)(request)
    assert response.status_code == 413
    assert stream.tell() == LIMIT + 1


def test_a_malformed_chunk_is_400() -> None:
    class Malformed(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise InvalidChunkSize(b"zz")

    request = chunked(b"")
    request.META["wsgi.input"] = Malformed()

    def view(request: HttpRequest) -> HttpResponse:
        raise AssertionError("the view must not run")

    assert BodyLimitMiddleware(view)(request).status_code == 400
