"""Tasks (the measures of an act, a tree by number), their stages and evidence requirements."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from monitoris.database import UTCDateTime, enum_check, utcnow
from monitoris.extensions import db

RECURRENCES = ("none", "annual", "semiannual", "quarterly", "monthly")
PRIORITIES = ("low", "normal", "high")


MAX_NUMBER = 40  # characters of a stored number (the column's width)


def _parts(number):
    return [p.strip() for p in number.strip().rstrip(".").split(".")]


def normalize_number(number):
    """"4.01.1." -> "4.1.1": a number is its parts, so leading zeros and a closing dot do not make another one."""
    return ".".join(p.lstrip("0") or "0" if p.isascii() and p.isdigit() else p for p in _parts(number))


def number_sort_key(number):
    """"4.1.10" -> "014.011.0210": each part after its length in two digits, so that a plain string sort gives
    1.2 before 1.10 and 99999 before 100000.  Two digits hold any part of a number of MAX_NUMBER characters;
    as each part says how long it is, the order holds even under a collation that ignores the dots."""
    parts = [p for p in normalize_number(number).split(".") if p]
    return ".".join(f"{len(p):02d}{p}" for p in parts)


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        sa.UniqueConstraint("act_id", "number"),
        sa.Index("ix_tasks_act_id_sort_key", "act_id", "sort_key"),
        enum_check("recurrence", RECURRENCES),
        enum_check("priority", PRIORITIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    act_id: Mapped[int] = mapped_column(sa.ForeignKey("acts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(MAX_NUMBER))
    sort_key: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.Text)
    indicator: Mapped[str | None] = mapped_column(sa.Text)
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    recurrence: Mapped[str] = mapped_column(sa.String(12), default="none")
    due_on: Mapped[date | None]
    priority: Mapped[str] = mapped_column(sa.String(8), default="normal")
    controller_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    act = relationship("Act", back_populates="tasks")
    parent: Mapped["Task | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Task"]] = relationship(back_populates="parent", order_by="Task.sort_key")
    controller = relationship("User")
    assignments = relationship("Assignment", back_populates="task", lazy="dynamic")
    stages: Mapped[list["Stage"]] = relationship(
        back_populates="task", order_by="(Stage.due_on, Stage.id)", cascade="all, delete-orphan"
    )
    evidence_requirements: Mapped[list["EvidenceRequirement"]] = relationship(
        back_populates="task", order_by="EvidenceRequirement.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("number")
    def _set_sort_key(self, key, number):
        number = normalize_number(number)
        self.sort_key = number_sort_key(number)
        return number

    @property
    def depth(self):
        return self.number.count(".")

    @property
    def period_label(self):
        """The fulfilment period as the plan states it: "2026-2028", "2026", "Regular"."""
        if self.recurrence != "none" and not (self.period_start and self.period_end):
            return "Regular"
        if self.period_start and self.period_end:
            a, b = self.period_start.year, self.period_end.year
            label = str(a) if a == b else f"{a}-{b}"
            return f"{label}, regular" if self.recurrence != "none" else label
        return ""

    def __repr__(self):
        return f"<Task {self.number}>"


class Stage(db.Model):
    """A control point inside a task, with its own due date."""

    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]

    task = relationship(Task, back_populates="stages")


class EvidenceRequirement(db.Model):
    """What counts as done for a task: an item of the checklist the reviewer ticks."""

    __tablename__ = "evidence_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.String(1000))
    document_kinds: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)

    task = relationship(Task, back_populates="evidence_requirements")
