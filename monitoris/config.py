"""Settings from the environment (prefix ``MONITORIS_``) with safe defaults.

Development needs no configuration at all: SQLite and a generated secret key live in
the instance folder.  Production refuses to start without an explicit secret key.
"""

import logging
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo

from monitoris import secretbox
from monitoris.analysis.index import WeightsError, parse_bands, parse_weights

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


def _env_float(name, default):
    value = _env(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name} must be a number of seconds, not {value!r}") from exc


def _env_bool(name, default):
    value = _env(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(text):
    """"sat,sun" -> (5, 6), Python's weekday numbers."""
    days = []
    for part in (text or "").lower().replace(" ", "").split(","):
        if not part:
            continue
        if part[:3] not in WEEKDAYS:
            raise ConfigError(f"{PREFIX}WEEKEND_DAYS: {part!r} is not a day of the week (use mon … sun)")
        days.append(WEEKDAYS.index(part[:3]))
    return tuple(sorted(set(days)))


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
        key = path.read_text().strip()
        if key:  # an empty file (a crash while writing, a careless edit) would sign with ""
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _totp_keys(env, secret_key):
    """The keys that seal TOTP secrets at rest (monitoris.secretbox): the first seals, every one opens.

    ``derived`` in the list stands for the key derived from the secret key, which is what a system
    used while MONITORIS_TOTP_KEY was unset: list it after a new key until every secret is sealed again.
    """
    try:
        keys = secretbox.parse_keys(_env("TOTP_KEY"), derived=secretbox.derive_key(secret_key))
    except secretbox.BadKey as exc:
        raise ConfigError(f"{PREFIX}TOTP_KEY: {exc}") from exc
    if keys:
        return keys
    if env == "production":
        # Not refused (a running system keeps working), but the secrets then hang on the secret key:
        # rotating it would make every two-factor secret unreadable.  README "Security" says to set it.
        logging.getLogger(__name__).warning(
            "%sTOTP_KEY is not set: the two-factor secrets are sealed with a key derived from the secret key. "
            'Set one: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
            PREFIX)
    return [secretbox.derive_key(secret_key)]


def _driver_url(url):
    """``postgres://`` and ``postgresql://`` URLs name psycopg 3, the driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load(instance_path, overrides=None):
    """Build the Flask config mapping.  ``overrides`` (tests, scripts) win over the environment."""
    overrides = dict(overrides or {})
    env = overrides.get("ENV_NAME") or _env("ENV", "development")
    if env not in ("development", "production", "testing"):
        raise ConfigError(f"{PREFIX}ENV must be development, production or testing, not {env!r}")

    database_url = _driver_url(_env("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'monitoris.db'}")

    timezone = _env("TIMEZONE", "Asia/Baku")
    try:
        ZoneInfo(timezone)
    except Exception as exc:  # ZoneInfoNotFoundError or a malformed key
        raise ConfigError(f"{PREFIX}TIMEZONE {timezone!r} is not a known time zone") from exc

    try:
        analysis_weights = parse_weights(_env("ANALYSIS_WEIGHTS"))
        analysis_bands = parse_bands(_env("ANALYSIS_BANDS"))
    except WeightsError as exc:
        raise ConfigError(f"{PREFIX}ANALYSIS_WEIGHTS / {PREFIX}ANALYSIS_BANDS: {exc}") from exc

    production = env == "production"
    config = {
        "ENV_NAME": env,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TIMEZONE": timezone,
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "UPLOAD_FOLDER": _env("UPLOAD_FOLDER", str(Path(instance_path) / "documents")),
        # Documents: the largest file accepted, and the types accepted (checked by content; see documents/sniff.py).
        "DOCUMENT_MAX_BYTES": _env_int("DOCUMENT_MAX_MB", 50) * 1024 * 1024,
        "DOCUMENT_TYPES": _env("DOCUMENT_TYPES", "pdf,png,jpeg,gif,webp,docx,xlsx,odt,ods,txt,csv"),
        "LOGIN_MAX_FAILURES": _env_int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_MINUTES": _env_int("LOGIN_LOCKOUT_MINUTES", 15),
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 8 * 60),
        # A login session ends this long after the login, however active (then the person logs in again).
        "SESSION_ABSOLUTE_HOURS": _env_int("SESSION_ABSOLUTE_HOURS", 12),
        # Failed logins from one client address (any account) before its logins pause, and the window counted.
        "LOGIN_IP_MAX_FAILURES": _env_int("LOGIN_IP_MAX_FAILURES", 20),
        "LOGIN_IP_WINDOW_MINUTES": _env_int("LOGIN_IP_WINDOW_MINUTES", 15),
        # How long the second step of a login (the TOTP code) may take after the password.
        "TWO_FACTOR_PENDING_MINUTES": _env_int("TWO_FACTOR_PENDING_MINUTES", 5),
        "PASSWORD_RESET_MINUTES": _env_int("PASSWORD_RESET_MINUTES", 60),
        "PAGE_SIZE": _env_int("PAGE_SIZE", 25),
        "SESSION_COOKIE_NAME": "monitoris_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _env_bool("SECURE_COOKIES", production),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the login session
        "MAX_CONTENT_LENGTH": _env_int("MAX_REQUEST_MB", 60) * 1024 * 1024,
        # Cheap password hashing only where nobody's password is real.
        "PASSWORD_HASH_FAST": env == "testing",
        # Reminders: days before (negative: after) the due date; weekly while overdue; working days.
        "REMINDER_POLICY": _env("REMINDER_POLICY", "7,3,1,0,-1"),
        "REMINDER_WEEKLY_OVERDUE": _env_bool("REMINDER_WEEKLY_OVERDUE", True),
        "REMINDER_CATCH_UP_DAYS": _env_int("REMINDER_CATCH_UP_DAYS", 3),
        "WEEKEND_DAYS": _weekdays(_env("WEEKEND_DAYS", "sat,sun")),
        # The scheduler's jobs.
        "SCAN_INTERVAL_SECONDS": _env_int("SCAN_INTERVAL_SECONDS", 300),
        "DISPATCH_INTERVAL_SECONDS": _env_int("DISPATCH_INTERVAL_SECONDS", 10),
        "DIGEST_HOUR": _env_int("DIGEST_HOUR", 8),
        "DISPATCH_LEASE_SECONDS": _env_int("DISPATCH_LEASE_SECONDS", 120),
        "DISPATCH_RETRY_SECONDS": _env_int("DISPATCH_RETRY_SECONDS", 60),
        "DISPATCH_MAX_ATTEMPTS": _env_int("DISPATCH_MAX_ATTEMPTS", 6),
        # Email over SMTP.
        "MAIL_HOST": _env("MAIL_HOST", "127.0.0.1"),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_SECURITY": _env("MAIL_SECURITY", "none"),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_FROM": _env("MAIL_FROM", "Monitoris <monitoris@localhost>"),
        # SMS: "console" (development: written to the log) or "http" (a JSON gateway).
        "SMS_GATEWAY": _env("SMS_GATEWAY", "console"),
        "SMS_URL": _env("SMS_URL"),
        "SMS_TOKEN": _env("SMS_TOKEN"),
        "SMS_SENDER": _env("SMS_SENDER"),
        # API: personal access tokens, rate limits, the live feed (Server-Sent Events).
        "API_TOKEN_DEFAULT_DAYS": _env_int("API_TOKEN_DEFAULT_DAYS", 90),
        "API_TOKEN_MAX_DAYS": _env_int("API_TOKEN_MAX_DAYS", 365),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        # Keys in the shared store start with this: installations sharing one Redis keep their counts apart.
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", "monitoris"),
        "RATELIMIT_LOGIN": _env("RATELIMIT_LOGIN", "10 per minute;100 per hour"),
        "RATELIMIT_TOKENS": _env("RATELIMIT_TOKENS", "10 per minute;100 per hour"),
        "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After on a 429
        # The test suite logs in hundreds of times from one address; its rate-limit tests switch this on.
        "RATELIMIT_APPLY": _env_bool("RATELIMIT_APPLY", env != "testing"),
        "SSE_POLL_SECONDS": _env_float("SSE_POLL_SECONDS", 1),
        "SSE_HEARTBEAT_SECONDS": _env_float("SSE_HEARTBEAT_SECONDS", 15),
        "SSE_RECHECK_SECONDS": _env_float("SSE_RECHECK_SECONDS", 30),
        # A stream ends after this long; the browser reconnects at once with Last-Event-ID.
        "SSE_MAX_SECONDS": _env_float("SSE_MAX_SECONDS", 600),
        # Performance analysis: the discipline index's weights and grade bands (docs/analysis.md).
        "ANALYSIS_WEIGHTS": analysis_weights,
        "ANALYSIS_BANDS": analysis_bands,
    }
    config.update(overrides)
    # A read replica (streaming replication of the primary): analysis and exports read from it when set.
    replica_url = config.get("REPLICA_DATABASE_URL", _env("REPLICA_DATABASE_URL"))
    if replica_url:
        config["REPLICA_DATABASE_URL"] = _driver_url(replica_url)
        # Its connections are checked before use and speak UTC as the primary's do (database.configure_postgresql).
        config.setdefault("SQLALCHEMY_BINDS", {})["replica"] = {"url": config["REPLICA_DATABASE_URL"]}
    if env == "production" and config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        # Not refused (one process on one host is a fine installation), but each process then counts alone:
        # with N processes a client gets N times the limit.  README "Several processes and hosts".
        logging.getLogger(__name__).warning(
            "%sRATELIMIT_STORAGE_URI is memory://: each web process counts the rate limits on its own. "
            "Point every process at one store, e.g. redis://127.0.0.1:6379", PREFIX)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(env, instance_path)
    if "TOTP_KEYS" not in config:
        config["TOTP_KEYS"] = _totp_keys(env, config["SECRET_KEY"])
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    return config
