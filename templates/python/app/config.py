"""Configuration comes from environment variables only; `.env` fills in the ones not set."""

import os
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 3000
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    port: int
    log_level: str


def parse_dotenv(text: str) -> dict[str, str]:
    """`KEY=value` lines; `#` comments, `export ` prefixes and surrounding quotes are allowed."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _KEY.fullmatch(key):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def load_dotenv(path: str | Path = ".env", environ: MutableMapping[str, str] | None = None) -> None:
    """Copy `.env` into the environment without overriding what is already set.

    A few lines of our own rather than python-dotenv: one dependency fewer, and the rule
    that real environment variables win is the whole contract.
    """
    env = os.environ if environ is None else environ
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    for key, value in parse_dotenv(text).items():
        env.setdefault(key, value)


def load_settings(environ: MutableMapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    load_dotenv(environ=env)
    database_url = env.get("DATABASE_URL", "").strip()
    if not database_url:
        raise ConfigError("DATABASE_URL is not set: copy .env.example to .env, or export it")
    return Settings(
        database_url=database_url,
        port=_port(env.get("PORT", "")),
        log_level=_log_level(env.get("LOG_LEVEL", "")),
    )


def database_url_for_tests(environ: MutableMapping[str, str] | None = None) -> str:
    """The database the test suite uses: TEST_DATABASE_URL, else DATABASE_URL."""
    env = os.environ if environ is None else environ
    load_dotenv(environ=env)
    url = env.get("TEST_DATABASE_URL", "").strip() or env.get("DATABASE_URL", "").strip()
    if not url:
        raise ConfigError("set TEST_DATABASE_URL or DATABASE_URL (in the environment or .env)")
    return url


def _port(raw: str) -> int:
    raw = raw.strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"PORT must be a number from 1 to 65535, not {raw!r}")
    return int(raw)


def _log_level(raw: str) -> str:
    level = raw.strip().lower() or "info"
    level = {"warn": "warning", "fatal": "critical", "trace": "debug"}.get(level, level)
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {raw!r}")
    return level
