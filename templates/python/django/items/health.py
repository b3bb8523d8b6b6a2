"""/health (the database answers within 2 s) and /health/live (the process serves HTTP)."""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.database import queries_within

log = logging.getLogger("items")

# The contract: /health answers within 2 s, whatever the database does.
HEALTH_TIMEOUT_SECONDS = 2.0


Health = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "error"]),
        "database": serializers.ChoiceField(choices=["up", "down"]),
    },
)
Live = inline_serializer("Live", {"status": serializers.ChoiceField(choices=["ok"])})


def database_answers() -> bool:
    """`SELECT 1` on this thread's connection, handed back (to the pool) afterwards."""
    try:
        with queries_within(HEALTH_TIMEOUT_SECONDS), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except (DatabaseError, ImproperlyConfigured) as error:
        log.warning("health: the database does not answer: %s", error)
        return False
    finally:
        connection.close()


class Probe:
    """One database probe at a time, shared by every /health request that arrives meanwhile.

    The probe runs beside the request, so a hung database cannot hold the answer. A request
    that finds a probe already running waits for that one, for what is left of the probe's
    bound: a probe older than the bound means the database has not answered within it, and
    the answer is 503 at once. So while the database hangs, /health costs a request thread
    at most one bound per stuck probe, not one bound per request.
    """

    def __init__(self, probe: Callable[[], bool], timeout: float) -> None:
        self._probe = probe
        self._timeout = timeout
        self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")
        self._lock = threading.Lock()
        self._running: Future[bool] | None = None
        self._started = 0.0

    def idle(self) -> bool:
        """No probe is running."""
        with self._lock:
            return self._running is None or self._running.done()

    def database_up(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if self._running is None or self._running.done():
                self._running = self._runner.submit(self._probe)
                self._started = now
            running, left = self._running, self._started + self._timeout - now
        if left <= 0:
            return False
        try:
            return running.result(timeout=left)
        except FutureTimeout:
            return False


database_probe = Probe(database_answers, HEALTH_TIMEOUT_SECONDS)


class HealthView(APIView):
    @extend_schema(responses={200: Health, 503: Health}, tags=["health"])
    def get(self, request: Request) -> Response:
        """Whether the database answers, within 2 seconds."""
        if database_probe.database_up():
            return Response({"status": "ok", "database": "up"})
        return Response({"status": "error", "database": "down"}, status=503)


class LiveView(APIView):
    @extend_schema(responses={200: Live}, tags=["health"])
    def get(self, request: Request) -> Response:
        """The process serves HTTP; the database is not asked."""
        return Response({"status": "ok"})
