"""Organizations: the control body and the executive bodies, in a tree."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db

ORGANIZATION_KINDS = ("control", "central", "local", "state_company", "other")


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (enum_check("kind", ORGANIZATION_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    short_name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    # Materialized path "/1/7/12/" so that "this body and its sub-units" is one indexed
    # prefix match in SQL instead of a recursive query on every scoped list.
    path: Mapped[str] = mapped_column(sa.String(400), index=True, default="")
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped["Organization | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Organization"]] = relationship(back_populates="parent", order_by="Organization.name")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_control_body(self):
        return self.kind == "control"

    def is_within(self, other):
        """True when this organization is ``other`` or one of its sub-units."""
        return other is not None and self.path.startswith(other.path)

    def __repr__(self):
        return f"<Organization {self.short_name}>"
