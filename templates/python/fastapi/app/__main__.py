"""`python -m app`: serve the API with uvicorn on $PORT (`--reload` for development)."""

import argparse
import copy
import signal
import sys
from types import FrameType
from typing import Any

import uvicorn
import uvicorn.config

from app.config import ConfigError, load_settings
from app.http_protocol import ApiH11Protocol


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's own logging setup, plus the app's loggers at LOG_LEVEL.

    Handed to uvicorn rather than applied here, so that it also holds in the worker
    process `--reload` starts.
    """
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["app"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--reload", action="store_true", help="restart when a source file changes")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        sys.exit(f"error: {error}")
    # On SIGTERM uvicorn stops accepting, lets in-flight requests finish and runs the
    # lifespan shutdown (closing the pool). Newer uvicorn then re-raises the signal it
    # caught; these handlers make that a clean exit 0 instead of death by signal.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    signal.signal(signal.SIGINT, _exit_cleanly)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host="0.0.0.0",  # all interfaces: the container publishes this port
        port=settings.port,
        # JSON for requests uvicorn cannot parse, and a bound on requests that stall.
        http=ApiH11Protocol,
        log_level=settings.log_level,
        log_config=_log_config(settings.log_level),
        reload=args.reload,
        reload_dirs=["app"] if args.reload else None,
    )


if __name__ == "__main__":
    main()
