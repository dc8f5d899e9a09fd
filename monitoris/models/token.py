"""Personal access tokens for the API.  Only the sha256 of a token is stored."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, utcnow
from monitoris.extensions import db


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="joined")

    # The raw token exists only in the response that created it.
    token = None

    def is_live(self, now):
        return self.live(self.revoked_at, self.expires_at, self.user, now)

    @staticmethod
    def live(revoked_at, expires_at, user, now):
        """A token with these dates, of this user, works at ``now`` (for a check from its columns alone)."""
        return revoked_at is None and expires_at > now and user.active

    def __repr__(self):
        return f"<ApiToken {self.id} user={self.user_id} {self.name!r}>"
