from pathlib import Path

import pytest

from app.config import ConfigError, database_url_for_tests, load_settings

VARIABLES = ("DATABASE_URL", "TEST_DATABASE_URL", "PORT", "LOG_LEVEL")


@pytest.fixture(autouse=True)
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no .env) and none of the variables set."""
    monkeypatch.chdir(tmp_path)
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "db://x")
    settings = load_settings()
    assert (settings.database_url, settings.port, settings.log_level) == ("db://x", 3000, "info")


def test_dotenv_fills_in_what_the_environment_does_not_set(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text(
        "# comment\nDATABASE_URL=db://file\nexport PORT=4000\nLOG_LEVEL='debug'\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.setenv("LOG_LEVEL", "WARN")
    settings = load_settings()
    assert (settings.database_url, settings.port, settings.log_level) == (
        "db://file",
        5000,
        "warning",
    )


def test_empty_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "db://x")
    monkeypatch.setenv("PORT", "")
    assert load_settings().port == 3000


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DATABASE_URL": "db://x", "PORT": "http"},
        {"DATABASE_URL": "db://x", "PORT": "70000"},
        {"DATABASE_URL": "db://x", "LOG_LEVEL": "loud"},
    ],
)
def test_bad_settings_say_what_to_fix(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=r"\.env"):
        load_settings()


def test_errors_do_not_echo_the_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "db://user:secret@host/db")
    monkeypatch.setenv("PORT", "0")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "secret" not in str(raised.value)


def test_tests_prefer_test_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "db://dev")
    assert database_url_for_tests() == "db://dev"
    monkeypatch.setenv("TEST_DATABASE_URL", "db://test")
    assert database_url_for_tests() == "db://test"


def test_tests_need_a_database_url() -> None:
    with pytest.raises(ConfigError):
        database_url_for_tests()
