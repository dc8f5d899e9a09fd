"""A bearer-token read of the work list sends its own statements and nothing else (PostgreSQL leg).

No pool pre-ping while the connection is busy, no BEGIN or ROLLBACK around a read-only view (its statements run
in autocommit), and the same answer as inside a transaction.  An app on a database of its own: the per-test
transaction of the rest of the suite would hide all of this.
"""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from monitoris import permissions
from monitoris.extensions import db
from monitoris.models import Assignment, User
from tests.factories import make_assignment, make_task, make_token, make_world

pytestmark = pytest.mark.postgresql

@pytest.fixture
def listing(own_postgresql_app, monkeypatch):
    """(app, bearer token, statements sent: [(sql, autocommit)], pings sent: [connection])."""
    app, _admin, _name = own_postgresql_app
    with app.app_context():
        upgrade(revision="heads")
        w = make_world()
        for n, org in enumerate((w.sa, w.sa1, w.mt, w.mt1) * 20):
            make_assignment(make_task(w.act), org, state=("assigned", "in_progress", "submitted")[n % 3],
                            due_on=date(2026, 1, 1 + n % 28))
        token = make_token(w.controller, days_valid=36500)
        db.session.commit()
        engine = db.engine
    statements, pings = [], []

    def before_cursor_execute(conn, _cursor, statement, parameters, *_args):
        statements.append((statement, conn.connection.dbapi_connection.autocommit))

    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi_connection: pings.append(dbapi_connection)
                        or ping(dbapi_connection))
    yield app, token, statements, pings
    sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)


def _get(app, token, url):
    response = app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_a_list_read_sends_the_token_page_and_count_in_autocommit(listing):
    app, token, statements, pings = listing
    _get(app, token, "/api/v1/assignments?page_size=10")  # the first use of the token writes last_used_at
    statements.clear()
    body = _get(app, token, "/api/v1/assignments?page_size=10&state=assigned&state=in_progress").get_json()
    assert (len(body["items"]), body["total"]) == (10, 54)
    sent = [sql.split(None, 4)[:4] for sql, _ in statements]
    assert len(statements) == 3, sent  # the token, the page, the count: no ping, no BEGIN, no ROLLBACK
    assert "api_tokens" in statements[0][0] and "count(*)" in statements[2][0]
    assert all(autocommit for _, autocommit in statements)
    assert pings == []  # the connection came back a moment ago, with nothing on its socket


def test_the_answer_is_the_one_a_transaction_gives(listing, monkeypatch):
    app, token, statements, _pings = listing
    url = "/api/v1/assignments?page_size=7&page=2&sort=-due_on"
    fast = _get(app, token, url)
    monkeypatch.setattr(app.view_functions["api.list_assignments"], "api_read_only", False)
    statements.clear()
    slow = _get(app, token, url)
    assert statements and not any(autocommit for _, autocommit in statements)
    assert fast.get_data() == slow.get_data()
    assert {k: v for k, v in fast.headers if k != "Content-Security-Policy"} == \
        {k: v for k, v in slow.headers if k != "Content-Security-Policy"}


def test_writes_keep_their_transaction(listing):
    """Only views marked read-only run without one: the token list (a GET too) keeps its transaction."""
    app, token, statements, _pings = listing
    _get(app, token, "/api/v1/assignments")
    statements.clear()
    _get(app, token, "/api/v1/auth/tokens")
    assert statements and not any(autocommit for _, autocommit in statements)


def test_an_acts_list_is_three_statements_on_the_assignments_own_act(listing):
    """No query of the act's tasks first: the page and the count filter on assignments.act_id."""
    app, token, statements, _pings = listing
    _get(app, token, "/api/v1/assignments?page_size=5")
    with app.app_context():
        act_id = db.session.execute(sa.text("SELECT min(act_id) FROM tasks")).scalar()
        total = db.session.execute(sa.text("SELECT count(*) FROM assignments a JOIN tasks t ON t.id = a.task_id "
                                           "WHERE t.act_id = :a"), {"a": act_id}).scalar()
    statements.clear()
    body = _get(app, token, f"/api/v1/assignments?act_id={act_id}&page_size=5").get_json()
    assert len(statements) == 3 and "FROM tasks" not in " ".join(sql for sql, _ in statements)
    assert all("assignments.act_id = %(act_id)s" in sql for sql, _ in statements[1:])
    assert body["total"] == total == 80 and len(body["items"]) == 5


def test_an_idle_connection_is_pinged_before_use(listing):
    app, token, _statements, pings = listing
    _get(app, token, "/api/v1/assignments")
    with app.app_context():
        for record in list(db.engine.pool._pool.queue):  # ages the pooled connections
            record.info["monitoris.checked_in"] -= 3600
    _get(app, token, "/api/v1/assignments")
    assert len(pings) == 1


def test_an_executive_bodys_list_of_its_sub_units_work_asks_for_no_body_one_by_one(listing):
    """The allowed actions of a body's own and its sub-unit's work come from the bodies the list was scoped by:
    the token, the bodies, the page and the count, however many sub-units the page holds."""
    app, _token, statements, _pings = listing
    with app.app_context():
        head = db.session.execute(sa.text("SELECT u.id FROM users u JOIN organizations o ON o.id = u.organization_id "
                                          "JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'org_head' "
                                          "AND o.parent_id IS NULL AND EXISTS (SELECT 1 FROM organizations s "
                                          "WHERE s.parent_id = o.id) ORDER BY u.id LIMIT 1")).scalar()
        token = make_token(db.session.get(User, head), days_valid=36500)
        db.session.commit()
    _get(app, token, "/api/v1/assignments?page_size=1")
    statements.clear()
    body = _get(app, token, "/api/v1/assignments?page_size=30&sort=-due_on").get_json()
    assert len(statements) == 4, [sql.split(None, 6)[:6] for sql, _ in statements]
    assert "FROM organizations" in statements[1][0] and "count(*)" in statements[3][0]
    bodies = {item["organization_id"] for item in body["items"]}
    assert len(bodies) == 2 and body["total"] == 40  # the body's own work and its sub-unit's
    with app.app_context():
        user = db.session.get(User, head)
        for item in body["items"]:  # what the rules answer for the assignment itself
            assignment = db.session.get(Assignment, item["id"])
            assert item["allowed_actions"] == [a for a in assignment.allowed_actions()
                                               if permissions.can_transition(user, assignment, a)], item
    assert {tuple(i["allowed_actions"]) for i in body["items"] if i["state"] == "assigned"} == {("start",)}
