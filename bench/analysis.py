"""Performance analysis on the national dataset against the bare SQL that computes the same numbers.

``python -m bench.analysis [SCALE]`` generates the dataset (300 organizations, 50,000 tasks,
200,000 assignments at scale 1) with bench.datagen, adds execution data when the generator does
not make it (400,000 report versions, extension requests, instructions: see ``add_execution``),
then prints, in one run:

    analysis national: N ms          the per-organization analysis for one year, through monitoris.analysis
    analysis bare sql: N ms          one hand-written SQL statement computing the same numbers from the
                                     same tables (the stored items, instructions, tasks, acts)
    analysis from base tables: N ms  the same numbers summed from the report versions and extension
                                     requests themselves: what storing the items saves
    analysis ratio: N                national / bare sql

Both results are compared row by row before anything is timed.
"""

import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta

import psycopg
import sqlalchemy as sa

from bench.common import bench_database, figure, make_app, timed
from bench.datagen import generate, write_items
from monitoris import clock
from monitoris.analysis import tables
from monitoris.extensions import db
from monitoris.models import User

AT = datetime(2026, 9, 15, 6, 0, tzinfo=UTC)
REPORTS_PER_ASSIGNMENT = 2  # 400,000 report versions for 200,000 assignments

BASE_TABLES_RAW = """
WITH fr AS (
  SELECT r.assignment_id,
         count(*) FILTER (WHERE r.state IN ('accepted', 'returned')) AS reviews,
         count(*) FILTER (WHERE r.state = 'returned') AS returns,
         max(r.submitted_on) FILTER (WHERE r.state = 'accepted') AS accepted_on
  FROM reports r JOIN assignments a ON a.id = r.assignment_id
  WHERE a.parent_id IS NULL AND a.state <> 'cancelled' AND r.final AND a.due_on BETWEEN :date_from AND :date_to
  GROUP BY r.assignment_id
), pr AS (
  SELECT r.assignment_id, r.period, a.organization_id, a.task_id, max(r.period_due_on) AS period_due_on,
         count(*) FILTER (WHERE r.state IN ('accepted', 'returned')) AS reviews,
         count(*) FILTER (WHERE r.state = 'returned') AS returns,
         count(*) FILTER (WHERE r.state = 'accepted') AS accepted,
         max(r.submitted_on) FILTER (WHERE r.state = 'accepted') AS accepted_on
  FROM reports r JOIN assignments a ON a.id = r.assignment_id
  WHERE a.parent_id IS NULL AND a.state <> 'cancelled' AND NOT r.final
    AND r.period_due_on BETWEEN :date_from AND :date_to
  GROUP BY 1, 2, 3, 4
), ext AS (
  SELECT assignment_id, count(*) AS requests, count(*) FILTER (WHERE decision = 'approved') AS granted,
         sum(days_requested) FILTER (WHERE decision = 'approved') AS days_added
  FROM extension_requests GROUP BY assignment_id
), raw AS (
  SELECT a.organization_id, a.due_on, a.state = 'accepted' AS accepted,
         coalesce(fr.accepted_on, (a.submitted_at AT TIME ZONE :zone)::date) AS submitted_on,
         coalesce(fr.reviews, 0) AS reviews, coalesce(fr.returns, 0) AS returns,
         coalesce(ext.requests, 0) AS requests, coalesce(ext.granted, 0) AS granted,
         coalesce(ext.days_added, 0) AS days_added
  FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN acts ac ON ac.id = t.act_id
  LEFT JOIN fr ON fr.assignment_id = a.id
  LEFT JOIN ext ON ext.assignment_id = a.id
  WHERE a.parent_id IS NULL AND a.state <> 'cancelled' AND a.due_on BETWEEN :date_from AND :date_to
    AND ac.state <> 'draft'
  UNION ALL
  SELECT pr.organization_id, pr.period_due_on, pr.accepted > 0, pr.accepted_on, pr.reviews, pr.returns, 0, 0, 0
  FROM pr JOIN tasks t ON t.id = pr.task_id JOIN acts ac ON ac.id = t.act_id
  WHERE ac.state <> 'draft'
),
"""
# The figures from the items (raw: organization_id, due_on, accepted, submitted_on, reviews, returns,
# requests, granted, days_added), and the instructions.
FIGURES_SQL = """
it AS (
  SELECT raw.*, accepted AND submitted_on IS NOT NULL AND submitted_on <= due_on AS on_time
  FROM raw
), d AS (
  SELECT it.*, CASE WHEN accepted AND NOT on_time THEN submitted_on - due_on
                    WHEN NOT accepted AND due_on < :today THEN :today - due_on END AS delay
  FROM it
), agg AS (
  SELECT organization_id, count(*) AS assigned, count(*) FILTER (WHERE accepted) AS accepted,
         count(*) FILTER (WHERE on_time) AS on_time, count(*) FILTER (WHERE accepted AND NOT on_time) AS late,
         count(*) FILTER (WHERE NOT accepted AND due_on < :today) AS overdue,
         count(*) FILTER (WHERE NOT accepted AND due_on >= :today) AS open_not_due,
         avg(delay) AS average_delay, percentile_cont(0.5) WITHIN GROUP (ORDER BY delay) AS median_delay,
         sum(reviews) AS reviews, sum(returns) AS returns, sum(requests) AS extension_requests,
         sum(granted) AS extensions_granted, sum(days_added) AS days_added
  FROM d GROUP BY organization_id
), ins AS (
  SELECT i.organization_id, count(*) AS received, count(i.answered_at) AS answered,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.answered_at - i.issued_at) / 86400)
           AS median_response_days
  FROM instructions i JOIN tasks t ON t.id = i.task_id JOIN acts ac ON ac.id = t.act_id
  WHERE i.issued_at >= :start AND i.issued_at < :end AND ac.state <> 'draft'
  GROUP BY i.organization_id
)
SELECT o.id, agg.assigned, agg.accepted, agg.on_time, agg.late, agg.overdue, agg.open_not_due, agg.average_delay,
       agg.median_delay, agg.reviews, agg.returns, agg.extension_requests, agg.extensions_granted, agg.days_added,
       ins.received, ins.answered, ins.median_response_days
FROM organizations o LEFT JOIN agg ON agg.organization_id = o.id LEFT JOIN ins ON ins.organization_id = o.id
WHERE agg.organization_id IS NOT NULL OR ins.organization_id IS NOT NULL
ORDER BY o.id
"""
# The same numbers from the stored items (monitoris.analysis.facts), as the application reads them.
ITEMS_RAW = """
WITH raw AS (
  SELECT i.organization_id, i.due_on, i.accepted,
         coalesce(i.accepted_on, (i.submitted_at AT TIME ZONE :zone)::date) AS submitted_on,
         i.reviews, i.returns, i.extension_requests AS requests, i.extensions_granted AS granted, i.days_added
  FROM analysis_items i JOIN tasks t ON t.id = i.task_id JOIN acts ac ON ac.id = t.act_id
  WHERE i.due_on BETWEEN :date_from AND :date_to AND ac.state <> 'draft'
),
"""
BARE_SQL = ITEMS_RAW + FIGURES_SQL
BASE_TABLES_SQL = BASE_TABLES_RAW + FIGURES_SQL
COMPARED = ("assigned", "accepted", "on_time", "late", "overdue", "open_not_due", "average_delay", "median_delay",
            "reviews", "returns", "extension_requests", "extensions_granted", "days_added",
            "instructions_received", "instructions_answered", "median_response_days")


def _copy(cur, table, columns, rows):
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def add_execution(url, today, seed=11):
    """Report versions (final ones, and quarterly periods for some assignments), extension requests and
    instructions, when the data generator has not written any.  Returns the counts written."""
    url = url.replace("postgresql+psycopg://", "postgresql://")
    rng = random.Random(seed)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        if cur.execute("SELECT count(*) FROM reports").fetchone()[0]:
            return {"reports": "from the generator"}
        generated_instructions = cur.execute("SELECT count(*) FROM instructions").fetchone()[0]
        assignments = cur.execute("SELECT id, task_id, organization_id, due_on, state, submitted_at FROM assignments "
                                  "WHERE parent_id IS NULL ORDER BY id").fetchall()
        target = REPORTS_PER_ASSIGNMENT * len(assignments)
        now = datetime.now(UTC)
        reports, extensions, instructions = [], [], []
        rid = 0

        def report(aid, period, due, final, state, version, submitted_on, previous):
            nonlocal rid
            rid += 1
            at = datetime(submitted_on.year, submitted_on.month, submitted_on.day, 8, tzinfo=UTC) if submitted_on \
                else None
            reports.append((rid, aid, period, due, final, version, previous, "Work done.", 50, state, now, now, at,
                            submitted_on, at if state in ("accepted", "returned") else None, 1))
            return rid

        for aid, task_id, org, due, state, submitted_at in assignments:
            if state in ("accepted", "submitted") and submitted_at is not None:
                submitted = submitted_at.date()
                previous = None
                if rng.random() < 0.3:  # returned once before
                    previous = report(aid, "final", due, True, "returned", 1, submitted - timedelta(days=12), None)
                report(aid, "final", due, True, "accepted" if state == "accepted" else "submitted",
                       2 if previous else 1, submitted, previous)
            if rng.random() < 0.15:
                extensions.append((aid, due - timedelta(days=30), due, 30, "Waiting for a decision of the Cabinet.",
                                   "approved" if rng.random() < 0.7 else "rejected", now, 1))
            if rng.random() < 0.1:
                issued = datetime.combine(today - timedelta(days=rng.randint(1, 300)), datetime.min.time(),
                                          tzinfo=UTC)
                answered = issued + timedelta(days=rng.randint(1, 20)) if rng.random() < 0.7 else None
                if not generated_instructions:  # drawn all the same, so that the rest stays as it was
                    instructions.append((aid, task_id, org, "instruction", "Report on progress.",
                                         "answered" if answered else "issued", issued, answered))
        periods = [(f"{today.year}-Q{q}", date(today.year, 3 * q, 28)) for q in range(1, 5)]
        for aid, *_ in assignments:  # recurring duties: quarterly reports until the target is reached
            if rid >= target:
                break
            for period, due in periods:
                if rid >= target:
                    break
                if due < today:
                    state = "accepted" if rng.random() < 0.8 else "submitted"
                    report(aid, period, due, False, state, 1, due + timedelta(days=rng.randint(-10, 15)), None)
                else:
                    report(aid, period, due, False, "draft", 1, None, None)
        _copy(cur, "reports", ("id", "assignment_id", "period", "period_due_on", "final", "version", "previous_id",
                               "text", "progress", "state", "created_at", "updated_at", "submitted_at",
                               "submitted_on", "reviewed_at", "lock_version"), reports)
        _copy(cur, "extension_requests", ("assignment_id", "previous_due_on", "proposed_due_on", "days_requested",
                                          "reason", "decision", "requested_at", "version"), extensions)
        _copy(cur, "instructions", ("assignment_id", "task_id", "organization_id", "kind", "text", "state",
                                    "issued_at", "answered_at", "version"), [(*i, 1) for i in instructions])
        cur.execute("SELECT setval(pg_get_serial_sequence('reports', 'id'), (SELECT max(id) FROM reports))")
        conn.commit()
    write_items(url)
    return {"reports": len(reports), "extension_requests": len(extensions),
            "instructions": len(instructions) or f"{generated_instructions} from the generator"}


def _same(ours, bare):
    """Our rows equal the bare SQL's, figure by figure (medians and averages to 0.01 of a day)."""
    theirs = {r.id: r for r in bare}
    assert set(theirs) == {r["key"] for r in ours}, "different organizations"
    for row in ours:
        b = theirs[row["key"]]
        values = dict(zip(COMPARED, b[1:], strict=True))
        for name in COMPARED:
            mine, other = row[name], values[name]
            if isinstance(other, (int, float)) or hasattr(other, "is_finite"):
                other = float(other)
            if other is None and name.startswith("instructions"):
                other = 0
            if mine is None or other is None:
                assert mine == other, (row["key"], name, mine, other)
            else:
                assert abs(float(mine) - float(other)) < 0.06, (row["key"], name, mine, other)


def main(scale=1.0, repeat=5):
    with bench_database() as url, tempfile.TemporaryDirectory() as instance:
        app = make_app(url, instance, clock_at=AT)
        with app.app_context():
            today = clock.today()
        written = generate(url, scale, today=today)
        written |= add_execution(url, today)
        print(f"dataset: {written}", flush=True)
        with app.app_context():
            reader = db.session.scalar(sa.select(User).where(User.id == 1))
            f = tables.make_filters(reader, today=today, scoped=False)
            start, end = tables.sql.utc_bounds(f.date_from, f.date_to, f.timezone)
            params = {"date_from": f.date_from, "date_to": f.date_to, "today": today, "zone": f.timezone,
                      "start": start, "end": end}
            bare, base = sa.text(BARE_SQL), sa.text(BASE_TABLES_SQL)

            def ours():
                return tables.organizations(reader, f)

            def bare_sql():  # with the session settings the application's analysis uses
                tables.sql.prepare(db.session)
                return db.session.execute(bare, params).all()

            def base_tables_sql():
                tables.sql.prepare(db.session)
                return db.session.execute(base, params).all()

            _same(ours(), bare_sql())
            _same(ours(), base_tables_sql())
            ours_ms, bare_ms, base_ms = [], [], []
            for _ in range(3):  # interleaved, so that none gets the warmer cache
                ours_ms.append(timed(ours, repeat)[0])
                bare_ms.append(timed(bare_sql, repeat)[0])
                base_ms.append(timed(base_tables_sql, 1)[0])
            national, bare_time, base_time = sorted(ours_ms)[1], sorted(bare_ms)[1], sorted(base_ms)[1]
        with app.app_context():
            db.engine.dispose()
    figure("analysis national", round(national), "ms")
    figure("analysis bare sql", round(bare_time), "ms")
    figure("analysis from base tables", round(base_time), "ms")
    figure("analysis ratio", round(national / bare_time, 2), "", digits=2)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
