"""An event about an act's work names the act, so that an executive body sees nothing of a draft act's work in
its feeds (as it sees nothing of it in its lists).

The column is filed beside the event, like its organization, but outside its hash: it repeats what the event's
object says.  Existing events get it from their objects (a removed document's owner is named in the event
itself); no hashed content changes, so the chain verifies as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

REPORT_ACT = "SELECT a.act_id FROM reports r JOIN assignments a ON a.id = r.assignment_id WHERE r.id = {}"
INSTRUCTION_ACT = "SELECT t.act_id FROM instructions i JOIN tasks t ON t.id = i.task_id WHERE i.id = {}"


def _owner(key, dialect):
    """A document event's owner id, from the event itself: the upload names it after, the removal before."""
    if dialect == "postgresql":
        field = "CAST(events.{column} ->> '%s' AS INTEGER)" % key
    else:
        field = "json_extract(events.{column}, '$.%s')" % key
    return f"COALESCE({field.format(column='after')}, {field.format(column='before')})"


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('act_id', sa.Integer(), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("ALTER TABLE events DISABLE TRIGGER events_no_update_delete")
    by_type = {
        "assignment": "SELECT act_id FROM assignments WHERE assignments.id = events.object_id",
        "report": REPORT_ACT.format("events.object_id"),
        "extension_request": "SELECT a.act_id FROM extension_requests x JOIN assignments a ON a.id = x.assignment_id "
                             "WHERE x.id = events.object_id",
        "instruction": INSTRUCTION_ACT.format("events.object_id"),
    }
    for object_type, act in by_type.items():
        op.execute(f"UPDATE events SET act_id = ({act}) WHERE object_type = '{object_type}'")
    op.execute(f"UPDATE events SET act_id = COALESCE(({REPORT_ACT.format(_owner('report_id', dialect))}), "
               f"({INSTRUCTION_ACT.format(_owner('instruction_id', dialect))})) WHERE object_type = 'document'")
    if dialect == "postgresql":
        op.execute("ALTER TABLE events ENABLE TRIGGER events_no_update_delete")


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('act_id')
