"""Uploaded files: evidence of a report, an instruction's attachments and the body's response to it.

The bytes live in the storage backend under their sha256 (monitoris.documents.storage); a row
says who uploaded which bytes as what, for which owner.  Exactly one owner column is set;
``purpose`` tells an instruction's own documents from the response's.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db

DOCUMENT_PURPOSES = ("evidence", "instruction", "response", "act")


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        enum_check("purpose", DOCUMENT_PURPOSES),
        sa.CheckConstraint(
            "(CASE WHEN report_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN instruction_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN act_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_owner"),
        sa.CheckConstraint("size >= 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    instruction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("instructions.id", ondelete="CASCADE"),
                                                      index=True)
    act_id: Mapped[int | None] = mapped_column(sa.ForeignKey("acts.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(12), default="evidence")
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(120))  # sniffed from the content, never the name
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    public: Mapped[bool] = mapped_column(default=False)  # shown on the public portal only when marked so

    report = relationship("Report", back_populates="documents")
    instruction = relationship("Instruction", back_populates="documents")
    uploaded_by = relationship("User")

    @property
    def assignment(self):
        """The assignment whose people may see this document (None for an act's documents)."""
        if self.report is not None:
            return self.report.assignment
        if self.instruction is not None:
            return self.instruction.assignment
        return None

    def __repr__(self):
        return f"<Document {self.id} {self.filename!r} {self.sha256[:12]}>"
