"""What the security features keep: recovery codes, the 2FA policy per role, login attempts, reset tokens."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db
from monitoris.models.user import ROLES


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only a salted sha256 is kept.

    The codes carry 50 random bits each, so a fast hash with a salt is enough (no dictionary to try).
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    salt: Mapped[str] = mapped_column(sa.String(32))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SecurityPolicy(db.Model):
    """The administrators' security choices for one role (for now: whether two-factor login is required)."""

    __tablename__ = "security_policy"
    __table_args__ = (enum_check("role", ROLES),)

    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    require_two_factor: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class LoginAttempt(db.Model):
    """A failed login (password or second step), kept a day: the throttle every web process shares."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_ip_at", "ip", "at"),
        sa.Index("ix_login_attempts_email_at", "email", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    email: Mapped[str] = mapped_column(sa.String(254))


class PasswordResetToken(db.Model):
    """A link sent by email to set a new password: single use, expiring; only its sha256 is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(sa.String(45))

    user = relationship("User", lazy="joined")

    def is_live(self, now):
        return self.used_at is None and self.expires_at > now and self.user.active
