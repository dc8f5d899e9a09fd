"""The state words that service error messages put into sentences, translated when the message is made.

The English words are the states themselves (``in_progress`` reads "in progress"), so the English
messages stay as they were; the catalogues give the Azerbaijani and Russian words.
"""

from flask_babel import lazy_gettext as _l

ASSIGNMENT_STATES = {
    "assigned": _l("assigned"),
    "in_progress": _l("in progress"),
    "submitted": _l("submitted"),
    "accepted": _l("accepted"),
    "cancelled": _l("cancelled"),
}
REPORT_STATES = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "accepted": _l("accepted"),
    "returned": _l("returned"),
}
INSTRUCTION_STATES = {
    "issued": _l("issued"),
    "acknowledged": _l("acknowledged"),
    "answered": _l("answered"),
    "closed": _l("closed"),
}
EXTENSION_DECISIONS = {
    "pending": _l("pending"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
}


def word(table, value):
    """The translated word for ``value``, or the value itself when the table does not know it."""
    return table.get(value, value)
