"""Plan import: a 5,000-row XLSX plan (sections, three levels, several bodies per row) into a fresh act.

Prints ``plan import 5000 rows: N s`` (read, check and write everything through the services,
with the audit events and the notifications, committed) next to ``plan import 5000 rows parse only:
N s`` (reading the workbook) and ``... check only`` (the dry run: reading plus every check).
"""

import io
import sys
import tempfile
import time
from datetime import UTC, datetime

import openpyxl
import sqlalchemy as sa

from bench.common import bench_database, figure, make_app
from monitoris.extensions import db
from monitoris.models import Act, Assignment, Organization, Task, User
from monitoris.plans import importer
from monitoris.plans.parse import read_plan
from monitoris.services.passwords import hash_password

BODIES = 60
AT = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def plan_workbook(rows=5000, bodies=BODIES):
    """Sections "n", sub-sections "n.m", measures "n.m.k" with one to three bodies each."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["National action plan (bench)"])
    sheet.append(["No.", "Event name", "Assessment indicator", "Fulfilment period", "Executive bodies"])
    written, n = 0, 0
    while written < rows:
        n += 1
        sheet.append([f"{n}", f"Section {n}: better public services", None, None, None])
        written += 1
        for m in range(1, 5):
            if written >= rows:
                break
            sheet.append([f"{n}.{m}", f"Sub-section {n}.{m}", None, None, None])
            written += 1
            for k in range(1, 21):
                if written >= rows:
                    break
                names = ", ".join(f"EB{(n * 7 + m * 3 + k + j) % bodies + 1}" for j in range((k % 3) + 1))
                period = "Regular" if k % 10 == 0 else f"{2026 + k % 2}-{2027 + k % 3}"
                sheet.append([f"{n}.{m}.{k}.", f"Measure {n}.{m}.{k}: hold awareness events in every region",
                              "Number of awareness events held and people reached", period, names])
                written += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def seed():
    control = Organization(name="Control Department", short_name="CD", kind="control", path="")
    db.session.add(control)
    db.session.flush()
    control.path = f"/{control.id}/"
    password = hash_password("bench-password")
    controller = User(email="controller@bench.example", name="Controller", organization=control,
                      password_hash=password)
    controller.roles = ("controller",)
    db.session.add(controller)
    for i in range(1, BODIES + 1):
        org = Organization(name=f"Executive body {i}", short_name=f"EB{i}", kind="central", path="")
        db.session.add(org)
        db.session.flush()
        org.path = f"/{org.id}/"
        head = User(email=f"head{i}@bench.example", name=f"Head {i}", organization=org, password_hash=password)
        head.roles = ("org_head",)
        db.session.add(head)
    act = Act(kind="action_plan", title="National Action Plan (bench)", state="active")
    db.session.add(act)
    db.session.commit()
    return controller.id, act.id


def main(rows=5000):
    data = plan_workbook(rows)
    with bench_database() as url, tempfile.TemporaryDirectory() as instance:
        app = make_app(url, instance, clock_at=AT)
        with app.app_context():
            controller_id, act_id = seed()
            start = time.perf_counter()
            parsed = read_plan(data)
            parse_s = time.perf_counter() - start
            controller, act = db.session.get(User, controller_id), db.session.get(Act, act_id)
            start = time.perf_counter()
            plan = importer.import_plan(controller, act, data, dry_run=True)
            check_s = time.perf_counter() - start
            assert plan.valid, plan.errors[:5]
            db.session.rollback()
            controller, act = db.session.get(User, controller_id), db.session.get(Act, act_id)
            start = time.perf_counter()
            plan = importer.import_plan(controller, act, data)
            db.session.commit()
            import_s = time.perf_counter() - start
            tasks = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.act_id == act_id))
            assignments = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment))
            db.engine.dispose()
    figure(f"plan import {len(parsed.rows)} rows parse only", round(parse_s, 2), "s")
    figure(f"plan import {len(parsed.rows)} rows check only", round(check_s, 2), "s")
    figure(f"plan import {len(parsed.rows)} rows", round(import_s, 2), "s")
    figure("plan import tasks written", tasks, "tasks")
    figure("plan import assignments written", assignments, "assignments")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
