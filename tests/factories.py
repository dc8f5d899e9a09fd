"""Plain factory functions: ``make_task(**overrides)`` returns a flushed object with sensible defaults."""

import itertools
from datetime import date, timedelta

from monitoris.extensions import db
from monitoris.models import Act, Assignment, Organization, Task, User
from monitoris.services.passwords import hash_password

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_hash = {}


def _password_hash():
    # Hashing is the slow part of making a user; one hash serves every test user.
    if "h" not in _hash:
        _hash["h"] = hash_password(PASSWORD)
    return _hash["h"]


def make_org(short_name=None, *, parent=None, kind="central", **overrides):
    n = next(_seq)
    org = Organization(name=overrides.pop("name", f"Organization {n}"), short_name=short_name or f"ORG{n}",
                       kind=kind, parent=parent, path="", **overrides)
    db.session.add(org)
    db.session.flush()
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    db.session.flush()
    return org


def make_user(*roles, organization=None, **overrides):
    n = next(_seq)
    user = User(email=overrides.pop("email", f"user{n}@example.test"), name=overrides.pop("name", f"User {n}"),
                organization=organization or make_org(), password_hash=_password_hash(), **overrides)
    user.roles = roles or ("executor",)
    db.session.add(user)
    db.session.flush()
    return user


def make_act(**overrides):
    n = next(_seq)
    act = Act(kind=overrides.pop("kind", "action_plan"), title=overrides.pop("title", f"Action plan {n}"),
              state=overrides.pop("state", "active"), **overrides)
    db.session.add(act)
    db.session.flush()
    return act


def make_task(act=None, number=None, **overrides):
    act = act or make_act()
    task = Task(act=act, number=number or str(next(_seq)), title=overrides.pop("title", "Hold awareness events"),
                **overrides)
    db.session.add(task)
    db.session.flush()
    return task


def make_assignment(task=None, organization=None, *, state="assigned", due_on=None, **overrides):
    due_on = due_on or date(2026, 7, 1)
    a = Assignment(task=task or make_task(), organization=organization or make_org(), state=state, due_on=due_on,
                   original_due_on=overrides.pop("original_due_on", due_on), role=overrides.pop("role", "lead"),
                   progress=overrides.pop("progress", 0), **overrides)
    db.session.add(a)
    db.session.flush()
    return a


def days(n):
    return timedelta(days=n)
