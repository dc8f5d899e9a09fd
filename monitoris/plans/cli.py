"""``flask --app monitoris plan import ACT_ID FILE [--dry-run] --as EMAIL``: import a plan from the shell."""

from pathlib import Path

import click
import sqlalchemy as sa

from monitoris.errors import DomainError
from monitoris.extensions import db
from monitoris.models import Act, User
from monitoris.plans import importer


def register(app):
    app.cli.add_command(plan_group)


@click.group("plan")
def plan_group():
    """Action plans: import an act's tasks from a file."""


@plan_group.command("import")
@click.argument("act_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would be created; write nothing.")
@click.option("--as", "email", required=True, help="The controller recorded as the actor in the audit trail.")
def plan_import(act_id, path, dry_run, email):
    """Import the plan in PATH (XLSX, CSV or DOCX) into act ACT_ID, all rows or none."""
    actor = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if actor is None or not actor.active:
        raise click.ClickException(f"No active user {email}.")
    act = db.session.get(Act, act_id)
    if act is None:
        raise click.ClickException(f"No act {act_id}.")
    try:
        plan = importer.import_plan(actor, act, path.read_bytes(), path.name, dry_run=dry_run)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    for item in plan.items:
        click.echo(importer.describe(item))
    for problem in plan.warnings:
        click.echo(f"note: row {problem.row}: {problem.message}")
    if not plan.valid:
        db.session.rollback()
        for problem in plan.errors:
            where = f"row {problem.row}" if problem.row else "file"
            click.echo(f"error: {where}: {problem.message}", err=True)
        raise click.ClickException(f"{len(plan.errors)} error(s); nothing was imported.")
    counts = plan.counts()
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: would create {counts['sections']} sections, {counts['measures']} measures and "
                   f"{counts['assignments']} assignments; {counts['existing']} rows already exist.")
        return
    db.session.commit()
    click.echo(f"Imported: {plan.created_tasks} tasks and {plan.created_assignments} assignments; "
               f"{counts['existing']} rows already existed.")
