"""Task numbers sort by their parts whatever their length: the sort key was each part padded to five digits, so
100000 came before 99999.  Now each part is written after its length in two digits ("4.1.10" ->
"014.011.0210"), without its leading zeros ("1.01" sorts as 1.1, beside it).  The numbers themselves stay as
they were typed: the app now stores new ones without leading zeros, but what is stored is not rewritten
behind people's backs (nor outside the audit trail).  The key is computed here, in Python over the rows, with
a frozen copy of the rule (not the app's), so the migration means the same on SQLite and PostgreSQL forever.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _parts(number):
    return [p.strip() for p in number.strip().rstrip(".").split(".")]


def _normalized(number):
    return ".".join(p.lstrip("0") or "0" if p.isascii() and p.isdigit() else p for p in _parts(number))


def _length_key(number):
    return ".".join(f"{len(p):02d}{p}" for p in _normalized(number).split(".") if p)


def _padded_key(number):
    # The key of revisions up to 0010.
    return ".".join(p.zfill(5) if p.isdigit() else p for p in _parts(number) if p)


def _rows(bind):
    return bind.execute(sa.text("SELECT id, number FROM tasks ORDER BY id")).all()


def _save(bind, key):
    changes = [{"id": row.id, "sort_key": key(row.number)} for row in _rows(bind)]
    if changes:
        bind.execute(sa.text("UPDATE tasks SET sort_key = :sort_key WHERE id = :id"), changes)


def upgrade():
    _save(op.get_bind(), _length_key)


def downgrade():
    _save(op.get_bind(), _padded_key)
