"""The filtered assignment list through the API (gunicorn, concurrent clients) against its bare SQL.

``python -m bench.list_api [--scale 1] [--clients 8] [--requests 6000] [--rounds 3]`` builds the
national dataset in a fresh database, starts gunicorn with ``monitoris.gunicorn_config`` on a free
port, and sends the same mix of filtered list requests (page of 50; by organization, state, overdue,
act, and an executive body's own list) from ``--clients`` keep-alive connections.  The clients cost
little CPU (one socket each, request bytes prepared beforehand; only the status line, Content-Length
and the number of items are read from each answer), so that the server has the cores.

The baseline is the bare SQL each request needs: every statement the endpoint sends for it, captured
from the driver when the request is answered once in-process beforehand, and sent again straight from
psycopg with the same parameters (so that PostgreSQL prepares what it sees often, as for the app): the
token's lookup, an executive body's own bodies, the page and, when the page does not tell the total,
its count.  The page and the count alone are measured too ("page sql", the baseline before
2026-12-05).  The sides take turns (``--rounds``), each time on new connections, and count the items
they received.  Prints::

    list api p50: N ms          list bare sql p50: N ms          list page sql p50: N ms
    list api p95: N ms          list bare sql p95: N ms          list page sql p95: N ms
    list api throughput: N requests/s
    list ratio: N               (api p95 / bare sql p95)
    list ratio to page sql: N   (api p95 / page sql p95)
    list api items / list bare sql items / list page sql items: N items (equal: the same rows)
    list bare sql statements, list page sql statements: N statements/request
    list … client cpu, list api server cpu, list … database cpu: N ms/request
        (where the CPU went: the clients; gunicorn's workers; the database's backends)

``--url`` reuses a database that already holds the data (``MONITORIS_BENCH_KEEP=1`` keeps one).
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import sqlalchemy as sa

from bench.common import (
    backend_pids,
    bench_database,
    child_pids,
    cpu_seconds,
    cpu_used,
    figure,
    free_port,
    make_app,
    wait_ready,
)
from bench.datagen import generate
from monitoris.extensions import db
from monitoris.models import Organization, User, UserRole
from monitoris.services import tokens

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 50


def request_mix(controller_id, executor_id, organization_ids, act_ids, count, seed=11):
    """(user id, query parameters) for ``count`` requests: mostly the control body's filtered lists."""
    rng = random.Random(seed)
    kinds = [
        lambda: (controller_id, {"organization_id": rng.choice(organization_ids)}),
        lambda: (controller_id, {"state": "in_progress"}),
        lambda: (controller_id, {"overdue": "true"}),
        lambda: (controller_id, {"act_id": rng.choice(act_ids)}),
        lambda: (controller_id, {"organization_id": rng.choice(organization_ids), "state": ["assigned",
                                                                                             "in_progress"]}),
        lambda: (controller_id, {"state": "submitted", "page": rng.randint(1, 5)}),
        lambda: (executor_id, {}),
        lambda: (executor_id, {"overdue": "true"}),
    ]
    mix = []
    for _ in range(count):
        user_id, params = rng.choice(kinds)()
        mix.append((user_id, {"page_size": PAGE_SIZE, **params}))
    return mix


def sent_statements(app, mix, token_of):
    """The statements the endpoint sends for each request of ``mix``, as it sends them to psycopg: each request
    is answered once in-process (by the bench's app, on the same database) and every (SQL, parameters) that
    reached the driver is kept, in order.  Who is asking (the token), which bodies are theirs (an executive
    body's), the page and, when the page does not tell it, the count: the bare SQL the request needs.  Each
    token is used once beforehand, so that none of them writes its once-a-minute ``last_used_at`` meanwhile."""
    client, sent = app.test_client(), []
    with app.app_context():
        engine = db.engine

    def get(user_id, params):
        response = client.get("/api/v1/assignments", query_string=params,
                              headers={"Authorization": f"Bearer {token_of[user_id]}"})
        if response.status_code != 200:
            raise RuntimeError(f"{response.status} {response.get_data()[:200]!r}")

    for user_id in token_of:
        get(user_id, {"page_size": 1})

    def record(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    out = []
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        for user_id, params in mix:
            sent.clear()
            get(user_id, params)
            if not all(sql.lstrip().upper().startswith("SELECT") for sql, _ in sent):
                raise RuntimeError(f"a list request wrote: {[sql[:60] for sql, _ in sent]}")
            out.append(list(sent))
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return out


def page_and_count(statements):
    """Of a request's statements, those that read the assignments: the page and its count (the former
    baseline, without the token's and the bodies' lookups)."""
    return [(sql, params) for sql, params in statements if " assignments" in sql]


def drive(clients, work, deadline_seconds, make_worker):
    """Run ``work`` (a list of jobs) on ``clients`` threads; returns (latencies in ms, wall seconds, errors)."""
    latencies, errors, lock = [], [], threading.Lock()
    jobs = iter(work)
    stop_at = time.monotonic() + deadline_seconds

    def run():
        do = make_worker()
        mine = []
        while time.monotonic() < stop_at:
            with lock:
                job = next(jobs, None)
            if job is None:
                break
            start = time.perf_counter()
            try:
                do(job)
            except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
                errors.append(repr(exc))
                continue
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - start, errors


def api_request(params, token):
    """The raw bytes of one keep-alive GET of the list."""
    target = "/api/v1/assignments?" + urllib.parse.urlencode(params, doseq=True)
    return (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Accept: application/json\r\n\r\n").encode()


ITEM_MARK = b'"allowed_actions":'  # once per item (a quote inside a string value would be escaped)


def api_worker(port, items):
    """A client that costs little CPU: one socket, prepared request bytes, and only the status line, the
    Content-Length and the number of items read from each answer (the items are counted, not parsed)."""
    def make():
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = bytearray()

        def do(request):
            sock.sendall(request)
            while (end := buffer.find(b"\r\n\r\n")) < 0:
                buffer.extend(_recv(sock))
            head = bytes(buffer[:end]).lower()
            length = int(head[head.index(b"content-length:") + 15:].split(b"\r\n", 1)[0])
            while len(buffer) < end + 4 + length:
                buffer.extend(_recv(sock))
            body = bytes(buffer[end + 4:end + 4 + length])
            del buffer[:end + 4 + length]
            if not head.startswith(b"http/1.1 200 "):
                status = head.split(b"\r\n", 1)[0]
                raise RuntimeError(f"{status!r} {body[:200]!r}")
            items.append(body.count(ITEM_MARK))
        return do
    return make


def _recv(sock):
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed the connection")
    return chunk


def sql_worker(connections, items):
    """A client of its own connection (taken from ``connections``, opened beforehand and kept warm, as the app's
    pool keeps its own) that sends a request's statements one after the other.  The first that reads the
    assignments is the page: its rows are the items."""
    def make():
        conn = connections.pop()

        def do(statements):
            page = None
            for sql, params in statements:
                rows = conn.execute(sql, params).fetchall()
                if page is None and " assignments" in sql:
                    page = rows
            items.append(len(page or ()))
        return do
    return make


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


@contextmanager
def gunicorn(url, instance, workers, threads):
    """gunicorn on a free port: yields the port."""
    with gunicorn_process(url, instance, workers, threads) as (port, _process):
        yield port


@contextmanager
def gunicorn_process(url, instance, workers, threads):
    """gunicorn on a free port: yields (port, its master process)."""
    port = free_port()
    env = dict(os.environ, MONITORIS_DATABASE_URL=url, MONITORIS_SECRET_KEY="bench-" + "x" * 40,
               MONITORIS_ENV="production", MONITORIS_INSTANCE_PATH=str(instance), MONITORIS_UPLOAD_FOLDER=str(instance))
    log = open(Path(instance) / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:monitoris.gunicorn_config",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--access-logfile", str(Path(instance) / "access.log"), "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, seconds=20)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def setup_tokens(app):
    """A controller's and an executor's token; the executor works in a body with the most assignments."""
    with app.app_context():
        controller = db.session.scalar(sa.select(User).join(UserRole).where(UserRole.role == "controller")
                                       .order_by(User.id).limit(1))
        executor = db.session.scalar(sa.select(User).join(UserRole).where(UserRole.role == "executor")
                                     .order_by(User.id).limit(1))
        raw = {u.id: tokens.create_token(u, name="bench").token for u in (controller, executor)}
        orgs = db.session.scalars(sa.select(Organization.id).where(Organization.kind != "control")).all()
        acts = db.session.scalars(sa.text("SELECT id FROM acts")).all()
        db.session.commit()
        return controller.id, executor.id, raw, orgs, acts


def measured(clients, work, duration, make_worker, server_pids):
    """``drive`` the work; also the CPU seconds this process (the clients) and each group of processes
    ``server_pids()`` names ({"server": gunicorn's workers, "database": the database's backends}) used meanwhile
    (a group is None where /proc is missing; a process that ended meanwhile is left out)."""
    pids = server_pids()
    before, clients_before = {k: cpu_seconds(v) for k, v in pids.items()}, time.process_time()
    latencies, wall, errors = drive(clients, work, duration, make_worker)
    after, clients_after = {k: cpu_seconds(v) for k, v in pids.items()}, time.process_time()
    servers = {k: cpu_used(before[k], after[k]) for k in pids}
    return latencies, wall, errors, clients_after - clients_before, servers


@contextmanager
def _connections(url, count):
    """``count`` open connections (a list ``sql_worker``'s clients take theirs from), closed afterwards."""
    with ExitStack() as stack:
        yield [stack.enter_context(psycopg.connect(url, autocommit=True)) for _ in range(count)]


class _Totals:
    """``measured``'s figures summed over the rounds."""

    def __init__(self):
        self.latencies, self.wall, self.errors, self.client_cpu, self.server_cpu = [], 0.0, [], 0.0, {}

    def add(self, latencies, wall, errors, client_cpu, server_cpu):
        self.latencies += latencies
        self.wall += wall
        self.errors += errors
        self.client_cpu += client_cpu
        for name, seconds in server_cpu.items():
            known = self.server_cpu.get(name, 0.0)
            self.server_cpu[name] = None if seconds is None or known is None else known + seconds

    def figures(self):
        return self.latencies, self.wall, self.errors, self.client_cpu, self.server_cpu


def run(url, args, instance):
    app = make_app(url, instance)
    controller_id, executor_id, token_of, orgs, acts = setup_tokens(app)
    warm = request_mix(controller_id, executor_id, orgs, acts, max(50, args.requests // 10), seed=3)
    mix = request_mix(controller_id, executor_id, orgs, acts, args.requests)
    bare = sent_statements(app, mix, token_of)
    warm_bare = sent_statements(app, warm, token_of)
    with app.app_context():
        db.engine.dispose()
    # The former baseline: the page and its count alone.
    sides = {"bare sql": bare, "page sql": [page_and_count(statements) for statements in bare]}
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    requests = [api_request(params, token_of[user_id]) for user_id, params in mix]
    items = {name: [] for name in (*sides, "api")}
    totals = {name: _Totals() for name in (*sides, "api")}
    with gunicorn_process(plain_url, instance, args.workers, args.threads) as (port, process):
        with _connections(plain_url, args.clients) as connections:
            drive(args.clients, warm_bare, args.duration, sql_worker(connections, []))
        drive(args.clients, [api_request(p, token_of[u]) for u, p in warm], args.duration, api_worker(port, []))
        # Rounds, each the bare SQL, the page SQL then the API on its share of the mix, from new connections: a
        # slower moment of the machine, or clients that happened to land on the same gunicorn process, then
        # weigh on every side and on one round only.
        for share in range(args.rounds):
            for name, jobs in sides.items():
                with _connections(plain_url, args.clients) as connections:
                    backends = [c.info.backend_pid for c in connections]
                    totals[name].add(*measured(args.clients, jobs[share::args.rounds], args.duration,
                                               sql_worker(connections, items[name]),
                                               lambda backends=backends: {"database": backends}))
            totals["api"].add(*measured(args.clients, requests[share::args.rounds], args.duration,
                                        api_worker(port, items["api"]),
                                        lambda: {"server": child_pids(process.pid),
                                                 "database": backend_pids(plain_url)}))
    figures = {name: total.figures() for name, total in totals.items()}
    errors = {name: f[2] for name, f in figures.items() if f[2]}
    if errors:
        print("errors: " + ", ".join(f"{name} {len(e)} {e[:3]}" for name, e in errors.items()), file=sys.stderr)
    api_ms, api_wall, api_errors, api_client_cpu, api_server_cpu = figures["api"]
    results = {
        "list api p50": (statistics.median(api_ms), "ms"),
        "list api p95": (percentile(api_ms, 95), "ms"),
        "list api throughput": (len(api_ms) / api_wall, "requests/s"),
    }
    for name in sides:
        ms, wall = figures[name][:2]
        results[f"list {name} p50"] = (statistics.median(ms), "ms")
        results[f"list {name} p95"] = (percentile(ms, 95), "ms")
        results[f"list {name} throughput"] = (len(ms) / wall, "request-equivalents/s")
    results["list ratio"] = (percentile(api_ms, 95) / percentile(figures["bare sql"][0], 95), "")
    results["list ratio to page sql"] = (percentile(api_ms, 95) / percentile(figures["page sql"][0], 95), "")
    results |= {
        "list api requests": (len(api_ms), "requests"),
        "list api errors": (len(api_errors), "requests"),
        # Every side fetches the same rows: the same mix, page for page.
        **{f"list {name} items": (sum(found), "items") for name, found in items.items()},
        "list bare sql statements": (sum(map(len, bare)) / len(bare), "statements/request"),
        "list page sql statements": (sum(map(len, sides["page sql"])) / len(bare), "statements/request"),
        # Where the CPU goes, per request: the client threads (this process); gunicorn's workers and the
        # database's backends serving them (Linux only).
        **{f"list {name} client cpu": (1000 * f[3] / max(1, len(f[0])), "ms/request") for name, f in figures.items()},
        "list clients": (args.clients, "threads"),
        "list rounds": (args.rounds, "rounds"),
        "list gunicorn": (f"{args.workers}x{args.threads}", "workers x threads"),
    }
    # Linux only: gunicorn's workers, and the database's backends serving them (or the bare SQL's clients).
    cpu = [("list api server cpu", api_server_cpu["server"], len(api_ms)),
           ("list api database cpu", api_server_cpu["database"], len(api_ms))]
    cpu += [(f"list {name} database cpu", figures[name][4]["database"], len(figures[name][0])) for name in sides]
    for name, seconds, count in cpu:
        if seconds is not None:
            results[name] = (1000 * seconds / max(1, count), "ms/request")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=3, help="the bare SQL and the API take turns this many times")
    parser.add_argument("--duration", type=float, default=60, help="at most this many seconds per phase and round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--url", help="an existing database with the data (not generated, not dropped)")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        instance = stack.enter_context(tempfile.TemporaryDirectory())
        if args.url:
            url = args.url
        else:
            url = stack.enter_context(bench_database())
            make_app(url, instance)
            generate(url, args.scale)
        results = run(url, args, instance)
    for name, (value, unit) in results.items():
        figure(name, round(value, 2) if isinstance(value, float) else value, unit)


if __name__ == "__main__":
    main()
