"""Settings from the environment: safe in development, strict in production."""

import stat

import pytest

from monitoris import create_app
from monitoris.config import ConfigError, load


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("ENV", "SECRET_KEY", "TIMEZONE", "DATABASE_URL", "LOGIN_MAX_FAILURES", "SECURE_COOKIES",
                 "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(f"MONITORIS_{name}", raising=False)


def test_production_without_a_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("MONITORIS_ENV", "production")
    with pytest.raises(ConfigError) as exc:
        load(tmp_path)
    assert "MONITORIS_SECRET_KEY is not set" in str(exc.value)
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(ConfigError):
        create_app({"INSTANCE_PATH": str(tmp_path / "instance")})


def test_production_ignores_a_key_file_and_takes_the_environments(monkeypatch, tmp_path):
    (tmp_path / "secret_key").write_text("left over from development")
    monkeypatch.setenv("MONITORIS_ENV", "production")
    with pytest.raises(ConfigError):
        load(tmp_path)
    monkeypatch.setenv("MONITORIS_SECRET_KEY", "k" * 64)
    config = load(tmp_path)
    assert config["SECRET_KEY"] == "k" * 64
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["PASSWORD_HASH_FAST"] is False


def test_production_warns_that_memory_rate_limits_count_per_process(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("MONITORIS_ENV", "production")
    monkeypatch.setenv("MONITORIS_SECRET_KEY", "k" * 64)
    load(tmp_path)
    assert "each web process counts the rate limits on its own" in caplog.text
    caplog.clear()
    monkeypatch.setenv("MONITORIS_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    config = load(tmp_path)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    assert "rate limits" not in caplog.text


def test_development_generates_the_key_once_and_keeps_it(tmp_path):
    first = load(tmp_path)["SECRET_KEY"]
    path = tmp_path / "secret_key"
    assert len(first) >= 48
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load(tmp_path)["SECRET_KEY"] == first
    assert load(tmp_path / "elsewhere")["SECRET_KEY"] != first
    assert load(tmp_path)["SESSION_COOKIE_SECURE"] is False


def test_an_empty_key_file_is_replaced(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    key = load(tmp_path)["SECRET_KEY"]
    assert len(key) >= 48
    assert load(tmp_path)["SECRET_KEY"] == key


def test_unknown_time_zone_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MONITORIS_TIMEZONE", "Asia/Atlantis")
    with pytest.raises(ConfigError) as exc:
        load(tmp_path)
    assert str(exc.value) == "MONITORIS_TIMEZONE 'Asia/Atlantis' is not a known time zone"


def test_time_zone_from_the_environment(monkeypatch, tmp_path):
    assert load(tmp_path)["TIMEZONE"] == "Asia/Baku"
    monkeypatch.setenv("MONITORIS_TIMEZONE", "Europe/Moscow")
    assert load(tmp_path)["TIMEZONE"] == "Europe/Moscow"


@pytest.mark.parametrize("name,value,message", [
    ("ENV", "staging", "MONITORIS_ENV must be development, production or testing, not 'staging'"),
    ("LOGIN_MAX_FAILURES", "five", "MONITORIS_LOGIN_MAX_FAILURES must be a whole number, not 'five'"),
])
def test_bad_values_are_clear_errors(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv(f"MONITORIS_{name}", value)
    with pytest.raises(ConfigError) as exc:
        load(tmp_path)
    assert str(exc.value) == message


@pytest.mark.parametrize("url,expected", [
    ("postgres://m@db/monitoris", "postgresql+psycopg://m@db/monitoris"),
    ("postgresql://m@db/monitoris", "postgresql+psycopg://m@db/monitoris"),
    ("postgresql+psycopg://m@db/monitoris", "postgresql+psycopg://m@db/monitoris"),
])
def test_database_url_uses_the_shipped_driver(monkeypatch, tmp_path, url, expected):
    monkeypatch.setenv("MONITORIS_DATABASE_URL", url)
    assert load(tmp_path)["SQLALCHEMY_DATABASE_URI"] == expected


def test_defaults_need_no_configuration(tmp_path):
    config = load(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'monitoris.db'}"
    assert (config["LOGIN_MAX_FAILURES"], config["LOGIN_LOCKOUT_MINUTES"], config["SESSION_IDLE_MINUTES"]) == (
        5, 15, 480)
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_overrides_win(monkeypatch, tmp_path):
    monkeypatch.setenv("MONITORIS_LOGIN_MAX_FAILURES", "3")
    assert load(tmp_path)["LOGIN_MAX_FAILURES"] == 3
    assert load(tmp_path, {"LOGIN_MAX_FAILURES": 9})["LOGIN_MAX_FAILURES"] == 9
