"""TOTP secrets sealed at rest: users.totp_secret widened for the sealed form, and the secrets already
there sealed with the application's key (MONITORIS_TOTP_KEY, see monitoris/secretbox.py).

The sealing is written out here rather than imported, so that this migration keeps doing what it did
whatever becomes of the application's code: Fernet with the first configured key, "fernet:" + token.
In offline mode (SQL scripts) only the column is widened; the application still reads a plain secret
and seals it at its next use.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
from alembic import context, op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

PREFIX = "fernet:"
users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def _box():
    from cryptography.fernet import Fernet, MultiFernet
    from flask import current_app

    return MultiFernet([Fernet(k) for k in current_app.config["TOTP_KEYS"]])


def _rewrite(change):
    """Apply ``change`` to every stored secret (online only: offline there are no rows to read)."""
    if context.is_offline_mode():
        return
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.totp_secret)
                              .where(users.c.totp_secret.is_not(None))).all()
    if not rows:
        return
    box = _box()
    for row_id, value in rows:
        new = change(box, value)
        if new != value:
            connection.execute(users.update().where(users.c.id == row_id).values(totp_secret=new))


def _seal(box, value):
    return value if value.startswith(PREFIX) else PREFIX + box.encrypt(value.encode()).decode()


def _open(box, value):
    return box.decrypt(value[len(PREFIX):].encode()).decode() if value.startswith(PREFIX) else value


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
    _rewrite(_seal)


def downgrade():
    _rewrite(_open)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)
