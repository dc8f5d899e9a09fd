"""Sending a stored document: always as an attachment, with a Content-Type from the allow-list only."""

from flask import send_file
from flask_babel import gettext as _

from monitoris.documents import sniff
from monitoris.documents.storage import storage
from monitoris.errors import NotFound


def send_document(document):
    """A streamed response (the file is read in blocks, never whole) with headers no browser renders from."""
    store = storage()
    if not store.exists(document.sha256):
        raise NotFound(_("The file of this document is missing from the store; the administrators have been told."))
    response = send_file(store.path_for(document.sha256), mimetype=sniff.SERVED_AS.get(document.media_type,
                                                                                       "application/octet-stream"),
                         as_attachment=True, download_name=document.filename, etag=document.sha256,
                         conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
