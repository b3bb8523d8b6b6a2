"""`python -m app`: serve the API with gunicorn on $PORT (`--reload` for development).

gunicorn's threaded workers (gthread, as app/gunicorn_worker.py's ApiWorker: JSON protocol
errors, a read timeout): a worker accepts connections as they come and hands each request to
one of its threads, and on SIGTERM it stops accepting, finishes every request it accepted,
and exits; the arbiter then exits 0. WEB_CONCURRENCY sets the number of
worker processes (gunicorn's own variable; default 1), each with its own connection pool.
"""

import argparse
import logging
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.base import Worker

from app.config import ConfigError, Settings, load_settings
from app.main import close_store, create_app

# Below the pool's 10 connections, so a worker's requests never wait for one another's.
THREADS = 8
# gunicorn's largest bounded request line (its default is 4094): URLs up to 8 KiB reach the
# app, which answers a bad one with JSON; a longer one gets gunicorn's own 414.
REQUEST_LINE_BYTES = 8190
# Idle keep-alive connections close after this. A client (or a proxy) that reuses a
# connection at the moment the server times it out gets a reset instead of an answer: with
# gunicorn's default of 2 s, and still now and then with 5 s, a client whose own idle timeout
# is 4-5 s (Node's fetch) hit that race. Longer than the 60 s idle timeout of common load
# balancers, the server is never the one to close a connection a client is about to reuse;
# gthread parks idle connections in its poller, so they hold no thread.
KEEPALIVE_SECONDS = 65
# Within the 15 s a container runtime (and Kubernetes) waits after SIGTERM before SIGKILL.
GRACEFUL_TIMEOUT_SECONDS = 10


class Server(BaseApplication):
    """gunicorn configured in code, serving the app factory's app."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        self.api: Flask | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        # In each worker, after the fork: the pool's connections and threads are its own.
        app_log = logging.getLogger("app")
        app_log.setLevel(self.settings.log_level.upper())
        app_log.handlers = logging.getLogger("gunicorn.error").handlers
        app_log.propagate = False
        self.api = create_app(self.settings)
        return self.api


def _close_store(server: Arbiter, worker: Worker) -> None:
    # worker.wsgi is the app wrapped by the worker; the application object keeps the app.
    if isinstance(worker.app, Server) and worker.app.api is not None:
        close_store(worker.app.api)


def options(settings: Settings, reload: bool = False) -> dict[str, Any]:
    return {
        "bind": f"0.0.0.0:{settings.port}",  # all interfaces: the container publishes this port
        "worker_class": "app.gunicorn_worker.ApiWorker",
        "threads": THREADS,
        "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
        "limit_request_line": REQUEST_LINE_BYTES,
        "keepalive": KEEPALIVE_SECONDS,
        "loglevel": settings.log_level,
        # Access lines at info and debug, as the level says.
        "accesslog": "-" if settings.log_level in ("info", "debug") else None,
        "worker_exit": _close_store,
        # No control socket under $HOME: servers side by side would share it, and a
        # container's root filesystem is read-only.
        "control_socket_disable": True,
        "reload": reload,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--reload", action="store_true", help="restart when a source file changes")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        sys.exit(f"error: {error}")
    Server(settings, options(settings, reload=args.reload)).run()


if __name__ == "__main__":
    main()
