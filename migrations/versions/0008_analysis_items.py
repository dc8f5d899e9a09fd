"""The analysis's items, stored: one row per organization's assignment and per reporting period of a
recurring one, with its report and extension totals (monitoris.analysis.facts keeps them current).

The existing data's items are written here with plain SQL, the same definition as
monitoris.analysis.facts.source at this revision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COUNTED = "a.parent_id IS NULL AND a.state <> 'cancelled'"
REVIEWS = ("sum(CASE WHEN r.state IN ('accepted', 'returned') THEN 1 ELSE 0 END) AS reviews, "
           "sum(CASE WHEN r.state = 'returned' THEN 1 ELSE 0 END) AS returns, "
           "max(CASE WHEN r.state = 'accepted' THEN r.submitted_on END) AS accepted_on")
FILL = f"""
INSERT INTO analysis_items (assignment_id, period, organization_id, task_id, act_id, due_on, baseline_on, accepted,
                            accepted_on, submitted_at, reviews, returns, extension_requests, extensions_granted,
                            days_added)
SELECT a.id, '', a.organization_id, a.task_id, t.act_id, a.due_on, a.original_due_on, a.state = 'accepted', fr.accepted_on,
       a.submitted_at, coalesce(fr.reviews, 0), coalesce(fr.returns, 0), coalesce(ex.requests, 0),
       coalesce(ex.granted, 0), coalesce(ex.days_added, 0)
FROM assignments a
JOIN tasks t ON t.id = a.task_id
LEFT JOIN (SELECT r.assignment_id, {REVIEWS} FROM reports r WHERE r.final GROUP BY r.assignment_id) fr
       ON fr.assignment_id = a.id
LEFT JOIN (SELECT assignment_id, count(*) AS requests,
                  sum(CASE WHEN decision = 'approved' THEN 1 ELSE 0 END) AS granted,
                  sum(CASE WHEN decision = 'approved' THEN days_requested ELSE 0 END) AS days_added
           FROM extension_requests GROUP BY assignment_id) ex
       ON ex.assignment_id = a.id
WHERE {COUNTED}
UNION ALL
SELECT r.assignment_id, r.period, a.organization_id, a.task_id, t.act_id, max(r.period_due_on), max(r.period_due_on),
       sum(CASE WHEN r.state = 'accepted' THEN 1 ELSE 0 END) > 0,
       max(CASE WHEN r.state = 'accepted' THEN r.submitted_on END), NULL,
       sum(CASE WHEN r.state IN ('accepted', 'returned') THEN 1 ELSE 0 END),
       sum(CASE WHEN r.state = 'returned' THEN 1 ELSE 0 END), 0, 0, 0
FROM reports r JOIN assignments a ON a.id = r.assignment_id JOIN tasks t ON t.id = a.task_id
WHERE NOT r.final AND {COUNTED}
GROUP BY r.assignment_id, r.period, a.organization_id, a.task_id, t.act_id
"""


def upgrade():
    op.create_table('analysis_items',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('act_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('baseline_on', sa.Date(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('returns', sa.Integer(), nullable=False),
    sa.Column('extension_requests', sa.Integer(), nullable=False),
    sa.Column('extensions_granted', sa.Integer(), nullable=False),
    sa.Column('days_added', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['act_id'], ['acts.id'], name=op.f('fk_analysis_items_act_id_acts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_analysis_items_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_analysis_items_organization_id_organizations')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_analysis_items_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assignment_id', 'period', name=op.f('pk_analysis_items'))
    )
    with op.batch_alter_table('analysis_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_items_due_on'), ['due_on'], unique=False)
        batch_op.create_index('ix_analysis_items_organization_id_due_on', ['organization_id', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_analysis_items_task_id'), ['task_id'], unique=False)
    op.execute(FILL)


def downgrade():
    with op.batch_alter_table('analysis_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_items_task_id'))
        batch_op.drop_index('ix_analysis_items_organization_id_due_on')
        batch_op.drop_index(batch_op.f('ix_analysis_items_due_on'))

    op.drop_table('analysis_items')
