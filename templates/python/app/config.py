"""Configuration from environment variables; `.env` fills in only the ones not set."""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["critical", "error", "warning", "info", "debug"]

# Names other ecosystems use for the same levels, so one .env serves every stack.
_LEVEL_ALIASES = {"warn": "warning", "fatal": "critical", "trace": "debug"}


def _normalise_level(value: object) -> object:
    if isinstance(value, str):
        level = value.strip().lower()
        return _LEVEL_ALIASES.get(level, level)
    return value


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


class _FromEnvironment(BaseSettings):
    # pydantic-settings reads the environment first and `.env` after it, so variables
    # already set win. Empty values count as unset, as in a `.env` line `PORT=`.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )


class Settings(_FromEnvironment):
    database_url: Annotated[str, Field(min_length=1)]
    port: Annotated[int, Field(ge=1, le=65535)] = 3000
    log_level: Annotated[LogLevel, BeforeValidator(_normalise_level)] = "info"


class _TestDatabases(_FromEnvironment):
    test_database_url: str | None = None
    database_url: str | None = None


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def database_url_for_tests() -> str:
    """The database the test suite uses: TEST_DATABASE_URL, else DATABASE_URL."""
    settings = _TestDatabases()
    url = settings.test_database_url or settings.database_url
    if not url:
        raise ConfigError("set TEST_DATABASE_URL or DATABASE_URL (in the environment or .env)")
    return url


def _describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_url=False):
        name = ".".join(str(part) for part in detail["loc"]).upper()
        problems.append(f"{name}: {detail['msg']}")
    return "; ".join(problems) + " (set it in the environment or in .env; see .env.example)"
