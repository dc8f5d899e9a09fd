"""Who may do what: ``can_<verb>(user, obj)`` for single objects, ``scope_<things>`` for lists.

The scope functions add a WHERE clause built from the same rule as the matching
``can_view_*`` function, so a list can never show what its detail page would refuse.
"""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Act, Assignment, Event, Organization, Task


def _is(user, *roles):
    return user is not None and user.is_authenticated and user.has_role(*roles)


def reads_everything(user):
    return user is not None and user.is_authenticated and user.reads_everything


def _own_organization_ids(user):
    """The user's organization and its sub-units, as a subquery."""
    prefix = user.organization.path
    return sa.select(Organization.id).where(Organization.path.startswith(prefix, autoescape=True))


# -- organizations and users ---------------------------------------------------------

def can_administer(user):
    return _is(user, "admin")


def can_view_directory(user):
    """The directory of organizations and people (names, roles) is open to every signed-in user."""
    return user is not None and user.is_authenticated


# -- acts and tasks --------------------------------------------------------------------

def can_manage_acts(user):
    return _is(user, "controller", "admin")


def can_view_act(user, act):
    if reads_everything(user):
        return True
    return user.is_authenticated and act.state != "draft"


def scope_acts(user, stmt, act_cls):
    if reads_everything(user):
        return stmt
    return stmt.where(act_cls.state != "draft")


def can_view_task(user, task):
    return can_view_act(user, task.act)


def can_edit_task(user, task):
    return can_manage_acts(user) and task.act.state != "closed"


# -- assignments -----------------------------------------------------------------------

def can_view_assignment(user, assignment):
    if reads_everything(user):
        return True
    # An executive body sees its work once the act is out of draft, as it sees the act itself.
    return (user is not None and user.is_authenticated and assignment.organization.is_within(user.organization)
            and assignment.task.act.state != "draft")


def scope_assignments(user, stmt):
    if reads_everything(user):
        return stmt
    if user is None or not user.is_authenticated:
        return stmt.where(sa.false())
    published = sa.select(Task.id).join(Act, Task.act_id == Act.id).where(Act.state != "draft")
    return stmt.where(Assignment.organization_id.in_(_own_organization_ids(user)),
                      Assignment.task_id.in_(published))


def can_assign(user, task):
    return can_edit_task(user, task)


def _works_for(user, assignment):
    return _is(user, "executor", "org_head") and assignment.organization.is_within(user.organization)


def _heads(user, organization):
    return _is(user, "org_head") and organization.is_within(user.organization)


def _reviews(user, assignment):
    """Controllers review an organization's assignment; a delegated one is reviewed inside the body."""
    if assignment.parent_id is not None:
        return _heads(user, assignment.parent.organization)
    return _is(user, "controller", "admin")


def can_transition(user, assignment, action):
    if action in ("start", "submit"):
        return _works_for(user, assignment)
    if action in ("accept", "return", "cancel", "reopen"):
        return _reviews(user, assignment)
    return False


def can_edit_assignment(user, assignment):
    """Change the due date, role or responsible person directly (the control body's call)."""
    return _reviews(user, assignment)


def can_choose_responsible(user, assignment):
    return can_edit_assignment(user, assignment) or _heads(user, assignment.organization)


def can_report_progress(user, assignment):
    return _works_for(user, assignment) and assignment.state in ("assigned", "in_progress")


def can_delegate(user, assignment):
    return _heads(user, assignment.organization) and assignment.state in ("assigned", "in_progress")


# -- events ------------------------------------------------------------------------------

def can_view_event(user, event):
    if reads_everything(user):
        return True
    if event.organization_id is None or user is None or not user.is_authenticated:
        return False
    return event.organization_id in set(db.session.scalars(_own_organization_ids(user)))


def scope_events(user, stmt):
    if reads_everything(user):
        return stmt
    if user is None or not user.is_authenticated:
        return stmt.where(sa.false())
    return stmt.where(Event.organization_id.in_(_own_organization_ids(user)))
