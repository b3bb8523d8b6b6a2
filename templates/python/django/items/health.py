"""/health (the database answers within 2 s) and /health/live (the process serves HTTP)."""

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

log = logging.getLogger("items")

# The contract: /health answers within 2 s, whatever the database does.
HEALTH_TIMEOUT_SECONDS = 2.0
# The probe runs beside the request, so a hung database cannot hold the answer; two threads
# bound what probes stuck on such a database can take.
_probes = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health")

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
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except (DatabaseError, ImproperlyConfigured) as error:
        log.warning("health: the database does not answer: %s", error)
        return False
    finally:
        connection.close()


class HealthView(APIView):
    @extend_schema(responses={200: Health, 503: Health}, tags=["health"])
    def get(self, request: Request) -> Response:
        """Whether the database answers, within 2 seconds."""
        try:
            up = _probes.submit(database_answers).result(timeout=HEALTH_TIMEOUT_SECONDS)
        except FutureTimeout:
            up = False
        if up:
            return Response({"status": "ok", "database": "up"})
        return Response({"status": "error", "database": "down"}, status=503)


class LiveView(APIView):
    @extend_schema(responses={200: Live}, tags=["health"])
    def get(self, request: Request) -> Response:
        """The process serves HTTP; the database is not asked."""
        return Response({"status": "ok"})
