"""Documents: attaching uploaded files to a report or an instruction, removing them, checking the store.

The bytes are streamed into the storage backend while hashed, checked by their content against
the allow-list, and only then become visible; a refused file leaves nothing behind, nor does a batch
(several files at once) with one refused file in it.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from monitoris import clock, numbers, permissions
from monitoris.documents import sniff
from monitoris.documents.storage import TooLarge, hash_file, storage
from monitoris.errors import Forbidden, IllegalTransition, PayloadTooLarge, ValidationError
from monitoris.extensions import db
from monitoris.models import Document, Instruction, Report
from monitoris.services import audit, reports
from monitoris.services.wording import REPORT_STATES, word


def allowed_types():
    names = [n.strip().lower() for n in current_app.config["DOCUMENT_TYPES"].split(",") if n.strip()]
    return {sniff.TYPES[n] for n in names if n in sniff.TYPES}


def max_bytes():
    return current_app.config["DOCUMENT_MAX_BYTES"]


def describe_limit():
    """The largest file accepted, as the reader writes sizes ("50 MB", "50 МБ")."""
    return numbers.filesize(max_bytes())


def clean_filename(name):
    """The name a person gave the file, without any path, control characters or excess length."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".") or "document"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) < 10 else name[:200]
    return name


def _owner_fields(owner, purpose):
    """The document's columns naming its owner, and where its events are filed (the body, the act)."""
    if isinstance(owner, Report):
        assignment = owner.assignment
        return ({"report_id": owner.id, "purpose": "evidence"},
                {"organization_id": assignment.organization_id, "act_id": assignment.act_id})
    if isinstance(owner, Instruction):
        return ({"instruction_id": owner.id, "purpose": purpose},
                {"organization_id": owner.organization_id, "act_id": owner.task.act_id})
    raise TypeError(f"documents are not attached to {owner!r}")


def can_attach(actor, owner):
    if isinstance(owner, Report):
        return permissions.can_edit_report(actor, owner)
    return permissions.can_attach_to_instruction(actor, owner)


def attach(actor, owner, stream, filename):
    """Store ``stream`` and attach it to ``owner`` (a draft report, or an instruction or its answer)."""
    return attach_all(actor, owner, [(stream, filename)])[0]


def attach_all(actor, owner, files):
    """Attach every ``(stream, filename)`` of ``files`` to ``owner``, all or nothing.

    Every file is staged and checked before any is stored: one refused file discards the staged ones
    and leaves the store as it was (bytes stored already for another document are never removed).  The
    accepted files are stored before the caller commits; should its commit fail, ``cleanup`` removes them."""
    if isinstance(owner, Report) and owner.state != "draft" and permissions.can_view_report(actor, owner):
        raise IllegalTransition(_("The report is %(state)s: its documents can no longer change.",
                                  state=word(REPORT_STATES, owner.state)))
    reason = reports.frozen(actor, owner) if isinstance(owner, Report) and not can_attach(actor, owner) else None
    if reason:  # the body's own draft, of work accepted or cancelled since
        raise IllegalTransition(reason)
    if not can_attach(actor, owner):
        raise Forbidden(_("You may not attach documents here."))
    purpose = "instruction" if permissions.can_review(actor) else "response"
    values, filed = _owner_fields(owner, purpose)
    staged, stored = [], 0
    try:
        for stream, filename in files:
            name = clean_filename(filename)
            staged.append((name, *_stage(stream, name)))
        attached = [_record(actor, name, media_type, file, values, filed) for name, file, media_type in staged]
        for _name, file, _type in staged:
            file.commit()
            stored += 1
    except BaseException:
        # A committed file's temporary name is free again (it may be another upload's by now): leave it.
        for _name, file, _type in staged[stored:]:
            file.discard()
        raise
    return attached


def _stage(stream, name):
    """(staged file, media type) of an accepted file; a refused one is discarded and raises."""
    try:
        file = storage().stage(stream, max_bytes())
    except TooLarge as exc:
        raise PayloadTooLarge(_("%(name)s is larger than %(limit)s, the largest file accepted. Nothing was stored.",
                                name=name, limit=describe_limit())) from exc
    try:
        # Empty first: no content is of any type, and "empty" is the reason a person can act on.
        if file.size == 0:
            raise ValidationError(_("%(name)s was refused.", name=name),
                                  errors={"files": [_("%(name)s is empty.", name=name)]})
        media_type = sniff.sniff(file.path, name)
        if media_type is None or media_type not in allowed_types():
            accepted = ", ".join(sorted(sniff.NAMES[t] for t in allowed_types()))
            raise ValidationError(_("%(name)s was refused.", name=name), errors={"files": [
                _("%(name)s is not an accepted type: its content is not one of %(accepted)s. "
                  "The name of a file does not decide its type.", name=name, accepted=accepted)]})
    except BaseException:
        file.discard()
        raise
    return file, media_type


def _record(actor, name, media_type, file, values, filed):
    document = Document(filename=name, media_type=media_type, size=file.size, sha256=file.sha256,
                        uploaded_by_id=actor.id, uploaded_at=clock.now(), **values)
    db.session.add(document)
    db.session.flush()
    audit.record(actor, "document.uploaded", "document", document.id, **filed, after={
        "filename": name, "media_type": media_type, "size": file.size, "sha256": file.sha256, **values})
    return document


def remove(actor, document):
    """Take a document off a draft (the stored bytes stay while anything else refers to them)."""
    if not permissions.can_view_document(actor, document):
        raise Forbidden()
    if not permissions.can_remove_document(actor, document):
        raise Forbidden(_("This document can no longer be removed."))
    owner = document.report or document.instruction
    _values, filed = _owner_fields(owner, document.purpose)
    audit.record(actor, "document.removed", "document", document.id, **filed, before={
        "filename": document.filename, "sha256": document.sha256, "report_id": document.report_id,
        "instruction_id": document.instruction_id})
    db.session.delete(document)
    db.session.flush()


# -- maintenance (the CLI) ----------------------------------------------------------------------

@dataclass
class CheckResult:
    checked: int = 0
    missing: list = field(default_factory=list)   # [(sha256, [document ids])]
    altered: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.missing and not self.altered


def check():
    """Re-hash every stored file that a document refers to; name the missing and the altered ones."""
    store = storage()
    result = CheckResult()
    rows = db.session.execute(sa.select(Document.sha256, Document.id).order_by(Document.sha256, Document.id))
    by_hash = {}
    for sha256, doc_id in rows:
        by_hash.setdefault(sha256, []).append(doc_id)
    for sha256, ids in by_hash.items():
        result.checked += 1
        if not store.exists(sha256):
            result.missing.append((sha256, ids))
            continue
        with store.open(sha256) as f:
            if hash_file(f) != sha256:
                result.altered.append((sha256, ids))
    return result


def cleanup(min_age=timedelta(hours=1), dry_run=False):
    """Remove what interrupted or refused uploads left: stale partial files, and stored files no document
    refers to.  Only files older than ``min_age``, so an upload finishing right now is never touched."""
    store = storage()
    seconds = min_age.total_seconds()
    removed = []
    for part in store.stale_parts(seconds):
        removed.append(str(part))
        if not dry_run:
            part.unlink(missing_ok=True)
    referenced = set(db.session.scalars(sa.select(Document.sha256).distinct()))
    for sha256 in list(store.stored()):
        if sha256 not in referenced and store.age_seconds(sha256) >= seconds:
            removed.append(str(store.path_for(sha256)))
            if not dry_run:
                store.delete(sha256)
    return removed
