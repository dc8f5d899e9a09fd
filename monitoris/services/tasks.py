"""Tasks of an act, their stages (control points) and evidence requirements."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from monitoris import clock, permissions
from monitoris.documents import sniff
from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import PRIORITIES, RECURRENCES, Assignment, EvidenceRequirement, Report, Stage, Task, User
from monitoris.models.task import MAX_NUMBER, normalize_number
from monitoris.services import audit, documents

FIELDS = ("number", "title", "indicator", "period_start", "period_end", "recurrence", "due_on", "priority",
          "controller_id", "published")
# ASCII digits only: \d would also take "١٢" (Arabic-Indic), a look-alike of 12 that sorts and compares apart.
NUMBER_RE = re.compile(r"[0-9]+(\.[0-9]+)*\.?")


def _validate(act, task, fields):
    errors = {}
    if "number" in fields:
        number = (fields["number"] or "").strip()
        if not NUMBER_RE.fullmatch(number):
            errors["number"] = [_("Write the number as digits separated by dots, like 4 or 4.1.1.")]
        elif len(number := normalize_number(number)) > MAX_NUMBER:
            errors["number"] = [_("The number is longer than %(max)s characters.", max=MAX_NUMBER)]
        else:
            fields["number"] = number
            clash = db.session.scalar(sa.select(Task.id).where(Task.act_id == act.id, Task.number == number))
            if clash is not None and clash != task.id:
                errors["number"] = [_("This act already has a task %(number)s.", number=number)]
            elif task.id is not None and task.number != number:
                if db.session.scalar(sa.select(Task.id).where(Task.parent_id == task.id).limit(1)):
                    errors["number"] = [_("Renumber the sub-tasks first: this task has sub-tasks under its number.")]
    if "title" in fields and not (fields["title"] or "").strip():
        errors["title"] = [_("The event name is required.")]
    if "recurrence" in fields and fields["recurrence"] not in RECURRENCES:
        errors["recurrence"] = [_("Choose one of: %(choices)s.", choices=", ".join(RECURRENCES))]
    if "priority" in fields and fields["priority"] not in PRIORITIES:
        errors["priority"] = [_("Choose one of: %(choices)s.", choices=", ".join(PRIORITIES))]
    start = fields.get("period_start", task.period_start)
    end = fields.get("period_end", task.period_end)
    if start and end and start > end:
        errors["period_end"] = [_("The period cannot end before it starts.")]
    # The reports are filed under the periods these two make ("2026-Q3"): other periods would leave them behind.
    # A one-off task's one period ("final") does not depend on its start.
    recurs = fields.get("recurrence", task.recurrence) != "none"
    moved = [name for name in ("recurrence", "period_start") if name in fields and fields[name] != getattr(task, name)
             and (name == "recurrence" or recurs)]
    if moved and task.id is not None and db.session.scalar(sa.select(
            sa.select(Report.id).join(Assignment, Report.assignment_id == Assignment.id)
            .where(Assignment.task_id == task.id).exists())):
        for name in moved:
            errors[name] = [_("Reports were written for this task's reporting periods: they can no longer change.")]
    if fields.get("controller_id"):
        controller = db.session.get(User, fields["controller_id"])
        if controller is None or not controller.has_role("controller", "admin"):
            errors["controller_id"] = [_("The controller must be a person with the controller role.")]
    if errors:
        raise ValidationError(_("The task could not be saved."), errors=errors)


def _parent_for(act, number):
    """The section a number belongs under ("4.1" for "4.1.1"); None for a top-level number."""
    if "." not in number:
        return None
    parent_number = number.rsplit(".", 1)[0]
    parent = db.session.scalar(sa.select(Task).where(Task.act_id == act.id, Task.number == parent_number))
    if parent is None:
        raise ValidationError(_("There is no task %(parent)s in this act to hold %(number)s.",
                                parent=parent_number, number=number),
                              errors={"number": [_("Create %(parent)s first.", parent=parent_number)]})
    if db.session.scalar(sa.select(Assignment.id).where(Assignment.task_id == parent.id).limit(1)):
        raise ValidationError(_("Task %(parent)s is assigned to executive bodies, so it cannot hold sub-tasks.",
                                parent=parent_number),
                              errors={"number": [_("%(parent)s is a measure, not a section.", parent=parent_number)]})
    return parent


def _apply(task, fields):
    for key in FIELDS:
        if key in fields:
            value = fields[key]
            if isinstance(value, str):
                value = value.strip()
                if key == "indicator":
                    value = value or None
            setattr(task, key, value)


def create_task(actor, act, **fields):
    if not permissions.can_add_tasks(actor, act):
        raise Forbidden(_("Only a controller may add tasks, and not to a closed act."))
    task = Task()
    fields.setdefault("recurrence", "none")
    fields.setdefault("priority", "normal")
    fields.setdefault("published", False)
    _validate(act, task, fields)
    task.parent = _parent_for(act, fields["number"])
    _apply(task, fields)
    task.act = act
    db.session.add(task)
    db.session.flush()
    audit.record(actor, "task.created", "task", task.id, after=audit.snapshot(task, FIELDS) | {"act_id": act.id})
    return task


def update_task(actor, task, **fields):
    if not permissions.can_edit_task(actor, task):
        raise Forbidden()
    _validate(task.act, task, fields)
    before = audit.snapshot(task, FIELDS)
    if "number" in fields and fields["number"] != task.number:
        task.parent = _parent_for(task.act, fields["number"])
    _apply(task, fields)
    db.session.flush()
    old, new = audit.diff(before, audit.snapshot(task, FIELDS))
    if new:
        audit.record(actor, "task.updated", "task", task.id, before=old, after=new)
    return task


# -- stages -------------------------------------------------------------------------------

def add_stage(actor, task, *, title, due_on=None):
    if not permissions.can_edit_task(actor, task):
        raise Forbidden()
    if not (title or "").strip():
        raise ValidationError(_("The stage needs a title."), errors={"title": [_("A title is required.")]})
    stage = Stage(task=task, title=title.strip(), due_on=due_on)
    db.session.add(stage)
    db.session.flush()
    audit.record(actor, "stage.added", "task", task.id, after={"stage_id": stage.id, "title": stage.title,
                                                               "due_on": audit.json_value(due_on)})
    return stage


def update_stage(actor, stage, **fields):
    if not permissions.can_edit_task(actor, stage.task):
        raise Forbidden()
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationError(_("The stage needs a title."), errors={"title": [_("A title is required.")]})
    if fields.get("done_on") is not None and fields["done_on"] > clock.today():
        message = _("A stage cannot be marked done on a date later than today.")
        raise ValidationError(message, errors={"done_on": [message]})
    names = ("title", "due_on", "done_on")
    before = audit.snapshot(stage, names)
    for key in names:
        if key in fields:
            setattr(stage, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    db.session.flush()
    old, new = audit.diff(before, audit.snapshot(stage, names))
    if new:
        audit.record(actor, "stage.updated", "task", stage.task_id, before=old | {"stage_id": stage.id},
                     after=new | {"stage_id": stage.id})
    return stage


def remove_stage(actor, stage):
    if not permissions.can_edit_task(actor, stage.task):
        raise Forbidden()
    audit.record(actor, "stage.removed", "task", stage.task_id, before={"stage_id": stage.id, "title": stage.title})
    db.session.delete(stage)
    db.session.flush()


# -- evidence requirements ------------------------------------------------------------------

def document_kinds_accepted():
    """The kinds of document a requirement may ask for: the short names of the types uploads accept ("pdf")."""
    accepted = documents.allowed_types()
    return [name for name, media_type in sniff.TYPES.items() if media_type in accepted]


def _document_kinds(text):
    """``text`` ("PDF, .xlsx") as the stored list ("pdf, xlsx"), or None; ValidationError for an unknown kind."""
    kinds = list(dict.fromkeys(k.strip().lstrip(".").lower() for k in re.split(r"[,;\s]+", text or "")
                               if k.strip().lstrip(".")))
    accepted = document_kinds_accepted()
    unknown = [k for k in kinds if k not in accepted]
    if unknown:
        message = _("Unknown document kinds: %(kinds)s. Choose from: %(choices)s.", kinds=", ".join(unknown),
                    choices=", ".join(accepted))
        raise ValidationError(message, errors={"document_kinds": [message]})
    return ", ".join(kinds) or None


def add_requirement(actor, task, *, text, document_kinds=None):
    if not permissions.can_edit_task(actor, task):
        raise Forbidden()
    if not (text or "").strip():
        raise ValidationError(_("Say what counts as evidence."), errors={"text": [_("The text is required.")]})
    document_kinds = _document_kinds(document_kinds)
    position = 1 + (db.session.scalar(sa.select(sa.func.max(EvidenceRequirement.position))
                                      .where(EvidenceRequirement.task_id == task.id)) or 0)
    requirement = EvidenceRequirement(task=task, text=text.strip(), document_kinds=document_kinds,
                                      position=position)
    db.session.add(requirement)
    db.session.flush()
    audit.record(actor, "requirement.added", "task", task.id,
                 after={"requirement_id": requirement.id, "text": requirement.text})
    return requirement


def remove_requirement(actor, requirement):
    if not permissions.can_edit_task(actor, requirement.task):
        raise Forbidden()
    audit.record(actor, "requirement.removed", "task", requirement.task_id,
                 before={"requirement_id": requirement.id, "text": requirement.text})
    db.session.delete(requirement)
    db.session.flush()
