"""Two web instances and two schedulers on one PostgreSQL database: no duplicate or lost message, no lost update.

``python -m bench.two_instances [--assignments 12] [--rounds 3] [--patch-pairs 40] [--grace 60]`` (bounded: under three
minutes with the defaults) builds a fresh database (``bench.common.bench_database``), loads the demo
(``flask demo load``) and starts, each in its own process group:

- an SMTP sink (aiosmtpd, in this process) that keeps every message it receives, and an HTTP SMS sink
  that keeps the ``reference`` of every SMS (the dispatcher sends the outbox row's idempotency key there);
- two gunicorn instances (``-c python:monitoris.gunicorn_config``) on two free ports;
- two ``flask --app monitoris scheduler`` processes with short scan and dispatch intervals, mailing
  to the sink.

The workload goes through both instances at once: executors and the controller walk assignments through
start, then rounds of submit, return, submit, accept, reopen (``POST /api/v1/assignments/{id}/transitions``),
alternating instances at each step; and the controller sends pairs of PATCHes of the same assignment with the same
If-Match, one to each instance, released together.  Then, after the outbox has drained (at most
``--grace`` seconds), it checks and prints ``name: value unit`` lines:

- every email, SMS and webhook outbox row is ``sent`` (none pending, sending or dead);
- the SMTP sink holds exactly one message per sent email row (matched by recipient and subject), and no
  two messages share a Message-ID; the SMS sink holds each sent SMS row's idempotency key exactly once;
- each transition of the workload left its notifications in the outbox (keyed by its audit event);
- of each PATCH pair exactly one succeeded and the other answered 412, and the stored note is the winner's;
- ``flask audit verify`` accepts the hash chain;
- exactly one scheduler announced that it leads (and one PostgreSQL session holds the leader lock);
- with ``--kill-leader``, the leading scheduler is killed (SIGKILL, no goodbye) a second into the workload: the
  other takes the lead, rows the dead one had claimed are sent once their lease (5 s in this run) runs out, and
  nothing is lost; a leader killed between sending a message and recording it may repeat that one message
  (by design), so at most one repeat is allowed then;
- the two count rate limits in one store (Redis, ``--redis``): with a limit of ``RATE_LIMIT`` token creations
  a minute, failed creations sent to the instances in turn are refused (429) at the one past the limit,
  whichever instance gets it (each process counting alone would let every one through).

Exits 1 on any violation.  Every process it started is stopped (its process group), even on failure;
the database is dropped unless ``MONITORIS_BENCH_KEEP`` is set.
"""

import argparse
import collections
import email
import email.policy
import email.utils
import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bench.common import bench_database, figure, free_port, make_app, wait_ready
from monitoris.extensions import db
from monitoris.models import Assignment, Event, User, UserRole
from monitoris.models.notification import Notification, NotificationPreference
from monitoris.notifications.render import render
from monitoris.scheduler import LEADER_LOCK_KEY
from monitoris.services import tokens
from monitoris.services.assignments import has_reports

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("MONITORIS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
RATE_LIMIT = 4  # token creations a minute from one address, across both instances
BIN = Path(sys.executable).parent
LEADER_MESSAGE = "this process is the leader"
# The scheduler logs through the standard logging module, which is silent below WARNING unless configured.
SCHEDULER = ("import logging, sys; "
             "logging.basicConfig(level=logging.INFO, format='%(asctime)s %(process)d %(name)s %(message)s'); "
             "from flask.cli import main; sys.argv = ['flask', '--app', 'monitoris', 'scheduler']; main()")


# -- sinks ------------------------------------------------------------------------------------

class MailSink:
    """aiosmtpd handler: keeps (Message-ID, recipient address, subject) of every message received."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        address = email.utils.parseaddr(str(message["To"]))[1].lower()
        with self.lock:
            self.messages.append((str(message["Message-ID"]), address, str(message["Subject"])))
        return "250 OK"


class SmsSink(http.server.ThreadingHTTPServer):
    """A JSON SMS gateway that keeps the ``reference`` of every message."""

    def __init__(self):
        self.references = []
        self.lock = threading.Lock()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with sink.lock:
                    sink.references.append(payload.get("reference"))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@contextmanager
def sinks():
    mail = MailSink()
    smtp = Controller(mail, hostname="127.0.0.1", port=free_port())
    smtp.start()
    sms = SmsSink()
    thread = threading.Thread(target=sms.serve_forever, daemon=True)
    thread.start()
    try:
        yield mail, smtp.port, sms, sms.server_address[1]
    finally:
        sms.shutdown()
        sms.server_close()
        smtp.stop()


# -- processes --------------------------------------------------------------------------------

class Processes:
    """Child processes, each in its own process group, all stopped by ``stop_all`` (SIGTERM, then SIGKILL)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.started = []

    def start(self, name, argv, env):
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 - closed in stop_all
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.started.append((name, process, log))
        return process

    def log(self, name):
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def process(self, name):
        return next(process for started, process, _ in self.started if started == name)

    def stop_all(self):
        for _, process, _ in self.started:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, process, log in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()
        self.started = []


def _signal_group(process, sig):
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


# -- the workload -----------------------------------------------------------------------------

class Api:
    """One keep-alive connection per thread to one instance, with a bearer token."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, "/api/v1" + path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        return response.status, response.headers, json.loads(payload) if payload else None


def pick_work(app, count):
    """Open top-level assignments without reports, each with an executor of its body (and the controller)."""
    with app.app_context():
        controller = db.session.scalar(sa.select(User).join(UserRole).where(UserRole.role == "controller")
                                       .order_by(User.id).limit(1))
        executors = {}
        for user in db.session.scalars(sa.select(User).join(UserRole).where(UserRole.role == "executor",
                                                                             User.active.is_(True))):
            executors.setdefault(user.organization_id, user)
        candidates = db.session.scalars(
            sa.select(Assignment).where(Assignment.state.in_(("assigned", "in_progress")),
                                        Assignment.parent_id.is_(None),
                                        Assignment.organization_id.in_(list(executors)))
            .order_by(Assignment.id)).all()
        chosen = [a for a in candidates if not has_reports(a) and a.task.act.state != "draft"]
        if len(chosen) < count + 1:
            raise RuntimeError(f"the demo has only {len(chosen)} open assignments without reports")
        walks, patch_target = chosen[:count], chosen[count]
        raw = {}
        for user in [controller] + [executors[a.organization_id] for a in walks]:
            if user.id not in raw:
                raw[user.id] = tokens.create_token(user, name="two instances").token
        # Review messages go by SMS too (to whoever has a phone), so that both channels are exercised even
        # on a day off, when the deadline scan queues nothing.
        for user in db.session.scalars(sa.select(User).where(User.phone.is_not(None))):
            db.session.merge(NotificationPreference(user_id=user.id, kind="review", channel="sms", enabled=True))
        db.session.commit()
        work = [(a.id, a.state, raw[executors[a.organization_id].id]) for a in walks]
        return raw[controller.id], work, patch_target.id


def walk(ports, controller_token, assignment_id, state, executor_token, first, rounds, results):
    """start (if assigned), then ``rounds`` times submit, return, submit, accept (reopened between rounds);
    each step on the other instance."""
    steps = [("start", executor_token, None)] if state == "assigned" else []
    for n in range(rounds):
        if n:
            steps.append(("reopen", controller_token, "One more measure is needed."))
        steps += [("submit", executor_token, None), ("return", controller_token, "Add the signed protocol."),
                  ("submit", executor_token, None), ("accept", controller_token, None)]
    apis = {}
    for i, (action, token, comment) in enumerate(steps):
        port = ports[(first + i) % 2]
        api = apis.get((port, token)) or apis.setdefault((port, token), Api(port, token))
        status, _, body = api.call("POST", f"/assignments/{assignment_id}/transitions",
                                   {"action": action, "comment": comment})
        results.append((assignment_id, action, status, body if status != 200 else None))


def patch_pairs(ports, controller_token, assignment_id, pairs):
    """``pairs`` times: read the ETag, then PATCH the note from both instances at once with that If-Match."""
    reader = Api(ports[0], controller_token)
    clients = [Api(ports[0], controller_token), Api(ports[1], controller_token)]
    outcomes = []
    for n in range(pairs):
        _, headers, before = reader.call("GET", f"/assignments/{assignment_id}")
        tag = headers["ETag"]
        barrier = threading.Barrier(2)
        answers = [None, None]

        def send(side, n=n, tag=tag, barrier=barrier, answers=answers):
            barrier.wait()
            status, _, body = clients[side].call("PATCH", f"/assignments/{assignment_id}",
                                                 {"note": f"pair {n} from instance {side}"}, {"If-Match": tag})
            answers[side] = (status, body)

        threads = [threading.Thread(target=send, args=(side,)) for side in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        _, _, after = reader.call("GET", f"/assignments/{assignment_id}")
        outcomes.append((before["version"], [a[0] for a in answers], after["note"], after["version"]))
    return outcomes


# -- the checks -------------------------------------------------------------------------------

def shared_rate_limit(ports):
    """The statuses of ``RATE_LIMIT`` + 1 failed token creations (unknown addresses, so that no account locks),
    sent to the two instances in turn on new connections: every one 401, then 429, when the instances share
    their counts."""
    statuses = []
    for n in range(RATE_LIMIT + 1):
        conn = http.client.HTTPConnection("127.0.0.1", ports[n % 2], timeout=30)
        try:
            conn.request("POST", "/api/v1/auth/tokens",
                         body=json.dumps({"email": f"nobody{n}@example.org", "password": "not the password"}),
                         headers={"Content-Type": "application/json", "Accept": "application/json"})
            statuses.append(conn.getresponse().status)
        finally:
            conn.close()
    return statuses


def check_redis(url):
    """Fail clearly when the shared store does not answer."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"Redis does not answer at {url} ({exc}): the instances share their rate limits there. "
                         "Start it, or name another with --redis / MONITORIS_BENCH_REDIS_URL.") from exc


def wait_for_outbox(url, grace):
    """Seconds until no email/SMS/webhook row is pending or sending (or ``grace`` elapsed); and the counts."""
    start = time.monotonic()
    while True:
        with psycopg.connect(url, autocommit=True) as conn:
            waiting = conn.execute("SELECT count(*) FROM notifications WHERE channel <> 'in_app' "
                                   "AND state IN ('pending', 'sending')").fetchone()[0]
        if waiting == 0 or time.monotonic() - start > grace:
            return time.monotonic() - start, waiting
        time.sleep(0.5)


def check_messages(app, mail, sms):
    with app.app_context():
        rows = db.session.scalars(sa.select(Notification).where(Notification.channel != "in_app")).all()
        states = collections.Counter((n.channel, n.state) for n in rows)
        expected_mail = collections.Counter((n.recipient.email.lower(), render(n)["subject"]) for n in rows
                                            if n.channel == "email" and n.state == "sent")
        sms_keys = collections.Counter(n.idempotency_key for n in rows if n.channel == "sms" and n.state == "sent")
    received = collections.Counter((address, subject) for _, address, subject in mail.messages)
    ids = collections.Counter(message_id for message_id, _, _ in mail.messages)
    references = collections.Counter(sms.references)
    return {
        "outbox rows": sum(states.values()),
        "outbox sent": sum(v for (_, state), v in states.items() if state == "sent"),
        "outbox not sent": sum(v for (_, state), v in states.items() if state != "sent"),
        "emails received": len(mail.messages),
        "emails duplicated": sum((received - expected_mail).values()),
        "emails lost": sum((expected_mail - received).values()),
        "email message-id repeats": sum(v - 1 for v in ids.values() if v > 1),
        "sms received": len(sms.references),
        # Deliveries beyond the one each sent row expects (a repeat, or a row not recorded as sent), counted once.
        "sms duplicated": sum((references - sms_keys).values()),
        "sms lost": sum((sms_keys - references).values()),
    }


def check_transitions(app, results):
    """Every step answered 200, and each one's audit event has its notifications queued."""
    failed = [r for r in results if r[2] != 200]
    with app.app_context():
        ids = sorted({r[0] for r in results})
        events = db.session.scalars(sa.select(Event).where(
            Event.object_type == "assignment", Event.object_id.in_(ids),
            Event.action.in_(("assignment.submit", "assignment.return", "assignment.accept")))).all()
        keys = set(db.session.scalars(sa.select(Notification.idempotency_key).where(
            Notification.idempotency_key.like("assignment:%:event:%"))))
        prefixes = {k.rsplit(":", 3)[0] for k in keys}
        silent = [e.id for e in events if f"assignment:{e.object_id}:event:{e.id}" not in prefixes]
        accepted = db.session.scalar(sa.select(sa.func.count()).where(Assignment.id.in_(ids),
                                                                      Assignment.state == "accepted"))
    return failed, silent, accepted, len(ids)


def kill_the_leader(processes, names, after):
    """SIGKILL the scheduler that leads, ``after`` seconds from now: it says no goodbye, and the server ends its
    session, which frees the lock.  Returns (its name, the moment it was killed)."""
    deadline = time.monotonic() + 30
    while not (leaders := [name for name in names if LEADER_MESSAGE in processes.log(name)]):
        if time.monotonic() > deadline:
            raise RuntimeError("no scheduler announced that it leads")
        time.sleep(0.1)
    time.sleep(after)
    _signal_group(processes.process(leaders[0]), signal.SIGKILL)
    processes.process(leaders[0]).wait(timeout=10)
    return leaders[0], time.monotonic()


def wait_for_takeover(processes, name, since, seconds=30):
    """Seconds from ``since`` until scheduler ``name`` announced that it leads; None after ``seconds``."""
    while LEADER_MESSAGE not in processes.log(name):
        if time.monotonic() - since > seconds:
            return None
        time.sleep(0.1)
    return time.monotonic() - since


def check_leader(url, processes, names):
    announced = sum(processes.log(name).count(LEADER_MESSAGE) for name in names)
    with psycopg.connect(url, autocommit=True) as conn:
        # Advisory locks belong to a database: another installation (or run) on the server has its own leader.
        holders = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                               "AND objid = %s AND database = (SELECT oid FROM pg_database "
                               "WHERE datname = current_database())", (LEADER_LOCK_KEY,)).fetchone()[0]
    return announced, holders


# -- the run ----------------------------------------------------------------------------------

def run(url, folder, args):
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    app = make_app(plain, folder)  # migrates; also used to read the outcome
    env = dict(os.environ, MONITORIS_DATABASE_URL=plain, MONITORIS_SECRET_KEY="two-instances-" + "x" * 40,
               MONITORIS_ENV="production", MONITORIS_INSTANCE_PATH=str(folder),
               MONITORIS_UPLOAD_FOLDER=str(Path(folder) / "documents"), PYTHONUNBUFFERED="1")
    subprocess.run([str(BIN / "flask"), "--app", "monitoris", "demo", "load"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    controller_token, work, patch_id = pick_work(app, args.assignments)
    findings = {}
    processes = Processes(folder)
    with ExitStack() as stack:
        stack.callback(processes.stop_all)
        mail, mail_port, sms, sms_port = stack.enter_context(sinks())
        env |= {"MONITORIS_MAIL_HOST": "127.0.0.1", "MONITORIS_MAIL_PORT": str(mail_port),
                "MONITORIS_SMS_GATEWAY": "http", "MONITORIS_SMS_URL": f"http://127.0.0.1:{sms_port}/",
                "MONITORIS_SCAN_INTERVAL_SECONDS": "2", "MONITORIS_DISPATCH_INTERVAL_SECONDS": "1",
                "MONITORIS_DISPATCH_RETRY_SECONDS": "1",
                "MONITORIS_GUNICORN_WORKERS": str(args.workers), "MONITORIS_GUNICORN_THREADS": "4",
                # One store for both instances' rate limits, under a prefix of this run's own.
                "MONITORIS_RATELIMIT_STORAGE_URI": args.redis,
                "MONITORIS_RATELIMIT_KEY_PREFIX": f"monitoris-two-{os.getpid()}-{time.time_ns()}",
                "MONITORIS_RATELIMIT_TOKENS": f"{RATE_LIMIT} per minute"}
        if args.kill_leader:
            env["MONITORIS_DISPATCH_LEASE_SECONDS"] = "5"  # the dead leader's claimed rows come back soon
        ports = [free_port(), free_port()]
        for i, port in enumerate(ports):
            processes.start(f"web{i}", [str(BIN / "gunicorn"), "-c", "python:monitoris.gunicorn_config",
                                        "--bind", f"127.0.0.1:{port}", "--access-logfile",
                                        str(Path(folder) / f"access{i}.log"), "wsgi:app"], env)
        schedulers = ["scheduler0", "scheduler1"]
        for name in schedulers:
            processes.start(name, [sys.executable, "-c", SCHEDULER], env)
        for port in ports:
            wait_ready(port)
        limited = shared_rate_limit(ports)
        findings["token creations before the shared limit"] = (limited.index(429) if 429 in limited else None,
                                                                 f"attempts (limit {RATE_LIMIT}, statuses {limited})")

        start = time.monotonic()
        results = []
        threads = [threading.Thread(target=walk, args=(ports, controller_token, a_id, state, token, i % 2,
                                                       args.rounds, results))
                   for i, (a_id, state, token) in enumerate(work)]
        outcomes = []
        threads.append(threading.Thread(target=lambda: outcomes.extend(
            patch_pairs(ports, controller_token, patch_id, args.patch_pairs))))
        for t in threads:
            t.start()
        if args.kill_leader:
            killed, killed_at = kill_the_leader(processes, schedulers, after=1.0)
        for t in threads:
            t.join()
        findings["workload seconds"] = (time.monotonic() - start, "s")
        takeover = None
        if args.kill_leader:
            follower = next(name for name in schedulers if name != killed)
            takeover = wait_for_takeover(processes, follower, killed_at)
            findings["leader killed"] = (killed, "(SIGKILL)")
            findings["lead taken over after"] = (takeover, "s")
        for i in (0, 1):
            access = (Path(folder) / f"access{i}.log").read_text().count("/api/v1/")
            findings[f"requests through instance {i}"] = (access, "requests")
        drained, waiting = wait_for_outbox(plain, args.grace)
        findings["outbox drained after"] = (drained, "s")
        announced, holders = check_leader(plain, processes, schedulers)
        processes.stop_all()  # before reading the sinks: nothing is sent after this

        failed, silent, accepted, walked = check_transitions(app, results)
        findings["transitions"] = (len(results), "requests")
        findings["transitions failed"] = (len(failed), "requests")
        findings["assignments accepted"] = (f"{accepted}/{walked}", "assignments")
        findings["transitions without notifications"] = (len(silent), "events")
        for name, value in check_messages(app, mail, sms).items():
            findings[name] = (value, "messages" if "outbox" not in name else "rows")
        one_each = sum(sorted(statuses) == [200, 412] for _, statuses, _, _ in outcomes)
        lost = sum(not (note.startswith(f"pair {n} ") and after == before + 1)
                   for n, (before, _, note, after) in enumerate(outcomes))
        findings["patch pairs"] = (len(outcomes), "pairs")
        findings["patch pairs with one 200 and one 412"] = (one_each, "pairs")
        findings["lost updates"] = (lost, "pairs")
        verify = subprocess.run([str(BIN / "flask"), "--app", "monitoris", "audit", "verify"], cwd=ROOT, env=env,
                                capture_output=True, text=True)
        findings["audit chain"] = ("intact" if verify.returncode == 0 else "BROKEN", verify.stdout.strip()[:80])
        findings["schedulers that led"] = (announced, "processes")
        findings["leader locks held"] = (holders, "sessions")

    violations = []
    if failed:
        violations.append(f"transitions failed: {failed[:3]}")
    if silent:
        violations.append(f"transitions without notifications: events {silent[:5]}")
    if accepted != walked:
        violations.append(f"only {accepted} of {walked} walked assignments ended accepted")
    if waiting:
        violations.append(f"{waiting} outbox rows still pending after {args.grace} s")
    for name in ("outbox not sent", "emails lost", "sms lost"):
        if findings[name][0]:
            violations.append(f"{name}: {findings[name][0]}")
    # Killed between sending a message and recording it, a leader may repeat that one message; else none.
    repeats_allowed = 1 if args.kill_leader else 0
    repeated = findings["emails duplicated"][0] + findings["sms duplicated"][0]
    if repeated > repeats_allowed or findings["email message-id repeats"][0] > repeats_allowed:
        violations.append(f"messages repeated: {repeated} (message-id repeats "
                          f"{findings['email message-id repeats'][0]}), at most {repeats_allowed} allowed")
    if one_each != len(outcomes) or lost:
        violations.append(f"PATCH pairs: {[o for o in outcomes if sorted(o[1]) != [200, 412]][:3]}, lost {lost}")
    if verify.returncode != 0:
        violations.append(f"audit verify: {verify.stdout} {verify.stderr}")
    if limited != [401] * RATE_LIMIT + [429]:
        violations.append(f"rate limits not shared by the instances: statuses {limited}")
    if args.kill_leader and takeover is None:
        violations.append("no scheduler took the lead after the leader was killed")
    if announced != (2 if args.kill_leader else 1) or holders != 1:
        violations.append(f"{announced} schedulers announced leading, {holders} leader locks held")
    return findings, violations


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=12, help="assignments walked through the workflow")
    parser.add_argument("--rounds", type=int, default=3, help="times each is submitted, returned, accepted")
    parser.add_argument("--patch-pairs", type=int, default=40, help="pairs of concurrent PATCHes")
    parser.add_argument("--grace", type=float, default=60, help="seconds to wait for the outbox to drain")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--redis", default=REDIS_URL, help="the rate limits' shared store")
    parser.add_argument("--kill-leader", action="store_true",
                        help="kill the leading scheduler a second into the workload; the other must take over")
    args = parser.parse_args(argv)
    check_redis(args.redis)
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        url = stack.enter_context(bench_database("monitoris_two"))
        findings, violations = run(url, folder, args)
    for name, (value, unit) in findings.items():
        figure(name, round(value, 2) if isinstance(value, float) else value, unit)
    for violation in violations:
        print(f"VIOLATION: {violation}", flush=True)
    figure("violations", len(violations), "")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
