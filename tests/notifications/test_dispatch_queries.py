"""The dispatcher's cost per message: one UPDATE and one commit, no reload of the rows still to send."""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models.notification import Notification
from monitoris.notifications import dispatch, outbox
from tests.factories import make_user


def test_dispatch_does_not_select_again_per_message(channels):
    mailbox, _ = channels
    people = [make_user("executor") for _ in range(6)]
    outbox.queue(people, kind="assignment", template="test_message", key="q", payload={"link": "/"},
                 channels=("email",))
    db.session.commit()
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split(None, 1)[0].upper())

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert dispatch.dispatch() == (6, 0)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert len(mailbox.messages) == 6
    # The claim (an UPDATE … RETURNING) and one SELECT of the claimed rows with their recipients; then
    # one UPDATE per message.  The rows are not reloaded after each message's commit.
    assert statements.count("SELECT") <= 2, statements
    assert statements.count("UPDATE") == 1 + 6, statements
    states = db.session.scalars(sa.select(Notification.state).where(Notification.idempotency_key.like("q:%"))).all()
    assert states == ["sent"] * 6
    # The session's own setting is back as it was.
    assert db.session().expire_on_commit is True
