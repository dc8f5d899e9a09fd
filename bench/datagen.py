"""The national dataset, generated straight into PostgreSQL with COPY.

Scale 1 is the "national" scale: 300 organizations, 5,000 users, 100 acts, 50,000 tasks,
200,000 assignments, 20,000 instructions (a fifth of them awaiting an answer: what the deadline scan
reads), 1,000,000 audit events (a valid hash chain, so ``flask audit verify`` can be timed too) and
200,000 notifications (outbox rows: mostly sent, some pending, read or dead).
``python -m bench.datagen URL [SCALE]`` loads an empty, migrated database; benchmarks call
``generate(url, scale)`` (``history=False`` skips the events and notifications).  Deterministic
for a given seed.
"""

import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import psycopg
import sqlalchemy as sa

from monitoris.analysis import facts
from monitoris.models.event import GENESIS_HASH, event_hash
from monitoris.models.instruction import AWAITING_ANSWER, INSTRUCTION_KINDS
from monitoris.models.task import number_sort_key
from monitoris.notifications.reminders import payload as reminder_payload

NATIONAL = {"organizations": 300, "users": 5000, "acts": 100, "tasks": 50_000, "assignments": 200_000,
            "instructions": 20_000, "events": 1_000_000, "notifications": 200_000}
KINDS = ("central", "local", "state_company", "other")
STATE_WEIGHTS = (("accepted", 45), ("cancelled", 5), ("in_progress", 30), ("assigned", 12), ("submitted", 8))
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$bm90LWEtcmVhbC1zYWx0$bm90LWEtcmVhbC1oYXNoLWZvci1iZW5jaA"


def counts(scale):
    return {k: max(10, int(v * scale)) for k, v in NATIONAL.items()}


def _copy(cur, table, columns, rows):
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def generate(url, scale=1.0, today=None, seed=7, history=True):
    """Fill the database; returns the counts written."""
    rng = random.Random(seed)
    today = today or date.today()
    n = counts(scale)
    now = datetime.now(UTC)
    url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        # The control body is organization 1; the others are executive bodies, a tenth of them sub-units.
        orgs = [(1, "Control Department", "CD", "control", None, "/1/")]
        for i in range(2, n["organizations"] + 1):
            parent = rng.randint(2, i - 1) if i > 20 and rng.random() < 0.1 else None
            path = (orgs[parent - 1][5] if parent else "/") + f"{i}/"
            orgs.append((i, f"Executive body {i}", f"EB{i}", rng.choice(KINDS), parent, path))
        _copy(cur, "organizations", ("id", "name", "short_name", "kind", "parent_id", "path", "active", "created_at",
                                     "version"), ((*o, True, now, 1) for o in orgs))
        users, roles = [], []
        for i in range(1, n["users"] + 1):
            org = 1 if i <= 20 else rng.randint(2, n["organizations"])
            users.append((i, f"user{i}@bench.example", f"User {i}", f"+99450{i:07d}", "en", org, PASSWORD_HASH,
                          True, 0, now, 1))
            role = ("controller" if i > 2 else "admin") if org == 1 else ("org_head" if i % 15 == 0 else "executor")
            roles.append((i, role))
        _copy(cur, "users", ("id", "email", "name", "phone", "locale", "organization_id", "password_hash", "active",
                             "failed_logins", "created_at", "version"), users)
        _copy(cur, "user_roles", ("user_id", "role"), roles)
        controllers = list(range(3, 21))
        _copy(cur, "acts", ("id", "kind", "number", "signed_on", "title", "state", "created_at", "updated_at",
                            "version"),
              ((i, "action_plan", str(1000 + i), today - timedelta(days=400), f"National action plan {i}",
                "active", now, now, 1) for i in range(1, n["acts"] + 1)))
        tasks, measures, act_of = [], [], {}
        per_act = n["tasks"] // n["acts"]
        task_id = 0
        for act in range(1, n["acts"] + 1):
            sections = max(1, per_act // 25)
            for s in range(1, sections + 1):
                task_id += 1
                section_id = task_id
                tasks.append((section_id, act, None, str(s), number_sort_key(str(s)), f"Section {s}"))
                for m in range(1, per_act // sections):
                    task_id += 1
                    number = f"{s}.{m}"
                    tasks.append((task_id, act, section_id, number, number_sort_key(number), f"Measure {number}"))
                    measures.append(task_id)
                    act_of[task_id] = act
        _copy(cur, "tasks", ("id", "act_id", "parent_id", "number", "sort_key", "title", "indicator", "recurrence",
                             "priority", "controller_id", "published", "created_at", "updated_at", "version"),
              ((*t, "Indicator", "none", "normal", rng.choice(controllers), True, now, now, 1) for t in tasks))
        states = [s for s, w in STATE_WEIGHTS for _ in range(w)]
        executive = list(range(2, n["organizations"] + 1))
        seen = set()
        rows = []
        aid = 0
        while aid < n["assignments"]:
            task = rng.choice(measures)
            org = rng.choice(executive)
            if (task, org) in seen:
                continue
            seen.add((task, org))
            aid += 1
            state = rng.choice(states)
            # Finished work lies in the past; open work mostly ahead, a sixth of it overdue (by up to 4 months).
            if state in ("accepted", "cancelled"):
                due = today - timedelta(days=rng.randint(1, 500))
            elif rng.random() < 0.15:
                due = today - timedelta(days=rng.randint(1, 120))
            else:
                due = today + timedelta(days=rng.randint(0, 500))
            progress = 100 if state == "accepted" else rng.randint(0, 95)
            submitted = now - timedelta(days=rng.randint(1, 300)) if state in ("submitted", "accepted") else None
            accepted = submitted + timedelta(days=2) if state == "accepted" else None
            rows.append((aid, task, org, "lead", due, due, state, progress, submitted, accepted, now, now, 1,
                         act_of[task]))
        _copy(cur, "assignments", ("id", "task_id", "organization_id", "role", "due_on", "original_due_on", "state",
                                   "progress", "submitted_at", "accepted_at", "created_at", "updated_at", "version",
                                   "act_id"),
              rows)
        # Their own random stream: the other tables stay what they were before instructions were generated.
        people = {}
        for u in users:
            if u[5] != 1:
                people.setdefault(u[5], []).append(u[0])
        _instructions(cur, random.Random(f"{seed}:instructions"), n["instructions"], rows, people, controllers,
                      today)
        if history:
            _events(cur, rng, n["events"], rows, n["users"], now)
            number_of = {t[0]: t[3] for t in tasks}
            _notifications(cur, rng, n["notifications"], n["users"], now, rows, number_of)
        for table in ("organizations", "users", "acts", "tasks", "assignments", "instructions"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    write_items(url)
    return n | {"tasks": len(tasks)}


def write_items(url):
    """The analysis's items of what COPY wrote around the application (monitoris.analysis.facts), then
    what autovacuum would have done on a live database: statistics, and the visibility map that
    index-only scans (the counts of the lists) need."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        facts.rebuild(connection)
    engine.dispose()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


INSTRUCTION_STATE_WEIGHTS = (("closed", 55), ("answered", 25), ("issued", 11), ("acknowledged", 9))
INSTRUCTION_TEXTS = {"instruction": "Speed up the work and report on the measures taken.",
                     "recommendation": "Involve the regional offices before the next report.",
                     "request": "Send the figures of the last quarter."}


def _instructions(cur, rng, count, assignments, people, controllers, today):
    """The control body's instructions on the bodies' work, as after a year: most answered or closed long ago,
    a fifth awaiting an answer by a date from four months ago to two months ahead (some with no date), each
    on an organization's assignment and acknowledged or answered by people of that body."""
    states = [s for s, w in INSTRUCTION_STATE_WEIGHTS for _ in range(w)]
    # Never on cancelled work (permissions.can_issue_instruction); one still awaiting an answer, on open work.
    given = [a for a in assignments if a[6] != "cancelled"]
    open_work = [a for a in given if a[6] != "accepted"] or given  # (a tiny scale may have no open work)
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)

    def during_working_hours(day):
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=rng.randint(7 * 60, 18 * 60))

    def rows():
        for i in range(1, count + 1):
            state = rng.choice(states)
            kind = rng.choice(INSTRUCTION_KINDS)
            issuer = rng.choice(controllers)
            a = rng.choice(open_work if state in AWAITING_ANSWER else given)
            body = people.get(a[2]) or [None]
            acknowledged = acknowledged_by = answer = answered = answered_by = closed = closed_by = comment = None
            if state in AWAITING_ANSWER:
                due = today + timedelta(days=rng.randint(-120, 60)) if rng.random() < 0.85 else None
                # Issued before the date it asks the answer by (issue refuses a past one), and before today.
                issued_on = today - timedelta(days=rng.randint(1, 150))
                if due:
                    issued_on = min(today - timedelta(days=rng.randint(1, 20)),
                                    due - timedelta(days=rng.randint(10, 45)))
                issued = during_working_hours(issued_on)
                if state == "acknowledged":
                    acknowledged = min(issued + timedelta(minutes=rng.randint(10, 3 * 24 * 60)),
                                       issued + (midnight - issued) / 2)
                    acknowledged_by = rng.choice(body)
            else:
                issued = during_working_hours(today - timedelta(days=rng.randint(60, 400)))
                due = issued.date() + timedelta(days=rng.randint(14, 45)) if rng.random() < 0.85 else None
                # Answering acknowledges on the way; a fifth of the closed ones were closed unanswered, with a reason.
                if state == "answered" or rng.random() < 0.8:
                    acknowledged = issued + timedelta(minutes=rng.randint(10, 3 * 24 * 60))
                    acknowledged_by = answered_by = rng.choice(body)
                    answered = acknowledged + timedelta(days=rng.randint(0, 27), minutes=rng.randint(10, 600))
                    answer = "Done; the figures are attached."
                elif rng.random() < 0.5:
                    acknowledged = issued + timedelta(minutes=rng.randint(10, 3 * 24 * 60))
                    acknowledged_by = rng.choice(body)
                if state == "closed":
                    closed = (answered or acknowledged or issued) + timedelta(days=rng.randint(1, 21))
                    closed_by = issuer
                    comment = None if answered else "No longer needed: the measure was reworded."
            yield (i, a[0], a[1], a[2], kind, INSTRUCTION_TEXTS[kind], due, state, issuer, issued, acknowledged_by,
                   acknowledged, answer, answered_by, answered, closed_by, closed, comment, 1)

    _copy(cur, "instructions", ("id", "assignment_id", "task_id", "organization_id", "kind", "text",
                                "response_due_on", "state", "issued_by_id", "issued_at", "acknowledged_by_id",
                                "acknowledged_at", "response_text", "answered_by_id", "answered_at", "closed_by_id",
                                "closed_at", "closing_comment", "version"), rows())


ACTIONS = (("assignment.start", "assigned", "in_progress"), ("assignment.submit", "in_progress", "submitted"),
           ("assignment.accept", "submitted", "accepted"), ("assignment.return", "submitted", "in_progress"))


def _events(cur, rng, count, assignments, users, now):
    """The audit trail of the work, hash-chained exactly as monitoris.services.audit writes it."""
    start = now - timedelta(days=400)
    step = timedelta(days=400) / count

    def rows():
        prev = GENESIS_HASH
        for i in range(1, count + 1):
            a = assignments[rng.randrange(len(assignments))]
            action, before, after = ACTIONS[rng.randrange(len(ACTIONS))]
            e = SimpleNamespace(at=start + step * i, actor_id=rng.randint(1, users), action=action,
                                object_type="assignment", object_id=a[0], organization_id=a[2],
                                before={"state": before}, after={"state": after}, ip=None, prev_hash=prev)
            e.hash = event_hash(e)
            prev = e.hash
            yield (i, e.at, e.actor_id, e.action, e.object_type, e.object_id, e.organization_id,
                   json.dumps(e.before), json.dumps(e.after), None, e.prev_hash, e.hash)

    _copy(cur, "events", ("id", "at", "actor_id", "action", "object_type", "object_id", "organization_id", "before",
                          "after", "ip", "prev_hash", "hash"), rows())
    cur.execute("SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))")


NOTIFICATION_STATES = (("sent", 90), ("pending", 6), ("sending", 1), ("dead", 3))


def _notifications(cur, rng, count, users, now, assignments, number_of):
    """The outbox as it looks after a year: mostly sent (a third of them in-app, half of those read), each a
    reminder of an assignment with the payload the scan writes (the inbox shows it as it would a real one)."""
    states = [s for s, w in NOTIFICATION_STATES for _ in range(w)]

    def rows():
        for i in range(1, count + 1):
            state = rng.choice(states)
            channel = rng.choice(("email", "email", "in_app", "sms"))
            created = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            sent = created + timedelta(seconds=rng.randint(1, 60)) if state == "sent" else None
            read = sent + timedelta(hours=rng.randint(1, 48)) if sent and channel == "in_app" and i % 2 else None
            attempts = {"sent": 1, "pending": 0, "sending": 1, "dead": 6}[state]
            a = assignments[rng.randrange(len(assignments))]
            number = number_of[a[1]]
            message = reminder_payload(a[0], number, f"Measure {number}", f"EB{a[2]}", a[4], "before-3")
            yield (i, rng.randint(1, users), channel, "reminder", "assignment_reminder",
                   json.dumps(message), f"bench:{i}", state, attempts,
                   now if state == "pending" else created, now + timedelta(minutes=2) if state == "sending" else None,
                   created, sent, read, "SMTP 550 mailbox unavailable" if state == "dead" else None)

    _copy(cur, "notifications", ("id", "recipient_id", "channel", "kind", "template", "payload", "idempotency_key",
                                 "state", "attempts", "next_attempt_at", "lease_until", "created_at", "sent_at",
                                 "read_at", "error"), rows())
    cur.execute("SELECT setval(pg_get_serial_sequence('notifications', 'id'), (SELECT max(id) FROM notifications))")


if __name__ == "__main__":
    start = time.perf_counter()
    written = generate(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
    print(f"generated {written} in {time.perf_counter() - start:.1f} s")
