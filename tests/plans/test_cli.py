"""``flask plan import ACT_ID FILE [--dry-run] --as EMAIL``."""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Task
from tests.factories import make_act, make_world
from tests.plans.files import csv_bytes, plan_rows, xlsx_bytes


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["plan", "import", *args])


def _count(act):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.act_id == act.id))


def test_dry_run_then_import(app, tmp_path):
    w = make_world()
    act = make_act()
    db.session.commit()  # the command rolls back a dry run; the world must survive it (the test still rolls back)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bytes(plan_rows(w)))
    dry = _run(app, str(act.id), str(path), "--dry-run", "--as", w.controller.email)
    assert dry.exit_code == 0, dry.output
    assert "would create 4 sections, 5 measures and 7 assignments" in dry.output
    assert f"+     4.1.1 Publish the open data catalogue [{w.mt.short_name}]" in dry.output
    assert _count(act) == 0
    done = _run(app, str(act.id), str(path), "--as", w.controller.email.upper())
    assert done.exit_code == 0, done.output
    assert "Imported: 9 tasks and 7 assignments" in done.output and _count(act) == 9


def test_errors_name_the_rows_and_nothing_is_written(app, tmp_path):
    w = make_world()
    act = make_act()
    db.session.commit()
    rows = plan_rows(w)
    rows[0][1] = ""
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(rows))
    result = _run(app, str(act.id), str(path), "--as", w.controller.email)
    assert result.exit_code == 1 and "row 2: The event name is empty." in result.output
    assert _count(act) == 0
    assert "Only a controller" in _run(app, str(act.id), str(path), "--as", w.exec_sa.email).output
    assert "No act" in _run(app, "999999", str(path), "--as", w.controller.email).output
    path.write_bytes(b"\x00\x01 not a plan")
    assert "not a plan" in _run(app, str(act.id), str(path), "--as", w.controller.email).output
