"""``flask --app monitoris scheduler`` and ``flask --app monitoris notify …``."""

import time

import click
import sqlalchemy as sa
from flask import current_app

from monitoris import scheduler
from monitoris.database import writing
from monitoris.extensions import db
from monitoris.models import User
from monitoris.notifications import dispatch, outbox, reminders


@click.command("scheduler")
def scheduler_command():
    """Run the scheduler (deadline scan, dispatch, daily digest) until stopped; one leader at a time."""
    scheduler.run()


@click.group("notify")
def notify_group():
    """Notifications: test the channels, scan, dispatch."""


@notify_group.command("test")
@click.argument("email")
def notify_test(email):
    """Send a test email (and SMS, when the person has a phone) to the user with EMAIL, now."""
    with writing():  # beside a running scheduler on SQLite, as its jobs do (database.writing)
        user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user with the email {email}.")
        key = f"test:{time.time_ns()}"
        channels = ["email"] + (["sms"] if user.phone else [])
        created = outbox.queue([user], kind="assignment", template="test_message", key=key, payload={"link": "/"},
                               channels=channels)
        db.session.commit()
    sent, failed = dispatch.dispatch()
    click.echo(f"Queued {created} test messages for {user.email}; sent {sent}, failed {failed}.")
    if failed:
        raise click.ClickException("Some messages failed; see the errors on the outbox page or in the log.")


@notify_group.command("scan")
def notify_scan():
    """Run the deadline scan once."""
    with writing():
        created = reminders.scan()
        db.session.commit()
    click.echo(f"Deadline scan queued {created} messages.")


@notify_group.command("dispatch")
@click.option("--loop", is_flag=True, help="Keep dispatching (an extra dispatcher beside the scheduler).")
def notify_dispatch(loop):
    """Send what is due in the outbox (once, or continuously with --loop)."""
    interval = current_app.config["DISPATCH_INTERVAL_SECONDS"]
    while True:
        sent, failed = dispatch.dispatch()
        click.echo(f"Sent {sent}, failed {failed}.")
        if not loop:
            return
        db.session.remove()
        time.sleep(interval if not sent else 0)


def register(app):
    app.cli.add_command(scheduler_command)
    app.cli.add_command(notify_group)
