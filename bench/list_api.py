"""The filtered assignment list through the API (gunicorn, concurrent clients) against its bare SQL.

``python -m bench.list_api [--scale 1] [--clients 8] [--requests 6000] [--rounds 3]`` builds the
national dataset in a fresh database, starts gunicorn with ``monitoris.gunicorn_config`` on a free
port, and sends the same mix of filtered list requests (page of 50; by organization, state, overdue,
act, and an executive body's own list) from ``--clients`` keep-alive connections.  The clients cost
little CPU (one socket each, request bytes prepared beforehand; only the status line, Content-Length
and the number of items are read from each answer), so that the server has the cores.  The baseline
is the same mix of the two statements each request needs (the page and its count, compiled from the
same ``queries.assignment_list`` the endpoint uses, sent with psycopg parameters as the app sends
them), from as many connections.  The two take turns (``--rounds``), each time on new connections.  Both
sides count the items they received.  Prints::

    list api p50: N ms          list bare sql p50: N ms
    list api p95: N ms          list bare sql p95: N ms
    list api throughput: N requests/s
    list ratio: N               (api p95 / bare p95)
    list api items / list bare sql items: N items (equal: the same rows)
    list api client cpu, list api server cpu, list api database cpu, list bare sql database cpu: N ms/request
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
from monitoris import clock, queries
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


def _filters(params):
    """The API's query parameters as ``queries.assignments`` keywords (for the bare SQL)."""
    out = {}
    for key in ("organization_id", "act_id"):
        if key in params:
            out[key] = int(params[key])
    if "state" in params:
        out["state"] = params["state"] if isinstance(params["state"], list) else [params["state"]]
    if params.get("overdue") == "true":
        out["overdue"] = True
    return out


def bare_statements(app, mix):
    """Each request's page and count statements, with their parameters, built in the app's context.

    The same SQL the endpoint sends, as it sends it (``queries.assignment_list``; psycopg parameters, so that
    the server prepares a statement it sees often, as it does for the app): the page, then (only when the page
    is full, as ``queries.assignment_page`` does) the count of the same filters.
    """
    users, out = {}, []
    with app.app_context():
        today = clock.today()
        dialect = db.engine.dialect
        for user_id, params in mix:
            user = users.get(user_id) or users.setdefault(user_id, db.session.get(User, user_id))
            page_stmt, count_stmt, values = queries.assignment_list(user, today=today, **_filters(params))
            page = int(params.get("page", 1))
            page_values = dict(values, page_limit=PAGE_SIZE, page_offset=(page - 1) * PAGE_SIZE)
            out.append([page, _sent(page_stmt, page_values, dialect), _sent(count_stmt, values, dialect)])
    return out


def _sent(stmt, values, dialect):
    """(SQL, parameters) as SQLAlchemy sends ``stmt`` with ``values``: lists expanded, bind processors applied."""
    state = stmt.compile(dialect=dialect).construct_expanded_state(values)
    processors = state.processors
    return state.statement, {k: processors[k](v) if k in processors else v for k, v in state.parameters.items()}


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
    pool keeps its own)."""
    def make():
        conn = connections.pop()

        def do(job):
            page, (page_sql, page_params), (count_sql, count_params) = job
            rows = conn.execute(page_sql, page_params).fetchall()
            items.append(len(rows))
            if not (len(rows) < PAGE_SIZE and (rows or page == 1)):
                conn.execute(count_sql, count_params).fetchall()
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
    bare = bare_statements(app, mix)
    with app.app_context():
        db.engine.dispose()
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    requests = [api_request(params, token_of[user_id]) for user_id, params in mix]
    sql_items, api_items = [], []
    sql, api = _Totals(), _Totals()
    with gunicorn_process(plain_url, instance, args.workers, args.threads) as (port, process):
        with _connections(plain_url, args.clients) as connections:
            drive(args.clients, bare_statements(app, warm), args.duration, sql_worker(connections, []))
        drive(args.clients, [api_request(p, token_of[u]) for u, p in warm], args.duration, api_worker(port, []))
        # Rounds, each the bare SQL then the API on its share of the mix, from new connections: a slower
        # moment of the machine, or clients that happened to land on the same gunicorn process, then weigh
        # on both sides and on one round only.
        for share in range(args.rounds):
            with _connections(plain_url, args.clients) as connections:
                backends = [c.info.backend_pid for c in connections]
                sql.add(*measured(args.clients, bare[share::args.rounds], args.duration,
                                  sql_worker(connections, sql_items), lambda backends=backends: {"database": backends}))
            api.add(*measured(args.clients, requests[share::args.rounds], args.duration, api_worker(port, api_items),
                              lambda: {"server": child_pids(process.pid), "database": backend_pids(plain_url)}))
    sql_ms, sql_wall, sql_errors, sql_client_cpu, sql_server_cpu = sql.figures()
    api_ms, api_wall, api_errors, api_client_cpu, api_server_cpu = api.figures()
    if api_errors or sql_errors:
        print(f"errors: api {len(api_errors)} {api_errors[:3]}, sql {len(sql_errors)} {sql_errors[:3]}",
              file=sys.stderr)
    results = {
        "list api p50": (statistics.median(api_ms), "ms"),
        "list api p95": (percentile(api_ms, 95), "ms"),
        "list api throughput": (len(api_ms) / api_wall, "requests/s"),
        "list bare sql p50": (statistics.median(sql_ms), "ms"),
        "list bare sql p95": (percentile(sql_ms, 95), "ms"),
        "list bare sql throughput": (len(sql_ms) / sql_wall, "queries/s"),
        "list ratio": (percentile(api_ms, 95) / percentile(sql_ms, 95), ""),
        "list api requests": (len(api_ms), "requests"),
        "list api errors": (len(api_errors), "requests"),
        # Both sides fetch the same rows: the same mix, page for page.
        "list api items": (sum(api_items), "items"),
        "list bare sql items": (sum(sql_items), "items"),
        # Where the CPU goes, per request: the client threads (this process); gunicorn's workers and the
        # database's backends serving them (Linux only).
        "list api client cpu": (1000 * api_client_cpu / max(1, len(api_ms)), "ms/request"),
        "list bare sql client cpu": (1000 * sql_client_cpu / max(1, len(sql_ms)), "ms/request"),
        "list clients": (args.clients, "threads"),
        "list rounds": (args.rounds, "rounds"),
        "list gunicorn": (f"{args.workers}x{args.threads}", "workers x threads"),
    }
    # Linux only: gunicorn's workers, and the database's backends serving them (or the bare SQL's clients).
    for name, cpu, count in (("list api server cpu", api_server_cpu["server"], len(api_ms)),
                             ("list api database cpu", api_server_cpu["database"], len(api_ms)),
                             ("list bare sql database cpu", sql_server_cpu["database"], len(sql_ms))):
        if cpu is not None:
            results[name] = (1000 * cpu / max(1, count), "ms/request")
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
