"""Email addresses and phone numbers, of people and of organizations: one rule for every form and the API."""

import re

from flask_babel import gettext as _

# One @ between a name and a domain of dot-separated labels.  Not email_validator: it refuses the intranet
# domains (.local, .test) real accounts may use (see the login form).
EMAIL = re.compile(r'^[^\s@<>()\[\]\\,;:"]+@(?:[\w-]+\.)+[\w-]+$')
# SMS go to it: digits, with the country code, spaces, brackets and dashes allowed.
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,38}$")


def email_problem(email):
    """What is wrong with an email address, or None."""
    return None if EMAIL.match(email) else _("Enter a valid email address.")


def phone_problem(phone):
    """What is wrong with a phone number, or None."""
    return None if PHONE.match(phone) else _("Write the number with its country code, e.g. +994 50 123 45 67.")


def clean_contact(fields, errors):
    """Check ``email`` and ``phone`` in ``fields`` when given (blank is none), recording problems in ``errors``."""
    for key, problem_of in (("email", email_problem), ("phone", phone_problem)):
        if key in fields:
            value = (fields[key] or "").strip() or None
            fields[key] = value
            problem = problem_of(value) if value is not None else None
            if problem:
                errors[key] = [problem]
