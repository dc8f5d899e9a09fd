"""auth.end_all_sessions: the admin's "End all sessions of this person" as a service (permission, revocation,
audit, flush only), and the security events page offering every security action the code records."""

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitoris import permissions
from monitoris.errors import Forbidden
from monitoris.extensions import db
from monitoris.models import Event
from monitoris.services import auth
from monitoris.web.helpers import SECURITY_EVENT_LABELS
from monitoris.web.security_admin import ACTIONS
from tests.factories import make_user
from tests.web.conftest import text

PACKAGE = Path(__file__).resolve().parents[2] / "monitoris"


def _events(action):
    return db.session.scalars(sa.select(Event).where(Event.action == action).order_by(Event.id)).all()


def test_the_service_ends_every_live_session_audits_the_count_and_only_flushes(w, monkeypatch):
    person, bystander = make_user(), make_user()
    for ip in ("192.0.2.1", "192.0.2.2"):
        auth.start_session(person, ip=ip)
    auth.start_session(bystander)

    def no_commit():
        raise AssertionError("a service flushes; the view commits")

    monkeypatch.setattr(db.session, "commit", no_commit)
    assert auth.end_all_sessions(w.admin, person) == 2
    assert auth.live_sessions(person) == [] and len(auth.live_sessions(bystander)) == 1
    [event] = _events("auth.all_sessions_ended")
    assert (event.actor_id, event.object_type, event.object_id, event.after) == (w.admin.id, "user", person.id,
                                                                                 {"count": 2})
    assert auth.end_all_sessions(w.admin, person) == 0  # nothing live: still audited, with its count
    assert [e.after for e in _events("auth.all_sessions_ended")] == [{"count": 2}, {"count": 0}]


@pytest.mark.parametrize("who", ["controller", "observer", "head_sa", "exec_sa", "admin"])
def test_nobody_but_an_admin_ends_another_persons_sessions(w, who):
    actor = getattr(w, who)
    person = w.admin if who == "admin" else w.exec_mt  # an admin ends their own on their own page
    auth.start_session(person)
    with pytest.raises(Forbidden):
        auth.end_all_sessions(actor, person)
    assert len(auth.live_sessions(person)) == 1 and _events("auth.all_sessions_ended") == []
    assert not permissions.can_end_sessions_of(actor, person)


def _recorded_actions():
    """Every action named literally in an ``audit.record(actor, "<action>", …)`` call of the package."""
    actions = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
                actions.add(node.args[1].value)
    return actions


def test_the_event_filter_offers_every_security_action_recorded_each_with_a_label():
    recorded = _recorded_actions()
    security = {a for a in recorded if permissions.is_security_action(a)}
    assert "auth.all_sessions_ended" in security and "auth.login_failed" in security  # the scan finds them
    assert security <= set(ACTIONS), sorted(security - set(ACTIONS))
    assert set(ACTIONS) <= recorded, sorted(set(ACTIONS) - recorded)  # no stale choice
    assert len(ACTIONS) == len(set(ACTIONS))
    assert set(ACTIONS) <= set(SECURITY_EVENT_LABELS), sorted(set(ACTIONS) - set(SECURITY_EVENT_LABELS))


def test_the_filter_names_the_admins_ending_of_sessions_in_the_readers_language(login, w):
    admin = login(w.admin)
    admin.post(f"/admin/users/{w.exec_sa.id}/sessions/end")
    option = '<option value="auth.all_sessions_ended">{}</option>'
    assert option.format("All login sessions ended by an admin") in text(admin.get("/admin/security/events"))
    w.admin.locale = "ru"
    page = text(admin.get("/admin/security/events", query_string={"action": "auth.all_sessions_ended"}))
    selected = '<option value="auth.all_sessions_ended" selected>Все сеансы входа завершены администратором</option>'
    assert selected in page
    assert "<code>auth.all_sessions_ended</code>" in page and "<code>auth.login</code>" not in page
