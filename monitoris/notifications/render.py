"""Turning an outbox row into words, in the recipient's language."""

from flask import current_app
from flask_babel import force_locale

from monitoris.models import LOCALES


def render(notification):
    """{subject, text, html, sms} for this notification, in the recipient's language."""
    recipient = notification.recipient
    locale = recipient.locale if recipient.locale in LOCALES else "en"
    template = current_app.jinja_env.get_template(f"notifications/{notification.template}.txt")
    payload = dict(notification.payload or {})
    link = payload.get("link")
    context_vars = {
        "p": payload,
        "recipient": recipient,
        "url": current_app.config["BASE_URL"].rstrip("/") + link if link else current_app.config["BASE_URL"],
    }
    with force_locale(locale):
        context = template.new_context(context_vars)
        parts = {name: "".join(block(context)).strip() for name, block in template.blocks.items()}
    if "subject" not in parts or "text" not in parts:
        raise LookupError(f"notification template {notification.template} needs subject and text blocks")
    parts.setdefault("sms", parts["subject"])
    return parts
