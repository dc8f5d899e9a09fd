"""``flask create-admin`` on an empty installation."""

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Organization, User
from monitoris.services import audit, auth
from tests.factories import make_org


def _create_admin(app, *args):
    return app.test_cli_runner().invoke(args=["create-admin", *args])


def test_create_admin_on_an_empty_database(app):
    result = _create_admin(app, "--email", "Root@Example.test", "--name", "Aysel Mammadova",
                           "--password", "a long enough passphrase")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Admin root@example.test created in CONTROL."
    user = db.session.scalar(sa.select(User).where(User.email == "root@example.test"))
    assert user.roles == {"admin"}
    assert user.organization.kind == "control"
    assert user.organization.path == f"/{user.organization.id}/"
    assert auth.authenticate("root@example.test", "a long enough passphrase") is user
    assert audit.verify_chain().checked == 2  # the control body and the account, both audited


def test_create_admin_asks_for_what_is_missing(app):
    result = app.test_cli_runner().invoke(args=["create-admin"],
                                          input="root@example.test\nRoot\npassphrase 123\npassphrase 123\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.email == "root@example.test")).roles == {"admin"}


def test_create_admin_joins_the_existing_control_body(app):
    cd = make_org("CD", kind="control")
    result = _create_admin(app, "--email", "a@example.test", "--name", "A", "--password", "a long enough passphrase")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.email == "a@example.test")).organization is cd
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 1


def test_create_admin_refuses_a_weak_password(app):
    result = _create_admin(app, "--email", "root@example.test", "--name", "Root", "--password", "short")
    assert result.exit_code == 1
    assert "The password is too weak." in result.output
    assert "Use at least 12 characters." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0


def test_create_admin_refuses_a_taken_email_and_an_unknown_organization(app):
    ok = ("--name", "Root", "--password", "a long enough passphrase")
    assert _create_admin(app, "--email", "root@example.test", *ok).exit_code == 0
    result = _create_admin(app, "--email", "root@example.test", *ok)
    assert result.exit_code == 1
    assert "Another account already uses this email address." in result.output
    result = _create_admin(app, "--email", "other@example.test", "--organization", "NOPE", *ok)
    assert result.exit_code == 1
    assert "No organization with the short name NOPE." in result.output
