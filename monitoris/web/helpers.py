"""What every page shares: Jinja filters and globals, form plumbing, and "not yours means 404"."""

from datetime import date, datetime

from flask import abort, request, url_for
from flask_babel import LazyString, get_locale, ngettext, pgettext
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.exceptions import default_exceptions
from wtforms import IntegerField, SelectChoice, SelectField

from monitoris import clock, numbers, permissions
from monitoris.analysis.index import COMPONENT_LABELS, GRADE_LABELS
from monitoris.extensions import db
from monitoris.models import STATES
from monitoris.plans.report import period_text
from monitoris.services import wording
from monitoris.web.language import LANGUAGE_NAMES

STATE_LABELS = {
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "cancelled": _l("Cancelled"),
    "draft": _l("Draft"),
    "active": _l("Active"),
    "closed": _l("Closed"),
    # reports
    "returned": _l("Returned"),
    # instructions
    "issued": _l("Issued"),
    "acknowledged": _l("Acknowledged"),
    "answered": _l("Answered"),
    # extension requests' decisions
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}
ROLE_LABELS = {
    "lead": _l("Lead"),
    "co_executor": _l("Co-executor"),
    "admin": _l("Admin"),
    "controller": _l("Controller"),
    "org_head": _l("Head of organization"),
    "executor": _l("Executor"),
    "observer": _l("Observer"),
}
KIND_LABELS = {
    "law": _l("Law"), "decree": _l("Decree"), "order": _l("Order"), "resolution": _l("Resolution"),
    "action_plan": _l("Action plan"),
    "instruction": _l("Instruction"), "other": _l("Other"),
    "recommendation": _l("Recommendation"), "request": _l("Request for information"),
    "control": _l("Control body"), "central": _l("Central body"), "local": _l("Local executive authority"),
    "state_company": _l("State company"),
}
CHANNEL_LABELS = {"email": _l("Email"), "sms": _l("SMS"), "in_app": _l("In Monitoris"), "webhook": _l("Webhook")}
# The button a person presses, and the line the timeline writes afterwards.
ACTION_BUTTONS = {
    "start": _l("Start work"), "submit": _l("Submit"), "accept": _l("Accept (remove from control)"),
    "return": _l("Return for revision"), "cancel": _l("Cancel assignment"), "reopen": _l("Reopen"),
    "accept_period": _l("Accept the period's report"),
}
EVENT_LABELS = {
    "assignment.created": _l("Assigned"),
    "assignment.start": _l("Started work"),
    "assignment.submit": _l("Submitted"),
    "assignment.accept": _l("Accepted"),
    "assignment.return": _l("Returned for revision"),
    "assignment.cancel": _l("Cancelled"),
    "assignment.reopen": _l("Reopened"),
    "assignment.updated": _l("Changed"),
    "assignment.delegated": _l("Delegated"),
    "assignment.progress_rolled_up": _l("Progress rolled up from sub-assignments"),
    "assignment.accept_period": _l("Period report accepted"),
    "assignment.due_extended": _l("Due date extended"),
    "report.created": _l("Report drafted"),
    "report.updated": _l("Report edited"),
    "report.submitted": _l("Report submitted"),
    "report.accepted": _l("Report accepted"),
    "report.returned": _l("Report returned for revision"),
    "document.uploaded": _l("Document attached"),
    "document.removed": _l("Document removed"),
    "instruction.issued": _l("Instruction issued"),
    "instruction.acknowledged": _l("Instruction acknowledged"),
    "instruction.answered": _l("Instruction answered"),
    "instruction.closed": _l("Instruction closed"),
    "extension.requested": _l("Extension requested"),
    "extension.approved": _l("Extension approved"),
    "extension.rejected": _l("Extension rejected"),
}
# The security events of the audit trail (/admin/security/events); the page shows the action's name beside.
SECURITY_EVENT_LABELS = {
    "auth.login": _l("Logged in"),
    "auth.login_failed": _l("Login failed"),
    "auth.logout": _l("Logged out"),
    "auth.two_factor_enabled": _l("Two-factor login turned on"),
    "auth.two_factor_disabled": _l("Two-factor login turned off"),
    "auth.recovery_code_used": _l("Recovery code used"),
    "auth.recovery_codes_regenerated": _l("New recovery codes made"),
    "auth.password_reset_requested": _l("Password reset asked for"),
    "auth.password_reset_completed": _l("Password reset completed"),
    "auth.session_ended": _l("Login session ended"),
    "auth.other_sessions_ended": _l("Other login sessions ended"),
    "auth.all_sessions_ended": _l("All login sessions ended by an admin"),
    "user.password_changed": _l("Password changed"),
    "user.created": _l("Account created"),
    "user.updated": _l("Account changed"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "security.denied": _l("Access refused"),
    "security.policy_changed": _l("Two-factor policy changed"),
}
FIELD_LABELS = {
    "state": _l("state"), "progress": _l("progress"), "due_on": _l("due date"), "role": _l("role"),
    "responsible_id": _l("responsible"), "organization_id": _l("organization"), "note": _l("note"),
    "task_id": _l("task"), "sub_assignment_id": _l("sub-assignment"), "parent_id": _l("delegated from"),
    # reports and their documents
    "period": _l("period"), "version": _l("version"), "text": _l("information on completed works"),
    "documents": _l("documents"), "checked": _l("evidence requirements met"), "filename": _l("file"),
    "size": _l("size"),
    # instructions and extension requests
    "kind": _l("kind"), "response_due_on": _l("answer due"), "proposed_due_on": _l("proposed due date"),
    "decision": _l("decision"),
}
# What the timeline leaves out: the comment (shown under the event), and what is kept for the audit trail
# rather than for a reader (the ids of the objects the page shows anyway, a document's type and checksum).
HIDDEN_FIELDS = frozenset(("comment", "task_id", "assignment_id", "report_id", "previous_id", "instruction_id",
                           "extension_request_id", "purpose", "media_type", "sha256"))
DATE_FIELDS = frozenset(("due_on", "response_due_on", "proposed_due_on"))


# -- filters ---------------------------------------------------------------------------------

def format_date(value):
    if not value:  # None, "", or a payload's field that a message of an older release did not have
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = clock.local(value)
    elif not isinstance(value, date):  # a stored payload's odd value (a number, say): shown as it is
        return str(value)
    # "15 Jun 2026", "15 iyn 2026", "15 июн. 2026": the month named in the page's language.
    return babel_format_date(value, "dd MMM y")


def format_month(value):
    """"2026-03" (the analysis's months) as the page's language names it: "Mar 2026", "мар. 2026"."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return babel_format_date(date(year, month, 1), "LLL y")
    except ValueError:
        return value or ""


def format_datetime(value):
    if not value:
        return ""
    # Already in the configured zone: Flask-Babel would otherwise convert it once more.
    return babel_format_datetime(clock.local(value).replace(tzinfo=None), "dd MMM y, HH:mm", rebase=False)


def outbox_state_labels():
    """The states of an outbox message.  With a context of their own: "Pending" of a message waiting in the
    queue is not "Pending" of an extension request waiting for a decision."""
    return {"pending": pgettext("outbox", "Pending"), "sending": pgettext("outbox", "Sending"),
            "sent": pgettext("outbox", "Sent"), "dead": pgettext("outbox", "Dead")}


def label(value, table=None):
    """A stored value (a state, a role, a kind, a channel) as the page's language names it."""
    tables = {"state": STATE_LABELS, "role": ROLE_LABELS, "kind": KIND_LABELS, "grade": GRADE_LABELS,
              "channel": CHANNEL_LABELS}
    if table == "outbox":
        tables["outbox"] = outbox_state_labels()
    mapping = tables.get(table) if table else {**KIND_LABELS, **ROLE_LABELS, **STATE_LABELS}
    text = mapping.get(value)
    return str(text) if text is not None else (value or "").replace("_", " ").capitalize()


def label_choices(values, table):
    """The options of a menu of stored values.  A form's menus are made once, when its class is defined; each
    option's text is looked up when a page shows it, in that page's language (not the first reader's)."""
    return [SelectChoice(value, LazyString(label, value, table)) for value in values]


# The lower-case words of services.wording, for states inside a sentence ("report v2, returned").
WORDS = {"assignment_state": wording.ASSIGNMENT_STATES, "report_state": wording.REPORT_STATES,
         "instruction_state": wording.INSTRUCTION_STATES, "decision": wording.EXTENSION_DECISIONS}


def word(value, table):
    return str(wording.word(WORDS[table], value)) if value else ""


def due_text(assignment, today):
    """"3 days overdue", "due today", "due in 5 days" — a deadline as a person says it."""
    if assignment.state in ("accepted", "cancelled"):
        return ""
    days = (assignment.due_on - today).days
    if days < 0:
        return ngettext("%(num)d day overdue", "%(num)d days overdue", -days)
    if days == 0:
        return _("due today")
    return ngettext("due in %(num)d day", "due in %(num)d days", days)


# -- error pages -----------------------------------------------------------------------------

def _error_titles():
    # The English titles of monitoris.errors' classes and of werkzeug's exceptions.
    return {"Bad request": _("Bad request"), "Bad Request": _("Bad request"), "Invalid input": _("Invalid input"),
            "Unauthorized": _("Login required"), "Login failed": _("Login failed"), "Forbidden": _("Forbidden"),
            "Not found": _("Not found"), "Not Found": _("Not found"), "Method Not Allowed": _("Method not allowed"),
            "Conflict": _("Conflict"), "Illegal transition": _("Illegal transition"),
            "Payload too large": _("Too large"), "Request Entity Too Large": _("Too large"),
            "Too Many Requests": _("Too many requests"), "Internal server error": _("Internal server error"),
            "Internal Server Error": _("Internal server error")}


# Flask-WTF's reasons for refusing a form without a valid CSRF token.
CSRF_REASONS = frozenset(("The CSRF token is missing.", "The CSRF session token is missing.",
                          "The CSRF token is invalid.", "The CSRF tokens do not match.", "The CSRF token has expired."))


def _http_messages():
    # What werkzeug says (in English) for abort(403) and the like, without a description of their own.
    return {400: _("The request could not be understood. Reload the page and try again."),
            401: _("Please log in to see this page."),
            403: _("You are not allowed to do this."),
            404: _("This page does not exist or you do not have access to it."),
            405: _("This address does not take this kind of request."),
            413: _("What was sent is too large."),
            429: _("Too many requests. Wait a moment and try again.")}


def error_text(status, title, message):
    """(title, message) of an error page in the reader's language.  Domain errors carry translated messages;
    werkzeug's descriptions and Flask-WTF's reasons are English, and are replaced here."""
    default = default_exceptions.get(status)
    if default is not None and message == default.description:
        message = _http_messages().get(status, message)
    elif message in CSRF_REASONS:
        message = _("The form was not sent from this page, or it is too old. Reload the page and try again.")
    return _error_titles().get(title, title), message


# -- the timeline ----------------------------------------------------------------------------

def _show(key, value, names):
    if value is None or value == "" or value == []:
        return "—"
    if key in ("state", "decision"):
        return label(value, "state")
    if key in ("role", "kind"):
        return label(value, key)
    if key == "progress":
        return numbers.percent(value)
    if key in DATE_FIELDS:
        return format_date(value)
    if key == "size":
        return numbers.filesize(value)
    if key == "documents":
        return numbers.number(value)
    if key in ("responsible_id", "organization_id"):
        return names.get((key, value), f"#{value}")
    if key in ("sub_assignment_id", "parent_id"):
        return _("assignment #%(id)s", id=value)
    if key == "checked":
        return "; ".join(names.get((key, i), f"#{i}") for i in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def describe_changes(event, names):
    """[(field label, before text or None, after text)] for one event, comment left out.  ``names``: the
    names of the people, organizations and evidence requirements the events mention, by (field, id)."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for key in list(dict.fromkeys([*after, *before])):
        if key in HIDDEN_FIELDS:
            continue
        if key in before and key in after and before[key] == after[key]:
            continue  # written for context, not a change
        old = _show(key, before[key], names) if key in before else None
        new = _show(key, after[key], names) if key in after else "—"
        rows.append((str(FIELD_LABELS.get(key, key.replace("_", " "))), old, new))
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


class WholeNumberField(IntegerField):
    """An integer field with one error for one mistake: text that is not a number is told so ("Not a valid integer
    value."), not also that it is out of the range its validators ask for."""

    def post_validate(self, form, validation_stopped):
        if self.process_errors:
            del self.errors[1:]


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


def current_locale():
    """The page's language code, for ``<html lang>`` and the language menu."""
    return str(get_locale() or "en")


def page_url(page):
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def nav_items(user):
    """[(endpoint, text, is_current)] of the areas this person may use."""
    if not user.is_authenticated:
        return []
    items = [("dashboard.index", _("Dashboard"), ("dashboard.",)), ("acts.index", _("Acts"), ("acts.", "tasks.")),
             ("assignments.index", _("Assignments"), ("assignments.",))]
    if permissions.has_own_work(user):
        items.append(("work.mine", _("My work"), ("work.mine",)))
    if permissions.can_review(user):
        items.append(("work.review_queue", _("Review queue"), ("work.review_queue",)))
    items.append(("analysis.index_page", _("Analysis"), ("analysis.",)))
    if permissions.can_administer(user):
        items += [("admin.organizations", _("Organizations"), ("admin.organization", "admin.create_organization",
                                                               "admin.edit_organization")),
                  ("admin.users", _("Users"), ("admin.users", "admin.create_user", "admin.edit_user",
                                               "admin.reset_password")),
                  ("admin_notifications.outbox", _("Outbox"), ("admin_notifications.",)),
                  ("security_admin.events", _("Security events"), ("security_admin.events",)),
                  ("security_admin.policy", _("Two-factor policy"), ("security_admin.policy",))]
    endpoint = request.endpoint or ""
    return [(target, text, any(endpoint.startswith(p) for p in prefixes)) for target, text, prefixes in items]


def _in_the_readers_language(function):
    """A filter whose answer depends on the request's language.  Jinja computes a filter over constants once,
    when it compiles the template (``"dead" | label("outbox")``), in the language of its first reader;
    asking for the context keeps it for each page."""
    @pass_context
    def read(_context, *args, **kwargs):
        return function(*args, **kwargs)
    return read


def register(app):
    filters = {"date": format_date, "datetime": format_datetime, "month": format_month, "label": label, "word": word,
               "period": period_text,  # the same words as the report's DOCX, XLSX and PDF
               # Figures and sizes in the page's language; the API and the exports keep machine numbers.
               "number": numbers.number, "percent": numbers.percent, "filesize": numbers.filesize}
    for name, function in filters.items():
        app.add_template_filter(_in_the_readers_language(function), name)
    app.add_template_global(COMPONENT_LABELS, "components_text")
    app.add_template_global(due_text)
    app.add_template_global(error_text)
    app.add_template_global(page_url)
    app.add_template_global(nav_items)
    app.add_template_global(permissions, "permissions")
    app.add_template_global(ACTION_BUTTONS, "ACTION_BUTTONS")
    app.add_template_global(SECURITY_EVENT_LABELS, "SECURITY_EVENT_LABELS")
    app.add_template_global(STATES, "STATES")
    app.add_template_global(current_locale)
    app.add_template_global(Markup, "Markup")
    app.add_template_global(LANGUAGE_NAMES, "LANGUAGE_NAMES")

    @app.context_processor
    def _today():
        return {"today": clock.today(), "now": clock.now()}
