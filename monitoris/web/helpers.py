"""What every page shares: Jinja filters and globals, form plumbing, and "not yours means 404"."""

from datetime import date, datetime

from flask import abort, request, url_for
from flask_login import current_user
from wtforms import SelectField

from monitoris import clock, permissions
from monitoris.extensions import db
from monitoris.models import STATES

STATE_LABELS = {
    "assigned": "Assigned",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "accepted": "Accepted",
    "cancelled": "Cancelled",
    "draft": "Draft",
    "active": "Active",
    "closed": "Closed",
}
ROLE_LABELS = {
    "lead": "Lead",
    "co_executor": "Co-executor",
    "admin": "Admin",
    "controller": "Controller",
    "org_head": "Head of organization",
    "executor": "Executor",
    "observer": "Observer",
}
KIND_LABELS = {
    "law": "Law", "decree": "Decree", "order": "Order", "resolution": "Resolution", "action_plan": "Action plan",
    "instruction": "Instruction", "other": "Other",
    "control": "Control body", "central": "Central body", "local": "Local executive authority",
    "state_company": "State company",
}
# The button a person presses, and the line the timeline writes afterwards.
ACTION_BUTTONS = {
    "start": "Start work", "submit": "Submit", "accept": "Accept (remove from control)",
    "return": "Return for revision", "cancel": "Cancel assignment", "reopen": "Reopen",
    "accept_period": "Accept the period's report",
}
EVENT_LABELS = {
    "assignment.created": "Assigned",
    "assignment.start": "Started work",
    "assignment.submit": "Submitted",
    "assignment.accept": "Accepted",
    "assignment.return": "Returned for revision",
    "assignment.cancel": "Cancelled",
    "assignment.reopen": "Reopened",
    "assignment.updated": "Changed",
    "assignment.delegated": "Delegated",
    "assignment.progress_rolled_up": "Progress rolled up from sub-assignments",
    "assignment.accept_period": "Period report accepted",
    "assignment.due_extended": "Due date extended",
    "report.created": "Report drafted",
    "report.updated": "Report edited",
    "report.submitted": "Report submitted",
    "report.accepted": "Report accepted",
    "report.returned": "Report returned for revision",
    "document.uploaded": "Document attached",
    "document.removed": "Document removed",
    "instruction.issued": "Instruction issued",
    "instruction.acknowledged": "Instruction acknowledged",
    "instruction.answered": "Instruction answered",
    "instruction.closed": "Instruction closed",
    "extension.requested": "Extension requested",
    "extension.approved": "Extension approved",
    "extension.rejected": "Extension rejected",
}
FIELD_LABELS = {
    "state": "state", "progress": "progress", "due_on": "due date", "role": "role",
    "responsible_id": "responsible", "organization_id": "organization", "note": "note", "task_id": "task",
    "sub_assignment_id": "sub-assignment", "parent_id": "delegated from",
}


# -- filters ---------------------------------------------------------------------------------

def format_date(value):
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = clock.local(value)
    return value.strftime("%d %b %Y")


def format_datetime(value):
    if value is None:
        return ""
    return clock.local(value).strftime("%d %b %Y, %H:%M")


def label(value, table=None):
    tables = {"state": STATE_LABELS, "role": ROLE_LABELS, "kind": KIND_LABELS}
    mapping = tables.get(table) if table else {**KIND_LABELS, **ROLE_LABELS, **STATE_LABELS}
    return mapping.get(value, (value or "").replace("_", " ").capitalize())


def due_text(assignment, today):
    """"3 days overdue", "due today", "due in 5 days" — a deadline as a person says it."""
    if assignment.state in ("accepted", "cancelled"):
        return ""
    days = (assignment.due_on - today).days
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"


# -- the timeline ----------------------------------------------------------------------------

def _show(key, value, names):
    if value is None or value == "":
        return "—"
    if key == "state":
        return label(value, "state")
    if key == "role":
        return label(value, "role")
    if key == "progress":
        return f"{value}%"
    if key == "due_on":
        return format_date(value)
    if key in ("responsible_id", "organization_id"):
        return names.get((key, value), f"#{value}")
    if key in ("sub_assignment_id", "parent_id"):
        return f"assignment #{value}"
    return str(value)


def describe_changes(event, names):
    """[(field label, before text or None, after text)] for one event, comment left out."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for key in list(dict.fromkeys([*after, *before])):
        if key in ("comment", "task_id"):
            continue
        if key in before and key in after and before[key] == after[key]:
            continue  # written for context, not a change
        old = _show(key, before[key], names) if key in before else None
        new = _show(key, after[key], names) if key in after else "—"
        rows.append((FIELD_LABELS.get(key, key.replace("_", " ")), old, new))
    return rows


# -- forms -----------------------------------------------------------------------------------

def optional_int(value):
    """Coerce for select fields whose first choice is "none": "" -> None."""
    if value in (None, "", "None"):
        return None
    return int(value)


class OptionalSelectField(SelectField):
    """A select whose empty choice means None; an unknown choice is reported, not crashed on."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", optional_int)
        kwargs.setdefault("validate_choice", True)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise


def attach_errors(form, exc, aliases=None):
    """Put a service's ``ValidationError.errors`` onto the form's fields.

    Messages for fields the form does not have become general messages, so none is lost.
    """
    aliases = aliases or {}
    general = []
    for key, messages in (exc.errors or {}).items():
        field = getattr(form, aliases.get(key, key), None)
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.extend(messages)
        else:
            general.extend(messages)
    form.general_errors = [exc.message, *general]
    return form


# -- loading objects -------------------------------------------------------------------------

def get_visible(model, object_id, can_view):
    """The object, or 404 when it does not exist *or* the user may not see it: nothing leaks."""
    obj = db.session.get(model, object_id)
    if obj is None or not can_view(current_user, obj):
        abort(404)
    return obj


def page_url(page):
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def nav_items(user):
    """[(endpoint, text, is_current)] of the areas this person may use."""
    if not user.is_authenticated:
        return []
    items = [("dashboard.index", "Dashboard", ("dashboard.",)), ("acts.index", "Acts", ("acts.", "tasks.")),
             ("assignments.index", "Assignments", ("assignments.",))]
    if permissions.has_own_work(user):
        items.append(("work.mine", "My work", ("work.mine",)))
    if permissions.can_review(user):
        items.append(("work.review_queue", "Review queue", ("work.review_queue",)))
    items.append(("analysis.index_page", "Analysis", ("analysis.",)))
    if permissions.can_administer(user):
        items += [("admin.organizations", "Organizations", ("admin.organization", "admin.create_organization",
                                                            "admin.edit_organization")),
                  ("admin.users", "Users", ("admin.users", "admin.create_user", "admin.edit_user",
                                            "admin.reset_password")),
                  ("admin_notifications.outbox", "Outbox", ("admin_notifications.",))]
    endpoint = request.endpoint or ""
    return [(target, text, any(endpoint.startswith(p) for p in prefixes)) for target, text, prefixes in items]


def register(app):
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(label, "label")
    app.add_template_global(due_text)
    app.add_template_global(page_url)
    app.add_template_global(nav_items)
    app.add_template_global(permissions, "permissions")
    app.add_template_global(ACTION_BUTTONS, "ACTION_BUTTONS")
    app.add_template_global(STATES, "STATES")

    @app.context_processor
    def _today():
        return {"today": clock.today(), "now": clock.now()}
