"""Who may do what: ``can_<verb>(user, obj)`` for single objects, ``scope_<things>`` for lists.

The scope functions add a WHERE clause built from the same rule as the matching
``can_view_*`` function, so a list can never show what its detail page would refuse.
"""

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import object_session

from monitoris.extensions import db
from monitoris.models import CLOSED_STATES, Act, Assignment, Event, Instruction, Organization, Report, Task


def _is(user, *roles):
    return user is not None and user.is_authenticated and user.has_role(*roles)


def reads_everything(user):
    return user is not None and user.is_authenticated and user.reads_everything


# The user's organization and its sub-units: one statement, built once (the path's prefix is escaped in Python:
# LIKE's wildcards in a path are text).
_ORGANIZATIONS = Organization.__table__
_OWN_IDS = sa.select(_ORGANIZATIONS.c.id).where(_ORGANIZATIONS.c.path.like(sa.bindparam("prefix"), escape="/"))
_OWN_PATHS = _OWN_IDS.add_columns(_ORGANIZATIONS.c.path)


def _own_prefix(user):
    return user.organization.path.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def own_organization_ids(user):
    """The user's organization and its sub-units, as a subquery (the permissions and the analysis scope by it)."""
    return _OWN_IDS.params(prefix=_own_prefix(user))


def _own_paths(session, user):
    return dict(session.execute(_OWN_PATHS, {"prefix": _own_prefix(user)}).all())


def own_organization_paths(user):
    """{id: path} of the user's organization and its sub-units: what a list scopes by, and what the rules need
    to tell whether a listed assignment's body is within theirs (``Organization.is_within`` reads the path)."""
    session = object_session(user) or db.session  # the live feed re-checks in its own short session
    if not has_request_context() or session is not db.session():
        return _own_paths(session, user)
    # Computed once per request (a list page, its count and its items' allowed actions all need it); kept in
    # the WSGI environ, which lives exactly as long as the request.
    cache = request.environ.setdefault("monitoris.own_organization_paths", {})
    key = (user.id, user.organization.path)
    if key not in cache:
        cache[key] = _own_paths(session, user)
    return cache[key]


def own_organization_id_list(user):
    """The same ids as a list: a scoped list query then names them, so PostgreSQL estimates the rows of a
    few bodies (and walks their index) instead of guessing a subquery matches half the table."""
    return list(own_organization_paths(user)) or [0]


# -- organizations and users ---------------------------------------------------------

def can_administer(user):
    return _is(user, "admin")


def can_view_directory(user):
    """The directory of organizations and people (names, roles) is open to every signed-in user."""
    return user is not None and user.is_authenticated


def can_view_contact_details(user, person):
    """A person's email, phone, language, account state and logins: for the control body and themself."""
    return reads_everything(user) or (user is not None and user.is_authenticated and user.id == person.id)


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


def can_add_tasks(user, act):
    """Add tasks to an act (by hand or by importing a plan): controllers, while the act is not closed."""
    return can_manage_acts(user) and act.state != "closed"


def can_edit_task(user, task):
    return can_add_tasks(user, task.act)


# -- assignments -----------------------------------------------------------------------

def can_view_assignment(user, assignment):
    if reads_everything(user):
        return True
    # An executive body sees its work once the act is out of draft, as it sees the act itself.
    return (user is not None and user.is_authenticated and assignment.organization.is_within(user.organization)
            and assignment.task.act.state != "draft")


def assignment_scope(user):
    """Which of ``scope_assignments``'s rules applies to ``user``: "all", "own" (their bodies' work) or "none"."""
    if reads_everything(user):
        return "all"
    if user is None or not user.is_authenticated:
        return "none"
    return "own"


def scope_assignments(user, stmt, *, scope=None, own_ids=None):
    """``stmt`` limited to the assignments ``user`` may see.  A list statement built once for every user of a
    scope passes ``scope`` and, for "own", ``own_ids`` as a bound parameter (``queries.assignment_list``)."""
    scope = scope or assignment_scope(user)
    if scope == "all":
        return stmt
    if scope == "none":
        return stmt.where(sa.false())
    # "Not a task of a draft act" rather than "a task of a published act": drafts are few, so the database
    # hashes a handful of ids instead of joining every task of every act to count one body's work.
    unpublished = sa.select(Task.id).join(Act, Task.act_id == Act.id).where(Act.state == "draft")
    ids = own_organization_id_list(user) if own_ids is None else own_ids
    return stmt.where(Assignment.organization_id.in_(ids), Assignment.task_id.not_in(unpublished))


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
    if action in ("accept", "return", "cancel", "reopen", "accept_period"):
        return _reviews(user, assignment)
    return False


def can_edit_assignment(user, assignment):
    """Change the due date, role or responsible person directly (the control body's call)."""
    return _reviews(user, assignment)


def can_choose_responsible(user, assignment):
    return can_edit_assignment(user, assignment) or _heads(user, assignment.organization)


def can_report_progress(user, assignment):
    return _works_for(user, assignment) and assignment.state in ("assigned", "in_progress")


def editable_assignment_fields(user, assignment):
    """Which of an assignment's fields this person may change directly."""
    allowed = set()
    if can_edit_assignment(user, assignment):
        allowed |= {"role", "due_on", "responsible_id", "note"}
    if can_choose_responsible(user, assignment):
        allowed.add("responsible_id")
    if can_report_progress(user, assignment) and not assignment.sub_assignments:
        allowed.add("progress")
    return allowed


def can_delegate(user, assignment):
    return _heads(user, assignment.organization) and assignment.state in ("assigned", "in_progress")


# -- reports, documents, instructions, extension requests ----------------------------------
# The organization's one report lives on its top-level assignment; delegated work rolls up into it.

def can_view_report(user, report):
    return can_view_assignment(user, report.assignment)


def scope_reports(user, stmt):
    """Reports whose assignment ``user`` may see (``stmt`` selects from Report)."""
    if reads_everything(user):
        return stmt
    return stmt.where(Report.assignment_id.in_(scope_assignments(user, sa.select(Assignment.id))))


def works_on(user, assignment):
    """An executor or org_head of the assignment's body (whatever the state of the work)."""
    return _works_for(user, assignment)


def can_write_report(user, assignment):
    return (_works_for(user, assignment) and assignment.parent_id is None
            and assignment.state in ("assigned", "in_progress"))


def can_revise_report(user, report):
    """Start the next version of a returned report: only of the latest version of its period."""
    newer = sa.select(Report.id).where(Report.assignment_id == report.assignment_id, Report.period == report.period,
                                       Report.version > report.version)
    return (report.state == "returned" and can_write_report(user, report.assignment)
            and not db.session.scalar(sa.select(newer.exists())))


def can_edit_report(user, report):
    """Change the text, progress and documents: the body's people, while the report is a draft of open work."""
    return (report.state == "draft" and report.assignment.state not in CLOSED_STATES
            and _works_for(user, report.assignment))


def can_submit_report(user, report):
    return can_edit_report(user, report) and report.assignment.state in ("assigned", "in_progress")


def can_review_report(user, report):
    return report.state == "submitted" and _reviews(user, report.assignment)


def can_view_instruction(user, instruction):
    if reads_everything(user):
        return True
    return (user is not None and user.is_authenticated and instruction.organization.is_within(user.organization)
            and instruction.task.act.state != "draft")


def scope_instructions(user, stmt):
    if reads_everything(user):
        return stmt
    if user is None or not user.is_authenticated:
        return stmt.where(sa.false())
    published = sa.select(Task.id).join(Act, Task.act_id == Act.id).where(Act.state != "draft")
    return stmt.where(Instruction.organization_id.in_(own_organization_ids(user)),
                      Instruction.task_id.in_(published))


def can_issue_instruction(user, assignment):
    return _is(user, "controller", "admin") and assignment.state != "cancelled"


def can_answer_instruction(user, instruction):
    """Acknowledge and answer: the people of the body it is addressed to."""
    return (_is(user, "executor", "org_head") and instruction.organization.is_within(user.organization)
            and instruction.state in ("issued", "acknowledged"))


def can_close_instruction(user, instruction):
    return _is(user, "controller", "admin") and instruction.state != "closed"


def can_attach_to_instruction(user, instruction):
    """The control body attaches to its instruction until answered; the body to its answer until sent."""
    if _is(user, "controller", "admin"):
        return instruction.state in ("issued", "acknowledged")
    return can_answer_instruction(user, instruction)


def can_view_document(user, document):
    if document.report is not None:
        return can_view_report(user, document.report)
    if document.instruction is not None:
        return can_view_instruction(user, document.instruction)
    act = db.session.get(Act, document.act_id) if document.act_id else None
    return act is not None and can_view_act(user, act)


def can_remove_document(user, document):
    if document.report is not None:
        return can_edit_report(user, document.report)
    if document.instruction is not None:
        return (document.uploaded_by_id == user.id and can_attach_to_instruction(user, document.instruction))
    return False


def can_request_extension(user, assignment):
    return (_works_for(user, assignment) and assignment.parent_id is None
            and assignment.state in ("assigned", "in_progress", "submitted"))


def decides_extensions(user, assignment):
    """Whose call an extension of ``assignment`` is (whatever the state of the request or of the work)."""
    return _reviews(user, assignment)


def can_decide_extension(user, extension_request):
    """Approve or reject it now: a pending request on open work (finished work's due date no longer moves)."""
    return (extension_request.decision == "pending" and extension_request.assignment.state not in CLOSED_STATES
            and decides_extensions(user, extension_request.assignment))


def can_review(user):
    """Sees the review queue: the control body's reviewers."""
    return _is(user, "controller", "admin")


def has_own_work(user):
    """Sees "My work": the people of an executive body."""
    return _is(user, "executor", "org_head")


# -- events ------------------------------------------------------------------------------

# Logins, failures with emails and addresses, 2FA, passwords, tokens, denials: for admins' eyes only.
SECURITY_ACTION_PREFIXES = ("auth.", "security.", "user.password", "api_token.")


def is_security_action(action):
    return (action or "").startswith(SECURITY_ACTION_PREFIXES)


def security_event_filter(event_cls):
    return sa.or_(*(event_cls.action.startswith(p, autoescape=True) for p in SECURITY_ACTION_PREFIXES))


def can_view_event(user, event):
    """An executive body sees the events of its own bodies' work, once the act is out of draft (as the work)."""
    if is_security_action(event.action) and not can_administer(user):
        return False
    if reads_everything(user):
        return True
    if event.organization_id is None or user is None or not user.is_authenticated:
        return False
    if event.act_id is not None:
        act = (object_session(event) or db.session).get(Act, event.act_id)
        if act is not None and act.state == "draft":
            return False
    return event.organization_id in own_organization_id_list(user)


def scope_events(user, stmt):
    if can_administer(user):
        return stmt
    stmt = stmt.where(sa.not_(security_event_filter(Event)))
    if reads_everything(user):
        return stmt
    if user is None or not user.is_authenticated:
        return stmt.where(sa.false())
    return stmt.where(events_of_bodies(own_organization_id_list(user)))


def events_of_bodies(organization_ids):
    """The events an executive body sees (its people, its webhooks): of its bodies' work (``organization_ids``,
    a list or a subquery), except while that work's act is a draft."""
    drafts = sa.select(Act.id).where(Act.state == "draft")
    return sa.and_(Event.organization_id.in_(organization_ids),
                   sa.or_(Event.act_id.is_(None), Event.act_id.not_in(drafts)))


def can_end_login_session(user, login_session):
    """A person ends their own login sessions; nobody ends another's one by one (an admin ends them all at
    once: ``can_end_sessions_of``)."""
    return (user is not None and user.is_authenticated and login_session is not None
            and login_session.user_id == user.id)


def can_end_sessions_of(user, person):
    """An admin ends every login session of another person at once (a stolen laptop, a person leaving).
    Their own they end from "Your login sessions", with their password, keeping the one they are in."""
    return can_administer(user) and person is not None and person.id != user.id
