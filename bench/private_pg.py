"""A private PostgreSQL server for one run: ``initdb`` in a temporary directory, ``pg_ctl`` on a free port.

For what must not touch a shared server (bench/pg_restart.py restarts and stops it).  The binaries are taken
from ``MONITORIS_PG_BINDIR`` or the newest ``/usr/lib/postgresql/<version>/bin`` (Debian, Ubuntu), else from
the PATH.  PostgreSQL refuses to run as root, so as root every command runs as the ``postgres`` OS user
(``runuser``, else ``su``) and the directory is handed to it.  The server listens on 127.0.0.1 only, with
trust authentication for the ``postgres`` role, and its socket in the temporary directory.  On the way out
it is stopped and the directory removed, even after a failure.
"""

import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.common import free_port

OS_USER = "postgres"
# Generous: the machines this runs on are small and busy.
PG_CTL_WAIT_SECONDS = 120


class PrivateServerUnavailable(RuntimeError):
    """The PostgreSQL server binaries, or the OS user to run them as, are missing."""


def find_bindir():
    """The directory holding ``initdb`` and ``pg_ctl``; PrivateServerUnavailable when there is none."""
    candidates = []
    if os.environ.get("MONITORIS_PG_BINDIR"):
        candidates.append(Path(os.environ["MONITORIS_PG_BINDIR"]))
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versions, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)], reverse=True)
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).parent)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    raise PrivateServerUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl) in MONITORIS_PG_BINDIR, /usr/lib/postgresql/<version>/bin "
        "or the PATH: install the server package (e.g. apt-get install postgresql)")


def _as_server_user():
    """The command prefix that runs a program as the OS user owning the server, and that user (None: ourselves)."""
    if os.geteuid() != 0:
        return (lambda cmd: cmd), None
    try:
        user = pwd.getpwnam(OS_USER)
    except KeyError:
        raise PrivateServerUnavailable(
            f"running as root, and PostgreSQL refuses to: the {OS_USER!r} OS user to run it as does not exist "
            "(it comes with the server package)") from None
    if shutil.which("runuser"):
        return (lambda cmd: ["runuser", "-u", OS_USER, "--", *cmd]), user
    if shutil.which("su"):
        return (lambda cmd: ["su", OS_USER, "-s", "/bin/sh", "-c", shlex.join(cmd)]), user
    raise PrivateServerUnavailable(f"running as root, and neither runuser nor su is there to become {OS_USER!r}")


class PrivateServer:
    """One initialized data directory and the server on it (``start``, ``stop``, ``restart``)."""

    def __init__(self, directory, bindir, wrap):
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.bindir = bindir
        self.wrap = wrap
        self.port = None

    @property
    def admin_url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program, *args):
        result = subprocess.run(self.wrap([str(self.bindir / program), *args]), capture_output=True, text=True,
                                timeout=PG_CTL_WAIT_SECONDS + 30)
        if result.returncode:
            raise RuntimeError(f"{program} {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}\n"
                               f"server log:\n{self.log_tail()}")
        return result

    def log_tail(self, lines=20):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def initdb(self):
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.port = free_port()
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.directory}'\nshared_buffers = 32MB\n")

    def pg_ctl(self, action, *options):
        return self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w",
                         "-t", str(PG_CTL_WAIT_SECONDS), *options)

    def start(self):
        self.pg_ctl("start")

    def stop(self, mode="fast"):
        self.pg_ctl("stop", "-m", mode)

    def restart(self, mode="fast"):
        self.pg_ctl("restart", "-m", mode)

    def create_database(self, prefix="monitoris"):
        """A new, empty database on this server; its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def kill(self):
        """Stop the server however it can be: pg_ctl, else SIGQUIT to the postmaster this directory names."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            self.stop("immediate")
            return
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        try:
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)
        except (OSError, ValueError, IndexError):
            pass


@contextmanager
def private_server():
    """A started private server (PrivateServer); stopped and its directory removed on the way out."""
    bindir = find_bindir()
    wrap, user = _as_server_user()
    directory = tempfile.mkdtemp(prefix="monitoris_pg_")
    server = PrivateServer(directory, bindir, wrap)
    try:
        if user is not None:
            os.chown(directory, user.pw_uid, user.pw_gid)
        server.initdb()
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(directory, ignore_errors=True)
