"""Shared bench plumbing: a fresh PostgreSQL database built by the migrations, an app on it, timing."""

import http.client
import json
import os
import socket
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from flask_migrate import upgrade

from monitoris import create_app
from monitoris.clock import FrozenClock

ADMIN_URL = os.environ.get("MONITORIS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def bench_database(prefix="monitoris_bench"):
    """A new, migrated PostgreSQL database; dropped afterwards unless MONITORIS_BENCH_KEEP is set."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(ADMIN_URL, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        if not os.environ.get("MONITORIS_BENCH_KEEP"):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def make_app(url, instance, clock_at=None, **config):
    app = create_app({
        "ENV_NAME": "testing", "SECRET_KEY": "bench", "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
        "CLOCK": FrozenClock(clock_at or datetime.now(UTC)), **config,
    })
    with app.app_context():
        upgrade(revision="heads")  # other branches may land in parallel; the lead chains them
    return app


def timed(function, repeat=5):
    """Median wall time in milliseconds of ``function()`` over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def free_port():
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, seconds=30, path="/readyz"):
    """Wait until the server on ``port`` answers ``path`` with 200; RuntimeError after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not become ready")


def cpu_seconds(pids):
    """{pid: user and system CPU seconds used so far} of the processes ``pids`` that are still there (Linux's
    /proc; None elsewhere)."""
    if not os.path.isdir("/proc/self"):
        return None
    seconds = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile (a backend of a connection just closed, say)
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def cpu_used(before, after):
    """The CPU seconds used between two ``cpu_seconds`` readings by the processes in both (None without /proc)."""
    if before is None or after is None:
        return None
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def child_pids(pid):
    """The direct children of process ``pid`` (gunicorn's workers, say); [] where /proc is missing."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def backend_pids(url):
    """The PostgreSQL server processes serving connections to the database of ``url`` (not this one)."""
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        return [pid for (pid,) in admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))]


def figure(name, value, unit, digits=1):
    """Print ``name: value unit`` (a float with ``digits`` decimals); with ``MONITORIS_BENCH_JSON`` naming a file,
    also append the figure to it as one JSON line, for machines: ``{"bench", "name", "value", "unit"}``."""
    print(f"{name}: {value:.{digits}f} {unit}" if isinstance(value, float) else f"{name}: {value} {unit}",
          flush=True)
    path = os.environ.get("MONITORIS_BENCH_JSON")
    if path:
        line = {"bench": Path(sys.argv[0]).stem, "name": name, "value": value, "unit": unit.strip()}
        with open(path, "a") as f:
            f.write(json.dumps(line, default=str) + "\n")
