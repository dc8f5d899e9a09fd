"""The deadline scan: which reminders are due today, queued once each whatever happens.

Policy: reminders 7, 3 and 1 days before the due date, on the due date, the day after
(overdue: escalated to the body's heads and the task's controller), then weekly while
overdue.  The installation's policy is ``MONITORIS_REMINDER_POLICY``; an act may override
it (``Act.reminder_policy``, same format: "7,3,1,0,-1", days before the due date, 0 on it,
negative after it).  Every assignment follows its own act's policy, never another act's.
The policy lists the points; "weekly while overdue" (``MONITORIS_REMINDER_WEEKLY_OVERDUE``)
is the installation's and applies under every policy, a week after the policy's last overdue
point, or a week after the due date when the policy has none: an act set to "2,0" is
reminded two days before and on the due date, then first escalated 7 days after it and weekly
from there.  A controller who left out the day after meant it; overdue work still never goes
silent for good.  Every overdue point (a policy's own or a weekly one) is escalated.
A delegated sub-assignment is reminded only while the organization's assignment it was split
from is open: once that is accepted or cancelled, the sub-assignment's work is over too.
A reminder meant for a day off goes out on the working day before it; an overdue one
on the working day after (an "overdue" message must never arrive before the deadline).
Nothing goes out on a day off.

The scan's cost grows with the number of assignments that have a reminder today, not with
the number of assignments: it works out the exact due dates that have a reminder point in
its window and selects open assignments with ``due_on IN (…)``, which the (state, due_on)
index answers.  With several policies in force the dates are the union of each policy's own
dates, and each row is then judged by its own act's policy.  The window is today, extended
back to the day after the last completed scan (at most ``REMINDER_CATCH_UP_DAYS``) so that a
scheduler that was down catches up what it missed — only the latest point of each assignment,
not a burst of stale ones.

A recurring task's periods are reminded of on the same terms: each period's report has its own due date, the end
of its period (``monitoris.periods``), and is reminded of, and escalated when overdue, under the act's policy, with
the keys ``assignment:<id>:period:<period>:due:<date>:<point>``, until it is submitted or accepted.  A period that
ended before the work was assigned (a plan's periods may start years earlier) is not reminded of.  The last
period is the work's own due date, reminded of as the work.  The scan's candidate dates hold a month end on most
days (the weekly overdue points reach two years back), so this select runs on most scans; it reads only the open
work of tasks that recur on those month ends.  A delegated piece of work has no periods of its own (its
organization's one report covers it).

Instruction response deadlines are reminded by the same scan, on the same terms: the policy of the act of the
instruction's task, the same points, calendar and window, keys ``instruction:<id>:due:<date>:<point>``.  Only while
the instruction awaits an answer (issued or acknowledged) and its act is in force: a body hears nothing of a draft
act's work.  The body's responsible person for the instruction's assignment hears (for an instruction to the whole
body, that of the body's own assignment of the task), else the body's heads; an overdue point is escalated to the
body's heads and whoever issued the instruction, who waits for the answer.  A partial index of the instructions
awaiting an answer by response date (0012) answers the select, as the (state, due_on) one does for assignments.
"""

import functools
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from monitoris import clock, periods
from monitoris.extensions import db
from monitoris.models import (
    AWAITING_ANSWER,
    OPEN_STATES,
    Act,
    Assignment,
    Instruction,
    Organization,
    Task,
    User,
    UserRole,
)
from monitoris.models.notification import JobState
from monitoris.notifications import outbox
from monitoris.notifications.calendar import WorkingCalendar
from monitoris.periods import Period

WORKING_STATES = ("assigned", "in_progress")  # a submitted report waits for the control body, not the body
MAX_OFFSET = 30
WEEKLY_HORIZON_WEEKS = 104
MAX_DAYS_OFF = 14  # the longest run of days off a reminder may be moved across
JOB = "deadline_scan"

log = logging.getLogger(__name__)


def parse_policy(text):
    """"7,3,1,0,-1" -> (7, 3, 1, 0, -1): days before the due date (negative: after it)."""
    offsets = []
    for part in (text or "").replace(" ", "").split(","):
        if not part:
            continue
        if not re.fullmatch(r"[+-]?[0-9]{1,3}", part):
            raise ValueError(f"{part!r} is not a whole number of days")
        value = int(part)
        if not -MAX_OFFSET <= value <= MAX_OFFSET:
            raise ValueError(f"reminder offsets must be between -{MAX_OFFSET} and {MAX_OFFSET} days")
        offsets.append(value)
    return tuple(sorted(set(offsets), reverse=True))


def _act_policy(text, default):
    """An act's own offsets; a policy stored before it was checked on entry must not stop everyone's reminders."""
    try:
        return parse_policy(text)
    except ValueError:
        log.warning("act reminder policy %r is not valid; the installation's policy applies", text)
        return default


def point_name(offset):
    if offset > 0:
        return f"before-{offset}"
    return "due" if offset == 0 else f"after-{-offset}"


def _points(offsets, weekly):
    """Every (name, days after the due date, overdue?) of a policy, in time order."""
    points = [(point_name(o), -o, o < 0) for o in offsets]
    if weekly:
        first_after = max([-o for o in offsets if o < 0], default=0)
        points += [(f"after-{first_after + 7 * w}", first_after + 7 * w, True)
                   for w in range(1, WEEKLY_HORIZON_WEEKS + 1)]
    return points


def send_day(calendar, planned, overdue):
    """The working day a reminder planned for ``planned`` goes out on."""
    if not overdue:
        return calendar.working_day_on_or_before(planned)
    day = planned
    for _ in range(MAX_DAYS_OFF * 2):
        if calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    return planned


def _planned_days(window, calendar, overdue):
    """The planned days whose reminders go out inside ``window`` (start, end)."""
    start, end = window
    days = []
    day = start - timedelta(days=MAX_DAYS_OFF)
    while day <= end + timedelta(days=MAX_DAYS_OFF):
        if start <= send_day(calendar, day, overdue) <= end:
            days.append(day)
        day += timedelta(days=1)
    return days


def candidate_due_dates(window, calendar, offsets, weekly):
    """Exactly the due dates that have some reminder point going out inside ``window``."""
    dates = set()
    for overdue in (False, True):
        planned = _planned_days(window, calendar, overdue)
        for _, after, is_overdue in _points(offsets, weekly):
            if is_overdue == overdue:
                dates.update(day - timedelta(days=after) for day in planned)
    return sorted(dates)


def due_point(due_on, window, calendar, offsets, weekly):
    """The latest reminder point of this due date that goes out inside ``window``, as (name, overdue), or None."""
    found = None
    for name, after, overdue in _points(offsets, weekly):
        day = send_day(calendar, due_on + timedelta(days=after), overdue)
        if window[0] <= day <= window[1]:
            found = (name, overdue)
        elif day > window[1]:
            break
    return found


def scan(today=None):
    """Queue the reminders due today (and any missed since the last scan); safe to run any number of times.

    Returns the number of new outbox rows.
    """
    today = today or clock.today()
    config = current_app.config
    calendar = WorkingCalendar.load(today, days=MAX_OFFSET + MAX_DAYS_OFF + 7 * 2)
    state = db.session.get(JobState, JOB) or JobState(name=JOB)
    if not calendar.is_working_day(today):
        return 0  # what falls on a day off was moved to a working day; nobody is reminded on a holiday
    catch_up = timedelta(days=config["REMINDER_CATCH_UP_DAYS"])
    start = today if state.last_day is None else max(min(state.last_day + timedelta(days=1), today), today - catch_up)
    window = (start, today)

    default = parse_policy(config["REMINDER_POLICY"])
    weekly = config["REMINDER_WEEKLY_OVERDUE"]
    policies = {None: default}
    for text in db.session.scalars(sa.select(Act.reminder_policy).distinct().where(
            Act.state == "active", Act.reminder_policy.is_not(None))):
        policies[text] = _act_policy(text, default)
    # Each policy's own candidates: the weekly series of one policy is not another's (nor that of their union).
    dates = sorted({day for offsets in set(policies.values())
                    for day in candidate_due_dates(window, calendar, offsets, weekly)})

    @functools.cache  # the same for every piece of work due that day under that policy
    def point(due_on, policy):
        return due_point(due_on, window, calendar, policies.get(policy, default), weekly)

    created = (_queue_assignments(_due_assignments(dates, point)) + _queue_periods(_due_periods(dates, point))
               + _queue_instructions(_due_instructions(dates, point)))
    state.last_day = today
    state.last_run_at = clock.now()
    db.session.add(state)
    return created


def _open_work(*columns):
    """What a reminder of open work needs (and ``columns``): the work a body is doing, of acts in force.  A
    sub-assignment whose organization's assignment was accepted or cancelled has nothing left to do."""
    parent = aliased(Assignment)
    return (
        sa.select(Assignment.id, Assignment.due_on, Assignment.organization_id, Assignment.responsible_id,
                  parent.organization_id.label("parent_organization_id"), Task.number, Task.title,
                  Task.controller_id, Organization.short_name, Organization.path, Act.reminder_policy, *columns)
        .join(Task, Assignment.task_id == Task.id)
        .join(Act, Task.act_id == Act.id)
        .join(Organization, Assignment.organization_id == Organization.id)
        .outerjoin(parent, Assignment.parent_id == parent.id)
        .where(Assignment.state.in_(WORKING_STATES), Act.state == "active",
               sa.or_(Assignment.parent_id.is_(None), parent.state.in_(OPEN_STATES)))
    )


def _due_assignments(dates, point):
    """(row, point name, overdue?) of every open assignment due on one of ``dates`` with a reminder in the window."""
    rows = db.session.execute(_open_work().where(Assignment.due_on.in_(dates))).all()
    return [(row, *found) for row in rows if (found := point(row.due_on, row.reminder_policy)) is not None]


@dataclass(frozen=True)
class PeriodDue:
    """A recurring assignment's row (as ``_due_assignments`` reads it) and one of its periods."""
    row: sa.Row
    period: Period

    def __getattr__(self, name):
        return getattr(self.row, name)


def _due_periods(dates, point):
    """(a ``PeriodDue``, point name, overdue?) of every period of a recurring assignment that ends on one of
    ``dates`` before the assignment's own due date (whose reminders ``_due_assignments`` sends), with a reminder in
    the window, owed (``periods.owed``), and whose report was neither sent nor accepted.  Only the open work of
    tasks that recur on the month ends among ``dates`` is read."""
    ends = periods.period_ends(dates)
    if not ends:
        return []
    rows = db.session.execute(period_candidates(ends)).all()
    due = []
    for row in rows:
        assigned_on = periods.assigned_on(row)
        for day in ends:
            period = periods.ending_on(row.recurrence, row.period_start or assigned_on, row.due_on, day)
            if (period is not None and periods.owed(period, assigned_on)
                    and (found := point(day, row.reminder_policy)) is not None):
                due.append((PeriodDue(row, period), *found))
    done = periods.sent(d.id for d, _, _ in due)
    return [entry for entry in due if (entry[0].id, entry[0].period.label) not in done]


def period_candidates(ends):
    """The open work of acts in force whose task recurs on one of ``ends`` ({day: recurrences}, as
    ``periods.period_ends`` gives them) and which is due after the first of them.  Not a delegated piece of work:
    it writes no reports (its organization's one report covers it)."""
    recurrences = {recurrence for recurring in ends.values() for recurrence in recurring}
    return _open_work(Assignment.created_at, Task.recurrence, Task.period_start).where(
        Task.recurrence.in_(recurrences), Assignment.due_on > min(ends), Assignment.parent_id.is_(None))


def _due_instructions(dates, point):
    """(row, point name, overdue?) of every instruction awaiting an answer by one of ``dates``, as for assignments."""
    rows = db.session.execute(instruction_candidates(dates)).all()
    return [(row, *found) for row in rows if (found := point(row.response_due_on, row.reminder_policy)) is not None]


def instruction_candidates(dates):
    """The instructions of acts in force awaiting an answer by one of ``dates`` (the partial index of 0012)."""
    # The responsible person of the assignment it was given on, or (given to the whole body) of the body's own
    # assignment of the task.  Looked up per candidate row, by primary key or the unique (task, organization)
    # index: joining would let the planner hash the whole assignments table for a few hundred instructions.
    given_on = sa.select(Assignment.responsible_id).where(Assignment.id == Instruction.assignment_id)
    of_body = sa.select(Assignment.responsible_id).where(
        Assignment.task_id == Instruction.task_id, Assignment.organization_id == Instruction.organization_id,
        Assignment.parent_id.is_(None))
    responsible = sa.case((Instruction.assignment_id.is_not(None), given_on.scalar_subquery()),
                          else_=of_body.scalar_subquery())
    return (
        sa.select(Instruction.id, Instruction.response_due_on, Instruction.organization_id, Instruction.issued_by_id,
                  Instruction.text, responsible.label("responsible_id"), Task.number, Task.title, Task.controller_id,
                  Organization.short_name, Organization.path, Act.reminder_policy)
        .join(Task, Instruction.task_id == Task.id)
        .join(Act, Task.act_id == Act.id)
        .join(Organization, Instruction.organization_id == Organization.id)
        .where(Instruction.state.in_(AWAITING_ANSWER), Act.state == "active", Instruction.response_due_on.in_(dates),
               ~Instruction.on_closed_work())
    )


def _heads_by_organization(org_ids):
    """{organization id: [its active org_heads]} in one query."""
    heads = {}
    for user in db.session.scalars(
            sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "org_head", User.active.is_(True), User.organization_id.in_(org_ids - {None}))
            .order_by(User.id)).unique():
        heads.setdefault(user.organization_id, []).append(user)
    return heads


def _users(user_ids):
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(user_ids - {None})))}


def _queue_assignments(due):
    """Outbox rows for every (assignment row, point, overdue?): the body's and its parent body's heads and the
    task's controller hear of it overdue."""
    return _queue(due, "assignment", key_of=lambda r, name: f"assignment:{r.id}:due:{r.due_on.isoformat()}:{name}",
                  payload_of=lambda r, name: payload(r.id, r.number, r.title, r.short_name, r.due_on, name),
                  bodies=lambda r: (r.organization_id, r.parent_organization_id),
                  overseers=lambda r: (r.controller_id,))


def _queue_periods(due):
    """Outbox rows for every (``PeriodDue``, point, overdue?): as for the assignment's own due date, about the
    period's report."""
    return _queue(due, "period", key_of=lambda r, name: f"assignment:{r.id}:period:{r.period.label}:due:"
                                                        f"{r.period.due_on.isoformat()}:{name}",
                  payload_of=lambda r, name: dict(payload(r.id, r.number, r.title, r.short_name, r.period.due_on,
                                                          name), period=r.period.label),
                  bodies=lambda r: (r.organization_id, r.parent_organization_id),
                  overseers=lambda r: (r.controller_id,))


def _queue_instructions(due):
    """Outbox rows for every (instruction row, point, overdue?): the body's heads and the issuer (else the
    task's controller) hear of it overdue."""
    return _queue(due, "instruction",
                  key_of=lambda r, name: f"instruction:{r.id}:due:{r.response_due_on.isoformat()}:{name}",
                  payload_of=lambda r, name: instruction_payload(r.id, r.number, r.title, r.short_name, r.text,
                                                                 r.response_due_on, name),
                  bodies=lambda r: (r.organization_id,), overseers=lambda r: (r.issued_by_id, r.controller_id))


def _queue(due, what, *, key_of, payload_of, bodies, overseers):
    """Outbox rows for every (row, point, overdue?) of ``what`` ("assignment", "period" or "instruction", which
    names the templates ``<what>_reminder`` and ``<what>_overdue``), keyed ``key_of(row, point)``, with people and
    preferences loaded in bulk.  The responsible person hears, while they work in the body, else its heads; an
    overdue point is escalated to the heads of ``bodies(row)`` and to the first of ``overseers(row)`` (user ids)
    who can still act as a controller.  When none can (an imported plan names no controller), the control body
    reads the count in its daily digest rather than one email per overdue piece of work for every controller."""
    if not due:
        return 0
    heads = _heads_by_organization({body for r, _, _ in due for body in bodies(r)})
    users = _users({r.responsible_id for r, _, _ in due}
                   | {person for r, _, overdue in due if overdue for person in overseers(r)})
    plans = []
    for row, name, overdue in due:
        responsible = users.get(row.responsible_id)
        to = [responsible] if outbox.works_in(responsible, row.path) else heads.get(row.organization_id, [])
        escalate = []
        if overdue:
            escalate = [head for body in bodies(row) for head in heads.get(body, [])]
            overseer = next((users[i] for i in overseers(row) if outbox.still_controls(users.get(i))), None)
            if overseer is not None:
                escalate.append(overseer)
        message = {
            "kind": "overdue" if overdue else "reminder",
            "template": f"{what}_overdue" if overdue else f"{what}_reminder",
            "key": key_of(row, name),
            "payload": payload_of(row, name),
        }
        plans.append((message, to, escalate))
    return _insert(plans)


def _insert(plans):
    """Queue each (message, recipients, escalated to): recipients on their own channels, escalations on email
    and in-app whatever they chose; nobody twice for one message."""
    preferences = outbox.load_preferences({u.id for _, to, escalate in plans for u in to + escalate})
    now = clock.now()
    rows = []
    for message, to, escalate in plans:
        done = set()
        for person in to:
            done.add(person.id)
            rows += outbox.rows_for(person, preferences=preferences, now=now, **message)
        for person in escalate:
            if person.id not in done:
                done.add(person.id)
                # Escalations reach heads, controllers and issuers whatever channels they chose.
                rows += outbox.rows_for(person, channels=("email", "in_app"), now=now, **message)
    return sum(outbox.insert_ignoring_duplicates(rows[i:i + 1000]) for i in range(0, len(rows), 1000))


def payload(assignment_id, number, title, organization, due_on, point=None):
    """What a message about an assignment needs, frozen at the moment it was queued."""
    return {
        "assignment_id": assignment_id,
        "task_number": number,
        "task_title": title,
        "organization": organization,
        "due_on": due_on.isoformat(),
        "point": point,
        "link": f"/assignments/{assignment_id}",
    }


def payload_for(assignment, point=None):
    return payload(assignment.id, assignment.task.number, assignment.task.title, assignment.organization.short_name,
                   assignment.due_on, point)


def instruction_payload(instruction_id, number, title, organization, text, response_due_on, point=None):
    """What a reminder of an instruction's response date needs, frozen at the moment it was queued."""
    return {
        "instruction_id": instruction_id,
        "task_number": number,
        "task_title": title,
        "organization": organization,
        "text": text,
        "response_due_on": response_due_on.isoformat(),
        "point": point,
        "link": f"/instructions/{instruction_id}",
    }
