"""Acts: create, edit, activate and close (controllers)."""

from flask_babel import gettext as _

from monitoris import clock, permissions
from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import ACT_KINDS, ACT_STATES, Act
from monitoris.notifications import messages, reminders
from monitoris.services import audit

FIELDS = ("kind", "number", "signed_on", "title", "issuer", "summary", "state", "reminder_policy")
POLICY_LENGTH = Act.reminder_policy.type.length


def reminder_policy(text):
    """An act's reminder policy as stored: "7, 3,1,0 ,-1" -> "7,3,1,0,-1"; empty -> None (the installation's).

    The format and the parser are those of ``MONITORIS_REMINDER_POLICY``; raises ValueError for anything else.
    """
    if not (text or "").strip():
        return None
    offsets = reminders.parse_policy(text)
    if not offsets:
        raise ValueError("no reminder days")
    return ",".join(str(offset) for offset in offsets)


def _validate(fields):
    errors = {}
    if "title" in fields and not (fields["title"] or "").strip():
        errors["title"] = [_("A title is required.")]
    if "kind" in fields and fields["kind"] not in ACT_KINDS:
        errors["kind"] = [_("Choose one of: %(choices)s.", choices=", ".join(ACT_KINDS))]
    if "state" in fields and fields["state"] not in ACT_STATES:
        errors["state"] = [_("Choose one of: %(choices)s.", choices=", ".join(ACT_STATES))]
    if fields.get("signed_on") and fields["signed_on"] > clock.today():
        errors["signed_on"] = [_("The signing date cannot be in the future.")]
    if "reminder_policy" in fields:
        try:
            fields["reminder_policy"] = reminder_policy(fields["reminder_policy"])
        except ValueError:
            errors["reminder_policy"] = [_(
                "Write whole days from -%(max)d to %(max)d separated by commas, for example “7,3,1,0,-1”: days "
                "before the due date, 0 on it, negative days after it. Leave empty for the installation's policy.",
                max=reminders.MAX_OFFSET)]
        else:
            if len(fields["reminder_policy"] or "") > POLICY_LENGTH:
                errors["reminder_policy"] = [_("Longer than maximum length %(max)s.", max=POLICY_LENGTH)]
    if errors:
        raise ValidationError(_("The act could not be saved."), errors=errors)


def _apply(act, fields):
    for key in FIELDS:
        if key in fields:
            value = fields[key]
            setattr(act, key, (value.strip() or None) if isinstance(value, str) and key != "title" else value)
    act.title = act.title.strip()


def create_act(actor, **fields):
    if not permissions.can_manage_acts(actor):
        raise Forbidden()
    fields.setdefault("state", "draft")
    _validate(fields)
    act = Act(created_by_id=actor.id)
    _apply(act, fields)
    db.session.add(act)
    db.session.flush()
    audit.record(actor, "act.created", "act", act.id, after=audit.snapshot(act, FIELDS))
    return act


def update_act(actor, act, **fields):
    if not permissions.can_manage_acts(actor):
        raise Forbidden()
    _validate(fields)
    before = audit.snapshot(act, FIELDS)
    _apply(act, fields)
    db.session.flush()
    old, new = audit.diff(before, audit.snapshot(act, FIELDS))
    if new:
        event = audit.record(actor, "act.updated", "act", act.id, before=old, after=new)
        if old.get("state") == "draft" and act.state == "active":
            messages.act_published(act, event)
    return act
