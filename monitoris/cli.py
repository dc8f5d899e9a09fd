"""``flask --app monitoris …`` commands: accounts, demo data, the audit chain, the analysis's items."""

import click
import sqlalchemy as sa
from flask import current_app

from monitoris import backup, demo
from monitoris.analysis import facts
from monitoris.documents import cli as documents_cli
from monitoris.errors import ValidationError
from monitoris.extensions import db
from monitoris.models import Organization, User
from monitoris.notifications import cli as notifications_cli
from monitoris.plans import cli as plans_cli
from monitoris.services import audit, organizations, users


def register(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(demo_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(analysis_group)
    notifications_cli.register(app)
    backup.register(app)
    documents_cli.register(app)
    plans_cli.register(app)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organization", "organization_short", default=None,
              help="Short name of the admin's organization; a control body is created when none exists.")
@click.password_option()
def create_admin(email, name, organization_short, password):
    """Create an administrator account."""
    if organization_short:
        org = db.session.scalar(sa.select(Organization).where(Organization.short_name == organization_short))
        if org is None:
            raise click.ClickException(f"No organization with the short name {organization_short}.")
    else:
        org = db.session.scalar(sa.select(Organization).where(Organization.kind == "control").limit(1))
    try:
        if org is None:
            # The very first admin of an empty installation: bootstrap the control body, as the system.
            org = Organization(name="Control body", short_name="CONTROL", kind="control", path="")
            db.session.add(org)
            db.session.flush()
            org.path = f"/{org.id}/"
            audit.record(None, "organization.created", "organization", org.id,
                         after=audit.snapshot(org, organizations.FIELDS))
        user = users.create_user(None, email=email, name=name, organization_id=org.id, roles={"admin"},
                                 password=password)
    except ValidationError as exc:
        db.session.rollback()
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
        raise click.ClickException(f"{exc.message} {details}") from exc
    db.session.commit()
    click.echo(f"Admin {user.email} created in {org.short_name}.")


@click.group("demo")
def demo_group():
    """Demonstration data."""


@demo_group.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data.")
def demo_load(if_empty):
    """Load the demo action plan, executive bodies and accounts into an empty database."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        if if_empty:
            click.echo("The database already has data; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; demo data goes only into an empty database.")
    demo.load()
    db.session.commit()
    click.echo("Demo data loaded; `flask --app monitoris demo accounts` lists the accounts.")


@demo_group.command("accounts")
def demo_accounts():
    """Print the demo accounts."""
    click.echo(demo.accounts_text(current_app.config["BASE_URL"]))


@click.group("audit")
def audit_group():
    """The audit trail."""


@audit_group.command("verify")
def audit_verify():
    """Check the hash chain of the audit trail; name the first event that does not hold."""
    report = audit.verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} events, chain intact.")
        return
    click.echo(f"FAILED at event {report.bad_event_id}: {report.reason}. "
               f"{report.checked} events before it are intact.", err=True)
    raise SystemExit(1)


@click.group("analysis")
def analysis_group():
    """The analysis's stored items."""


@analysis_group.command("check")
def analysis_check():
    """Compare the stored items with what the assignments, reports and extensions make of them now."""
    wrong = facts.differences(db.session.connection())
    if not wrong:
        click.echo("OK: the analysis's items match their sources.")
        return
    for where, row in wrong:
        click.echo(f"{where}: {row}", err=True)
    click.echo("Run `flask --app monitoris analysis rebuild` to write them anew.", err=True)
    raise SystemExit(1)


@analysis_group.command("rebuild")
def analysis_rebuild():
    """Write every item of the analysis anew (after data was loaded around the application)."""
    count = facts.rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"{count} items written.")
