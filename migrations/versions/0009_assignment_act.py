"""An assignment carries its task's act: an act's list walks (act_id, due_on, id) instead of gathering the
assignments of its hundreds of tasks and sorting them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('act_id', sa.Integer(), nullable=True))
    op.execute("UPDATE assignments SET act_id = (SELECT tasks.act_id FROM tasks WHERE tasks.id = assignments.task_id)")
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.alter_column('act_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignments_act_id_acts'), 'acts', ['act_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index('ix_assignments_act_id_due_on', ['act_id', 'due_on', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_act_id_due_on')
        batch_op.drop_constraint(batch_op.f('fk_assignments_act_id_acts'), type_='foreignkey')
        batch_op.drop_column('act_id')
