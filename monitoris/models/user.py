"""People, their roles, and their login sessions."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db
from monitoris.secretbox import SealedString

ROLES = ("admin", "controller", "org_head", "executor", "observer")
# Roles that read across all organizations.
GLOBAL_ROLES = frozenset({"admin", "controller", "observer"})
LOCALES = ("en", "az", "ru")


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (enum_check("role", ROLES),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    locale: Mapped[str] = mapped_column(sa.String(5), default="en")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Sealed at rest with MONITORIS_TOTP_KEY (monitoris.secretbox); the attribute holds the plain secret.
    totp_secret: Mapped[str | None] = mapped_column(SealedString())
    # The last TOTP time step accepted: a code is good once (replay of a seen code is refused).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organization = relationship("Organization", lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    # Set by the login loader: the login session this request runs under.
    login_session = None

    @property
    def roles(self):
        return frozenset(r.role for r in self.role_rows)

    @roles.setter
    def roles(self, names):
        names = set(names)
        unknown = names - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
        self.role_rows = [r for r in self.role_rows if r.role in names] + [
            UserRole(role=n) for n in sorted(names - self.roles)
        ]

    def has_role(self, *names):
        return bool(self.roles.intersection(names))

    @property
    def reads_everything(self):
        return bool(self.roles & GLOBAL_ROLES)

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        # Flask-Login keeps this in the signed cookie; it names the login session, not the
        # user, so that logging out or changing the password ends a copied cookie too.
        return self.login_session.token if self.login_session else None

    def __repr__(self):
        return f"<User {self.email}>"


class LoginSession(db.Model):
    """One browser login.  Revoked on logout and password change; checked on every request."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))

    user = relationship(User)

    # The raw token exists only in the cookie and, during a request, here.
    token = None
