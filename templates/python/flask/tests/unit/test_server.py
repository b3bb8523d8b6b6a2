"""How `python -m app` configures gunicorn: what the graceful shutdown depends on."""

from app.__main__ import GRACEFUL_TIMEOUT_SECONDS, Server, options
from app.api import HEALTH_TIMEOUT_SECONDS
from app.config import Settings


def test_threaded_workers_drain_within_the_container_grace_period() -> None:
    settings = Settings(database_url="db://x", port=4321, log_level="warning")
    server = Server(settings, options(settings))
    assert server.cfg.bind == ["0.0.0.0:4321"]
    # Sync workers leave accepted connections unanswered at SIGTERM; gthread finishes them.
    assert server.cfg.worker_class_str == "gthread"
    assert server.cfg.threads > 1
    assert server.cfg.graceful_timeout == GRACEFUL_TIMEOUT_SECONDS < 15
    assert server.cfg.control_socket_disable
    # A client reusing its connection after the slowest /health must find it open.
    assert server.cfg.keepalive > HEALTH_TIMEOUT_SECONDS
    # 5000-digit paging values are the app's to refuse (400 JSON), not gunicorn's 414.
    assert server.cfg.limit_request_line > 5100
    assert server.cfg.accesslog is None


def test_access_log_at_info() -> None:
    settings = Settings(database_url="db://x", log_level="info")
    assert Server(settings, options(settings)).cfg.accesslog == "-"
