"""Instructions awaiting an answer, by their response date: the deadline scan now reminds of answers due, and
selects them with ``response_due_on IN (…)``, which this partial index answers without reading the others.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

AWAITING = sa.text("state IN ('issued', 'acknowledged')")


def upgrade():
    with op.batch_alter_table('instructions', schema=None) as batch_op:
        batch_op.create_index('ix_instructions_awaiting_response_due_on', ['response_due_on'], unique=False,
                              sqlite_where=AWAITING, postgresql_where=AWAITING)


def downgrade():
    with op.batch_alter_table('instructions', schema=None) as batch_op:
        batch_op.drop_index('ix_instructions_awaiting_response_due_on')
