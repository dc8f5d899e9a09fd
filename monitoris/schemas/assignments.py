"""Assignments, their workflow and the audit events that make their timeline."""

from flask import g
from marshmallow import Schema, fields, validate

from monitoris import clock, permissions
from monitoris.extensions import db
from monitoris.models import ASSIGNMENT_ROLES, OPEN_STATES, STATES, TRANSITIONS, Assignment, Organization
from monitoris.queries import ASSIGNMENT_LIST_FIELDS, ASSIGNMENT_SORTS
from monitoris.schemas.common import Id, OneOf, PageArgs, QueryArgs, QueryId, Str, page_schema


def _allowed_actions(assignment):
    actor = g.get("api_actor")
    return [a for a in assignment.allowed_actions() if permissions.can_transition(actor, assignment, a)]


class AssignmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    task_id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    parent_id = fields.Integer(dump_only=True, allow_none=True,
                               metadata={"description": "Set on a delegated sub-assignment"})
    role = OneOf(ASSIGNMENT_ROLES)
    responsible_id = Id(allow_none=True)
    due_on = fields.Date(metadata={"description": "The effective due date (moved by approved extensions)"})
    original_due_on = fields.Date(dump_only=True)
    state = fields.String(dump_only=True, validate=validate.OneOf(STATES))
    progress = fields.Integer(validate=validate.Range(min=0, max=100), strict=True)
    note = Str(allow_none=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    accepted_at = fields.DateTime(dump_only=True, allow_none=True)
    overdue = fields.Function(lambda a: a.is_overdue(clock.today()), dump_only=True,
                              metadata={"type": "boolean", "description": "Derived: past due and not finished"})
    allowed_actions = fields.Function(_allowed_actions, dump_only=True, metadata={
        "type": "array", "items": {"type": "string", "enum": list(TRANSITIONS)},
        "description": "The transitions the caller may make now"})
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class AssignmentCreateSchema(Schema):
    organization_id = Id(required=True, metadata={"description": "The executive body"})
    due_on = fields.Date(required=True)
    role = OneOf(ASSIGNMENT_ROLES, load_default="lead")
    responsible_id = Id(allow_none=True, load_default=None)
    note = Str(allow_none=True, load_default=None)


class AssignmentPatchSchema(Schema):
    role = OneOf(ASSIGNMENT_ROLES)
    responsible_id = Id(allow_none=True)
    due_on = fields.Date()
    progress = fields.Integer(strict=True, validate=validate.Range(min=0, max=100))
    note = Str(allow_none=True)


class TransitionSchema(Schema):
    action = OneOf(TRANSITIONS, required=True)
    comment = Str(5000, allow_none=True, load_default=None,
                  metadata={"description": "Required to return, cancel or reopen"})


class EventSchema(Schema):
    id = fields.Integer(dump_only=True)
    at = fields.DateTime(dump_only=True)
    actor_id = fields.Integer(dump_only=True, allow_none=True)
    action = fields.String(dump_only=True, metadata={"description": 'e.g. "assignment.submit", "act.created"'})
    object_type = fields.String(dump_only=True)
    object_id = fields.Integer(dump_only=True, allow_none=True)
    organization_id = fields.Integer(dump_only=True, allow_none=True,
                                     metadata={"description": "The executive body the event concerns"})
    before = fields.Dict(dump_only=True, allow_none=True)
    after = fields.Dict(dump_only=True, allow_none=True)


class PeriodStateSchema(Schema):
    period = fields.String(attribute="period.label", dump_only=True,
                           metadata={"description": '"final" for a one-off task; "2026", "2026-H2", "2026-Q3", '
                                                    '"2026-07" for the periods of a recurring one'})
    due_on = fields.Date(attribute="period.due_on", dump_only=True)
    final = fields.Boolean(attribute="period.final", dump_only=True,
                           metadata={"description": "Accepting its report removes the task from control"})
    report_id = fields.Function(lambda s: s.report.id if s.report else None, dump_only=True, metadata={
        "type": "integer", "nullable": True, "description": "The newest version of the period's report"})
    report_state = fields.Function(lambda s: s.report.state if s.report else None, dump_only=True,
                                   metadata={"type": "string", "nullable": True})
    overdue = fields.Boolean(dump_only=True,
                             metadata={"description": "Derived: past its due date, the work open, its report not "
                                                      "accepted"})


class AssignmentDetailSchema(AssignmentSchema):
    periods = fields.List(fields.Nested(PeriodStateSchema), dump_only=True,
                          metadata={"description": "The reporting periods, in order; the last one is final.  Empty "
                                                   "for a delegated piece of work: its organization's report "
                                                   "covers it"})
    timeline = fields.List(fields.Nested(EventSchema), dump_only=True,
                           metadata={"description": "The assignment's audit events, oldest first"})


AssignmentPageSchema = page_schema(AssignmentSchema, "AssignmentPage")

class _ListedOrganization:
    """A listed assignment's body as the rules read it: its id and its place in the tree (the path)."""

    __slots__ = ("id", "path")
    is_within = Organization.is_within

    def __init__(self, id_, path):
        self.id, self.path = id_, path


class _Listed:
    """What the permission rules read of a listed assignment, from its columns: its state, its body and, for a
    delegated one, its parent; and which of the last two they did read (``read``).  The body comes from the
    actor's own bodies (``_AllowedActions.organization``), else, as the parent does, from the session when a
    rule asks, as an ORM object's relationships would load them."""

    __slots__ = ("state", "_organization_id", "_parent_id", "read", "_bodies")
    allowed_actions = Assignment.allowed_actions

    def __init__(self, state, organization_id, parent_id, bodies):
        self.state, self._organization_id, self._parent_id = state, organization_id, parent_id
        self.read = set()
        self._bodies = bodies

    @property
    def organization_id(self):
        self.read.add("organization_id")
        return self._organization_id

    @property
    def organization(self):
        self.read.add("organization_id")
        return self._bodies.organization(self._organization_id)

    @property
    def parent_id(self):
        self.read.add("parent_id")
        return self._parent_id

    @property
    def parent(self):
        self.read.add("parent_id")
        return None if self._parent_id is None else db.session.get(Assignment, self._parent_id)


class _AllowedActions:
    """The transitions ``actor`` may make on each listed assignment, asking the permission rules as little as
    they allow.  The rules answer from the state and what they read of the rest: an assignment that agrees with
    one already asked about on all of that gets the same answer.  A controller's rules never look at the body,
    so a page of fifty bodies' work costs one evaluation per state, not fifty."""

    def __init__(self, actor):
        self.actor = actor
        self.answers = {}  # (state, organization_id, parent_id) -> actions (a tuple)
        self.asked = {}  # state -> [(names the rules read, their values, actions)]
        self.own_bodies = None  # {id: path}, once a rule asks for a body

    def organization(self, organization_id):
        """A listed assignment's body for the rules.  An executive body's people list only their own bodies'
        work, whose paths the request already has (it scoped the list by them): a page of its sub-units' work
        then costs no statement per sub-unit.  Any other body comes from the session."""
        if self.own_bodies is None:
            own = permissions.assignment_scope(self.actor) == "own"
            self.own_bodies = permissions.own_organization_paths(self.actor) if own else {}
        path = self.own_bodies.get(organization_id)
        if path is None:
            return db.session.get(Organization, organization_id)
        return _ListedOrganization(organization_id, path)

    def __call__(self, state, organization_id, parent_id):
        key = (state, organization_id, parent_id)
        allowed = self.answers.get(key)
        if allowed is None:
            values = {"organization_id": organization_id, "parent_id": parent_id}
            asked = self.asked.setdefault(state, [])
            allowed = next((answer for read, seen, answer in asked if all(values[n] == seen[n] for n in read)), None)
            if allowed is None:
                listed = _Listed(state, organization_id, parent_id, self)
                allowed = tuple(action for action in listed.allowed_actions()
                                if permissions.can_transition(self.actor, listed, action))
                asked.append((frozenset(listed.read), values, allowed))
            self.answers[key] = allowed
        return allowed  # a tuple, shared by the items that agree: written as a JSON array


def dump_assignment_rows(rows, actor, today):
    """What ``AssignmentSchema(many=True).dump(assignments)`` gives once written as JSON by
    ``JSONProvider.iso_response``, from rows of ``queries.ASSIGNMENT_LIST_FIELDS``: dates and datetimes stay
    objects, which orjson writes in ISO 8601 as the schema does, faster than ``isoformat`` here.

    marshmallow walks 17 field objects per item, and ORM objects cost more to build than the query; a list page
    dumps up to 200 items on every request.  The schema stays the contract (and the OpenAPI document);
    tests/api/test_list_fast_path.py checks that both give the same JSON.  The allowed actions come from the
    permission rules, asked once per kind of assignment they tell apart (``_AllowedActions``).
    """
    allowed_actions = _AllowedActions(actor)
    items = []
    for (id_, task_id, organization_id, parent_id, role, responsible_id, due_on, original_due_on, state, progress,
         note, submitted_at, accepted_at, created_at, updated_at, version) in rows:
        items.append({
            "accepted_at": accepted_at,
            "allowed_actions": allowed_actions(state, organization_id, parent_id),
            "created_at": created_at,
            "due_on": due_on,
            "id": id_,
            "note": note,
            "organization_id": organization_id,
            "original_due_on": original_due_on,
            "overdue": due_on < today and state in OPEN_STATES,  # Assignment.is_overdue
            "parent_id": parent_id,
            "progress": progress,
            "responsible_id": responsible_id,
            "role": role,
            "state": state,
            "submitted_at": submitted_at,
            "task_id": task_id,
            "updated_at": updated_at,
            "version": version,
        })
    return items


def dump_assignment_items(assignments, actor, today):
    """The same from ORM objects."""
    return dump_assignment_rows([[getattr(a, name) for name in ASSIGNMENT_LIST_FIELDS] for a in assignments],
                                actor, today)


SORTS = [s for key in ASSIGNMENT_SORTS for s in (key, f"-{key}")]


class AssignmentArgs(PageArgs):
    organization_id = QueryId()
    act_id = QueryId()
    state = fields.List(OneOf(STATES), metadata={"description": "One or more states (repeat the parameter)"})
    overdue = fields.Boolean()
    due_before = fields.Date(metadata={"description": "Due on or before this date"})
    due_after = fields.Date(metadata={"description": "Due on or after this date"})
    q = Str(200, metadata={"description": "Part of the task's title or number, or of the body's name"})
    sort = OneOf(SORTS, load_default="due_on", metadata={"description": '"-" before a field sorts descending'})


class EventArgs(QueryArgs):
    after_id = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**63 - 1),
                              metadata={"description": "Only events after this id (the last one you have)"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=200))
    object_type = Str(40)
    object_id = QueryId()


class EventListSchema(Schema):
    items = fields.List(fields.Nested(EventSchema), required=True)
    last_id = fields.Integer(required=True, metadata={
        "description": "Pass as after_id to get what follows (equal to after_id when nothing new)"})


class StreamArgs(QueryArgs):
    after_id = fields.Integer(validate=validate.Range(min=0, max=2**63 - 1), metadata={
        "description": "Resume after this id (the Last-Event-ID header does the same); by default only new events"})
