"""Every message template speaks every language, and a message queued by an older release (whose payload lacks a
field the template now reads) still renders: the inbox and the dispatcher never fail on one."""

from pathlib import Path

import pytest

from monitoris.notifications.render import render
from tests.factories import make_notification, make_user

FOLDER = Path(__file__).resolve().parents[2] / "templates" / "notifications"
# The lockout email is sent within seconds by email only, never kept in an inbox; its count of minutes has no
# sensible default.
TEMPLATES = sorted(p.stem for p in FOLDER.glob("*.txt") if p.stem != "account_locked")


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_renders_an_empty_payload_in_each_language(template):
    reader = make_user("executor", name="Farid Babayev")
    parts = {}
    for locale in ("en", "az", "ru"):
        reader.locale = locale
        parts[locale] = render(make_notification(reader, channel="email", template=template, payload={}))
        assert parts[locale]["subject"] and parts[locale]["text"], (template, locale)
    # Each language has its own words: no catalogue falls back to English (the test message aside, a name only).
    assert parts["az"]["text"] != parts["en"]["text"] and parts["ru"]["text"] != parts["en"]["text"], template
