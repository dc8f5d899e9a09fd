"""Settings from the environment (prefix ``MONITORIS_``) with safe defaults.

Development needs no configuration at all: SQLite and a generated secret key live in
the instance folder.  Production refuses to start without an explicit secret key.
"""

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo

PREFIX = "MONITORIS_"


class ConfigError(RuntimeError):
    """The configuration cannot work; raised at start-up with a message for the operator."""


def _env(name, default=None):
    return os.environ.get(PREFIX + name, default)


def _env_int(name, default):
    value = _env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, not {value!r}") from exc


def _env_bool(name, default):
    value = _env(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _secret_key(env, instance_path):
    key = _env("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigError(
            f"{PREFIX}SECRET_KEY is not set. Production needs a long random secret key, for example: "
            'python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    # Development and tests: generate once and keep it, so sessions survive restarts.
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(instance_path, overrides=None):
    """Build the Flask config mapping.  ``overrides`` (tests, scripts) win over the environment."""
    overrides = dict(overrides or {})
    env = overrides.get("ENV_NAME") or _env("ENV", "development")
    if env not in ("development", "production", "testing"):
        raise ConfigError(f"{PREFIX}ENV must be development, production or testing, not {env!r}")

    database_url = _env("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'monitoris.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship.
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    timezone = _env("TIMEZONE", "Asia/Baku")
    try:
        ZoneInfo(timezone)
    except Exception as exc:  # ZoneInfoNotFoundError or a malformed key
        raise ConfigError(f"{PREFIX}TIMEZONE {timezone!r} is not a known time zone") from exc

    production = env == "production"
    config = {
        "ENV_NAME": env,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TIMEZONE": timezone,
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "UPLOAD_FOLDER": _env("UPLOAD_FOLDER", str(Path(instance_path) / "documents")),
        "LOGIN_MAX_FAILURES": _env_int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_MINUTES": _env_int("LOGIN_LOCKOUT_MINUTES", 15),
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 8 * 60),
        "PAGE_SIZE": _env_int("PAGE_SIZE", 25),
        "SESSION_COOKIE_NAME": "monitoris_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the login session
        "MAX_CONTENT_LENGTH": _env_int("MAX_REQUEST_MB", 60) * 1024 * 1024,
        # Cheap password hashing only where nobody's password is real.
        "PASSWORD_HASH_FAST": env == "testing",
    }
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(env, instance_path)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    return config
