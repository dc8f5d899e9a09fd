"""``flask --app monitoris backup [PATH]`` and ``restore PATH``: the database and the document store in one archive.

The archive is a ``.tar.gz`` with ``manifest.json`` (format, application version, Alembic revisions,
database dialect, rows per table, sha256 and size of every member), the database (PostgreSQL:
``pg_dump --format=custom``; SQLite: a copy made with SQLite's online backup API) and
``documents/`` (the files under ``UPLOAD_FOLDER``).

Consistency: on PostgreSQL the row counts and ``pg_dump`` read one exported snapshot, so the
manifest describes exactly the dump; the documents are copied after it, and since a document's
file is written before the row that names it commits, every document the dump names is in the
archive.  ``restore`` goes only into an empty installation, checks every checksum before it
touches anything, and afterwards checks the rows per table and the audit chain.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from monitoris.extensions import db
from monitoris.services import audit

FORMAT = 1
CHUNK = 1024 * 1024
PART_SUFFIX = ".part"  # an interrupted upload (monitoris.documents.storage); never part of a backup


class BackupError(click.ClickException):
    pass


def register(app):
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _app_version():
    try:
        return metadata.version("monitoris")
    except metadata.PackageNotFoundError:
        return "unknown"


def _tables(connection):
    return sorted(t for t in sa.inspect(connection).get_table_names() if t != "alembic_version")


def _counts(connection):
    return {t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in _tables(connection)}


def _revisions(connection):
    if "alembic_version" not in sa.inspect(connection).get_table_names():
        return []
    return sorted(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def _libpq(url):
    """(conninfo URL without the password, environment with PGPASSWORD) for pg_dump / pg_restore."""
    url = sa.engine.make_url(url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools, e.g. apt install postgresql-client).")
    return path


def _run(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


# -- backup ------------------------------------------------------------------------------------------------------

def _dump_postgresql(engine, work):
    """pg_dump of the snapshot the counts were read in."""
    target = work / "database.dump"
    conninfo, env = _libpq(engine.url)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
            counts, revisions = _counts(connection), _revisions(connection)
            # The transaction stays open until pg_dump has attached to its snapshot and finished.
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={target}", f"--dbname={conninfo}"], env)
    return target, counts, revisions


def _dump_sqlite(engine, work):
    target = work / "database.sqlite3"
    source = sqlite3.connect(engine.url.database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # consistent even while others write (it restarts when the source changes)
    finally:
        copy.close()
        source.close()
    with sa.create_engine(f"sqlite:///{target}").connect() as connection:
        counts, revisions = _counts(connection), _revisions(connection)
    return target, counts, revisions


def documents(folder):
    """Every stored file under ``folder`` (relative path -> absolute path), interrupted uploads aside."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(PART_SUFFIX)}


def backup(path):
    """Write the archive to ``path``; returns its manifest."""
    engine = db.engine
    dialect = engine.dialect.name
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="monitoris-backup-") as tmp:
        work = Path(tmp)
        if dialect == "postgresql":
            dump, counts, revisions = _dump_postgresql(engine, work)
        elif dialect == "sqlite":
            dump, counts, revisions = _dump_sqlite(engine, work)
        else:
            raise BackupError(f"Backups of {dialect} databases are not supported.")
        files = {dump.name: dump}
        files.update({f"documents/{name}": p for name, p in documents(current_app.config["UPLOAD_FOLDER"]).items()})
        manifest = {
            "format": FORMAT,
            "application": "monitoris",
            "app_version": _app_version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "dialect": dialect,
            "alembic_revisions": revisions,
            "database": dump.name,
            "counts": counts,
            "members": {name: {"sha256": _sha256(p), "size": p.stat().st_size} for name, p in files.items()},
        }
        partial = path.with_name(path.name + PART_SUFFIX)
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            for name, p in files.items():
                tar.add(p, arcname=name, recursive=False)
        os.replace(partial, path)  # a half-written archive never carries the final name
    return manifest


# -- restore -----------------------------------------------------------------------------------------------------

@contextmanager
def _unpacked(path):
    """The archive unpacked into a temporary directory, every member checked against the manifest."""
    with tempfile.TemporaryDirectory(prefix="monitoris-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(path, "r:gz") as tar:
                tar.extractall(work, filter="data")  # no absolute paths, no "..", no links out of work
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc
        manifest_path = work / "manifest.json"
        if not manifest_path.is_file():
            raise BackupError(f"{path} has no manifest.json: not a Monitoris backup.")
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Backup format {manifest.get('format')!r} is not supported "
                              f"(this version reads {FORMAT}).")
        for name, member in manifest["members"].items():
            file = work / name
            if not file.is_file() or _sha256(file) != member["sha256"]:
                raise BackupError(f"{name} is missing from the archive or damaged (checksum mismatch).")
        yield work, manifest


def _holds_data(connection):
    return {t: n for t, n in _counts(connection).items() if n}


def _restore_postgresql(engine, dump):
    with engine.connect() as connection:
        migrated = bool(_tables(connection))
    conninfo, env = _libpq(engine.url)
    engine.dispose()
    # A migrated but empty installation: its (empty) tables are dropped and recreated by the dump.  Loading
    # uses COPY (inserts), which the events table's append-only trigger allows; it refuses only UPDATE,
    # DELETE and TRUNCATE, none of which a restore does.
    clean = ["--clean", "--if-exists"] if migrated else []
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          *clean, f"--dbname={conninfo}", str(dump)], env)


def _restore_sqlite(engine, dump):
    engine.dispose()
    source = sqlite3.connect(dump)
    target = sqlite3.connect(engine.url.database)
    try:
        source.backup(target)  # replaces the whole (empty) database, schema included
    finally:
        target.close()
        source.close()


def restore(path):
    """Bring the archive back into this (empty) installation; returns (manifest, rows per table now)."""
    engine = db.engine
    dialect = engine.dialect.name
    with _unpacked(path) as (work, manifest):
        if manifest["dialect"] != dialect:
            raise BackupError(f"This backup is of a {manifest['dialect']} database; "
                              f"this installation uses {dialect}.")
        with engine.connect() as connection:
            data = _holds_data(connection)
        if data:
            raise BackupError("The database is not empty (" + ", ".join(f"{t}: {n}" for t, n in data.items())
                              + "); restore goes only into an empty installation.")
        db.session.remove()
        dump = work / manifest["database"]
        if dialect == "postgresql":
            _restore_postgresql(engine, dump)
        else:
            _restore_sqlite(engine, dump)
        upload = Path(current_app.config["UPLOAD_FOLDER"])
        for name in manifest["members"]:
            if not name.startswith("documents/"):
                continue
            target = upload / name[len("documents/"):]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / name, target)
    with engine.connect() as connection:
        counts = _counts(connection)
    return manifest, counts


# -- commands ----------------------------------------------------------------------------------------------------

@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def backup_command(path):
    """Write the database and the documents to one archive (default: instance/backups/monitoris-<time>.tar.gz)."""
    if path is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(current_app.instance_path) / "backups" / f"monitoris-{stamp}.tar.gz"
    manifest = backup(path)
    documents_count = sum(1 for name in manifest["members"] if name.startswith("documents/"))
    click.echo(f"Backup written to {path}: {sum(manifest['counts'].values())} rows in {len(manifest['counts'])} "
               f"tables, {documents_count} documents, revision {', '.join(manifest['alembic_revisions'])}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_command(path):
    """Restore an archive written by `backup` into this empty installation, then verify it."""
    manifest, counts = restore(path)
    wrong = {t: (n, counts.get(t)) for t, n in manifest["counts"].items() if counts.get(t) != n}
    if wrong:
        raise BackupError("Restored, but the rows differ from the backup: "
                          + ", ".join(f"{t} {want} != {got}" for t, (want, got) in wrong.items()))
    report = audit.verify_chain()
    if not report.ok:
        raise BackupError(f"Restored, but the audit chain does not verify at event {report.bad_event_id}: "
                          f"{report.reason}.")
    documents_count = sum(1 for name in manifest["members"] if name.startswith("documents/"))
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables and {documents_count} documents; "
               f"audit chain intact ({report.checked} events).")
