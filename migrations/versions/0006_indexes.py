"""Indexes for the national scale: open work by due date (overdue lists, the deadline scan), one
body's work by due date, and one body's audit events after an id (the live feed).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('assigned', 'in_progress', 'submitted')")


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        # Partial: a tenth of the work is open, and only open work is overdue or reminded of.
        batch_op.create_index('ix_assignments_open_due_on', ['due_on', 'id'], unique=False,
                              sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_assignments_organization_id_due_on', ['organization_id', 'due_on'], unique=False)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_organization_id_id', ['organization_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_organization_id_id')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_organization_id_due_on')
        batch_op.drop_index('ix_assignments_open_due_on')
