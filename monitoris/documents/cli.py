"""``flask --app monitoris documents check`` and ``documents cleanup``."""

from datetime import timedelta

import click

from monitoris.services import documents


def register(app):
    app.cli.add_command(documents_group)


@click.group("documents")
def documents_group():
    """The document store."""


@documents_group.command("check")
def check():
    """Re-hash every stored file against its sha256; name the missing and altered ones (exit 1 if any)."""
    result = documents.check()
    for sha256, ids in result.missing:
        click.echo(f"MISSING {sha256} (documents {', '.join(map(str, ids))})", err=True)
    for sha256, ids in result.altered:
        click.echo(f"ALTERED {sha256} (documents {', '.join(map(str, ids))})", err=True)
    if result.ok:
        click.echo(f"OK: {result.checked} stored files, all present and intact.")
        return
    click.echo(f"FAILED: {len(result.missing)} missing, {len(result.altered)} altered of {result.checked}.", err=True)
    raise SystemExit(1)


@documents_group.command("cleanup")
@click.option("--min-age-hours", default=1.0, show_default=True,
              help="Only files older than this (an upload in progress is never touched).")
@click.option("--dry-run", is_flag=True, help="List what would be removed, remove nothing.")
def cleanup(min_age_hours, dry_run):
    """Remove what interrupted uploads left: partial files and stored files no document refers to."""
    removed = documents.cleanup(timedelta(hours=min_age_hours), dry_run=dry_run)
    for path in removed:
        click.echo(("would remove " if dry_run else "removed ") + path)
    click.echo(f"{len(removed)} orphaned file{'s' if len(removed) != 1 else ''} "
               f"{'found' if dry_run else 'removed'}.")
