import pytest

from app.config import (
    ConfigError,
    database_url_for_tests,
    load_dotenv,
    load_settings,
    parse_dotenv,
)


def test_parses_dotenv_lines():
    text = "\n".join(
        [
            "# comment",
            "A=1",
            "export B = two ",
            "C='quoted # not a comment'",
            'D="double"',
            "E=value # comment",
            "not a line",
            "",
        ]
    )
    assert parse_dotenv(text) == {
        "A": "1",
        "B": "two",
        "C": "quoted # not a comment",
        "D": "double",
        "E": "value",
    }


def test_dotenv_does_not_override_the_environment(tmp_path):
    path = tmp_path / ".env"
    path.write_text("PORT=4000\nLOG_LEVEL=debug\n", encoding="utf-8")
    env = {"PORT": "5000"}
    load_dotenv(path, env)
    assert env == {"PORT": "5000", "LOG_LEVEL": "debug"}


def test_missing_dotenv_is_fine(tmp_path):
    env: dict[str, str] = {}
    load_dotenv(tmp_path / ".env", env)
    assert env == {}


def test_settings_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"DATABASE_URL": "db://x"})
    assert (settings.database_url, settings.port, settings.log_level) == ("db://x", 3000, "info")


def test_settings_read_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DATABASE_URL=db://file\nPORT=4000\n", encoding="utf-8")
    settings = load_settings({"PORT": "5000", "LOG_LEVEL": "WARN"})
    assert (settings.database_url, settings.port, settings.log_level) == (
        "db://file",
        5000,
        "warning",
    )


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DATABASE_URL": "db://x", "PORT": "http"},
        {"DATABASE_URL": "db://x", "PORT": "70000"},
        {"DATABASE_URL": "db://x", "LOG_LEVEL": "loud"},
    ],
)
def test_bad_settings_say_what_to_fix(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError):
        load_settings(env)


def test_tests_prefer_test_database_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": "db://dev", "TEST_DATABASE_URL": "db://test"}
    assert database_url_for_tests(env) == "db://test"
    assert database_url_for_tests({"DATABASE_URL": "db://dev"}) == "db://dev"
