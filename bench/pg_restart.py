"""The web tier across a PostgreSQL restart and outage: clean 503s meanwhile, success right after, nothing lost.

``python -m bench.pg_restart`` runs against a private PostgreSQL server of its own (bench/private_pg.py:
``initdb`` in a temporary directory, ``pg_ctl`` on a free port, as the ``postgres`` OS user when run as root),
so it harms nobody; ``tests/perf/test_pg_restart.py`` runs the same ``run`` in the PostgreSQL leg of the suite.
Against a server of your own instead (it is restarted, and stopped if you say how: never a shared one), with
the database created on ``MONITORIS_BENCH_PG_URL``::

    python -m bench.pg_restart --i-own-this-server --restart "pg_ctlcluster 15 main restart" \\
        [--stop "pg_ctlcluster 15 main stop" --start "pg_ctlcluster 15 main start"]

It builds a small dataset (bench.datagen at scale 0.01) in a fresh database, starts gunicorn
(monitoris.gunicorn_config, 2 workers x 4 threads), and while client threads read the assignment list and
one assignment and write it (PATCH the note with If-Match, as the controller) and a probe polls /readyz:

1. restarts the server (private: ``pg_ctl restart -m fast``);
2. stops it (private: ``pg_ctl stop -m immediate``, a crash), keeps it down ``--down`` seconds, starts it.

Then it prints ``name: value unit`` lines and checks that every answer was 200, 412 (a write raced another)
or 503, the 412s and 503s problem+json and the 503s with Retry-After, no connection dropped; that requests
and /readyz answered 503 while the server was down; that once the server was back nothing sent answered 503
(the pool pre-pings) and requests and /readyz succeeded within ``RECOVERY_LIMIT`` seconds; and that every
write answered 200 is in the database (its version or a later one).  Exits 1 on any violation.
"""

import argparse
import http.client
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.common import bench_database, figure, make_app
from bench.datagen import generate
from bench.list_api import gunicorn, setup_tokens
from bench.private_pg import private_server
from monitoris.extensions import db

CLIENTS = 4
# Assignments the clients write (of the 2,000 at scale 0.01): few enough that two clients sometimes collide (412).
WRITTEN = 50
# Requests must succeed again within this many seconds of the server being back.
RECOVERY_LIMIT = 5.0
PROBLEM_JSON = "application/problem+json"


@dataclass
class Answer:
    kind: str  # list, read, write, readyz
    sent: float  # time.monotonic()
    done: float
    status: int | None  # None: the connection failed or dropped
    content_type: str = ""
    retry_after: str | None = None
    etag: str | None = None
    detail: str = ""


@dataclass
class Outcome:
    figures: dict = field(default_factory=dict)  # name -> (value, unit), in print order
    violations: list = field(default_factory=list)
    log: str = ""  # the errors in gunicorn's log, when something went wrong


class ShellOutages:
    """A server of your own, driven by shell commands (``stop`` and ``start`` optional)."""

    def __init__(self, restart, stop=None, start=None):
        self.commands = {"restart": restart, "stop": stop, "start": start}

    def can_stop(self):
        return bool(self.commands["stop"] and self.commands["start"])

    def _run(self, name):
        subprocess.run(self.commands[name], shell=True, check=True)

    def restart(self):
        self._run("restart")

    def stop(self):
        self._run("stop")

    def start(self):
        self._run("start")


class PrivateOutages:
    """The private server's restart (fast shutdown) and outage (immediate shutdown: a crash, WAL replay after)."""

    def __init__(self, server):
        self.server = server

    def can_stop(self):
        return True

    def restart(self):
        self.server.restart("fast")

    def stop(self):
        self.server.stop("immediate")

    def start(self):
        self.server.start()


class Traffic:
    """Client threads reading and writing through the API, and a /readyz probe, each answer recorded."""

    def __init__(self, port, token):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.answers = []
        self.confirmed = {}  # assignment id -> highest version a 200 PATCH answered
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.crashes = []  # a client thread that died would quietly thin out the traffic
        self.threads = [threading.Thread(target=self._guarded, args=(self._client, i)) for i in range(CLIENTS)]
        self.threads.append(threading.Thread(target=self._guarded, args=(self._probe,)))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        for t in self.threads:
            t.join(timeout=60)

    def _guarded(self, target, *args):
        try:
            target(*args)
        except Exception as exc:  # noqa: BLE001 - reported as a violation
            self.crashes.append(repr(exc))

    def _request(self, conn, kind, method, path, body=None, headers=None):
        """(connection to use next, Answer, parsed JSON body or None)."""
        sent = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            answer = Answer(kind, sent, time.monotonic(), None, detail=repr(exc))
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            payload = None
        else:
            answer = Answer(kind, sent, time.monotonic(), response.status, response.headers.get("Content-Type", ""),
                            response.headers.get("Retry-After"), response.headers.get("ETag"),
                            raw[:200].decode(errors="replace"))
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
        with self.lock:
            self.answers.append(answer)
        return conn, answer, payload

    def _client(self, worker):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        rng = random.Random(worker)
        n = 0
        while not self.done.is_set():
            n += 1
            assignment_id = rng.randint(1, WRITTEN)
            query = urllib.parse.urlencode({"page_size": 20, "page": 1 + n % 5})
            conn, _, _ = self._request(conn, "list", "GET", f"/api/v1/assignments?{query}", headers=self.headers)
            path = f"/api/v1/assignments/{assignment_id}"
            conn, answer, _ = self._request(conn, "read", "GET", path, headers=self.headers)
            if answer.status == 200:
                note = json.dumps({"note": f"restart check {worker}.{n}"})
                conn, answer, payload = self._request(conn, "write", "PATCH", path, body=note,
                                                      headers=self.headers | {"If-Match": answer.etag})
                if answer.status == 200:
                    with self.lock:
                        version = payload["version"]
                        self.confirmed[assignment_id] = max(version, self.confirmed.get(assignment_id, 0))
            time.sleep(0.01)
        conn.close()

    def _probe(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        while not self.done.is_set():
            conn, _, _ = self._request(conn, "readyz", "GET", "/readyz")
            time.sleep(0.1)
        conn.close()


def run(url, outages, *, settle=3.0, down=2.5):
    """Fill the empty database at ``url``, serve it with gunicorn and put the traffic through ``outages``."""
    marks = {}
    with tempfile.TemporaryDirectory() as instance:
        app = make_app(url, instance)
        generate(url, 0.01, history=False)
        controller_id, _, token_of, _, _ = setup_tokens(app)
        with app.app_context():
            db.engine.dispose()
        try:
            with gunicorn(url, instance, 2, 4) as port, Traffic(port, token_of[controller_id]) as traffic:
                time.sleep(settle)
                marks["restart sent"] = time.monotonic()
                outages.restart()
                marks["restart back"] = time.monotonic()
                time.sleep(settle)
                if outages.can_stop():
                    marks["stop sent"] = time.monotonic()
                    outages.stop()
                    marks["stopped"] = time.monotonic()
                    time.sleep(down)
                    marks["start sent"] = time.monotonic()
                    outages.start()
                    marks["back"] = time.monotonic()
                    time.sleep(settle)
                marks["end"] = time.monotonic()
        except BaseException as exc:
            exc.add_note("errors in gunicorn's log:\n" + _errors(Path(instance) / "gunicorn.log"))
            raise
        with psycopg.connect(url) as conn:
            versions = dict(conn.execute("SELECT id, version FROM assignments WHERE id = ANY(%s)",
                                         (list(traffic.confirmed),)).fetchall())
        outcome = judge(traffic.answers, traffic.confirmed, versions, marks)
        outcome.violations += [f"a client thread failed: {crash}" for crash in traffic.crashes]
        if outcome.violations:
            outcome.log = _errors(Path(instance) / "gunicorn.log")
    return outcome


def _errors(path, limit=8000):
    """The records of gunicorn's log at level ERROR (with their tracebacks), the last ``limit`` characters."""
    try:
        records = re.split(r"\n(?=\[\d{4}-)", path.read_text(errors="replace"))
    except OSError as exc:
        return repr(exc)
    return "\n".join(r for r in records if "[ERROR]" in r or "] ERROR in " in r)[-limit:]


def _recovery(answers, back):
    """Seconds from ``back`` until the first answer 200 to a request sent after it (None: none came)."""
    first = min((a.done for a in answers if a.sent >= back and a.status == 200), default=None)
    return None if first is None else first - back


def judge(answers, confirmed, versions, marks):
    """The figures of a run and what in it breaks the promise (clean 503s, quick recovery, nothing lost)."""
    outcome = Outcome()
    figures, violations = outcome.figures, outcome.violations
    requests = [a for a in answers if a.kind != "readyz"]
    probes = [a for a in answers if a.kind == "readyz"]
    statuses = Counter(a.status for a in requests)
    figures["requests"] = (len(requests), "requests")
    for status in (200, 412, 503):
        figures[f"answers {status}"] = (statuses[status], "requests")
    figures["answers other or dropped"] = (len(requests) - sum(statuses[s] for s in (200, 412, 503)), "requests")
    figures["readyz probes"] = (len(probes), "probes")

    dropped = [a for a in answers if a.status is None]
    if dropped:
        violations.append(f"{len(dropped)} connections failed or dropped, e.g. {dropped[0].kind}: {dropped[0].detail}")
    for a in requests:
        if a.status is None:
            continue
        if a.status not in (200, 412, 503):
            violations.append(f"{a.kind} answered {a.status}: {a.detail}")
        elif a.status != 200 and a.content_type != PROBLEM_JSON:
            violations.append(f"{a.kind} answered {a.status} as {a.content_type!r}, not problem+json: {a.detail}")
        elif a.status == 503 and not a.retry_after:
            violations.append(f"{a.kind} answered 503 without Retry-After")
    for a in probes:
        if a.status not in (200, 503, None):
            violations.append(f"/readyz answered {a.status}: {a.detail}")
    if not any(a.status == 200 and a.done < marks["restart sent"] for a in requests):
        violations.append("no request succeeded before the restart")
    if not confirmed:
        violations.append("no write was answered 200")

    figures["restart took"] = (marks["restart back"] - marks["restart sent"], "s")
    figures["503 during the restart"] = (
        sum(a.status == 503 and marks["restart sent"] <= a.sent <= marks["restart back"] for a in requests),
        "requests")
    phases = [("restart", marks["restart back"], marks.get("stop sent", marks["end"]))]
    if "stopped" in marks:
        down_from, down_to = marks["stopped"], marks["start sent"]
        figures["down"] = (down_to - down_from, "s")
        figures["start took"] = (marks["back"] - down_to, "s")
        while_down = sum(a.status == 503 and down_from <= a.sent <= down_to for a in requests)
        ready_down = sum(a.status == 503 and down_from <= a.sent <= down_to for a in probes)
        figures["503 while down"] = (while_down, "requests")
        figures["readyz 503 while down"] = (ready_down, "probes")
        if not while_down:
            violations.append("no request answered 503 while the server was down: the run proved nothing")
        if not ready_down:
            violations.append("/readyz never answered 503 while the server was down")
        phases.append(("outage", marks["back"], marks["end"]))
    for phase, back, until in phases:
        recovery = _recovery(requests, back)
        ready = _recovery(probes, back)
        figures[f"recovery after the {phase}"] = (recovery if recovery is not None else float("nan"), "s")
        figures[f"readyz recovery after the {phase}"] = (ready if ready is not None else float("nan"), "s")
        if recovery is None or recovery > RECOVERY_LIMIT:
            violations.append(f"no request succeeded within {RECOVERY_LIMIT} s after the {phase}")
        if ready is None or ready > RECOVERY_LIMIT:
            violations.append(f"/readyz did not answer 200 within {RECOVERY_LIMIT} s after the {phase}")
        # Pre-ping replaces the dead connections at checkout, so nothing sent once the server is back may fail
        # (a request still running when the next outage began belongs to that one).
        for kind, answered in (("requests", requests), ("probes", probes)):
            failed = sum(a.status == 503 and back <= a.sent and a.done < until for a in answered)
            figures[f"{'readyz ' if kind == 'probes' else ''}503 sent after the {phase} was over"] = (failed, kind)
            if failed:
                violations.append(f"{failed} {kind} sent after the {phase} was over answered 503")
    if probes and probes[-1].status != 200:
        violations.append(f"/readyz answered {probes[-1].status} at the end")

    lost = {i: v for i, v in confirmed.items() if versions.get(i, 0) < v}
    figures["writes answered 200"] = (sum(a.kind == "write" and a.status == 200 for a in requests), "requests")
    figures["writes answered 412"] = (sum(a.kind == "write" and a.status == 412 for a in requests), "requests")
    figures["assignments written"] = (len(confirmed), "assignments")
    figures["confirmed writes lost"] = (len(lost), "assignments")
    if lost:
        violations.append(f"{len(lost)} writes answered 200 are not in the database: {sorted(lost)[:10]}")
    return outcome


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--i-own-this-server", action="store_true",
                        help="run against MONITORIS_BENCH_PG_URL, whose server the commands restart and stop")
    parser.add_argument("--restart", help="the shell command that restarts that server")
    parser.add_argument("--stop", help="the shell command that stops it (with --start: also an outage)")
    parser.add_argument("--start", help="the shell command that starts it again")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of traffic before and after each event")
    parser.add_argument("--down", type=float, default=2.5, help="seconds the server stays stopped")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        if args.i_own_this_server:
            if not args.restart:
                parser.error("--i-own-this-server needs --restart")
            url = stack.enter_context(bench_database("monitoris_restart"))
            outages = ShellOutages(args.restart, args.stop, args.start)
        else:
            server = stack.enter_context(private_server())
            url = server.create_database("monitoris_restart")
            outages = PrivateOutages(server)
        outcome = run(url, outages, settle=args.settle, down=args.down)
    for name, (value, unit) in outcome.figures.items():
        figure(name, round(value, 2) if isinstance(value, float) else value, unit)
    figure("violations", len(outcome.violations), "")
    for violation in outcome.violations:
        print(f"  {violation}")
    if outcome.violations:
        print(outcome.log, file=sys.stderr)
    return 1 if outcome.violations else 0


if __name__ == "__main__":
    sys.exit(main())
