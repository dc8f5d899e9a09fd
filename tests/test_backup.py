"""backup / restore round-trip the demo installation: every row, every document, the audit chain.

Each leg uses installations of its own (SQLite files in tmp dirs; on PostgreSQL two databases
created and dropped here), never the suite's shared test database."""

import io
import json
import re
import tarfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from flask_migrate import upgrade

from monitoris import backup, create_app, demo
from monitoris.extensions import db
from monitoris.services import audit
from tests.conftest import PG_ADMIN_URL, TEST_DB

DOCUMENTS = {"ab/cd/abcd" + "0" * 60: b"%PDF-1.7 a report\n", "12/34/1234" + "1" * 60: bytes(range(256)) * 512,
             "tmp/upload.part": b"an interrupted upload"}


@contextmanager
def installation(tmp_path, name, url):
    instance = tmp_path / name
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(instance),
                      "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(instance / "documents")})
    try:
        with app.app_context():
            yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def two_databases(tmp_path):
    if TEST_DB != "postgresql":
        yield f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"
        return
    admin = psycopg.connect(PG_ADMIN_URL, autocommit=True)
    names = [f"monitoris_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield tuple(re.sub(r"/[^/]*$", f"/{n}", PG_ADMIN_URL).replace("postgresql://", "postgresql+psycopg://")
                    for n in names)
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_backup_and_restore_round_trip_the_demo(tmp_path):
    archive = tmp_path / "monitoris.tar.gz"
    with two_databases(tmp_path) as (source_url, target_url):
        with installation(tmp_path, "source", source_url) as source:
            upgrade(revision="heads")
            demo.load()
            db.session.commit()
            folder = Path(source.config["UPLOAD_FOLDER"])
            for name, content in DOCUMENTS.items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(content)
            with db.engine.connect() as connection:
                before = backup._counts(connection)
            result = source.test_cli_runner().invoke(args=["backup", str(archive)])
            assert result.exit_code == 0, result.output
            # Restoring over data is refused, whatever the archive holds.
            refused = source.test_cli_runner().invoke(args=["restore", str(archive)])
            assert refused.exit_code != 0 and "not empty" in refused.output

        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
        assert manifest["counts"] == before
        assert manifest["counts"]["events"] > 10 and manifest["counts"]["assignments"] > 5
        assert manifest["alembic_revisions"]
        assert not any(name.endswith(".part") for name in manifest["members"])

        with installation(tmp_path, "target", target_url) as target:
            result = target.test_cli_runner().invoke(args=["restore", str(archive)])
            assert result.exit_code == 0, result.output
            assert "audit chain intact" in result.output
            with db.engine.connect() as connection:
                assert backup._counts(connection) == before
            assert audit.verify_chain().ok
            restored = Path(target.config["UPLOAD_FOLDER"])
            for name, content in DOCUMENTS.items():
                if name.endswith(".part"):
                    assert not (restored / name).exists()
                else:
                    assert (restored / name).read_bytes() == content


def test_a_damaged_archive_is_refused_before_anything_is_touched(tmp_path):
    archive = tmp_path / "monitoris.tar.gz"
    with installation(tmp_path, "one", f"sqlite:///{tmp_path / 'one.db'}") as app:
        upgrade(revision="heads")
        result = app.test_cli_runner().invoke(args=["backup", str(archive)])
        assert result.exit_code == 0, result.output
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "database.sqlite3":
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with installation(tmp_path, "two", f"sqlite:///{tmp_path / 'two.db'}") as app:
        result = app.test_cli_runner().invoke(args=["restore", str(damaged)])
        assert result.exit_code != 0
        assert "damaged" in result.output


@pytest.mark.postgresql
def test_restore_into_a_migrated_empty_postgresql_database(tmp_path):
    """An installation that ran `db upgrade` but holds nothing yet is empty too: its tables are replaced."""
    archive = tmp_path / "monitoris.tar.gz"
    with two_databases(tmp_path) as (source_url, target_url):
        with installation(tmp_path, "source", source_url) as source:
            upgrade(revision="heads")
            demo.load()
            db.session.commit()
            assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
        with installation(tmp_path, "target", target_url) as target:
            upgrade(revision="heads")
            result = target.test_cli_runner().invoke(args=["restore", str(archive)])
            assert result.exit_code == 0, result.output
            assert audit.verify_chain().ok
