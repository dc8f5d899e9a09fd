"""TOTP secrets are sealed at rest with a key from the environment (monitoris.secretbox, migration 0007):
the database never holds a secret in clear; a secret stored in clear before is still read and is sealed
at its next use; keys rotate; a wrong key fails loudly."""

import logging
import re
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from monitoris import create_app, secretbox
from monitoris.config import ConfigError, load
from monitoris.extensions import db
from monitoris.models import User
from monitoris.services import two_factor
from tests.conftest import PG_ADMIN_URL, TEST_DB
from tests.factories import make_user
from tests.security.conftest import SECRET, code_at, enrol, login_with_code


def _stored(user):
    """What the database holds in users.totp_secret, read past the model."""
    return db.session.execute(sa.text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar()


def _store_in_clear(user, secret=SECRET):
    """As a database written before migration 0007 (or by an old process) holds it."""
    db.session.execute(sa.text("UPDATE users SET totp_secret = :s WHERE id = :id"), {"s": secret, "id": user.id})
    db.session.expire(user)


def test_enabling_stores_the_secret_sealed(clock):
    user = make_user()
    two_factor.enable(user, SECRET, code_at(clock))
    db.session.flush()
    stored = _stored(user)
    assert stored.startswith("fernet:") and SECRET not in stored and len(stored) <= secretbox.SEALED_LENGTH
    db.session.expire(user)
    assert user.totp_secret == SECRET  # the model reads it back in clear
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.totp_secret.is_not(None))) == 1


def test_each_sealing_differs(app):
    assert secretbox.seal(SECRET) != secretbox.seal(SECRET)
    assert secretbox.unseal(secretbox.seal(SECRET)) == SECRET


def test_a_secret_stored_in_clear_still_works_and_is_sealed_at_its_next_use(app, clock, w):
    enrol(w.exec_sa)
    db.session.flush()
    _store_in_clear(w.exec_sa)
    assert _stored(w.exec_sa) == SECRET
    assert w.exec_sa.totp_secret == SECRET
    b = login_with_code(app, w.exec_sa, code_at(clock))
    assert b.get("/").status_code == 200
    stored = _stored(w.exec_sa)
    assert stored.startswith("fernet:") and SECRET not in stored
    assert secretbox.unseal(stored) == SECRET


def test_a_rotated_key_still_opens_and_the_next_use_seals_with_the_new_key(app, clock, w, monkeypatch):
    old, new = app.config["TOTP_KEYS"][0], secretbox.new_key()
    enrol(w.exec_sa)
    db.session.flush()
    sealed_with_old = _stored(w.exec_sa)
    monkeypatch.setitem(app.config, "TOTP_KEYS", [new, old])
    db.session.expire(w.exec_sa)
    assert w.exec_sa.totp_secret == SECRET
    login_with_code(app, w.exec_sa, code_at(clock))
    resealed = _stored(w.exec_sa)
    assert resealed != sealed_with_old
    assert secretbox.unseal(resealed, keys=[new]) == SECRET  # the old key is no longer needed


def test_a_wrong_key_fails_loudly_rather_than_guessing(app, w, monkeypatch):
    enrol(w.exec_sa)
    db.session.flush()
    monkeypatch.setitem(app.config, "TOTP_KEYS", [secretbox.new_key()])
    db.session.expire(w.exec_sa)
    with pytest.raises(RuntimeError, match="MONITORIS_TOTP_KEY"):
        w.exec_sa.totp_secret  # noqa: B018 - loading is the point


# -- configuration ----------------------------------------------------------------------------------------

@pytest.fixture
def clean_environment(monkeypatch):
    for name in ("ENV", "SECRET_KEY", "TOTP_KEY"):
        monkeypatch.delenv(f"MONITORIS_{name}", raising=False)


def test_development_derives_the_key_from_the_secret_key(clean_environment, tmp_path):
    first = load(tmp_path)
    assert first["TOTP_KEYS"] == [secretbox.derive_key(first["SECRET_KEY"])]
    assert load(tmp_path)["TOTP_KEYS"] == first["TOTP_KEYS"]  # stable across restarts
    assert load(tmp_path / "other")["TOTP_KEYS"] != first["TOTP_KEYS"]


def test_the_key_comes_from_the_environment_and_may_list_old_ones(clean_environment, monkeypatch, tmp_path):
    new, old = secretbox.new_key(), secretbox.new_key()
    monkeypatch.setenv("MONITORIS_TOTP_KEY", f"{new}, {old}")
    assert load(tmp_path)["TOTP_KEYS"] == [new, old]
    monkeypatch.setenv("MONITORIS_TOTP_KEY", f"{new},derived")
    config = load(tmp_path)
    assert config["TOTP_KEYS"] == [new, secretbox.derive_key(config["SECRET_KEY"])]


def test_a_malformed_key_is_a_clear_error(clean_environment, monkeypatch, tmp_path):
    monkeypatch.setenv("MONITORIS_TOTP_KEY", "not-a-key")
    with pytest.raises(ConfigError, match="MONITORIS_TOTP_KEY: key 1 is not a Fernet key"):
        load(tmp_path)


def test_production_without_a_key_warns(clean_environment, monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("MONITORIS_ENV", "production")
    monkeypatch.setenv("MONITORIS_SECRET_KEY", "k" * 64)
    with caplog.at_level(logging.WARNING, logger="monitoris.config"):
        assert load(tmp_path)["TOTP_KEYS"] == [secretbox.derive_key("k" * 64)]
    assert "MONITORIS_TOTP_KEY is not set" in caplog.text
    caplog.clear()
    monkeypatch.setenv("MONITORIS_TOTP_KEY", secretbox.new_key())
    with caplog.at_level(logging.WARNING, logger="monitoris.config"):
        load(tmp_path)
    assert "TOTP_KEY" not in caplog.text


# -- migration 0007 on a database of the previous release -------------------------------------------------

@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database of the leg's kind, dropped afterwards."""
    if TEST_DB != "postgresql":
        yield f"sqlite:///{tmp_path / 'previous-release.db'}"
        return
    name = f"monitoris_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL).replace("postgresql://", "postgresql+psycopg://")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migration_0007_seals_the_secrets_already_there_and_its_downgrade_opens_them(fresh_database_url, tmp_path):
    other = create_app({"ENV_NAME": "testing", "TESTING": True, "SECRET_KEY": "another-secret-key",
                        "SQLALCHEMY_DATABASE_URI": fresh_database_url, "INSTANCE_PATH": str(tmp_path / "instance")})
    now = datetime(2026, 6, 1, tzinfo=UTC)
    with other.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO organizations (id, name, short_name, kind, path, active, created_at, version) "
                "VALUES (1, 'State Agency', 'SA', 'central', '/1/', true, :now, 1)"), {"now": now})
            for user_id, secret in ((1, SECRET), (2, None)):
                connection.execute(sa.text(
                    "INSERT INTO users (id, email, name, locale, organization_id, totp_secret, active, failed_logins, "
                    "created_at, version) VALUES (:id, :email, 'Someone', 'en', 1, :secret, true, 0, :now, 1)"),
                    {"id": user_id, "email": f"user{user_id}@example.test", "secret": secret, "now": now})

        def stored():
            with db.engine.connect() as connection:
                return dict(connection.execute(sa.text("SELECT id, totp_secret FROM users")).all())

        upgrade(revision="0007")
        after = stored()
        assert after[2] is None and after[1].startswith("fernet:") and SECRET not in after[1]
        assert secretbox.unseal(after[1]) == SECRET  # with this app's key
        upgrade(revision="0007")  # already there: nothing sealed twice
        assert stored() == after
        downgrade(revision="0006")
        assert stored() == {1: SECRET, 2: None}
        db.engine.dispose()
